"""A real Emacs (Debian's emacs-nox 28.2) with Eglot using borrowlens for Rust.

`emacs_driver.el` evaluates the Eglot snippet of docs/editors/emacs.md as written (read from
that page here), then does what a user does: opens a broken crate's file (rust-mode, whose
hook starts Eglot), waits for the enriched diagnostic in Flymake, reads the hover through
ElDoc, runs M-x borrowlens-explain (the page's command: `borrowlens.explain` through Eglot's
execute-command path), applies borrowlens' preferred quick fix with M-x eglot-code-actions
and saves. It writes what it saw to JSON; the assertions are here, and the last word is the
real `cargo check` of the saved crate.

The snippet names the plain `borrowlens` command: the test puts this checkout's on PATH (so
Emacs' `exec-path`) and the real rust-analyzer in BORROWLENS_RUST_ANALYZER. Emacs, Eglot and
rust-mode come from Debian (scripts/ensure-editors.sh); the test fails when they are missing.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from support import editors
from support.cli import BORROWLENS
from support.editors import Crate
from support.lsp_session import rust_analyzer

HERE = Path(__file__).resolve().parent
DRIVER = HERE / "emacs_driver.el"
SNIPPET_HEADING = "## Eglot (built into Emacs 29+)"

pytestmark = pytest.mark.e2e


def emacs() -> str:
    found = shutil.which("emacs")
    if found is None:
        pytest.fail("no emacs on PATH: run scripts/ensure-editors.sh (it installs Debian's "
                    "emacs-nox, elpa-eglot and elpa-rust-mode)", pytrace=False)
    probe = subprocess.run([found, "--batch", "--eval",
                            "(progn (package-activate-all) (require 'eglot) (require 'rust-mode))"],
                           capture_output=True, text=True, check=False, timeout=120)
    if probe.returncode != 0:
        pytest.fail(f"{found} cannot load eglot and rust-mode: run scripts/ensure-editors.sh\n"
                    f"{probe.stderr[-2000:]}", pytrace=False)
    return found


def documented_snippet() -> str:
    snippet = editors.documented_block("emacs.md", SNIPPET_HEADING, "elisp")
    # What the page promises a user: the plain command, the settings the hover assertion
    # below relies on, Eglot started in Rust buffers, and the explain command.
    for line in ("(add-hook 'rust-mode-hook #'eglot-ensure)",
                 "(add-to-list 'eglot-server-programs",
                 '. ("borrowlens" :initializationOptions (:borrowlens (:explanation "short")))',
                 "(defun borrowlens-explain ()",
                 "(eglot-execute-command"):
        assert line in snippet, f"docs/editors/emacs.md: the Eglot snippet lost {line!r}"
    return snippet


def drive(crate: Crate, snippet: str, tmp_path: Path) -> dict[str, Any]:
    """Runs the driver in a batch Emacs; returns what it observed."""
    out = tmp_path / "emacs-result.json"
    home = tmp_path / "home"  # no user init, no ~/.emacs.d state shared between runs
    home.mkdir()
    env = {k: v for k, v in os.environ.items()
           if k not in ("BORROWLENS_RUST_ANALYZER", "EMACSLOADPATH")}
    env.update({
        # rustup and cargo keep finding the toolchain and registry of the real home.
        "RUSTUP_HOME": env.get("RUSTUP_HOME", str(Path.home() / ".rustup")),
        "CARGO_HOME": env.get("CARGO_HOME", str(Path.home() / ".cargo")),
        "HOME": str(home), "PATH": f"{BORROWLENS.parent}{os.pathsep}{env.get('PATH', '')}",
        "BORROWLENS_RUST_ANALYZER": rust_analyzer(),
        # The snippet asks for the short explanation; a default of "full" shows whether its
        # :initializationOptions reached borrowlens (the settings a client sends win).
        "BORROWLENS_EXPLANATION": "full",
        "BL_SNIPPET": snippet, "BL_FILE": str(crate.lib), "BL_OUT": str(out),
        "BL_TIMEOUT": str(editors.STEP_TIMEOUT_S), "CARGO_TARGET_DIR": str(crate.target),
    })
    proc = subprocess.run([emacs(), "--batch", "-l", str(DRIVER)], cwd=crate.path, env=env,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          check=False, timeout=editors.RUN_TIMEOUT_S)
    result: dict[str, Any] = json.loads(out.read_text()) if out.exists() else {}
    if proc.returncode != 0 or result.get("error"):
        pytest.fail(f"Emacs run failed (exit {proc.returncode}) after steps "
                    f"{result.get('steps')}: {result.get('error')}\n"
                    f"stderr: {proc.stderr[-3000:]}\n*Messages*: {result.get('messages')}\n"
                    f"Eglot events:\n{result.get('events')}", pytrace=False)
    return result


def test_eglot_snippet_in_front_of_rust_analyzer(crate: Crate, tmp_path: Path) -> None:
    result = drive(crate, documented_snippet(), tmp_path)
    assert result["major_mode"] == "rust-mode"
    assert result["server_program"] == ["borrowlens"]
    assert result["server_name"] == "rust-analyzer"
    assert "borrowlens.explain" in result["commands"]

    # Flymake shows the enriched diagnostic.
    data = editors.enriched_data(result["diagnostic"])
    assert f"borrowlens: {data['tldr']}" in result["diagnostic"]["flymake_text"]

    # The hover starts with the explanation, short as the snippet asks, and ends with
    # rust-analyzer's own; ElDoc shows it rendered.
    hover = result["hover"]
    assert hover.startswith(f"**{data['title']}** — {data['tldr']}"), hover
    assert hover.index(data["title"]) < hover.index("```rust")
    assert "### The general rule" not in hover
    assert data["title"] in result["eldoc"] and data["tldr"] in result["eldoc"]
    assert result["eldoc"].index(data["title"]) < result["eldoc"].index("```rust")

    # M-x borrowlens-explain: the full explanation, in a markdown buffer on screen.
    explain = result["explain"]
    assert explain["mode"] == "gfm-view-mode" and explain["shown"]
    assert explain["text"].startswith(f"**{data['title']}**")
    for heading in ("### Why", "### The fix", "### The general rule"):
        assert heading in explain["text"]
    assert "E0733" in explain["text"]

    # M-x eglot-code-actions: borrowlens' fix is the preferred one, the prompt's default.
    ours = editors.our_action(result["actions"])
    assert ours["kind"] == "quickfix"
    assert f"(default {ours['title']})" in result["prompt"]
    # The error is gone from Flymake after the save.
    assert result["errors_after"] == []
    # M-x eglot-shutdown ends the session; nothing it started is left running.
    assert result["server_exit"]["status"] in ("exit", "signal")
    assert editors.left_behind(crate) == []
    # Eglot edited the buffer, it was saved, and the compiler agrees.
    editors.assert_fixed_on_disk(crate, result["text"])
