"""The response, OpenAI's way: usage only when asked for on a stream (one extra last chunk with
`choices: []`), always when not streaming; finish_reason; `logprobs: null`; the first content
chunk's role; X-CC-Ignored-Params; n; GET /v1/models/{id}."""
from __future__ import annotations

import urllib.parse

import pytest

from harness import openai_error, user

CHAT = "/v1/chat/completions"


def check_usage(u: dict):
    for k in ("prompt_tokens", "completion_tokens", "total_tokens"):
        assert isinstance(u.get(k), int) and u[k] >= 0, f"usage.{k}: {u}"
    assert u["total_tokens"] == u["prompt_tokens"] + u["completion_tokens"], u
    details = u.get("prompt_tokens_details")
    assert isinstance(details, dict) and isinstance(details.get("cached_tokens"), int), \
        f"usage.prompt_tokens_details.cached_tokens missing: {u}"
    assert details["cached_tokens"] <= u["prompt_tokens"], u
    cdetails = u.get("completion_tokens_details")
    assert isinstance(cdetails, dict) and isinstance(cdetails.get("reasoning_tokens"), int), u


def stream(proxy, **extra):
    r = proxy.stream_chat({"model": "sonnet", "messages": [user("STANDIN:slow 4 10")], **extra}).read_all()
    assert r.status == 200 and r.done, r.summary()
    assert r.text == "tok0 tok1 tok2 tok3 ", r.summary()
    return r


def check_chunks(r):
    """Every chunk is a chat.completion.chunk with logprobs null; the first content chunk says
    role assistant; the terminal one has an empty delta and finish_reason stop."""
    ids = {c.get("id") for c in r.chunks}
    assert len(ids) == 1 and str(ids.pop()).startswith("chatcmpl-"), [c.get("id") for c in r.chunks]
    for c in r.chunks:
        assert c.get("object") == "chat.completion.chunk", c
        for ch in c["choices"]:
            assert "logprobs" in ch and ch["logprobs"] is None, f"choices[].logprobs must be null: {c}"
    with_content = [c for c in r.chunks if c["choices"] and c["choices"][0].get("delta", {}).get("content")]
    assert with_content[0]["choices"][0]["delta"].get("role") == "assistant", with_content[0]
    finals = [c for c in r.chunks if c["choices"] and c["choices"][0].get("finish_reason") is not None]
    assert len(finals) == 1, f"exactly one chunk with a finish_reason: {finals}"
    assert finals[0]["choices"][0]["finish_reason"] == "stop", finals[0]
    assert finals[0]["choices"][0]["delta"] == {}, f"the terminal chunk's delta is {{}}: {finals[0]}"
    return finals[0]


def test_stream_usage_only_when_asked(proxy):
    r = stream(proxy, stream_options={"include_usage": True})
    final = check_chunks(r)
    last = r.chunks[-1]
    assert last["choices"] == [], f"the usage chunk has choices: [] and comes last: {last}"
    check_usage(last.get("usage") or {})
    assert r.chunks.index(final) == len(r.chunks) - 2, "the usage chunk directly follows the finish_reason chunk"
    with_usage = [c for c in r.chunks if c.get("usage") is not None]
    assert with_usage == [last], f"only the last chunk carries usage: {with_usage}"
    # As OpenAI: every other chunk says "usage": null.
    assert all("usage" in c and c["usage"] is None for c in r.chunks[:-1]), \
        f"a chunk without \"usage\": null: {[c for c in r.chunks[:-1] if c.get('usage', 0) is not None]}"


@pytest.mark.parametrize("extra", [{}, {"stream_options": {"include_usage": False}}, {"stream_options": None},
                                   {"stream_options": {}}])
def test_stream_without_usage(proxy, extra):
    r = stream(proxy, **extra)
    check_chunks(r)
    carrying = [c for c in r.chunks if "usage" in c]
    assert not carrying, f"no chunk carries usage unless include_usage is true: {carrying}"
    assert all(c["choices"] for c in r.chunks), "no choices: [] chunk without include_usage"


