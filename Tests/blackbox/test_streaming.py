"""Token-level streaming: the CLI's stream_event deltas reach the client as they come."""
import json


def test_token_level_streaming(proxy):
    n, ms = 30, 60
    scripted = (n - 1) * ms / 1000.0
    s = proxy.stream(f"STANDIN:slow {n} {ms}")
    assert s.result.status == 200, s.result.summary()
    assert (s.result.headers.get("content-type") or "").startswith("text/event-stream"), s.result.headers
    assert s.result.headers.get("x-request-id"), s.result.headers
    r = s.read_all()
    assert r.done, f"stream did not end with [DONE]: {r.summary()}"
    assert r.text == "".join(f"tok{i} " for i in range(n)), r.summary()

    # Many chunks, and they arrive spread over the scripted time, not all at the end.
    assert len(r.content_times) >= n // 2, f"only {len(r.content_times)} content chunks for {n} deltas: {r.summary()}"
    span = r.content_times[-1] - r.content_times[0]
    assert span >= 0.5 * scripted, (
        f"content chunks arrived within {span:.3f}s, but the stand-in spread them over {scripted:.2f}s "
        f"(arrivals relative to first: {[round(t - r.content_times[0], 3) for t in r.content_times]})")

    ids = {c.get("id") for c in r.chunks}
    assert len(ids) == 1, f"chunk ids differ: {ids}"
    assert all(c.get("object") == "chat.completion.chunk" for c in r.chunks), r.chunks[:3]
    last = r.chunks[-1]
    assert last["choices"][0].get("finish_reason") == "stop", f"last chunk before [DONE]: {json.dumps(last)}"
    # Usage only with stream_options.include_usage (test_openai_shape.py), as OpenAI does.
    assert not any("usage" in c for c in r.chunks), f"usage without include_usage: {json.dumps(last)}"
    assert all(c["choices"][0].get("finish_reason") in (None,) for c in r.chunks[:-1] if c.get("choices")), \
        "finish_reason set before the last chunk"


def test_first_content_arrives_before_the_turn_ends(proxy):
    s = proxy.stream("STANDIN:slow 10 200")
    r = s.read_all()
    assert r.done, r.summary()
    assert r.t_first_content is not None, r.summary()
    assert r.t_end - r.t_first_content >= 1.0, (
        f"first content came only {r.t_end - r.t_first_content:.3f}s before [DONE]; the stand-in took ~1.8s")


def test_turn_longer_than_five_seconds_completes(proxy):
    """A turn that streams for ~8 s is not cut short (nothing may kill claude mid-turn)."""
    s = proxy.stream("STANDIN:sleep 8", timeout=60)
    r = s.read_all()
    assert r.done, r.summary()
    errors = [c for c in r.chunks if "error" in c]
    assert not errors, f"the stream carried an error after {r.t_end - r.t_start:.1f}s: {errors}"
    assert r.text == "." * 80, f"got {len(r.text)} of 80 deltas after {r.t_end - r.t_start:.1f}s: {r.summary()}"


def test_non_streaming_turn_longer_than_five_seconds(proxy):
    resp = proxy.chat("STANDIN:slow 7 1000", timeout=60)
    assert resp.status == 200, resp
    body = resp.json()
    assert body["choices"][0]["message"]["content"] == "".join(f"tok{i} " for i in range(7)), body
