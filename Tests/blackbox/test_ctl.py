"""ccproxyctl over the admin socket: status shows what each busy worker serves; tokens are
managed by the running server (effective on the very next request); `ccproxy token …` goes
through the socket while a server runs and to the database when none does."""
import json
import os
import socket
import uuid

from harness import TOKEN_RE, chat_text, last_bearer, wait_until


def test_status_shows_a_busy_workers_request_and_token(proxy):
    name = f"status-{uuid.uuid4().hex[:6]}"
    bearer = last_bearer(proxy.ctl("token", "create", "--name", name))
    request_id = f"ctl-status-{uuid.uuid4().hex[:8]}"
    slow = proxy.stream("STANDIN:sleep 4", bearer=bearer, timeout=60, headers={"X-Request-Id": request_id})
    try:
        assert slow.result.status == 200, slow.result.summary()
        slow.read_until_content()
        status = proxy.status()
        serving = [w for w in status["workers"] if w["request_id"] == request_id]
        assert len(serving) == 1, f"no worker reports request {request_id}: {status}"
        assert serving[0]["state"] == "busy" and serving[0]["token"] == name, serving[0]
        assert status["busy"] >= 1 and status["served"] >= 1, status
        assert isinstance(status["uptime_seconds"], int) and status["uptime_seconds"] >= 0, status
        for key in ("refused", "queued", "keepalive_idle", "idle", "supervisor_pid"):
            assert isinstance(status[key], int), (key, status)
        idle = [w for w in status["workers"] if w["state"] == "idle"]
        assert all(w["request_id"] is None and w["token"] is None for w in idle), status
        table = proxy.ctl("status").stdout
        row = [line for line in table.splitlines() if request_id in line]
        assert len(row) == 1 and name in row[0] and "busy" in row[0], table
        assert "REQUEST" in table and "TOKEN" in table and "up " in table, table
        result = slow.read_all()
        assert result.done, result.summary()
    finally:
        slow.close()

    def over():
        workers = [w for w in proxy.status()["workers"] if w["request_id"] == request_id]
        return not workers, workers
    wait_until(over, 15, f"request {request_id} to leave the status once finished")


def test_ctl_token_create_works_at_once_and_lists(proxy):
    name = f"ctl-create-{uuid.uuid4().hex[:6]}"
    cp = proxy.ctl("token", "create", "--name", name, "--scopes", "chat,session:persistent", "--rpm", "50",
                   "--max-concurrent", "3", "--principal", "ctl-alice")
    assert "Bearer (will not be shown again):" in cp.stdout, cp.stdout
    bearer = last_bearer(cp)
    r = proxy.request("GET", "/v1/models", bearer=bearer)
    assert r.status == 200, f"a bearer made by ccproxyctl refused: {r!r}"
    assert r.header("x-ratelimit-limit-requests") == "50", r
    listed = json.loads(proxy.ctl("token", "list", "--json").stdout)
    mine = [t for t in listed if t["name"] == name]
    assert len(mine) == 1, listed
    token = mine[0]
    assert token["scopes"] == ["chat", "session:persistent"] and token["rpm"] == 50 and token["max_concurrent"] == 3, token
    assert token["principal"] == "ctl-alice" and token["expires_at"] is None and "bearer" not in token, token
    assert bearer not in json.dumps(listed), "a bearer appears in the token list"
    table = proxy.ctl("token", "list").stdout
    assert name in table and "CONCURRENT" in table, table
    # --json for scripts: the bearer is in the one JSON object.
    made = json.loads(proxy.ctl("token", "create", "--name", name + "-j", "--json").stdout)
    assert TOKEN_RE.match(made["bearer"]) and made["token"]["name"] == name + "-j", made
    assert proxy.request("GET", "/v1/models", bearer=made["bearer"]).status == 200


def test_ctl_rotate_and_revoke_take_effect_on_the_next_request(proxy):
    name = f"ctl-rot-{uuid.uuid4().hex[:6]}"
    old = last_bearer(proxy.ctl("token", "create", "--name", name))
    assert proxy.request("GET", "/v1/models", bearer=old).status == 200
    cp = proxy.ctl("token", "rotate", name)
    assert "New bearer (will not be shown again):" in cp.stdout, cp.stdout
    new = last_bearer(cp)
    assert new != old
    r = proxy.request("GET", "/v1/models", bearer=old)
    assert r.status == 401, f"old bearer accepted after ccproxyctl token rotate: {r!r}"
    r = proxy.request("GET", "/v1/models", bearer=new)
    assert r.status == 200, f"new bearer refused after ccproxyctl token rotate: {r!r}"
    assert chat_text(proxy.chat("STANDIN:reply rotated by ctl", bearer=new)) == "rotated by ctl"
    cp = proxy.ctl("token", "revoke", name)
    assert f"Revoked token {name}" in cp.stdout, cp.stdout
    r = proxy.request("GET", "/v1/models", bearer=new)
    assert r.status == 401, f"bearer accepted after ccproxyctl token revoke: {r!r}"
    assert name not in proxy.ctl("token", "list").stdout
    # An unknown token is the server's error, exit 1 with its message.
    cp = proxy.ctl("token", "revoke", name, check=False)
    assert cp.returncode == 1 and name in cp.stderr, (cp.returncode, cp.stdout, cp.stderr)


