"""Persistent sessions from outside: scopes, two turns that share a conversation without a
replay, owners that never see each other's sessions under the same id, a registry that
survives a restart, one turn at a time per session (a bounded wait, then 409), a claude that
lost the session (X-CC-Session-Reset), workspace binding, `ccproxyctl sessions`, and stateless
turns that leave nothing behind.

The stand-in saves every request body, so a test can read exactly what claude sent upstream:
with `--resume`, claude itself sends the earlier turns; the user message ccproxy gave it holds
the new message alone (STANDIN:echo-user answers with that text block)."""
from __future__ import annotations

import concurrent.futures
import json
import os
import time
import uuid
from pathlib import Path

import pytest

import harness
from harness import chat_text, openai_error, user

RUN = uuid.uuid4().hex[:8]


@pytest.fixture(scope="module")
def bodies_standin(tmp_path_factory):
    s = harness.Standin(tmp_path_factory.mktemp("standin-bodies"), bodies=True).start()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def session_proxy(tmp_path_factory, bodies_standin, bins, claude):
    # A configured workspace the dropped server's claude may write in.
    project = harness.reachable_dir("ccp-project-")
    harness.give_to_service_user(project)
    p = harness.Proxy(tmp_path_factory.mktemp("sessions"), bodies_standin, bins=bins, claude=claude,
                      config={"workspaces": {"proj": {"path": str(project)}}})
    p.project = project
    try:
        p.start()
        p.require_bearer()
        p.alice = p.create_token(f"alice-{RUN}", scopes="chat,session:persistent,workspace:*")
        p.bob = p.create_token(f"bob-{RUN}", scopes="chat,session:persistent")
        p.chat_only = p.create_token(f"chat-{RUN}", scopes="chat")
        yield p
    finally:
        p.stop()


@pytest.fixture
def fresh_proxy(tmp_path, bodies_standin, bins, claude):
    """A ccproxy of the test's own, on the stand-in that saves bodies."""
    made = []

    def make() -> harness.Proxy:
        p = harness.Proxy(tmp_path / f"proxy{len(made)}", bodies_standin, bins=bins, claude=claude)
        made.append(p)
        return p.start()

    yield make
    for p in made:
        p.stop()


def idle(p, sid: str, timeout: float = 20):
    """Waits until no turn holds the session (claude has exited after its answer)."""
    def check():
        entries = [e for e in json.loads(p.ctl("sessions", "list", "--json").stdout) if e["session"] == sid]
        return (bool(entries) and not any(e["busy"] for e in entries), entries)
    harness.wait_until(check, timeout, f"session {sid} to be idle")


def turn(p, bearer: str, text: str, session: str | None = None, history: list | None = None, **headers):
    hdrs = {"X-CC-Session": session} if session else {}
    hdrs.update({k.replace("_", "-"): v for k, v in headers.items()})
    return p.post_chat({"model": "sonnet", "messages": [*(history or []), user(text)]}, headers=hdrs, bearer=bearer)


def upstream_requests_with(standin, marker: str) -> list[dict]:
    """Saved /v1/messages bodies whose LAST user message mentions marker."""
    out = []
    for saved in standin.bodies():
        body = saved.get("body") or {}
        msgs = [m for m in body.get("messages") or [] if m.get("role") == "user"]
        if msgs and marker in json.dumps(msgs[-1]):
            out.append(body)
    return out


def earlier_messages_text(body: dict) -> str:
    """Everything upstream got before the last user message."""
    msgs = body.get("messages") or []
    last_user = max(i for i, m in enumerate(msgs) if m.get("role") == "user")
    return json.dumps(msgs[:last_user])


@pytest.mark.parametrize("how", ["header", "body", "model"])
def test_a_chat_only_token_is_refused_sessions_before_claude_runs(session_proxy, bodies_standin, how):
    mark = bodies_standin.mark()
    body = {"model": "sonnet", "messages": [user("hi")]}
    headers = {}
    if how == "header":
        headers["X-CC-Session"] = "s"
    elif how == "body":
        body["session_id"] = "s"
    else:
        body["model"] = "sonnet:session=s"
    r = session_proxy.post_chat(body, headers=headers, bearer=session_proxy.chat_only)
    err = openai_error(r, 403, etype="permission_error")
    assert "session:persistent" in err["message"], err
    assert bodies_standin.messages(mark) == [], "claude ran for a refused request"


