#!/usr/bin/env python3
"""Compare one streaming turn run (a) by the real claude directly and (b) through ccproxy.

    python3 Tests/bench/bench.py [-n 5] [--prompt "STANDIN:slow 20 20"]

Starts its own Anthropic stand-in and its own ccproxy (built binaries from CCPROXY_BIN_DIR,
default .build/debug; claude from CCPROXY_TEST_CLAUDE, default .cache/claude/bin/claude), runs
N turns of each, and prints time to first token and total time (median, min, max).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "blackbox"))
import harness  # noqa: E402


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
        p.wait(timeout=60)
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
    s = proxy.stream(prompt, timeout=60)
    r = s.read_all()
    if not r.done or r.t_first_content is None:
        raise RuntimeError(f"ccproxy turn failed: {r.summary()}")
    return r.t_first_content - t0, r.t_end - t0


def stats(xs: list[float]) -> str:
    ms = [x * 1000 for x in xs]
    return f"{statistics.median(ms):8.0f} {min(ms):8.0f} {max(ms):8.0f}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", type=int, default=int(os.environ.get("BENCH_N", 5)), help="turns per side (default 5)")
    ap.add_argument("--prompt", default="STANDIN:slow 20 20")
    ap.add_argument("--bin-dir", help="directory with ccproxy, ccproxy-worker (default: CCPROXY_BIN_DIR or .build/debug)")
    ap.add_argument("--claude", help="claude binary (default: CCPROXY_TEST_CLAUDE or .cache/claude/bin/claude)")
    ap.add_argument("--skip-proxy", action="store_true", help="only time the direct claude turns")
    args = ap.parse_args()

    claude = Path(args.claude).resolve() if args.claude else harness.claude_path()
    bins = Path(args.bin_dir).resolve() if args.bin_dir else harness.bin_dir()
    if not os.access(claude, os.X_OK):
        sys.exit(f"bench: no claude at {claude} (run `make claude`)")
    if not args.skip_proxy and not os.access(bins / "ccproxy", os.X_OK):
        sys.exit(f"bench: no ccproxy in {bins} (build first, or pass --bin-dir)")

    with tempfile.TemporaryDirectory(prefix="ccproxy-bench-") as tmp:
        tmp = Path(tmp)
        standin = harness.Standin(tmp / "standin").start()
        proxy = None
        try:
            rows = []
            direct = [direct_turn(claude, standin, args.prompt, tmp / "direct") for _ in range(args.n)]
            rows.append(("claude direct", direct))
            if not args.skip_proxy:
                proxy = harness.Proxy(tmp / "proxy", standin, bins=bins, claude=claude).start()
                proxy.require_bearer()
                harness.wait_until(lambda: (len(w := proxy.workers()) >= 2, w), 30, "2 idle workers")
                proxy_turn(proxy, args.prompt)  # one warm-up turn, not counted
                via = [proxy_turn(proxy, args.prompt) for _ in range(args.n)]
                rows.append(("via ccproxy (stream)", via))
        finally:
            if proxy is not None:
                proxy.stop()
            standin.stop()

    print(f"\n{args.n} turns each, prompt {args.prompt!r}; times in ms\n")
    print(f"{'':22} {'first token':^26}   {'total':^26}")
    print(f"{'':22} {'median':>8} {'min':>8} {'max':>8}   {'median':>8} {'min':>8} {'max':>8}")
    for name, samples in rows:
        print(f"{name:22} {stats([s[0] for s in samples])}   {stats([s[1] for s in samples])}")
    if len(rows) == 2:
        d = statistics.median(s[0] for s in rows[1][1]) - statistics.median(s[0] for s in rows[0][1])
        print(f"\nccproxy median first-token difference: {d * 1000:+.0f} ms")


if __name__ == "__main__":
    main()
