"""X-CC-Verbosity over a real Bash tool turn (the stand-in asks for Bash, the CLI runs it), and
thinking as reasoning_content. Expected strings are the contract's (contract5.md, "Output —
renderers by verbosity"). Each test is one or two real turns on the shared server."""
from __future__ import annotations

import json
import re
import uuid

import pytest

from harness import BASH_DESCRIPTION, THINKING, openai_error, user

CHAT = "/v1/chat/completions"


def tag(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def bash_input(command: str) -> dict:
    return {"command": command, "description": BASH_DESCRIPTION}


def run_stream(proxy, prompt: str, verbosity: str | None = None, headers: dict | None = None, **extra):
    hdrs = dict(headers or {})
    if verbosity is not None:
        hdrs["X-CC-Verbosity"] = verbosity
    r = proxy.stream_chat({"model": "sonnet", "messages": [user(prompt)], **extra}, headers=hdrs).read_all()
    assert r.status == 200, r.summary()
    assert r.done, f"stream did not end with [DONE]: {r.summary()}"
    assert not r.errors, f"error event in the stream: {r.errors}"
    return r


def run_plain(proxy, prompt: str, verbosity: str | None = None, headers: dict | None = None, **extra) -> dict:
    hdrs = dict(headers or {})
    if verbosity is not None:
        hdrs["X-CC-Verbosity"] = verbosity
    resp = proxy.post_chat({"model": "sonnet", "messages": [user(prompt)], **extra}, headers=hdrs)
    assert resp.status == 200, resp
    return resp.json()["choices"][0]["message"]


# ---- verbose: the JSON block is checked by value and key order (the contract says "pretty JSON,
# sorted keys"; the exact spacing of an encoder's pretty printing is not part of it), everything
# around it byte for byte.

VERBOSE_TOOL_RE = re.compile(r"\n\n🔧 \*\*(?P<name>[^*\n]+)\*\*\n```json\n(?P<json>.*?)\n```\n", re.S)


def canonical_verbose(content: str, expected_inputs: list[dict]) -> str:
    """Check each tool's JSON block (value, sorted keys, pretty = multi-line) and replace it by
    Python's rendering, so that the rest can be compared exactly."""
    blocks = list(VERBOSE_TOOL_RE.finditer(content))
    assert len(blocks) == len(expected_inputs), (
        f"expected {len(expected_inputs)} verbose tool block(s) "
        f"'\\n\\n🔧 **Name**\\n```json\\n…\\n```\\n', found {len(blocks)} in {content!r}")
    out, pos = [], 0
    for m, want in zip(blocks, expected_inputs):
        raw = m.group("json")
        try:
            got = json.loads(raw)
        except ValueError as e:
            raise AssertionError(f"the fenced json block does not parse ({e}): {raw!r}")
        assert got == want, f"tool input {got!r}, expected {want!r}"
        keys = re.findall(r'^\s*"((?:[^"\\]|\\.)*)"\s*:', raw, re.M)
        assert keys == sorted(want), f"keys not sorted / not one per line: {raw!r}"
        assert "\n" in raw, f"input JSON not pretty-printed: {raw!r}"
        out.append(content[pos:m.start("json")])
        out.append(pretty(want))
        pos = m.end("json")
    out.append(content[pos:])
    return "".join(out)


def pretty(obj) -> str:
    return json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False)


def verbose_tool(name: str, tool_input: dict) -> str:
    return f"\n\n🔧 **{name}**\n```json\n{pretty(tool_input)}\n```\n"


def verbose_result(body: str, error: bool = False) -> str:
    head = "\n✗ **error**\n" if error else "\n↳ **result**\n"
    return f"{head}````\n{body}\n````\n"


def assert_followed_by_text(content: str, prefix: str, text: str):
    """content == prefix + text, with or without the "\\n\\n" that separates a new assistant
    message's text from earlier output (the contract does not say whether tool lines count)."""
    assert content in (prefix + text, prefix + "\n\n" + text), (
        f"content differs from the contract's rendering:\n got      {content!r}\n expected {(prefix + text)!r}"
        f"\n (or with '\\n\\n' before the final text)")


# --------------------------------------------------------------------------- text-only


@pytest.mark.parametrize("verbosity", [None, "text-only", "text", "default"])
def test_text_only_hides_the_tool(proxy, verbosity):
    word = tag("quiet")
    r = run_stream(proxy, f"STANDIN:bash echo {word}", verbosity)
    assert r.text == f"tool said: {word}", f"text-only shows only the assistant text: {r.summary()}"
    assert "🔧" not in r.text and not r.reasoning, r.summary()


