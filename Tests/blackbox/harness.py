"""Helpers shared by the black-box tests and the benchmark: start the Anthropic stand-in and a
ccproxy server, talk HTTP/SSE to it, and inspect the process tree through /proc.

Everything that waits has a timeout, and every failure says what it saw.
"""
from __future__ import annotations

import http.client
import json
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

REPO = Path(__file__).resolve().parents[2]
STANDIN_SCRIPT = REPO / "Tests" / "standin" / "anthropic_standin.py"
BEARER_RE = re.compile(r"\bbearer:\s*(ccp_[0-9a-fA-F]{8}_[0-9a-fA-F]{24})")
TOKEN_RE = re.compile(r"^(ccp_[0-9a-fA-F]{8}_[0-9a-fA-F]{24})$")


# Started as root (as CI runs), ccproxy drops to this service user before it opens anything;
# the paths it and claude need must be reachable by that user (see service_user_paths()).
SERVICE_USER = "ccproxy"
# What claude gets of the test environment besides ccproxy's defaults: the marker that lets
# a test find every process of a server instance (ccproxy never passes CCPROXY_* to claude).
CLAUDE_MARKER = "BLACKBOX_ID"
CLAUDE_ENVIRONMENT = ["ANTHROPIC_*", "CLAUDE_CODE_*", "DISABLE_*", CLAUDE_MARKER]


def running_as_root() -> bool:
    return os.geteuid() == 0


def service_ids() -> tuple[int, int] | None:
    """(uid, gid) of the service user when the tests run as root, else None."""
    if not running_as_root():
        return None
    import pwd
    try:
        entry = pwd.getpwnam(SERVICE_USER)
    except KeyError:
        return None
    return entry.pw_uid, entry.pw_gid


def reachable_dir(prefix: str) -> Path:
    """A fresh directory the service user can enter (0711; pytest's own are 0700 root)."""
    d = Path(tempfile.mkdtemp(prefix=prefix))
    os.chmod(d, 0o711)
    # Kept while the run lasts (a test may stop and restart a server on the same state).
    import atexit
    atexit.register(shutil.rmtree, d, True)
    return d


def open_to_service_user(directory: str, socket_path: str):
    """Let the service user send to a test's Unix socket (the dropped server sends sd_notify
    messages as that user): the directory searchable, the socket writable. No-op unless root."""
    if running_as_root():
        os.chmod(directory, 0o711)
        os.chmod(socket_path, 0o666)


def give_to_service_user(path: Path):
    """chown path to the service user (a no-op when not root)."""
    ids = service_ids()
    if ids:
        os.chown(path, *ids)


def bin_dir() -> Path:
    d = os.environ.get("CCPROXY_BIN_DIR")
    return Path(d).resolve() if d else REPO / ".build" / "debug"


def claude_path() -> Path:
    p = os.environ.get("CCPROXY_TEST_CLAUDE")
    return Path(p).resolve() if p else REPO / ".cache" / "claude" / "bin" / "claude"


# --------------------------------------------------------------------------- waiting


class GiveUp(AssertionError):
    """Raised by a poll function to stop waiting at once (e.g. the process died)."""


def wait_until(fn: Callable[[], tuple[bool, object]], timeout: float, what: str, interval: float = 0.05):
    """Poll fn() -> (done, seen) until done or timeout. Raises AssertionError naming `what` and
    the last thing seen. A poll that raises counts as "not yet", except GiveUp."""
    deadline = time.monotonic() + timeout
    seen: object = None
    while True:
        try:
            done, seen = fn()
        except GiveUp:
            raise
        except Exception as e:
            done, seen = False, f"{type(e).__name__}: {e}"
        if done:
            return seen
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout:.1f}s waiting for {what}; last seen: {seen!r}")
        time.sleep(interval)


def die_with_parent():
    """preexec_fn: have the child get SIGTERM if the test process dies (even by SIGKILL), so an
    interrupted run leaves no stand-in or server behind. Spawned from the main thread only."""
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except Exception:
        pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tail(path: Path, n: int = 4000) -> str:
    try:
        data = Path(path).read_bytes()
    except OSError as e:
        return f"<{e}>"
    return data[-n:].decode("utf-8", "replace")


