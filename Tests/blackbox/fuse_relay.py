"""What a bridge worker will be to `ccproxy-fuse`, for tests: a Unix stream socket the helper
connects to (--channel-socket), on which each length-prefixed bridge frame from the helper
is relayed to a real `ccproxy-bridge` daemon through the test websocket peer (bridge_peer.py),
and the daemon's answer sent back under the helper's request id; the daemon's events
(`watch`) are forwarded to the helper as they come.

`silent` makes the relay stop answering (a laptop that went quiet); `close()` drops the
channel (the bridge went away). Runs on a thread; every wait is bounded."""
from __future__ import annotations

import json
import os
import socket
import struct
import threading
import time

from bridge_peer import BridgePeer, Connection

MAX_FRAME = 4 * 1024 * 1024  # Limits.maxBridgeFrameBytes


def _read_exactly(sock: socket.socket, n: int) -> bytes | None:
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            return None
        data += chunk
    return data


class FuseRelay:
    def __init__(self, path: str, peer: BridgePeer, conn: Connection):
        self.path = path
        self.peer, self.conn = peer, conn
        self.silent = False
        self.requests: list[dict] = []
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        if os.path.exists(path):
            os.unlink(path)
        self.listener.bind(path)
        self.listener.listen(1)
        self.listener.settimeout(30)
        self.sock: socket.socket | None = None
        self.error: BaseException | None = None
        self.lock = threading.Lock()
        self.closed = threading.Event()
        self.connected = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        self.forwarder = threading.Thread(target=self._forward_events, daemon=True)
        self.forwarder.start()

    def _send(self, frame: dict):
        out = json.dumps(frame).encode()
        with self.lock:
            self.sock.sendall(struct.pack(">I", len(out)) + out)

    def _forward_events(self):
        """Sends the daemon's events that arrive after the helper connected."""
        if not self.connected.wait(30):
            return
        seen = len(self.conn.events)
        while not self.closed.is_set():
            while seen < len(self.conn.events) and not self.silent:
                try:
                    self._send(self.conn.events[seen])
                except OSError:
                    return
                seen += 1
            time.sleep(0.02)

    def _run(self):
        try:
            self.sock, _ = self.listener.accept()
            self.connected.set()
            while True:
                header = _read_exactly(self.sock, 4)
                if header is None:
                    return
                (n,) = struct.unpack(">I", header)
                assert 0 < n <= MAX_FRAME, f"helper sent a frame of {n} bytes"
                body = _read_exactly(self.sock, n)
                if body is None:
                    return
                frame = json.loads(body)
                self.requests.append(frame)
                if self.silent:
                    continue
                answer = self.peer.call(self.conn, frame["method"], frame.get("params") or {})
                answer["id"] = frame["id"]
                self._send(answer)
        except OSError:
            return  # closed under us by close()
        except BaseException as e:  # noqa: BLE001 - reported by the test
            self.error = e

    def close(self):
        self.closed.set()
        for s in (self.sock, self.listener):
            if s is not None:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()
        self.thread.join(timeout=20)
        self.forwarder.join(timeout=20)
        assert not self.thread.is_alive(), "the relay thread did not end within 20 s"
        assert not self.forwarder.is_alive(), "the event forwarder did not end within 20 s"
