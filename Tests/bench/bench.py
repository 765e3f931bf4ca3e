#!/usr/bin/env python3
"""Benchmark ccproxy against running the real claude directly, in the same run.

    python3 Tests/bench/bench.py [-n 8] [--batches 3] [--parallel 8] [--seconds 5]

Starts its own Anthropic stand-in and its own ccproxy (built binaries from CCPROXY_BIN_DIR,
default .build/debug; claude from CCPROXY_TEST_CLAUDE, default .cache/claude/bin/claude) and
measures, printing one table per part:

1. one turn at a time: time to first token and total (median, min, max), N turns per side,
   alternating direct / proxy so that both see the same machine;
2. turns in parallel: `--batches` batches of `--parallel` simultaneous turns per side
   (alternating batch by batch, after one warm-up batch each): the wall time of a batch,
   turns per second, and the first-token and total time of the single turns;
3. idle memory: VmRSS (from /proc/<pid>/status) of the supervisor and of the idle workers,
   right after start and again after the turns;
4. the proxy's own overhead without claude: `GET /v1/models` requests per second for
   `--seconds` seconds over one keep-alive connection, then over `--parallel` connections
   (one client process each, so that the client's GIL is not what is measured).

Figures depend on the machine and on what else runs on it: compare within a row pair of one
run, not across runs.
"""
from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "blackbox"))
import harness  # noqa: E402

# Seconds a single turn may take before the benchmark gives up on it (a turn of the default
# prompt takes about 1-2 s; eight at once on two cores take several).
TURN_TIMEOUT = 120.0


def direct_turn(claude: Path, standin: harness.Standin, prompt: str, workdir: Path) -> tuple[float, float]:
    """Spawn claude, send one stream-json message, close stdin; time the first text delta and
    the exit."""
    home = workdir / "home"
    home.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, HOME=str(home), ANTHROPIC_BASE_URL=standin.url, ANTHROPIC_API_KEY="x",
               CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC="1", IS_SANDBOX="1", TMPDIR=str(home))
    msg = {"type": "user", "message": {"role": "user", "content": [{"type": "text", "text": prompt}]}}
    t0 = time.monotonic()
    p = subprocess.Popen(
        [str(claude), "-p", "--input-format", "stream-json", "--output-format", "stream-json", "--verbose",
         "--include-partial-messages", "--permission-mode", "bypassPermissions", "--model", "sonnet"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=workdir, env=env,
        start_new_session=True)
    try:
        p.stdin.write((json.dumps(msg) + "\n").encode())
        p.stdin.close()
        first = None
        result_seen = False
        for line in p.stdout:
            try:
                ev = json.loads(line)
            except ValueError:
                continue
            if first is None and ev.get("type") == "stream_event":
                e = ev.get("event") or {}
                if e.get("type") == "content_block_delta" and (e.get("delta") or {}).get("text"):
                    first = time.monotonic() - t0
            if ev.get("type") == "result":
                result_seen = True
        p.wait(timeout=TURN_TIMEOUT)
        total = time.monotonic() - t0
    finally:
        if p.poll() is None:
            harness.killpg_quietly(p.pid)
            p.wait(timeout=5)
    if first is None or not result_seen:
        raise RuntimeError(f"direct claude turn produced no text/result (exit {p.returncode})")
    return first, total


def proxy_turn(proxy: harness.Proxy, prompt: str) -> tuple[float, float]:
    t0 = time.monotonic()
    s = proxy.stream(prompt, timeout=TURN_TIMEOUT)
    r = s.read_all()
    if not r.done or r.t_first_content is None:
        raise RuntimeError(f"ccproxy turn failed: {r.summary()}")
    return r.t_first_content - t0, r.t_end - t0


def batch(turns: list) -> tuple[float, list[tuple[float, float]]]:
    """Run the turn callables at once; return the batch's wall time and each turn's times.
    Any failed turn fails the benchmark (a figure over failed turns would mean nothing)."""
    t0 = time.monotonic()
    results = harness.run_parallel(turns, TURN_TIMEOUT + 10)
    wall = time.monotonic() - t0
    failed = [r for r in results if isinstance(r, BaseException)]
    if failed:
        raise RuntimeError(f"{len(failed)} of {len(turns)} parallel turns failed; first: {failed[0]!r}")
    return wall, results


def ensure_service_user():
    """Started as root, ccproxy drops to the service user and refuses to start without it:
    create it when missing, as `make run` and the black-box tests do."""
    if not harness.running_as_root() or harness.service_ids() is not None:
        return
    cp = subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
                         harness.SERVICE_USER], capture_output=True, text=True, timeout=30)
    if cp.returncode != 0 and harness.service_ids() is None:
        sys.exit(f"bench: cannot create the service user {harness.SERVICE_USER}: {cp.stderr.strip()}")


