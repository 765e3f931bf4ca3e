#!/usr/bin/env python3
"""A minimal MCP server on stdio (newline-delimited JSON-RPC), for tests: one tool, `whoami`,
that answers "probe-ok <uid> <cwd>". Standard library only; it must run as the service user
inside a turn's sandbox."""
import json
import os
import sys


def answer(request_id, result=None, error=None):
    msg = {"jsonrpc": "2.0", "id": request_id}
    if error is not None:
        msg["error"] = error
    else:
        msg["result"] = result
    sys.stdout.write(json.dumps(msg) + "\n")
    sys.stdout.flush()


for line in sys.stdin:
    try:
        req = json.loads(line)
    except ValueError:
        continue
    method, rid = req.get("method"), req.get("id")
    if rid is None:
        continue  # a notification
    if method == "initialize":
        answer(rid, {"protocolVersion": (req.get("params") or {}).get("protocolVersion", "2024-11-05"),
                     "capabilities": {"tools": {}}, "serverInfo": {"name": "probe", "version": "1"}})
    elif method == "tools/list":
        answer(rid, {"tools": [{"name": "whoami", "description": "Says who runs the probe.",
                                "inputSchema": {"type": "object", "properties": {}}}]})
    elif method == "tools/call":
        answer(rid, {"content": [{"type": "text", "text": f"probe-ok {os.getuid()} {os.getcwd()}"}]})
    elif method == "ping":
        answer(rid, {})
    else:
        answer(rid, error={"code": -32601, "message": f"unknown method {method}"})
