"""Resolution as the upstream sees it: system/developer messages and alias prompts reaching
claude's system prompt (never its argv), system_prompt_mode: replace, family names pinned by
model_versions wherever they appear, X-CC-Claude-Model and X-CC-Effort winning as documented.

Checked at the stand-in: what claude sent upstream (model, `output_config.effort`, the system
prompt via STANDIN:echo-system). The server is `configured_proxy` (conftest.CONFIGURED)."""
from __future__ import annotations

import time
import uuid

import pytest

from conftest import ALIAS_PROMPT, PINS, REPLACE_PROMPT
from harness import chat_text, cmdline, openai_error, user, wait_until

DEFAULT_PROMPT_MARK = "You are Claude Code"  # the CLI's own system prompt starts so


def turn(proxy, standin, body: dict, headers: dict | None = None) -> tuple[dict, list[dict]]:
    """One non-streaming turn; returns (response message, stand-in log entries of its model calls)."""
    mark = standin.mark()
    resp = proxy.post_chat(body, headers=headers)
    assert resp.status == 200, resp
    seen = standin.messages(mark)
    assert seen, f"the stand-in saw no /v1/messages request for {body}"
    return resp.json()["choices"][0]["message"], seen


def upstream_model(proxy, standin, model: str | None, headers: dict | None = None) -> str:
    body = {"messages": [user("STANDIN:reply model check")]}
    if model is not None:
        body["model"] = model
    msg, seen = turn(proxy, standin, body, headers)
    assert msg["content"] == "model check", msg
    models = {e.get("model") for e in seen}
    assert len(models) == 1, f"more than one upstream model in one turn: {seen}"
    return models.pop()


def upstream_effort(proxy, standin, model: str, headers: dict | None = None, **extra) -> str | None:
    """The effort claude sent upstream (`output_config.effort`; the CLI's default is medium)."""
    msg, seen = turn(proxy, standin, {"model": model, "messages": [user("STANDIN:reply effort check")], **extra}, headers)
    return seen[-1].get("effort")


# --------------------------------------------------------------------------- system prompt


def test_system_and_developer_messages_reach_claude(configured_proxy, standin):
    a, b = f"SYS-{uuid.uuid4().hex[:8]}", f"DEV-{uuid.uuid4().hex[:8]}"
    msg, _ = turn(configured_proxy, standin, {"model": "sonnet", "messages": [
        {"role": "system", "content": f"  {a}  "},
        {"role": "developer", "content": [{"type": "text", "text": b}]},
        {"role": "system", "content": "   "},  # empty after trimming: dropped
        user("STANDIN:echo-system"),
    ]})
    system = msg["content"]
    assert f"{a}\n\n{b}" in system, f"system + developer messages (trimmed, joined by a blank line) not in claude's " \
                                    f"system prompt; its last 300 chars: {system[-300:]!r}"
    assert DEFAULT_PROMPT_MARK in system, "appending keeps claude's own prompt"
    assert ALIAS_PROMPT not in system, "a passthrough model has no alias prompt"


def test_alias_system_prompt_comes_first(configured_proxy, standin):
    mine = f"REQ-{uuid.uuid4().hex[:8]}"
    msg, _ = turn(configured_proxy, standin, {"model": "cc-prompted", "messages": [
        {"role": "system", "content": mine}, user("STANDIN:echo-system")]})
    assert f"{ALIAS_PROMPT}\n\n{mine}" in msg["content"], \
        f"alias system_prompt + '\\n\\n' + system message expected; tail: {msg['content'][-300:]!r}"
    assert DEFAULT_PROMPT_MARK in msg["content"]


def test_alias_without_request_system(configured_proxy, standin):
    msg, _ = turn(configured_proxy, standin, {"model": "cc-prompted", "messages": [user("STANDIN:echo-system")]})
    assert ALIAS_PROMPT in msg["content"], msg["content"][-300:]


def test_system_prompt_mode_replace(configured_proxy, standin):
    mine = f"REQ-{uuid.uuid4().hex[:8]}"
    msg, seen = turn(configured_proxy, standin, {"model": "cc-replace", "messages": [
        {"role": "system", "content": mine}, user("STANDIN:echo-system")]})
    system = msg["content"]
    assert f"{REPLACE_PROMPT}\n\n{mine}" in system, system
    assert DEFAULT_PROMPT_MARK not in system, f"replace mode: claude's default prompt must be gone: {system[:300]!r}"
    assert seen[-1]["system_chars"] < 2000, f"system prompt of {seen[-1]['system_chars']} chars in replace mode"


