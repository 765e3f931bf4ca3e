"""The stand-in drives the real Claude Code CLI as scripted (no ccproxy involved), and the fake
claude replays fixtures. These run as soon as the CLI is fetched, before any Swift is built."""
import json
import os
import subprocess
import time
from pathlib import Path

import pytest

import harness

FAKE = harness.REPO / "Tests" / "fakeclaude" / "fake-claude"


def run_claude(claude, standin, workdir: Path, prompt: str, *flags, timeout=60):
    """One turn of the real CLI; returns (events, exit status, arrival times of text deltas)."""
    home = workdir / "home"
    home.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, HOME=str(home), ANTHROPIC_BASE_URL=standin.url, ANTHROPIC_API_KEY="x",
               CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC="1", CLAUDE_CODE_MAX_RETRIES="1", IS_SANDBOX="1", TMPDIR=str(home))
    msg = {"type": "user", "message": {"role": "user", "content": [{"type": "text", "text": prompt}]}}
    p = subprocess.Popen([str(claude), "-p", "--input-format", "stream-json", "--output-format", "stream-json",
                          "--verbose", "--include-partial-messages", "--permission-mode", "bypassPermissions", *flags],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=workdir, env=env,
                         start_new_session=True)
    events, times = [], []
    try:
        p.stdin.write((json.dumps(msg) + "\n").encode())
        p.stdin.close()
        deadline = time.monotonic() + timeout
        for line in p.stdout:
            ev = json.loads(line)
            events.append(ev)
            e = ev.get("event") or {}
            if ev.get("type") == "stream_event" and e.get("type") == "content_block_delta" \
                    and (e.get("delta") or {}).get("type") == "text_delta":
                times.append(time.monotonic())
            assert time.monotonic() < deadline, f"claude still talking after {timeout}s"
        code = p.wait(timeout=10)
    finally:
        if p.poll() is None:
            harness.killpg_quietly(p.pid)
            p.wait(timeout=5)
    return events, code, times


def result_of(events):
    res = [e for e in events if e.get("type") == "result"]
    assert res, f"no result event; got types {[e.get('type') for e in events]}"
    return res[-1]


@pytest.fixture
def turn(claude, standin, tmp_path):
    return lambda prompt, *flags, **kw: run_claude(claude, standin, tmp_path, prompt, *flags, **kw)


def test_reply_and_default(turn):
    ev, code, _ = turn("STANDIN:reply Hello there, world")
    assert code == 0 and result_of(ev)["result"] == "Hello there, world"
    ev, code, _ = turn("nothing scripted")
    assert code == 0 and result_of(ev)["result"] == "pong"


def test_slow_is_token_level(turn):
    ev, code, times = turn("STANDIN:slow 10 100")
    assert code == 0 and result_of(ev)["result"] == "".join(f"tok{i} " for i in range(10))
    assert len(times) == 10, times
    assert times[-1] - times[0] >= 0.6, f"deltas arrived within {times[-1] - times[0]:.3f}s"


def test_sleep_streams_for_that_long(turn):
    t0 = time.monotonic()
    ev, code, times = turn("STANDIN:sleep 1")
    assert code == 0 and result_of(ev)["result"] == "." * 10
    assert times[-1] - times[0] >= 0.7


def test_bash_really_runs_in_cwd(turn, tmp_path, standin):
    mark = standin.mark()
    ev, code, _ = turn("STANDIN:bash echo hi > marker.txt && echo made-it")
    assert code == 0, ev
    assert (tmp_path / "marker.txt").read_text().strip() == "hi"
    assert result_of(ev)["result"] == "tool said: made-it"
    seen = [e for e in standin.entries(mark) if e.get("path") == "/v1/messages"]
    assert [e["tool_result"] for e in seen] == [False, True], seen


def test_error_400_is_final(turn):
    ev, code, _ = turn("STANDIN:error 400")
    res = result_of(ev)
    assert code == 1 and res["is_error"] is True and res.get("api_error_status") == 400, res


def test_error_500_retried_then_reported(turn):
    ev, code, _ = turn("STANDIN:error 500")
    assert any(e.get("subtype") == "api_retry" for e in ev), [e.get("subtype") for e in ev]
    res = result_of(ev)
    assert code == 1 and res["is_error"] is True and res.get("api_error_status") == 500, res


def test_echo_length_300kb(turn):
    prompt = "STANDIN:echo-length\n" + "x" * 300_000
    ev, code, _ = turn(prompt)
    assert code == 0 and result_of(ev)["result"] == str(len(prompt))


def test_thinking(turn):
    ev, code, _ = turn("STANDIN:think fine")
    kinds = {((e.get("event") or {}).get("delta") or {}).get("type") for e in ev if e.get("type") == "stream_event"}
    assert "thinking_delta" in kinds and result_of(ev)["result"] == "fine", kinds


def test_fake_claude_replays(tmp_path):
    assert subprocess.run([str(FAKE), "--version"], capture_output=True, text=True, timeout=10).stdout.strip() == "2.1.0 (Claude Code)"
    log = tmp_path / "argv.jsonl"
    env = dict(os.environ, FAKE_CLAUDE_ARGV_LOG=str(log), FAKE_CLAUDE_EXIT="3", FAKE_CLAUDE_DELAY_MS="20")
    cp = subprocess.run([str(FAKE), "-p", "--model", "haiku"], input='{"type":"user"}\n', capture_output=True,
                        text=True, env=env, cwd=tmp_path, timeout=20)
    assert cp.returncode == 3
    lines = [json.loads(ln) for ln in cp.stdout.splitlines()]
    assert lines[0]["type"] == "system" and any(ln.get("type") == "result" for ln in lines)
    entry = json.loads(log.read_text())
    assert entry["argv"][1:] == ["-p", "--model", "haiku"] and entry["cwd"] == str(tmp_path)
