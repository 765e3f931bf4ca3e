"""A client that goes away mid-stream gets its claude killed within 2 s."""
import time

from harness import alive, describe, wait_until


def busy_claudes(proxy):
    """claude processes under the workers that ccproxyctl reports busy (all workers if none)."""
    try:
        st = proxy.status()
        busy = [w["pid"] for w in st.get("workers", []) if w.get("state") == "busy"]
    except AssertionError:
        busy = []
    return proxy.claude_pids(busy or None)


def test_client_disconnect_kills_claude(proxy, standin):
    mark = standin.mark()
    s = proxy.stream("STANDIN:sleep 30", timeout=60)
    s.read_until_content()
    claudes = wait_until(lambda: (bool(c := busy_claudes(proxy)), c), 5,
                         f"a claude process under a busy worker; tree:\n{proxy.tree()}")
    t0 = time.monotonic()
    s.abort()
    try:
        wait_until(lambda: (not any(alive(p) for p in claudes), [describe(p) for p in claudes if alive(p)]), 2.0,
                   "the claude of the dropped stream to exit")
    except AssertionError as e:
        raise AssertionError(f"{e}\nprocess tree:\n{proxy.tree()}") from None
    gone_after = time.monotonic() - t0
    # The stand-in notices too (its writes fail), which shows the upstream request was dropped.
    wait_until(lambda: (any(e.get("event") == "client_gone" for e in standin.entries(mark)),
                        standin.entries(mark)), 5, "the stand-in to see its client go away")
    assert gone_after < 2.0


def test_server_still_serves_after_disconnect(proxy):
    s = proxy.stream("STANDIN:sleep 10", timeout=30)
    s.read_until_content()
    s.abort()
    r = proxy.chat("STANDIN:reply still here")
    assert r.status == 200 and r.json()["choices"][0]["message"]["content"] == "still here", r
