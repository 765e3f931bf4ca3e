"""Fixtures for the black-box tests: the built binaries, the real Claude Code CLI, the Anthropic
stand-in, and ccproxy servers (one shared by the read-only tests, fresh ones for the tests that
kill or stop things).

    python3 -m pytest -q Tests/blackbox

Environment: CCPROXY_BIN_DIR (default .build/debug), CCPROXY_TEST_CLAUDE (default
.cache/claude/bin/claude, fetched by `make claude`).
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

# litellm fetches a model price list from the internet at import time (3 tries, ~10 s here,
# where there is no network); use the copy it ships.
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
os.environ.setdefault("LITELLM_TELEMETRY", "False")

import harness  # noqa: E402


def _missing(message: str) -> None:
    """Skip when run by hand without the prerequisites; fail when they were asked for.

    `make test` (and so CI) names both the binaries and the CLI explicitly: a missing one
    there is a broken build, not a reason to pass quietly."""
    if os.environ.get("CCPROXY_BIN_DIR") or os.environ.get("CCPROXY_TEST_CLAUDE") or os.environ.get("CI"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def bins() -> Path:
    d = harness.bin_dir()
    missing = [n for n in ("ccproxy", "ccproxy-worker", "ccproxyctl") if not os.access(d / n, os.X_OK)]
    if missing:
        _missing(f"built binaries missing in {d}: {', '.join(missing)} (run swift build, or set CCPROXY_BIN_DIR)")
    return d


@pytest.fixture(scope="session", autouse=True)
def service_user():
    """As root (CI), every server drops to the service user: create it when missing, as
    `make run` and the sysusers file do. Not root: nothing to do."""
    if not harness.running_as_root():
        return None
    if harness.service_ids() is None:
        import subprocess
        cp = subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
                             harness.SERVICE_USER], capture_output=True, text=True, timeout=30)
        assert cp.returncode == 0 or harness.service_ids() is not None, (
            f"cannot create the service user {harness.SERVICE_USER}: {cp.stderr}")
    return harness.SERVICE_USER


@pytest.fixture(scope="session")
def claude(service_user) -> Path:
    p = harness.claude_path()
    if not os.access(p, os.X_OK):
        _missing(f"Claude Code CLI not found at {p} (run `make claude`, or set CCPROXY_TEST_CLAUDE)")
    if service_user:
        # The dropped server runs claude as the service user: every directory above the binary
        # must be searchable by it, which a root-only checkout (0700) is not.
        import subprocess
        cp = subprocess.run(["setpriv", "--reuid", service_user, "--regid", service_user, "--clear-groups",
                             "test", "-x", str(p)], capture_output=True, text=True, timeout=10)
        if cp.returncode != 0:
            blocked = [str(a) for a in [p, *p.parents] if a.is_dir() and not os.stat(a).st_mode & 0o001]
            pytest.fail(f"the service user {service_user} cannot execute {p} (directories it cannot enter: "
                        f"{blocked}); make them searchable (chmod o+x) or set CCPROXY_TEST_CLAUDE to a "
                        f"reachable copy", pytrace=False)
    return p


@pytest.fixture(scope="session")
def standin(tmp_path_factory):
    s = harness.Standin(tmp_path_factory.mktemp("standin")).start()
    yield s
    s.stop()


@pytest.fixture(scope="session")
def shared_proxy(tmp_path_factory, standin, bins, claude):
    """One ccproxy for the tests that only send requests."""
    p = harness.Proxy(tmp_path_factory.mktemp("shared"), standin, bins=bins, claude=claude)
    try:
        p.start()
        p.require_bearer()
        yield p
    finally:
        p.stop()


@pytest.fixture
def proxy(shared_proxy):
    """The shared ccproxy; fails the test (not the session) if it died meanwhile."""
    if shared_proxy.proc.poll() is not None:
        pytest.fail(f"the shared ccproxy exited with status {shared_proxy.proc.returncode}; stderr:\n"
                    f"{harness.tail(shared_proxy.stderr_path)}")
    yield shared_proxy
    shared_proxy.remember()


@pytest.fixture
def make_proxy(tmp_path, standin, bins, claude):
    """Factory for a fresh ccproxy owned by one test; everything it started is killed afterwards."""
    made: list[harness.Proxy] = []

    def make(start: bool = True, **kw) -> harness.Proxy:
        p = harness.Proxy(tmp_path / f"proxy{len(made)}", standin, bins=bins, claude=claude, **kw)
        made.append(p)
        if start:
            p.start()
        return p

    yield make
    for p in made:
        p.stop()


# The configuration of `configured_proxy`, for the tests of resolution, CORS and keep-alive.
# Markers are unique per run so that an echo can only contain them if ccproxy passed them on.
RUN = harness.uuid.uuid4().hex[:8]
ALIAS_PROMPT = f"ALIAS-PROMPT-{RUN}"
REPLACE_PROMPT = f"REPLACE-PROMPT-{RUN}"
CORS_ORIGIN = "https://webui.example.test"
# Ids the CLI (2.1.332) sends upstream as they are (it rewrites some older ones, e.g.
# claude-opus-4-1 → claude-opus-5-5), all but claude-haiku-4-5 with `output_config.effort`.
PINS = {"haiku": "claude-haiku-4-5", "sonnet": "claude-sonnet-4-6", "opus": "claude-opus-4-6"}
CONFIGURED = {
    "models": [
        # The first alias: what a request without `model` gets.
        {"id": "cc-default", "claude_model": "sonnet"},
        {"id": "cc-haiku", "claude_model": "haiku"},
        {"id": "cc-prompted", "system_prompt": ALIAS_PROMPT},
        {"id": "cc-replace", "system_prompt": REPLACE_PROMPT, "system_prompt_mode": "replace"},
        {"id": "cc-effort", "effort": "low", "claude_model": "claude-opus-5-5"},
    ],
    "model_versions": PINS,
    "default_claude_model": "opus",
    "cors_origins": [CORS_ORIGIN],
    "stream_keepalive": "1s",
}


@pytest.fixture(scope="session")
def configured_proxy_session(tmp_path_factory, standin, bins, claude):
    p = harness.Proxy(tmp_path_factory.mktemp("configured"), standin, bins=bins, claude=claude,
                      config=CONFIGURED)
    try:
        p.start()
        p.require_bearer()
        yield p
    finally:
        p.stop()


@pytest.fixture
def configured_proxy(configured_proxy_session):
    """A shared ccproxy with aliases, model_versions pins, default_claude_model, cors_origins
    and stream_keepalive 1s (CONFIGURED above), for tests that only send requests."""
    p = configured_proxy_session
    if p.proc.poll() is not None:
        pytest.fail(f"the configured ccproxy exited with status {p.proc.returncode}; stderr:\n"
                    f"{harness.tail(p.stderr_path)}")
    yield p
    p.remember()
