"""Access to source text for the pure core.

The core never opens files itself: the CLI hands it a view of the disk, the language server a
view of the open documents. Paths are the ones diagnostics carry (rustc's are relative to the
workspace root).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

# Defined with the diagnostics (the lowest layer, whose pasted and rendered text needs it too);
# this is the name everything above that layer uses.
from borrowlens.analyses.diagnostics.limits import MAX_LINE, cut
from borrowlens.analyses.diagnostics.lines import line_count, split_lines

__all__ = ["MappingSources", "NoSources", "Sources", "line_count", "line_of", "split_lines"]


class Sources(Protocol):
    """Anything that can return the text of a file named by a diagnostic.

    A source may also offer `rust_files(near: str) -> list[str]`: the `.rs` files of the
    crate that holds `near`, as paths `text` accepts. It is optional (a pasted message has no
    crate); ask for it with `crate_files`, never directly. And `lossy(path: str) -> bool`: the
    file was not valid UTF-8, so its text holds replacement characters that writing it back
    would make permanent; ask with `is_lossy`.
    """

    def text(self, path: str) -> str | None: ...


def crate_files(sources: Sources, near: str) -> list[str]:
    """The `.rs` files of the crate around `near` when the source can list them (a callee
    defined in another module of the crate), else just `near`."""
    lister = getattr(sources, "rust_files", None)
    listed = lister(near) if callable(lister) else None
    files = [str(f) for f in listed] if isinstance(listed, list) else []
    return files if near in files else [near, *files]


def is_lossy(sources: Sources, path: str) -> bool:
    """Whether the text of `path` was decoded with replacement characters (not UTF-8): no fix
    may be written from it. A genuine U+FFFD in a UTF-8 file is not lossy."""
    check = getattr(sources, "lossy", None)
    return bool(check(path)) if callable(check) else False


class MappingSources:
    """Sources backed by a dict of path to text (tests, editors' open buffers)."""

    def __init__(self, files: Mapping[str, str] | None = None) -> None:
        self._files = dict(files or {})

    def text(self, path: str) -> str | None:
        return self._files.get(path)

    def line(self, path: str, line: int) -> str | None:
        return line_of(self.text(path), line)

    def rust_files(self, near: str) -> list[str]:
        """Every `.rs` path held: a mapping stands for one crate (a fixture, a test)."""
        return [path for path in self._files if path.endswith(".rs")]


class NoSources:
    """Used when no source is available (an explanation from a pasted message)."""

    def text(self, path: str) -> str | None:
        return None


def line_of(text: str | None, line: int) -> str | None:
    """The 1-based `line` of `text` without its line ending, or None; cut to `MAX_LINE`
    characters (what a matcher may read of one line, see `diagnostics.limits`)."""
    if text is None or line < 1:
        return None
    lines = split_lines(text)
    return cut(lines[line - 1], MAX_LINE) if line <= len(lines) else None
