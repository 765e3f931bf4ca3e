"""The operator's MCP servers (user-scoped `mcpServers` in the service user's
`~/.claude.json`) reach every sandboxed turn: claude calls the host's server and gets its
answer, and cannot change the file."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest

import harness
from harness import chat_text

HERE = Path(__file__).resolve().parent
MCP_USER = "ccproxy-mcptest"
PYTHON = "/usr/bin/python3"


@pytest.fixture
def operator_home():
    """A home for the server's user holding a ~/.claude.json with one MCP server. As root
    the server drops to a user of the test's own whose home this is; otherwise the server
    runs with this HOME."""
    if not os.path.exists(PYTHON):
        pytest.skip(f"{PYTHON} is needed to run the MCP server inside the sandbox")
    # Not under /tmp: a turn's sandbox has its own /tmp, so a server there would be out of sight.
    home = Path(tempfile.mkdtemp(prefix="ccp-operator-", dir="/var/tmp"))
    os.chmod(home, 0o711)
    shutil.copy(HERE / "mcp_probe_server.py", home / "mcp_probe_server.py")
    (home / ".claude.json").write_text(json.dumps({
        "numStartups": 3,
        "projects": {"/somewhere/private": {"history": [{"display": "operator-secret-history"}]}},
        "mcpServers": {"probe": {"type": "stdio", "command": PYTHON, "args": [str(home / "mcp_probe_server.py")]}},
    }))
    created = False
    if harness.running_as_root():
        cp = subprocess.run(["useradd", "--system", "--no-create-home", "--home-dir", str(home),
                             "--shell", "/usr/sbin/nologin", MCP_USER], capture_output=True, text=True, timeout=30)
        assert cp.returncode == 0 or "already exists" in cp.stderr, cp.stderr
        subprocess.run(["usermod", "--home", str(home), MCP_USER], check=True, timeout=30)
        created = True
        ids = subprocess.run(["id", "-u", MCP_USER], capture_output=True, text=True).stdout.strip()
        gid = subprocess.run(["id", "-g", MCP_USER], capture_output=True, text=True).stdout.strip()
        for path in (home, home / ".claude.json", home / "mcp_probe_server.py"):
            os.chown(path, int(ids), int(gid))
    yield home
    if created:
        subprocess.run(["userdel", MCP_USER], capture_output=True, timeout=30)
    shutil.rmtree(home, ignore_errors=True)


@pytest.fixture
def mcp_proxy(tmp_path, operator_home, standin, bins, claude):
    root = harness.running_as_root()
    p = harness.Proxy(tmp_path, standin, bins=bins, claude=claude,
                      config={"user": MCP_USER} if root else None,
                      extra_env=None if root else {"HOME": str(operator_home)})
    if not root:
        p.env["HOME"] = str(operator_home)
    else:
        uid = int(subprocess.run(["id", "-u", MCP_USER], capture_output=True, text=True).stdout.strip())
        os.chown(p.tmpdir, uid, -1)
    try:
        yield p.start()
    finally:
        p.stop()


def test_a_turn_calls_the_operators_mcp_server(mcp_proxy):
    p = mcp_proxy
    text = chat_text(p.chat("STANDIN:tool mcp__probe__whoami {}", timeout=90))
    assert text.startswith("tool said: probe-ok"), \
        f"claude did not get the host MCP server's answer: {text!r}\n{harness.tail(p.stderr_path)}"
    assert "the operator's MCP servers are offered to every turn" in p.stderr_path.read_text(errors="replace")


def test_a_turn_cannot_change_the_operators_mcp_configuration(mcp_proxy, operator_home):
    p = mcp_proxy
    marker = uuid.uuid4().hex[:8]
    cmd = f"echo hello >> {operator_home}/.claude.json 2>/dev/null && echo WROTE-{marker} || echo RO-{marker}"
    text = chat_text(p.chat(f"STANDIN:bash {cmd}", timeout=90))
    assert f"RO-{marker}" in text, f"the write was not refused: {text!r}"
    assert "hello" not in (operator_home / ".claude.json").read_text()
