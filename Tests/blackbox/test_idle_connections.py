"""Connections that never send a request do not occupy workers (TCP_DEFER_ACCEPT): the pool
stays free for real requests."""
import socket
import time

from harness import chat_text, wait_until


def test_silent_connections_do_not_take_workers(make_proxy):
    proxy = make_proxy()
    wait_until(lambda: ((st := proxy.status()).get("idle", 0) >= 2, st), 20, "2 idle workers")
    silent = [socket.create_connection(("127.0.0.1", proxy.port), timeout=5) for _ in range(6)]
    try:
        time.sleep(1.0)
        status = proxy.status()
        assert status.get("busy", 0) == 0, f"silent connections were handed to workers: {status}"
        assert len(status.get("workers", [])) <= 4, f"the pool grew for silent connections: {status}"
        assert chat_text(proxy.chat("STANDIN:reply still served")) == "still served"
    finally:
        for s in silent:
            s.close()
