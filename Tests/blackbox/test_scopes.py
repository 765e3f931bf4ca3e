"""Scopes as the reference has them, checked before any claude runs; a 403 names the scope."""
import uuid

import harness
from harness import chat_text


def _workspace_proxy(make_proxy, tmp_path):
    # A workspace the dropped server's claude can enter (pytest's tmp dirs are root's, 0700).
    docs = harness.reachable_dir("ccp-docs-ws-")
    harness.give_to_service_user(docs)
    return make_proxy(config={"workspaces": {"docs": {"path": str(docs)}}}), docs


def test_scopes_checked_before_claude_runs(make_proxy, tmp_path):
    p, _ = _workspace_proxy(make_proxy, tmp_path)
    tag = uuid.uuid4().hex[:6]
    ws_only = p.create_token(f"ws-only-{tag}", scopes="workspace:*")
    chat_only = p.create_token(f"chat-only-{tag}", scopes="chat")
    other_ws = p.create_token(f"other-ws-{tag}", scopes="chat,workspace:other")
    docs_ws = p.create_token(f"docs-ws-{tag}", scopes="chat,workspace:docs")
    mark = p.standin.mark()

    r = p.request("GET", "/v1/models", bearer=ws_only)
    assert r.status == 403, r
    assert r.json()["error"]["message"] == "token missing required scope: chat", r.json()
    assert r.header("x-ratelimit-limit-requests") is not None, f"a 403 is an authenticated response: {r!r}"
    r = p.chat("STANDIN:reply never", bearer=ws_only)
    assert r.status == 403 and "scope: chat" in r.json()["error"]["message"], r

    for bearer in (chat_only, other_ws):
        r = p.post_chat({"model": "sonnet", "messages": [{"role": "user", "content": "STANDIN:reply never"}]},
                        headers={"X-CC-Workspace": "docs"}, bearer=bearer)
        assert r.status == 403, r
        assert r.json()["error"]["message"] == "token missing required scope: workspace:docs", r.json()
    assert p.standin.messages(mark) == [], "claude ran for a request that lacked its scope"

    r = p.post_chat({"model": "sonnet", "messages": [{"role": "user", "content": "STANDIN:reply in docs"}]},
                    headers={"X-CC-Workspace": "docs"}, bearer=docs_ws)
    assert chat_text(r) == "in docs"


def test_scope_update_takes_effect_on_the_next_request(proxy):
    name = f"upd-{uuid.uuid4().hex[:6]}"
    bearer = proxy.create_token(name, scopes="workspace:*")
    assert proxy.request("GET", "/v1/models", bearer=bearer).status == 403
    proxy.cli("token", "update", name, "--scopes", "chat")
    r = proxy.request("GET", "/v1/models", bearer=bearer)
    assert r.status == 200, f"chat granted by update, still refused: {r!r}"
    out = proxy.cli("token", "list").stdout
    assert name in out and "CONCURRENT" in out, out


def test_unknown_scope_is_refused_by_the_cli(proxy):
    cp = proxy.cli("token", "create", "--name", "bad", "--scopes", "chat,root", check=False)
    assert cp.returncode != 0 and "root" in (cp.stderr + cp.stdout), cp