# --------------------------------------------------------------------------- /proc


def _stat(pid: int) -> tuple[str, str, int, int] | None:
    """(comm, state, ppid, pgid) of a process, or None if it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    lp, rp = raw.index("("), raw.rindex(")")
    comm = raw[lp + 1 : rp]
    rest = raw[rp + 2 :].split()
    return comm, rest[0], int(rest[1]), int(rest[2])


def all_pids() -> list[int]:
    return [int(n) for n in os.listdir("/proc") if n.isdigit()]


def alive(pid: int) -> bool:
    """True if the process exists and is not a zombie."""
    st = _stat(pid)
    return st is not None and st[1] not in ("Z", "X")


def ppid_of(pid: int) -> int | None:
    st = _stat(pid)
    return st[2] if st else None


def comm_of(pid: int) -> str | None:
    st = _stat(pid)
    return st[0] if st else None


def cmdline(pid: int) -> list[str]:
    try:
        return [a.decode("utf-8", "replace") for a in Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0") if a]
    except OSError:
        return []


def exe_name(pid: int) -> str:
    try:
        return os.path.basename(os.readlink(f"/proc/{pid}/exe")).replace(" (deleted)", "")
    except OSError:
        return ""


def children(pid: int) -> list[int]:
    out = []
    for p in all_pids():
        st = _stat(p)
        if st and st[2] == pid and st[1] not in ("Z", "X"):
            out.append(p)
    return out


def descendants(pid: int) -> list[int]:
    table = {}
    for p in all_pids():
        st = _stat(p)
        if st:
            table.setdefault(st[2], []).append(p)
    out, todo = [], [pid]
    while todo:
        for c in table.get(todo.pop(), []):
            out.append(c)
            todo.append(c)
    return out


def open_files(pid: int) -> list[str]:
    out = []
    try:
        names = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return out
    for n in names:
        try:
            out.append(os.readlink(f"/proc/{pid}/fd/{n}"))
        except OSError:
            pass
    return out


def environ_of(pid: int) -> dict[str, str] | None:
    """The environment of a process, or None if it cannot be read."""
    try:
        raw = Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return None
    out = {}
    for item in raw.split(b"\0"):
        if b"=" in item:
            k, v = item.split(b"=", 1)
            out[k.decode("utf-8", "replace")] = v.decode("utf-8", "replace")
    return out


def uid_of(pid: int) -> int | None:
    """The real uid of a process (as the host sees it)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("Uid:"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


def has_env(pid: int, key: str, value: str) -> bool:
    try:
        env = Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return False
    return f"{key}={value}".encode() in env.split(b"\0")


def is_worker(pid: int) -> bool:
    return comm_of(pid) == "ccproxy-worker" or exe_name(pid) == "ccproxy-worker"


def is_claude(pid: int, claude: Path | None = None) -> bool:
    if comm_of(pid) == "claude" or exe_name(pid) == "claude":
        return True
    args = cmdline(pid)
    return bool(args) and os.path.basename(args[0]) == "claude"


def describe(pid: int) -> str:
    st = _stat(pid)
    if not st:
        return f"{pid}:<gone>"
    return f"{pid}:{st[0]}[{st[1]}] ppid={st[2]} pgid={st[3]} {' '.join(cmdline(pid))[:120]}"


def kill_quietly(pid: int, sig: int = signal.SIGKILL):
    try:
        os.kill(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def killpg_quietly(pgid: int, sig: int = signal.SIGKILL):
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


# --------------------------------------------------------------------------- the stand-in


class Standin:
    """The Anthropic Messages API stand-in, as a child process on an ephemeral port."""

    def __init__(self, workdir: Path, bodies: bool = False):
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.log = self.workdir / "standin.jsonl"
        # With bodies=True every POST body is saved there (see bodies()).
        self.bodies_dir = self.workdir / "bodies" if bodies else None
        self.stderr_path = self.workdir / "standin.stderr"
        self.proc: subprocess.Popen | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 10.0) -> "Standin":
        self.log.touch()
        self.proc = subprocess.Popen(
            [sys.executable, str(STANDIN_SCRIPT), "--port", "0", "--log", str(self.log),
             *(["--bodies", str(self.bodies_dir)] if self.bodies_dir else [])],
            stdout=subprocess.PIPE, stderr=open(self.stderr_path, "wb"), start_new_session=True,
            preexec_fn=die_with_parent,
        )
        deadline = time.monotonic() + timeout
        line = b""
        while time.monotonic() < deadline:
            r, _, _ = select.select([self.proc.stdout], [], [], 0.1)
            if r:
                line = self.proc.stdout.readline()
                break
            if self.proc.poll() is not None:
                break
        m = re.match(rb"LISTENING (\d+)", line)
        if not m:
            self.stop()
            raise AssertionError(f"stand-in did not print LISTENING within {timeout}s; stdout={line!r} "
                                 f"stderr={tail(self.stderr_path)!r}")
        self.port = int(m.group(1))
        return self

    def stop(self):
        if self.proc is not None:
            killpg_quietly(self.proc.pid, signal.SIGKILL)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
            self.proc = None

    def mark(self) -> int:
        """A position in the log; pass it to entries() to see only later requests."""
        return len(self.log.read_bytes().splitlines())

    def messages(self, since: int = 0) -> list[dict]:
        """Log entries of the /v1/messages requests answered since the mark."""
        return [e for e in self.entries(since) if e.get("path") == "/v1/messages" and "status" in e]

    def bodies(self) -> list[dict]:
        """Saved POST requests ({path, headers, body}), oldest first (needs bodies=True)."""
        assert self.bodies_dir is not None, "this stand-in was started without bodies=True"
        out = []
        for f in sorted(self.bodies_dir.glob("*.json")):
            try:
                out.append(json.loads(f.read_text()))
            except (OSError, ValueError):
                pass
        return out

    def entries(self, since: int = 0) -> list[dict]:
        lines = self.log.read_bytes().splitlines()[since:]
        out = []
        for ln in lines:
            try:
                out.append(json.loads(ln))
            except ValueError:
                pass
        return out


# --------------------------------------------------------------------------- HTTP


@dataclass
class Response:
    status: int
    headers: dict
    body: bytes

    def json(self):
        try:
            return json.loads(self.body)
        except ValueError as e:
            raise AssertionError(f"response body is not JSON ({e}): status={self.status} body={self.body[:500]!r}")

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def __repr__(self):
        return f"<Response {self.status} headers={self.headers} body={self.body[:600]!r}>"


def http_request(base: str, method: str, path: str, body: bytes | dict | None = None,
                 headers: dict | None = None, timeout: float = 60.0) -> Response:
    host, port = base.replace("http://", "").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=timeout)
    hdrs = dict(headers or {})
    if isinstance(body, dict):
        body = json.dumps(body).encode()
        hdrs.setdefault("Content-Type", "application/json")
    try:
        conn.request(method, path, body=body, headers=hdrs)
        resp = conn.getresponse()
        data = resp.read()
        return Response(resp.status, {k.lower(): v for k, v in resp.getheaders()}, data)
    finally:
        conn.close()


