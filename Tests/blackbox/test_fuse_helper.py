"""`ccproxy-fuse`, the FUSE helper, alone: mounted on a temporary directory, its channel
connected to a relay (fuse_relay.py) that plays the bridge worker and forwards every request
to a real `ccproxy-bridge` daemon serving a temporary root through the test websocket peer.
Ordinary tools (ls, cat, shell redirection, mkdir, mv, rm, ln, chmod, truncate, touch) work
through the mount and their effects appear in the root; a silent bridge gives EIO within the
operation timeout; the end of the channel and SIGTERM unmount. Needs root (FUSE mounts)."""
from __future__ import annotations

import contextlib
import errno
import os
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest

import harness
from bridge_peer import BridgePeer
from fuse_relay import FuseRelay

TOKEN = "ccp_0123abcd_0123456789abcdef01234567"
TIMEOUT = 2.0  # --operation-timeout of the helper under test
CACHE = 120.0  # --cache-seconds: longer than any wait here


def mounted(path: Path) -> bool:
    real = os.path.realpath(path)
    with open("/proc/self/mounts") as f:
        return any(line.split()[1] == real for line in f)


def mounts_text() -> str:
    with open("/proc/self/mounts") as f:
        return "".join(line for line in f if "fuse" in line)


def sh(cmd: str, cwd: Path, timeout: float = 30) -> subprocess.CompletedProcess:
    """Runs a shell command in the mount; bounded, so a hung FUSE op fails the test."""
    return subprocess.run(["sh", "-c", cmd], cwd=cwd, capture_output=True, text=True, timeout=timeout)


class Helper:
    def __init__(self, binary: Path, mountpoint: Path, socket_path: str, log: Path, *flags: str,
                 timeout: float = TIMEOUT):
        self.log = log
        self.out = open(log, "wb")
        self.proc = subprocess.Popen(
            [str(binary), "--mountpoint", str(mountpoint), "--channel-socket", socket_path,
             "--operation-timeout", str(timeout), *flags],
            stdin=subprocess.DEVNULL, stdout=self.out, stderr=subprocess.STDOUT, preexec_fn=harness.die_with_parent)
        self.mountpoint = mountpoint

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_mounted(self):
        def check():
            if self.proc.poll() is not None:
                raise harness.GiveUp(f"ccproxy-fuse exited {self.proc.returncode}: {self.text()[-2000:]}")
            return mounted(self.mountpoint), mounts_text()
        harness.wait_until(check, 20, f"a FUSE mount at {self.mountpoint}")

    def wait_exit(self, timeout: float = 20) -> int:
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"ccproxy-fuse still running after {timeout}s; log: {self.text()[-2000:]}")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self.out.close()
        if mounted(self.mountpoint):
            subprocess.run(["umount", "-l", str(self.mountpoint)], timeout=10)


@contextlib.contextmanager
def mounted_env(tmp_path, operation_timeout: float = TIMEOUT):
    if not harness.running_as_root():
        pytest.skip("FUSE mounts need root here")
    fuse_bin = harness.bin_dir() / "ccproxy-fuse"
    bridge_bin = harness.bin_dir() / "ccproxy-bridge"
    for p in (fuse_bin, bridge_bin):
        if not os.access(p, os.X_OK):
            pytest.fail(f"{p} not built (swift build)", pytrace=False)
    root = tmp_path / "laptop"
    root.mkdir()
    (root / "hello.txt").write_text("hello world\n")
    (root / "src").mkdir()
    (root / "src" / "main.c").write_text("int main(){}\n")
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    port = harness.free_port()
    peer = BridgePeer(port)
    daemon_log = open(tmp_path / "daemon.log", "wb")
    daemon = subprocess.Popen(
        [str(bridge_bin), "--server", f"ws://127.0.0.1:{port}/bridge", "--root", str(root), "--watch=true"],
        stdin=subprocess.DEVNULL, stdout=daemon_log, stderr=subprocess.STDOUT,
        env=dict(os.environ, CCPROXY_BRIDGE_TOKEN=TOKEN), preexec_fn=harness.die_with_parent)
    conn = peer.wait_connection()
    relay = FuseRelay(str(tmp_path / "channel.sock"), peer, conn)
    # A long cache, so that only the watch invalidation can make a laptop edit visible soon.
    helper = Helper(fuse_bin, mnt, relay.path, tmp_path / "fuse.log", "--cache-seconds", str(CACHE),
                    timeout=operation_timeout)

    class Env:
        pass

    e = Env()
    e.root, e.mnt, e.relay, e.helper = root, mnt, relay, helper
    try:
        helper.wait_mounted()
        yield e
    finally:
        helper.stop()
        relay.close()
        daemon.kill()
        daemon.wait(timeout=10)
        daemon_log.close()
        peer.shutdown()
    assert relay.error is None, f"relay failed: {relay.error!r}"


