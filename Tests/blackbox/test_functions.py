"""OpenAI function calling with the real CLI and the stand-in: the client's functions reach
claude as the tools of the turn's own MCP server (`mcp__ccproxy__<name>`, in the model's tool
list from the first request), a call ends the request with `tool_calls` while claude waits for
the results in its worker, and the follow-up continues that same claude (or, once the wait is
over, is served from the transcript)."""
from __future__ import annotations

import json
import signal
import time

import pytest

import harness

WEATHER = {"type": "function", "function": {
    "name": "get_weather", "description": "The weather in a city.",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}
WAIT_SECONDS = 4
CLOCK = {"type": "function", "function": {"name": "get_time", "description": "The time in a city.",
                                          "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}


@pytest.fixture(scope="module")
def fstandin(tmp_path_factory):
    s = harness.Standin(tmp_path_factory.mktemp("fstandin"), bodies=True).start()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def fproxy(tmp_path_factory, fstandin, bins, claude):
    # Waiting turns end after 4 s here, so that the module's calls do not pile up waiting claudes.
    p = harness.Proxy(tmp_path_factory.mktemp("functions"), fstandin, bins=bins, claude=claude,
                      config={"tool_result_timeout": f"{WAIT_SECONDS}s"})
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
    # No result line comes; the usage is what the turn's API messages reported.
    assert body["usage"]["prompt_tokens"] > 0 and body["usage"]["completion_tokens"] > 0, body
    assert "x-cc-ignored-params" not in {k.lower() for k in resp.headers}, resp.headers
    # The function was in the model's tool list from the first request, with its schema.
    sent = body_of_last_request(fstandin, "single-call")
    tools = {t.get("name"): t for t in sent.get("tools") or []}
    assert "mcp__ccproxy__get_weather" in tools, sorted(tools)
    assert tools["mcp__ccproxy__get_weather"]["input_schema"]["properties"] == {"city": {"type": "string"}}, tools


def test_a_streamed_call_sends_delta_tool_calls(fproxy):
    r = fproxy.stream_chat({"model": "sonnet", "tools": [WEATHER], "messages": [
        user('STANDIN:tool mcp__ccproxy__get_weather {"city": "Oslo"}')]}).read_all()
    assert r.done, r.summary()
    pieces = [c for chunk in r.chunks for choice in chunk.get("choices", [])
              for c in (choice.get("delta") or {}).get("tool_calls") or []]
    assert pieces, r.summary()
    first = pieces[0]
    assert first["index"] == 0 and first["id"] and first["type"] == "function", pieces
    assert first["function"]["name"] == "get_weather", pieces
    # The arguments come in pieces (the stand-in streams the input in two halves).
    argument_pieces = [p["function"]["arguments"] for p in pieces if p["function"].get("arguments")]
    assert len(argument_pieces) >= 2, pieces
    assert json.loads("".join(p["function"]["arguments"] for p in pieces)) == {"city": "Oslo"}, pieces
    assert all("id" not in p for p in pieces[1:]), pieces
    assert r.finish_reasons == ["tool_calls"], r.summary()


def test_two_parallel_calls(fproxy):
    resp = fproxy.post_chat({"model": "sonnet", "tools": [WEATHER, CLOCK], "messages": [user(
        'STANDIN:tools mcp__ccproxy__get_weather {"city": "Rome"} | mcp__ccproxy__get_time {"city": "Lima"}')]})
    assert resp.status == 200, resp
    choice = resp.json()["choices"][0]
    assert choice["finish_reason"] == "tool_calls", choice
    calls = choice["message"]["tool_calls"]
    assert [c["function"]["name"] for c in calls] == ["get_weather", "get_time"], calls
    assert [json.loads(c["function"]["arguments"]) for c in calls] == [{"city": "Rome"}, {"city": "Lima"}], calls
    assert len({c["id"] for c in calls}) == 2, calls


def test_tool_choice_none_offers_no_functions(fproxy, fstandin):
    resp = fproxy.post_chat({"model": "sonnet", "tools": [WEATHER], "tool_choice": "none",
                             "messages": [user("choice-none STANDIN:reply plain")]})
    assert resp.status == 200, resp
    assert resp.json()["choices"][0]["message"]["content"] == "plain", resp.json()
    names = [t.get("name") for t in body_of_last_request(fstandin, "choice-none").get("tools") or []]
    assert not [n for n in names if n.startswith("mcp__ccproxy__")], names


def test_tool_choice_required_is_told_and_an_unmet_choice_is_visible(fproxy, fstandin):
    resp = fproxy.post_chat({"model": "sonnet", "tools": [WEATHER], "tool_choice": "required",
                             "messages": [user("choice-required STANDIN:reply no call")]})
    assert resp.status == 200, resp
    choice = resp.json()["choices"][0]
    assert choice["finish_reason"] == "stop" and "tool_calls" not in choice["message"], choice
    assert resp.header("x-cc-tool-choice-unmet") == "true", resp.headers
    system = json.dumps(body_of_last_request(fstandin, "choice-required").get("system"))
    assert "You must call one of the mcp__ccproxy__" in system, system


def test_a_named_tool_choice_is_told(fproxy, fstandin):
    resp = fproxy.post_chat({"model": "sonnet", "tools": [WEATHER, CLOCK],
                             "tool_choice": {"type": "function", "function": {"name": "get_time"}},
                             "messages": [user('choice-named STANDIN:tool mcp__ccproxy__get_time {"city": "Kyiv"}')]})
    assert resp.status == 200, resp
    assert resp.header("x-cc-tool-choice-unmet") is None, resp.headers
    assert resp.json()["choices"][0]["message"]["tool_calls"][0]["function"]["name"] == "get_time", resp.json()
    system = json.dumps(body_of_last_request(fstandin, "choice-named").get("system"))
    assert "You must call the tool mcp__ccproxy__get_time" in system, system


def test_the_follow_up_is_served_from_the_transcript(fproxy):
    resp = fproxy.post_chat({"model": "sonnet", "tools": [WEATHER], "messages": [
        user("STANDIN:echo-user weather in Paris?"),
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'}}]},
        {"role": "tool", "tool_call_id": "call_1", "content": "sunny, 21 C"},
    ]})
    assert resp.status == 200, resp
    choice = resp.json()["choices"][0]
    assert choice["finish_reason"] == "stop", choice
    text = choice["message"]["content"]
    assert '[assistant called tool get_weather (id call_1) with {"city":"Paris"}]' in text, text
    assert "[tool result for call_1]\nsunny, 21 C" in text, text


def test_a_client_function_and_bash_in_one_turn(fproxy):
    resp = fproxy.post_chat({"model": "sonnet", "tools": [WEATHER], "messages": [user(
        'STANDIN:bash-then mcp__ccproxy__get_weather {"city": "Bern"} ;; echo bash-ran-$((40+2))')]},
        headers={"X-CC-Verbosity": "text-only"})
    assert resp.status == 200, resp
    choice = resp.json()["choices"][0]
    assert choice["finish_reason"] == "tool_calls", choice
    # Bash ran inside the turn and is no tool_call; the client's function is.
    assert [c["function"]["name"] for c in choice["message"]["tool_calls"]] == ["get_weather"], choice
    assert "bash said: bash-ran-42" in (choice["message"]["content"] or ""), choice


@pytest.mark.parametrize("extra, param", [
    ({"tools": [{"type": "function", "function": {"name": "bad name"}}]}, "tools[0].function.name"),
    ({"tools": [{"type": "function", "function": {"name": "f", "parameters": "x"}}]}, "tools[0].function.parameters"),
    ({"tools": [{"type": "function", "function": {"name": f"f{i}"}} for i in range(129)]}, "tools"),
    ({"tools": [WEATHER], "tool_choice": {"type": "function", "function": {"name": "nope"}}},
     "tool_choice.function.name"),
    ({"messages": [user("hi"), {"role": "tool", "tool_call_id": "call_x", "content": "r"}]}, "messages[1].tool_call_id"),
])
def test_bad_tool_input_is_a_400_naming_the_field(fproxy, extra, param):
    body = {"model": "sonnet", "messages": [user("STANDIN:reply never")], **extra}
    resp = fproxy.post_chat(body)
    assert resp.status == 400, resp
    assert resp.json()["error"]["param"] == param, resp.json()


PERSON = {"type": "object", "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
          "required": ["name", "age"]}


def test_json_schema_structured_output_is_the_content(fproxy, fstandin):
    resp = fproxy.post_chat({"model": "sonnet", "messages": [
        user('structured-schema STANDIN:tool StructuredOutput {"name": "Ada", "age": 36}')],
        "response_format": {"type": "json_schema", "json_schema": {"name": "person", "schema": PERSON}}})
    assert resp.status == 200, resp
    choice = resp.json()["choices"][0]
    assert json.loads(choice["message"]["content"]) == {"name": "Ada", "age": 36}, choice
    assert "x-cc-ignored-params" not in {k.lower() for k in resp.headers}, resp.headers
    # claude got the schema (as its StructuredOutput tool).
    tools = {t.get("name"): t for t in body_of_last_request(fstandin, "structured-schema").get("tools") or []}
    assert tools.get("StructuredOutput", {}).get("input_schema", {}).get("required") == ["name", "age"], sorted(tools)


def test_json_schema_streamed(fproxy):
    r = fproxy.stream_chat({"model": "sonnet", "messages": [
        user('STANDIN:tool StructuredOutput {"name": "Bo", "age": 7}')],
        "response_format": {"type": "json_schema", "json_schema": {"name": "person", "schema": PERSON}}}).read_all()
    assert r.done, r.summary()
    assert json.loads(r.text) == {"name": "Bo", "age": 7}, r.summary()
    assert r.finish_reasons == ["stop"], r.summary()


def test_json_object_is_checked_json(fproxy):
    resp = fproxy.post_chat({"model": "sonnet", "response_format": {"type": "json_object"}, "messages": [
        user('STANDIN:tool StructuredOutput {"ok": true}')]})
    assert resp.status == 200, resp
    assert json.loads(resp.json()["choices"][0]["message"]["content"]) == {"ok": True}, resp.json()


def test_structured_output_never_given_is_an_error_not_an_answer(fproxy):
    resp = fproxy.post_chat({"model": "sonnet", "response_format": {"type": "json_object"}, "messages": [
        user("STANDIN:reply not json at all")]}, timeout=120)
    assert resp.status == 502, resp
    assert "structured output" in resp.json()["error"]["message"], resp.json()


def test_a_schema_claude_cannot_take_is_a_400(fproxy):
    resp = fproxy.post_chat({"model": "sonnet", "messages": [user("STANDIN:reply never")],
                             "response_format": {"type": "json_schema",
                                                 "json_schema": {"name": "bad", "schema": {"type": "objectx"}}}})
    assert resp.status == 400, resp
    assert resp.json()["error"]["param"] == "response_format.json_schema.schema", resp.json()


# --------------------------------------------------------------------------- real clients
def test_openai_sdk_tools_loop(fproxy):
    import openai
    client = openai.OpenAI(base_url=fproxy.url + "/v1", api_key=fproxy.require_bearer(), timeout=90, max_retries=0)
    messages = [{"role": "user", "content": 'STANDIN:tool mcp__ccproxy__get_weather {"city": "Paris"}'}]
    first = client.chat.completions.create(model="sonnet", messages=messages, tools=[WEATHER])
    choice = first.choices[0]
    assert choice.finish_reason == "tool_calls", first
    call = choice.message.tool_calls[0]
    assert call.function.name == "get_weather" and json.loads(call.function.arguments) == {"city": "Paris"}, first
    messages.append(choice.message.model_dump(exclude_none=True))
    messages.append({"role": "tool", "tool_call_id": call.id, "content": "sunny, 21 C"})
    final = client.chat.completions.create(model="sonnet", messages=messages, tools=[WEATHER])
    assert final.choices[0].finish_reason == "stop", final
    # The same claude got the result as its tool's answer (a transcript would say "transcript said").
    assert final.choices[0].message.content == "tool said: sunny, 21 C", final


def test_openai_sdk_stream_helper_accepts_tool_calls(fproxy):
    import openai
    client = openai.OpenAI(base_url=fproxy.url + "/v1", api_key=fproxy.require_bearer(), timeout=90, max_retries=0)
    with client.chat.completions.stream(
            model="sonnet", tools=[WEATHER],
            messages=[{"role": "user", "content": 'STANDIN:tool mcp__ccproxy__get_weather {"city": "Riga"}'}]) as stream:
        for _ in stream:
            pass
        completion = stream.get_final_completion()
    choice = completion.choices[0]
    assert choice.finish_reason == "tool_calls", completion
    assert choice.message.tool_calls[0].function.name == "get_weather", completion
    assert json.loads(choice.message.tool_calls[0].function.arguments) == {"city": "Riga"}, completion


def test_langchain_bind_tools_and_structured_output(fproxy):
    pytest.importorskip("langchain_openai")
    from langchain_openai import ChatOpenAI
    from pydantic import BaseModel

    model = ChatOpenAI(model="sonnet", base_url=fproxy.url + "/v1", api_key=fproxy.require_bearer(),
                       timeout=90, max_retries=0)

    def get_weather(city: str) -> str:
        """The weather in a city."""
        return "sunny"

    answer = model.bind_tools([get_weather]).invoke('STANDIN:tool mcp__ccproxy__get_weather {"city": "Oslo"}')
    assert answer.tool_calls and answer.tool_calls[0]["name"] == "get_weather", answer
    assert answer.tool_calls[0]["args"] == {"city": "Oslo"}, answer

    class Person(BaseModel):
        name: str
        age: int

    person = model.with_structured_output(Person, method="json_schema").invoke(
        'STANDIN:tool StructuredOutput {"name": "Ada", "age": 36}')
    assert person == Person(name="Ada", age=36), person

    # The function-calling method: a forced tool_choice naming the schema's function.
    called = model.with_structured_output(Person, method="function_calling").invoke(
        'STANDIN:tool mcp__ccproxy__Person {"name": "Bo", "age": 7}')
    assert called == Person(name="Bo", age=7), called


@pytest.mark.parametrize("name", ["get-weather", "f" * 64])
def test_names_with_hyphens_and_of_64_characters(fproxy, name):
    tool = {"type": "function", "function": {"name": name, "parameters": {"type": "object", "properties": {}}}}
    resp = fproxy.post_chat({"model": "sonnet", "tools": [tool],
                             "messages": [user(f"STANDIN:tool mcp__ccproxy__{name} {{}}")]})
    assert resp.status == 200, resp
    calls = resp.json()["choices"][0]["message"].get("tool_calls")
    assert calls and calls[0]["function"]["name"] == name, resp.json()
    assert json.loads(calls[0]["function"]["arguments"]) == {}, resp.json()


def test_a_request_shaped_like_n8ns_ai_agent(fproxy):
    """n8n's AI Agent node (LangChain underneath): a system message, zod-made schemas with
    $schema and additionalProperties, streaming with usage, tool_choice absent."""
    calculator = {"type": "function", "function": {
        "name": "calculator", "description": "Useful for getting the result of a math expression.",
        "parameters": {"type": "object", "properties": {"input": {"type": "string"}}, "required": ["input"],
                       "additionalProperties": False, "$schema": "http://json-schema.org/draft-07/schema#"}}}
    r = fproxy.stream_chat({
        "model": "sonnet", "temperature": 0.7, "stream_options": {"include_usage": True}, "tools": [calculator],
        "messages": [{"role": "system", "content": "You are a helpful assistant"},
                     user('STANDIN:tool mcp__ccproxy__calculator {"input": "2+2"}')]}).read_all()
    assert r.done, r.summary()
    assert r.finish_reasons == ["tool_calls"], r.summary()
    pieces = [c for chunk in r.chunks for choice in chunk.get("choices", [])
              for c in (choice.get("delta") or {}).get("tool_calls") or []]
    assert pieces[0]["function"]["name"] == "calculator", pieces
    assert json.loads("".join(p["function"]["arguments"] for p in pieces)) == {"input": "2+2"}, pieces
    assert r.chunks[-1].get("choices") == [] and r.chunks[-1]["usage"]["prompt_tokens"] > 0, r.chunks[-1]
    assert r.headers.get("x-cc-ignored-params") == "temperature", r.headers


def test_the_function_server_and_claude_end_with_the_turn(fproxy):
    # Bash, inside the turn's sandbox (its own PID namespace), sees the function server
    # running; after the turn no process of it is left on the host.
    resp = fproxy.post_chat({"model": "sonnet", "tools": [WEATHER], "messages": [user(
        "STANDIN:bash-then mcp__ccproxy__get_weather {} ;; "
        "cat /proc/[0-9]*/cmdline | tr '\\0' ' ' | grep -o 'mcp-function[s] /[^ ]*' | head -1")]},
        headers={"X-CC-Verbosity": "text-only"})
    choice = resp.json()["choices"][0]
    assert choice["finish_reason"] == "tool_calls", resp.json()
    state = str(fproxy.state)
    seen = choice["message"]["content"] or ""
    assert "mcp-functions " + state in seen and "client-functions.json" in seen, seen

    def servers():
        found = [p for p in harness.all_pids()
                 if "mcp-functions" in harness.cmdline(p) and any(state in a for a in harness.cmdline(p))]
        return not found, [harness.describe(p) for p in found]

    # They wait for the client's result, then end with the turn when the wait is over.
    harness.wait_until(servers, WAIT_SECONDS + 10, "no function server of this proxy left once the wait is over")
    harness.wait_until(lambda: (not fproxy.claude_pids(), fproxy.claude_pids()), 10, "no claude left after the turn")


def test_parallel_tool_calls_false_keeps_one_call(fproxy):
    resp = fproxy.post_chat({"model": "sonnet", "tools": [WEATHER, CLOCK], "parallel_tool_calls": False,
                             "messages": [user('STANDIN:tools mcp__ccproxy__get_weather {"city": "Rome"} | '
                                               'mcp__ccproxy__get_time {"city": "Lima"}')]})
    assert resp.status == 200, resp
    calls = resp.json()["choices"][0]["message"]["tool_calls"]
    assert [c["function"]["name"] for c in calls] == ["get_weather"], calls


def test_a_streamed_turn_with_text_and_bash_before_the_call(fproxy):
    import openai
    client = openai.OpenAI(base_url=fproxy.url + "/v1", api_key=fproxy.require_bearer(), timeout=90, max_retries=0)
    with client.chat.completions.stream(
            model="sonnet", tools=[WEATHER], extra_headers={"X-CC-Verbosity": "narrated"},
            messages=[{"role": "user", "content":
                       'STANDIN:bash-then mcp__ccproxy__get_weather {"city": "Turin"} ;; echo from-bash'}]) as stream:
        for _ in stream:
            pass
        completion = stream.get_final_completion()
    message = completion.choices[0].message
    assert completion.choices[0].finish_reason == "tool_calls", completion
    assert "bash said: from-bash" in (message.content or ""), completion
    assert "mcp__ccproxy__" not in (message.content or ""), completion
    assert [c.function.name for c in message.tool_calls] == ["get_weather"], completion
    assert json.loads(message.tool_calls[0].function.arguments) == {"city": "Turin"}, completion


def test_a_schema_claude_cannot_take_in_a_stream_is_the_error_event(fproxy):
    r = fproxy.stream_chat({"model": "sonnet", "messages": [user("STANDIN:reply never")],
                            "response_format": {"type": "json_schema",
                                                "json_schema": {"name": "bad", "schema": {"type": "objectx"}}}}).read_all()
    assert r.done, r.summary()
    assert r.errors and r.errors[0]["param"] == "response_format.json_schema.schema", r.summary()
    assert r.finish_reasons == [], r.summary()


def test_a_call_with_arguments_over_1_mib_fails_the_turn(fproxy):
    big = "x" * (1024 * 1024 + 10)
    resp = fproxy.post_chat({"model": "sonnet", "tools": [WEATHER], "messages": [
        user('STANDIN:tool mcp__ccproxy__get_weather {"city": "' + big + '"}')]}, timeout=120)
    assert resp.status == 502, resp
    assert "arguments over 1048576 bytes" in resp.json()["error"]["message"], resp.json()


# --------------------------------------------------------------------------- waiting turns
def test_the_follow_up_continues_the_same_waiting_claude(fproxy, fstandin):
    # The call ends the request; claude stays blocked on its tool in its worker. The follow-up,
    # on a new connection, is passed to that worker and its results go to the same claude:
    # the stand-in answers from the tool_result claude sends ("tool said"), not from a
    # transcript ("transcript said"), and no second claude is started.
    before = set(fproxy.claude_pids())
    messages = [user('waiting-same STANDIN:tool mcp__ccproxy__get_weather {"city": "Oslo"}')]
    first = fproxy.post_chat({"model": "sonnet", "tools": [WEATHER], "messages": messages})
    assert first.status == 200, first
    choice = first.json()["choices"][0]
    assert choice["finish_reason"] == "tool_calls", first.json()
    call = choice["message"]["tool_calls"][0]
    waiting = set(fproxy.claude_pids()) - before
    assert len(waiting) == 1, f"one claude waits for the result: {waiting}"
    messages += [{"role": "assistant", "content": None, "tool_calls": [call]},
                 {"role": "tool", "tool_call_id": call["id"], "content": "snow, -3 C"}]
    final = fproxy.post_chat({"model": "sonnet", "tools": [WEATHER], "messages": messages})
    assert final.status == 200, final
    body = final.json()
    assert body["choices"][0]["finish_reason"] == "stop", body
    assert body["choices"][0]["message"]["content"] == "tool said: snow, -3 C", body
    assert body["id"] != first.json()["id"] and final.header("x-request-id"), (body, final.headers)
    assert body["usage"]["completion_tokens"] > 0, body
    harness.wait_until(lambda: (not (set(fproxy.claude_pids()) & waiting), fproxy.claude_pids()), 10,
                       "the waiting claude ends with its turn")
    # The stand-in saw two API requests of this conversation, both from that one claude: the
    # first turn's, then the conversation with the tool's result (no new start, no transcript).
    seen = [saved["body"] for saved in fstandin.bodies() if "waiting-same" in json.dumps(saved.get("body"))]
    assert len(seen) == 2, [b.get("messages", [])[-1:] for b in seen]
    assert len(seen[1]["messages"]) == len(seen[0]["messages"]) + 2, [m.get("role") for m in seen[1]["messages"]]
    assert "snow, -3 C" in json.dumps(seen[1]["messages"][-1]), seen[1]["messages"][-1]


def test_the_follow_up_after_the_wait_is_served_from_the_transcript(fproxy):
    messages = [user('waiting-expired STANDIN:tool mcp__ccproxy__get_weather {"city": "Kyiv"}')]
    first = fproxy.post_chat({"model": "sonnet", "tools": [WEATHER], "messages": messages})
    call = first.json()["choices"][0]["message"]["tool_calls"][0]
    time.sleep(WAIT_SECONDS + 1.5)
    messages += [{"role": "assistant", "content": None, "tool_calls": [call]},
                 {"role": "tool", "tool_call_id": call["id"], "content": "clear"}]
    final = fproxy.post_chat({"model": "sonnet", "tools": [WEATHER], "messages": messages})
    assert final.status == 200, final
    text = final.json()["choices"][0]["message"]["content"]
    assert text.startswith("transcript said:"), final.json()


def test_a_streamed_follow_up_continues_the_waiting_turn(fproxy):
    messages = [user('waiting-stream STANDIN:tool mcp__ccproxy__get_weather {"city": "Rome"}')]
    first = fproxy.stream_chat({"model": "sonnet", "tools": [WEATHER], "messages": messages}).read_all()
    assert first.finish_reasons == ["tool_calls"], first.summary()
    deltas = [c["choices"][0]["delta"] for c in first.chunks if c.get("choices")]
    start = next(d["tool_calls"][0] for d in deltas if d.get("tool_calls") and d["tool_calls"][0].get("id"))
    arguments = "".join(d["tool_calls"][0].get("function", {}).get("arguments", "") for d in deltas if d.get("tool_calls"))
    call = {"id": start["id"], "type": "function", "function": {"name": "get_weather", "arguments": arguments}}
    messages += [{"role": "assistant", "content": None, "tool_calls": [call]},
                 {"role": "tool", "tool_call_id": call["id"], "content": "sunny"}]
    final = fproxy.stream_chat({"model": "sonnet", "tools": [WEATHER], "messages": messages}).read_all()
    text = "".join(c["choices"][0]["delta"].get("content") or "" for c in final.chunks if c.get("choices"))
    assert text == "tool said: sunny", final.summary()
    assert final.done and final.finish_reasons == ["stop"], final.summary()


def test_parallel_calls_answered_in_one_follow_up(fproxy):
    messages = [user('waiting-two STANDIN:tools mcp__ccproxy__get_weather {"city": "Oslo"} | '
                     'mcp__ccproxy__get_time {"city": "Oslo"}')]
    first = fproxy.post_chat({"model": "sonnet", "tools": [WEATHER, CLOCK], "messages": messages})
    calls = first.json()["choices"][0]["message"]["tool_calls"]
    assert len(calls) == 2, first.json()
    results = {"get_weather": "rain", "get_time": "noon"}
    messages += [{"role": "assistant", "content": None, "tool_calls": calls}]
    messages += [{"role": "tool", "tool_call_id": c["id"], "content": results[c["function"]["name"]]} for c in calls]
    final = fproxy.post_chat({"model": "sonnet", "tools": [WEATHER, CLOCK], "messages": messages})
    text = final.json()["choices"][0]["message"]["content"]
    assert text.startswith("tool said: ") and "rain" in text and "noon" in text, final.json()


def test_the_openai_sdk_loop_continues_the_waiting_claude(fproxy):
    import openai
    client = openai.OpenAI(base_url=fproxy.url + "/v1", api_key=fproxy.require_bearer(), timeout=90, max_retries=0)
    messages = [{"role": "user", "content": 'sdk-waiting STANDIN:tool mcp__ccproxy__get_weather {"city": "Lima"}'}]
    first = client.chat.completions.create(model="sonnet", messages=messages, tools=[WEATHER])
    call = first.choices[0].message.tool_calls[0]
    messages.append(first.choices[0].message.model_dump(exclude_none=True))
    messages.append({"role": "tool", "tool_call_id": call.id, "content": "fog, 14 C"})
    final = client.chat.completions.create(model="sonnet", messages=messages, tools=[WEATHER])
    assert final.choices[0].message.content == "tool said: fog, 14 C", final


def test_a_waiting_turn_counts_for_the_cap_and_its_follow_up_is_still_admitted(fproxy):
    bearer = fproxy.create_token("capped-functions", "--max-concurrent", "1")
    messages = [user('waiting-capped STANDIN:tool mcp__ccproxy__get_weather {"city": "Nice"}')]
    first = fproxy.post_chat({"model": "sonnet", "tools": [WEATHER], "messages": messages}, bearer=bearer)
    call = first.json()["choices"][0]["message"]["tool_calls"][0]
    # While the turn waits, another request of the token is over its cap...
    other = fproxy.post_chat({"model": "sonnet", "messages": [user("STANDIN:echo-user hi")]}, bearer=bearer)
    assert other.status == 429, other
    # ...and the follow-up is admitted and continues the waiting turn.
    messages += [{"role": "assistant", "content": None, "tool_calls": [call]},
                 {"role": "tool", "tool_call_id": call["id"], "content": "mild"}]
    final = fproxy.post_chat({"model": "sonnet", "tools": [WEATHER], "messages": messages}, bearer=bearer)
    assert final.status == 200, final
    assert final.json()["choices"][0]["message"]["content"] == "tool said: mild", final.json()
    # The turn is over: the token may start another.
    again = fproxy.post_chat({"model": "sonnet", "messages": [user("STANDIN:echo-user hi")]}, bearer=bearer)
    assert again.status == 200, again


def test_another_token_cannot_continue_a_waiting_turn(fproxy):
    messages = [user('waiting-owned STANDIN:tool mcp__ccproxy__get_weather {"city": "Bonn"}')]
    first = fproxy.post_chat({"model": "sonnet", "tools": [WEATHER], "messages": messages})
    call = first.json()["choices"][0]["message"]["tool_calls"][0]
    messages += [{"role": "assistant", "content": None, "tool_calls": [call]},
                 {"role": "tool", "tool_call_id": call["id"], "content": "stolen"}]
    stranger = fproxy.create_token("stranger-functions")
    final = fproxy.post_chat({"model": "sonnet", "tools": [WEATHER], "messages": messages}, bearer=stranger)
    assert final.status == 200, final
    assert final.json()["choices"][0]["message"]["content"].startswith("transcript said:"), final.json()


def test_a_drain_does_not_wait_for_a_waiting_turn(tmp_path, fstandin, bins, claude):
    proxy = harness.Proxy(tmp_path / "drain", fstandin, bins=bins, claude=claude,
                          config={"tool_result_timeout": "10m"})
    proxy.start()
    try:
        first = proxy.post_chat({"model": "sonnet", "tools": [WEATHER], "messages": [
            user('waiting-drain STANDIN:tool mcp__ccproxy__get_weather {"city": "Graz"}')]})
        assert first.json()["choices"][0]["finish_reason"] == "tool_calls", first.json()
        waiting = proxy.claude_pids()
        assert len(waiting) == 1, waiting
        started = time.monotonic()
        proxy.proc.send_signal(signal.SIGTERM)
        proxy.proc.wait(timeout=20)
        assert proxy.proc.returncode == 0, proxy.proc.returncode
        assert time.monotonic() - started < 15, "the drain waited for the client"
        harness.wait_until(lambda: (not [p for p in waiting if harness.alive(p)], waiting), 10, "the waiting claude is gone")
    finally:
        proxy.stop()
