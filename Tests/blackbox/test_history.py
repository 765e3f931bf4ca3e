"""Stateless history: earlier messages reach claude as the contract's transcript (the stand-in's
STANDIN:echo-user answers with the text block claude received), and malformed messages are a
400 that names the field."""
from __future__ import annotations

import json

import pytest

from harness import chat_text, openai_error, user

CHAT = "/v1/chat/completions"


def echo(proxy, messages: list, **extra) -> str:
    return chat_text(proxy.post_chat({"model": "sonnet", "messages": messages, **extra}))


def test_single_user_message_is_sent_as_is(proxy):
    assert echo(proxy, [user("just this\nSTANDIN:echo-user")]) == "just this\nSTANDIN:echo-user"


def test_system_messages_are_not_part_of_the_transcript(proxy):
    assert echo(proxy, [{"role": "system", "content": "be brief"}, user("alone STANDIN:echo-user")]) \
        == "alone STANDIN:echo-user"


def test_multi_turn_transcript_with_tool_calls(proxy):
    messages = [
        user("hi"),
        {"role": "assistant", "content": "hello"},
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'}}]},
        {"role": "tool", "tool_call_id": "call_1", "content": "sunny"},
        user("how are you? STANDIN:echo-user"),
    ]
    want = ("Conversation so far:\n\n"
            "[user]\nhi\n\n"
            "[assistant]\nhello\n\n"
            '[assistant called tool get_weather (id call_1) with {"city":"Paris"}]\n\n'
            "[tool result for call_1]\nsunny\n\n"
            "Latest user message:\nhow are you? STANDIN:echo-user")
    got = echo(proxy, messages)
    assert got == want, f"transcript differs:\n got      {got!r}\n expected {want!r}"


def test_the_model_can_see_earlier_turns_streaming(proxy):
    """The same over a stream, with text parts and a developer message mixed in."""
    s = proxy.stream_chat({"model": "sonnet", "messages": [
        {"role": "developer", "content": "dev note"},
        user([{"type": "text", "text": "my name is Ada"}]),
        {"role": "assistant", "content": [{"type": "text", "text": "Nice to meet you, Ada."}]},
        user([{"type": "text", "text": "what is my name?"}, {"type": "input_text", "text": "STANDIN:echo-user"}]),
    ]})
    r = s.read_all()
    assert r.done, r.summary()
    assert "[user]\nmy name is Ada\n\n[assistant]\nNice to meet you, Ada.\n\nLatest user message:\nwhat is my name?" \
        in r.text, r.text
    assert r.text.startswith("Conversation so far:\n\n"), r.text
    assert "dev note" not in r.text, "developer messages go to the system prompt, not the transcript"


def test_ending_with_assistant_asks_to_continue(proxy):
    got = echo(proxy, [user("STANDIN:echo-user tell a story"), {"role": "assistant", "content": "Once upon"}])
    want = ("Conversation so far:\n\n[user]\nSTANDIN:echo-user tell a story\n\n[assistant]\nOnce upon\n\n"
            "Continue the assistant response.")
    assert got == want, f"\n got      {got!r}\n expected {want!r}"


def test_legacy_function_role_is_accepted(proxy):
    got = echo(proxy, [user("weather?"), {"role": "function", "name": "get_weather", "content": "rainy"},
                       user("STANDIN:echo-user")])
    assert "rainy" in got and got.endswith("Latest user message:\nSTANDIN:echo-user"), got


# --------------------------------------------------------------------------- refusals


@pytest.mark.parametrize("messages,param,code,message", [
    ([user("hi"), {"role": "robot", "content": "beep"}], "messages[1].role", "invalid_role",
     'messages[1].role "robot" must be one of: system, developer, user, assistant, tool, function'),
    ([user([{"type": "text", "text": "hi"}, {"type": "input_audio", "input_audio": {"data": "", "format": "wav"}}])],
     "messages[0].content[1].type", "unsupported_content", 'messages[0].content[1].type "input_audio" is not supported'),
    ([user(42)], "messages[0].content", None, None),
    ([user({"text": "hi"})], "messages[0].content", None, None),
    ([user(None)], "messages[0].content", None, None),
    ([{"role": "system", "content": None}, user("hi")], "messages[0].content", None, None),
    ([user([{"type": "text"}])], "messages[0].content[0].text", None, None),
])
def test_malformed_messages_are_400_naming_the_field(proxy, standin, messages, param, code, message):
    mark = standin.mark()
    resp = proxy.post_chat({"model": "sonnet", "messages": messages})
    err = openai_error(resp, 400, code=code, etype="invalid_request_error")
    assert param in err["message"], f"the message should name {param}: {err}"
    assert err["param"] == param, f"error.param should be {param!r}: {err}"
    if message is not None:
        assert err["message"] == message, err
    assert not standin.messages(mark), "a refused request must not reach claude"


def test_messages_must_be_a_non_empty_array(proxy):
    for body in ({"model": "sonnet"}, {"model": "sonnet", "messages": []}, {"model": "sonnet", "messages": "hi"}):
        err = openai_error(proxy.post_chat(body), 400, etype="invalid_request_error")
        assert "messages" in err["message"], (body, err)
    err = openai_error(proxy.request("POST", CHAT, json.dumps([1, 2]).encode(),
                                     headers={"Content-Type": "application/json"}), 400)
    assert err["type"] == "invalid_request_error", err
