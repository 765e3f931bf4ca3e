"""An upstream API error (the stand-in's STANDIN:error) surfaces as an error in both modes and is
not retried blindly: non-streaming 502 with x-should-retry: false; streaming a `data: {"error"}`
event then [DONE], no finish_reason; the openai SDK (default retries) makes exactly one HTTP
request for a failed turn and raises the right openai.APIError subclass."""
from __future__ import annotations

import uuid

import httpx2
import openai
import pytest

from harness import openai_error, user

MESSAGE_PREFIX = "claude reported an API error (status 400)"


def check_upstream_error(err: dict):
    assert err.get("type") == "upstream_error" and err.get("code") == "claude_error", err
    assert "param" in err and err["param"] is None, err
    assert err["message"].startswith(MESSAGE_PREFIX), f"the message should say why: {err}"


def test_non_streaming_upstream_error_is_502_not_retryable(proxy):
    resp = proxy.post_chat({"model": "sonnet", "messages": [user("STANDIN:error 400")]})
    err = openai_error(resp, 502)
    check_upstream_error(err)
    assert resp.header("x-should-retry") == "false", resp.headers
    assert resp.header("x-request-id"), resp.headers


@pytest.mark.parametrize("include_usage", [False, True])
def test_streaming_upstream_error_is_an_error_event(proxy, include_usage):
    body = {"model": "sonnet", "messages": [user("STANDIN:error 400")]}
    if include_usage:
        body["stream_options"] = {"include_usage": True}
    r = proxy.stream_chat(body).read_all()
    assert r.status == 200, r.summary()
    assert r.done, f"[DONE] must follow the error event: {r.summary()}"
    assert len(r.errors) == 1, f"exactly one error event: {r.summary()}"
    check_upstream_error(r.errors[0])
    assert r.chunks[-1] == {"error": r.errors[0]}, "the error event is the last data before [DONE]"
    assert not r.finish_reasons, f"no finish_reason chunk before/after an error: {r.finish_reasons}"
    assert not any(c.get("usage") for c in r.chunks), "no usage chunk after an error"


class Counter:
    def __init__(self):
        self.requests: list[str] = []

    def __call__(self, request):
        self.requests.append(f"{request.method} {request.url.path}")


def sdk(proxy, counter: Counter, bearer: str | None = None, **kw) -> openai.OpenAI:
    """The SDK with its default retries (2): only the server's headers keep it from retrying."""
    http = httpx2.Client(event_hooks={"request": [counter]}, timeout=90)
    return openai.OpenAI(base_url=proxy.url + "/v1", api_key=bearer or proxy.require_bearer(), http_client=http, **kw)


def test_sdk_one_request_for_a_failed_turn(proxy):
    counter = Counter()
    client = sdk(proxy, counter)
    with pytest.raises(openai.InternalServerError) as info:
        client.chat.completions.create(model="sonnet", messages=[user("STANDIN:error 400")])
    assert info.value.status_code == 502, info.value
    assert MESSAGE_PREFIX in str(info.value), info.value
    assert counter.requests == ["POST /v1/chat/completions"], f"the SDK retried: {counter.requests}"


def test_sdk_one_request_for_a_failed_stream(proxy):
    counter = Counter()
    client = sdk(proxy, counter)
    stream = client.chat.completions.create(model="sonnet", stream=True, messages=[user("STANDIN:error 400")])
    with pytest.raises(openai.APIError) as info:
        for _ in stream:
            pass
    assert MESSAGE_PREFIX in info.value.message, info.value
    assert counter.requests == ["POST /v1/chat/completions"], counter.requests


def test_sdk_error_classes(proxy):
    """Each refusal raises its own subclass, after exactly one request (the SDK retries none of
    these: 4xx other than 408/409/429 are final)."""
    counter = Counter()
    client = sdk(proxy, counter)
    cases = [
        (openai.BadRequestError, 400, dict(model="sonnet", n=2, messages=[user("hi")])),
        (openai.NotFoundError, 404, dict(model="no-such-model-xyz", messages=[user("hi")])),
    ]
    for cls, status, kwargs in cases:
        counter.requests.clear()
        with pytest.raises(cls) as info:
            client.chat.completions.create(**kwargs)
        assert info.value.status_code == status, info.value
        assert counter.requests == ["POST /v1/chat/completions"], (cls, counter.requests)

    counter.requests.clear()
    with pytest.raises(openai.AuthenticationError):
        sdk(proxy, counter, bearer="ccp_00000000_000000000000000000000000").chat.completions.create(
            model="sonnet", messages=[user("hi")])
    assert len(counter.requests) == 1, counter.requests

    name = f"noscope-{uuid.uuid4().hex[:6]}"
    noscope = proxy.create_token(name, scopes="session:persistent")
    counter.requests.clear()
    with pytest.raises(openai.PermissionDeniedError):
        sdk(proxy, counter, bearer=noscope).chat.completions.create(model="sonnet", messages=[user("hi")])
    assert len(counter.requests) == 1, counter.requests

    with pytest.raises(openai.NotFoundError):
        client.models.retrieve("no-such-model-xyz")
    assert client.models.retrieve("sonnet").id == "sonnet"


def test_sdk_rate_limit_error(proxy):
    bearer = proxy.create_token(f"rpm-{uuid.uuid4().hex[:6]}", "--rpm", "1")
    counter = Counter()
    client = sdk(proxy, counter, bearer=bearer, max_retries=0)
    r = client.chat.completions.create(model="sonnet", messages=[user("STANDIN:reply first")])
    assert r.choices[0].message.content == "first"
    with pytest.raises(openai.RateLimitError) as info:
        client.chat.completions.create(model="sonnet", messages=[user("STANDIN:reply second")])
    assert info.value.response.headers.get("retry-after"), info.value.response.headers
    assert info.value.response.headers.get("x-should-retry") is None, "429 stays retryable"


def test_claude_cannot_start_is_502(make_proxy, tmp_path):
    not_executable = tmp_path / "claude"
    not_executable.write_text("not a program\n")
    not_executable.chmod(0o644)
    p = make_proxy(min_idle=1, max_workers=2, config={"claude_binary": str(not_executable)})
    resp = p.post_chat({"model": "sonnet", "messages": [user("hi")]})
    err = openai_error(resp, 502, etype="upstream_error")
    assert err["message"].startswith("could not start claude: "), err
    assert resp.header("x-should-retry") == "false", resp.headers
