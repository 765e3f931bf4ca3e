"""SIGHUP and `ccproxyctl reload`: a valid config.yaml is taken (new workers get it, an
in-flight stream is unharmed), a broken one is refused with every problem and the running
configuration kept; sd_notify says RELOADING=1 … READY=1, and STOPPING=1 on SIGTERM."""
import os
import signal
import socket
import tempfile
import threading

from harness import open_to_service_user, wait_until
from test_notify import wait_for_notification


def test_reload_takes_a_new_alias_and_refuses_a_broken_file(make_proxy):
    sock_dir = tempfile.mkdtemp(prefix="ccp-notify-")
    path = os.path.join(sock_dir, "notify.sock")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    listener.bind(path)
    open_to_service_user(sock_dir, path)
    try:
        proxy = make_proxy(start=False, extra_env={"NOTIFY_SOCKET": path})
        original = proxy.config.read_text()
        proxy.start()
        wait_for_notification(listener, "READY=1")
        models = lambda: {m["id"] for m in proxy.request("GET", "/v1/models").json()["data"]}
        assert "reloaded-alias" not in models()

        # A stream in flight across the reload.
        result = {}
        client = proxy.stream("STANDIN:slow 15 200", timeout=60)
        t = threading.Thread(target=lambda: result.setdefault("r", client.read_all()), daemon=True)
        t.start()
        wait_until(lambda: ((st := proxy.status())["busy"] >= 1, st), 15, "the stream to be running")

        proxy.config.write_text(original + "models:\n  - id: reloaded-alias\n    claude_model: sonnet\n")
        proxy.proc.send_signal(signal.SIGHUP)
        seen = wait_for_notification(listener, "RELOADING=1")
        assert any("MONOTONIC_USEC=" in m for m in seen), seen
        wait_for_notification(listener, "READY=1")
        wait_until(lambda: ("reloaded-alias" in (ids := models()), ids), 15, "the new alias in /v1/models")
        st = proxy.status()
        assert st["generation"] == 2, st

        t.join(60)
        r = result.get("r")
        assert r is not None and r.done and r.text.split() == [f"tok{i}" for i in range(15)], \
            r.summary() if r else "the stream did not finish"

        # A broken file: refused with every problem, the running configuration kept.
        broken = original.replace("request_timeout: 2m", "request_timeout: -5s").replace(
            'request_timeout: "2m"', 'request_timeout: "-5s"')
        assert broken != original, f"the test could not find request_timeout in the config: {original}"
        proxy.config.write_text(broken + "\nbogus_key: 1\n")
        cp = proxy.ctl("reload", check=False)
        assert cp.returncode == 2, (cp.returncode, cp.stdout, cp.stderr)
        assert "bogus_key" in cp.stderr and "request_timeout" in cp.stderr, cp.stderr
        assert "reloaded-alias" in models()
        assert proxy.status()["generation"] == 2
        log = open(proxy.stderr_path, errors="replace").read()
        assert "reload refused" in log and "bogus_key" in log, log[-3000:]

        proxy.proc.send_signal(signal.SIGTERM)
        wait_for_notification(listener, "STOPPING=1")
        assert proxy.proc.wait(timeout=30) == 0
    finally:
        listener.close()
        os.unlink(path)
        os.rmdir(sock_dir)
