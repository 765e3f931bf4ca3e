"""Non-streaming chat completions through the real CLI and the stand-in."""
from harness import chat_text


def test_non_streaming_answer(proxy, standin):
    mark = standin.mark()
    resp = proxy.chat("STANDIN:reply hello from the stand-in")
    assert resp.status == 200, resp
    assert (resp.header("content-type") or "").startswith("application/json"), resp
    assert resp.header("x-request-id"), f"no X-Request-Id: {resp.headers}"
    body = resp.json()
    assert body.get("object") == "chat.completion", body
    assert str(body.get("id", "")).startswith("chatcmpl-"), body
    choice = body["choices"][0]
    assert choice["message"]["role"] == "assistant", body
    assert choice["message"]["content"] == "hello from the stand-in", body
    assert choice["finish_reason"] == "stop", body
    usage = body.get("usage") or {}
    for k in ("prompt_tokens", "completion_tokens", "total_tokens"):
        assert isinstance(usage.get(k), int), f"usage.{k} missing: {body}"
    seen = [e for e in standin.entries(mark) if e.get("path") == "/v1/messages"]
    assert any(e.get("directive") == "reply" for e in seen), f"stand-in never saw the turn: {seen}"


def test_default_reply_is_pong(proxy):
    assert chat_text(proxy.chat("say something")) == "pong"


def test_haiku_passthrough(proxy):
    assert chat_text(proxy.chat("STANDIN:reply from haiku", model="haiku")) == "from haiku"


def test_healthz_and_readyz_need_no_auth(proxy):
    r = proxy.request("GET", "/healthz", bearer=None)
    assert r.status == 200, r
    r.json()
    r = proxy.request("GET", "/readyz", bearer=None)
    assert r.status in (200, 503), r
    assert r.header("x-request-id"), r


def test_models_list(proxy):
    r = proxy.request("GET", "/v1/models")
    assert r.status == 200, r
    body = r.json()
    ids = [m.get("id") for m in body.get("data") or []]
    assert body.get("object") == "list", body
    assert "sonnet" in ids and "haiku" in ids, f"model ids: {ids}"


def test_client_reusing_one_connection_object(proxy):
    """A client that keeps one connection object (http.client, like SDK pools) gets both
    answers on the same TCP connection: HTTP/1.1 keep-alive, no `Connection: close`."""
    import http.client
    import json

    conn = http.client.HTTPConnection("127.0.0.1", proxy.port, timeout=60)
    try:
        hdrs = {"Authorization": f"Bearer {proxy.require_bearer()}", "Content-Type": "application/json"}
        answers = []
        sockets = []
        for word in ("first", "second"):
            body = {"model": "sonnet", "messages": [{"role": "user", "content": f"STANDIN:reply {word}"}]}
            conn.request("POST", "/v1/chat/completions", body=json.dumps(body), headers=hdrs)
            resp = conn.getresponse()
            data = resp.read()
            assert resp.status == 200, (resp.status, data[:300])
            assert (resp.getheader("Connection") or "").lower() != "close", resp.getheaders()
            sockets.append(conn.sock.getsockname() if conn.sock else None)
            answers.append(json.loads(data)["choices"][0]["message"]["content"])
        assert answers == ["first", "second"], answers
        assert sockets[0] is not None and sockets[0] == sockets[1], f"the connection was not reused: {sockets}"
    finally:
        conn.close()
