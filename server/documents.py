"""The text the language server works on: the editor's open documents (kept in step with
didOpen/didChange/didClose), files on disk for the rest, and positions in the negotiated
encoding.

`Documents` is the `Sources` the core reads (an open document's text wins over the file on
disk, since diagnostics and fixes are about what the user sees) and the `LspContext` that turns
LSP ranges into rustc's line/column spans and back.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlparse

from borrowlens.analyses.diagnostics.lsp import LspContext, column_to_units, units_to_column
from borrowlens.analyses.rust.sources import split_lines
from borrowlens.server.disk import canonical, crate_rust_files, decode
from borrowlens.server.protocol import JsonDict

log = logging.getLogger("borrowlens")


# A Windows drive letter at the start of a URI's path (`/C:/...`).
_DRIVE = re.compile(r"/[a-zA-Z]:")


# Cached: every line read for a diagnostic's columns asks for its file's URI (the conversion
# was a fifth of enrichment's time), and a session names few files. The conversions are
# VS Code's (as pygls has them): percent-decoded path, `//host/path` for a UNC share, a
# drive letter in lower case; a URI that is not `file:` stays as it is.
@lru_cache(maxsize=8192)
def uri_to_path(uri: str) -> str:
    parts = urlparse(uri)
    if parts.scheme != "file":
        return uri
    netloc, path = unquote(parts.netloc), unquote(parts.path)
    if netloc and path:
        return f"//{netloc}{path}"
    if _DRIVE.match(path):
        return path[1].lower() + path[2:]
    return path or uri


@lru_cache(maxsize=8192)
def path_to_uri(path: str) -> str:
    netloc = ""
    if path[:2] == "//" and "/" in path[2:]:
        netloc, path = path[2:path.index("/", 2)], path[path.index("/", 2):]
    if not path.startswith("/"):
        path = "/" + path
    if _DRIVE.match(path):
        path = path[0] + path[1].lower() + path[2:]
        return f"file://{quote(netloc)}{path[:3]}{quote(path[3:])}"
    return f"file://{quote(netloc)}{quote(path)}"


def contains(rng: Mapping[str, Any], position: Mapping[str, Any]) -> bool:
    """Whether `rng` holds `position`, or overlaps it when `position` is itself a range
    (rust-analyzer's hover extension accepts one)."""
    if "start" in position and "end" in position:
        return overlaps(rng, position)
    start, end = rng["start"], rng["end"]
    point = (position["line"], position["character"])
    return (start["line"], start["character"]) <= point <= (end["line"], end["character"])


def overlaps(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    a0 = (a["start"]["line"], a["start"]["character"])
    a1 = (a["end"]["line"], a["end"]["character"])
    b0 = (b["start"]["line"], b["start"]["character"])
    b1 = (b["end"]["line"], b["end"]["character"])
    return a0 <= b1 and b0 <= a1


class Document:
    """An open document's text, kept in step with the editor's changes.

    Lines are counted as rust-analyzer counts them (`split_lines`: at `\n` only, a `\r`
    before it being part of the ending; `str.splitlines()` also breaks at form feeds, NEL,
    U+2028 and the like, and an incremental change below one of them would land a line
    early).
    """

    def __init__(self, source: str, version: int | None) -> None:
        self.source = source
        self.version = version

    def apply(self, change: Mapping[str, Any], encoding: str) -> None:
        """One `contentChanges` entry: its text over its range, or the whole text."""
        rng = change.get("range")
        if rng is None:
            self.source = change["text"]
            return
        lines = split_lines(self.source, keepends=True)
        start = self._offset(lines, rng["start"], encoding)
        end = max(start, self._offset(lines, rng["end"], encoding))
        self.source = self.source[:start] + change["text"] + self.source[end:]

    def _offset(self, lines: list[str], position: Mapping[str, Any], encoding: str) -> int:
        """The index in the text of an LSP position (a character past its line's end is
        the line's end; a line past the last is the end of the text)."""
        line = position["line"]
        if line >= len(lines):
            return len(self.source)
        text = lines[line].rstrip("\r\n")
        column = min(units_to_column(text, position["character"], encoding), len(text))
        return sum(map(len, lines[:line])) + column


class Documents:
    """Open documents, cached files from disk, and the session's position encoding."""

    def __init__(self) -> None:
        self.encoding = "utf-16"
        # The editor's workspace folders, canonical: quick fixes never write outside them.
        self.workspace_roots: list[str] = []
        self.documents: dict[str, Document] = {}
        self._disk: dict[str, tuple[tuple[int, int], str]] = {}
        # Files on disk that were not UTF-8: no fix is written from their text.
        self._lossy: set[str] = set()
        self._lines: dict[str, tuple[str, list[str]]] = {}

    def set_workspace(self, params: Mapping[str, Any]) -> None:
        """The workspace folders of `initialize` params (`workspaceFolders`, else `rootUri`,
        else the deprecated `rootPath`)."""
        folders = params.get("workspaceFolders")
        uris: list[str] = [f["uri"] for f in folders if isinstance(f, Mapping)
                           and isinstance(f.get("uri"), str)] \
            if isinstance(folders, list) else []
        if not uris and isinstance(params.get("rootUri"), str):
            uris = [params["rootUri"]]
        paths = [uri_to_path(u) for u in uris]
        if not paths and isinstance(params.get("rootPath"), str):
            paths = [params["rootPath"]]
        self.workspace_roots = [canonical(p) for p in paths if p]

    def open(self, params: Mapping[str, Any]) -> None:
        item = params["textDocument"]
        self.documents[item["uri"]] = Document(item.get("text", ""), item.get("version"))

    def change(self, params: Mapping[str, Any]) -> None:
        ident = params["textDocument"]
        document = self.documents.get(ident["uri"])
        if document is None:
            log.warning("didChange for %s, which is not open", ident["uri"])
            return
        for change in params.get("contentChanges") or ():
            document.apply(change, self.encoding)
        document.version = ident.get("version")

    def close(self, params: Mapping[str, Any]) -> None:
        uri = params["textDocument"]["uri"]
        self.documents.pop(uri, None)
        # Its lines as last split (the whole text with them): read from disk when next asked.
        self._lines.pop(uri_to_path(uri), None)

    def version(self, uri: str) -> int | None:
        """The open document's version (None when it is not open: the edit is for the file
        on disk)."""
        document = self.documents.get(uri)
        return document.version if document else None

    def text(self, path: str) -> str | None:
        """`Sources` for the core: an open document's text, else the file on disk."""
        document = self.documents.get(path_to_uri(path))
        if document is not None:
            return document.source
        # Every span of every diagnostic asks for its file's lines: read a file again only
        # when it changed on disk.
        try:
            stat = os.stat(path)  # not pathlib: this runs for every span of every diagnostic
            stamp = (stat.st_mtime_ns, stat.st_size)
            cached = self._disk.get(path)
            if cached is not None and cached[0] == stamp:
                return cached[1]
            text = decode(Path(path).read_bytes(), path, self._lossy)
        except (OSError, ValueError):  # ValueError: a NUL byte (`%00` in a URI)
            return None
        self._disk[path] = (stamp, text)
        return text

    def lossy(self, path: str) -> bool:
        """Whether the file on disk was not UTF-8 (an open document's text never is)."""
        return path_to_uri(path) not in self.documents and path in self._lossy

    def rust_files(self, near: str) -> list[str]:
        """The `.rs` files of the crate holding `near` (absolute paths, as diagnostics name
        them here), open documents read through `text` like any other: the optional
        listing of `Sources`."""
        return [str(f) for f in crate_rust_files(Path(near))]

    def _line(self, path: str, line: int) -> str | None:
        text = self.text(path)
        if text is None:
            return None
        cached = self._lines.get(path)
        if cached is None or cached[0] is not text:
            cached = (text, split_lines(text))
            self._lines[path] = cached
        lines = cached[1]
        return lines[line - 1] if 0 < line <= len(lines) else None

    def context(self) -> LspContext:
        return LspContext(resolve_uri=uri_to_path, line_text=self._line, encoding=self.encoding)

    def lsp_range(self, path: str, line_start: int, column_start: int, line_end: int,
                  column_end: int) -> JsonDict:
        """A rustc span (1-based lines, 1-based scalar columns) as an LSP range."""
        def position(line: int, column: int) -> JsonDict:
            text = self._line(path, line) or ""
            return {"line": line - 1,
                    "character": column_to_units(text, column - 1, self.encoding)}
        return {"start": position(line_start, column_start),
                "end": position(line_end, column_end)}

    def location(self, path: str, line_start: int, column_start: int, line_end: int,
                 column_end: int) -> JsonDict:
        return {"uri": path_to_uri(path),
                "range": self.lsp_range(path, line_start, column_start, line_end, column_end)}
