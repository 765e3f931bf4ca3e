"""A slow admin client (connects and sends nothing, or trickles) cannot stall the supervisor:
the admin socket is polled, and a request that does not arrive in time is dropped."""
import socket
import time

from harness import chat_text


def test_silent_admin_clients_do_not_stall_the_supervisor(make_proxy):
    p = make_proxy()
    path = str(p.state / "ccproxy.sock")
    silent = []
    try:
        # More silent clients than the supervisor keeps waiting: none of them may block it.
        for _ in range(20):
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(path)
            silent.append(s)
        trickler = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        trickler.connect(path)
        trickler.sendall(b"\x00")  # one byte of a length prefix, then nothing
        silent.append(trickler)
        # While they sit there: health, a chat and a real ccproxyctl status all answer.
        h = p.request("GET", "/healthz", bearer=None, timeout=10)
        assert h.status == 200, h
        assert chat_text(p.chat("STANDIN:reply past silent admins", timeout=30)) == "past silent admins"
        status = p.status()
        assert status.get("workers"), status
        # Each silent client is closed by the supervisor after its deadline (it reads EOF).
        for s in silent:
            s.settimeout(15)
            try:
                data = s.recv(1)
            except (ConnectionResetError, socket.timeout) as e:
                data = e
            assert data == b"" or isinstance(data, ConnectionResetError), \
                f"a silent admin client was not closed by the supervisor: {data!r}"
    finally:
        for s in silent:
            s.close()
    assert p.proc.poll() is None
