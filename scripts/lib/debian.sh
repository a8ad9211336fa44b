# shellcheck shell=bash
# Sourced by scripts/ensure-*.sh: installs the Debian packages a test layer drives, when they
# are missing, as root or through sudo. One `apt-get update` first: the package lists of a
# fresh machine can be stale (an older libc than the mirror's) or empty.

# ensure_debian_packages WHAT PACKAGE…: WHAT names the tests that need them, for the messages.
ensure_debian_packages() {
    local what="$1"
    shift
    local missing=() package status
    for package in "$@"; do
        status="$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)"
        [[ "$status" == "install ok installed" ]] || missing+=("$package")
    done
    ((${#missing[@]})) || return 0
    echo "borrowlens setup: installing Debian packages for $what: ${missing[*]}" >&2
    local sudo=()
    if [[ "$(id -u)" != 0 ]]; then
        command -v sudo >/dev/null || {
            echo "error: $what need Debian packages ${missing[*]};" \
                 "run as root or install them: apt-get install ${missing[*]}" >&2
            return 2
        }
        sudo=(sudo)
    fi
    "${sudo[@]}" apt-get update -q >&2
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q "${missing[@]}" >&2
}
