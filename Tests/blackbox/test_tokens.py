"""Token revoke and rotate take effect on the very next request while the server runs."""
import uuid

from harness import chat_text


def test_revoke_takes_effect_immediately(proxy):
    name = f"revoke-{uuid.uuid4().hex[:6]}"
    bearer = proxy.create_token(name)
    assert chat_text(proxy.chat("STANDIN:reply before revoke", bearer=bearer)) == "before revoke"
    r = proxy.request("GET", "/v1/models", bearer=bearer)
    assert r.status == 200, r
    proxy.revoke_token(name)
    r = proxy.request("GET", "/v1/models", bearer=bearer)
    assert r.status == 401, f"revoked bearer still accepted on /v1/models: {r!r}"
    r = proxy.chat("STANDIN:reply after revoke", bearer=bearer)
    assert r.status == 401, f"revoked bearer still accepted on chat: {r!r}"


def test_rotate_takes_effect_immediately(proxy):
    name = f"rotate-{uuid.uuid4().hex[:6]}"
    old = proxy.create_token(name)
    r = proxy.request("GET", "/v1/models", bearer=old)
    assert r.status == 200, r
    new = proxy.rotate_token(name)
    assert new != old
    r = proxy.request("GET", "/v1/models", bearer=old)
    assert r.status == 401, f"old bearer still accepted after rotate: {r!r}"
    r = proxy.request("GET", "/v1/models", bearer=new)
    assert r.status == 200, f"new bearer refused after rotate: {r!r}"
    assert chat_text(proxy.chat("STANDIN:reply rotated", bearer=new)) == "rotated"


def test_token_list_names(proxy):
    name = f"listed-{uuid.uuid4().hex[:6]}"
    proxy.create_token(name)
    out = proxy.cli("token", "list").stdout
    assert name in out, out


def test_requests_per_minute_limit(proxy):
    name = f"rpm-{uuid.uuid4().hex[:6]}"
    bearer = proxy.create_token(name, "--rpm", "2")
    for i in range(2):
        r = proxy.request("GET", "/v1/models", bearer=bearer)
        assert r.status == 200, f"request {i + 1} of 2 refused: {r!r}"
    r = proxy.request("GET", "/v1/models", bearer=bearer)
    assert r.status == 429, f"third request within a minute with --rpm 2: {r!r}"
    assert r.json()["error"]["type"] == "rate_limit_error", r.json()
    assert 1 <= int(r.header("Retry-After") or 0) <= 30, f"Retry-After at 2/min: {r!r}"
    # Another token is not affected.
    other = proxy.create_token(f"free-{uuid.uuid4().hex[:6]}")
    assert proxy.request("GET", "/v1/models", bearer=other).status == 200


def test_tokens_per_day_limit_counts_real_usage(proxy):
    name = f"tpd-{uuid.uuid4().hex[:6]}"
    bearer = proxy.create_token(name, "--tpd", "10")
    # One turn: claude reports thousands of input tokens, far over 10.
    assert chat_text(proxy.chat("STANDIN:reply spend", bearer=bearer)) == "spend"
    r = proxy.chat("STANDIN:reply again", bearer=bearer)
    assert r.status == 429, f"second turn after exceeding --tpd 10: {r!r}"
    assert "tokens/day" in r.json()["error"]["message"], r.json()
    assert 1 <= int(r.header("Retry-After") or 0) <= 86400, f"Retry-After until UTC midnight: {r!r}"
