"""CCPROXY_LOG_FORMAT=json: one JSON object per line on stderr, from the supervisor and its
workers, with one completion line per request."""
import json

from harness import chat_text, wait_until


def test_json_log_lines_are_readable(make_proxy):
    proxy = make_proxy(extra_env={"CCPROXY_LOG_FORMAT": "json"})
    proxy.require_bearer()
    assert chat_text(proxy.chat("STANDIN:reply logged", model="sonnet")) == "logged"

    def completion():
        entries = []
        for line in open(proxy.stderr_path, errors="replace").read().splitlines():
            if line.startswith("{"):
                entries.append(json.loads(line))  # every JSON-looking line parses
        done = [e for e in entries if e.get("message") == "request completed" and e.get("path") == "/v1/chat/completions"]
        return bool(done), (done or entries[-5:])

    done = wait_until(completion, 10, "a 'request completed' JSON line for the chat request")
    entry = done[0]
    for key in ("timestamp", "level", "process", "pid", "request_id", "status", "duration_ms", "token", "model"):
        assert key in entry, f"{key} missing in {entry}"
    assert entry["status"] == "200" and entry["model"] == "sonnet" and entry["process"] == "ccproxy-worker", entry
    assert "prompt_tokens" in entry and "completion_tokens" in entry and "ttft_ms" in entry, entry
    # No secret in the log lines.
    text = open(proxy.stderr_path, errors="replace").read()
    json_lines = [ln for ln in text.splitlines() if ln.startswith("{")]
    assert not any(proxy.bearer in ln for ln in json_lines), "the bearer appears in a log line"
