"""SIGKILL of a busy worker costs exactly its own request."""
import os
import signal
import time

from harness import alive, chat_text, describe, wait_until


def busy_pids(proxy):
    return sorted(w["pid"] for w in proxy.status().get("workers", []) if w.get("state") == "busy")


def test_sigkill_busy_worker(make_proxy):
    proxy = make_proxy()
    wait_until(lambda: ((st := proxy.status()).get("idle", 0) >= 2, st), 20, "2 idle workers")

    a = proxy.stream("STANDIN:sleep 8", timeout=60)
    a.read_until_content()
    busy_a = wait_until(lambda: (len(b := busy_pids(proxy)) == 1, b), 5, "exactly one busy worker (stream A)")
    victim = busy_a[0]
    victim_claudes = proxy.claude_pids([victim])

    b = proxy.stream("STANDIN:slow 30 100", timeout=60)
    b.read_until_content()
    wait_until(lambda: (len(bp := busy_pids(proxy)) == 2, bp), 5, "two busy workers (streams A and B)")

    os.kill(victim, signal.SIGKILL)
    t_kill = time.monotonic()

    # Stream A ends (without [DONE]) soon after its worker died.
    ra = a.read_all()
    assert not ra.done, f"stream A completed although its worker was killed: {ra.summary()}"
    assert ra.t_end and ra.t_end - t_kill < 5, f"stream A did not end within 5s of the SIGKILL: {ra.summary()}"

    # Stream B is untouched.
    rb = b.read_all()
    assert rb.done, f"stream B (other worker) did not complete: {rb.summary()}"
    assert rb.text == "".join(f"tok{i} " for i in range(30)), rb.summary()

    # The next request succeeds, the dead worker is gone, and the pool refills.
    assert chat_text(proxy.chat("STANDIN:reply after the crash")) == "after the crash"
    st = wait_until(lambda: ((s := proxy.status()).get("idle", 0) >= 2
                             and victim not in [w["pid"] for w in s.get("workers", [])], s),
                    20, "the pool to refill to >= 2 idle workers without the killed one")
    assert st["supervisor_pid"] == proxy.pid, st
    assert proxy.proc.poll() is None, "the supervisor died"

    # The killed worker's claude does not outlive it (PDEATHSIG / process group kill).
    wait_until(lambda: (not any(alive(p) for p in victim_claudes), [describe(p) for p in victim_claudes if alive(p)]),
               3, "the killed worker's claude to exit")
