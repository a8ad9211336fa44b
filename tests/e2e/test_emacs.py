"""A real Emacs (Debian's emacs-nox 28.2) using borrowlens for Rust through Eglot 1.9 and
through lsp-mode 8.0.0, both in rust-mode 0.4.0 (Debian's elpa-* packages).

`emacs_driver.el` evaluates the client's snippet of docs/editors/emacs.md as written (read
from that page here), then does what a user does: opens a broken crate's file (rust-mode,
whose hook starts the client), waits for the enriched diagnostic in Flymake, reads the hover
(ElDoc; M-x lsp-describe-thing-at-point), runs M-x borrowlens-explain (the page's command:
`borrowlens.explain` through the client's execute-command path), applies borrowlens' quick
fix with the client's code-action command (M-x eglot-code-actions, RET on the preferred
default; M-x lsp-execute-code-action, the borrowlens entry picked by name) and saves. It
writes what it saw to JSON; the assertions are here, and the last word is the real
`cargo check` of the saved crate.

The snippets name the plain `borrowlens` command: the test puts this checkout's on PATH (so
Emacs' `exec-path`) and the real rust-analyzer in BORROWLENS_RUST_ANALYZER. The crate is a
git repository, as `cargo new` makes it: that is how both clients find the project root.
Emacs and the packages come from Debian (scripts/ensure-editors.sh); the tests fail when they
are missing.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from support import editors
from support.cli import BORROWLENS
from support.editors import Crate

HERE = Path(__file__).resolve().parent
DRIVER = HERE / "emacs_driver.el"
EGLOT_HEADING = "## Eglot (built into Emacs 29+)"
LSP_MODE_HEADING = "## lsp-mode"
# What each snippet promises a user and the assertions rely on: the plain command, the short
# explanation, the client started in Rust buffers, the explain command.
EGLOT_PROMISES = ("(add-hook 'rust-mode-hook #'eglot-ensure)",
                  "(add-to-list 'eglot-server-programs",
                  '. ("borrowlens" :initializationOptions (:borrowlens (:explanation "short")))',
                  "(defun borrowlens-explain ()", "(eglot-execute-command")
LSP_MODE_PROMISES = ("(setq lsp-rust-analyzer-server-command '(\"borrowlens\"))",
                     '(setenv "BORROWLENS_EXPLANATION" "short")',
                     "(add-hook 'rust-mode-hook #'lsp-deferred)", "(defun borrowlens-explain ()",
                     "(lsp-send-execute-command")

pytestmark = pytest.mark.e2e


def emacs() -> str:
    found = shutil.which("emacs")
    if found is None:
        pytest.fail("no emacs on PATH: run scripts/ensure-editors.sh (it installs Debian's "
                    "emacs-nox, elpa-eglot, elpa-lsp-mode and elpa-rust-mode)", pytrace=False)
    probe = subprocess.run([found, "--batch", "--eval",
                            "(progn (package-activate-all) (require 'eglot) (require 'lsp-mode)"
                            " (require 'rust-mode))"],
                           capture_output=True, text=True, check=False, timeout=120)
    if probe.returncode != 0:
        pytest.fail(f"{found} cannot load eglot, lsp-mode and rust-mode: run "
                    f"scripts/ensure-editors.sh\n{probe.stderr[-2000:]}", pytrace=False)
    return found


def documented_snippet(heading: str, promises: tuple[str, ...]) -> str:
    """The page's snippet for one client, checked for what the assertions rely on."""
    snippet = editors.documented_block("emacs.md", heading, "elisp")
    for line in promises:
        assert line in snippet, f"docs/editors/emacs.md: the {heading!r} snippet lost {line!r}"
    return snippet


