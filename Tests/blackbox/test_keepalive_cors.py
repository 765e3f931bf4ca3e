"""SSE keep-alive comments while a slow tool runs (stream_keepalive: 1s in configured_proxy), and
CORS for the configured origin (preflight, headers on normal responses, refusal of others)."""
from __future__ import annotations

import pytest

from conftest import CORS_ORIGIN
from harness import openai_error, user

CHAT = "/v1/chat/completions"
EXPOSE = ("X-Request-Id, X-CC-Ignored-Params, X-CC-Session-Reset, Retry-After, x-ratelimit-limit-requests, "
          "x-ratelimit-remaining-requests, x-ratelimit-limit-tokens, x-ratelimit-remaining-tokens")


# --------------------------------------------------------------------------- keep-alive


def test_keepalive_comments_during_a_slow_tool(configured_proxy):
    r = configured_proxy.stream_chat({"model": "sonnet", "messages": [user("STANDIN:bash sleep 3 && echo slept")]},
                                     timeout=60).read_all()
    # (the CLI may append a <system-reminder> to a tool result; the stand-in echoes it)
    assert r.done and r.text.startswith("tool said: slept"), r.summary()
    assert r.comments, f"no SSE comment during a 3 s tool run with stream_keepalive 1s: {r.summary()}"
    assert {c for _, c in r.comments} == {"keep-alive"}, f"comments: {r.comments}"
    raw = {ln for _, ln in r.lines if ln.startswith(b":")}
    assert raw == {b": keep-alive"}, raw
    # no silence much longer than the period while the stream is open
    times = [t for t, _ in r.lines]
    gaps = [round(b - a, 2) for a, b in zip(times, times[1:])]
    assert max(gaps) < 2.5, f"a {max(gaps)} s silence with stream_keepalive 1s; gaps: {gaps}"
    assert len(r.comments) >= 2, f"a 3 s silence needs at least two 1 s keep-alives: {r.comments}"


def test_no_keepalive_on_a_quick_stream_of_the_default_server(proxy):
    r = proxy.stream_chat({"model": "sonnet", "messages": [user("STANDIN:reply quick")]}).read_all()
    assert r.done and not r.comments, f"default stream_keepalive is 15 s: {r.comments}"


# --------------------------------------------------------------------------- CORS


def preflight(proxy, origin: str, method="POST", req_headers="authorization, content-type", path=CHAT):
    hdrs = {"Origin": origin, "Access-Control-Request-Method": method}
    if req_headers:
        hdrs["Access-Control-Request-Headers"] = req_headers
    return proxy.request("OPTIONS", path, bearer=None, headers=hdrs)


def test_preflight_for_the_configured_origin(configured_proxy):
    r = preflight(configured_proxy, CORS_ORIGIN)
    assert r.status == 204, r
    assert r.header("access-control-allow-origin") == CORS_ORIGIN, r.headers
    assert r.header("access-control-allow-methods") == "GET, POST, OPTIONS", r.headers
    assert r.header("access-control-max-age") == "600", r.headers
    allowed = {h.strip().lower() for h in (r.header("access-control-allow-headers") or "").split(",")}
    assert {"authorization", "content-type"} <= allowed, r.headers
    assert not r.body, r


def test_preflight_echoes_sdk_headers(configured_proxy):
    """What the openai JS SDK in a browser asks for (x-stainless-* headers)."""
    asked = "authorization, content-type, x-stainless-os, x-stainless-lang, x-stainless-retry-count, x-cc-verbosity"
    r = preflight(configured_proxy, CORS_ORIGIN, req_headers=asked)
    assert r.status == 204, r
    assert r.header("access-control-allow-headers") == asked, f"the requested headers should be echoed: {r.headers}"


def test_preflight_for_models(configured_proxy):
    r = preflight(configured_proxy, CORS_ORIGIN, method="GET", req_headers="authorization", path="/v1/models")
    assert r.status == 204 and r.header("access-control-allow-origin") == CORS_ORIGIN, r


def test_preflight_from_another_origin_is_403(configured_proxy):
    r = preflight(configured_proxy, "https://evil.example.test")
    openai_error(r, 403, code="cors_origin_not_allowed")
    assert not any(k.startswith("access-control-allow") for k in r.headers), r.headers


def test_cors_headers_on_normal_responses(configured_proxy):
    r = configured_proxy.request("GET", "/v1/models", headers={"Origin": CORS_ORIGIN})
    assert r.status == 200, r
    assert r.header("access-control-allow-origin") == CORS_ORIGIN, r.headers
    assert "origin" in (r.header("vary") or "").lower(), r.headers
    assert r.header("access-control-expose-headers") == EXPOSE, r.headers
    r = configured_proxy.post_chat({"model": "sonnet", "messages": [user("STANDIN:reply cors")], "temperature": 1},
                                   headers={"Origin": CORS_ORIGIN})
    assert r.status == 200 and r.header("access-control-allow-origin") == CORS_ORIGIN, r
    assert r.header("x-cc-ignored-params") == "temperature", r.headers
    s = configured_proxy.stream_chat({"model": "sonnet", "messages": [user("STANDIN:reply cors")]},
                                     headers={"Origin": CORS_ORIGIN}).read_all()
    assert s.done and s.headers.get("access-control-allow-origin") == CORS_ORIGIN, s.headers
    # errors too: a browser must be able to read why it was refused
    r = configured_proxy.request("GET", "/v1/models", bearer=None, headers={"Origin": CORS_ORIGIN})
    assert r.status == 401 and r.header("access-control-allow-origin") == CORS_ORIGIN, r


def test_no_cors_headers_for_other_origins(configured_proxy):
    r = configured_proxy.request("GET", "/v1/models", headers={"Origin": "https://evil.example.test"})
    assert r.status == 200, r
    assert r.header("access-control-allow-origin") is None, r.headers


def test_cors_off_options_is_405(proxy):
    r = preflight(proxy, CORS_ORIGIN)
    assert r.status == 405, r
    assert r.header("access-control-allow-origin") is None, r.headers