@dataclass
class StreamResult:
    status: int = 0
    headers: dict = field(default_factory=dict)
    chunks: list = field(default_factory=list)        # parsed JSON chunks
    times: list = field(default_factory=list)         # arrival time of each chunk (monotonic, s)
    content_times: list = field(default_factory=list)  # arrival of chunks that carry content
    done: bool = False                                # saw data: [DONE]
    ended: str = ""                                   # how the stream ended
    body: bytes = b""                                 # raw body for non-200 answers
    comments: list = field(default_factory=list)      # (arrival time, text) of SSE comment lines
    lines: list = field(default_factory=list)         # (arrival time, raw line) of every non-empty line
    t_start: float = 0.0
    t_first_content: float | None = None
    t_end: float = 0.0

    @property
    def text(self) -> str:
        return self.joined("content")

    @property
    def reasoning(self) -> str:
        return self.joined("reasoning_content")

    def joined(self, key: str) -> str:
        """The concatenated `delta.<key>` of every chunk."""
        out = []
        for c in self.chunks:
            for ch in c.get("choices") or []:
                piece = (ch.get("delta") or {}).get(key)
                if piece:
                    out.append(piece)
        return "".join(out)

    @property
    def errors(self) -> list:
        """The `error` objects of `data: {"error": ...}` events."""
        return [c["error"] for c in self.chunks if isinstance(c, dict) and "error" in c]

    @property
    def finish_reasons(self) -> list:
        return [ch.get("finish_reason") for c in self.chunks for ch in c.get("choices") or []
                if ch.get("finish_reason") is not None]

    def summary(self) -> str:
        return (f"status={self.status} chunks={len(self.chunks)} done={self.done} ended={self.ended!r} "
                f"text={self.text[:200]!r} last={json.dumps(self.chunks[-1])[:300] if self.chunks else None} "
                f"body={self.body[:300]!r}")