def test_two_turns_share_the_conversation_without_a_replay(session_proxy, bodies_standin):
    p, sid, marker = session_proxy, f"two-{RUN}", f"MARK-{uuid.uuid4().hex[:6]}"
    first = turn(p, p.alice, f"remember {marker} STANDIN:reply noted", sid)
    assert chat_text(first) == "noted"
    second_text = f"second-{marker} STANDIN:echo-user"
    history = [user(f"remember {marker} STANDIN:reply noted"), {"role": "assistant", "content": "noted"}]
    second = turn(p, p.alice, second_text, sid, history=history)
    # claude got the new message alone (a replayed transcript would start "Conversation so far").
    assert chat_text(second) == second_text
    upstream = upstream_requests_with(bodies_standin, f"second-{marker}")
    assert upstream, "no upstream request for the second turn"
    assert marker in earlier_messages_text(upstream[-1]), \
        f"the second turn does not see the first: {earlier_messages_text(upstream[-1])[:2000]}"
    assert "Conversation so far" not in json.dumps(upstream[-1]["messages"]), "the transcript was replayed"


def test_stream_turns_on_a_session_too(session_proxy, bodies_standin):
    p, sid, marker = session_proxy, f"stream-{RUN}", f"SMARK-{uuid.uuid4().hex[:6]}"
    assert chat_text(turn(p, p.alice, f"{marker} STANDIN:reply one", sid)) == "one"
    s = p.stream_chat({"model": "sonnet", "messages": [user(f"next-{marker} STANDIN:echo-user")]},
                      headers={"X-CC-Session": sid}, bearer=p.alice)
    r = s.read_all()
    assert r.done and r.text == f"next-{marker} STANDIN:echo-user", r.summary()
    assert marker in earlier_messages_text(upstream_requests_with(bodies_standin, f"next-{marker}")[-1])


def test_another_owner_with_the_same_id_sees_nothing(session_proxy, bodies_standin):
    p, sid, secret = session_proxy, f"shared-name-{RUN}", f"SECRET-{uuid.uuid4().hex[:6]}"
    assert chat_text(turn(p, p.alice, f"{secret} STANDIN:reply kept", sid)) == "kept"
    probe = f"bob-probe-{uuid.uuid4().hex[:6]}"
    assert chat_text(turn(p, p.bob, f"{probe} STANDIN:reply hello bob", sid)) == "hello bob"
    upstream = upstream_requests_with(bodies_standin, probe)
    assert upstream and secret not in json.dumps(upstream[-1]), "bob's turn carried alice's conversation"
    listed = json.loads(p.ctl("sessions", "list", "--json").stdout)
    owners = {e["owner"] for e in listed if e["session"] == sid}
    assert len(owners) == 2, f"expected one session per owner for {sid}: {listed}"


def test_ephemeral_and_session_directories(session_proxy):
    p = session_proxy
    assert chat_text(turn(p, p.alice, "STANDIN:bash pwd")).startswith("tool said: ")
    turns = p.state / "turns"
    # The answer goes out at claude's result; its directory goes once claude has exited.
    harness.wait_until(lambda: ((left := list(turns.iterdir()) if turns.exists() else []) == [], left), 15,
                       "the stateless turn's directories to be removed")
    sid = f"dirs-{RUN}"
    said = chat_text(turn(p, p.alice, "STANDIN:bash pwd", sid))
    entry = next(e for e in json.loads(p.ctl("sessions", "list", "--json").stdout) if e["session"] == sid)
    workspace = p.state / "sessions" / entry["claude_session_id"] / "workspace"
    assert workspace.is_dir(), f"no session workspace at {workspace}"
    assert str(workspace) in said, f"the session's turn did not run in its workspace: {said!r}"


