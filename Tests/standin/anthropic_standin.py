#!/usr/bin/env python3
"""A scriptable stand-in for the Anthropic Messages API, for running the real Claude Code
CLI offline in ccproxy's tests.

    python3 Tests/standin/anthropic_standin.py --port 0 --log /tmp/standin.jsonl
    # prints "LISTENING <port>" on stdout once ready

Point the CLI at it with ANTHROPIC_BASE_URL=http://127.0.0.1:<port> ANTHROPIC_API_KEY=x.

`POST /v1/messages` answers like the real API (SSE when `stream` is true, a JSON message
otherwise). The answer is scripted by a directive found in the text of the LAST user message
of the request (every text block is searched; the last directive wins):

    (none)                   reply "pong", streamed in a few deltas
    STANDIN:reply <text>     reply <text> (the rest of the line)
    STANDIN:slow <n> <ms> [w]  n text deltas "tok0 ", "tok1 ", ... ms apart ("w0 ", ... if w given)
    STANDIN:sleep <seconds>  a delta every 100 ms for that long ("." each)
    STANDIN:bash <command>   a Bash tool_use block; once the last user message carries a
                             tool_result, reply "tool said: <tool_result text>"
    STANDIN:tool <name> <json>  a tool_use block for the tool <name> (e.g. an MCP tool,
                             mcp__<server>__<tool>) with that JSON input ({} if absent); the
                             tool_result is answered as for bash
    STANDIN:tools <name> <json> | <name> <json> ...  several tool_use blocks in one message
                             (parallel calls), each as for tool. For tool and tools, a
                             prompt that is a transcript with "[tool result for <id>]\n<text>"
                             after the directive is answered "transcript said: <text>"
    STANDIN:bash-then <name> <json> ;; <command>  a Bash tool_use block for <command>; once its
                             tool_result is back, a tool_use block for <name> with that input
    STANDIN:error <status>   that HTTP status with an Anthropic error body
    STANDIN:echo-length      reply the number of characters of the text block that holds
                             the directive
    STANDIN:think <text>     a thinking block, then reply <text>
    STANDIN:echo-system      reply the request's system prompt (its text blocks, joined "\n")
    STANDIN:echo-user        reply the whole text block that holds the directive (with a
                             transcript, that is the transcript)
    STANDIN:usage <n>        reply "used", reporting <n> input and <n> output tokens (huge
                             counts test that usage arithmetic saturates)
    STANDIN:echo-images      reply "images: <n> <media type> ..." for the image blocks of the
                             last user message ("images: 0" when there are none)

Any other path (count_tokens, anything else under /v1/ or elsewhere) gets a harmless 200.
Every request is logged as one JSON line to --log. Standard library only.
"""
from __future__ import annotations

import argparse
import base64
import binascii
import hashlib
import json
import os
import re
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

DIRECTIVE_RE = re.compile(r"STANDIN:([A-Za-z][A-Za-z0-9_-]*)[ \t]*([^\r\n]*)")

ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    529: "overloaded_error",
}


class ClientGone(Exception):
    """The client closed the connection while we were answering."""


# --------------------------------------------------------------------------- request parsing


def _text_blocks(content) -> list[str]:
    if isinstance(content, str):
        return [content]
    out = []
    for block in content or []:
        if isinstance(block, dict) and block.get("type") == "text":
            out.append(block.get("text") or "")
    return out


def _tool_result_text(block: dict) -> str:
    content = block.get("content")
    if isinstance(content, str):
        return content
    parts = []
    for item in content or []:
        if isinstance(item, dict) and item.get("type") == "text":
            parts.append(item.get("text") or "")
    return "\n".join(parts)


def _system_text(system) -> str:
    if isinstance(system, str):
        return system
    return "\n".join(b.get("text") or "" for b in system or [] if isinstance(b, dict) and b.get("type") == "text")