@pytest.fixture
def env(tmp_path):
    with mounted_env(tmp_path) as e:
        yield e


@pytest.fixture
def patient_env(tmp_path):
    """A helper that would wait a minute for each answer."""
    with mounted_env(tmp_path, operation_timeout=60) as e:
        yield e


def test_tools_through_the_mount_change_the_root(env):
    mnt, root = env.mnt, env.root
    assert sorted(os.listdir(mnt)) == ["hello.txt", "src"]
    r = sh("ls -la", mnt)
    assert r.returncode == 0 and "hello.txt" in r.stdout, r
    assert (mnt / "hello.txt").read_text() == "hello world\n"
    assert sh("cat src/main.c", mnt).stdout == "int main(){}\n"

    r = sh("echo written > new.txt && echo more >> new.txt", mnt)
    assert r.returncode == 0, r
    assert (root / "new.txt").read_text() == "written\nmore\n"
    r = sh("echo short > new.txt", mnt)  # O_TRUNC: a setattr(size=0), then a write
    assert r.returncode == 0, r
    assert (root / "new.txt").read_text() == "short\n"

    assert sh("mkdir -p a/b && echo x > a/b/c.txt", mnt).returncode == 0
    assert (root / "a" / "b" / "c.txt").read_text() == "x\n"
    assert sh("mv a/b/c.txt a/moved.txt && mv a z", mnt).returncode == 0
    assert (root / "z" / "moved.txt").read_text() == "x\n" and not (root / "a").exists()
    assert (mnt / "z" / "moved.txt").read_text() == "x\n"

    assert sh("chmod 600 new.txt && truncate -s 2 new.txt && touch -d @1000000000 new.txt", mnt).returncode == 0
    st = os.stat(root / "new.txt")
    assert (stat.S_IMODE(st.st_mode), st.st_size, int(st.st_mtime)) == (0o600, 2, 1000000000)
    assert stat.S_IMODE(os.stat(mnt / "new.txt").st_mode) == 0o600

    assert sh("ln -s hello.txt link", mnt).returncode == 0
    assert os.readlink(root / "link") == "hello.txt"
    assert os.readlink(mnt / "link") == "hello.txt"
    assert (mnt / "link").read_text() == "hello world\n"

    assert sh("rm new.txt link && rm -r z && rmdir src 2>&1; true", mnt).returncode == 0
    assert not (root / "new.txt").exists() and not (root / "z").exists() and not (root / "link").exists()
    assert (root / "src").exists()  # not empty: rmdir refused
    r = sh("rmdir src", mnt)
    assert r.returncode != 0 and "not empty" in r.stderr.lower(), r

    st = os.statvfs(mnt)
    assert st.f_bsize > 0 and st.f_namemax == 255


