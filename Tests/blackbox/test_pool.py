"""Pool policy seen from outside: recycling after max_requests, and the supervisor's own 503
when every worker is busy and the wait queue is full."""
import json

from harness import chat_text, run_parallel, wait_until


def test_worker_is_recycled_after_max_requests(make_proxy):
    proxy = make_proxy(min_idle=1, max_workers=4, extra_config="  max_requests: 2\n")
    wait_until(lambda: ((st := proxy.status()).get("idle", 0) >= 1, st), 20, "1 idle worker")
    first = {w["pid"] for w in proxy.status()["workers"]}
    for word in ("one", "two", "three", "four"):
        assert chat_text(proxy.chat(f"STANDIN:reply {word}")) == word
    def recycled():
        status = proxy.status()
        settled = all(w["state"] != "busy" for w in status["workers"])
        return settled and all(w["served"] < 2 for w in status["workers"]), status

    # Which worker gets which request depends on timing (a worker stays busy until its claude
    # has exited, after the answer was sent), so the test asks only what recycling promises:
    # no worker ever keeps serving past max_requests, and the originals that reached it are gone.
    st = wait_until(recycled, 10, "every worker idle, each having served fewer than max_requests (2)")
    assert first - {w["pid"] for w in st["workers"]}, f"no original worker was recycled: {first} vs {st}"


def test_past_the_queue_the_supervisor_answers_503_with_retry_after(make_proxy):
    """workers: {max: 2, queue_length: 1} and six slow streams at once: two are served, one
    waits in the queue and is served after them, the rest are refused by the supervisor
    with 503, Retry-After and an OpenAI error body; none hangs."""
    proxy = make_proxy(min_idle=1, max_workers=2, extra_config="  queue_length: 1\n")
    wait_until(lambda: ((st := proxy.status()).get("idle", 0) >= 1, st), 20, "1 idle worker")

    def one():
        client = proxy.stream("STANDIN:slow 10 200", timeout=60)
        return client.read_all()

    results = run_parallel([one] * 6, timeout=90)
    errors = [r for r in results if isinstance(r, BaseException)]
    assert not errors, f"a stream hung or failed: {errors}"
    served = [r for r in results if r.status == 200]
    refused = [r for r in results if r.status == 503]
    assert len(served) + len(refused) == 6, [r.summary() for r in results]
    assert 2 <= len(served) <= 3 and len(refused) >= 3, [r.summary() for r in results]
    for r in served:
        assert r.done and r.text.split() == [f"tok{i}" for i in range(10)], r.summary()
    for r in refused:
        assert r.headers.get("retry-after") == "1", r.headers
        body = json.loads(r.body)
        assert body["error"]["type"] == "server_error" and body["error"]["message"], body
    st = proxy.status()
    assert st["refused"] >= len(refused), st
    # The server serves again once the burst is over.
    assert chat_text(proxy.chat("STANDIN:reply recovered", timeout=60)) == "recovered"
