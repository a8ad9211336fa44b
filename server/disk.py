"""Source text read from disk for the core, relative to a workspace root.

Files that are not valid UTF-8 are decoded with replacement characters rather than rejected:
explanations can still be given, and fixes (which re-parse what they produce) will refuse to
touch text they cannot round-trip.
"""

from __future__ import annotations

import os
from pathlib import Path


def canonical(path: str | Path) -> str:
    """The absolute path with symbolic links followed (as far as they exist): what the one
    check of where a fix may write (`gate.confinement`) compares."""
    try:
        return os.path.realpath(path)
    except (OSError, ValueError):
        return os.path.abspath(path)


class DiskSources:
    """`Sources` over the files of a workspace; paths may be relative to `root` or absolute."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._cache: dict[str, str | None] = {}

    def resolve(self, path: str) -> Path:
        candidate = Path(path)
        return candidate if candidate.is_absolute() else self.root / candidate

    def canonical(self, path: str) -> str:
        """`path` (as rustc names it) absolute and canonical."""
        return canonical(self.resolve(path))

    def text(self, path: str) -> str | None:
        if path not in self._cache:
            try:
                data = self.resolve(path).read_bytes()
            except (OSError, ValueError):  # ValueError: a NUL byte, no file has one
                self._cache[path] = None
            else:
                self._cache[path] = data.decode("utf-8", errors="replace")
        return self._cache[path]