def test_text_only_non_streaming(proxy):
    word = tag("quiet")
    msg = run_plain(proxy, f"STANDIN:bash echo {word}", "text-only")
    assert msg["content"] == f"tool said: {word}", msg
    assert "reasoning_content" not in msg, f"reasoning_content only when non-empty: {msg}"


# --------------------------------------------------------------------------- verbose


def test_verbose_stream_shows_tool_call_and_result(proxy):
    word = tag("verbose")
    command = f"echo {word}"
    r = run_stream(proxy, f"STANDIN:bash {command}", "verbose")
    content = canonical_verbose(r.text, [bash_input(command)])
    assert_followed_by_text(content, verbose_tool("Bash", bash_input(command)) + verbose_result(word),
                            f"tool said: {word}")


def test_verbose_non_streaming_same_rendering_and_deterministic(proxy):
    word = tag("verbose")
    command = f"echo {word}"
    first = run_plain(proxy, f"STANDIN:bash {command}", "verbose")["content"]
    second = run_plain(proxy, f"STANDIN:bash {command}", "verbose")["content"]
    assert first == second, f"the same turn rendered differently:\n{first!r}\n{second!r}"
    content = canonical_verbose(first, [bash_input(command)])
    assert_followed_by_text(content, verbose_tool("Bash", bash_input(command)) + verbose_result(word),
                            f"tool said: {word}")


def test_verbose_error_result(proxy):
    word = tag("boom")
    command = f"echo {word}; exit 3"
    r = run_stream(proxy, f"STANDIN:bash {command}", "verbose")
    # The CLI reports a failed Bash as is_error with "Exit code 3\n<output>".
    body = f"Exit code 3\n{word}"
    content = canonical_verbose(r.text, [bash_input(command)])
    assert_followed_by_text(content, verbose_tool("Bash", bash_input(command)) + verbose_result(body, error=True),
                            f"tool said: {body}")


def test_verbose_strips_system_reminders_from_results(proxy):
    hidden = tag("hidden")
    command = f"printf 'kept-line\\n<system-reminder>\\n{hidden}\\n</system-reminder>\\n'"
    r = run_stream(proxy, f"STANDIN:bash {command}", "verbose")
    m = re.search(r"\n↳ \*\*result\*\*\n````\n(?P<body>.*?)\n````\n", r.text, re.S)
    assert m, f"no result block in {r.text!r}"
    assert "kept-line" in m.group("body") and hidden not in m.group("body") \
        and "system-reminder" not in m.group("body"), f"system-reminder not stripped: {m.group('body')!r}"


def test_verbose_cuts_long_results_on_a_utf8_boundary(proxy):
    # 1 + 5000 * 2 = 10001 bytes; byte 8192 falls inside an "é", so 8191 bytes are kept.
    command = "printf x; printf 'é%.0s' $(seq 5000)"
    r = run_stream(proxy, f"STANDIN:bash {command}", "verbose")
    kept = "x" + "é" * 4095
    body = kept + f"\n… [truncated {10001 - len(kept.encode())} bytes]"
    m = re.search(r"\n↳ \*\*result\*\*\n````\n(?P<body>.*?)\n````\n", r.text, re.S)
    assert m, f"no result block in {r.text[:300]!r}…"
    got = m.group("body")
    assert got == body, (f"cut result: {len(got.encode())} bytes, ends {got[-60:]!r}; expected {len(body.encode())} "
                         f"bytes ending {body[-60:]!r}")


# --------------------------------------------------------------------------- narrated


def narrated_tool(name: str, tool_input: dict) -> str:
    args = ", ".join(f"{k}={json.dumps(v, ensure_ascii=False, separators=(',', ':'))}"
                     for k, v in sorted(tool_input.items()))
    return f"\n🔧 {name}({args})\n"


def test_narrated_one_line_per_call_and_result(proxy):
    word = tag("narr")
    command = f"echo {word}"
    r = run_stream(proxy, f"STANDIN:bash {command}", "narrated")
    assert_followed_by_text(r.text, narrated_tool("Bash", bash_input(command)) + f"↳ {word}\n", f"tool said: {word}")


def test_narrated_error_and_non_streaming(proxy):
    word = tag("narr")
    command = f"echo {word}; exit 3"
    content = run_plain(proxy, f"STANDIN:bash {command}", "narrated")["content"]
    # the first line of "Exit code 3\n<word>"
    assert_followed_by_text(content, narrated_tool("Bash", bash_input(command)) + "✗ Exit code 3\n",
                            f"tool said: Exit code 3\n{word}")


