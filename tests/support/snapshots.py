"""Snapshot files kept next to each fixture crate, reviewed like code.

`tests/fixtures/<family>/<case>/snapshots/` holds what borrowlens makes of the case: the short
(hover) and full explanation as markdown, and one unified diff per offered fix. A test compares
the current output with the file; `BORROWLENS_UPDATE_SNAPSHOTS=1` rewrites the files instead
(then read the diff in review like any other change). A missing snapshot fails, it is never
written silently.

A small helper of our own rather than syrupy: the snapshots live beside the fixture they
describe (like clippy's `.fixed` files next to its ui tests), one plain file each, which
syrupy's per-test-module `__snapshots__` layout does not give.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

from borrowlens.analyses.rust.sources import split_lines

UPDATE = os.environ.get("BORROWLENS_UPDATE_SNAPSHOTS") == "1"


def check(path: Path, actual: str) -> None:
    """`actual` must equal the snapshot at `path` (or replaces it when updating)."""
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_text(encoding="utf-8") != actual:
            path.write_text(actual, encoding="utf-8")
        return
    if not path.exists():
        raise AssertionError(f"no snapshot {path}; write it with BORROWLENS_UPDATE_SNAPSHOTS=1 "
                             "and review it")
    expected = path.read_text(encoding="utf-8")
    if expected != actual:
        diff = "".join(difflib.unified_diff(expected.splitlines(keepends=True),
                                            actual.splitlines(keepends=True),
                                            str(path), "actual"))
        raise AssertionError(f"snapshot {path} differs (BORROWLENS_UPDATE_SNAPSHOTS=1 to accept "
                             f"after review):\n{diff}")


def unused(directory: Path, used: set[Path]) -> list[Path]:
    """Snapshot files in `directory` that no test produced (a fix no longer offered)."""
    if not directory.exists():
        return []
    return sorted(p for p in directory.rglob("*") if p.is_file() and p not in used)


def file_diff(name: str, before: str, after: str) -> str:
    """A unified diff of one file, as a reviewer reads it."""
    return "".join(difflib.unified_diff(split_lines(before, keepends=True),
                                        split_lines(after, keepends=True),
                                        f"a/{name}", f"b/{name}"))
