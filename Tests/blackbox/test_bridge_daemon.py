"""`ccproxy-bridge`, the laptop-side daemon, against a test peer that plays the server's side
of the bridge (bridge_peer.py): hello, every method on a temporary root, the path policy, the
symlink confinement, the switches, the audit log, watch events, reconnecting, SIGTERM, and
wss:// with a CA given by --ca-file. Nothing here involves ccproxy itself: the daemon against
the real server is test_bridge_server.py."""
from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import time
from pathlib import Path

import pytest

import harness
from bridge_peer import BridgePeer, b64, unb64

TOKEN = "ccp_0123abcd_0123456789abcdef01234567"


@pytest.fixture(scope="module")
def bridge_bin() -> Path:
    p = harness.bin_dir() / "ccproxy-bridge"
    if not os.access(p, os.X_OK):
        pytest.fail(f"{p} not built (swift build --product ccproxy-bridge)", pytrace=False)
    return p


class Daemon:
    def __init__(self, binary: Path, url: str, root: Path, log: Path, *flags: str, env: dict | None = None):
        self.log = log
        e = dict(os.environ, CCPROXY_BRIDGE_TOKEN=TOKEN)
        e.update(env or {})
        self.out = open(log, "wb")
        self.proc = subprocess.Popen([str(binary), "--server", url, "--root", str(root), "-v", *flags],
                                     stdin=subprocess.DEVNULL, stdout=self.out, stderr=subprocess.STDOUT,
                                     env=e, preexec_fn=harness.die_with_parent)

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_log(self, needle: str, timeout: float) -> str:
        return harness.wait_until(lambda: (needle in self.text(), self.text()[-2000:]), timeout,
                                  f"{needle!r} in the daemon's log")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self.out.close()


@pytest.fixture
def env(tmp_path, bridge_bin):
    """A root with some content, a peer on a free port, and a way to start daemons."""
    root = tmp_path / "root"
    root.mkdir()
    (root / "hello.txt").write_text("hello world\n")
    (root / "src").mkdir()
    (root / "src" / "main.c").write_text("int main(){}\n")
    port = harness.free_port()
    peers: list[BridgePeer] = []
    daemons: list[Daemon] = []

    class Env:
        pass

    e = Env()
    e.root, e.tmp, e.port = root, tmp_path, port

    def peer(**kw) -> BridgePeer:
        p = BridgePeer(port, **kw)
        peers.append(p)
        return p

    def daemon(*flags, url=None, root_dir=None, env_vars=None) -> Daemon:
        d = Daemon(bridge_bin, url or f"ws://127.0.0.1:{port}/bridge", root_dir or root,
                   tmp_path / f"daemon{len(daemons)}.log", *flags, env=env_vars)
        daemons.append(d)
        return d

    e.peer, e.daemon = peer, daemon
    yield e
    for d in daemons:
        d.stop()
    for p in peers:
        p.shutdown()


def test_hello_and_upgrade_request(env):
    peer = env.peer()
    env.daemon()
    conn = peer.wait_connection()
    assert conn.path == "/bridge"
    assert conn.authorization == f"Bearer {TOKEN}"
    hello = conn.hello["result"]
    assert hello["root"] == os.path.realpath(env.root)
    assert hello["daemon_version"].startswith("ccproxy-bridge/")
    assert hello["protocol_version"] == 1
    assert (hello["allow_write"], hello["allow_exec"], hello["watch"]) == (True, False, True)
    assert "truncate" in hello["capabilities"] and "exec" not in hello["capabilities"]
    assert peer.error(conn, "teleport", {}) == "unsupported"
    assert peer.error(conn, "read", {"path": 5}) == "invalid_argument"


