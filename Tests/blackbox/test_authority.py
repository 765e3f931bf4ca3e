"""The supervisor's authority: x-ratelimit-* headers, the concurrent-turn cap, a flood of wrong
secrets that neither stalls the server nor costs argon2 forever, and usage that survives a
briefly locked database."""
import sqlite3
import threading
import time
import uuid

from harness import chat_text, http_request, run_parallel, wait_until

UNLIMITED = "2147483647"
RATE_HEADERS = ("x-ratelimit-limit-requests", "x-ratelimit-remaining-requests",
                "x-ratelimit-limit-tokens", "x-ratelimit-remaining-tokens")


def rate_headers(r) -> dict:
    missing = [h for h in RATE_HEADERS if r.header(h) is None]
    assert not missing, f"missing {missing} on an authenticated response: {r!r}"
    return {h: int(r.header(h)) for h in RATE_HEADERS}


def test_rate_headers_present_and_decreasing(proxy):
    bearer = proxy.create_token(f"hdr-{uuid.uuid4().hex[:6]}", "--rpm", "3", "--tpd", "100000")
    seen = []
    for i in range(3):
        r = proxy.request("GET", "/v1/models", bearer=bearer)
        assert r.status == 200, f"request {i + 1} of 3: {r!r}"
        seen.append(rate_headers(r))
    assert [h["x-ratelimit-limit-requests"] for h in seen] == [3, 3, 3], seen
    assert [h["x-ratelimit-remaining-requests"] for h in seen] == [2, 1, 0], seen
    assert all(h["x-ratelimit-limit-tokens"] == 100000 for h in seen), seen
    assert all(h["x-ratelimit-remaining-tokens"] == 100000 for h in seen), seen
    # The refusal carries them too, with Retry-After.
    r = proxy.request("GET", "/v1/models", bearer=bearer)
    assert r.status == 429, r
    assert int(r.header("Retry-After") or 0) >= 1, r
    assert rate_headers(r)["x-ratelimit-remaining-requests"] == 0, r


def test_rate_headers_on_a_chat_and_tokens_decrease(proxy):
    bearer = proxy.create_token(f"tok-{uuid.uuid4().hex[:6]}", "--tpd", "10000000")
    first = proxy.chat("STANDIN:reply one", bearer=bearer)
    assert chat_text(first) == "one"
    before = rate_headers(first)["x-ratelimit-remaining-tokens"]
    assert before == 10000000, first

    def spent():
        r = proxy.request("GET", "/v1/models", bearer=bearer)
        left = rate_headers(r)["x-ratelimit-remaining-tokens"]
        return left < before, left
    wait_until(spent, 10, "the first turn's usage to lower x-ratelimit-remaining-tokens")


def test_unlimited_token_reports_the_unlimited_figure(proxy):
    r = proxy.request("GET", "/v1/models")
    assert r.status == 200, r
    for h in RATE_HEADERS:
        assert r.header(h) == UNLIMITED, f"{h} for an unlimited token: {r!r}"
    # An unauthenticated request gets none.
    r = proxy.request("GET", "/v1/models", bearer=None)
    assert r.status == 401 and r.header("x-ratelimit-limit-requests") is None, r


def test_concurrent_turn_cap(proxy):
    name = f"conc-{uuid.uuid4().hex[:6]}"
    bearer = proxy.create_token(name, "--max-concurrent", "1")
    slow = proxy.stream("STANDIN:sleep 4", bearer=bearer, timeout=60)
    try:
        assert slow.result.status == 200, slow.result.summary()
        slow.read_until_content()
        r = proxy.chat("STANDIN:reply second", bearer=bearer)
        assert r.status == 429, f"a second turn while one runs with --max-concurrent 1: {r!r}"
        assert "concurrent" in r.json()["error"]["message"], r.json()
        assert int(r.header("Retry-After") or 0) >= 1, r
        # Another token is not affected.
        other = proxy.create_token(f"free-{uuid.uuid4().hex[:6]}")
        assert chat_text(proxy.chat("STANDIN:reply other", bearer=other)) == "other"
        result = slow.read_all()
        assert result.done, result.summary()
    finally:
        slow.close()
    # The first turn is over: the next one runs.
    assert chat_text(proxy.chat("STANDIN:reply third", bearer=bearer)) == "third"
    # Raised while the server runs: two at once are fine.
    proxy.cli("token", "update", name, "--max-concurrent", "2")
    a = proxy.stream("STANDIN:sleep 2", bearer=bearer, timeout=60)
    try:
        assert a.result.status == 200, a.result.summary()
        a.read_until_content()
        assert chat_text(proxy.chat("STANDIN:reply alongside", bearer=bearer)) == "alongside"
        a.read_all()
    finally:
        a.close()


