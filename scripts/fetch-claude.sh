#!/usr/bin/env bash
# Fetch the Claude Code CLI that ships inside the claude-agent-sdk wheel on PyPI and
# install it at .cache/claude/bin/claude in this checkout (used by `make run` when no claude
# is on PATH, by the black-box tests and by `make bench`). Needs curl and unzip; Python (pip)
# only as a fallback when PyPI's index cannot be read directly.
#
#   scripts/fetch-claude.sh            # install if missing, print the version
#   CLAUDE_AGENT_SDK_VERSION=0.2.189 scripts/fetch-claude.sh   # pin a wheel version
#   scripts/fetch-claude.sh --force    # re-download even if a working binary exists
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest_dir="$root/.cache/claude/bin"
dest="$dest_dir/claude"
force=0
[[ "${1:-}" == "--force" ]] && force=1

if [[ $force -eq 0 && -x "$dest" ]] && version="$("$dest" --version 2>/dev/null)"; then
    echo "$version"
    exit 0
fi

python="${PYTHON:-python3}"
spec="claude-agent-sdk"
[[ -n "${CLAUDE_AGENT_SDK_VERSION:-}" ]] && spec="claude-agent-sdk==${CLAUDE_AGENT_SDK_VERSION}"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$dest_dir"

install_partial() {
    chmod +x "$dest.partial"
    mv -f "$dest.partial" "$dest"
    version="$("$dest" --version)" || { echo "fetch-claude: $dest --version failed" >&2; exit 1; }
    echo "$version"
    exit 0
}

# First without Python (so that `make run` needs none): PyPI's simple index (PEP 503) lists
# every file with its sha256; take the newest (or the pinned) Linux wheel for this machine,
# check its digest, and unzip the CLI out of it. Needs curl and unzip (`make deps`).
fetch_with_curl() {
    command -v curl >/dev/null && command -v unzip >/dev/null && command -v sha256sum >/dev/null || return 1
    local arch index links link url digest
    arch="$(uname -m)"
    index="$(curl -fsSL --max-time 60 https://pypi.org/simple/claude-agent-sdk/)" || return 1
    links="$(grep -oE "https://[^\"#]*/claude_agent_sdk-[0-9][0-9.]*-py3-none-manylinux[^\"#/]*_${arch}\.whl#sha256=[0-9a-f]{64}" <<<"$index")" || return 1
    if [[ -n "${CLAUDE_AGENT_SDK_VERSION:-}" ]]; then
        links="$(grep -F "/claude_agent_sdk-${CLAUDE_AGENT_SDK_VERSION}-" <<<"$links")" || return 1
    fi
    # The newest version: sort on the version field of the file name.
    link="$(sed -E 's|.*/claude_agent_sdk-([0-9.]+)-.*|\1 &|' <<<"$links" | sort -V -k1,1 | tail -n 1 | cut -d' ' -f2)"
    [[ -n "$link" ]] || return 1
    url="${link%%#*}"
    digest="${link##*#sha256=}"
    curl -fsSL --max-time 600 -o "$tmp/claude.whl" "$url" || return 1
    echo "$digest  $tmp/claude.whl" | sha256sum --check --quiet - >&2 || { echo "fetch-claude: checksum mismatch for $url" >&2; return 1; }
    unzip -p "$tmp/claude.whl" claude_agent_sdk/_bundled/claude > "$dest.partial" || return 1
    [[ -s "$dest.partial" ]]
}

echo "fetch-claude: downloading $spec" >&2
if fetch_with_curl; then install_partial; fi
rm -f "$dest.partial"
echo "fetch-claude: the download from PyPI's index did not work; trying pip" >&2
# Debian's own python3 ships without pip: then download with a throwaway virtual environment's
# pip (python3-venv bundles one), so that nothing is installed into the system's Python.
pip=("$python" -m pip)
if ! "$python" -m pip --version >/dev/null 2>&1; then
    if ! "$python" -m venv "$tmp/venv" >/dev/null 2>&1; then
        echo "fetch-claude: $python has neither pip nor venv; install python3-venv (apt-get install python3-venv)" >&2
        exit 1
    fi
    pip=("$tmp/venv/bin/python" -m pip)
fi
"${pip[@]}" download --quiet --no-deps --only-binary=:all: "$spec" -d "$tmp" >&2
wheel="$(ls "$tmp"/claude_agent_sdk-*.whl | head -n 1)"
[[ -f "$wheel" ]] || { echo "fetch-claude: no wheel downloaded" >&2; exit 1; }

# Extract to a temporary name first so that an interrupted run never leaves a broken binary.
"$python" - "$wheel" "$dest.partial" <<'PY'
import shutil, sys, zipfile
wheel, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(wheel) as z:
    try:
        member = z.getinfo("claude_agent_sdk/_bundled/claude")
    except KeyError:
        sys.exit(f"fetch-claude: {wheel} has no claude_agent_sdk/_bundled/claude")
    with z.open(member) as src, open(out, "wb") as dst:
        shutil.copyfileobj(src, dst, 1 << 20)
PY
install_partial
