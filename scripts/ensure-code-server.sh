#!/usr/bin/env bash
# Installs what the VS Code end-to-end tests drive, once per machine; prints code-server's path.
#
# code-server 4.100.3 (VS Code 1.100, runs on Node 20) comes from the npm registry into a
# versioned per-user cache ($BORROWLENS_CACHE/code-server-$VERSION), never into the clone.
# Debian's chromium is the browser Playwright drives. Installing code-server offline needs:
#   * Debian's -dev packages its native modules compile against (kerberos, native-keymap,
#     keytar, x11);
#   * npm_config_unsafe_perm when run as root (its postinstall runs scripts as the owner) and
#     npm_config_yes (a postinstall runs `npx node-gyp`, which would ask);
#   * a ripgrep tarball where @vscode/ripgrep's postinstall looks before it downloads from
#     GitHub (unreachable here): $TMPDIR/vscode-ripgrep-cache-1.15.11/, with Debian's `rg` in it.
set -euo pipefail
CS_VERSION="${BORROWLENS_CODE_SERVER_VERSION:-4.100.3}"
cache="${BORROWLENS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/borrowlens}"
dest="$cache/code-server-$CS_VERSION"
binary="$dest/node_modules/.bin/code-server"
say() { echo "borrowlens setup: $*" >&2; }

# shellcheck source=scripts/lib/debian.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/debian.sh"
ensure_debian_packages "the VS Code tests" \
    chromium ripgrep libkrb5-dev libxkbfile-dev libsecret-1-dev libx11-dev
for tool in /usr/bin/chromium /usr/bin/rg; do
    [[ -x "$tool" ]] || { echo "error: $tool is missing after the Debian install" >&2; exit 2; }
done

if [[ -x "$binary" ]] && [[ -f "$dest/.complete" ]]; then
    echo "$binary"
    exit 0
fi
say "installing code-server $CS_VERSION from npm into $dest (once per machine; a few minutes)"
tmp="${TMPDIR:-/tmp}"
rg_cache="$tmp/vscode-ripgrep-cache-1.15.11"
rg_tarball="$rg_cache/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz"
if [[ ! -s "$rg_tarball" ]]; then
    mkdir -p "$rg_cache"
    staging="$(mktemp -d)"
    cp /usr/bin/rg "$staging/rg"
    tar czf "$rg_tarball.partial" -C "$staging" rg
    mv "$rg_tarball.partial" "$rg_tarball"
    rm -rf "$staging"
fi
rm -rf "$dest.partial"
mkdir -p "$dest.partial"
# Node's own headers for node-gyp, so the native modules build without downloading them.
nodedir=()
[[ -f /usr/include/node/node.h ]] && nodedir=(--nodedir=/usr)
(
    cd "$dest.partial"
    echo '{"private": true}' >package.json
    npm_config_unsafe_perm=true npm_config_yes=true npm_config_update_notifier=false \
        npm_config_fund=false npm_config_audit=false \
        npm install --no-save --loglevel=error "${nodedir[@]}" "code-server@$CS_VERSION" >&2
)
"$dest.partial/node_modules/.bin/code-server" --version >&2
rm -rf "$dest"
mv "$dest.partial" "$dest"
touch "$dest/.complete"
echo "$binary"
