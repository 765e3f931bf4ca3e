"""`GET /bridge` on the real server with the real `ccproxy-bridge`: the websocket is
authorized (`bridge:connect`, a principal), the daemon's hello is answered, the bridge is
registered with the supervisor (one per principal) and held by a bridge worker that leaves
the pool, `ccproxyctl bridges` and the gauge show it, a second daemon of the same principal
is refused until the first one is gone, a restart is survived by reconnecting, and a stop
closes the websocket and leaves no process and no mount. A chat of the principal runs claude
in the daemon's directory through the FUSE mount, which the FUSE manager (root, the
supervisor's child, keeping a serving manager that it restarts when it crashes) serves in a
child of its own."""
from __future__ import annotations

import base64
import json
import os
import re
import signal
import socket
import subprocess
from pathlib import Path

import pytest

import harness
from harness import http_request, wait_until


@pytest.fixture(scope="module")
def bridge_bin() -> Path:
    p = harness.bin_dir() / "ccproxy-bridge"
    if not os.access(p, os.X_OK):
        pytest.fail(f"{p} not built (swift build --product ccproxy-bridge)", pytrace=False)
    return p


class Daemon:
    def __init__(self, binary: Path, url: str, root: Path, log: Path, token: str, flags: tuple = ()):
        self.log = log
        self.out = open(log, "wb")
        env = dict(os.environ, CCPROXY_BRIDGE_TOKEN=token)
        self.proc = subprocess.Popen([str(binary), "--server", url, "--root", str(root), "-v", *flags],
                                     stdin=subprocess.DEVNULL, stdout=self.out, stderr=subprocess.STDOUT,
                                     env=env, preexec_fn=harness.die_with_parent)

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_log(self, needle: str, timeout: float, count: int = 1) -> str:
        return wait_until(lambda: (self.text().count(needle) >= count, self.text()[-2000:]), timeout,
                          f"{needle!r} {count}x in the daemon's log")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self.out.close()


@pytest.fixture
def bridge(tmp_path, bridge_bin, make_proxy):
    """A fresh server with a bridge token for principal alice, a root, and a way to start daemons."""
    root = tmp_path / "root"
    root.mkdir()
    (root / "hello.txt").write_text("hello\n")
    metrics_port = harness.free_port()
    proxy = make_proxy(min_idle=2, max_workers=8, config={"metrics_listen": f"127.0.0.1:{metrics_port}"})
    daemons: list[Daemon] = []

    class Env:
        pass

    e = Env()
    e.proxy, e.root, e.tmp, e.metrics_port = proxy, root, tmp_path, metrics_port
    e.token = proxy.create_token("alice-laptop", "--principal", "alice", scopes="bridge:connect")

    def daemon(token: str | None = None, *flags: str, url: str | None = None) -> Daemon:
        d = Daemon(bridge_bin, url or f"ws://127.0.0.1:{proxy.port}/bridge", root,
                   tmp_path / f"daemon{len(daemons)}.log", token or e.token, flags)
        daemons.append(d)
        return d

    e.daemon = daemon
    yield e
    for d in daemons:
        d.stop()


def bridges(proxy) -> list[dict]:
    cp = proxy.ctl("bridges", "--json")
    try:
        return json.loads(cp.stdout)
    except ValueError as err:
        raise AssertionError(f"ccproxyctl bridges --json printed no JSON ({err}): {cp.stdout!r}")


def wait_bridge(proxy, timeout: float, pid_other_than: int | None = None) -> dict:
    def listed():
        found = bridges(proxy)
        ok = len(found) == 1 and found[0]["pid"] != pid_other_than
        return ok, found
    return wait_until(listed, timeout, "one bridge in ccproxyctl bridges") and bridges(proxy)[0]


def idle_workers(proxy) -> int:
    return len([w for w in proxy.status()["workers"] if w["state"] == "idle"])


