"""Real client libraries pointed at ccproxy: the openai package (sync, async, streaming with
usage), langchain-openai's ChatOpenAI (invoke, stream, batch), litellm.completion (sync, stream,
an upstream error), and request bodies shaped like Open WebUI's and LibreChat's."""
from __future__ import annotations

import asyncio

import openai
import pytest

from harness import user

# --------------------------------------------------------------------------- openai


@pytest.fixture
def client(proxy):
    return openai.OpenAI(base_url=proxy.url + "/v1", api_key=proxy.require_bearer(), timeout=90)


def test_openai_sync_with_history_and_usage(client):
    r = client.chat.completions.create(model="sonnet", messages=[
        {"role": "system", "content": "be brief"}, user("hi"), {"role": "assistant", "content": "hello"},
        user("STANDIN:reply second turn")])
    assert r.choices[0].message.content == "second turn", r
    assert r.choices[0].finish_reason == "stop" and r.choices[0].logprobs is None, r
    assert r.usage.total_tokens == r.usage.prompt_tokens + r.usage.completion_tokens, r.usage
    assert r.usage.prompt_tokens_details is not None and r.usage.prompt_tokens_details.cached_tokens is not None, r.usage


def test_openai_stream_with_usage(client):
    stream = client.chat.completions.create(model="sonnet", stream=True, stream_options={"include_usage": True},
                                            messages=[user("STANDIN:slow 5 20")])
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "tok0 tok1 tok2 tok3 tok4 ", text
    assert [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason] == ["stop"]
    assert chunks[-1].choices == [] and chunks[-1].usage is not None and chunks[-1].usage.total_tokens > 0, chunks[-1]
    assert all(c.usage is None for c in chunks[:-1]), "usage only on the last chunk"


def test_openai_stream_without_usage(client):
    chunks = list(client.chat.completions.create(model="sonnet", stream=True, messages=[user("STANDIN:reply plain")]))
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == "plain"
    assert all(c.usage is None for c in chunks), [c.usage for c in chunks]


def test_openai_reasoning_content_stream(client):
    stream = client.chat.completions.create(model="sonnet", stream=True, reasoning_effort="low",
                                            messages=[user("STANDIN:think deep answer")])
    reasoning, text = [], []
    for c in stream:
        for ch in c.choices:
            extra = ch.delta.model_extra or {}
            if extra.get("reasoning_content"):
                reasoning.append(extra["reasoning_content"])
            if ch.delta.content:
                text.append(ch.delta.content)
    assert "".join(reasoning) == "Let me think about it." and "".join(text) == "deep answer", (reasoning, text)


def test_openai_async_parallel(proxy):
    async def main():
        async with openai.AsyncOpenAI(base_url=proxy.url + "/v1", api_key=proxy.require_bearer(), timeout=90) as c:
            plain = c.chat.completions.create(model="sonnet", messages=[user("STANDIN:reply async one")])

            async def streamed():
                s = await c.chat.completions.create(model="sonnet", stream=True, messages=[user("STANDIN:reply async two")])
                return "".join([ch.choices[0].delta.content or "" async for ch in s if ch.choices])

            a, b = await asyncio.gather(plain, streamed())
            models = [m.id async for m in c.models.list()]
            return a.choices[0].message.content, b, models

    one, two, models = asyncio.run(asyncio.wait_for(main(), 120))
    assert (one, two) == ("async one", "async two")
    assert "sonnet" in models


def test_openai_with_raw_response_headers(client):
    raw = client.chat.completions.with_raw_response.create(model="sonnet", temperature=0.5, max_tokens=10,
                                                           messages=[user("STANDIN:reply raw")])
    assert raw.headers.get("x-cc-ignored-params") == "temperature,max_tokens", raw.headers
    assert raw.headers.get("x-request-id"), raw.headers
    assert raw.parse().choices[0].message.content == "raw"


# --------------------------------------------------------------------------- langchain


@pytest.fixture
def chat_model(proxy):
    from langchain_openai import ChatOpenAI
    return ChatOpenAI(model="sonnet", base_url=proxy.url + "/v1", api_key=proxy.require_bearer(),
                      timeout=90, max_retries=0)


def test_langchain_invoke(chat_model):
    from langchain_core.messages import AIMessage, HumanMessage, SystemMessage
    msg = chat_model.invoke([SystemMessage("be brief"), HumanMessage("hi"), AIMessage("hello"),
                             HumanMessage("STANDIN:reply from langchain")])
    assert msg.content == "from langchain", msg
    assert msg.response_metadata.get("finish_reason") == "stop", msg.response_metadata
    assert msg.usage_metadata and msg.usage_metadata["total_tokens"] > 0, msg.usage_metadata


def test_langchain_stream(chat_model):
    chunks = list(chat_model.stream("STANDIN:slow 4 10"))
    assert "".join(c.content for c in chunks) == "tok0 tok1 tok2 tok3 ", chunks


def test_langchain_batch(chat_model):
    out = chat_model.batch(["STANDIN:reply batch one", "STANDIN:reply batch two"])
    assert [m.content for m in out] == ["batch one", "batch two"], out


# --------------------------------------------------------------------------- litellm


@pytest.fixture
def litellm_kw(proxy):
    import litellm
    litellm.telemetry = False
    return dict(model="openai/sonnet", api_base=proxy.url + "/v1", api_key=proxy.require_bearer(), timeout=90,
                num_retries=0)


