#!/usr/bin/env bash
# Idempotent set-up shared by scripts/borrowlens and scripts/test.
#
# Installs a pinned uv into a versioned per-user cache, then syncs this clone's .venv from
# uv.lock (exact pinned versions; nothing resolved afresh). Safe to run any number of times:
# every step checks what is already there first. Progress goes to stderr so that stdout stays
# clean for the command being wrapped (the language server speaks JSON-RPC on stdout).
set -euo pipefail

BORROWLENS_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BORROWLENS_CACHE="${BORROWLENS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/borrowlens}"
UV_VERSION="0.13.8"
UV_HOME="$BORROWLENS_CACHE/uv-$UV_VERSION"
export BORROWLENS_ROOT BORROWLENS_CACHE

say() { printf 'borrowlens setup: %s\n' "$*" >&2; }

find_python() {
    for candidate in python3.11 python3; do
        if command -v "$candidate" >/dev/null 2>&1 \
            && "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)'; then
            # The interpreter itself, not a launcher (a pyenv shim is a script): uv compares
            # this path with the venv's base interpreter and would otherwise delete and
            # re-create .venv on every run, pulling it from under anything running from it.
            "$candidate" -c 'import sys; print(sys.executable)'
            return 0
        fi
    done
    say "error: Python 3.11 or newer is required (python3 not found or too old)"
    return 1
}

ensure_uv() {
    if [[ -x "$UV_HOME/bin/uv" ]] && "$UV_HOME/bin/uv" --version >/dev/null 2>&1; then
        return 0
    fi
    local py
    py="$(find_python)"
    say "installing uv $UV_VERSION into $UV_HOME (once per machine)"
    rm -rf "$UV_HOME"
    mkdir -p "$BORROWLENS_CACHE"
    "$py" -m venv "$UV_HOME"
    "$UV_HOME/bin/pip" install --quiet --disable-pip-version-check "uv==$UV_VERSION"
}

ensure_venv() {
    local py
    py="$(find_python)"
    # uv never downloads a Python here: only the registries are reachable.
    # The project itself is reinstalled every time (about a second): its editable finder maps
    # package names to folders and would miss a subpackage added since the last install.
    # Bytecode: without it every process compiles lsprotocol, pygls and borrowlens from
    # source (PYTHONDONTWRITEBYTECODE, set in some environments, stops Python caching it;
    # compiling explicitly writes it all the same, and reading it is never disabled). uv
    # compiles all of site-packages each time it is asked (+0.7 s), so only when uv.lock
    # changed; compileall skips the project's own files that are up to date.
    local compile=() stamp="$BORROWLENS_ROOT/.venv/.bytecode-for"
    local lock
    lock="$(cksum <"$BORROWLENS_ROOT/uv.lock")"
    if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$lock" ]]; then
        compile=(--compile-bytecode)
    fi
    UV_PYTHON_DOWNLOADS=never "$UV_HOME/bin/uv" sync --quiet --locked --python "$py" \
        --reinstall-package borrowlens "${compile[@]}" \
        --project "$BORROWLENS_ROOT" >&2
    printf '%s' "$lock" >"$stamp"
    "$BORROWLENS_ROOT/.venv/bin/python" -m compileall -q -j 0 \
        "$BORROWLENS_ROOT/analyses" "$BORROWLENS_ROOT/server" "$BORROWLENS_ROOT/cli" >/dev/null
}

ensure_uv
ensure_venv