def gauge(port: int) -> float:
    text = http_request(f"http://127.0.0.1:{port}", "GET", "/metrics", timeout=10).body.decode()
    for line in text.splitlines():
        if line.startswith("ccproxy_bridge_connections "):
            return float(line.split()[1])
    raise AssertionError(f"no ccproxy_bridge_connections in the exposition:\n{text[:3000]}")


def test_a_bridge_is_registered_held_by_a_bridge_worker_and_listed(bridge):
    proxy = bridge.proxy
    d = bridge.daemon()
    d.wait_log("connected", 15)
    entry = wait_bridge(proxy, 15)
    assert entry["principal"] == "alice", entry
    assert entry["root"] == str(bridge.root.resolve()), entry
    assert entry["allow_write"] is True and entry["allow_exec"] is False, entry
    assert entry["daemon_version"].startswith("ccproxy-bridge/"), entry
    assert entry["mount_point"] == str(proxy.state / "bridges" / ("p-" + b"alice".hex())), entry
    # The bridge worker is the supervisor's child, out of the pool, which refilled behind it.
    pid = entry["pid"]
    assert harness.alive(pid) and harness.ppid_of(pid) == proxy.pid, proxy.tree()
    wait_until(lambda: (len(proxy.workers()) >= 3, proxy.tree()), 10, "the pool to refill next to the bridge worker")
    wait_until(lambda: (idle_workers(proxy) >= 2, proxy.status()), 10, "two idle pool workers")
    assert gauge(bridge.metrics_port) == 1
    assert "PRINCIPAL" in proxy.ctl("bridges").stdout and "alice" in proxy.ctl("bridges").stdout
    # Chat still works next to it.
    r = proxy.request("POST", "/v1/chat/completions", {"messages": [{"role": "user", "content": "hi"}]})
    assert r.status == 200, r
    # The daemon going away ends the bridge worker and the listing.
    d.stop()
    wait_until(lambda: (not bridges(proxy), bridges(proxy)), 10, "the bridge to be gone")
    wait_until(lambda: (not harness.alive(pid), harness.describe(pid)), 10, "the bridge worker to exit")
    assert gauge(bridge.metrics_port) == 0
    log = harness.tail(proxy.stderr_path, 1 << 20)
    assert "bridge connected" in log and "bridge disconnected" in log, log[-3000:]


def test_one_bridge_per_principal_and_the_second_takes_over(bridge):
    proxy = bridge.proxy
    first = bridge.daemon()
    holder = wait_bridge(proxy, 15)
    second = bridge.daemon()
    second.wait_log("principal already has an active bridge", 15, count=2)
    # Refused after its hello, the daemon backs off (it does not retry at the fast pace of a
    # daemon whose working connection ended).
    delays = [float(x) for x in re.findall(r"in_seconds[=:]\s*\"?([0-9.]+)", second.text())]
    assert len(delays) >= 2 and delays[1] > delays[0], second.text()[-3000:]
    assert [b["pid"] for b in bridges(proxy)] == [holder["pid"]]
    # A refused daemon leaves the worker that served it in the pool.
    assert harness.alive(holder["pid"])
    first.stop()
    taken = wait_bridge(proxy, 30, pid_other_than=holder["pid"])
    assert taken["principal"] == "alice"
    assert second.proc.poll() is None


def test_refusals_before_the_upgrade(bridge):
    proxy = bridge.proxy
    key = base64.b64encode(os.urandom(16)).decode()
    ws = {"Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": key}

    def get(bearer, headers=None, method="GET"):
        h = dict(headers if headers is not None else ws)
        if bearer:
            h["Authorization"] = f"Bearer {bearer}"
        return http_request(proxy.url, method, "/bridge", headers=h, timeout=10)

    r = get(None)
    assert r.status == 401, r
    chat = proxy.create_token("chat-only", "--principal", "alice", scopes="chat")
    r = get(chat)
    assert r.status == 403 and r.json()["error"]["type"] == "permission_error", r
    anonymous = proxy.create_token("no-principal", scopes="bridge:connect")
    r = get(anonymous)
    assert r.status == 403 and r.json()["error"]["code"] == "principal_required", r
    r = get(bridge.token, headers={})
    assert r.status == 426 and r.header("Upgrade") == "websocket", r
    r = get(bridge.token, headers=dict(ws, **{"Sec-WebSocket-Key": "short"}))
    assert r.status == 400 and "Sec-WebSocket-Key" in r.json()["error"]["message"], r
    r = get(bridge.token, headers=dict(ws, **{"Sec-WebSocket-Version": "8"}))
    assert r.status == 400, r
    r = get(bridge.token, method="POST")
    assert r.status == 405 and r.header("Allow") == "GET", r
    assert bridges(proxy) == []


