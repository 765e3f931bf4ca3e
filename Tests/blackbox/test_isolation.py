"""claude cannot reach the server or other tenants (DESIGN.md invariant 10).

A chat token's Bash tool (the stand-in makes the real claude run it and echoes its output as
"tool said: ...") tries to read the token database, list the state directory, read the
supervisor's environment, connect to the admin socket and read another owner's claude home;
every attempt must come back refused or empty. Markers the tests look for are computed by the
shell ($((...)), joined variables), so they can only appear in an answer if the command ran:
the command's own text never contains them.
"""
import json
import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from harness import (SERVICE_USER, chat_text, cmdline, all_pids, environ_of, reachable_dir, running_as_root,
                     service_ids, tail, uid_of, wait_until)

NO_USERNS = Path(__file__).resolve().parent / "no_userns.py"


@pytest.fixture(scope="module")
def isolated(tmp_path_factory, standin, bins, claude):
    """One server for the probing tests, with two chat tokens (two owners)."""
    import harness
    p = harness.Proxy(tmp_path_factory.mktemp("isolated"), standin, bins=bins, claude=claude)
    try:
        p.start()
        p.require_bearer()
        p.tenant_a = p.create_token(f"tenant-a-{uuid.uuid4().hex[:6]}")
        p.tenant_b = p.create_token(f"tenant-b-{uuid.uuid4().hex[:6]}")
        yield p
    finally:
        p.stop()


def bash(proxy, command: str, bearer: str) -> str:
    """The output of `command` run by claude's Bash tool in a turn of `bearer`."""
    return chat_text(proxy.chat(f"STANDIN:bash {command}", bearer=bearer, timeout=120))


def test_tool_cannot_read_the_token_database(isolated):
    db = isolated.state / "tokens.db"
    assert db.exists(), f"no {db} on the host: nothing to hide"
    out = bash(isolated, f"head -c 64 {db} >/dev/null 2>&1 && echo DB-WAS-READ || echo db-refused-$((40+2))",
               isolated.tenant_a)
    assert "db-refused-42" in out and "DB-WAS-READ" not in out, f"the Bash tool read {db}: {out!r}"


def test_tool_sees_nothing_of_the_state_directory(isolated):
    on_host = set(os.listdir(isolated.state))
    assert {"tokens.db", "config.yaml", "ccproxy.sock"} <= on_host, on_host
    out = bash(isolated, f"ls -A {isolated.state} | tr '\\n' ' '; echo listed-$((3+4))", isolated.tenant_a)
    assert "listed-7" in out, f"the listing did not run: {out!r}"
    listed = set(out.split("tool said:", 1)[-1].split()) - {"listed-7"}
    # Only the mount points of the turn's own directories (its workspace, its owner's home).
    assert listed <= {"turns", "homes"}, f"the state directory shows {listed} to a turn (host has {on_host})"


def test_tool_cannot_see_the_servers_processes_or_environment(isolated):
    targets = [isolated.pid] + isolated.workers()
    probe = " ".join(
        f"if tr '\\0' '\\n' < /proc/{pid}/environ 2>/dev/null | grep -q CCPROXY; then echo LEAK-{pid}; fi;"
        for pid in targets)
    out = bash(isolated, f"{probe} ls /proc | grep -E '^[0-9]+$' | tr '\\n' ' '; echo procs-$((5*5))",
               isolated.tenant_a)
    assert "procs-25" in out, f"the probe did not run: {out!r}"
    assert "LEAK-" not in out, f"a turn read the environment of the server's processes: {out!r}"
    seen = {int(w) for w in out.split("tool said:", 1)[-1].split() if w.isdigit()}
    assert not seen & set(targets), f"the turn's /proc shows server processes {seen & set(targets)}: {out!r}"


def test_tool_cannot_connect_to_the_admin_socket(isolated):
    path = str(isolated.state / "ccproxy.sock")
    # The socket is there and answers from outside the sandbox.
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.connect(path)
    # connect_ex gives the errno (0: connected); chr(97) keeps the marker out of the command.
    probe = ("import socket,sys; s=socket.socket(socket.AF_UNIX); "
             "print(chr(97)+'dmin-result', 1000+s.connect_ex(sys.argv[1]))")
    out = bash(isolated, f'python3 -c "{probe}" {path}', isolated.tenant_a)
    assert "admin-result 1" in out, f"the probe did not run: {out!r}"
    assert "admin-result 1000" not in out, f"the admin socket accepted a connection from a turn: {out!r}"


