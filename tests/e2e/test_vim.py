"""A real Vim 9.0 with ALE 3.3.0 (Debian bookworm's vim and vim-ale) using borrowlens as its
rust-analyzer.

`vim_driver.vim` sources the vimrc snippet of docs/editors/vim.md as written (read from that
page here), then does what a user does: opens a broken crate's file, waits for the enriched
diagnostic, :ALEHover, :BorrowlensExplain (the page's command: `borrowlens.explain` on ALE's
connection), :ALECodeAction typing the number of borrowlens' fix, :write, and waits for the
error to go away. It writes what it saw to JSON; the assertions are here, and the last word
is the real `cargo check` of the saved crate.

Vim runs in a pseudo-terminal: its event loop, which ALE's jobs, channels and timers need,
runs only with one. The snippet names the plain `borrowlens` command: the test puts this
checkout's on PATH and the real rust-analyzer in BORROWLENS_RUST_ANALYZER. Vim and ALE come
from Debian (scripts/ensure-editors.sh); the test fails when they are missing.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import struct
import subprocess
import termios
import threading
from pathlib import Path
from typing import Any

import pytest

from support import editors
from support.editors import Crate

HERE = Path(__file__).resolve().parent
DRIVER = HERE / "vim_driver.vim"
SNIPPET_HEADING = "## Vim 9 with ALE"
# What the snippet promises a user and the assertions rely on.
PROMISES = ("packadd! ale", "let g:ale_linters = {'rust': ['analyzer']}",
            "let g:ale_rust_analyzer_executable = 'borrowlens'",
            "let g:ale_rust_analyzer_config = {'borrowlens': {'explanation': 'short'}}",
            "let g:ale_hover_to_preview = 1", "command! BorrowlensExplain")

pytestmark = pytest.mark.e2e


def vim() -> str:
    found = shutil.which("vim")
    ale = Path("/usr/share/vim/vimfiles/pack/dist-bundle/opt/ale")
    if found is None or not ale.exists():
        pytest.fail("no vim on PATH or no ALE package: run scripts/ensure-editors.sh (it "
                    "installs Debian's vim and vim-ale)", pytrace=False)
    return found


def run_in_terminal(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[int, str]:
    """Runs COMMAND on a pseudo-terminal of 200x50; its exit status and the last of what it
    drew (for a failure's report)."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 200, 0, 0))
    proc = subprocess.Popen(command, cwd=cwd, env=env, stdin=slave, stdout=slave,
                            stderr=slave, start_new_session=True)
    os.close(slave)
    screen: list[bytes] = []

    def drain() -> None:  # a full terminal would block Vim
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:
                return
            if not data:
                return
            screen.append(data)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        code = proc.wait(timeout=editors.RUN_TIMEOUT_S)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        reader.join(timeout=5)
        os.close(master)
    return code, b"".join(screen)[-4000:].decode(errors="replace")


def test_vim_ale_snippet_in_front_of_rust_analyzer(crate: Crate, tmp_path: Path) -> None:
    snippet = editors.documented_block("vim.md", SNIPPET_HEADING, "vim")
    for line in PROMISES:
        assert line in snippet, f"docs/editors/vim.md: the snippet lost {line!r}"
    snippet_file = tmp_path / "borrowlens.vim"
    snippet_file.write_text(snippet)
    out = tmp_path / "vim-result.json"
    env = editors.snippet_env(crate, tmp_path)
    env.update({"TERM": "xterm", "BL_SNIPPET_FILE": str(snippet_file), "BL_FILE": str(crate.lib),
                "BL_OUT": str(out), "BL_TIMEOUT": str(editors.STEP_TIMEOUT_S)})
    code, screen = run_in_terminal([vim(), "-N", "-u", str(DRIVER), "-i", "NONE", "-n"],
                                   crate.path, env)
    result: dict[str, Any] = json.loads(out.read_text()) if out.exists() else {}
    if code != 0 or result.get("error"):
        pytest.fail(f"Vim run failed (exit {code}) after steps {result.get('steps')}: "
                    f"{result.get('error')}\nmessages: {result.get('messages')}\n"
                    f"ALEInfo: {result.get('history')}\nscreen: {screen}", pytrace=False)

    assert result["filetype"] == "rust"
    # ALE keeps the message (not `data`): rustc's, then borrowlens' one-line summary.
    detail = result["diagnostic"]["detail"]
    assert result["diagnostic"]["code"] == "E0733" and result["diagnostic"]["type"] == "E"
    assert "recursion in an async fn requires boxing" in detail
    assert "\nborrowlens: `total_size` calls itself" in detail and "Box::pin" in detail
    tldr = detail.split("\nborrowlens: ", 1)[1]
    # :ALEHover: the explanation first, short as the snippet asks, then rust-analyzer's.
    hover = result["hover"]
    assert tldr in hover.split("\n", 1)[0]
    assert "Recursive async fn needs boxing" in hover
    assert hover.index(tldr) < hover.index("pub")
    assert "The general rule" not in hover
    # :BorrowlensExplain: the full explanation in a markdown split.
    explain = result["explain"]
    assert explain.startswith("**Recursive async fn needs boxing**")
    for heading in ("### Why", "### The fix", "### The general rule"):
        assert heading in explain
    # :ALECodeAction listed borrowlens' fix; its number was typed.
    assert any(f"{title}\n" in result["prompt"] for title in editors.FIX_TITLES)
    assert result["errors_after"] == []
    assert editors.left_behind(crate) == []
    # ALE edited the buffer, :write saved it, and the compiler agrees.
    editors.assert_fixed_on_disk(crate, result["text"])
