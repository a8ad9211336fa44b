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
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.uris import from_fs_path, to_fs_path
from pygls.workspace import PositionCodec, TextDocument

from borrowlens.analyses.diagnostics.lsp import LspContext, column_to_units
from borrowlens.analyses.rust.sources import split_lines
from borrowlens.server.disk import canonical, crate_rust_files, decode
from borrowlens.server.protocol import JsonDict

log = logging.getLogger("borrowlens")


# Cached: every line read for a diagnostic's columns asks for its file's URI (the conversion
# was a fifth of enrichment's time), and a session names few files.
@lru_cache(maxsize=8192)
def uri_to_path(uri: str) -> str:
    return to_fs_path(uri) or uri


@lru_cache(maxsize=8192)
def path_to_uri(path: str) -> str:
    return from_fs_path(path) or path


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


class Document(TextDocument):
    """pygls' document with lines counted as rust-analyzer and the editor count them.

    pygls splits with `str.splitlines()`, which also breaks at form feeds, NEL, U+2028 and the
    like: an incremental change below one of them would land a line early and the copy would
    drift from the editor's text. Every position conversion and change goes through `lines`.
    """

    @property
    def lines(self) -> Sequence[str]:
        return tuple(split_lines(self.source, keepends=True))


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

    def codec(self) -> PositionCodec:
        return PositionCodec(self.encoding)

    def open(self, params: Mapping[str, Any]) -> None:
        item = params["textDocument"]
        self.documents[item["uri"]] = Document(
            item["uri"], item.get("text", ""), version=item.get("version"),
            language_id=item.get("languageId"), position_codec=self.codec())

    def change(self, params: Mapping[str, Any]) -> None:
        ident = params["textDocument"]
        document = self.documents.get(ident["uri"])
        if document is None:
            log.warning("didChange for %s, which is not open", ident["uri"])
            return
        for change in params.get("contentChanges") or ():
            if "range" in change and change["range"] is not None:
                rng = change["range"]
                event: types.TextDocumentContentChangeEvent = (
                    types.TextDocumentContentChangePartial(
                        range=types.Range(
                            start=types.Position(**rng["start"]),
                            end=types.Position(**rng["end"])),
                        text=change["text"]))
            else:
                event = types.TextDocumentContentChangeWholeDocument(text=change["text"])
            document.apply_change(event)
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