def test_wrong_secret_flood_does_not_stall_the_server(make_proxy):
    # A fresh server: the flood uses up 127.0.0.1's wrong-secret budget, which the shared
    # server's other tests must not inherit.
    p = make_proxy(min_idle=4)
    bearer = p.require_bearer()
    assert chat_text(p.chat("STANDIN:reply warm", bearer=bearer)) == "warm"
    prefix = bearer.split("_")[1]
    stop = threading.Event()
    statuses: dict[int, int] = {}
    bad_refusals: list[str] = []
    lock = threading.Lock()

    def flood(worker: int):
        n = 0
        while not stop.is_set():
            wrong = f"ccp_{prefix}_{worker:08x}{n:016x}"
            n += 1
            try:
                r = http_request(p.url, "GET", "/v1/models", None, {"Authorization": f"Bearer {wrong}"}, 30)
            except OSError as e:
                with lock:
                    bad_refusals.append(f"{type(e).__name__}: {e}")
                continue
            with lock:
                statuses[r.status] = statuses.get(r.status, 0) + 1
                if r.status == 429 and not r.header("Retry-After"):
                    bad_refusals.append(f"429 without Retry-After: {r!r}")
                if r.status not in (401, 429, 503):
                    bad_refusals.append(repr(r))

    # Eight flooders: enough to keep the authority busy, few enough that the machine's two
    # cores still have time for claude (each flood request costs a worker visit too).
    threads = [threading.Thread(target=flood, args=(i,), daemon=True) for i in range(8)]
    for t in threads:
        t.start()
    try:
        wait_until(lambda: (sum(statuses.values()) >= 200, dict(statuses)), 60, "200 flood responses")
        # While the flood goes on: health and a valid chat (its bearer verified before) answer.
        for i in range(2):
            h = p.request("GET", "/healthz", bearer=None, timeout=10)
            assert h.status == 200, f"/healthz during the flood: {h!r}"
            assert chat_text(p.chat(f"STANDIN:reply during {i}", bearer=bearer, timeout=90)) == f"during {i}"
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=35)
    assert not bad_refusals, bad_refusals[:5]
    assert statuses.get(401, 0) >= 1, statuses
    # Past the budget the flood is refused without argon2.
    assert statuses.get(429, 0) >= 1, f"no 429 after {sum(statuses.values())} wrong secrets: {statuses}"


def test_usage_survives_a_locked_database(make_proxy):
    p = make_proxy()
    name = f"lock-{uuid.uuid4().hex[:6]}"
    bearer = p.create_token(name, "--tpd", "100000000")
    # Verified once, so that the turn under the lock needs no write to authenticate.
    assert chat_text(p.chat("STANDIN:reply warm", bearer=bearer)) == "warm"
    db = str(p.state / "tokens.db")

    def total() -> int:
        con = sqlite3.connect(db, timeout=10)
        try:
            row = con.execute(
                "SELECT coalesce(sum(u.total), 0) FROM token_usage_daily u JOIN tokens t ON t.id = u.token_id "
                "WHERE t.name = ?", (name,)).fetchone()
            return int(row[0])
        finally:
            con.close()
    wait_until(lambda: (total() > 0, total()), 10, "the warm-up turn's usage")
    before = total()

    holder = sqlite3.connect(db, timeout=10, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        assert chat_text(p.chat("STANDIN:reply locked", bearer=bearer, timeout=60)) == "locked"
        time.sleep(2)  # the lock is held while the server tries (and retries) its write
        holder.execute("SELECT 1")
    finally:
        holder.execute("COMMIT")
        holder.close()
    wait_until(lambda: (total() > before, total()), 20, "the locked turn's usage after the lock was released")
    err = p.stderr_path.read_text(errors="replace")
    assert "will retry" in err, "the write was never refused by the lock, so this test proved nothing"


def test_huge_usage_saturates_instead_of_trapping(make_proxy):
    p = make_proxy()
    name = f"huge-{uuid.uuid4().hex[:6]}"
    bearer = p.create_token(name, "--tpd", "1000")
    huge = str(2**62)
    for i in range(2):
        r = p.chat(f"STANDIN:usage {huge}", bearer=bearer)
        if i == 0:
            assert chat_text(r) == "used"
            usage = r.json()["usage"]
            assert 0 < usage["total_tokens"] <= 10**12, f"usage not capped: {usage}"
    db = str(p.state / "tokens.db")

    def total():
        con = sqlite3.connect(db, timeout=10)
        try:
            row = con.execute("SELECT coalesce(sum(u.total), 0) FROM token_usage_daily u JOIN tokens t "
                              "ON t.id = u.token_id WHERE t.name = ?", (name,)).fetchone()
            return int(row[0])
        finally:
            con.close()
    wait_until(lambda: (total() > 1000, total()), 10, "the huge turn's usage billed")
    assert total() <= 2 * 10**12, total()
    # Both processes survived: the pool still answers, the budget is spent.
    assert p.proc.poll() is None, "the supervisor died"
    r = p.chat("STANDIN:reply after", bearer=bearer)
    assert r.status == 429 and "tokens/day" in r.json()["error"]["message"], r
    assert chat_text(p.chat("STANDIN:reply alive")) == "alive"


def test_requests_per_minute_survive_a_restart(make_proxy):
    import signal as _signal
    p = make_proxy()
    name = f"rpm-restart-{uuid.uuid4().hex[:6]}"
    bearer = p.create_token(name, "--rpm", "2")
    for i in range(2):
        r = p.request("GET", "/v1/models", bearer=bearer)
        assert r.status == 200, f"request {i + 1} of 2: {r!r}"
    p.proc.send_signal(_signal.SIGTERM)
    assert p.proc.wait(timeout=30) == 0, "ccproxy did not stop cleanly"
    p.start()
    r = p.request("GET", "/v1/models", bearer=bearer)
    assert r.status == 429, f"a restart handed the token a fresh burst of --rpm 2: {r!r}"
    assert int(r.header("Retry-After") or 0) >= 1, r