def test_tool_cannot_read_another_owners_claude_home(isolated):
    homes = isolated.state / "homes"
    before = set(os.listdir(homes)) if homes.exists() else set()
    assert chat_text(isolated.chat("STANDIN:reply b was here", bearer=isolated.tenant_b)) == "b was here"
    b_homes = set(os.listdir(homes)) - before
    assert len(b_homes) == 1, f"tenant b's turn created no claude home of its own: {before} → {os.listdir(homes)}"
    b_home = homes / b_homes.pop()
    # What a transcript of b's would look like; a turn of a must not see a byte of it.
    secret = f"b-secret-{uuid.uuid4().hex}"
    (b_home / "projects").mkdir(exist_ok=True)
    (b_home / "projects" / "transcript.jsonl").write_text(secret + "\n")
    out = bash(isolated, f"cat {b_home}/projects/transcript.jsonl 2>/dev/null; grep -rs b-secret {homes} /tmp;"
               f" echo home-probe-$((6+6))", isolated.tenant_a)
    assert "home-probe-12" in out, f"the probe did not run: {out!r}"
    assert secret not in out, f"tenant a read tenant b's claude home: {out!r}"
    out = bash(isolated, f"ls -A {homes} | tr '\\n' ' '; echo listed-$((6+7))", isolated.tenant_a)
    assert "listed-13" in out, f"the listing did not run: {out!r}"
    listed = set(out.split("tool said:", 1)[-1].split()) - {"listed-13"}
    assert b_home.name not in listed and len(listed) == 1, (
        f"a turn of tenant a sees these claude homes: {listed} (tenant b's is {b_home.name})")


def test_claude_environment_is_an_allow_list(isolated):
    out = bash(isolated, "env | cut -d= -f1 | sort | tr '\\n' ' '; echo env-$((8+8))", isolated.tenant_a)
    assert "env-16" in out, out
    names = set(out.split("tool said:", 1)[-1].split())
    assert not [n for n in names if n.startswith("CCPROXY_")], f"claude got the server's CCPROXY_*: {names}"
    assert not names & {"LISTEN_FDS", "LISTEN_PID", "NOTIFY_SOCKET", "INVOCATION_ID", "IS_SANDBOX"}, names
    # What it needs did pass: the API endpoint and key, and the per-turn home.
    assert {"ANTHROPIC_BASE_URL", "ANTHROPIC_API_KEY", "HOME", "CLAUDE_CONFIG_DIR", "TMPDIR", "PATH"} <= names, names
    assert "CCPROXY_STATE" in (environ_of(isolated.pid) or {}), "the supervisor itself has CCPROXY_STATE (control)"


def test_claude_process_environment_seen_from_the_host(isolated):
    s = isolated.stream("STANDIN:sleep 3", bearer=isolated.tenant_a, timeout=60)
    try:
        s.read_until_content()
        pids = wait_until(lambda: (bool(c := isolated.claude_pids()), c), 10, "a running claude")
        for pid in pids:
            env = environ_of(pid)
            if env is None:
                continue
            assert not [k for k in env if k.startswith("CCPROXY_")], f"claude {pid} has {sorted(env)}"
            assert env.get("HOME", "").startswith(str(isolated.state / "homes")), env.get("HOME")
    finally:
        s.read_all()


def test_setsid_tool_process_dies_with_the_turn(isolated):
    half_a, half_b = f"ghost{uuid.uuid4().hex[:8]}", uuid.uuid4().hex[:8]
    marker = half_a + half_b
    command = (f"M={half_a}; M=${{M}}{half_b}; setsid sh -c \"sleep 300; echo $M\" >/dev/null 2>&1 < /dev/null & "
               f"sleep 0.5; pgrep -f \"sleep 300; echo $M\" >/dev/null && echo ghost-alive-$((9+9))")
    out = bash(isolated, command, isolated.tenant_a)
    assert "ghost-alive-18" in out, f"the setsid process was not even started: {out!r}"

    def gone():
        left = [p for p in all_pids() if marker in " ".join(cmdline(p))]
        return not left, left
    wait_until(gone, 15, f"the setsid'd process with {marker} in its argv to be gone after the turn")


@pytest.mark.skipif(not running_as_root(), reason="privilege drop happens only when started as root")
def test_root_start_runs_everything_as_the_service_user(isolated):
    uid = service_ids()[0]
    assert uid_of(isolated.pid) == uid, f"the supervisor still runs as uid {uid_of(isolated.pid)}"
    s = isolated.stream("STANDIN:sleep 3", bearer=isolated.tenant_a, timeout=60)
    try:
        s.read_until_content()
        claudes = wait_until(lambda: (bool(c := isolated.claude_pids()), c), 10, "a running claude")
        for pid in isolated.workers() + claudes:
            assert uid_of(pid) == uid, f"process {pid} ({cmdline(pid)[:2]}) runs as uid {uid_of(pid)}, not {SERVICE_USER}"
    finally:
        s.read_all()
    assert os.stat(isolated.state).st_uid == uid, "the state directory was not given to the service user"
    assert os.stat(isolated.state / "tokens.db").st_uid == uid, "tokens.db is not the service user's"


