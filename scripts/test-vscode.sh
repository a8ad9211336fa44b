#!/usr/bin/env bash
# The VS Code extension's part of the test suite (called by scripts/test after pytest):
# installs its npm dependencies from package-lock.json, then type-checks, lints, runs the unit
# tests, packages the .vsix (@vscode/vsce), and runs the end-to-end tests in a real VS Code
# (code-server from scripts/ensure-code-server.sh, driven by Playwright in Debian's chromium).
# Expects scripts/setup.sh to have run (the venv's `borrowlens` is the server under test).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ext="$root/editors/vscode"
cache="${BORROWLENS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/borrowlens}"
say() { printf 'borrowlens vscode: %s\n' "$*" >&2; }
command -v node >/dev/null && command -v npm >/dev/null || {
    echo "error: Node.js 20 and npm are required for the VS Code extension tests" >&2; exit 2; }

CODE_SERVER="$("$root/scripts/ensure-code-server.sh")"
export CODE_SERVER
BORROWLENS_RUST_ANALYZER="${BORROWLENS_TEST_RUST_ANALYZER:-$("$root/scripts/ensure-rust-analyzer.sh")}"
export BORROWLENS_RUST_ANALYZER
export BORROWLENS_SERVER="$root/.venv/bin/borrowlens"
[[ -x "$BORROWLENS_SERVER" ]] || { echo "error: $BORROWLENS_SERVER is missing: run scripts/setup.sh" >&2; exit 2; }

cd "$ext"
# npm ci only when package-lock.json changed since the last install in this clone.
stamp="node_modules/.borrowlens-lock"
lock_hash="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [[ "$(cat "$stamp" 2>/dev/null)" != "$lock_hash" ]]; then
    say "installing npm dependencies (npm ci)"
    npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false \
        npm ci --loglevel=error >&2
    echo "$lock_hash" >"$stamp"
fi
say "tsc"
npx --no-install tsc -p .
say "eslint"
npx --no-install eslint .
say "unit tests"
node --test out/test/unit/
say "packaging the .vsix"
BORROWLENS_UV="${BORROWLENS_UV:-$cache/uv-0.13.8/bin/uv}" node scripts/package.mjs >/dev/null
export BORROWLENS_VSIX="$ext/dist/borrowlens.vsix"
say "end-to-end tests in code-server ($("$CODE_SERVER" --version | head -1))"
node --test --test-concurrency=1 out/test/e2e/