class SSEClient:
    """One streaming chat completion over a raw socket, so that tests control the connection
    (read a little, then drop it) and time every chunk."""

    def __init__(self, base: str, bearer: str | None, payload: dict, headers: dict | None = None,
                 timeout: float = 60.0, path: str = "/v1/chat/completions"):
        host, port = base.replace("http://", "").split(":")
        self.result = StreamResult(t_start=time.monotonic())
        self.timeout = timeout
        self.conn = http.client.HTTPConnection(host, int(port), timeout=timeout)
        hdrs = {"Content-Type": "application/json", "Accept": "text/event-stream"}
        if bearer:
            hdrs["Authorization"] = f"Bearer {bearer}"
        hdrs.update(headers or {})
        self.conn.request("POST", path, body=json.dumps(payload).encode(), headers=hdrs)
        self.resp = self.conn.getresponse()
        self.result.status = self.resp.status
        self.result.headers = {k.lower(): v for k, v in self.resp.getheaders()}
        if self.resp.status != 200:
            self.result.body = self.resp.read()
            self.result.ended = "http error"

    def events(self) -> Iterator[dict]:
        """Yield each parsed chunk as it arrives; stop at [DONE] or at the end of the stream."""
        r = self.result
        if r.status != 200:
            return
        deadline = time.monotonic() + self.timeout
        while True:
            if time.monotonic() > deadline:
                r.ended = f"client timeout after {self.timeout}s"
                return
            try:
                line = self.resp.readline()
            except (http.client.IncompleteRead, ConnectionError, socket.timeout, OSError, ValueError) as e:
                r.ended = f"{type(e).__name__}: {e}"
                r.t_end = time.monotonic()
                return
            if not line:
                r.ended = "eof"
                r.t_end = time.monotonic()
                return
            line = line.strip()
            now = time.monotonic()
            if line:
                r.lines.append((now, line))
            if line.startswith(b":"):
                r.comments.append((now, line[1:].strip().decode("utf-8", "replace")))
                continue
            if not line.startswith(b"data:"):
                continue
            data = line[5:].strip()
            if data == b"[DONE]":
                r.done = True
                r.ended = "done"
                r.t_end = now
                return
            try:
                chunk = json.loads(data)
            except ValueError:
                r.ended = f"bad chunk {data[:200]!r}"
                return
            r.chunks.append(chunk)
            r.times.append(now)
            if any((ch.get("delta") or {}).get("content") for ch in chunk.get("choices") or []):
                r.content_times.append(now)
                if r.t_first_content is None:
                    r.t_first_content = now
            yield chunk

    def read_all(self) -> StreamResult:
        for _ in self.events():
            pass
        self.close()
        return self.result

    def read_until_content(self) -> dict:
        for chunk in self.events():
            if any((ch.get("delta") or {}).get("content") for ch in chunk.get("choices") or []):
                return chunk
        raise AssertionError(f"stream ended before any content: {self.result.summary()}")

    def abort(self):
        """Drop the connection abruptly (as a client that goes away)."""
        try:
            sock = self.conn.sock
            if sock is not None:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                sock.close()
        except OSError:
            pass
        self.close()

    def close(self):
        try:
            self.resp.close()
        except Exception:
            pass
        try:
            self.conn.close()
        except Exception:
            pass


# --------------------------------------------------------------------------- ccproxy


