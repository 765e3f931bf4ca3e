"""sd_notify: READY=1 only once the pool is up, STOPPING=1 on SIGTERM; NOTIFY_SOCKET and
the socket-activation variables never reach a worker."""
import os
import signal
import socket
import tempfile

from harness import open_to_service_user, describe, wait_until


SEED = "ccp_0123abcd_0123456789abcdef01234567"


def wait_for_notification(listener: socket.socket, wanted: str, timeout: float = 30) -> list[str]:
    """Reads notifications until one contains `wanted`; returns all read. STATUS= updates may
    come in between. Fails naming what was seen."""
    import time
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        listener.settimeout(max(0.05, deadline - time.monotonic()))
        try:
            message = listener.recv(4096).decode()
        except socket.timeout:
            break
        seen.append(message)
        if wanted in message:
            return seen
    raise AssertionError(f"no {wanted} within {timeout}s; notifications seen: {seen!r}")


def test_ready_and_stopping_are_reported_honestly(make_proxy):
    sock_dir = tempfile.mkdtemp(prefix="ccp-notify-")
    path = os.path.join(sock_dir, "notify.sock")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    listener.bind(path)
    open_to_service_user(sock_dir, path)
    listener.settimeout(30)
    try:
        proxy = make_proxy(start=False, extra_env={"NOTIFY_SOCKET": path, "CCPROXY_TOKEN": SEED})
        proxy.start()
        message = listener.recv(4096).decode()
        assert "READY=1" in message, f"first notification was not READY=1: {message!r}"
        # READY=1 was sent after the first workers said hello: the pool is already there.
        status = proxy.status()
        assert status.get("idle", 0) >= 2, f"READY=1 before 2 idle workers: {status}"

        for pid in proxy.workers():
            environ = open(f"/proc/{pid}/environ", "rb").read().split(b"\0")
            names = {e.split(b"=", 1)[0] for e in environ if e}
            leaked = names & {b"NOTIFY_SOCKET", b"LISTEN_FDS", b"LISTEN_PID", b"LISTEN_FDNAMES", b"CCPROXY_TOKEN"}
            assert not leaked, f"worker {describe(pid)} inherited {leaked}"

        # CCPROXY_TOKEN seeded the empty database (no bearer was minted).
        r = proxy.request("GET", "/v1/models", bearer=SEED)
        assert r.status == 200, r

        proxy.proc.send_signal(signal.SIGTERM)
        wait_for_notification(listener, "STOPPING=1")
        assert proxy.proc.wait(timeout=20) == 0
    finally:
        listener.close()
        os.unlink(path)
        os.rmdir(sock_dir)
