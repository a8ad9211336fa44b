"""Source text read from disk for the core, relative to a workspace root.

Files that are not valid UTF-8 are decoded with replacement characters rather than rejected:
explanations can still be given, and such a file is reported `lossy`, so no fix is written
from its text (a genuine U+FFFD in a UTF-8 file is fine).
"""

from __future__ import annotations

import os
from pathlib import Path

# Folders of a crate that hold no source of its own.
_SKIPPED = {"target", ".git", "node_modules"}


def crate_rust_files(path: Path) -> list[Path]:
    """The `.rs` files of the crate holding `path` (found by its nearest `Cargo.toml`), in a
    stable order; [] when `path` is in no crate."""
    root = next((d for d in path.parents if (d / "Cargo.toml").is_file()), None)
    if root is None:
        return []
    found: list[Path] = []
    for file in sorted(root.rglob("*.rs")):
        parts = file.relative_to(root).parts
        if _SKIPPED.intersection(parts):
            continue
        # A nested crate is not this one's source.
        if any((root.joinpath(*parts[:i]) / "Cargo.toml").is_file() for i in range(1, len(parts))):
            continue
        found.append(file)
    return found


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
        self._lossy: set[str] = set()

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
                self._cache[path] = decode(data, path, self._lossy)
        return self._cache[path]

    def lossy(self, path: str) -> bool:
        return path in self._lossy

    def rust_files(self, near: str) -> list[str]:
        """The `.rs` files of the crate holding `near`, spelt as `near` is (relative to the
        root or absolute): the optional listing of `Sources`."""
        files = crate_rust_files(self.resolve(near))
        if Path(near).is_absolute():
            return [str(f) for f in files]
        return [str(f.relative_to(self.root)) if f.is_relative_to(self.root) else str(f)
                for f in files]


def decode(data: bytes, path: str, lossy: set[str]) -> str:
    """The file's text; when it is not UTF-8, with replacement characters, and `path` noted
    in `lossy`."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        lossy.add(path)
        return data.decode("utf-8", errors="replace")
    lossy.discard(path)
    return text