def test_system_prompt_never_in_argv(configured_proxy, standin):
    secret = f"ARGV-{uuid.uuid4().hex[:8]}"
    s = configured_proxy.stream_chat({"model": "cc-prompted", "messages": [
        {"role": "system", "content": secret}, user("STANDIN:sleep 3")]})
    try:
        pids = wait_until(lambda: (bool(p := configured_proxy.claude_pids()), p), 15, "claude to be running")
        argvs = [cmdline(p) for p in pids]
        flat = " ".join(" ".join(a) for a in argvs)
        assert secret not in flat and ALIAS_PROMPT not in flat, f"system prompt text in claude's argv: {argvs}"
        assert "--append-system-prompt-file" in flat, f"no --append-system-prompt-file in claude's argv: {argvs}"
    finally:
        s.abort()


# --------------------------------------------------------------------------- model


def test_alias_family_name_is_pinned(configured_proxy, standin):
    assert upstream_model(configured_proxy, standin, "cc-haiku") == PINS["haiku"]


def test_request_family_name_is_pinned(configured_proxy, standin):
    assert upstream_model(configured_proxy, standin, "haiku") == PINS["haiku"]
    assert upstream_model(configured_proxy, standin, "sonnet") == PINS["sonnet"]


def test_missing_model_is_the_first_alias(configured_proxy, standin):
    assert upstream_model(configured_proxy, standin, None) == PINS["sonnet"]  # cc-default: claude_model sonnet


def test_default_claude_model_is_pinned(configured_proxy, standin):
    # cc-prompted sets no claude_model: default_claude_model "opus" → model_versions.opus
    assert upstream_model(configured_proxy, standin, "cc-prompted") == PINS["opus"]


def test_full_ids_are_not_rewritten(configured_proxy, standin):
    assert upstream_model(configured_proxy, standin, "cc-effort") == "claude-opus-5-5"
    assert upstream_model(configured_proxy, standin, "claude-haiku-4-0") == "claude-haiku-4-0"


def test_claude_model_header_wins_and_is_pinned(configured_proxy, standin):
    assert upstream_model(configured_proxy, standin, "cc-default", {"X-CC-Claude-Model": "haiku"}) == PINS["haiku"]
    assert upstream_model(configured_proxy, standin, "cc-haiku", {"X-CC-Claude-Model": "claude-sonnet-4-5"}) \
        == "claude-sonnet-4-5"


def test_model_alias_list_and_lookup(configured_proxy):
    r = configured_proxy.request("GET", "/v1/models")
    assert r.status == 200, r
    ids = [m["id"] for m in r.json()["data"]]
    assert ids[:5] == ["cc-default", "cc-haiku", "cc-prompted", "cc-replace", "cc-effort"], ids
    r = configured_proxy.request("GET", "/v1/models/cc-replace")
    assert r.status == 200 and r.json().get("id") == "cc-replace", r


# --------------------------------------------------------------------------- effort


def test_reasoning_effort_reaches_claude(configured_proxy, standin):
    assert upstream_effort(configured_proxy, standin, "sonnet", reasoning_effort="low") == "low"


def test_effort_header_beats_reasoning_effort(configured_proxy, standin):
    assert upstream_effort(configured_proxy, standin, "sonnet", {"X-CC-Effort": "high"}, reasoning_effort="low") == "high"


def test_alias_effort_and_request_override(configured_proxy, standin):
    assert upstream_effort(configured_proxy, standin, "cc-effort") == "low"
    assert upstream_effort(configured_proxy, standin, "cc-effort", reasoning_effort="high") == "high"
    assert upstream_effort(configured_proxy, standin, "cc-effort", {"X-CC-Effort": "max"}) == "max"


@pytest.mark.parametrize("headers,extra,bad", [
    ({"X-CC-Effort": "turbo"}, {}, "turbo"),
    ({}, {"reasoning_effort": "turbo"}, "turbo"),
    # validated even when the header wins
    ({"X-CC-Effort": "high"}, {"reasoning_effort": "turbo"}, "turbo"),
])
def test_invalid_effort_is_400(configured_proxy, standin, headers, extra, bad):
    mark = standin.mark()
    resp = configured_proxy.post_chat({"model": "sonnet", "messages": [user("STANDIN:reply no")], **extra}, headers=headers)
    err = openai_error(resp, 400, code="invalid_effort")
    assert bad in err["message"], err
    for level in ("low", "medium", "high", "xhigh", "max"):
        assert level in err["message"], f"the message should name the allowed values: {err}"
    time.sleep(0.2)
    assert not standin.messages(mark), "a refused request must not reach claude"
