"""The systemd units: `systemd-analyze verify` is clean, `systemd-analyze security` rates the
service at or below the level the README states, the sysusers/tmpfiles files create the
user and directories they promise, and the hardening leaves claude's namespace sandbox
possible (a fresh /proc in a user + PID namespace).

The units name /usr/local/bin/ccproxy, which a test machine does not have (and `verify`
checks that every Exec*= binary exists), so each test works on copies in a temporary
directory with the ccproxy paths pointed at the built binaries; nothing else is changed.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import harness

SYSTEMD = harness.REPO / "systemd"
INSTALLED_BIN = "/usr/local/bin/"
# The exposure levels reached (README "Operations"); a change that weakens a unit fails here.
# (+0.1 each for RestrictNamespaces allowing ipc: the turn sandbox's IPC namespace.)
SERVICE_EXPOSURE_MAX = 2.8
# (+0.2 for the privileged drop-in's CAP_DAC_READ_SEARCH and CAP_SETPCAP: the FUSE manager
# reaches mount points in the 0700 state directory, and empties its own bounding set.)
PRIVILEGED_EXPOSURE_MAX = 3.9
EXPOSURE_RE = re.compile(r"Overall exposure level for \S+: (\d+(?:\.\d+)?)")


def _missing(message: str) -> None:
    """Skip when run by hand without the tool; fail in CI or when the build was named."""
    if os.environ.get("CCPROXY_BIN_DIR") or os.environ.get("CCPROXY_TEST_CLAUDE") or os.environ.get("CI"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="module")
def analyze() -> str:
    tool = shutil.which("systemd-analyze")
    if not tool:
        _missing("systemd-analyze not installed (Debian package systemd; `make deps` installs it)")
    return tool


@pytest.fixture(scope="module")
def ccproxy_bin() -> Path:
    p = harness.bin_dir() / "ccproxy"
    if not os.access(p, os.X_OK):
        _missing(f"built binary missing: {p} (run swift build, or set CCPROXY_BIN_DIR)")
    return p


def _localized(text: str, bins: Path) -> str:
    """The unit text with the installed binary paths replaced by the built ones."""
    return text.replace(INSTALLED_BIN + "ccproxy", str(bins) + "/ccproxy")


@pytest.fixture
def units(tmp_path, ccproxy_bin) -> Path:
    d = tmp_path / "units"
    d.mkdir()
    for name in ("ccproxy.service", "ccproxy.socket"):
        (d / name).write_text(_localized((SYSTEMD / name).read_text(), ccproxy_bin.parent))
    return d


def _run(argv: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(argv, capture_output=True, text=True, timeout=60,
                          env=dict(os.environ, SYSTEMD_COLORS="0", SYSTEMD_PAGER="", LC_ALL="C.UTF-8"))


def _exposure(analyze: str, unit: Path) -> tuple[float, str]:
    r = _run([analyze, "security", "--offline=yes", "--no-pager", str(unit)])
    out = r.stdout + r.stderr
    m = EXPOSURE_RE.search(out)
    assert m, f"no 'Overall exposure level' in systemd-analyze security (status {r.returncode}):\n{out}"
    return float(m.group(1)), out


def test_units_reference_only_installed_paths():
    """The test's rewriting must not hide a path typo: the units name the install paths."""
    service = (SYSTEMD / "ccproxy.service").read_text()
    assert f"ExecStart={INSTALLED_BIN}ccproxy serve" in service


def test_verify_is_clean(analyze, units):
    r = _run([analyze, "verify", "--no-pager", str(units / "ccproxy.socket"), str(units / "ccproxy.service")])
    out = (r.stdout + r.stderr).strip()
    print(out or "systemd-analyze verify: clean")
    assert r.returncode == 0, f"systemd-analyze verify failed (status {r.returncode}):\n{out}"
    ours = [ln for ln in out.splitlines() if "ccproxy" in ln or str(units) in ln]
    assert not ours, "systemd-analyze verify complains about the units:\n" + "\n".join(ours)


def test_service_security_exposure(analyze, units):
    score, out = _exposure(analyze, units / "ccproxy.service")
    print(f"systemd-analyze security ccproxy.service: {score}")
    assert score <= SERVICE_EXPOSURE_MAX, (
        f"exposure {score} above {SERVICE_EXPOSURE_MAX}; a setting was weakened or removed:\n{out}")


def test_privileged_dropin_security_exposure(analyze, units):
    """The drop-in for the later root-started FUSE helper, applied on top of the unit (a unit
    file may repeat [Service]; later assignments win, empty ones reset)."""
    dropin = (SYSTEMD / "ccproxy-privileged.conf.example").read_text()
    merged = units / "privileged" / "ccproxy.service"
    merged.parent.mkdir()
    merged.write_text((units / "ccproxy.service").read_text() + "\n" + dropin)
    r = _run([analyze, "verify", "--no-pager", str(units / "ccproxy.socket"), str(merged)])
    assert r.returncode == 0 and "ccproxy" not in r.stdout + r.stderr, r.stdout + r.stderr
    score, out = _exposure(analyze, merged)
    print(f"systemd-analyze security ccproxy.service + privileged drop-in: {score}")
    assert "Service runs as root user" in out, "the drop-in no longer resets User="
    assert score <= PRIVILEGED_EXPOSURE_MAX, f"exposure {score} above {PRIVILEGED_EXPOSURE_MAX}:\n{out}"