def test_a_client_that_never_says_hello_is_closed(bridge):
    """Upgraded but silent: the server's hello goes unanswered and the socket is closed with
    the reason, and the worker goes back to the pool."""
    proxy = bridge.proxy
    key = base64.b64encode(os.urandom(16)).decode()
    s = socket.create_connection(("127.0.0.1", proxy.port), timeout=10)
    s.sendall((f"GET /bridge HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {bridge.token}\r\n"
               f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
               f"Sec-WebSocket-Key: {key}\r\n\r\n").encode())
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(4096)
        assert chunk, f"closed before the 101: {data!r}"
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 101"), head
    # The accept key is RFC 6455's.
    import hashlib
    accept = base64.b64encode(hashlib.sha1((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest())
    assert f"Sec-WebSocket-Accept: {accept.decode()}".lower() in head.decode().lower(), head
    s.settimeout(10)
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        rest += chunk
    # Two server frames, unmasked: the hello request, then a close with the reason.
    assert b'"method":"hello"' in rest, rest
    assert b"hello: no answer within 3 s" in rest, rest
    s.close()
    assert bridges(proxy) == []
    wait_until(lambda: (idle_workers(proxy) >= 2, proxy.status()), 10, "the pool back to two idle")


def test_the_daemon_reconnects_after_a_restart_and_a_stop_leaves_nothing(bridge):
    proxy = bridge.proxy
    d = bridge.daemon()
    before = wait_bridge(proxy, 15)
    port = proxy.port
    proxy.remember()
    proxy.proc.send_signal(signal.SIGTERM)
    assert proxy.proc.wait(timeout=20) == 0, harness.tail(proxy.stderr_path)
    d.wait_log("server shutting down", 10)
    assert not harness.alive(before["pid"])
    assert proxy.leftovers() == [], [harness.describe(p) for p in proxy.leftovers()]
    proxy.start(port=port)
    after = wait_bridge(proxy, 30)
    assert after["principal"] == "alice" and after["pid"] != before["pid"]
    assert d.proc.poll() is None


def mounted(path: str) -> bool:
    with open("/proc/self/mountinfo") as f:
        return any(line.split()[4] == path for line in f)


def capabilities(pid: int) -> dict[str, int]:
    with open(f"/proc/{pid}/status") as f:
        return {k: int(v, 16) for k, v in (line.split(":\t") for line in f.read().splitlines() if ":\t" in line)
                if k in ("CapEff", "CapPrm", "CapBnd", "CapInh")}


def fuse_manager(proxy) -> int:
    """The keeper: `ccproxy-fuse manager`, the supervisor's child."""
    found = [p for p in harness.children(proxy.pid) if harness.exe_name(p) == "ccproxy-fuse"]
    assert len(found) == 1, f"one ccproxy-fuse under the supervisor:\n{proxy.tree()}"
    return found[0]


def serving_manager(proxy) -> int | None:
    """`ccproxy-fuse manager --serve`, the keeper's child, which reads the supervisor's requests."""
    found = [p for p in harness.children(fuse_manager(proxy))
             if harness.exe_name(p) == "ccproxy-fuse" and "--serve" in harness.cmdline(p)]
    return found[0] if len(found) == 1 else None


def fuse_mounts(proxy) -> list[int]:
    """The per-bridge `ccproxy-fuse mount` processes (children of the serving manager)."""
    serving = serving_manager(proxy)
    return [p for p in harness.children(serving) if harness.exe_name(p) == "ccproxy-fuse"] if serving else []


def test_a_chat_runs_in_the_laptop_directory_through_the_mount(bridge):
    proxy = bridge.proxy
    (bridge.root / ".env").write_text("SECRET=do-not-show\n")
    chat = proxy.create_token("alice-chat", "--principal", "alice", scopes="chat")
    d = bridge.daemon()
    entry = wait_until(lambda: ((b := bridges(proxy)) and b[0]["mount_point"] is not None, b), 15,
                       "the bridge listed with its mount point") and bridges(proxy)[0]
    mount = entry["mount_point"]
    assert mount == str(proxy.state / "bridges" / ("p-" + b"alice".hex())), entry
    # The FUSE manager is the supervisor's child, root (it mounts), and serves the mount in a
    # child of its own; the mount is there before any chat.
    manager = fuse_manager(proxy)
    assert harness.uid_of(manager) == 0, harness.describe(manager)
    # Root for mounting only: CAP_SYS_ADMIN and CAP_DAC_READ_SEARCH, in its own sets and its
    # bounding set (so its mount children have no more).
    wanted = (1 << 21) | (1 << 2)
    assert capabilities(manager) == {"CapEff": wanted, "CapPrm": wanted, "CapBnd": wanted, "CapInh": 0}
    serving = serving_manager(proxy)
    assert serving and capabilities(serving) == capabilities(manager), proxy.tree()
    assert harness.uid_of(entry["pid"]) != 0, "the bridge worker runs as the service user"
    wait_until(lambda: (len(fuse_mounts(proxy)) == 1, proxy.tree()), 10, "one mount process")
    assert capabilities(fuse_mounts(proxy)[0])["CapEff"] & ~wanted == 0
    wait_until(lambda: (mounted(mount), open("/proc/self/mountinfo").read()[-2000:]), 10, f"a mount at {mount}")

    r = proxy.chat("STANDIN:bash echo from-claude > created.txt && echo edited >> hello.txt && ls -a && pwd",
                   bearer=chat)
    text = harness.chat_text(r)
    assert (bridge.root / "created.txt").read_text() == "from-claude\n", text
    assert (bridge.root / "hello.txt").read_text() == "hello\nedited\n", text
    assert "created.txt" in text and mount in text, text
    assert ".env" not in text, "a denied name is not listed: " + text

    # An edit on the laptop side is seen by the next turn.
    (bridge.root / "laptop.txt").write_text("written on the laptop\n")
    text = harness.chat_text(proxy.chat("STANDIN:bash cat laptop.txt; cat .env || echo no-env", bearer=chat))
    assert "written on the laptop" in text and "do-not-show" not in text and "no-env" in text, text

    # The calls are counted, by method and result, and per bridge.
    exposition = http_request(f"http://127.0.0.1:{bridge.metrics_port}", "GET", "/metrics", timeout=10).body.decode()
    calls = {line.split(" ")[0]: float(line.split(" ")[1]) for line in exposition.splitlines()
             if line.startswith("ccproxy_bridge_rpc_total{")}
    assert any('result="ok"' in k and v > 0 for k, v in calls.items()), exposition[-3000:]
    assert any('result="not_found"' in k for k in calls), calls
    assert "ccproxy_bridge_rpc_seconds_bucket{" in exposition
    assert bridges(proxy)[0]["rpcs"] >= sum(calls.values()) > 0, (bridges(proxy), calls)

    # Another principal without a bridge: 412 when it asks for one, an ephemeral directory otherwise.
    bob = proxy.create_token("bob-chat", "--principal", "bob", scopes="chat")
    r = proxy.post_chat({"model": "sonnet", "messages": [{"role": "user", "content": "hi"}]},
                        headers={"X-CC-Require-Bridge": "true"}, bearer=bob)
    assert r.status == 412, r
    assert r.json()["error"]["type"] == "bridge_unavailable" and r.json()["error"]["code"] == "bridge_unavailable", r
    r = proxy.post_chat({"model": "sonnet", "messages": [{"role": "user", "content": "STANDIN:bash pwd"}]},
                        headers={"X-CC-Require-Bridge": "true"}, bearer=chat)
    assert mount in harness.chat_text(r)

    # The daemon gone: the mount and its helper go too.
    d.stop()
    wait_until(lambda: (not fuse_mounts(proxy), proxy.tree()), 15, "the mount process to exit")
    assert not mounted(mount)
    r = proxy.post_chat({"model": "sonnet", "messages": [{"role": "user", "content": "hi"}]},
                        headers={"X-CC-Require-Bridge": "true"}, bearer=chat)
    assert r.status == 412, r


def test_sigterm_with_a_bridge_leaves_no_process_and_no_mount(bridge):
    proxy = bridge.proxy
    d = bridge.daemon()
    entry = wait_until(lambda: ((b := bridges(proxy)) and b[0]["mount_point"] is not None, b), 15,
                       "the bridge with its mount") and bridges(proxy)[0]
    wait_until(lambda: (mounted(entry["mount_point"]), "not mounted"), 10, "the mount")
    helpers = [fuse_manager(proxy), serving_manager(proxy)] + fuse_mounts(proxy)
    assert None not in helpers and len(helpers) == 3, proxy.tree()
    proxy.remember()
    proxy.proc.send_signal(signal.SIGTERM)
    assert proxy.proc.wait(timeout=20) == 0, harness.tail(proxy.stderr_path)
    assert not mounted(entry["mount_point"])
    assert not any(harness.alive(p) for p in helpers + [entry["pid"]])
    assert proxy.leftovers() == [], [harness.describe(p) for p in proxy.leftovers()]
    d.wait_log("server shutting down", 10)


def _connected_with_mount(bridge) -> dict:
    entry = wait_until(lambda: ((b := bridges(bridge.proxy)) and b[0]["mount_point"] is not None, b), 15,
                       "the bridge with its mount") and bridges(bridge.proxy)[0]
    wait_until(lambda: (mounted(entry["mount_point"]), "not mounted"), 10, "the mount")
    return entry


@pytest.mark.parametrize("streamed", [False, True], ids=["json", "stream"])
def test_the_daemon_killed_mid_turn_ends_the_turn_with_an_error(bridge, streamed):
    proxy = bridge.proxy
    chat = proxy.create_token("alice-chat", "--principal", "alice", scopes="chat")
    d = bridge.daemon()
    entry = _connected_with_mount(bridge)
    prompt = "STANDIN:bash echo started > started.txt; sleep 60; echo finished"
    results: dict = {}

    def run():
        if streamed:
            results["stream"] = proxy.stream(prompt, bearer=chat, timeout=60).read_all()
        else:
            results["response"] = proxy.chat(prompt, bearer=chat, timeout=60)

    import threading
    t = threading.Thread(target=run, daemon=True)
    t.start()
    wait_until(lambda: ((bridge.root / "started.txt").exists(), proxy.tree()), 30, "the turn's command to run on the laptop")
    d.proc.kill()
    t.join(timeout=30)
    assert not t.is_alive(), "the turn did not end after its bridge went away"
    if streamed:
        r = results["stream"]
        assert r.done and r.errors, r.summary()
        assert "bridge went away" in json.dumps(r.errors), r.summary()
    else:
        r = results["response"]
        assert r.status == 502, r
        assert "bridge went away" in r.json()["error"]["message"], r
    wait_until(lambda: (not proxy.claude_pids(), proxy.tree()), 10, "no claude left")
    assert not mounted(entry["mount_point"])
    assert not (bridge.root / "finished").exists()


def test_after_a_restart_the_daemon_reconnects_and_the_next_chat_lands_on_the_laptop(bridge):
    proxy = bridge.proxy
    chat = proxy.create_token("alice-chat", "--principal", "alice", scopes="chat")
    bridge.daemon()
    _connected_with_mount(bridge)
    port = proxy.port
    proxy.proc.send_signal(signal.SIGTERM)
    assert proxy.proc.wait(timeout=20) == 0, harness.tail(proxy.stderr_path)
    proxy.start(port=port)
    _connected_with_mount(bridge)
    text = harness.chat_text(proxy.chat("STANDIN:bash echo after-restart > again.txt && pwd", bearer=chat))
    assert (bridge.root / "again.txt").read_text() == "after-restart\n", text


def test_a_crashed_fuse_manager_is_restarted_and_the_bridge_comes_back(bridge):
    # The keeper restarts the serving manager; the crashed one's mount goes with it, its
    # bridge worker closes the websocket, and the daemon reconnects to a fresh mount.
    proxy = bridge.proxy
    chat = proxy.create_token("alice-chat", "--principal", "alice", scopes="chat")
    d = bridge.daemon()
    first = _connected_with_mount(bridge)
    keeper, crashed = fuse_manager(proxy), serving_manager(proxy)
    old_mounts = fuse_mounts(proxy)
    assert crashed and old_mounts, proxy.tree()
    os.kill(crashed, signal.SIGKILL)
    wait_until(lambda: ((s := serving_manager(proxy)) is not None and s != crashed, proxy.tree()), 15,
               "a new serving manager under the same keeper")
    assert fuse_manager(proxy) == keeper
    wait_until(lambda: (not any(harness.alive(p) for p in old_mounts), proxy.tree()), 15, "the old mount process gone")
    d.wait_log("connected", 30, count=2)
    again = _connected_with_mount(bridge)
    assert again["pid"] != first["pid"], (first, again)
    text = harness.chat_text(proxy.chat("STANDIN:bash echo after-crash > crash.txt && pwd", bearer=chat))
    assert (bridge.root / "crash.txt").read_text() == "after-crash\n", text
    assert "restarting it" in harness.tail(proxy.stderr_path, 1 << 20), harness.tail(proxy.stderr_path)


def test_the_exec_tool_runs_commands_on_the_laptop_only_with_allow_exec(bridge):
    proxy = bridge.proxy
    chat = proxy.create_token("alice-chat", "--principal", "alice", scopes="chat")
    prompt = 'STANDIN:tool mcp__bridge__exec {"command": "echo $((6*7)) > exec.txt; cat exec.txt; pwd"}'
    # Without --allow-exec there is no such tool: claude cannot call it, nothing runs.
    d = bridge.daemon()
    _connected_with_mount(bridge)
    text = harness.chat_text(proxy.chat(prompt, bearer=chat))
    assert not (bridge.root / "exec.txt").exists(), text
    assert "42" not in text, text
    d.stop()
    wait_until(lambda: (not bridges(proxy), bridges(proxy)), 10, "the first bridge to go")
    # With it, the command runs on the laptop, in the root, and its output comes back.
    bridge.daemon(None, "--allow-exec")
    entry = _connected_with_mount(bridge)
    assert entry["allow_exec"] is True
    text = harness.chat_text(proxy.chat(prompt, bearer=chat))
    assert (bridge.root / "exec.txt").read_text() == "42\n", text
    assert "exit code 0" in text and "42" in text and str(bridge.root.resolve()) in text, text
    # A failing command is an error result with its exit code.
    text = harness.chat_text(proxy.chat('STANDIN:tool mcp__bridge__exec {"command": "echo oops >&2; exit 3"}', bearer=chat))
    assert "exit code 3" in text and "oops" in text, text


def test_wss_through_a_tls_terminating_proxy(bridge):
    """socat terminates TLS (a test CA's certificate) in front of the server; the daemon dials
    wss:// and trusts the CA given by --ca-file; the chat lands on the laptop."""
    import shutil
    socat = shutil.which("socat")
    if socat is None:
        pytest.fail("socat is not installed (make test-deps installs it)", pytrace=False)
    proxy = bridge.proxy
    ca, cert, key = harness.make_ca(bridge.tmp)
    port = harness.free_port()
    relay = subprocess.Popen(
        [socat, f"OPENSSL-LISTEN:{port},bind=127.0.0.1,reuseaddr,fork,cert={cert},key={key},verify=0",
         f"TCP:127.0.0.1:{proxy.port}"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, preexec_fn=harness.die_with_parent)
    try:
        wait_until(lambda: (relay.poll() is None and _listening(port), "socat not listening"), 10, "socat to listen")
        chat = proxy.create_token("alice-chat", "--principal", "alice", scopes="chat")
        d = bridge.daemon(None, "--ca-file", str(ca), url=f"wss://localhost:{port}/bridge")
        d.wait_log("connected", 20)
        _connected_with_mount(bridge)
        text = harness.chat_text(proxy.chat("STANDIN:bash echo over-tls > tls.txt && cat tls.txt", bearer=chat))
        assert (bridge.root / "tls.txt").read_text() == "over-tls\n", text
    finally:
        relay.kill()
        relay.wait(timeout=10)


def _listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


def test_the_daemons_safety_holds_for_claude_through_the_mount(bridge, tmp_path):
    """Through the whole chain (claude's Bash, the sandbox, the FUSE mount, the bridge
    worker, the daemon): --allow-write=false refuses writes, a symlink that leaves the root
    through an intermediate directory is refused, and the audit log has a line per call."""
    proxy = bridge.proxy
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("outside-the-root\n")
    (bridge.root / "sub").mkdir()
    (bridge.root / "sub" / "escape").symlink_to(outside)
    audit = tmp_path / "audit.jsonl"
    chat = proxy.create_token("alice-chat", "--principal", "alice", scopes="chat")
    bridge.daemon(None, "--allow-write=false", "--audit", str(audit))
    _connected_with_mount(bridge)
    text = harness.chat_text(proxy.chat(
        "STANDIN:bash echo nope > refused.txt; echo write=$?; cat sub/escape/secret.txt; echo read=$?; cat hello.txt",
        bearer=chat))
    assert not (bridge.root / "refused.txt").exists(), text
    assert "write=0" not in text and "outside-the-root" not in text and "read=0" not in text, text
    assert "hello" in text, text
    lines = [json.loads(line) for line in audit.read_text().splitlines()]
    assert lines and all(sorted(line) == ["method", "path", "result", "ts"] for line in lines), lines[:5]
    assert any(line["method"] == "read" and line["path"] == "hello.txt" and line["result"] == "ok" for line in lines), lines
    assert any(line["result"] != "ok" for line in lines), lines


def test_a_session_created_on_the_bridge_stays_on_it(bridge):
    proxy = bridge.proxy
    chat = proxy.create_token("alice-sessions", "--principal", "alice", scopes="chat,session:persistent")
    d = bridge.daemon()
    _connected_with_mount(bridge)

    def turn(prompt):
        return proxy.post_chat({"model": "sonnet", "messages": [{"role": "user", "content": prompt}]},
                               headers={"X-CC-Session": "on-the-laptop"}, bearer=chat)

    text = harness.chat_text(turn("STANDIN:bash echo first > session.txt && pwd"))
    assert (bridge.root / "session.txt").read_text() == "first\n", text
    listed = json.loads(proxy.ctl("sessions", "list", "--json").stdout)
    assert [s["workspace"] for s in listed if s["session"] == "on-the-laptop"] == ["@bridge"], listed
    # The bridge away: the session's turns are refused, never moved elsewhere.
    d.stop()
    wait_until(lambda: (not bridges(proxy), bridges(proxy)), 10, "the bridge to go")
    r = turn("STANDIN:bash echo elsewhere > moved.txt")
    assert r.status == 412 and r.json()["error"]["code"] == "bridge_unavailable", r
    # Back: the session resumes on the laptop.
    bridge.daemon()
    _connected_with_mount(bridge)
    text = harness.chat_text(turn("STANDIN:bash echo second >> session.txt && cat session.txt"))
    assert (bridge.root / "session.txt").read_text() == "first\nsecond\n", text
    assert not (bridge.root / "moved.txt").exists()