@pytest.mark.skipif(not running_as_root(), reason="needs root to create the user namespace that forbids nesting")
def test_server_refuses_to_start_when_the_kernel_refuses_the_sandbox(make_proxy):
    p = make_proxy(start=False)
    cp = subprocess.run([sys.executable, str(NO_USERNS), str(p.bins / "ccproxy"), "serve", "--config", str(p.config)],
                        env=dict(p.env, CCPROXY_LISTEN="127.0.0.1:0"), cwd=str(p.workdir), capture_output=True,
                        text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert cp.returncode == 2, f"status {cp.returncode}; stderr:\n{cp.stderr[-3000:]}"
    assert "turn sandbox does not work" in cp.stderr and "isolation: none" in cp.stderr, cp.stderr[-3000:]


@pytest.mark.skipif(not running_as_root(), reason="needs root to create the user namespace that forbids nesting")
def test_isolation_none_starts_where_the_sandbox_cannot(make_proxy):
    p = make_proxy(start=False, config={"isolation": "none"})
    p.start(prefix=[sys.executable, str(NO_USERNS)])
    assert "isolation: none" in tail(p.stderr_path), tail(p.stderr_path)
    assert chat_text(p.chat("STANDIN:reply unconfined")) == "unconfined"


def test_isolation_none_still_filters_the_environment(make_proxy):
    p = make_proxy(config={"isolation": "none"})
    out = chat_text(p.chat("STANDIN:bash env | cut -d= -f1 | sort | tr '\\n' ' '; echo env-$((8+8))"))
    assert "env-16" in out, out
    assert "CCPROXY_" not in out, f"claude got CCPROXY_* with isolation: none: {out!r}"


def test_only_the_workspace_tmp_and_home_are_writable(isolated):
    outside = reachable_dir("ccp-ro-")
    os.chmod(outside, 0o777)  # writable by anyone on the host: only the sandbox may stop a write
    host_tmp_file = reachable_dir("ccp-hosttmp-") / "visible.txt"
    host_tmp_file.write_text("host tmp\n")
    out = bash(isolated,
               f"touch {outside}/x 2>/dev/null && echo OUTSIDE-WRITTEN; "
               f"touch /etc/ccp-x 2>/dev/null && echo ETC-WRITTEN; "
               f"cat {host_tmp_file} 2>/dev/null; "
               f"echo w > here.txt && echo ws-$((1+2)); echo t > /tmp/t.txt && echo tmp-$((2+2)); "
               f"echo h > \"$HOME/h.txt\" && echo home-$((3+3))", isolated.tenant_a)
    assert {"ws-3", "tmp-4", "home-6"} <= set(out.split()), f"the turn could not write its own places: {out!r}"
    assert "OUTSIDE-WRITTEN" not in out and not (outside / "x").exists(), f"a turn wrote outside its workspace: {out!r}"
    assert "ETC-WRITTEN" not in out, out
    assert "host tmp" not in out, f"the turn sees the host's /tmp: {out!r}"


def test_a_workspace_the_server_cannot_use_is_a_clear_500(tmp_path, standin, bins, claude):
    """A configured workspace the server's user may not enter is refused with a message that
    says so (not "spawn bwrap: Permission denied"), without telling the client its path."""
    import harness
    from harness import openai_error
    if not harness.running_as_root():
        pytest.skip("needs root: the workspace must belong to someone the server is not")
    locked = harness.reachable_dir("ccp-locked-ws-")
    os.chmod(locked, 0o700)  # root's, and the server runs as the service user
    p = harness.Proxy(tmp_path, standin, bins=bins, claude=claude,
                      config={"workspaces": {"locked": {"path": str(locked)}}})
    try:
        p.start()
        bearer = p.create_token(f"locked-{uuid.uuid4().hex[:6]}", scopes="chat,workspace:*")
        r = p.post_chat({"model": "sonnet", "messages": [{"role": "user", "content": "hi"}]},
                        headers={"X-CC-Workspace": "locked"}, bearer=bearer)
        err = openai_error(r, 500)
        assert "not accessible to the server" in err["message"], err
        assert str(locked) not in json.dumps(err), "the client learned a server path"
        assert str(locked) in p.stderr_path.read_text(errors="replace"), "the log does not name the directory"
    finally:
        p.stop()
