"""ccproxy serve started by systemd-socket-activate uses the passed socket (LISTEN_FDS)."""
import os
import shutil

import pytest

from harness import chat_text, tail


def test_socket_activated_request(make_proxy):
    if not shutil.which("systemd-socket-activate"):
        # `make deps` installs it (package systemd); only a hand-run without it may skip.
        (pytest.fail if os.environ.get("CI") else pytest.skip)("systemd-socket-activate not installed")
    proxy = make_proxy(start=False)
    proxy.start_socket_activated()
    assert proxy.bearer, f"no first-boot bearer; stderr:\n{tail(proxy.stderr_path)}"
    assert chat_text(proxy.chat("STANDIN:reply activated")) == "activated"
    assert proxy.proc.poll() is None, "ccproxy exited after the first request"