def _images(content) -> list[dict]:
    """media type, decoded size and sha256 of each base64 image block in a message's content."""
    out = []
    for block in content if isinstance(content, list) else []:
        if not (isinstance(block, dict) and block.get("type") == "image"):
            continue
        src = block.get("source") or {}
        info = {"media_type": src.get("media_type") or src.get("type") or "?"}
        if src.get("type") == "base64":
            try:
                raw = base64.b64decode(src.get("data") or "", validate=True)
                info.update(bytes=len(raw), sha256=hashlib.sha256(raw).hexdigest())
            except (binascii.Error, ValueError):
                info.update(bytes=-1)
        elif src.get("type") == "url":
            info.update(url=src.get("url"))
        out.append(info)
    return out


def _find_directive(blocks: list[str]):
    """Return (name, args, block_text) of the last directive in these text blocks."""
    found = None
    for text in blocks:
        for m in DIRECTIVE_RE.finditer(text):
            found = (m.group(1).lower(), m.group(2).strip(), text)
    return found


class Turn:
    """What a /v1/messages request asks for, as far as the stand-in cares."""

    def __init__(self, body: dict):
        self.body = body
        self.model = body.get("model") or "claude-standin"
        self.stream = bool(body.get("stream"))
        messages = body.get("messages") or []
        self.last_user = None
        for msg in reversed(messages):
            if msg.get("role") == "user":
                self.last_user = msg
                break
        # The user messages after the last assistant message (the CLI may send the prompt and
        # its system reminders as separate consecutive user messages).
        # (2.1.x also puts role "system" entries into `messages`; they are skipped.)
        trailing = []
        for msg in reversed(messages):
            if msg.get("role") == "assistant":
                break
            if msg.get("role") == "user":
                trailing.insert(0, msg)
        content = (self.last_user or {}).get("content")
        self.blocks = _text_blocks(content)
        self.tool_results = []
        if isinstance(content, list):
            self.tool_results = [b for b in content if isinstance(b, dict) and b.get("type") == "tool_result"]
        found = _find_directive(self.blocks)
        if found is None and not self.tool_results:
            for msg in reversed(trailing[:-1]):
                found = _find_directive(_text_blocks(msg.get("content")))
                if found:
                    break
        if found is None and self.tool_results:
            # The directive that asked for the tool is in an earlier user message.
            for msg in reversed(messages):
                if msg.get("role") == "user":
                    found = _find_directive(_text_blocks(msg.get("content")))
                    if found:
                        break
        self.directive, self.args, self.directive_block = found if found else (None, "", "")
        self.last_user_chars = sum(len(t) for t in self.blocks)
        self.tools = [t.get("name") for t in body.get("tools") or [] if isinstance(t, dict)]
        self.system = _system_text(body.get("system"))
        self.images = _images(content)
        self.effort = (body.get("output_config") or {}).get("effort")

    def plan(self):
        """Return ('error', status) or ('message', blocks, stop_reason, delay_s) where blocks is a
        list of ('text', [chunks]) / ('thinking', [chunks]) / ('tool_use', name, input)."""
        d, a = self.directive, self.args
        if d == "bash-then":
            call, _, command = (a or "").partition(" ;; ")
            name, _, raw = call.strip().partition(" ")
            if not self.tool_results:
                tool_input = {"command": command or "echo standin", "description": "Run the command the test asked for"}
                return ("message", [("tool_use", "Bash", tool_input)], "tool_use", 0.0)
            try:
                tool_input = json.loads(raw) if raw.strip() else {}
            except ValueError:
                tool_input = {}
            said = "\n".join(_tool_result_text(b) for b in self.tool_results)
            return ("message", [("text", ["bash said: ", said]), ("tool_use", name or "unnamed", tool_input)],
                    "tool_use", 0.0)
        if self.tool_results:
            text = "\n".join(_tool_result_text(b) for b in self.tool_results)
            return ("message", [("text", ["tool said: ", text])], "end_turn", 0.0)
        if d is None:
            return ("message", [("text", ["po", "ng"])], "end_turn", 0.0)
        if d == "reply":
            return ("message", [("text", _chunks(a or "pong"))], "end_turn", 0.0)
        if d == "usage":
            return ("message", [("text", ["used"])], "end_turn", 0.0)
        if d == "slow":
            n, ms = _ints(a, 2, (10, 50))
            parts = a.split()
            word = parts[2] if len(parts) > 2 else "tok"
            return ("message", [("text", [f"{word}{i} " for i in range(n)])], "end_turn", ms / 1000.0)
        if d == "sleep":
            seconds = _floats(a, 1, (5.0,))[0]
            n = max(1, int(round(seconds * 10)))
            return ("message", [("text", ["."] * n)], "end_turn", 0.1)
        if d == "bash":
            command = a or "echo standin"
            tool_input = {"command": command, "description": "Run the command the test asked for"}
            return ("message", [("tool_use", "Bash", tool_input)], "tool_use", 0.0)
        if d in ("tool", "tools") and "[tool result for " in self.directive_block:
            # A follow-up that ccproxy served from its transcript: the call was answered there.
            after = self.directive_block.split("[tool result for ", 1)[1]
            result = after.split("]\n", 1)[1] if "]\n" in after else after
            return ("message", [("text", ["transcript said: ", result.split("\n\n")[0]])], "end_turn", 0.0)
        if d == "tool":
            name, _, raw = (a or "").strip().partition(" ")
            try:
                tool_input = json.loads(raw) if raw.strip() else {}
            except ValueError:
                tool_input = {}
            return ("message", [("tool_use", name or "unnamed", tool_input if isinstance(tool_input, dict) else {})],
                    "tool_use", 0.0)
        if d == "tools":
            blocks = []
            for spec in (a or "").split(" | "):
                name, _, raw = spec.strip().partition(" ")
                try:
                    tool_input = json.loads(raw) if raw.strip() else {}
                except ValueError:
                    tool_input = {}
                blocks.append(("tool_use", name or "unnamed", tool_input if isinstance(tool_input, dict) else {}))
            return ("message", blocks, "tool_use", 0.0)
        if d == "error":
            return ("error", _ints(a, 1, (500,))[0])
        if d in ("echo-length", "echo_length"):
            return ("message", [("text", [str(len(self.directive_block))])], "end_turn", 0.0)
        if d in ("echo-system", "echo_system"):
            return ("message", [("text", _pieces(self.system or "(no system prompt)"))], "end_turn", 0.0)
        if d in ("echo-user", "echo_user"):
            return ("message", [("text", _pieces(self.directive_block))], "end_turn", 0.0)
        if d in ("echo-images", "echo_images"):
            text = " ".join([f"images: {len(self.images)}"] + [i["media_type"] for i in self.images])
            return ("message", [("text", [text])], "end_turn", 0.0)
        if d == "think":
            return ("message", [("thinking", ["Let me think", " about it."]), ("text", _chunks(a or "pong"))], "end_turn", 0.0)
        return ("message", [("text", [f"unknown directive {d}"])], "end_turn", 0.0)


