#!/usr/bin/env bash
# Installs the editors the end-to-end tests drive besides Neovim (a dev dependency, in .venv)
# and VS Code (scripts/ensure-code-server.sh), once per machine. Idempotent: what is installed
# already is left alone; what it installs it says on stderr.
#
# Emacs with Eglot and with lsp-mode (tests/e2e/test_emacs.py): Debian bookworm's emacs-nox
# 28.2, elpa-eglot 1.9, elpa-lsp-mode 8.0.0 and elpa-rust-mode 0.4.0. Debian's packages are
# pinned by the release: one version each in bookworm (security updates aside), installed by
# name with apt-get.
#
# Vim with ALE (tests/e2e/test_vim.py): Debian bookworm's vim 9.0 and vim-ale 3.3.0.
set -euo pipefail
# shellcheck source=scripts/lib/debian.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/debian.sh"

# One call, so one `apt-get update` when anything is missing.
ensure_debian_packages "the Emacs and Vim tests" \
    emacs-nox elpa-eglot elpa-lsp-mode elpa-rust-mode vim vim-ale
for tool in emacs vim; do
    command -v "$tool" >/dev/null || {
        echo "error: no $tool on PATH after the Debian install" >&2
        exit 2
    }
done