# ---- memory


def rss_kib(pid: int) -> int | None:
    """VmRSS of the process in KiB, or None if it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def idle_workers(proxy: harness.Proxy) -> list[int]:
    """Workers with no claude (or other child) running under them."""
    return [w for w in proxy.workers() if not harness.descendants(w)]


def memory(proxy: harness.Proxy) -> tuple[int | None, list[int]]:
    """The supervisor's RSS and the RSS of each idle worker (KiB), once the pool has settled
    (at least one idle worker, none with a child)."""
    harness.wait_until(lambda: (len(w := idle_workers(proxy)) >= 1, proxy.tree()), 30, "an idle worker")
    return rss_kib(proxy.pid), sorted(r for w in idle_workers(proxy) if (r := rss_kib(w)) is not None)


# ---- /v1/models on keep-alive


def models_loop(port: int, bearer: str, seconds: float, out) -> None:
    """GET /v1/models over one keep-alive connection for `seconds`; put (requests, errors,
    connections opened) on `out`. Runs in its own process."""
    hdrs = {"Authorization": f"Bearer {bearer}"}
    n = errors = opened = 0
    conn = None
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if conn is None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            opened += 1
        try:
            conn.request("GET", "/v1/models", headers=hdrs)
            resp = conn.getresponse()
            resp.read()
            if resp.status == 200:
                n += 1
            else:
                errors += 1
            if resp.will_close:
                conn.close()
                conn = None
        except (OSError, http.client.HTTPException):
            errors += 1
            conn.close()
            conn = None
    if conn is not None:
        conn.close()
    out.put((n, errors, opened))


def models_rate(proxy: harness.Proxy, connections: int, seconds: float) -> tuple[float, int, int]:
    """Requests per second over `connections` keep-alive connections, each driven by its own
    process; also the error count and how many connections had to be (re)opened."""
    ctx = multiprocessing.get_context("fork")
    out = ctx.Queue()
    procs = [ctx.Process(target=models_loop, args=(proxy.port, proxy.require_bearer(), seconds, out))
             for _ in range(connections)]
    t0 = time.monotonic()
    for p in procs:
        p.start()
    got = []
    for _ in procs:
        got.append(out.get(timeout=seconds + 60))
    wall = time.monotonic() - t0
    for p in procs:
        p.join(timeout=10)
    n = sum(g[0] for g in got)
    return n / wall, sum(g[1] for g in got), sum(g[2] for g in got)


# ---- output


def stats(xs: list[float]) -> str:
    ms = [x * 1000 for x in xs]
    return f"{statistics.median(ms):8.0f} {min(ms):8.0f} {max(ms):8.0f}"


def mib(kib: int | None) -> str:
    return "gone" if kib is None else f"{kib / 1024:.1f}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", type=int, default=int(os.environ.get("BENCH_N", 8)),
                    help="single turns per side (default 8)")
    ap.add_argument("--batches", type=int, default=int(os.environ.get("BENCH_BATCHES", 3)),
                    help="batches of parallel turns per side (default 3; 0 skips the part)")
    ap.add_argument("--parallel", type=int, default=8, help="turns per batch and /v1/models connections (default 8)")
    ap.add_argument("--seconds", type=float, default=5.0, help="duration of each /v1/models run (default 5)")
    ap.add_argument("--prompt", default="STANDIN:slow 20 20")
    ap.add_argument("--bin-dir", help="directory with ccproxy, ccproxy-worker (default: CCPROXY_BIN_DIR or .build/debug)")
    ap.add_argument("--claude", help="claude binary (default: CCPROXY_TEST_CLAUDE or .cache/claude/bin/claude)")
    args = ap.parse_args()

    claude = Path(args.claude).resolve() if args.claude else harness.claude_path()
    bins = Path(args.bin_dir).resolve() if args.bin_dir else harness.bin_dir()
    if not os.access(claude, os.X_OK):
        sys.exit(f"bench: no claude at {claude} (run `make claude`)")
    if not os.access(bins / "ccproxy", os.X_OK):
        sys.exit(f"bench: no ccproxy in {bins} (build first, or pass --bin-dir)")
    ensure_service_user()

    with tempfile.TemporaryDirectory(prefix="ccproxy-bench-") as tmp:
        tmp = Path(tmp)
        standin = harness.Standin(tmp / "standin").start()
        proxy = None
        try:
            proxy = harness.Proxy(tmp / "proxy", standin, bins=bins, claude=claude,
                                  max_workers=max(32, 2 * args.parallel)).start()
            proxy.require_bearer()
            harness.wait_until(lambda: (len(w := proxy.workers()) >= 2, w), 30, "2 idle workers")
            mem_start = memory(proxy)

            print(f"single turns: {args.n} per side, prompt {args.prompt!r}", file=sys.stderr)
            direct_turn(claude, standin, args.prompt, tmp / "direct")  # warm-ups, not counted
            proxy_turn(proxy, args.prompt)
            direct, via = [], []
            for _ in range(args.n):
                direct.append(direct_turn(claude, standin, args.prompt, tmp / "direct"))
                via.append(proxy_turn(proxy, args.prompt))

            par: dict[str, list] = {"direct": [], "proxy": []}
            if args.batches > 0:
                k = args.parallel
                print(f"parallel: {args.batches} batches of {k} per side", file=sys.stderr)
                d_turns = [lambda i=i: direct_turn(claude, standin, args.prompt, tmp / f"direct-{i}")
                           for i in range(k)]
                p_turns = [lambda: proxy_turn(proxy, args.prompt) for _ in range(k)]
                batch(d_turns)  # warm-up batches: claude's caches, the pool growing to k workers
                batch(p_turns)
                for _ in range(args.batches):
                    par["direct"].append(batch(d_turns))
                    par["proxy"].append(batch(p_turns))

            mem_end = memory(proxy)
            print(f"/v1/models: {args.seconds:g} s on 1, then on {args.parallel} connections", file=sys.stderr)
            rate1 = models_rate(proxy, 1, args.seconds)
            rate_k = models_rate(proxy, args.parallel, args.seconds)
        finally:
            if proxy is not None:
                proxy.stop()
            standin.stop()

    print(f"\n1. one turn at a time: {args.n} turns each, alternating, prompt {args.prompt!r}; times in ms\n")
    print(f"{'':22} {'first token':^26}   {'total':^26}")
    print(f"{'':22} {'median':>8} {'min':>8} {'max':>8}   {'median':>8} {'min':>8} {'max':>8}")
    for name, samples in (("claude direct", direct), ("via ccproxy (stream)", via)):
        print(f"{name:22} {stats([s[0] for s in samples])}   {stats([s[1] for s in samples])}")
    d = statistics.median(s[0] for s in via) - statistics.median(s[0] for s in direct)
    print(f"\nccproxy median first-token difference: {d * 1000:+.0f} ms")

    if args.batches > 0:
        print(f"\n2. {args.parallel} turns in parallel: {args.batches} batches each, alternating; times in ms\n")
        print(f"{'':22} {'batch wall time':^26}   {'turns/s':>8}   {'first token':^26}   {'total':^26}")
        print(f"{'':22} {'median':>8} {'min':>8} {'max':>8}   {'':8}   "
              f"{'median':>8} {'min':>8} {'max':>8}   {'median':>8} {'min':>8} {'max':>8}")
        for name, key in (("claude direct", "direct"), ("via ccproxy (stream)", "proxy")):
            walls = [w for w, _ in par[key]]
            turns = [t for _, ts in par[key] for t in ts]
            rate = len(turns) / sum(walls)
            print(f"{name:22} {stats(walls)}   {rate:8.2f}   {stats([t[0] for t in turns])}   "
                  f"{stats([t[1] for t in turns])}")

    print("\n3. idle memory (VmRSS, MiB)\n")
    for when, (sup, workers) in (("after start", mem_start), ("after the turns", mem_end)):
        w = (f"median {mib(int(statistics.median(workers)))}, min {mib(workers[0])}, max {mib(workers[-1])} "
             f"({len(workers)} idle)") if workers else "none idle"
        print(f"{when:16} supervisor {mib(sup)}   worker {w}")

    print(f"\n4. GET /v1/models on keep-alive ({args.seconds:g} s each; client and server share the machine)\n")
    for conns, (rate, errors, opened) in ((1, rate1), (args.parallel, rate_k)):
        print(f"{conns:2} connection{'s' if conns > 1 else ' '}  {rate:8.0f} requests/s   "
              f"errors {errors}, connections opened {opened}")


if __name__ == "__main__":
    main()
