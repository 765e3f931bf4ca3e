"""OpenAI function calling with the real CLI and the stand-in: the client's functions reach
claude as the tools of the turn's own MCP server (`mcp__ccproxy__<name>`, in the model's tool
list from the first request), a call ends the turn with `tool_calls`, and the follow-up is
served from the transcript."""
from __future__ import annotations

import json

import pytest

import harness

WEATHER = {"type": "function", "function": {
    "name": "get_weather", "description": "The weather in a city.",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}
CLOCK = {"type": "function", "function": {"name": "get_time", "description": "The time in a city.",
                                          "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}


@pytest.fixture(scope="module")
def fstandin(tmp_path_factory):
    s = harness.Standin(tmp_path_factory.mktemp("fstandin"), bodies=True).start()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def fproxy(tmp_path_factory, fstandin, bins, claude):
    p = harness.Proxy(tmp_path_factory.mktemp("functions"), fstandin, bins=bins, claude=claude)
    p.start()
    yield p
    p.stop()


def user(text: str) -> dict:
    return {"role": "user", "content": text}


def body_of_last_request(standin, marker: str) -> dict:
    """The newest /v1/messages body whose text mentions `marker`."""
    for saved in reversed(standin.bodies()):
        if saved.get("path", "").split("?")[0] == "/v1/messages" and marker in json.dumps(saved.get("body")):
            return saved["body"]
    raise AssertionError(f"no saved request mentions {marker!r}")


def test_a_call_ends_the_turn_with_tool_calls(fproxy, fstandin):
    resp = fproxy.post_chat({"model": "sonnet", "tools": [WEATHER], "messages": [
        user('single-call STANDIN:tool mcp__ccproxy__get_weather {"city": "Paris"}')]})
    assert resp.status == 200, resp
    body = resp.json()
    choice = body["choices"][0]
    assert choice["finish_reason"] == "tool_calls", body
    calls = choice["message"]["tool_calls"]
    assert len(calls) == 1, body
    assert calls[0]["type"] == "function" and calls[0]["function"]["name"] == "get_weather", body
    assert json.loads(calls[0]["function"]["arguments"]) == {"city": "Paris"}, body
    assert calls[0]["id"], body
    assert choice["message"]["content"] is None, body
    assert "x-cc-ignored-params" not in {k.lower() for k in resp.headers}, resp.headers
    # The function was in the model's tool list from the first request, with its schema.
    sent = body_of_last_request(fstandin, "single-call")
    tools = {t.get("name"): t for t in sent.get("tools") or []}
    assert "mcp__ccproxy__get_weather" in tools, sorted(tools)
    assert tools["mcp__ccproxy__get_weather"]["input_schema"]["properties"] == {"city": {"type": "string"}}, tools
