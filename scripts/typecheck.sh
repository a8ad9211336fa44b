#!/usr/bin/env bash
# mypy (strict) over the installed namespace. The package is laid out as top-level folders
# mapped onto `borrowlens.*`, which mypy cannot follow through setuptools' editable finder, so
# we mirror the mapping with symlinks under build/typecheck and point mypy there.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
stage="$root/build/typecheck"
mkdir -p "$stage/borrowlens"
ln -sfn "$root/analyses" "$stage/borrowlens/analyses"
ln -sfn "$root/server" "$stage/borrowlens/server"
ln -sfn "$root/cli" "$stage/borrowlens/cli"
# The benchmarks (bench/, run by hand) import borrowlens the same way; checked alongside.
ln -sfn "$root/bench" "$stage/bench"
cd "$stage"
"$root/.venv/bin/mypy" --config-file "$root/pyproject.toml" -p borrowlens -p bench "$@"
# The `borrowlens` command (cli/launcher/borrowlens) is a script file: mypy takes it by path,
# in a run of its own (it refuses files and packages together).
MYPYPATH="$stage" exec "$root/.venv/bin/mypy" --config-file "$root/pyproject.toml" \
    "$root/cli/launcher/borrowlens" "$@"