def test_non_streaming_always_has_usage(proxy):
    resp = proxy.post_chat({"model": "sonnet", "messages": [user("STANDIN:reply counted")],
                            "stream_options": {"include_usage": False}})
    assert resp.status == 200, resp
    body = resp.json()
    check_usage(body.get("usage") or {})
    assert body["usage"]["prompt_tokens"] > 0 and body["usage"]["completion_tokens"] > 0, body["usage"]
    choice = body["choices"][0]
    assert choice["index"] == 0 and choice["finish_reason"] == "stop", body
    assert "logprobs" in choice and choice["logprobs"] is None, body
    msg = choice["message"]
    assert msg.get("role") == "assistant" and msg.get("content") == "counted", body
    assert "reasoning_content" not in msg, f"reasoning_content only when non-empty: {body}"
    assert body["model"] == "sonnet" and isinstance(body.get("created"), int), body


# --------------------------------------------------------------------------- parameters

IGNORED_BODY = {
    # in the contract's fixed order: temperature, top_p, max_tokens, ..., then unknown names sorted
    "zeta_custom": 1, "seed": 7, "user": "u-1", "stop": ["\n\n"], "max_tokens": 100, "top_p": 0.9,
    "temperature": 0.2, "frequency_penalty": 0, "presence_penalty": 0, "alpha_custom": {"x": 1},
    "logit_bias": None, "tool_choice": None,  # null: not listed
    "n": 1, "stream_options": None,           # acted on: never listed
}
IGNORED = "temperature,top_p,max_tokens,stop,presence_penalty,frequency_penalty,seed,user,alpha_custom,zeta_custom"


def test_ignored_params_header(proxy):
    resp = proxy.post_chat({"model": "sonnet", "messages": [user("STANDIN:reply ok")], **IGNORED_BODY})
    assert resp.status == 200, resp
    assert resp.header("x-cc-ignored-params") == IGNORED, resp.headers


def test_ignored_params_header_streaming(proxy):
    r = proxy.stream_chat({"model": "sonnet", "messages": [user("STANDIN:reply ok")], **IGNORED_BODY,
                           "tools": [{"type": "function", "function": {"name": "f", "parameters": {}}}],
                           "response_format": {"type": "text"}, "metadata": {"k": "v"}}).read_all()
    assert r.done, r.summary()
    want = ("temperature,top_p,max_tokens,stop,presence_penalty,frequency_penalty,seed,user,metadata,"
            "alpha_custom,zeta_custom")
    assert r.headers.get("x-cc-ignored-params") == want, r.headers


def test_no_ignored_params_header_when_nothing_ignored(proxy):
    resp = proxy.post_chat({"model": "sonnet", "messages": [user("STANDIN:reply ok")], "n": 1, "stream": False,
                            "temperature": None, "reasoning_effort": "low"})
    assert resp.status == 200, resp
    assert resp.header("x-cc-ignored-params") is None, resp.headers


@pytest.mark.parametrize("n", [2, 0, 5])
def test_n_other_than_1_is_400(proxy, standin, n):
    mark = standin.mark()
    err = openai_error(proxy.post_chat({"model": "sonnet", "messages": [user("STANDIN:reply no")], "n": n}), 400,
                       code="unsupported_parameter", etype="invalid_request_error")
    assert err["message"] == "n must be 1" and err["param"] == "n", err
    assert not standin.messages(mark)


def test_n_1_and_null_are_fine(proxy):
    for n in (1, None):
        resp = proxy.post_chat({"model": "sonnet", "messages": [user("STANDIN:reply fine")], "n": n})
        assert resp.status == 200, (n, resp)


# --------------------------------------------------------------------------- /v1/models/{id}


def test_get_model_by_id(proxy):
    listed = proxy.request("GET", "/v1/models").json()["data"]
    assert listed, "no models listed"
    for m in listed:
        r = proxy.request("GET", "/v1/models/" + urllib.parse.quote(m["id"], safe=""))
        assert r.status == 200, (m, r)
        got = r.json()
        assert got == m, f"GET /v1/models/{m['id']} differs from the list entry: {got} vs {m}"
        assert set(got) >= {"id", "object", "created", "owned_by"} and got["object"] == "model", got


def test_get_unknown_model_is_404(proxy):
    r = proxy.request("GET", "/v1/models/no-such-model-xyz")
    err = openai_error(r, 404, code="model_not_found")
    assert err["message"] == "The model 'no-such-model-xyz' does not exist", err
    r = proxy.request("GET", "/v1/models/" + urllib.parse.quote("weird[1m] id", safe=""))
    err = openai_error(r, 404, code="model_not_found")
    assert err["message"] == "The model 'weird[1m] id' does not exist", f"the id is percent-decoded: {err}"


def test_get_model_needs_auth(proxy):
    openai_error(proxy.request("GET", "/v1/models/sonnet", bearer=None), 401)
