"""Fixtures shared by the end-to-end tests: the crate an editor session opens (test_neovim.py,
test_emacs.py, test_vim.py) and strict editor clients for the fault tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from support.editors import Crate, copy_editor_crate
from support.strict_editor import Editor


@pytest.fixture
def crate(tmp_path: Path) -> Crate:
    """The broken fixture crate every editor session opens, copied for this test alone."""
    return copy_editor_crate(tmp_path)


@pytest.fixture
def editor_factory(tmp_path: Path) -> Iterator[Callable[..., Editor]]:
    """Starts `Editor`s (a strict client on a `borrowlens` process) and cleans them up."""
    made: list[Editor] = []

    def make(**kwargs: Any) -> Editor:
        editor = Editor(tmp_path, **kwargs)
        made.append(editor)
        return editor

    yield make
    for editor in made:
        editor.close()