def _chunks(text: str) -> list[str]:
    words = re.findall(r"\S+\s*|\s+", text)
    return words or [text]


def _pieces(text: str, size: int = 2000) -> list[str]:
    """Long echoes in a few big deltas rather than one per word."""
    return [text[i:i + size] for i in range(0, len(text), size)] or [""]


def _ints(args: str, n: int, default: tuple) -> list[int]:
    parts = args.split()
    out = []
    for i in range(n):
        try:
            out.append(int(parts[i]))
        except (IndexError, ValueError):
            out.append(default[i])
    return out


def _floats(args: str, n: int, default: tuple) -> list[float]:
    parts = args.split()
    out = []
    for i in range(n):
        try:
            out.append(float(parts[i]))
        except (IndexError, ValueError):
            out.append(default[i])
    return out


def _usage(input_tokens: int, output_tokens: int) -> dict:
    return {
        "input_tokens": input_tokens,
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": 0,
        "output_tokens": output_tokens,
        "service_tier": "standard",
    }


# --------------------------------------------------------------------------- HTTP


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "anthropic-standin/1"
    sys_version = ""
    responses = {**BaseHTTPRequestHandler.responses, 529: ("Overloaded", "")}

    # quiet access log; the JSON log is the record
    def log_message(self, fmt, *args):
        if self.server.verbose:
            sys.stderr.write("standin: " + (fmt % args) + "\n")

    # ---- plumbing

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = bytearray()
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return bytes(data)
                data += self.rfile.read(size)
                self.rfile.readline()
        return self.rfile.read(length) if length else b""

    def _send_json(self, status: int, obj, extra_headers=None):
        data = json.dumps(obj, separators=(",", ":")).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("request-id", "req_" + uuid.uuid4().hex[:24])
        for k, v in (extra_headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _chunk(self, data: bytes):
        try:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, OSError) as e:
            raise ClientGone() from e

    def _event(self, obj: dict):
        data = json.dumps(obj, separators=(",", ":"))
        self._chunk(f"event: {obj['type']}\ndata: {data}\n\n".encode())

    def _log(self, **fields):
        self.server.log(dict(ts=round(time.time(), 3), method=self.command, **fields))

    # ---- verbs

    def do_GET(self):
        path = urlsplit(self.path).path
        self._log(path=path)
        if path in ("/", "/healthz"):
            self._send_json(200, {"ok": True})
        elif path == "/v1/models" or path.startswith("/v1/models"):
            self._send_json(200, {"data": [{"type": "model", "id": "claude-standin", "display_name": "Stand-in", "created_at": "2025-01-01T00:00:00Z"}], "has_more": False, "first_id": "claude-standin", "last_id": "claude-standin"})
        else:
            self._send_json(200, {})

    do_HEAD = do_GET
    do_DELETE = do_GET

    def do_PUT(self):
        self._read_body()
        self._log(path=urlsplit(self.path).path)
        self._send_json(200, {})

    do_PATCH = do_PUT

    def do_POST(self):
        path = urlsplit(self.path).path
        raw = self._read_body()
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            self._log(path=path, error="bad json", bytes=len(raw))
            self._send_json(400, {"type": "error", "error": {"type": "invalid_request_error", "message": "bad json"}})
            return
        if self.server.bodies_dir:
            name = f"{time.time():.6f}-{threading.get_ident()}.json"
            with open(os.path.join(self.server.bodies_dir, name), "w") as f:
                json.dump({"path": self.path, "headers": dict(self.headers), "body": body}, f, indent=1)
        if path == "/v1/messages/count_tokens":
            turn = Turn(body)
            self._log(path=path, directive=turn.directive, tool_result=bool(turn.tool_results))
            self._send_json(200, {"input_tokens": max(1, len(raw) // 4)})
            return
        if path != "/v1/messages":
            self._log(path=path)
            self._send_json(200, {})
            return
        self._messages(path, body, len(raw))

    def _messages(self, path: str, body: dict, nbytes: int):
        turn = Turn(body)
        plan = turn.plan()
        entry = dict(
            path=path,
            model=turn.model,
            stream=turn.stream,
            directive=turn.directive,
            args=turn.args,
            tool_result=bool(turn.tool_results),
            last_user_chars=turn.last_user_chars,
            bytes=nbytes,
            n_messages=len(body.get("messages") or []),
            n_tools=len(turn.tools),
            max_tokens=body.get("max_tokens"),
            effort=turn.effort,
            thinking=(body.get("thinking") or {}).get("type"),
            system_chars=len(turn.system),
            system_sha256=hashlib.sha256(turn.system.encode()).hexdigest(),
            images=turn.images,
        )
        if plan[0] == "error":
            status = plan[1]
            etype = ERROR_TYPES.get(status, "api_error")
            self._log(status=status, **entry)
            self._send_json(status, {"type": "error", "error": {"type": etype, "message": f"stand-in error {status}"}})
            return
        _, blocks, stop_reason, delay = plan
        msg_id = "msg_" + uuid.uuid4().hex[:12]
        input_tokens = max(1, nbytes // 4)
        output_tokens = sum(len(b[1]) if b[0] != "tool_use" else 5 for b in blocks)
        if turn.directive == "usage" and turn.args.strip().isdigit():
            input_tokens = output_tokens = int(turn.args.strip())
        content = []
        for b in blocks:
            if b[0] == "text":
                content.append({"type": "text", "text": "".join(b[1])})
            elif b[0] == "thinking":
                content.append({"type": "thinking", "thinking": "".join(b[1]), "signature": "c3RhbmRpbg=="})
            else:
                content.append({"type": "tool_use", "id": "toolu_" + uuid.uuid4().hex[:20], "name": b[1], "input": b[2]})
        if not turn.stream:
            total = delay * sum(len(b[1]) for b in blocks if b[0] != "tool_use")
            if total:
                time.sleep(total)
            self._log(status=200, **entry)
            self._send_json(200, {
                "id": msg_id, "type": "message", "role": "assistant", "model": turn.model,
                "content": content, "stop_reason": stop_reason, "stop_sequence": None,
                "usage": _usage(input_tokens, output_tokens),
            })
            return
        self._log(status=200, **entry)
        t0 = time.monotonic()
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("request-id", "req_" + uuid.uuid4().hex[:24])
        self.end_headers()
        try:
            self._event({"type": "message_start", "message": {
                "id": msg_id, "type": "message", "role": "assistant", "model": turn.model,
                "content": [], "stop_reason": None, "stop_sequence": None,
                "usage": _usage(input_tokens, 1)}})
            self._event({"type": "ping"})
            for index, (b, block) in enumerate(zip(blocks, content)):
                if b[0] == "text":
                    self._event({"type": "content_block_start", "index": index, "content_block": {"type": "text", "text": ""}})
                    for i, piece in enumerate(b[1]):
                        if delay and i:
                            time.sleep(delay)
                        self._event({"type": "content_block_delta", "index": index, "delta": {"type": "text_delta", "text": piece}})
                elif b[0] == "thinking":
                    self._event({"type": "content_block_start", "index": index, "content_block": {"type": "thinking", "thinking": "", "signature": ""}})
                    for piece in b[1]:
                        self._event({"type": "content_block_delta", "index": index, "delta": {"type": "thinking_delta", "thinking": piece}})
                    self._event({"type": "content_block_delta", "index": index, "delta": {"type": "signature_delta", "signature": block["signature"]}})
                else:
                    self._event({"type": "content_block_start", "index": index, "content_block": {"type": "tool_use", "id": block["id"], "name": block["name"], "input": {}}})
                    js = json.dumps(block["input"])
                    cut = max(1, len(js) // 2)
                    for piece in (js[:cut], js[cut:]):
                        self._event({"type": "content_block_delta", "index": index, "delta": {"type": "input_json_delta", "partial_json": piece}})
                self._event({"type": "content_block_stop", "index": index})
            self._event({"type": "message_delta", "delta": {"stop_reason": stop_reason, "stop_sequence": None}, "usage": {"output_tokens": output_tokens}})
            self._event({"type": "message_stop"})
            self._chunk(b"")  # zero-length chunk is written as "0\r\n\r\n": end of body
        except ClientGone:
            self.close_connection = True
            self._log(path=path, event="client_gone", directive=turn.directive, after_s=round(time.monotonic() - t0, 3))


class StandinServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256
    allow_reuse_address = True

    def __init__(self, addr, log_path=None, bodies_dir=None, verbose=False):
        super().__init__(addr, Handler)
        self._log_lock = threading.Lock()
        self._log_file = open(log_path, "a", buffering=1) if log_path else None
        self.bodies_dir = bodies_dir
        self.verbose = verbose

    def log(self, entry: dict):
        if self._log_file is None:
            return
        line = json.dumps(entry)
        with self._log_lock:
            self._log_file.write(line + "\n")
            self._log_file.flush()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0, help="0 picks a free port")
    ap.add_argument("--log", help="append one JSON line per request to this file")
    ap.add_argument("--bodies", help="also dump every POST body into this directory")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args(argv)
    if args.bodies:
        os.makedirs(args.bodies, exist_ok=True)
    server = StandinServer((args.host, args.port), args.log, args.bodies, args.verbose)
    print(f"LISTENING {server.server_address[1]}", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