def config_yaml(claude: Path, min_idle: int = 2, max_workers: int = 32, extra: str = "",
                config: dict | None = None) -> str:
    """The test server's config.yaml. `config` overrides or adds top-level keys (a dict value for
    `workers` is merged into the pool settings); each value is written as JSON, which is YAML
    too, so any shape (aliases, model_versions, cors_origins, durations as "1s") goes through
    unchanged. `extra` is raw YAML appended inside the `workers:` section (kept for old callers)."""
    base: dict = {
        "claude_binary": str(claude),
        "claude_environment": CLAUDE_ENVIRONMENT,
        "default_permission_mode": "bypassPermissions",
        "allow_passthrough_models": True,
        "request_timeout": "2m",
    }
    workers: dict = {"min_idle": min_idle, "max": max_workers}
    for k, v in (config or {}).items():
        if k == "workers" and isinstance(v, dict):
            workers.update(v)
        else:
            base[k] = v
    out = "".join(f"{k}: {json.dumps(v)}\n" for k, v in base.items() if v is not None)
    out += "workers:\n" + "".join(f"  {k}: {json.dumps(v)}\n" for k, v in workers.items())
    return out + extra


class Proxy:
    """A ccproxy supervisor started for a test, with its own state dir, HOME and port."""

    def __init__(self, workdir: Path, standin: Standin, *, bins: Path | None = None,
                 claude: Path | None = None, min_idle: int = 2, max_workers: int = 32,
                 extra_config: str = "", extra_env: dict | None = None, config: dict | None = None):
        self.workdir = Path(workdir)
        self.bins = Path(bins or bin_dir())
        self.claude = Path(claude or claude_path())
        self.standin = standin
        # Where the service user can reach it when the tests run as root (ccproxy drops to it
        # and gives the state directory to it itself); pytest's tmp dirs are 0700 root.
        self.base = reachable_dir("ccp-bb-") if running_as_root() else None
        self.state = (self.base or self.workdir) / "state"
        self.home = self.workdir / "home"
        # Short, because claude binds a Unix socket under it (108-byte path limit).
        self.tmpdir = Path(tempfile.mkdtemp(prefix="ccp-"))
        give_to_service_user(self.tmpdir)
        self.config = self.state / "config.yaml"
        self.stdout_path = self.workdir / "ccproxy.stdout"
        self.stderr_path = self.workdir / "ccproxy.stderr"
        self.test_id = uuid.uuid4().hex
        self.port = 0
        self.proc: subprocess.Popen | None = None
        self.bearer: str | None = None
        self.known: set[int] = set()
        for d in (self.state, self.home, self.tmpdir):
            d.mkdir(parents=True, exist_ok=True)
        self.config.write_text(config_yaml(self.claude, min_idle, max_workers, extra_config, config))
        self.env = self._env(extra_env)

    def _env(self, extra: dict | None) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("CCPROXY_", "ANTHROPIC_", "CLAUDE_"))}
        env.update({
            "CCPROXY_STATE": str(self.state),
            "CCPROXY_CONFIG": str(self.config),
            "ANTHROPIC_BASE_URL": self.standin.url,
            "ANTHROPIC_API_KEY": "x",
            "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
            "CLAUDE_CODE_MAX_RETRIES": "1",
            "HOME": str(self.home),
            # claude puts a socket in $TMPDIR/cc-socks/ and leaves it there when it is killed.
            "TMPDIR": str(self.tmpdir),
            "IS_SANDBOX": "1",
            # Lets the tests find every process of this instance, even one that got reparented.
            "CCPROXY_BLACKBOX_ID": self.test_id,
            CLAUDE_MARKER: self.test_id,
        })
        env.update(extra or {})
        return env

    # ---- lifecycle

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.proc is not None, "ccproxy is not running"
        return self.proc.pid

    def start(self, timeout: float = 30.0, prefix: list[str] | None = None, port: int | None = None) -> "Proxy":
        """Start `ccproxy serve`; `prefix` wraps the command (e.g. nsenter into a namespace);
        `port` listens on that port again (a restart), else on a free one."""
        self.port = port or free_port()
        env = dict(self.env, CCPROXY_LISTEN=f"127.0.0.1:{self.port}")
        self.proc = subprocess.Popen(
            [*(prefix or []), str(self.bins / "ccproxy"), "serve", "--config", str(self.config)],
            env=env, cwd=str(self.workdir), stdin=subprocess.DEVNULL,
            stdout=open(self.stdout_path, "wb"), stderr=open(self.stderr_path, "wb"),
            start_new_session=True, preexec_fn=die_with_parent,
        )
        self.wait_ready(timeout)
        return self

    def start_socket_activated(self, timeout: float = 30.0, metrics_port: int | None = None) -> "Proxy":
        """Start under systemd-socket-activate, which execs ccproxy on the first connection;
        with `metrics_port`, a second socket named `metrics` is passed too."""
        self.port = free_port()
        argv = ["systemd-socket-activate", "-l", f"127.0.0.1:{self.port}", "--fdname=http"]
        if metrics_port is not None:
            argv = ["systemd-socket-activate", "-l", f"127.0.0.1:{self.port}", "-l", f"127.0.0.1:{metrics_port}",
                    "--fdname=http:metrics"]
        for k, v in self.env.items():
            if k.startswith(("CCPROXY_", "ANTHROPIC_", "CLAUDE_")) or k in ("HOME", "TMPDIR", "IS_SANDBOX", "PATH"):
                argv += ["-E", f"{k}={v}"]
        argv += [str(self.bins / "ccproxy"), "serve", "--config", str(self.config)]
        self.proc = subprocess.Popen(
            argv, env=self.env, cwd=str(self.workdir), stdin=subprocess.DEVNULL,
            stdout=open(self.stdout_path, "wb"), stderr=open(self.stderr_path, "wb"),
            start_new_session=True, preexec_fn=die_with_parent,
        )
        wait_until(lambda: ("Listening on" in tail(self.stderr_path), tail(self.stderr_path)), 10,
                   "systemd-socket-activate to listen")
        self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout: float = 30.0):
        def ready():
            if self.proc.poll() is not None:
                raise GiveUp(f"ccproxy exited with status {self.proc.returncode} before it was ready; "
                             f"stderr:\n{tail(self.stderr_path)}")
            try:
                r = http_request(self.url, "GET", "/healthz", timeout=5)
            except OSError as e:
                return False, f"{type(e).__name__}: {e}"
            return r.status == 200, r

        try:
            wait_until(ready, timeout, f"GET /healthz = 200 on {self.url}", interval=0.1)
        except GiveUp:
            raise
        except AssertionError as e:
            raise AssertionError(f"{e}\nccproxy stderr:\n{tail(self.stderr_path)}") from None
        self.bearer = self._banner_bearer()
        self.remember()

    def _banner_bearer(self) -> str | None:
        # The banner is written before the server is ready; allow a moment for buffering.
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            m = BEARER_RE.search(tail(self.stderr_path, 1 << 20))
            if m:
                return m.group(1)
            time.sleep(0.05)
        return None

    def require_bearer(self) -> str:
        assert self.bearer, f"no '  bearer: ccp_...' line in the first-boot banner; stderr:\n{tail(self.stderr_path)}"
        return self.bearer

    def remember(self):
        """Record every process of this instance seen so far (for cleanup and orphan checks)."""
        if self.proc is not None:
            self.known.add(self.proc.pid)
            self.known.update(descendants(self.proc.pid))
        self.known.update(self.marked_pids())

    def marked_pids(self) -> list[int]:
        me = os.getpid()
        return [p for p in all_pids() if p != me and (has_env(p, "CCPROXY_BLACKBOX_ID", self.test_id)
                                                       or has_env(p, CLAUDE_MARKER, self.test_id))]

    def leftovers(self) -> list[int]:
        """Processes of this instance (other than the supervisor) that are still alive."""
        sup = self.proc.pid if self.proc else -1
        pids = (self.known | set(self.marked_pids())) - {sup}
        return sorted(p for p in pids if alive(p) and (has_env(p, "CCPROXY_BLACKBOX_ID", self.test_id)
                                                          or has_env(p, CLAUDE_MARKER, self.test_id)
                                                          or is_worker(p) or is_claude(p)))

    def stop(self, timeout: float = 10.0):
        """Stop everything this instance started: SIGTERM, then SIGKILL for whatever is left."""
        if self.proc is None:
            shutil.rmtree(self.tmpdir, ignore_errors=True)
            return
        self.remember()
        if self.proc.poll() is None:
            kill_quietly(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                pass
        killpg_quietly(self.proc.pid, signal.SIGKILL)
        for p in self.known | set(self.marked_pids()):
            if p != os.getpid() and alive(p):
                st = _stat(p)
                if st and st[3] not in (0, 1, os.getpgrp()):
                    killpg_quietly(st[3], signal.SIGKILL)
                kill_quietly(p, signal.SIGKILL)
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        shutil.rmtree(self.tmpdir, ignore_errors=True)

    # ---- processes

    def workers(self) -> list[int]:
        return sorted(p for p in children(self.pid) if is_worker(p))

    def claude_pids(self, worker_pids: list[int] | None = None) -> list[int]:
        out = []
        for w in (self.workers() if worker_pids is None else worker_pids):
            out += [p for p in descendants(w) if is_claude(p) and alive(p)]
        self.known.update(out)
        return sorted(out)

    def tree(self) -> str:
        if self.proc is None:
            return "<not started>"
        return "\n".join(describe(p) for p in [self.proc.pid] + descendants(self.proc.pid))

    # ---- CLIs

    def cli(self, *args: str, timeout: float = 30.0, check: bool = True) -> subprocess.CompletedProcess:
        cp = subprocess.run([str(self.bins / "ccproxy"), *args], env=self.env, cwd=str(self.workdir),
                            capture_output=True, text=True, timeout=timeout)
        if check and cp.returncode != 0:
            raise AssertionError(f"ccproxy {' '.join(args)} exited {cp.returncode}\nstdout:\n{cp.stdout}\nstderr:\n{cp.stderr}")
        return cp

    def ctl(self, *args: str, timeout: float = 15.0, check: bool = True) -> subprocess.CompletedProcess:
        cp = subprocess.run([str(self.bins / "ccproxyctl"), *args], env=self.env, cwd=str(self.workdir),
                            capture_output=True, text=True, timeout=timeout)
        if check and cp.returncode != 0:
            raise AssertionError(f"ccproxyctl {' '.join(args)} exited {cp.returncode}\nstdout:\n{cp.stdout}\nstderr:\n{cp.stderr}")
        return cp

    def status(self) -> dict:
        cp = self.ctl("status", "--json")
        try:
            return json.loads(cp.stdout)
        except ValueError as e:
            raise AssertionError(f"ccproxyctl status --json printed no JSON ({e}): {cp.stdout!r} stderr={cp.stderr!r}")

    def create_token(self, name: str, *flags: str, scopes: str | None = "chat") -> str:
        """`ccproxy token create --name NAME [--scopes S] FLAGS...`; returns the bearer."""
        args = ["token", "create", "--name", name, *flags]
        if scopes is not None:
            args += ["--scopes", scopes]
        cp = self.cli(*args)
        return last_bearer(cp)

    def rotate_token(self, name: str) -> str:
        return last_bearer(self.cli("token", "rotate", name))

    def revoke_token(self, name: str):
        self.cli("token", "revoke", name)

    # ---- HTTP

    def request(self, method: str, path: str, body=None, bearer: str | None = "default",
                headers: dict | None = None, timeout: float = 60.0) -> Response:
        hdrs = dict(headers or {})
        if bearer == "default":
            bearer = self.require_bearer()
        if bearer:
            hdrs["Authorization"] = f"Bearer {bearer}"
        return http_request(self.url, method, path, body, hdrs, timeout)

    def chat(self, prompt: str, model: str = "sonnet", bearer: str | None = "default",
             timeout: float = 90.0, **extra) -> Response:
        payload = {"model": model, "messages": [{"role": "user", "content": prompt}], **extra}
        return self.request("POST", "/v1/chat/completions", payload, bearer=bearer, timeout=timeout)

    def post_chat(self, body: dict, headers: dict | None = None, bearer: str | None = "default",
                  timeout: float = 90.0) -> Response:
        """POST a whole request body to /v1/chat/completions."""
        return self.request("POST", "/v1/chat/completions", body, bearer=bearer, headers=headers, timeout=timeout)

    def stream_chat(self, body: dict, headers: dict | None = None, bearer: str | None = "default",
                    timeout: float = 90.0) -> SSEClient:
        """Stream a whole request body (`stream: true` is added)."""
        if bearer == "default":
            bearer = self.require_bearer()
        return SSEClient(self.url, bearer, {**body, "stream": True}, headers=headers, timeout=timeout)

    def stream(self, prompt: str, model: str = "sonnet", bearer: str | None = "default",
               timeout: float = 90.0, headers: dict | None = None, **extra) -> SSEClient:
        if bearer == "default":
            bearer = self.require_bearer()
        payload = {"model": model, "stream": True, "messages": [{"role": "user", "content": prompt}], **extra}
        return SSEClient(self.url, bearer, payload, headers=headers, timeout=timeout)


def last_bearer(cp: subprocess.CompletedProcess) -> str:
    lines = [ln.strip() for ln in cp.stdout.splitlines() if ln.strip()]
    assert lines and TOKEN_RE.match(lines[-1]), (
        f"expected the bearer on the last line of stdout; stdout={cp.stdout!r} stderr={cp.stderr!r}")
    return lines[-1]


def chat_text(resp: Response) -> str:
    assert resp.status == 200, f"expected 200, got {resp!r}"
    body = resp.json()
    try:
        return body["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError):
        raise AssertionError(f"no choices[0].message.content in {body!r}")


def run_parallel(fns: list[Callable[[], object]], timeout: float) -> list[object]:
    """Run the callables in threads; return their results (or the exception each raised)."""
    results: list[object] = [None] * len(fns)

    def run(i, fn):
        try:
            results[i] = fn()
        except BaseException as e:  # noqa: BLE001 - reported by the caller
            results[i] = e

    threads = [threading.Thread(target=run, args=(i, fn), daemon=True) for i, fn in enumerate(fns)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + timeout
    for t in threads:
        t.join(max(0.0, deadline - time.monotonic()))
    stuck = [i for i, t in enumerate(threads) if t.is_alive()]
    for i in stuck:
        results[i] = TimeoutError(f"still running after {timeout}s")
    return results


# --------------------------------------------------------------------------- OpenAI shapes


def openai_error(resp: Response, status: int, code: str | None = None, etype: str | None = None) -> dict:
    """Assert an OpenAI-shaped error answer with this status (and code/type); return `error`."""
    assert resp.status == status, f"expected {status}, got {resp!r}"
    assert (resp.header("content-type") or "").startswith("application/json"), f"error not JSON: {resp!r}"
    body = resp.json()
    err = body.get("error") if isinstance(body, dict) else None
    assert isinstance(err, dict), f"no error object: {body}"
    for k in ("message", "type", "param", "code"):
        assert k in err, f"error.{k} missing: {body}"
    assert isinstance(err["message"], str) and err["message"], body
    if code is not None:
        assert err["code"] == code, f"expected code {code!r}: {body}"
    if etype is not None:
        assert err["type"] == etype, f"expected type {etype!r}: {body}"
    return err


def user(text: str, **extra) -> dict:
    return {"role": "user", "content": text, **extra}


BASH_DESCRIPTION = "Run the command the test asked for"  # the stand-in's Bash tool_use description
THINKING = "Let me think about it."                      # the stand-in's STANDIN:think thinking text


def make_ca(d: Path) -> tuple[Path, Path, Path]:
    """A test CA and a server certificate it signed for localhost and 127.0.0.1 (openssl):
    (ca.pem, server.pem, server.key) in `d`."""
    def run(*args):
        cp = subprocess.run(["openssl", *args], capture_output=True, text=True, timeout=60, cwd=d)
        assert cp.returncode == 0, cp.stderr
    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
        "-subj", "/CN=bridge test CA", "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost")
    (d / "ext.cnf").write_text("subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n")
    run("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out",
        "server.pem", "-days", "2", "-extfile", "ext.cnf")
    return d / "ca.pem", d / "server.pem", d / "server.key"