def test_errors_map_to_errno(env):
    mnt = env.mnt
    with pytest.raises(FileNotFoundError):
        os.stat(mnt / "missing")
    with pytest.raises(FileExistsError):
        os.open(mnt / "hello.txt", os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    with pytest.raises(FileExistsError):
        os.mkdir(mnt / "src")
    with pytest.raises(NotADirectoryError):
        os.listdir(mnt / "hello.txt")
    # A name the daemon hides is absent, for reading and writing alike.
    (env.root / ".env").write_text("SECRET=1\n")
    assert ".env" not in os.listdir(mnt)
    with pytest.raises(FileNotFoundError):
        (mnt / ".env").read_text()


def test_a_laptop_edit_is_seen_through_the_watch(env):
    mnt, root = env.mnt, env.root
    assert (mnt / "hello.txt").read_text() == "hello world\n"
    assert sorted(os.listdir(mnt)) == ["hello.txt", "src"]
    assert os.stat(mnt / "hello.txt").st_size == 12  # now cached for CACHE seconds
    (root / "hello.txt").write_text("edited on the laptop\n")
    (root / "added.txt").write_text("new\n")

    def seen():
        return (os.stat(mnt / "hello.txt").st_size == 21 and (mnt / "hello.txt").read_text() == "edited on the laptop\n"
                and "added.txt" in os.listdir(mnt)), (os.stat(mnt / "hello.txt").st_size, os.listdir(mnt))
    harness.wait_until(seen, 20, "the laptop's edit through the mount (watch invalidation)")


def test_a_silent_bridge_gives_eio_and_closing_the_channel_unmounts(env):
    mnt = env.mnt
    assert (mnt / "hello.txt").read_text() == "hello world\n"
    env.relay.silent = True
    # A name the kernel has not cached: the lookup must go to the bridge, and fail.
    code = "import os,sys\ntry:\n os.stat(sys.argv[1])\nexcept OSError as e:\n print(e.errno)\nelse:\n print('ok')\n"
    r = subprocess.run([sys.executable, "-c", code, str(mnt / "never-seen")],
                       capture_output=True, text=True, timeout=TIMEOUT * 10)
    assert r.stdout.strip() == str(errno.EIO), (r, env.helper.text())
    assert env.helper.proc.poll() is None, "a timeout alone must not end the helper"
    env.relay.close()
    assert env.helper.wait_exit() == 0, env.helper.text()
    assert not mounted(mnt), mounts_text()
    assert "bridge channel closed" in env.helper.text()


def test_sigterm_unmounts(env):
    assert "hello.txt" in os.listdir(env.mnt)
    env.helper.proc.send_signal(signal.SIGTERM)
    assert env.helper.wait_exit() == 0, env.helper.text()
    assert not mounted(env.mnt), mounts_text()
    assert "received SIGTERM" in env.helper.text()


def test_a_stale_mount_is_detached_at_start(env, tmp_path):
    # Kill the helper hard: its mount stays behind, dead (ENOTCONN).
    env.helper.proc.kill()
    env.helper.proc.wait(timeout=10)
    assert mounted(env.mnt)
    with pytest.raises(OSError) as dead:
        os.listdir(env.mnt)
    assert dead.value.errno == errno.ENOTCONN
    env.relay.close()
    relay = FuseRelay(str(tmp_path / "channel2.sock"), env.relay.peer, env.relay.conn)
    helper = Helper(env.helper.proc.args[0], env.mnt, relay.path, tmp_path / "fuse2.log")
    try:
        # The stale mount counts as mounted too: wait for the new one to answer.
        def listing():
            if helper.proc.poll() is not None:
                raise harness.GiveUp(f"ccproxy-fuse exited {helper.proc.returncode}: {helper.text()[-2000:]}")
            names = sorted(os.listdir(env.mnt))
            return names == ["hello.txt", "src"], names
        harness.wait_until(listing, 20, "the new mount's listing of the root")
        with open("/proc/self/mounts") as f:
            entries = [line for line in f if line.split()[1] == os.path.realpath(env.mnt)]
        assert len(entries) == 1, entries  # the dead one was detached, not mounted over
    finally:
        helper.stop()
        relay.close()


def test_a_killed_caller_is_answered_at_once_not_at_the_operation_timeout(patient_env):
    # A stopped turn's claude must not wait for the laptop: the helper gives up a call whose
    # caller is being killed and answers EINTR, so the killed process can go.
    mnt = patient_env.mnt
    patient_env.relay.silent = True
    reader = subprocess.Popen([sys.executable, "-c", "import os,sys; os.stat(sys.argv[1])", str(mnt / "never-answered")],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    harness.wait_until(lambda: (any(r.get("method") == "stat" for r in patient_env.relay.requests),
                                patient_env.relay.requests[-3:]), 10, "the stat waiting at the bridge")
    reader.kill()
    try:
        reader.wait(timeout=20)  # far below the helper's 60 s operation timeout
    except subprocess.TimeoutExpired:
        raise AssertionError("the killed caller still waits for the bridge: " + patient_env.helper.text()[-2000:])
    assert patient_env.helper.proc.poll() is None, patient_env.helper.text()
    patient_env.relay.silent = False
    assert (mnt / "hello.txt").read_text() == "hello world\n", "the mount still serves"