def test_every_method(env):
    peer = env.peer()
    env.daemon()
    c = peer.wait_connection()
    root = env.root

    st = peer.ok(c, "stat", {"path": "hello.txt"})
    assert (st["name"], st["size"], st["kind"], st["is_dir"]) == ("hello.txt", 12, "file", False)
    assert stat.S_ISREG(st["mode"])
    assert peer.ok(c, "stat", {"path": ""})["is_dir"] is True
    names = [e["name"] for e in peer.ok(c, "readdir", {"path": ""})["entries"]]
    assert names == ["hello.txt", "src"]

    r = peer.ok(c, "read", {"path": "hello.txt", "offset": 6, "length": 100})
    assert (unb64(r["data"]), r["eof"]) == (b"world\n", True)
    assert peer.error(c, "read", {"path": "missing"}) == "not_found"
    assert peer.error(c, "read", {"path": "src"}) == "is_a_directory"

    assert peer.ok(c, "write", {"path": "new.txt", "offset": 0, "data": b64(b"abcdef")})["written"] == 6
    assert peer.ok(c, "write", {"path": "new.txt", "offset": 2, "data": b64(b"XY")})["written"] == 2
    assert (root / "new.txt").read_bytes() == b"abXYef"
    peer.ok(c, "truncate", {"path": "new.txt", "size": 3})
    assert (root / "new.txt").read_bytes() == b"abX"
    peer.ok(c, "write", {"path": "new.txt", "offset": 1, "truncate": True})  # the reference's truncate form
    assert (root / "new.txt").read_bytes() == b"a"

    peer.ok(c, "create", {"path": "made.txt", "mode": 0o600})
    assert stat.S_IMODE((root / "made.txt").stat().st_mode) == 0o600
    assert peer.error(c, "create", {"path": "made.txt"}) == "already_exists"
    peer.ok(c, "mkdir", {"path": "dir"})
    assert (root / "dir").is_dir()
    peer.ok(c, "chmod", {"path": "made.txt", "mode": 0o640})
    assert stat.S_IMODE((root / "made.txt").stat().st_mode) == 0o640
    peer.ok(c, "rename", {"from": "made.txt", "to": "dir/moved.txt"})
    assert (root / "dir" / "moved.txt").exists() and not (root / "made.txt").exists()

    peer.ok(c, "symlink", {"path": "link", "target": "src/main.c"})
    assert os.readlink(root / "link") == "src/main.c"
    assert peer.ok(c, "readlink", {"path": "link"})["target"] == "src/main.c"
    assert peer.ok(c, "stat", {"path": "link"})["kind"] == "symlink"
    assert unb64(peer.ok(c, "read", {"path": "link"})["data"]) == b"int main(){}\n"

    peer.ok(c, "utimens", {"path": "hello.txt", "mtime": 1_000_000_000_123_456_789})
    assert (root / "hello.txt").stat().st_mtime_ns == 1_000_000_000_123_456_789
    peer.ok(c, "fsync", {"path": "hello.txt"})

    assert peer.error(c, "remove", {"path": "dir"}) == "not_empty"
    peer.ok(c, "remove", {"path": "dir", "recursive": True})
    assert not (root / "dir").exists()
    peer.ok(c, "remove", {"path": "link"})
    assert not os.path.lexists(root / "link") and (root / "src" / "main.c").exists()
    assert peer.error(c, "remove", {"path": ""}) == "permission_denied"
    # `..` never climbs above the root.
    assert unb64(peer.ok(c, "read", {"path": "../../hello.txt"})["data"]) == b"hello world\n"


def test_denied_names_are_absent(env):
    root = env.root
    (root / ".env").write_text("SECRET=1\n")
    (root / ".ssh").mkdir()
    (root / ".ssh" / "id_ed25519").write_text("key\n")
    (root / "src" / ".env.local").write_text("X=1\n")
    (root / "private").mkdir()
    (root / "private" / "notes.txt").write_text("n\n")
    (root / "keys.pem").write_text("pem\n")
    (root / ".ccproxyignore").write_text("# mine\nprivate/\n*.pem\n")
    peer = env.peer()
    env.daemon()
    c = peer.wait_connection()

    assert [e["name"] for e in peer.ok(c, "readdir", {"path": ""})["entries"]] == ["hello.txt", "src"]
    assert [e["name"] for e in peer.ok(c, "readdir", {"path": "src"})["entries"]] == ["main.c"]
    for path in [".env", ".ssh", ".ssh/id_ed25519", "src/.env.local", "private", "private/notes.txt", "keys.pem",
                 ".ccproxyignore"]:
        assert peer.error(c, "stat", {"path": path}) == "not_found", path
        assert peer.error(c, "read", {"path": path}) == "not_found", path
    assert peer.error(c, "readdir", {"path": "private"}) == "not_found"
    # Writes too: nothing is created, changed or removed under a denied name.
    assert peer.error(c, "write", {"path": ".env.production", "offset": 0, "data": b64(b"x")}) == "not_found"
    assert not (root / ".env.production").exists()
    assert peer.error(c, "write", {"path": ".ccproxyignore", "offset": 0, "data": b64(b""), "truncate": True}) == "not_found"
    assert (root / ".ccproxyignore").read_text().startswith("# mine")
    assert peer.error(c, "remove", {"path": ".env"}) == "not_found"
    assert (root / ".env").exists()
    assert peer.error(c, "rename", {"from": "hello.txt", "to": ".ssh/stolen"}) == "not_found"
    assert (root / "hello.txt").exists()
    # A link inside the root that leads to a denied name does not reveal it.
    os.symlink(".env", root / "innocent")
    assert peer.error(c, "read", {"path": "innocent"}) == "not_found"


