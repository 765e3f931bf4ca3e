"""deploy/: the Dockerfile and the compose file, checked by reading them (no Docker engine
is needed): what they copy exists in the repository or is built by SwiftPM under the names
they use, the runtime image has the libraries the built binaries link, it runs unprivileged
with a health check, and the compose file is valid YAML that wires the image, the state
volume, the env file and the port together. The example config and env files parse."""
from __future__ import annotations

import glob
import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

import harness

REPO = harness.REPO
DEPLOY = REPO / "deploy"
DOCKERFILE = DEPLOY / "Dockerfile"
COMPOSE = DEPLOY / "compose.yaml"
PROGRAMS = ("ccproxy", "ccproxy-worker", "ccproxyctl")
RUNTIME_LIBS = ("libsqlite3-0", "libargon2-1", "libfuse3-3", "libsystemd0", "libcurl4")


def _missing(message: str) -> None:
    if os.environ.get("CCPROXY_BIN_DIR") or os.environ.get("CCPROXY_TEST_CLAUDE") or os.environ.get("CI"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


# --------------------------------------------------------------------------- Dockerfile


def instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs: comments dropped, continuation lines joined."""
    out, current = [], ""
    for line in text.splitlines():
        stripped = line.strip()
        if not current and (not stripped or stripped.startswith("#")):
            continue
        if current and stripped.startswith("#"):
            continue  # a comment inside a continued instruction
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        current += stripped
        word, _, rest = current.partition(" ")
        out.append((word.upper(), rest.strip()))
        current = ""
    assert not current, f"unterminated continuation: {current!r}"
    return out


def stages(text: str) -> list[dict]:
    """Each stage: its base image (ARG defaults substituted), name and instructions."""
    args, result = {}, []
    for word, rest in instructions(text):
        if word == "ARG" and not result:
            name, _, default = rest.partition("=")
            args[name] = default
        elif word == "FROM":
            parts = rest.split()
            image = re.sub(r"\$\{(\w+)\}", lambda m: args.get(m.group(1), m.group(0)), parts[0])
            name = parts[2] if len(parts) >= 3 and parts[1].upper() == "AS" else None
            result.append({"image": image, "name": name, "ops": []})
        else:
            assert result, f"{word} before the first FROM"
            result[-1]["ops"].append((word, rest))
    return result


@pytest.fixture(scope="module")
def docker_stages() -> list[dict]:
    return stages(DOCKERFILE.read_text())


def _copies(stage: dict) -> list[tuple[str | None, list[str], str]]:
    """(from-stage or None, sources, destination) of each COPY."""
    out = []
    for word, rest in stage["ops"]:
        if word != "COPY":
            continue
        words = shlex.split(rest)
        source_stage = None
        while words and words[0].startswith("--"):
            flag = words.pop(0)
            if flag.startswith("--from="):
                source_stage = flag.split("=", 1)[1]
        out.append((source_stage, words[:-1], words[-1]))
    return out


def test_dockerfile_stages_and_base(docker_stages):
    names = [s["name"] for s in docker_stages]
    assert names[:-1] == ["build", "claude"] and names[-1] is None, names
    assert docker_stages[-1]["image"] == "debian:bookworm-slim"
    assert docker_stages[1]["image"] == "debian:bookworm-slim"
    assert docker_stages[0]["image"].endswith("-bookworm"), "binaries must link against Debian 12's libraries"


def test_dockerfile_copies_exist_in_the_repository(docker_stages):
    for stage in docker_stages:
        for source_stage, sources, _ in _copies(stage):
            if source_stage:
                continue
            for src in sources:
                assert glob.glob(str(REPO / src)), f"COPY {src}: no such file in the repository (build context = root)"
    ignore = (REPO / ".dockerignore").read_text().split()
    for heavy in (".build", ".cache", ".git"):
        assert heavy in ignore, f".dockerignore does not exclude {heavy}"


def test_dockerfile_builds_and_installs_every_program(docker_stages):
    manifest = (REPO / "Package.swift").read_text()
    products = set(re.findall(r'\.executable\(name:\s*"([^"]+)"', manifest))
    assert set(PROGRAMS) <= products, f"Package.swift products {products}"
    build = " ".join(rest for word, rest in docker_stages[0]["ops"] if word == "RUN")
    assert "swift build -c release" in build and "--static-swift-stdlib" in build
    for program in PROGRAMS:
        # SwiftPM's release products, as `make release` and `make bench` use them.
        assert f".build/release/{program}" in build, f"the build stage does not take .build/release/{program}"
    final = docker_stages[-1]
    installed = {(s, os.path.basename(src), dst) for s, srcs, dst in _copies(final) for src in srcs}
    for program in PROGRAMS:
        assert ("build", program, "/usr/local/bin/") in installed, f"{program} not copied to /usr/local/bin/"
    assert ("claude", "claude", "/usr/local/bin/claude") in installed
    claude = " ".join(rest for word, rest in docker_stages[1]["ops"] if word == "RUN")
    assert "pip download" in claude and "claude-agent-sdk" in claude and "_bundled/claude" in claude
    # The same layout as scripts/fetch-claude.sh reads from the wheel.
    assert "claude_agent_sdk/_bundled/claude" in (REPO / "scripts" / "fetch-claude.sh").read_text()


def test_runtime_image_is_unprivileged_with_healthcheck(docker_stages):
    ops = docker_stages[-1]["ops"]
    words = {word for word, _ in ops}
    runs = " ".join(rest for word, rest in ops if word == "RUN")
    for lib in RUNTIME_LIBS + ("ca-certificates",):
        assert re.search(rf"(?<![\w.-]){re.escape(lib)}(?![\w.-])", runs), f"runtime image does not install {lib}"
    user = [rest for word, rest in ops if word == "USER"]
    assert user and user[-1].split(":")[0] not in ("root", "0"), f"USER {user}"
    assert ("EXPOSE", "4141") in ops
    health = [rest for word, rest in ops if word == "HEALTHCHECK"]
    assert health and "/healthz" in health[0] and ":4141" in health[0], health
    assert "VOLUME" in words and any("/var/lib/ccproxy" in rest for word, rest in ops if word == "VOLUME")
    env = " ".join(rest for word, rest in ops if word == "ENV")
    assert "CCPROXY_STATE=/var/lib/ccproxy" in env and "CCPROXY_CONFIG=/etc/ccproxy/config.yaml" in env
    entry = " ".join(rest for word, rest in ops if word in ("ENTRYPOINT", "CMD"))
    assert "/usr/local/bin/ccproxy" in entry and "serve" in entry
    # The example config's listen address is the port the image exposes and checks.
    assert re.search(r'^listen:\s*":4141"', (DEPLOY / "config.yaml.example").read_text(), re.M)


def test_runtime_libraries_cover_what_the_binaries_link(docker_stages):
    """Every system library a built binary needs (DT_NEEDED, outside the Swift toolchain,
    which the image links statically) comes from a package the runtime image installs."""
    if not shutil.which("readelf") or not shutil.which("dpkg"):
        _missing("readelf (binutils) or dpkg missing")
    bins = harness.bin_dir()
    present = [bins / p for p in PROGRAMS if os.access(bins / p, os.X_OK)]
    if not present:
        _missing(f"no built binaries in {bins}")
    runs = " ".join(rest for word, rest in docker_stages[-1]["ops"] if word == "RUN")
    # In every Debian image already (Essential, or required by apt itself).
    base = {"libc6", "libstdc++6", "libgcc-s1", "zlib1g"}
    glibc = re.compile(r"(libc|libm|libdl|libpthread|librt|ld-linux[\w-]*)\.so\.\d+$")
    seen: dict[str, str] = {}
    for binary in present:
        dynamic = subprocess.run(["readelf", "-d", str(binary)], capture_output=True, text=True, check=True).stdout
        for lib in re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", dynamic):
            if lib.startswith(("libswift", "libFoundation", "lib_Foundation", "libdispatch", "libBlocksRuntime")):
                continue
            if glibc.match(lib):
                continue  # libc6
            if lib not in seen:
                owner = subprocess.run(["dpkg", "-S", f"*/{lib}"], capture_output=True, text=True)
                assert owner.returncode == 0, f"{binary.name} needs {lib}, which no Debian package provides here"
                seen[lib] = owner.stdout.split(":")[0]
            package = seen[lib]
            assert package in base or re.search(rf"(?<![\w.-]){re.escape(package)}(?![\w.-])", runs), (
                f"{binary.name} needs {lib} from {package}, which the runtime image does not install")


# --------------------------------------------------------------------------- compose


@pytest.fixture(scope="module")
def compose() -> dict:
    try:
        import yaml
    except ImportError:
        _missing("PyYAML is not installed (Tests/requirements.txt)")
    with open(COMPOSE) as f:
        return yaml.safe_load(f)


def test_compose_wires_image_volume_env_and_port(compose):
    service = compose["services"]["ccproxy"]
    build = service["build"]
    assert (COMPOSE.parent / build["context"] / build["dockerfile"]).resolve() == DOCKERFILE
    ports = [str(p) for p in service["ports"]]
    assert any(p.endswith("4141:4141") for p in ports), ports
    volumes = service["volumes"]
    named = [v.split(":")[0] for v in volumes if ":" in v and v.split(":")[1] == "/var/lib/ccproxy"]
    assert named and named[0] in (compose.get("volumes") or {}), f"no named volume for the state dir: {volumes}"
    env_files = service["env_file"]
    paths = [e["path"] if isinstance(e, dict) else e for e in env_files]
    assert paths, env_files
    # The env file the comments tell you to create from deploy/env.example.
    assert any(Path(p).name == "ccproxy.env" for p in paths)
    assert "cp deploy/env.example deploy/ccproxy.env" in COMPOSE.read_text()
    # Drain time at least the default request_timeout (10m).
    assert re.fullmatch(r"\d+m", service["stop_grace_period"]) and int(service["stop_grace_period"][:-1]) >= 10


def test_env_example_suits_systemd_compose_and_dotenv():
    """Only comments and blank lines, and every commented example is a bare KEY=VALUE:
    systemd's EnvironmentFile= keeps an inline "# ..." in the value and knows no `export`,
    so an uncommented example must work unchanged in all three readers."""
    examples = 0
    for n, line in enumerate((DEPLOY / "env.example").read_text().splitlines(), 1):
        assert not line.strip() or line.startswith("#"), f"env.example:{n}: sets a variable: {line!r}"
        m = re.match(r"# ([A-Z_][A-Z0-9_]*)=(.*)$", line)
        if m:
            examples += 1
            assert re.fullmatch(r"[^\s#'\"]*", m.group(2)), f"env.example:{n}: value not bare: {line!r}"
    assert examples >= 8
