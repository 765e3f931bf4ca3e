"""Keep-alive without parked workers: many requests on one connection, idle keep-alive
connections held by the supervisor (not by workers), and hostile clients (trickling heads,
clients that stop reading) that never hold a worker for long."""
import http.client
import json
import socket
import threading
import time

from harness import chat_text, config_yaml, http_request, wait_until


def test_twenty_requests_on_one_keep_alive_connection(proxy):
    conn = http.client.HTTPConnection("127.0.0.1", proxy.port, timeout=60)
    hdrs = {"Authorization": f"Bearer {proxy.require_bearer()}", "Content-Type": "application/json"}
    try:
        local = None
        for i in range(20):
            if i % 5 == 4:
                body = {"model": "sonnet", "messages": [{"role": "user", "content": f"STANDIN:reply n{i}"}]}
                conn.request("POST", "/v1/chat/completions", body=json.dumps(body), headers=hdrs)
            else:
                conn.request("GET", "/v1/models", headers=hdrs)
            resp = conn.getresponse()
            data = resp.read()
            assert resp.status == 200, (i, resp.status, data[:300])
            assert (resp.getheader("Connection") or "").lower() != "close", (i, resp.getheaders())
            if i % 5 == 4:
                assert json.loads(data)["choices"][0]["message"]["content"] == f"n{i}", data[:300]
            name = conn.sock.getsockname()
            assert local in (None, name), f"request {i} went over a new connection: {name} after {local}"
            local = name
    finally:
        conn.close()


def test_a_request_is_served_promptly_behind_a_dozen_idle_keep_alive_connections(make_proxy):
    proxy = make_proxy(min_idle=2, max_workers=4)
    idle = []
    try:
        for _ in range(12):
            c = http.client.HTTPConnection("127.0.0.1", proxy.port, timeout=30)
            c.request("GET", "/healthz")
            r = c.getresponse()
            r.read()
            assert r.status == 200
            idle.append(c)
        st = wait_until(lambda: ((st := proxy.status())["keepalive_idle"] >= 12, st), 10,
                        "12 idle keep-alive connections held by the supervisor")
        assert st["busy"] == 0, f"idle keep-alive connections occupy workers: {st}"
        t0 = time.monotonic()
        assert chat_text(proxy.chat("STANDIN:reply prompt", timeout=30)) == "prompt"
        assert time.monotonic() - t0 < 10, f"took {time.monotonic() - t0:.1f}s behind idle connections"
        # The idle connections still work.
        for c in idle[:3]:
            c.request("GET", "/healthz")
            r = c.getresponse()
            r.read()
            assert r.status == 200
    finally:
        for c in idle:
            c.close()


def test_forty_trickling_connections_do_not_block_a_real_request(make_proxy):
    proxy = make_proxy(min_idle=2, max_workers=4)
    stop = threading.Event()
    socks = []
    head = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 200 + b"\r\n\r\n"
    for _ in range(40):
        s = socket.create_connection(("127.0.0.1", proxy.port), timeout=10)
        s.sendall(head[:3])
        socks.append(s)

    def trickle():
        pos = 3
        while not stop.is_set() and pos < len(head) - 4:
            for s in socks:
                try:
                    s.sendall(head[pos:pos + 1])
                except OSError:
                    pass
            pos += 1
            stop.wait(0.3)

    t = threading.Thread(target=trickle, daemon=True)
    t.start()
    try:
        time.sleep(1.5)
        # Each trickled byte makes a parked head readable, so a worker looks at it for a
        # moment and hands it back: sampled at one instant, a loaded machine may catch several
        # workers in that moment. What must not happen is workers held throughout.
        samples = []
        for _ in range(10):
            samples.append(proxy.status())
            time.sleep(0.1)
        assert min(st["busy"] for st in samples) <= 1, \
            f"trickling connections hold workers: busy {[st['busy'] for st in samples]}; last {samples[-1]}"
        t0 = time.monotonic()
        assert chat_text(proxy.chat("STANDIN:reply through", timeout=30)) == "through"
        elapsed = time.monotonic() - t0
        assert elapsed < 10, f"a real request took {elapsed:.1f}s behind 40 trickling connections"
    finally:
        stop.set()
        t.join(5)
        for s in socks:
            s.close()


def test_a_client_that_never_reads_frees_its_worker_within_the_request_timeout(make_proxy):
    proxy = make_proxy(start=False, min_idle=1, max_workers=4)
    proxy.config.write_text(config_yaml(proxy.claude, 1, 4, config={"request_timeout": "4s"}))
    proxy.start()
    payload = {"model": "sonnet", "stream": True,
               "messages": [{"role": "user", "content": "STANDIN:slow 4000 1 " + "x" * 1500}]}
    body = json.dumps(payload).encode()
    s = socket.create_connection(("127.0.0.1", proxy.port), timeout=10)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.sendall((f"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {proxy.require_bearer()}\r\n"
               f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body)
    try:
        t0 = time.monotonic()
        wait_until(lambda: ((st := proxy.status())["busy"] >= 1, st), 15, "the stream to occupy a worker")
        # Never read: the worker must be free within request_timeout (4 s) plus a little.
        st = wait_until(lambda: ((st := proxy.status())["busy"] == 0, st), 4 + 10,
                        "the worker of a client that never reads to be freed")
        elapsed = time.monotonic() - t0
        assert elapsed < 4 + 8, f"freed only after {elapsed:.1f}s: {st}"
    finally:
        s.close()
    assert chat_text(proxy.chat("STANDIN:reply after", timeout=30)) == "after"


def _cpu_seconds(pid: int) -> float:
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    import os
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_a_flood_under_a_low_fd_limit_does_not_spin_the_supervisor(make_proxy):
    proxy = make_proxy(start=False, min_idle=1, max_workers=2)
    proxy.start(prefix=["prlimit", "--nofile=48:48", "--"])
    flood = []
    try:
        for _ in range(120):
            try:
                s = socket.create_connection(("127.0.0.1", proxy.port), timeout=2)
                s.sendall(b"GET /healthz HTTP/1.1\r\nHo")  # an incomplete head: held, not served
                flood.append(s)
            except OSError:
                break
        time.sleep(1.0)
        before = _cpu_seconds(proxy.pid)
        time.sleep(3.0)
        used = _cpu_seconds(proxy.pid) - before
        assert used < 1.0, f"the supervisor used {used:.2f}s of CPU in 3s under EMFILE (spinning)"
        assert proxy.proc.poll() is None, "the supervisor died under the flood"
        log = open(proxy.stderr_path, errors="replace").read()
        assert log.count("pausing accepting") < 40, "the accept pause is logged on every retry"
    finally:
        for s in flood:
            s.close()
    wait_until(lambda: (http_request(proxy.url, "GET", "/healthz", timeout=5).status == 200, None), 30,
               "the server to answer again after the flood")