def test_symlink_escaping_through_an_intermediate_directory(env):
    outside = env.tmp / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("outside secret\n")
    root = env.root
    os.symlink(str(outside), root / "escape")            # absolute, out
    os.symlink("../../outside", root / "src" / "up")      # relative, out through ..
    os.symlink("src", root / "inside")                    # stays in
    peer = env.peer()
    env.daemon()
    c = peer.wait_connection()

    for path in ["escape/secret.txt", "src/up/secret.txt"]:
        assert peer.error(c, "read", {"path": path}) == "out_of_root", path
        assert peer.error(c, "stat", {"path": path}) == "out_of_root", path
        assert peer.error(c, "write", {"path": path.replace("secret", "planted"), "offset": 0,
                                       "data": b64(b"x")}) == "out_of_root", path
    assert peer.error(c, "readdir", {"path": "escape"}) == "out_of_root"
    assert sorted(os.listdir(outside)) == ["secret.txt"]
    assert peer.error(c, "symlink", {"path": "newlink", "target": "../../etc"}) == "out_of_root"
    # The links themselves are visible as links; one inside the root is followed.
    entries = {e["name"]: e["kind"] for e in peer.ok(c, "readdir", {"path": ""})["entries"]}
    assert entries["escape"] == "symlink" and entries["inside"] == "symlink"
    assert unb64(peer.ok(c, "read", {"path": "inside/main.c"})["data"]) == b"int main(){}\n"


def test_writes_refused_when_disabled(env):
    peer = env.peer()
    env.daemon("--allow-write=false")
    c = peer.wait_connection()
    assert c.hello["result"]["allow_write"] is False
    for method, params in [("write", {"path": "hello.txt", "offset": 0, "data": b64(b"X")}),
                           ("create", {"path": "n"}), ("mkdir", {"path": "d"}), ("remove", {"path": "hello.txt"}),
                           ("rename", {"from": "hello.txt", "to": "h"}), ("chmod", {"path": "hello.txt", "mode": 0o777}),
                           ("truncate", {"path": "hello.txt", "size": 0}), ("symlink", {"path": "l", "target": "src"})]:
        assert peer.error(c, method, params) == "permission_denied", method
    assert sorted(os.listdir(env.root)) == ["hello.txt", "src"]
    assert (env.root / "hello.txt").read_text() == "hello world\n"
    assert unb64(peer.ok(c, "read", {"path": "hello.txt"})["data"]) == b"hello world\n"


def test_exec_absent_by_default(env):
    peer = env.peer()
    env.daemon()
    c = peer.wait_connection()
    frame = peer.call(c, "exec", {"cmd": "touch ran"})
    assert frame["error"]["code"] == "permission_denied" and "--allow-exec" in frame["error"]["message"]
    assert not (env.root / "ran").exists()


def test_exec_with_allow_exec(env):
    peer = env.peer()
    env.daemon("--allow-exec", env_vars={"SHELL": "/bin/sh"})
    c = peer.wait_connection()
    assert c.hello["result"]["allow_exec"] is True and "exec" in c.hello["result"]["capabilities"]
    r = peer.ok(c, "exec", {"cmd": "pwd; echo err >&2; echo ${CCPROXY_BRIDGE_TOKEN:-no token}; exit 3"})
    assert unb64(r["stdout"]).decode().splitlines() == [os.path.realpath(env.root), "no token"]
    assert unb64(r["stderr"]) == b"err\n"
    assert (r["exit_code"], r["timed_out"]) == (3, False)
    r = peer.ok(c, "exec", {"cmd": "cat", "args": ["-"], "stdin": b64(b"piped")})
    assert (unb64(r["stdout"]), r["exit_code"]) == (b"piped", 0)


