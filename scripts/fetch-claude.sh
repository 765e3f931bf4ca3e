#!/usr/bin/env bash
# Fetch the Claude Code CLI that ships inside the claude-agent-sdk wheel on PyPI and
# install it at .cache/claude/bin/claude in this checkout (used by the integration and
# black-box tests, and by `make bench`).
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

echo "fetch-claude: downloading $spec" >&2
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

mkdir -p "$dest_dir"
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
chmod +x "$dest.partial"
mv -f "$dest.partial" "$dest"

version="$("$dest" --version)" || { echo "fetch-claude: $dest --version failed" >&2; exit 1; }
echo "$version"
