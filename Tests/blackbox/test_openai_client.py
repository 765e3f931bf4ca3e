"""The official openai client works against ccproxy."""
import openai
import pytest


@pytest.fixture
def client(proxy):
    return openai.OpenAI(base_url=proxy.url + "/v1", api_key=proxy.require_bearer(), timeout=90, max_retries=0)


def test_openai_non_streaming(client):
    r = client.chat.completions.create(model="sonnet", messages=[{"role": "user", "content": "STANDIN:reply via openai"}])
    assert r.choices[0].message.content == "via openai", r
    assert r.choices[0].finish_reason == "stop", r
    assert r.usage is not None and r.usage.total_tokens >= 0, r


def test_openai_streaming(client):
    stream = client.chat.completions.create(model="sonnet", stream=True,
                                            messages=[{"role": "user", "content": "STANDIN:slow 8 30"}])
    pieces, finish = [], None
    for chunk in stream:
        for ch in chunk.choices:
            if ch.delta and ch.delta.content:
                pieces.append(ch.delta.content)
            if ch.finish_reason:
                finish = ch.finish_reason
    assert "".join(pieces) == "".join(f"tok{i} " for i in range(8)), pieces
    assert finish == "stop"


def test_openai_models_list(client):
    ids = [m.id for m in client.models.list()]
    assert "sonnet" in ids, ids


def test_openai_auth_error(proxy):
    bad = openai.OpenAI(base_url=proxy.url + "/v1", api_key="ccp_00000000_000000000000000000000000", max_retries=0, timeout=30)
    with pytest.raises(openai.AuthenticationError):
        bad.models.list()