def test_audit_log(env):
    audit = env.tmp / "audit" / "bridge.jsonl"
    peer = env.peer()
    env.daemon("--audit", str(audit))
    c = peer.wait_connection()
    peer.ok(c, "stat", {"path": "hello.txt"})
    peer.error(c, "read", {"path": "nope"})
    peer.ok(c, "rename", {"from": "hello.txt", "to": "bye.txt"})
    lines = harness.wait_until(lambda: (len(audit.read_text().splitlines()) >= 4, audit.read_text()), 10,
                               "four audit lines")
    rows = [json.loads(line) for line in lines.splitlines()]
    assert [(r["method"], r["path"], r["result"]) for r in rows] == [
        ("hello", "", "ok"), ("stat", "hello.txt", "ok"), ("read", "nope", "not_found"),
        ("rename", "hello.txt→bye.txt", "ok")]
    for line in lines.splitlines():
        assert list(json.loads(line)) == ["method", "path", "result", "ts"], line
        assert line.index('"method"') < line.index('"path"') < line.index('"result"') < line.index('"ts"')
    assert rows[0]["ts"].endswith("Z") and "T" in rows[0]["ts"]
    assert stat.S_IMODE(audit.stat().st_mode) == 0o600
    assert stat.S_IMODE(audit.parent.stat().st_mode) == 0o700


def test_watch_events_after_edits(env):
    peer = env.peer()
    env.daemon()
    c = peer.wait_connection()
    env.daemon_log = None
    (env.root / ".env").write_text("hidden\n")          # denied: never reported
    (env.root / "hello.txt").write_text("edited\n")
    peer.wait_event(c, lambda e: e["method"] == "watch" and e["params"] == {"path": "hello.txt", "kind": "modified"},
                    10, "a modified event for hello.txt")
    (env.root / "newdir").mkdir()
    peer.wait_event(c, lambda e: e["params"].get("path") == "newdir", 10, "a created event for newdir")
    (env.root / "newdir" / "inner.txt").write_text("x\n")
    peer.wait_event(c, lambda e: e["params"].get("path") == "newdir/inner.txt", 10,
                    "an event inside the new directory")
    (env.root / "src" / "main.c").unlink()
    peer.wait_event(c, lambda e: e["params"] == {"path": "src/main.c", "kind": "removed"}, 10, "a removed event")
    # A directory renamed: its contents are reported under the new name from then on.
    before = len(c.events)
    (env.root / "newdir").rename(env.root / "moved")
    peer.wait_event(c, lambda e: e["params"] == {"path": "moved", "kind": "created"}, 10, "the renamed directory")
    (env.root / "moved" / "inner.txt").write_text("y\n")
    peer.wait_event(c, lambda e: e["params"] == {"path": "moved/inner.txt", "kind": "modified"}, 10,
                    "an edit under the new name")
    stale = [e for e in c.events[before:] if e["params"].get("path", "").startswith("newdir/")]
    assert not stale, c.events[before:]
    assert not [e for e in c.events if ".env" in e["params"].get("path", "")], c.events


def test_reconnects_after_refusal_and_server_restart(env):
    peer = env.peer(refuse=(409, "principal already has an active bridge"))
    d = env.daemon()
    d.wait_log("upgrade refused: 409", 15)
    harness.wait_until(lambda: (peer.refusals >= 2, peer.refusals), 15, "a second attempt after the refusal")
    peer.refuse = None
    c1 = peer.wait_connection(1, timeout=20)
    assert peer.ok(c1, "stat", {"path": "hello.txt"})["size"] == 12
    peer.stop()                                           # the server goes away ...
    peer.wait_closed(c1, 10)
    d.wait_log("connection ended", 10)
    time.sleep(1)                                          # ... stays away for a few attempts ...
    peer.start()                                           # ... and comes back on the same port
    c2 = peer.wait_connection(2, timeout=20)
    assert c2 is not c1
    assert peer.ok(c2, "stat", {"path": "hello.txt"})["size"] == 12
    assert d.proc.poll() is None
    assert d.text().count("connecting") >= 3, d.text()[-3000:]


