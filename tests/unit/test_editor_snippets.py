"""The editor snippets `borrowlens doctor --editor` ships are the fenced blocks of
docs/editors/*.md, every page's, so they cannot drift: a page added, removed or edited without
`scripts/gen-docs` fails here. Also which editor `doctor` detects, and how snippets print."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from borrowlens.cli import doctor, editors
from borrowlens.cli.arguments import build_parser, editor_name
from borrowlens.cli.terminal import CliError

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted((ROOT / "docs" / "editors").glob("*.md"))
FENCE_LINE = re.compile(r"^ {0,3}```", re.MULTILINE)
REGENERATE = "run scripts/gen-docs and commit cli/editor_snippets.json"


def test_the_shipped_snippets_are_current() -> None:
    assert not editors.stale(ROOT), REGENERATE


def test_doctor_help_names_every_editor() -> None:
    # The help spells the names out (the parser does not read the pages); --editor checks
    # against the pages themselves.
    commands = next(a for a in build_parser()._actions
                    if isinstance(a, argparse._SubParsersAction))
    help_text = " ".join(commands.choices["doctor"].format_help().split())
    assert f"docs/editors/: {', '.join(editors.names())})" in help_text
    assert editor_name("helix") == "helix"
    with pytest.raises(argparse.ArgumentTypeError, match="invalid choice: 'notepad'"):
        editor_name("notepad")


def test_every_page_is_shipped_and_nothing_else() -> None:
    assert sorted(editors.shipped()) == [page.stem for page in PAGES], REGENERATE


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_page_blocks_equal_the_shipped_snippets(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    from_page = editors.extract(page.stem, text)
    assert editors.shipped().get(page.stem) == from_page, REGENERATE
    # Every fence of the page is one snippet (opening and closing lines), none is missed.
    assert from_page.snippets, f"{page.name} has no configuration block to print"
    assert len(FENCE_LINE.findall(text)) == 2 * len(from_page.snippets)
    for snippet in from_page.snippets:
        assert f"```{snippet.language}\n{snippet.code}```" in text


def test_extract_keeps_sections_titles_and_exact_text() -> None:
    page = editors.extract("demo", "# borrowlens in Demo\n\nintro\n\n```toml\na = 1\n```\n\n"
                                   "## Plugin\n\n```lua\n  x = { }\n\n  y()\n```\n")
    assert page.title == "Demo"
    assert page.snippets == (editors.Snippet("Demo", "toml", "a = 1\n"),
                             editors.Snippet("Plugin", "lua", "  x = { }\n\n  y()\n"))


def test_render_one_block_as_it_is_several_numbered() -> None:
    one = editors.Page("helix", "Helix", (editors.Snippet("Helix", "toml", "a = 1\n"),))
    assert editors.render(one) == "a = 1\n"
    two = editors.Page("vim", "Vim", (editors.Snippet("vim-lsp", "vim", "let a = 1\n"),
                                      editors.Snippet("ALE", "vim", "let b = 2\n")))
    assert editors.render(two) == (
        '" Vim: 2 ways, from docs/editors/vim.md; use the one that fits your setup.\n\n'
        '" 1. vim-lsp\nlet a = 1\n\n" 2. ALE\nlet b = 2\n')


@pytest.mark.parametrize(("environ", "expected"), [
    ({"NVIM": "/run/user/1000/nvim.1.0", "EDITOR": "emacs"}, ("neovim", "$NVIM")),
    ({"INSIDE_EMACS": "29.1,vterm"}, ("emacs", "$INSIDE_EMACS")),
    ({"TERM_PROGRAM": "vscode", "EDITOR": "vim"}, ("vscode", "$TERM_PROGRAM")),
    ({"TERM_PROGRAM": "iTerm.app", "EDITOR": "hx"}, ("helix", "$EDITOR=hx")),
    ({"ZED_TERM": "true"}, ("zed", "$ZED_TERM")),
    ({"VIM_TERMINAL": "901"}, ("vim", "$VIM_TERMINAL")),
    ({"VISUAL": "code --wait", "EDITOR": "nano"}, ("vscode", "$VISUAL=code --wait")),
    ({"VISUAL": "nano", "EDITOR": "/usr/bin/nvim -u NONE"},
     ("neovim", "$EDITOR=/usr/bin/nvim -u NONE")),
    ({"EDITOR": "emacsclient -t"}, ("emacs", "$EDITOR=emacsclient -t")),
    ({"EDITOR": "nano"}, None),
    ({}, None),
])
def test_detect(environ: dict[str, str], expected: tuple[str, str] | None) -> None:
    assert editors.detect(environ) == expected


def test_every_detectable_editor_has_a_page() -> None:
    detectable = {"neovim", "emacs", "vscode", "helix", "zed", "vim"}
    assert detectable <= set(editors.shipped())
    assert set(editors.names()) >= detectable | set(editors.KNOWN)


def test_an_editor_without_a_page_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    pages = {name: page for name, page in editors.shipped().items() if name != "zed"}
    monkeypatch.setattr(editors, "shipped", lambda: pages)
    with pytest.raises(CliError, match=r"no configuration page for zed yet"):
        doctor.print_editor("zed", as_json=False)
    found = editors.with_page(("zed", "$ZED_TERM"))
    assert found == ("zed", "$ZED_TERM", None)
    assert "which has no configuration page" in editors.report_text(found)
    assert editors.report_json(found) == {"name": "zed", "title": None, "page": None,
                                          "snippets": [], "detected_from": "$ZED_TERM"}
