#!/usr/bin/env python3
"""Record what the real Claude Code CLI prints for one turn against the stand-in.

    python3 Tests/standin/record_fixture.py OUT.ndjson "PROMPT" [extra claude flags...]

Runs `claude -p --input-format stream-json --output-format stream-json --verbose
--include-partial-messages --permission-mode bypassPermissions [flags]` in a throwaway
workspace and HOME, with the prompt as one stream-json user message on stdin, and writes its
stdout with those paths rewritten to /srv/ccproxy/workspace and /home/ccproxy.
The claude binary is $CCPROXY_TEST_CLAUDE or .cache/claude/bin/claude.
"""
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "blackbox"))
import harness  # noqa: E402


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    out, prompt, flags = Path(sys.argv[1]), sys.argv[2], sys.argv[3:]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        standin = harness.Standin(tmp / "standin").start()
        try:
            ws, home = tmp / "workspace", tmp / "home"
            ws.mkdir()
            home.mkdir()
            env = dict(os.environ, HOME=str(home), ANTHROPIC_BASE_URL=standin.url, ANTHROPIC_API_KEY="x",
                       CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC="1", IS_SANDBOX="1", TMPDIR=str(home))
            msg = {"type": "user", "message": {"role": "user", "content": [{"type": "text", "text": prompt}]}}
            cp = subprocess.run(
                [str(harness.claude_path()), "-p", "--input-format", "stream-json", "--output-format", "stream-json",
                 "--verbose", "--include-partial-messages", "--permission-mode", "bypassPermissions", *flags],
                input=(json.dumps(msg) + "\n").encode(), capture_output=True, cwd=ws, env=env, timeout=120)
        finally:
            standin.stop()
        text = cp.stdout.decode()
        for real, neutral in ((str(ws), "/srv/ccproxy/workspace"), (str(home), "/home/ccproxy"), (str(tmp), "/tmp/ccproxy")):
            text = text.replace(real, neutral)
        out.write_text(text)
        print(f"{out}: {len(text.splitlines())} lines, claude exit status {cp.returncode}")
        if cp.stderr:
            sys.stderr.write(cp.stderr.decode())


if __name__ == "__main__":
    main()