def test_sigterm_says_bye_and_exits_cleanly(env):
    peer = env.peer()
    d = env.daemon()
    c = peer.wait_connection()
    d.proc.send_signal(signal.SIGTERM)
    assert d.proc.wait(timeout=15) == 0, d.text()[-2000:]
    bye = peer.wait_event(c, lambda e: e["method"] == "bye", 5, "a bye event")
    assert "SIGTERM" in bye["params"]["reason"]
    code, _ = peer.wait_closed(c, 5)
    assert code == 1000


def test_missing_token_is_refused_at_start(env, bridge_bin):
    cp = subprocess.run([str(bridge_bin), "--server", f"ws://127.0.0.1:{env.port}/bridge", "--root", str(env.root)],
                        env={k: v for k, v in os.environ.items() if k != "CCPROXY_BRIDGE_TOKEN"},
                        capture_output=True, text=True, timeout=30)
    assert cp.returncode != 0
    assert "env CCPROXY_BRIDGE_TOKEN is empty" in cp.stderr


_make_ca = harness.make_ca


def test_wss_with_ca_file(env):
    import ssl
    ca, cert, key = _make_ca(env.tmp)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    peer = env.peer(ssl_context=ctx)
    # Without the CA, the system store does not trust the server: no connection.
    untrusted = env.daemon(url=f"wss://localhost:{env.port}/bridge")
    untrusted.wait_log("connection failed", 20)
    assert not [c for c in peer.connections if c.hello is not None]
    untrusted.stop()
    env.daemon("--ca-file", str(ca), url=f"wss://localhost:{env.port}/bridge")
    c = peer.wait_connection()
    assert c.authorization == f"Bearer {TOKEN}"
    assert unb64(peer.ok(c, "read", {"path": "hello.txt"})["data"]) == b"hello world\n"


def test_sigterm_while_disconnected(env):
    d = env.daemon()                                      # nothing listens on the port
    d.wait_log("reconnecting", 15)
    d.proc.send_signal(signal.SIGTERM)
    assert d.proc.wait(timeout=15) == 0, d.text()[-2000:]


def test_answers_server_pings(env):
    peer = env.peer()
    env.daemon()
    c = peer.wait_connection()
    for _ in range(3):
        peer.ping(c)
    assert not c.closed.is_set()
    assert peer.ok(c, "stat", {"path": "hello.txt"})["size"] == 12


def test_confirm_asks_on_the_terminal(env, bridge_bin):
    import pty
    master, slave = pty.openpty()
    try:
        peer = env.peer()
        log = env.tmp / "confirm.log"
        out = open(log, "wb")
        proc = subprocess.Popen([str(bridge_bin), "--server", f"ws://127.0.0.1:{env.port}/bridge", "--root",
                                 str(env.root), "--confirm"], stdin=slave, stdout=out, stderr=subprocess.STDOUT,
                                env=dict(os.environ, CCPROXY_BRIDGE_TOKEN=TOKEN), preexec_fn=harness.die_with_parent)
        try:
            c = peer.wait_connection()
            assert peer.ok(c, "stat", {"path": "hello.txt"})["size"] == 12      # reads are not asked about
            os.write(master, b"n\n")
            frame = peer.call(c, "write", {"path": "hello.txt", "offset": 0, "data": b64(b"HELLO")})
            assert frame["error"] == {"code": "permission_denied", "message": "denied by user"}
            assert (env.root / "hello.txt").read_text() == "hello world\n"
            os.write(master, b"yes\n")
            assert peer.ok(c, "write", {"path": "hello.txt", "offset": 0, "data": b64(b"HELLO")})["written"] == 5
            assert (env.root / "hello.txt").read_text() == "HELLO world\n"
            text = log.read_text()
            assert text.count('[ccproxy-bridge] write "hello.txt"? [y/N]') == 2, text
            # A denied name is absent before anyone is asked about it.
            assert peer.error(c, "remove", {"path": ".env"}) == "not_found"
            assert log.read_text().count("[y/N]") == 2
        finally:
            proc.kill()
            proc.wait(timeout=10)
            out.close()
    finally:
        os.close(master)
        os.close(slave)
