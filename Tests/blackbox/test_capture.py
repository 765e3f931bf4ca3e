"""Debug capture from outside: one JSONL file per request of a token with capture on, at
<state>/captures/<request id>.jsonl (dir 0700, file 0600), with the request (credentials
redacted), every line claude printed, every chunk or the response, and a done marker; request
ids that could escape the directory are sanitised; a duplicate id or a broken captures
directory never fails the request; captures_max_bytes bounds the directory."""
from __future__ import annotations

import json
import os
import stat
import uuid

import pytest

import harness
from harness import chat_text, user

RUN = uuid.uuid4().hex[:8]


@pytest.fixture(scope="module")
def capture_proxy(tmp_path_factory, standin, bins, claude):
    p = harness.Proxy(tmp_path_factory.mktemp("capture"), standin, bins=bins, claude=claude,
                      config={"captures_max_bytes": 200_000})
    try:
        p.start()
        p.require_bearer()
        p.capturing = p.create_token(f"cap-{RUN}", "--debug-capture")
        p.plain = p.create_token(f"plain-{RUN}")
        yield p
    finally:
        p.stop()


def captures(p) -> dict[str, list[dict]]:
    d = p.state / "captures"
    out = {}
    for f in sorted(d.glob("*.jsonl")) if d.exists() else []:
        out[f.name] = [json.loads(ln) for ln in f.read_text().splitlines() if ln.strip()]
    return out


def capture_of(p, request_id: str, timeout: float = 15) -> list[dict]:
    """The capture lines of a request, once its done marker is written (after claude exits)."""
    def done():
        lines = next((v for v in captures(p).values() if v and v[0].get("request_id") == request_id), None)
        return (bool(lines) and lines[-1].get("kind") == "done", lines)
    return harness.wait_until(done, timeout, f"the capture of {request_id} to be complete")


def test_a_streamed_turn_is_captured_with_the_bearer_redacted(capture_proxy):
    p, rid = capture_proxy, f"cap-stream-{RUN}"
    s = p.stream_chat({"model": "sonnet", "messages": [user("STANDIN:reply hello captured world")]},
                      headers={"X-Request-Id": rid}, bearer=p.capturing)
    r = s.read_all()
    assert r.done and r.text == "hello captured world", r.summary()
    lines = capture_of(p, rid)
    kinds = [ln["kind"] for ln in lines]
    assert kinds[0] == "request" and kinds[-1] == "done", kinds
    assert "claude" in kinds and "chunk" in kinds and "response" in kinds, kinds
    request = lines[0]
    auth = [v for k, v in request["headers"] if k.lower() == "authorization"]
    assert auth == ["Bearer [redacted]"], request["headers"]
    assert request["body"]["messages"][0]["content"] == "STANDIN:reply hello captured world"
    path = p.state / "captures" / f"{rid}.jsonl"
    raw = path.read_text()
    assert p.capturing not in raw and p.capturing.split("_")[2] not in raw, "the bearer's secret is in the capture"
    assert "".join(ln.get("content", "") for ln in lines if ln["kind"] == "chunk") == "hello captured world"
    claude_types = {ln["line"].get("type") for ln in lines if ln["kind"] == "claude" and isinstance(ln["line"], dict)}
    assert {"system", "result"} <= claude_types, claude_types
    response = next(ln for ln in lines if ln["kind"] == "response")
    assert response["outcome"] == "completed" and response["finish_reason"] == "stop", response
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE((p.state / "captures").stat().st_mode) == 0o700


def test_a_non_streamed_answer_is_in_the_response_line(capture_proxy):
    p, rid = capture_proxy, f"cap-json-{RUN}"
    r = p.post_chat({"model": "sonnet", "messages": [user("STANDIN:reply whole answer")]},
                    headers={"X-Request-Id": rid}, bearer=p.capturing)
    assert chat_text(r) == "whole answer"
    response = next(ln for ln in capture_of(p, rid) if ln["kind"] == "response")
    assert response["content"] == "whole answer", response


def test_a_refused_request_is_captured_too(capture_proxy):
    p, rid = capture_proxy, f"cap-refused-{RUN}"
    r = p.post_chat({"model": "no-such-model", "messages": [user("hi")]}, headers={"X-Request-Id": rid},
                    bearer=p.capturing)
    assert r.status == 404, r
    response = next(ln for ln in capture_of(p, rid) if ln["kind"] == "response")
    assert response["outcome"] == "refused" and response["error"]["status"] == 404, response


def test_tokens_without_capture_leave_no_file(capture_proxy):
    p, rid = capture_proxy, f"cap-none-{RUN}"
    assert chat_text(p.post_chat({"model": "sonnet", "messages": [user("hi")]}, headers={"X-Request-Id": rid},
                                 bearer=p.plain)) == "pong"
    assert all(not v or v[0].get("request_id") != rid for v in captures(p).values())


def test_request_ids_cannot_leave_the_directory(capture_proxy):
    p = capture_proxy
    rid = f"../../escape-{RUN}"
    r = p.post_chat({"model": "sonnet", "messages": [user("hi")]}, headers={"X-Request-Id": rid}, bearer=p.capturing)
    assert chat_text(r) == "pong"
    lines = capture_of(p, rid)
    assert lines[0]["request_id"] == rid
    assert (p.state / "captures" / f"_._.._escape-{RUN}.jsonl").exists(), sorted(captures(p))
    assert not list(p.state.parent.rglob(f"escape-{RUN}*.jsonl")) or all(
        f.parent == p.state / "captures" for f in p.state.parent.rglob(f"*escape-{RUN}*.jsonl"))


def test_a_duplicate_request_id_is_not_captured_twice_and_still_answered(capture_proxy):
    p, rid = capture_proxy, f"cap-dup-{RUN}"
    assert chat_text(p.post_chat({"model": "sonnet", "messages": [user("STANDIN:reply one")]},
                                 headers={"X-Request-Id": rid}, bearer=p.capturing)) == "one"
    first = capture_of(p, rid)
    assert chat_text(p.post_chat({"model": "sonnet", "messages": [user("STANDIN:reply two")]},
                                 headers={"X-Request-Id": rid}, bearer=p.capturing)) == "two"
    assert capture_of(p, rid) == first, "the second request overwrote or appended to the first capture"


def test_captures_max_bytes_bounds_the_directory(capture_proxy):
    p = capture_proxy
    bound = 200_000
    ids = [f"cap-bound-{RUN}-{i}" for i in range(8)]
    for rid in ids:
        text = "x" * 30_000
        r = p.post_chat({"model": "sonnet", "messages": [user(f"{text} STANDIN:reply ok")]},
                        headers={"X-Request-Id": rid}, bearer=p.capturing)
        assert chat_text(r) == "ok"
        capture_of(p, rid)
    d = p.state / "captures"
    total = sum(f.stat().st_size for f in d.iterdir())
    assert total < 2 * bound, f"captures hold {total} bytes with captures_max_bytes {bound}"
    assert not (d / f"{ids[0]}.jsonl").exists(), "the oldest capture was not removed"
    assert (d / f"{ids[-1]}.jsonl").exists()


def test_a_broken_captures_directory_never_fails_the_request(make_proxy):
    p = make_proxy()
    p.require_bearer()
    bearer = p.create_token(f"cap-broken-{RUN}", "--debug-capture")
    (p.state / "captures").write_text("not a directory")
    r = p.post_chat({"model": "sonnet", "messages": [user("hi")]}, bearer=bearer)
    assert chat_text(r) == "pong"
