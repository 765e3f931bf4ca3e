"""Logs reach journald as structured entries, from the supervisor and from the workers.

journald is started by hand in a private mount namespace (tmpfs on /run/systemd, /run/log
and /var/log/journal), so the test leaves no socket or journal file behind; ccproxy runs in
that namespace (nsenter) with CCPROXY_LOG_FORMAT=journal.
"""
import json
import os
import shutil
import signal
import subprocess

import pytest

from harness import chat_text, tail, wait_until

JOURNALD = "/lib/systemd/systemd-journald"

NAMESPACE_SCRIPT = r"""
set -e
mount -t tmpfs tmpfs /run/systemd
mkdir -p /run/log && mount -t tmpfs tmpfs /run/log
mkdir -p /var/log/journal && mount -t tmpfs tmpfs /var/log/journal
/lib/systemd/systemd-journald &
for i in $(seq 100); do [ -S /run/systemd/journal/socket ] && break; sleep 0.05; done
[ -S /run/systemd/journal/socket ] || { echo "journald did not start"; exit 1; }
echo READY
wait
"""


def _require(tool_ok: bool, what: str):
    if not tool_ok:
        (pytest.fail if os.environ.get("CI") else pytest.skip)(f"{what} not available")


def test_structured_logs_reach_the_journal(make_proxy):
    _require(os.access(JOURNALD, os.X_OK), JOURNALD)
    _require(all(shutil.which(t) for t in ("unshare", "nsenter", "journalctl")), "unshare/nsenter/journalctl")
    holder = subprocess.Popen(["unshare", "-m", "--propagation", "private", "bash", "-c", NAMESPACE_SCRIPT],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        line = holder.stdout.readline().strip()
        assert line == "READY", f"journald namespace did not come up: {line!r} {holder.stdout.read() if holder.poll() is not None else ''}"
        enter = ["nsenter", f"--mount=/proc/{holder.pid}/ns/mnt", "--"]

        proxy = make_proxy(start=False, extra_env={"CCPROXY_LOG_FORMAT": "journal"})
        proxy.start(prefix=enter)
        request_id = "journal-test-7f3a"
        r = proxy.request("POST", "/v1/chat/completions",
                          {"model": "sonnet", "messages": [{"role": "user", "content": "STANDIN:reply logged"}]},
                          bearer=proxy.require_bearer(), headers={"X-Request-Id": request_id})
        assert r.status == 200 and chat_text(r) == "logged", r

        def entries(*match: str) -> list[dict]:
            cp = subprocess.run([*enter, "journalctl", "-o", "json", "--no-pager", *match],
                                capture_output=True, text=True, timeout=15)
            return [json.loads(l) for l in cp.stdout.splitlines() if l.strip()]

        worker = wait_until(lambda: (len(e := entries(f"CCPROXY_REQUEST_ID={request_id}")) >= 2, e), 10,
                            f"worker entries with CCPROXY_REQUEST_ID={request_id}")
        messages = {e.get("MESSAGE") for e in worker}
        assert {"turn started", "turn finished"} <= messages, messages
        for e in worker:
            assert e.get("SYSLOG_IDENTIFIER") == "ccproxy-worker", e
            assert e.get("PRIORITY") == "6", e
            assert e.get("CCPROXY_SLOT") and e.get("CODE_FILE") and e.get("CODE_LINE"), e
        started = next(e for e in worker if e.get("MESSAGE") == "turn started")
        assert started.get("CCPROXY_MODEL") == "sonnet", started

        supervisor = entries("SYSLOG_IDENTIFIER=ccproxy")
        assert any(e.get("MESSAGE") == "ready" and e.get("CCPROXY_IDLE_WORKERS") for e in supervisor), \
            [e.get("MESSAGE") for e in supervisor]
        # The banner is for a human at a terminal and stays on stderr.
        assert "bearer: ccp_" in tail(proxy.stderr_path)
    finally:
        try:
            os.killpg(holder.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        holder.wait(timeout=5)
