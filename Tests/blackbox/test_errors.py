"""Every error has the OpenAI shape and the right status; X-Request-Id is on every response."""
import json
import socket
import uuid

import pytest

from harness import Response


def assert_error(resp: Response, status: int):
    assert resp.status == status, f"expected {status}, got {resp!r}"
    assert (resp.header("content-type") or "").startswith("application/json"), f"error not JSON: {resp!r}"
    body = resp.json()
    err = body.get("error")
    assert isinstance(err, dict), f"no error object: {body}"
    for k in ("message", "type", "param", "code"):
        assert k in err, f"error.{k} missing: {body}"
    assert isinstance(err["message"], str) and err["message"], body
    assert isinstance(err["type"], str) and err["type"], body
    assert resp.header("x-request-id"), f"no X-Request-Id on {status}: {resp.headers}"
    return err


CHAT = "/v1/chat/completions"
GOOD = {"model": "sonnet", "messages": [{"role": "user", "content": "STANDIN:reply ok"}]}


def test_missing_bearer_401(proxy):
    assert_error(proxy.request("POST", CHAT, GOOD, bearer=None), 401)
    assert_error(proxy.request("GET", "/v1/models", bearer=None), 401)


@pytest.mark.parametrize("bearer", [
    "ccp_00000000_000000000000000000000000",  # well-formed, unknown
    "not-a-token",
    "",
])
def test_invalid_bearer_401(proxy, bearer):
    assert_error(proxy.request("POST", CHAT, GOOD, bearer=None,
                               headers={"Authorization": f"Bearer {bearer}"}), 401)


def test_wrong_secret_401(proxy):
    good = proxy.require_bearer()
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    assert_error(proxy.request("POST", CHAT, GOOD, bearer=bad), 401)


def test_missing_scope_403(proxy):
    name = f"noscope-{uuid.uuid4().hex[:6]}"
    last = None
    for scopes in ("session:persistent", "workspace:blackbox", "admin"):
        cp = proxy.cli("token", "create", "--name", name, "--scopes", scopes, check=False)
        if cp.returncode == 0:
            bearer = cp.stdout.strip().splitlines()[-1].strip()
            break
        last = cp
    else:
        raise AssertionError(f"could not create a token without the chat scope: {last.stdout!r} {last.stderr!r}")
    assert_error(proxy.request("POST", CHAT, GOOD, bearer=bearer), 403)


def test_bad_json_400(proxy):
    assert_error(proxy.request("POST", CHAT, b'{"model": "sonnet", "messages": [', headers={"Content-Type": "application/json"}), 400)
    assert_error(proxy.request("POST", CHAT, b"", headers={"Content-Type": "application/json"}), 400)


def test_empty_messages_400(proxy):
    assert_error(proxy.request("POST", CHAT, {"model": "sonnet", "messages": []}), 400)


def test_unknown_model_404(proxy):
    err = assert_error(proxy.request("POST", CHAT, {**GOOD, "model": "no-such-model-xyz"}), 404)
    assert "no-such-model-xyz" in err["message"], err


def test_body_over_4mib_413(proxy):
    """Send a 4 MiB + 64 KiB body over a raw socket; the server may answer before reading it all."""
    payload = json.dumps({"model": "sonnet", "messages": [{"role": "user", "content": "x" * (4 * 1024 * 1024 + 65536)}]}).encode()
    head = (f"POST {CHAT} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {proxy.require_bearer()}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\nConnection: close\r\n\r\n").encode()
    sock = socket.create_connection(("127.0.0.1", proxy.port), timeout=30)
    try:
        sock.sendall(head)
        try:
            sock.sendall(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass
        data = b""
        try:
            while True:
                part = sock.recv(65536)
                if not part:
                    break
                data += part
                if b"\r\n\r\n" in data:
                    hdr, _, rest = data.partition(b"\r\n\r\n")
                    cl = [l for l in hdr.split(b"\r\n") if l.lower().startswith(b"content-length:")]
                    if cl and len(rest) >= int(cl[0].split(b":")[1]):
                        break
        except (ConnectionResetError, socket.timeout):
            pass
    finally:
        sock.close()
    assert data, "no answer to an over-size body"
    hdr, _, body = data.partition(b"\r\n\r\n")
    lines = hdr.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {l.split(":", 1)[0].strip().lower(): l.split(":", 1)[1].strip() for l in lines[1:] if ":" in l}
    assert_error(Response(status, headers, body), 413)


def test_unknown_path_404(proxy):
    assert_error(proxy.request("GET", "/v1/no-such-endpoint"), 404)
    assert_error(proxy.request("POST", "/v2/chat/completions", GOOD), 404)


def test_request_id_generated_and_echoed(proxy):
    r = proxy.request("GET", "/healthz", bearer=None)
    assert r.header("x-request-id"), r.headers
    rid = f"blackbox-{uuid.uuid4().hex}"
    for method, path, body, bearer in [("GET", "/healthz", None, None),
                                       ("GET", "/v1/models", None, "default"),
                                       ("GET", "/v1/models", None, None),
                                       ("GET", "/nope", None, "default"),
                                       ("POST", CHAT, GOOD, "default")]:
        r = proxy.request(method, path, body, bearer=bearer, headers={"X-Request-Id": rid})
        assert r.header("x-request-id") == rid, f"{method} {path} -> {r.status}: X-Request-Id={r.header('x-request-id')!r}"


def test_stream_request_id_echoed(proxy):
    rid = f"blackbox-{uuid.uuid4().hex}"
    s = proxy.stream("STANDIN:reply streamed", headers={"X-Request-Id": rid})
    r = s.read_all()
    assert r.headers.get("x-request-id") == rid, r.headers
    assert r.done, r.summary()