def test_a_session_is_bound_to_its_workspace(session_proxy):
    p, sid = session_proxy, f"ws-{RUN}"
    name = f"file-{RUN}.txt"
    said = chat_text(turn(p, p.alice, f"STANDIN:bash echo hi > {name} && pwd", sid, X_CC_Workspace="proj"))
    assert (p.project / name).read_text().strip() == "hi", said
    # The next turn needs no header: the session remembers its workspace.
    said = chat_text(turn(p, p.alice, "STANDIN:bash ls", sid))
    assert name in said, said
    # A request naming another workspace than the session's is refused, not silently moved.
    r = turn(p, p.alice, "hi", f"dirs-{RUN}", X_CC_Workspace="proj")
    openai_error(r, 409, code="session_workspace_conflict")


def test_one_turn_at_a_time_then_409(session_proxy):
    """A session held by a slow turn: later turns wait and then run, one by one; more waiters
    than the bound (4) are refused at once with 409 session_busy and Retry-After."""
    p, sid = session_proxy, f"busy-{RUN}"
    assert chat_text(turn(p, p.alice, "STANDIN:reply warm", sid)) == "warm"
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        holder = pool.submit(turn, p, p.alice, "STANDIN:sleep 4", sid)
        harness.wait_until(lambda: (any(e["busy"] for e in json.loads(p.ctl("sessions", "list", "--json").stdout)
                                        if e["session"] == sid), None), 20, "the slow turn to hold the session")
        waiters = [pool.submit(turn, p, p.alice, f"STANDIN:reply w{i}", sid) for i in range(6)]
        results = [f.result(timeout=120) for f in waiters]
        assert holder.result(timeout=60).status == 200
    statuses = sorted(r.status for r in results)
    assert statuses.count(409) >= 2 and statuses.count(200) >= 2, [repr(r) for r in results]
    busy = next(r for r in results if r.status == 409)
    openai_error(busy, 409, code="session_busy")
    assert busy.header("retry-after"), busy


def test_sessions_survive_a_restart(fresh_proxy, bodies_standin):
    p = fresh_proxy()
    p.require_bearer()
    bearer = p.create_token(f"restart-{RUN}", scopes="chat,session:persistent")
    sid, marker = f"durable-{RUN}", f"DURABLE-{uuid.uuid4().hex[:6]}"
    assert chat_text(turn(p, bearer, f"{marker} STANDIN:reply saved", sid)) == "saved"
    p.stop()
    p.tmpdir.mkdir(parents=True, exist_ok=True)
    p.start()
    probe = f"after-restart-{uuid.uuid4().hex[:6]}"
    r = turn(p, bearer, f"{probe} STANDIN:reply back", sid)
    assert chat_text(r) == "back"
    assert r.header("x-cc-session-reset") is None, r
    assert marker in earlier_messages_text(upstream_requests_with(bodies_standin, probe)[-1]), \
        "the session did not survive the restart"


def test_a_session_claude_lost_starts_over_and_says_so(fresh_proxy, bodies_standin):
    p = fresh_proxy()
    p.require_bearer()
    bearer = p.create_token(f"lost-{RUN}", scopes="chat,session:persistent")
    sid, marker = f"lost-{RUN}", f"LOST-{uuid.uuid4().hex[:6]}"
    assert chat_text(turn(p, bearer, f"{marker} STANDIN:reply one", sid)) == "one"
    idle(p, sid)
    claude_id = next(e for e in json.loads(p.ctl("sessions", "list", "--json").stdout)
                     if e["session"] == sid)["claude_session_id"]
    transcripts = [f for root in (p.home, p.state) for f in Path(root).rglob(f"{claude_id}.jsonl")]
    assert transcripts, f"claude's transcript of {claude_id} not found under {p.home} or {p.state}"
    for f in transcripts:
        f.unlink()
    probe = f"lost-probe-{uuid.uuid4().hex[:6]}"
    r = turn(p, bearer, f"{probe} STANDIN:reply fresh", sid)
    assert chat_text(r) == "fresh"
    assert r.header("x-cc-session-reset") == "true", r
    assert marker not in earlier_messages_text(upstream_requests_with(bodies_standin, probe)[-1])
    # And the session works again from there.
    probe2 = f"lost-probe2-{uuid.uuid4().hex[:6]}"
    r = turn(p, bearer, f"{probe2} STANDIN:reply again", sid)
    assert chat_text(r) == "again" and r.header("x-cc-session-reset") is None, r
    assert probe in earlier_messages_text(upstream_requests_with(bodies_standin, probe2)[-1])


