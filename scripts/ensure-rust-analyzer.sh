#!/usr/bin/env bash
# Builds rust-analyzer from crates.io into a versioned per-user cache, once; prints its path.
#
# The version is a recent `ra_ap_rust-analyzer` that builds with the machine's toolchain
# (Rust 1.95). Its declared rust-version is not enough: 0.0.349 declares 1.95 but uses the
# `assert_matches` macro, unstable on 1.95; 0.0.345 does not. It is never installed over the
# rustup proxy in ~/.cargo/bin: the binary lives in $BORROWLENS_CACHE/rust-analyzer-$VERSION/bin and every clone reuses it.
set -euo pipefail
RA_VERSION="${BORROWLENS_RA_VERSION:-0.0.345}"
cache="${BORROWLENS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/borrowlens}"
dest="$cache/rust-analyzer-$RA_VERSION"
binary="$dest/bin/rust-analyzer"
if [[ -x "$binary" ]] && "$binary" --version >/dev/null 2>&1; then
    echo "$binary"
    exit 0
fi
mkdir -p "$cache"
# One build at a time: a second clone (or a test) asking meanwhile waits for the first build
# instead of writing into its target dir, and then finds the binary.
exec 9>"$cache/rust-analyzer-$RA_VERSION.lock"
flock 9
if [[ -x "$binary" ]] && "$binary" --version >/dev/null 2>&1; then
    echo "$binary"
    exit 0
fi
echo "borrowlens setup: building rust-analyzer $RA_VERSION from crates.io into $dest" \
     "(once per machine; this takes a while)" >&2
# A private target dir, removed afterwards: the build is large and only the binary is kept.
build="$cache/rust-analyzer-build-$RA_VERSION"
CARGO_TARGET_DIR="$build" cargo install --locked --quiet "ra_ap_rust-analyzer@$RA_VERSION" \
    --root "$dest.partial" ${BORROWLENS_RA_JOBS:+--jobs "$BORROWLENS_RA_JOBS"} >&2
rm -rf "$dest"
mv "$dest.partial" "$dest"
rm -rf "$build"
"$binary" --version >&2
echo "$binary"
