"""Stopping the supervisor stops everything below it, even when it dies by SIGKILL."""
import os
import signal

from harness import alive, describe, wait_until


def test_sigkill_supervisor_leaves_no_worker_or_claude(make_proxy):
    proxy = make_proxy()
    wait_until(lambda: ((st := proxy.status()).get("idle", 0) >= 2, st), 20, "2 idle workers")
    stream = proxy.stream("STANDIN:sleep 20", timeout=60)
    stream.read_until_content()
    workers = proxy.workers()
    claudes = wait_until(lambda: (len(c := proxy.claude_pids()) >= 1, c), 5, "a running claude")
    assert len(workers) >= 2, f"expected >= 2 workers, saw {workers}"

    os.kill(proxy.pid, signal.SIGKILL)
    proxy.proc.wait(timeout=5)

    # Workers get SIGTERM from the kernel (parent-death signal) and stop their claude group.
    everything = workers + claudes
    wait_until(lambda: (not any(alive(p) for p in everything), [describe(p) for p in everything if alive(p)]),
               5, "every worker and claude to exit after the supervisor's death")
    result = stream.read_all()
    assert not result.done, f"the stream cannot have completed: {result.summary()}"