def test_ctl_sessions_end(session_proxy, bodies_standin):
    p, sid, marker = session_proxy, f"end-{RUN}", f"END-{uuid.uuid4().hex[:6]}"
    assert chat_text(turn(p, p.bob, f"{marker} STANDIN:reply x", sid)) == "x"
    table = p.ctl("sessions", "list").stdout
    assert sid in table and "OWNER" in table, table
    idle(p, sid)
    cp = p.ctl("sessions", "end", sid)
    assert "ended 1 session" in cp.stdout, cp.stdout
    assert all(e["session"] != sid for e in json.loads(p.ctl("sessions", "list", "--json").stdout))
    cp = p.ctl("sessions", "end", sid, check=False)
    assert cp.returncode == 1, cp
    probe = f"end-probe-{uuid.uuid4().hex[:6]}"
    assert chat_text(turn(p, p.bob, f"{probe} STANDIN:reply new", sid)) == "new"
    assert marker not in earlier_messages_text(upstream_requests_with(bodies_standin, probe)[-1])


def transcripts_under(*roots) -> set[Path]:
    """Every *.jsonl below roots, tolerating directories that vanish meanwhile (a turn's
    directory is removed while the walk runs)."""
    found = set()
    for root in roots:
        for directory, _, files in os.walk(root, onerror=lambda e: None):
            found.update(Path(directory) / f for f in files if f.endswith(".jsonl"))
    return found


def test_stateless_turns_leave_no_claude_transcript(session_proxy):
    p = session_proxy
    before = transcripts_under(p.home, p.state / "homes", p.state / "sessions")
    assert chat_text(turn(p, p.alice, "STANDIN:reply nothing kept")) == "nothing kept"
    after = transcripts_under(p.home, p.state / "homes", p.state / "sessions")
    assert after - before == set(), f"a stateless turn left transcripts: {sorted(after - before)}"


def test_invalid_session_ids_are_400(session_proxy, bodies_standin):
    p = session_proxy
    mark = bodies_standin.mark()
    r = p.post_chat({"model": "sonnet", "messages": [user("hi")], "session_id": "x" * 129}, bearer=p.alice)
    err = openai_error(r, 400, code="invalid_session_id")
    assert err.get("param") == "session_id", err
    assert bodies_standin.messages(mark) == []


def test_a_turn_record_written_under_a_locked_database_lands_later(session_proxy, bodies_standin):
    """The registry's writes run on the authority thread with a short busy timeout: a turn
    that ends while another process holds the database is not lost (the record is retried),
    and the next turn on the session, still under the lock, resumes the conversation."""
    import sqlite3

    p, sid, marker = session_proxy, f"locked-{RUN}", f"LMARK-{uuid.uuid4().hex[:6]}"
    db = str(p.state / "tokens.db")

    def started() -> int | None:
        con = sqlite3.connect(db, timeout=10)
        try:
            row = con.execute("SELECT started FROM sessions WHERE name = ?", (sid,)).fetchone()
            return None if row is None else int(row[0])
        finally:
            con.close()

    s = p.stream_chat({"model": "sonnet", "messages": [user(f"{marker} STANDIN:slow 20 50")]},
                      headers={"X-CC-Session": sid}, bearer=p.alice)
    s.read_until_content()  # the session exists (looked up before claude started)
    holder = sqlite3.connect(db, timeout=10, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        r = s.read_all()
        assert r.done, r.summary()
        time.sleep(1)  # the turn's record is refused by the lock meanwhile
        assert started() == 0, "the turn's record was written through the lock: this test proves nothing"
        # Still locked: the next turn reads the session (readers pass) and resumes it.
        second = turn(p, p.alice, f"next-{marker} STANDIN:echo-user", sid)
        assert chat_text(second) == f"next-{marker} STANDIN:echo-user"
        assert marker in earlier_messages_text(upstream_requests_with(bodies_standin, f"next-{marker}")[-1])
        assert p.request("GET", "/healthz", bearer=None, timeout=5).status == 200
    finally:
        holder.execute("COMMIT")
        holder.close()
    harness.wait_until(lambda: (started() == 1, started()), 20, "the kept turn record after the lock was released")