def drive(crate: Crate, client: str, snippet: str, tmp_path: Path) -> dict[str, Any]:
    """Runs the driver in a batch Emacs; returns what it observed."""
    out = tmp_path / "emacs-result.json"
    subprocess.run(["git", "init", "-q"], cwd=crate.path, check=True, timeout=60)
    env = editors.snippet_env(crate, tmp_path, drop=("EMACSLOADPATH",))
    # lsp-mode's snippet sets BORROWLENS_EXPLANATION itself (setenv), replacing the default.
    env.update({"BL_CLIENT": client, "BL_SNIPPET": snippet, "BL_FILE": str(crate.lib),
                "BL_OUT": str(out), "BL_TIMEOUT": str(editors.STEP_TIMEOUT_S)})
    proc = subprocess.run([emacs(), "--batch", "-l", str(DRIVER)], cwd=crate.path, env=env,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          check=False, timeout=editors.RUN_TIMEOUT_S)
    result: dict[str, Any] = json.loads(out.read_text()) if out.exists() else {}
    if proc.returncode != 0 or result.get("error"):
        pytest.fail(f"Emacs ({client}) run failed (exit {proc.returncode}) after steps "
                    f"{result.get('steps')}: {result.get('error')}\n"
                    f"stderr: {proc.stderr[-3000:]}\n*Messages*: {result.get('messages')}\n"
                    f"client logs:\n{result.get('log')}", pytrace=False)
    return result


def unmarked(markdown: str) -> str:
    return markdown.replace("**", "").replace("`", "")


def assert_fixed_in_emacs(result: dict[str, Any], crate: Crate) -> dict[str, Any]:
    """What both clients must show; returns borrowlens' data of the diagnostic."""
    assert result["major_mode"] == "rust-mode"
    # The snippet's plain command, as Emacs found it on exec-path (lsp-mode resolves it).
    assert result["server"]["program"] in (["borrowlens"], [str(BORROWLENS)])
    assert "borrowlens.explain" in result["server"]["commands"]
    # Flymake shows the enriched diagnostic.
    data = editors.enriched_data(result["diagnostic"])
    assert f"borrowlens: {data['tldr']}" in result["diagnostic"]["flymake_text"]
    # The hover starts with the explanation, short as the snippets ask, and ends with
    # rust-analyzer's own; the client shows it in that order.
    hover = result["hover"]
    assert hover.startswith(f"**{data['title']}** — {data['tldr']}"), hover
    assert hover.index(data["title"]) < hover.index("```rust")
    assert "### The general rule" not in hover
    # Rendered, the markup may be gone (lsp-mode drops the backticks).
    shown = unmarked(result["hover_shown"])
    assert unmarked(f"{data['title']} — {data['tldr']}") in shown, shown
    assert shown.index(data["title"]) < shown.index("pub")
    # M-x borrowlens-explain: the full explanation, in a markdown buffer on screen.
    explain = result["explain"]
    assert explain["mode"] == "gfm-view-mode" and explain["shown"]
    assert explain["text"].startswith(f"**{data['title']}**")
    for heading in ("### Why", "### The fix", "### The general rule"):
        assert heading in explain["text"]
    assert "E0733" in explain["text"]
    # The code-action command offered borrowlens' fix and applied it; after the save the
    # error is gone from Flymake.
    ours = editors.our_action(result["actions"])
    assert ours["kind"] == "quickfix"
    assert result["errors_after"] == []
    # The client's shutdown ends the session; nothing it started is left running.
    assert result["server_exit"]["status"] in ("exit", "signal")
    assert editors.left_behind(crate) == []
    # The client edited the buffer, it was saved, and the compiler agrees.
    editors.assert_fixed_on_disk(crate, result["text"])
    return data


def test_eglot_snippet_in_front_of_rust_analyzer(crate: Crate, tmp_path: Path) -> None:
    result = drive(crate, "eglot", documented_snippet(EGLOT_HEADING, EGLOT_PROMISES), tmp_path)
    assert result["server"]["name"] == "rust-analyzer"  # its serverInfo, passed through
    assert_fixed_in_emacs(result, crate)
    # Eglot's prompt offers the preferred action as its default: RET applied it.
    assert any(f"(default {title})" in result["prompt"] for title in editors.FIX_TITLES)


def test_lsp_mode_snippet_in_front_of_rust_analyzer(crate: Crate, tmp_path: Path) -> None:
    result = drive(crate, "lsp-mode", documented_snippet(LSP_MODE_HEADING, LSP_MODE_PROMISES),
                   tmp_path)
    assert result["server"]["name"] == "rust-analyzer"  # lsp-mode's client for it
    assert_fixed_in_emacs(result, crate)
    assert result["prompt"] == "Select code action: "
