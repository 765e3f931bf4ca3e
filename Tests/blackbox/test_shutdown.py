"""SIGTERM drains: the stream in flight completes, then everything exits."""
import signal
import subprocess

from harness import describe, wait_until


def test_sigterm_drains_in_flight_stream(make_proxy):
    proxy = make_proxy()
    wait_until(lambda: (len(w := proxy.workers()) >= 2, w), 20, "2 worker processes")
    s = proxy.stream("STANDIN:slow 20 100", timeout=60)
    s.read_until_content()
    proxy.remember()
    wait_until(lambda: (bool(c := proxy.claude_pids()), c), 5, "the claude of the stream")
    proxy.remember()

    proxy.proc.send_signal(signal.SIGTERM)
    r = s.read_all()
    assert r.done, f"the in-flight stream was cut by SIGTERM: {r.summary()}"
    assert r.text == "".join(f"tok{i} " for i in range(20)), r.summary()

    try:
        code = proxy.proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"the supervisor did not exit within 30s of SIGTERM; tree:\n{proxy.tree()}") from None
    assert code == 0, f"the supervisor exited with {code} after SIGTERM"
    left = wait_until(lambda: (not (lo := proxy.leftovers()), [describe(p) for p in lo]), 5,
                      "no ccproxy-worker or claude processes to remain")
    assert not left


def test_sigterm_idle_server_exits_cleanly(make_proxy):
    proxy = make_proxy()
    wait_until(lambda: (len(w := proxy.workers()) >= 2, w), 20, "2 worker processes")
    proxy.remember()
    proxy.proc.send_signal(signal.SIGTERM)
    try:
        code = proxy.proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"an idle supervisor did not exit within 20s of SIGTERM; tree:\n{proxy.tree()}") from None
    assert code == 0, code
    wait_until(lambda: (not (lo := proxy.leftovers()), [describe(p) for p in lo]), 5, "no leftover processes")
