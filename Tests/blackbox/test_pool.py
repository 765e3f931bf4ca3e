"""Pool policy seen from outside: recycling after max_requests, and the supervisor's own 503
when every worker is busy and the wait queue is full."""
import socket
import time

from harness import chat_text, wait_until

QUEUE = 128  # PoolPolicy.maxQueue


def test_worker_is_recycled_after_max_requests(make_proxy):
    proxy = make_proxy(min_idle=1, max_workers=4, extra_config="  max_requests: 2\n")
    wait_until(lambda: ((st := proxy.status()).get("idle", 0) >= 1, st), 20, "1 idle worker")
    first = {w["pid"] for w in proxy.status()["workers"]}
    for word in ("one", "two", "three", "four"):
        assert chat_text(proxy.chat(f"STANDIN:reply {word}")) == word
    def recycled():
        status = proxy.status()
        return all(w["served"] < 2 for w in status["workers"]), status

    st = wait_until(recycled, 10, "every worker to have served fewer than max_requests (2)")
    assert not first & {w["pid"] for w in st["workers"]}, f"an original worker is still there: {first} vs {st}"


def test_supervisor_answers_503_when_the_queue_is_full(make_proxy):
    proxy = make_proxy(min_idle=1, max_workers=1)
    wait_until(lambda: ((st := proxy.status()).get("idle", 0) >= 1, st), 20, "1 idle worker")
    conns = []
    try:
        # Each connection sends a request head but never finishes it: the one worker waits
        # for the rest, the next QUEUE wait in the supervisor's queue, the others are refused.
        for _ in range(1 + QUEUE + 5):
            s = socket.create_connection(("127.0.0.1", proxy.port), timeout=10)
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
            conns.append(s)
        refused = []
        deadline = time.monotonic() + 10
        for s in conns[-5:]:
            s.settimeout(max(0.1, deadline - time.monotonic()))
            try:
                refused.append(s.recv(4096).decode(errors="replace"))
            except socket.timeout:
                refused.append("")
        assert all(r.startswith("HTTP/1.1 503") for r in refused), f"expected five 503s, got {refused}"
        assert all("Retry-After: 1" in r and '"type":"server_error"' in r for r in refused), refused
        st = proxy.status()
        assert st["queued"] == QUEUE and st["busy"] == 1, st
    finally:
        for s in conns:
            s.close()
    # Once the clients are gone, the queued (now closed) connections drain through the worker
    # and the server serves again.
    wait_until(lambda: ((st := proxy.status())["queued"] == 0, st), 30, "the wait queue to drain")
    assert chat_text(proxy.chat("STANDIN:reply recovered", timeout=120)) == "recovered"