def test_litellm_completion(litellm_kw):
    import litellm
    r = litellm.completion(messages=[user("STANDIN:reply from litellm")], **litellm_kw)
    assert r.choices[0].message.content == "from litellm", r
    assert r.choices[0].finish_reason == "stop", r
    assert r.usage.total_tokens > 0, r.usage


def test_litellm_stream(litellm_kw):
    import litellm
    chunks = list(litellm.completion(messages=[user("STANDIN:slow 3 10 w")], stream=True, **litellm_kw))
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "w0 w1 w2 ", text
    assert any(c.choices and c.choices[0].finish_reason == "stop" for c in chunks), chunks


def test_litellm_stream_surfaces_upstream_error(litellm_kw):
    """The real message reaches litellm's caller (no invented finish_reason chunk that it would stop at)."""
    import litellm
    with pytest.raises(Exception) as info:
        for _ in litellm.completion(messages=[user("STANDIN:error 400")], stream=True, **litellm_kw):
            pass
    assert "claude reported an API error" in str(info.value), repr(info.value)


# --------------------------------------------------------------------------- Open WebUI, LibreChat


def test_open_webui_chat_request(proxy):
    """Open WebUI's backend forwards the chat with its usual params and asks for usage."""
    body = {
        "stream": True,
        "model": "sonnet",
        "messages": [
            {"role": "system", "content": "You are a helpful assistant."},
            {"role": "user", "content": "Hello"},
            {"role": "assistant", "content": "Hi! How can I help?"},
            {"role": "user", "content": [{"type": "text", "text": "STANDIN:reply webui answer"}]},
        ],
        "stream_options": {"include_usage": True},
        "temperature": 0.8,
        "max_tokens": 2048,
        "top_p": 0.9,
        "frequency_penalty": 0,
        "seed": 42,
        "metadata": {"chat_id": "c-1", "message_id": "m-1", "session_id": "s-1"},
    }
    r = proxy.stream_chat(body, headers={"User-Agent": "python-requests/2.32 OpenWebUI"}).read_all()
    assert r.done and r.text == "webui answer", r.summary()
    assert r.chunks[-1]["choices"] == [] and r.chunks[-1]["usage"]["total_tokens"] > 0, r.chunks[-1]
    assert r.headers.get("x-cc-ignored-params") == "temperature,top_p,max_tokens,frequency_penalty,seed,metadata", \
        r.headers


def test_open_webui_title_generation(proxy):
    """The background title request: not streamed, a '### Task:' prompt with the chat history."""
    prompt = ("### Task:\nGenerate a concise, 3-5 word title with an emoji summarizing the chat history.\n"
              "### Guidelines:\n- The title should clearly represent the main theme or subject of the conversation.\n"
              "- Write the title in the chat's primary language; default to English if multilingual.\n"
              "### Output:\nJSON format: { \"title\": \"your concise title here\" }\n"
              "### Chat History:\n<chat_history>\nUSER: Hello\nASSISTANT: Hi! How can I help?\n</chat_history>")
    body = {"model": "sonnet", "messages": [{"role": "user", "content": prompt}], "stream": False,
            "max_tokens": 1000, "temperature": 0.1,
            "metadata": {"task": "title_generation", "task_body": {}, "chat_id": "c-1"}}
    resp = proxy.post_chat(body)
    assert resp.status == 200, resp
    data = resp.json()
    assert data["object"] == "chat.completion" and data["choices"][0]["message"]["content"] == "pong", data
    assert data["usage"]["total_tokens"] > 0, data
    assert resp.header("x-cc-ignored-params") == "temperature,max_tokens,metadata", resp.headers


def test_librechat_request(proxy):
    """LibreChat's OpenAI custom endpoint: the openai node SDK, its param set, a user id."""
    body = {
        "model": "sonnet",
        "messages": [{"role": "system", "content": "Instructions: be concise."},
                     {"role": "user", "content": "STANDIN:reply librechat answer"}],
        "stream": True,
        "temperature": 1,
        "top_p": 1,
        "presence_penalty": 0,
        "frequency_penalty": 0,
        "user": "6650f2a1b2c3d4e5f6a7b8c9",
        "stream_options": {"include_usage": True},
    }
    headers = {"User-Agent": "OpenAI/JS 4.96.0", "X-Stainless-Lang": "js", "X-Stainless-Package-Version": "4.96.0",
               "X-Stainless-Runtime": "node", "X-Stainless-Retry-Count": "0", "X-Stainless-Arch": "x64",
               "X-Stainless-OS": "Linux"}
    r = proxy.stream_chat(body, headers=headers).read_all()
    assert r.done and r.text == "librechat answer", r.summary()
    assert r.finish_reasons == ["stop"], r.summary()
    assert r.chunks[-1]["choices"] == [] and "usage" in r.chunks[-1], r.chunks[-1]
    assert r.headers.get("x-cc-ignored-params") == "temperature,top_p,presence_penalty,frequency_penalty,user", \
        r.headers


def test_librechat_title_request(proxy):
    """LibreChat titles a conversation with a short non-streamed call (max_tokens 16, temperature 0.2)."""
    body = {"model": "sonnet", "temperature": 0.2, "presence_penalty": 0, "frequency_penalty": 0, "max_tokens": 16,
            "messages": [{"role": "system", "content": "Please generate a concise, 5-word-or-less title for the "
                                                       "conversation, using its same language, with no punctuation."},
                         {"role": "user", "content": "User: Hello\nAI: Hi! How can I help?\nSTANDIN:reply Greeting"}]}
    resp = proxy.post_chat(body)
    assert resp.status == 200 and resp.json()["choices"][0]["message"]["content"] == "Greeting", resp
