"""`borrowlens doctor --editor NAME` and the editor `doctor` detects, run as a user would: the
snippets printed are the fenced blocks of docs/editors/<name>.md, read here straight from the
page."""

from __future__ import annotations

import json
import os
import re

import pytest

from support.cli import ROOT, run

EDITOR_VARIABLES = ("NVIM", "NVIM_LISTEN_ADDRESS", "INSIDE_EMACS", "TERM_PROGRAM", "ZED_TERM",
                    "VIM_TERMINAL", "VISUAL", "EDITOR")


def env(**editor: str) -> dict[str, str]:
    """The test's environment with no editor of its own, plus EDITOR's variables."""
    base = {k: v for k, v in os.environ.items() if k not in EDITOR_VARIABLES}
    return {**base, "NO_COLOR": "1", **editor}


def blocks(name: str) -> list[str]:
    text = (ROOT / "docs" / "editors" / f"{name}.md").read_text(encoding="utf-8")
    return re.findall(r"^```[a-z]*\n(.*?)^```$", text, flags=re.MULTILINE | re.DOTALL)


def test_editor_with_one_block_prints_exactly_that_block() -> None:
    for name in ("helix", "zed", "vscode"):
        result = run("doctor", "--editor", name, env=env())
        assert result.returncode == 0, result.stderr
        assert [result.stdout] == blocks(name)


def test_editor_with_several_blocks_prints_each_under_its_section() -> None:
    result = run("doctor", "--editor", "neovim", env=env())
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("-- Neovim: 4 ways, from docs/editors/neovim.md;")
    assert "-- 1. Neovim 0.11+, built-in client (no plugin)\nvim.lsp.config(" in result.stdout
    position = 0
    for block in blocks("neovim"):
        position = result.stdout.index(block, position) + len(block)


def test_editor_as_json() -> None:
    result = run("doctor", "--editor", "emacs", "--format", "json", env=env())
    assert result.returncode == 0, result.stderr
    page = json.loads(result.stdout)
    assert page["name"] == "emacs" and page["page"] == "docs/editors/emacs.md"
    assert [s["code"] for s in page["snippets"]] == blocks("emacs")
    assert all(s["language"] == "elisp" for s in page["snippets"])


def test_unknown_editor_is_a_usage_error() -> None:
    result = run("doctor", "--editor", "notepad", env=env())
    assert result.returncode == 2 and "invalid choice" in result.stderr


@pytest.mark.parametrize(("variables", "name", "reason"), [
    ({"EDITOR": "hx"}, "helix", "$EDITOR=hx"),
    ({"NVIM": "/tmp/nvim.sock", "EDITOR": "hx"}, "neovim", "$NVIM"),
])
def test_doctor_ends_with_the_detected_editors_configuration(
        variables: dict[str, str], name: str, reason: str) -> None:
    result = run("doctor", env=env(**variables))
    assert result.returncode in (0, 1), result.stderr
    report, _, editor = result.stdout.partition("\neditor: ")
    assert report.rstrip().split("\n")[-1].startswith(("ok:", "not ok:"))
    assert editor.startswith(f"{name.capitalize()} (from {reason}); its configuration, "
                             f"from docs/editors/{name}.md:\n\n")
    for block in blocks(name):
        assert block in editor
    as_json = json.loads(run("doctor", "--format", "json", env=env(**variables)).stdout)
    assert as_json["editor"]["name"] == name and as_json["editor"]["detected_from"] == reason


def test_doctor_says_when_no_editor_is_detected() -> None:
    result = run("doctor", env=env(EDITOR="nano"))
    assert "\neditor: none detected (from $NVIM, " in result.stdout
    assert "`borrowlens doctor --editor NAME` prints the configuration for one of: " \
        in result.stdout
    assert json.loads(run("doctor", "--format", "json", env=env()).stdout)["editor"] is None
