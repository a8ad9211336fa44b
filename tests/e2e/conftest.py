"""Fixtures shared by the end-to-end tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from support.strict_editor import Editor


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
