"""`ccproxy serve` reads `.env` from its working directory (variables already set win) or the
file named by `--env-file`; the other `ccproxy` commands read it too. Also the documented
exit codes of every command, and the shell completion scripts."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from harness import http_request, tail

SEED = "ccp_0123abcd_0123456789abcdef01234567"


def _run(bins: Path, program: str, *args: str, cwd: Path, env: dict | None = None, timeout: float = 30):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("CCPROXY_", "ANTHROPIC_"))}
    clean.update(env or {})
    return subprocess.run([str(bins / program), *args], cwd=str(cwd), env=clean, capture_output=True,
                          text=True, timeout=timeout, stdin=subprocess.DEVNULL)


def test_serve_reads_dotenv_and_existing_environment_wins(make_proxy):
    proxy = make_proxy(start=False)
    # The harness sets CCPROXY_STATE itself: the .env value must lose. CCPROXY_TOKEN is not
    # set: the .env value seeds the database.
    (proxy.workdir / ".env").write_text(
        "# a development .env\n"
        f"export CCPROXY_TOKEN={SEED}\n"
        f"CCPROXY_STATE='{proxy.workdir}/not-this-state'  # loses\n")
    proxy.start()
    r = http_request(proxy.url, "GET", "/v1/models", headers={"Authorization": f"Bearer {SEED}"})
    assert r.status == 200, f"{r!r}\nstderr:\n{tail(proxy.stderr_path)}"
    assert proxy.bearer is None, "a bearer was minted although .env seeded one"
    assert (proxy.state / "tokens.db").exists()
    assert not (proxy.workdir / "not-this-state").exists(), "the .env overrode a variable that was set"


def test_serve_with_missing_env_file_exits_2(bins, tmp_path):
    r = _run(bins, "ccproxy", "serve", "--env-file", "nope.env", cwd=tmp_path)
    assert r.returncode == 2, (r.returncode, r.stderr)
    assert f"--env-file {tmp_path}/nope.env: no such file" in r.stderr


def test_serve_with_broken_dotenv_exits_2_naming_the_line(bins, tmp_path):
    (tmp_path / ".env").write_text("GOOD=1\nnot an assignment\n")
    r = _run(bins, "ccproxy", "serve", cwd=tmp_path)
    assert r.returncode == 2, (r.returncode, r.stderr)
    assert f"env file {tmp_path}/.env: line 2:" in r.stderr, r.stderr


def test_config_check_and_token_commands_read_the_same_dotenv(bins, tmp_path):
    state = tmp_path / "state"
    (tmp_path / "dev.yaml").write_text("allow_passthrough_models: true\n")
    (tmp_path / ".env").write_text(f"CCPROXY_STATE={state}\nCCPROXY_CONFIG=dev.yaml\n")
    r = _run(bins, "ccproxy", "config", "check", cwd=tmp_path)
    assert r.returncode == 0 and f"{tmp_path}/dev.yaml: ok" in r.stdout and f"state_dir: {state}" in r.stdout, r
    # A variable that is set wins over the file.
    (tmp_path / "other.yaml").write_text("{}\n")
    r = _run(bins, "ccproxy", "config", "check", cwd=tmp_path, env={"CCPROXY_CONFIG": str(tmp_path / "other.yaml")})
    assert r.returncode == 0 and f"{tmp_path}/other.yaml: ok" in r.stdout, r
    r = _run(bins, "ccproxy", "token", "create", "--name", "dev", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert (state / "tokens.db").exists(), "ccproxy token did not use CCPROXY_STATE from .env"
    r = _run(bins, "ccproxy", "token", "list", "--env-file", str(tmp_path / ".env"), cwd="/")
    assert r.returncode == 0 and "dev" in r.stdout, r


@pytest.mark.parametrize("program,args,setup,status", [
    ("ccproxy", ["version"], None, 0),
    ("ccproxy", ["serve", "--no-such-flag"], None, 64),
    ("ccproxy", ["serve", "--config", "missing.yaml"], None, 2),
    ("ccproxy", ["serve", "--config", "bad.yaml"], "bad", 2),
    ("ccproxy", ["config", "check", "--config", "bad.yaml"], "bad", 2),
    ("ccproxy", ["config", "check", "--config", "good.yaml"], "good", 0),
    ("ccproxy", ["token", "revoke", "nobody"], "state", 1),
    ("ccproxy", ["token", "create"], None, 64),
    ("ccproxyctl", ["status", "--socket", "absent.sock"], None, 1),
    ("ccproxyctl", ["no-such-command"], None, 64),
])
def test_documented_exit_codes(bins, tmp_path, program, args, setup, status):
    env = {}
    if setup == "bad":
        (tmp_path / "bad.yaml").write_text("workers:\n  max: -1\nnot_a_key: 1\n")
    elif setup == "good":
        (tmp_path / "good.yaml").write_text("{}\n")
    elif setup == "state":
        env["CCPROXY_STATE"] = str(tmp_path / "state")
    r = _run(bins, program, *args, cwd=tmp_path, env=env)
    assert r.returncode == status, f"{program} {' '.join(args)}: status {r.returncode}, stderr:\n{r.stderr}"


@pytest.mark.parametrize("program", ["ccproxy", "ccproxyctl"])
@pytest.mark.parametrize("shell,marker", [("bash", "complete -"), ("zsh", "#compdef"), ("fish", "complete -c")])
def test_completion_scripts(bins, tmp_path, program, shell, marker):
    r = _run(bins, program, "--generate-completion-script", shell, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert marker in r.stdout and program in r.stdout
    if program == "ccproxy":
        assert "--env-file" in r.stdout or "env-file" in r.stdout
