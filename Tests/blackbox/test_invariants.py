"""Process architecture: the tree, and only the supervisor opens the token database."""
import os

from harness import comm_of, describe, is_claude, open_files, ppid_of, wait_until


def test_process_tree(proxy):
    workers = wait_until(lambda: (len(w := proxy.workers()) >= 2, w), 20, f"2 ccproxy-worker children")
    assert comm_of(proxy.pid) == "ccproxy", describe(proxy.pid)
    for w in workers:
        assert ppid_of(w) == proxy.pid, describe(w)

    st = proxy.status()
    assert st.get("supervisor_pid") == proxy.pid, st
    assert st.get("idle", 0) >= 2, st
    live = [w["pid"] for w in st.get("workers", []) if w.get("state") in ("idle", "busy")]
    strangers = [describe(p) for p in live if ppid_of(p) != proxy.pid or comm_of(p) != "ccproxy-worker"]
    assert not strangers, f"ccproxyctl lists workers that are not ccproxy-worker children of the supervisor: {strangers}; status={st}"
    for w in st.get("workers", []):
        assert {"slot", "pid", "state", "served"} <= set(w), w
        assert w["state"] in ("idle", "busy", "starting", "exiting"), w

    s = proxy.stream("STANDIN:sleep 3", timeout=30)
    try:
        s.read_until_content()
        # claude runs below its worker: directly, or inside the turn's sandbox (bwrap, whose
        # init is claude's parent), which is the worker's child.
        def claude_under_worker():
            ws = proxy.workers()
            found = [p for w in ws for p in proxy.claude_pids([w])
                     if ppid_of(p) == w or ppid_of(ppid_of(p) or 0) == w or ppid_of(ppid_of(ppid_of(p) or 0) or 0) == w]
            return bool(found), proxy.tree()
        wait_until(claude_under_worker, 5, "a claude process below a ccproxy-worker (its child, or in its sandbox)")
        st = proxy.status()
        assert st.get("busy", 0) >= 1, st
    finally:
        s.read_all()


def test_only_supervisor_opens_tokens_db(proxy):
    # Make sure authentication has happened, so the database is in use.
    assert proxy.request("GET", "/v1/models").status == 200
    s = proxy.stream("STANDIN:sleep 2", timeout=30)
    try:
        s.read_until_content()
        db = os.path.join(str(proxy.state), "tokens.db")
        sup = [f for f in open_files(proxy.pid) if f.startswith(db)]
        assert sup, f"the supervisor has no {db} open; its fds: {open_files(proxy.pid)}"
        offenders = {}
        for w in proxy.workers():
            for p in [w] + [c for c in proxy.claude_pids([w])]:
                bad = [f for f in open_files(p) if "tokens.db" in f]
                if bad:
                    offenders[describe(p)] = bad
        assert not offenders, f"processes other than the supervisor have tokens.db open: {offenders}"
    finally:
        s.read_all()