def test_ctl_update_takes_every_setting_and_rpm_applies_at_once(proxy):
    name = f"ctl-upd-{uuid.uuid4().hex[:6]}"
    bearer = last_bearer(proxy.ctl("token", "create", "--name", name))
    for _ in range(3):
        assert proxy.request("GET", "/v1/models", bearer=bearer).status == 200
    cp = proxy.ctl("token", "update", name, "--rpm", "1", "--tpd", "100000", "--max-concurrent", "2",
                   "--scopes", "chat,workspace:*", "--default-verbosity", "verbose", "--debug-capture", "on",
                   "--principal", "ctl-bob")
    assert "rpm: 1, tpd: 100000, max concurrent: 2" in cp.stdout, cp.stdout
    assert "verbosity: verbose, debug capture: on" in cp.stdout and "principal: ctl-bob" in cp.stdout, cp.stdout
    r = proxy.request("GET", "/v1/models", bearer=bearer)
    assert r.status == 200, f"first request after --rpm 1: {r!r}"
    r = proxy.request("GET", "/v1/models", bearer=bearer)
    assert r.status == 429, f"second request within a minute after ccproxyctl token update --rpm 1: {r!r}"
    assert int(r.header("Retry-After") or 0) >= 1, r
    token = [t for t in json.loads(proxy.ctl("token", "list", "--json").stdout) if t["name"] == name][0]
    assert token["scopes"] == ["chat", "workspace:*"] and token["debug_capture"] is True, token
    assert token["default_verbosity"] == "verbose" and token["principal"] == "ctl-bob" and token["tpd"] == 100000, token
    cleared = json.loads(proxy.ctl("token", "update", name, "--default-verbosity", "none", "--principal", "none",
                                   "--debug-capture", "off", "--json").stdout)["token"]
    assert cleared["default_verbosity"] is None and cleared["principal"] is None and cleared["debug_capture"] is False, cleared
    cp = proxy.ctl("token", "update", name, check=False)
    assert cp.returncode == 1 and "nothing to update" in cp.stderr, (cp.returncode, cp.stderr)
    cp = proxy.ctl("token", "update", name, "--scopes", "chat,bogus", check=False)
    assert cp.returncode == 1 and "bogus" in cp.stderr, (cp.returncode, cp.stderr)


def _server_log(p) -> str:
    return p.stderr_path.read_text(errors="replace") + p.stdout_path.read_text(errors="replace")


def test_ccproxy_token_goes_through_the_socket_while_a_server_runs(make_proxy):
    p = make_proxy()
    name = f"via-sock-{uuid.uuid4().hex[:6]}"
    before = _server_log(p).count("admin token operation")
    bearer = last_bearer(p.cli("token", "create", "--name", name))
    out = p.cli("token", "list").stdout
    assert name in out, out

    def logged():
        count = _server_log(p).count("admin token operation")
        return count >= before + 2, count
    wait_until(logged, 10, "the server to log the two token operations `ccproxy token` sent it")
    assert "token list" in _server_log(p) and "token create" in _server_log(p)
    # Rotating through the server drops its caches: the old bearer is refused at once.
    new = last_bearer(p.cli("token", "rotate", name))
    assert p.request("GET", "/v1/models", bearer=bearer).status == 401
    assert p.request("GET", "/v1/models", bearer=new).status == 200
    # The server's error is the command's error (no fallback to the database).
    cp = p.cli("token", "revoke", "no-such-token", check=False)
    assert cp.returncode == 1 and "no-such-token" in cp.stderr, (cp.returncode, cp.stdout, cp.stderr)


def test_ccproxy_token_without_a_server_uses_the_database(make_proxy):
    p = make_proxy(start=False)
    sock = p.state / "ccproxy.sock"
    assert not sock.exists()
    name = f"offline-{uuid.uuid4().hex[:6]}"
    bearer = last_bearer(p.cli("token", "create", "--name", name))
    assert name in p.cli("token", "list").stdout
    # A stale socket file (a server that died) refuses connections: still the database.
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(str(sock))
    stale.close()
    try:
        listed = json.loads(p.cli("token", "list", "--json").stdout)
        assert [t["name"] for t in listed if t["name"] == name] == [name], listed
    finally:
        os.unlink(sock)
    # ccproxyctl, which only talks to a server, says that none answers.
    cp = p.ctl("token", "list", check=False)
    assert cp.returncode == 1 and "cannot reach the server" in cp.stderr, (cp.returncode, cp.stderr)
    # The token made offline works once a server starts.
    p.start()
    assert p.request("GET", "/v1/models", bearer=bearer).status == 200
