#!/usr/bin/env bash
# Create (or refresh) the Python virtual environment the tests run in: .venv in the checkout.
#
#   scripts/test-venv.sh            # create .venv if missing, install Tests/requirements.txt if
#                                   # missing or changed since the last install; print the python
#   PYTHON=python3.12 scripts/test-venv.sh
#   VENV=/somewhere/else scripts/test-venv.sh
#
# Only `make test` / `make bench` use it; `make run` and `make deps` need no Python packages
# (Debian's own python3 refuses `pip install` outside a virtual environment anyway).
#
# Installing the requirements with plain pip takes ~100 s on a machine with no pip cache (as in
# CI): it fetches ~90 wheels one after the other and resolves litellm's and langchain's wide
# version ranges. So the venv first gets `uv` (one wheel, from PyPI like the rest) and uv
# installs the requirements (~20 s, parallel downloads). If uv cannot be had, pip does it.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="${PYTHON:-python3}"
venv="${VENV:-$root/.venv}"
req="$root/Tests/requirements.txt"
stamp="$venv/.requirements.sha256"
t0=$SECONDS

want="$(sha256sum "$req" | cut -d' ' -f1) $("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"

# An existing venv is kept while its python still runs and the requirements are unchanged.
if [[ -x "$venv/bin/python" ]] && "$venv/bin/python" -c 'import sys' 2>/dev/null \
        && [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    exit 0
fi

if ! [[ -x "$venv/bin/python" ]] || ! "$venv/bin/python" -c 'import sys' 2>/dev/null; then
    rm -rf "$venv"
    echo "test-venv: creating $venv with $("$python" -c 'import sys; print(sys.executable)')" >&2
    if ! "$python" -m venv "$venv" >&2; then
        rm -rf "$venv"
        echo "test-venv: '$python -m venv' failed; on Debian install python3-venv (make test-deps does)" >&2
        exit 1
    fi
fi
rm -f "$stamp"

export PIP_DISABLE_PIP_VERSION_CHECK=1
echo "test-venv: installing $(grep -cEv '^\s*(#|$)' "$req") requirements from ${req#"$root"/}" >&2
# UV_NATIVE_TLS: trust the system's CA store, as pip does.
if ! { "$venv/bin/python" -m pip install -q uv >&2 \
        && UV_NATIVE_TLS=1 "$venv/bin/uv" pip install -q --python "$venv/bin/python" -r "$req" >&2; }; then
    echo "test-venv: uv did not work, installing with pip (slower)" >&2
    "$venv/bin/python" -m pip install -q -r "$req" >&2
fi
echo "$want" > "$stamp"
echo "test-venv: ready in $((SECONDS - t0)) s" >&2
