"""A stand-in for the server side of the bridge, for testing `ccproxy-bridge` alone: a
websocket server (the `websockets` package, optionally terminating TLS itself) that plays
`GET /bridge` as the reference does. It sends `hello` on every new connection, then lets the
test call any method and collects the daemon's events.

Runs its asyncio loop on a thread; every method the tests call is synchronous and bounded by
a timeout that says what it saw."""
from __future__ import annotations

import asyncio
import base64
import json
import ssl
import threading
import time
from dataclasses import dataclass, field

from websockets.asyncio.server import serve
from websockets.datastructures import Headers
from websockets.http11 import Response


@dataclass
class Connection:
    ws: object
    path: str
    authorization: str | None
    hello: dict | None = None
    events: list = field(default_factory=list)
    pending: dict = field(default_factory=dict)
    closed: asyncio.Event | None = None
    close_code: int | None = None
    close_reason: str | None = None


class BridgePeer:
    def __init__(self, port: int, ssl_context: ssl.SSLContext | None = None, refuse: tuple[int, str] | None = None):
        self.port = port
        self.ssl_context = ssl_context
        self.refuse = refuse            # (status, body): answer upgrades with this instead
        self.refusals = 0
        self.connections: list[Connection] = []
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self._server = None
        self._next_id = 1
        self.start()

    # ------------------------------------------------------------------ lifecycle
    def start(self):
        async def go():
            self._server = await serve(self._handler, "127.0.0.1", self.port, ssl=self.ssl_context,
                                       process_request=self._process_request, max_size=8 * 1024 * 1024,
                                       ping_interval=None)
        self._run(go(), 10, "peer start")

    def stop(self):
        """Closes the listener and every connection (as a server restart would)."""
        async def go():
            if self._server is not None:
                self._server.close()
                await self._server.wait_closed()
                self._server = None
        self._run(go(), 10, "peer stop")

    def shutdown(self):
        try:
            self.stop()
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(timeout=5)

    def _run(self, coro, timeout: float, what: str):
        fut = asyncio.run_coroutine_threadsafe(coro, self.loop)
        try:
            return fut.result(timeout)
        except TimeoutError as e:
            fut.cancel()
            raise AssertionError(f"timed out after {timeout}s: {what}") from e

    # ------------------------------------------------------------------ server side
    def _process_request(self, connection, request):
        if self.refuse is not None:
            self.refusals += 1
            status, body = self.refuse
            return connection.respond(status, body)
        return None

    async def _handler(self, ws):
        conn = Connection(ws=ws, path=ws.request.path, authorization=ws.request.headers.get("Authorization"),
                          closed=asyncio.Event())
        self.connections.append(conn)
        hello_id = self._take_id()
        fut = self.loop.create_future()
        conn.pending[hello_id] = fut
        await ws.send(json.dumps({"id": hello_id, "type": "req", "method": "hello",
                                  "params": {"server_version": "bridge-peer/1", "protocol_version": 1}}))
        reader = asyncio.ensure_future(self._read(conn))
        try:
            frame = await asyncio.wait_for(fut, 5)
            conn.hello = frame
        except Exception:
            pass
        await reader

    async def _read(self, conn: Connection):
        try:
            async for message in conn.ws:
                frame = json.loads(message)
                if frame.get("type") == "resp":
                    fut = conn.pending.pop(frame.get("id"), None)
                    if fut is not None and not fut.done():
                        fut.set_result(frame)
                elif frame.get("type") == "event":
                    conn.events.append(frame)
        except Exception:
            pass
        finally:
            conn.close_code = conn.ws.close_code
            conn.close_reason = conn.ws.close_reason
            conn.closed.set()
            for fut in conn.pending.values():
                if not fut.done():
                    fut.set_exception(ConnectionError("connection closed"))

    def _take_id(self) -> int:
        i = self._next_id
        self._next_id += 1
        return i

    # ------------------------------------------------------------------ the tests' side
    def wait_connection(self, count: int = 1, timeout: float = 20) -> Connection:
        """Waits until `count` connections have completed hello; returns the latest."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            done = [c for c in self.connections if c.hello is not None]
            if len(done) >= count:
                return done[-1]
            time.sleep(0.05)
        raise AssertionError(f"no {count} bridge connection(s) with hello within {timeout}s; "
                             f"saw {len(self.connections)} connection(s), {self.refusals} refused upgrade(s)")

    def call(self, conn: Connection, method: str, params: dict | None = None, timeout: float = 15) -> dict:
        """Sends one request; returns the whole `resp` frame."""
        async def go():
            i = self._take_id()
            fut = self.loop.create_future()
            conn.pending[i] = fut
            frame = {"id": i, "type": "req", "method": method}
            if params is not None:
                frame["params"] = params
            await conn.ws.send(json.dumps(frame))
            return await fut
        return self._run(go(), timeout, f"answer to {method} {params}")

    def ok(self, conn: Connection, method: str, params: dict | None = None) -> dict:
        frame = self.call(conn, method, params)
        assert "error" not in frame, f"{method} {params} failed: {frame}"
        return frame.get("result", {})

    def error(self, conn: Connection, method: str, params: dict | None = None) -> str:
        frame = self.call(conn, method, params)
        assert "error" in frame, f"{method} {params} succeeded: {frame}"
        return frame["error"]["code"]

    def ping(self, conn: Connection, timeout: float = 5) -> float:
        """Pings the daemon; returns the round trip once its pong came (fails after `timeout`)."""
        async def go():
            waiter = await conn.ws.ping()
            return await waiter
        return self._run(go(), timeout, "the daemon's pong")

    def wait_event(self, conn: Connection, pred, timeout: float, what: str) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for e in list(conn.events):
                if pred(e):
                    return e
            time.sleep(0.05)
        raise AssertionError(f"timed out after {timeout}s waiting for {what}; events: {conn.events[-20:]}")

    def wait_closed(self, conn: Connection, timeout: float) -> tuple[int | None, str | None]:
        async def go():
            await conn.closed.wait()
        self._run(go(), timeout, "the daemon's connection to close")
        return conn.close_code, conn.close_reason


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def unb64(text: str) -> bytes:
    return base64.b64decode(text)
