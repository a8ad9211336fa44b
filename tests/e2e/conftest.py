"""Fixtures shared by the tests that drive real editors (test_neovim.py, test_emacs.py)."""

from pathlib import Path

import pytest

from support.editors import Crate, copy_editor_crate


@pytest.fixture
def crate(tmp_path: Path) -> Crate:
    """The broken fixture crate every editor session opens, copied for this test alone."""
    return copy_editor_crate(tmp_path)