def test_sysusers_and_tmpfiles_create_user_and_directories(tmp_path):
    for tool in ("systemd-sysusers", "systemd-tmpfiles"):
        if not shutil.which(tool):
            _missing(f"{tool} not installed (Debian package systemd)")
    if os.geteuid() != 0:
        _missing("systemd-tmpfiles needs root to chown in a scratch root")
    root = tmp_path / "root"
    (root / "etc").mkdir(parents=True)
    # From stdin: a file argument is looked up inside --root.
    r = subprocess.run(["systemd-sysusers", f"--root={root}", "-"], input=(SYSTEMD / "ccproxy.sysusers").read_text(),
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    passwd = {ln.split(":")[0]: ln.split(":") for ln in (root / "etc/passwd").read_text().splitlines()}
    assert "ccproxy" in passwd, (root / "etc/passwd").read_text()
    user = passwd["ccproxy"]
    uid, gid, home, shell = int(user[2]), int(user[3]), user[5], user[6]
    assert 0 < uid < 1000 and home == "/var/lib/ccproxy" and shell.endswith("nologin"), user
    r = subprocess.run(["systemd-tmpfiles", f"--root={root}", "--create", "-"],
                       input=(SYSTEMD / "ccproxy.tmpfiles").read_text(), capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    state = (root / "var/lib/ccproxy").stat()
    assert (state.st_uid, state.st_gid, state.st_mode & 0o7777) == (uid, gid, 0o700)
    etc = (root / "etc/ccproxy").stat()
    assert (etc.st_uid, etc.st_gid, etc.st_mode & 0o7777) == (0, gid, 0o750)
    # The unit and the tmpfiles entry agree on the state directory.
    service = (SYSTEMD / "ccproxy.service").read_text()
    assert "StateDirectory=ccproxy" in service and "Environment=CCPROXY_STATE=/var/lib/ccproxy" in service


def _settings(text: str) -> dict[str, str]:
    """The last assignment of each key (what systemd uses for these boolean settings)."""
    out = {}
    for line in text.splitlines():
        m = re.match(r"^([A-Za-z]+)=(.*)$", line.strip())
        if m:
            out[m.group(1)] = m.group(2)
    return out


def test_hardening_leaves_room_for_the_turn_sandbox():
    """claude's turns run in user + mount + PID namespaces with a /proc of their own. The
    kernel refuses that /proc when anything is mounted over part of the service's /proc
    (ProtectKernelTunables=, ProtectKernelLogs=), so those must stay off; the namespaces,
    mount(2), /dev/fuse and seccomp must stay allowed."""
    s = _settings((SYSTEMD / "ccproxy.service").read_text())
    assert s.get("ProtectKernelTunables") == "no" and s.get("ProtectKernelLogs") == "no"
    assert s.get("ProcSubset", "all") == "all" and s.get("PrivateUsers", "no") == "no"
    assert set(s["RestrictNamespaces"].split()) >= {"user", "mnt", "pid"}
    assert "/dev/fuse rw" in s["DeviceAllow"]
    service = (SYSTEMD / "ccproxy.service").read_text()
    allow = [ln.split("=", 1)[1].split() for ln in service.splitlines()
             if ln.startswith("SystemCallFilter=") and not ln.startswith("SystemCallFilter=~")]
    assert allow and {"@mount", "seccomp"} <= set(allow[0])


def test_fresh_proc_in_a_user_pid_namespace_under_the_units_proc_mounts():
    """The /proc-related mounts the unit makes (ProtectProc=invisible: a hidepid proc) still
    let an unprivileged user + PID namespace mount its own /proc; a read-only /proc/sys (what
    ProtectKernelTunables=yes does) does not. This is why the unit leaves it off."""
    if not shutil.which("unshare") or os.geteuid() != 0:
        _missing("needs root and unshare (util-linux)")
    probe = "unshare -Urm --pid --fork --mount-proc true"
    unit_like = f"mount -t proc -o hidepid=invisible proc /proc && {probe}"
    tunables = f"mount --bind /proc/sys /proc/sys && mount -o remount,bind,ro /proc/sys && {probe}"
    ok = subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c", unit_like],
                        capture_output=True, text=True, timeout=30)
    assert ok.returncode == 0, f"a fresh /proc is refused under the unit's /proc: {ok.stderr}"
    refused = subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c", tunables],
                             capture_output=True, text=True, timeout=30)
    assert refused.returncode != 0, "the kernel now allows it: ProtectKernelTunables=yes could be reconsidered"