def test_narrated_cuts_long_values(proxy):
    command = "echo " + "n" * 80
    r = run_stream(proxy, f"STANDIN:bash {command}", "narrated")
    value = json.dumps(command)[:60] + "…"
    line = f'\n🔧 Bash(command={value}, description={json.dumps(BASH_DESCRIPTION)})\n'
    assert r.text.startswith(line), f"expected the line {line!r}, got {r.text[:200]!r}"
    assert r.text[len(line):].startswith("↳ " + "n" * 80 + "\n"), r.text


# --------------------------------------------------------------------------- choosing the mode


def test_invalid_verbosity_is_400(proxy):
    resp = proxy.post_chat({"model": "sonnet", "messages": [user("STANDIN:reply no")]},
                           headers={"X-CC-Verbosity": "loud"})
    err = openai_error(resp, 400, code="invalid_verbosity")
    assert err["message"] == 'X-CC-Verbosity "loud" must be one of: text-only, verbose, narrated', err


def test_token_default_verbosity_and_header_override(proxy):
    bearer = proxy.create_token(f"verbose-{uuid.uuid4().hex[:6]}", "--default-verbosity", "verbose")
    word = tag("tokdefault")
    r = proxy.stream_chat({"model": "sonnet", "messages": [user(f"STANDIN:bash echo {word}")]}, bearer=bearer).read_all()
    assert r.done and "\n\n🔧 **Bash**\n" in r.text, f"the token's default (verbose) was not used: {r.summary()}"
    r = proxy.stream_chat({"model": "sonnet", "messages": [user(f"STANDIN:bash echo {word}")]}, bearer=bearer,
                          headers={"X-CC-Verbosity": "text-only"}).read_all()
    assert r.done and r.text == f"tool said: {word}", f"the header did not win over the token's default: {r.summary()}"


# --------------------------------------------------------------------------- thinking


def test_thinking_as_reasoning_content_when_reasoning_requested(proxy):
    word = tag("thought")
    r = run_stream(proxy, f"STANDIN:think {word}", "text-only", reasoning_effort="low")
    assert r.reasoning == THINKING, f"thinking not sent as delta.reasoning_content: {r.summary()}"
    assert r.text == word, f"text-only content must be the text alone: {r.text!r}"
    first_reasoning = next(i for i, c in enumerate(r.chunks)
                           if (c.get("choices") or [{}])[0].get("delta", {}).get("reasoning_content"))
    first_content = next(i for i, c in enumerate(r.chunks)
                         if (c.get("choices") or [{}])[0].get("delta", {}).get("content"))
    assert first_reasoning < first_content, "the thinking came before the text, so should its chunks"


def test_thinking_hidden_in_text_only_without_reasoning(proxy):
    word = tag("thought")
    r = run_stream(proxy, f"STANDIN:think {word}", "text-only")
    assert r.text == word and not r.reasoning, f"no thinking anywhere unless asked for: {r.summary()}"
    assert not any("reasoning_content" in (ch.get("delta") or {}) for c in r.chunks for ch in c.get("choices") or []), \
        r.summary()


def test_thinking_non_streaming_reasoning_content(proxy):
    word = tag("thought")
    msg = run_plain(proxy, f"STANDIN:think {word}", None, reasoning_effort="medium")
    assert msg.get("reasoning_content") == THINKING, msg
    assert msg["content"] == word, msg


def test_verbose_shows_thinking_as_content_unless_reasoning_requested(proxy):
    word = tag("thought")
    r = run_stream(proxy, f"STANDIN:think {word}", "verbose")
    assert not r.reasoning, r.summary()
    assert_followed_by_text(r.text, f"\n💭 {THINKING}\n", word)
    r = run_stream(proxy, f"STANDIN:think {word}", "verbose", headers={"X-CC-Effort": "high"})
    assert r.reasoning == THINKING, f"X-CC-Effort also asks for reasoning: {r.summary()}"
    assert "💭" not in r.text and r.text == word, f"thinking went to reasoning_content, not content: {r.text!r}"


def test_narrated_thinking(proxy):
    word = tag("thought")
    r = run_stream(proxy, f"STANDIN:think {word}", "narrated")
    assert r.text == word and not r.reasoning, f"narrated never puts thinking into content: {r.summary()}"
    r = run_stream(proxy, f"STANDIN:think {word}", "narrated", reasoning_effort="high")
    assert r.text == word and r.reasoning == THINKING, r.summary()
