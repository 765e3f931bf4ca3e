"""Twelve concurrent streams through the pool all succeed, each with its own answer."""
import time

from harness import run_parallel


def test_twelve_parallel_streams(proxy, standin):
    n = 12
    mark = standin.mark()

    def one(i):
        def run():
            s = proxy.stream(f"STANDIN:slow 10 100 s{i}x", timeout=150)
            r = s.read_all()
            return r
        return run

    t0 = time.monotonic()
    results = run_parallel([one(i) for i in range(n)], timeout=180)
    elapsed = time.monotonic() - t0
    problems = []
    for i, r in enumerate(results):
        if isinstance(r, BaseException):
            problems.append(f"stream {i}: {type(r).__name__}: {r}")
            continue
        want = "".join(f"s{i}x{k} " for k in range(10))
        if not r.done or r.text != want:
            problems.append(f"stream {i}: {r.summary()}")
    assert not problems, f"{len(problems)}/{n} streams failed after {elapsed:.1f}s:\n" + "\n".join(problems)
    seen = [e for e in standin.entries(mark) if e.get("directive") == "slow"]
    assert len(seen) >= n, f"the stand-in saw {len(seen)} turns for {n} streams"
