"""What the language server knows during a session, and the LSP features built on it.

Both front doors use this: the proxy (payloads are plain dicts taken from, and put back into,
rust-analyzer's traffic) and the standalone pygls server. It holds the open documents, the
negotiated position encoding, the user's `borrowlens` settings and the diagnostics last
published per file, and turns the pure core's results into LSP shapes: enriched diagnostics,
hover markdown, quick fixes with versioned workspace edits, and the full explanation.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.uris import from_fs_path, to_fs_path
from pygls.workspace import PositionCodec, TextDocument

from borrowlens.analyses.diagnostics.lsp import LspContext, column_to_units, from_lsp, group_lsp
from borrowlens.analyses.explain import render
from borrowlens.analyses.families.base import Match
from borrowlens.analyses.families.offers import offered_fixes
from borrowlens.analyses.families.registry import classify
from borrowlens.analyses.fixes.edits import Fix

log = logging.getLogger("borrowlens")

EXPLAIN_COMMAND = "borrowlens.explain"
SOURCE = "borrowlens"
JsonDict = dict[str, Any]


@dataclass
class Settings:
    """The `borrowlens` section of the client's settings (initializationOptions or
    workspace/didChangeConfiguration)."""

    summary_in_message: bool = True
    hover: bool = True
    explanation: str = "short"  # hover depth: "short" or "full"

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> Settings:
        """Defaults from the environment, for clients that cannot send a `borrowlens` section:
        the VS Code rust-analyzer extension starts borrowlens with only `server.extraEnv`."""
        settings = cls()
        raw: dict[str, object] = {}
        for key, name in (("summaryInMessage", "BORROWLENS_SUMMARY_IN_MESSAGE"),
                          ("hover", "BORROWLENS_HOVER")):
            value = environ.get(name, "").strip().lower()
            if value in ("1", "true", "yes", "on"):
                raw[key] = True
            elif value in ("0", "false", "no", "off"):
                raw[key] = False
            elif value:
                log.warning("ignoring %s=%r: expected true or false", name, value)
        depth = environ.get("BORROWLENS_EXPLANATION", "").strip().lower()
        if depth in ("short", "full"):
            raw["explanation"] = depth
        elif depth:
            log.warning("ignoring BORROWLENS_EXPLANATION=%r: expected short or full", depth)
        settings.update(raw)
        return settings

    def update(self, raw: object) -> None:
        if not isinstance(raw, Mapping):
            return
        if isinstance(raw.get("summaryInMessage"), bool):
            self.summary_in_message = raw["summaryInMessage"]
        if isinstance(raw.get("hover"), bool):
            self.hover = raw["hover"]
        if raw.get("explanation") in ("short", "full"):
            self.explanation = str(raw["explanation"])


@dataclass
class Entry:
    """A recognised diagnostic as published: the LSP dict sent on, its match, and a digest
    of each source file it was computed from (fixes are only offered on the same text)."""

    lsp: JsonDict
    match: Match
    uri: str
    digests: dict[str, str] = field(default_factory=dict)


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8", errors="surrogatepass")).hexdigest()


def uri_to_path(uri: str) -> str:
    return to_fs_path(uri) or uri


def path_to_uri(path: str) -> str:
    return from_fs_path(path) or path


def _contains(rng: Mapping[str, Any], position: Mapping[str, Any]) -> bool:
    """Whether `rng` holds `position`, or overlaps it when `position` is itself a range
    (rust-analyzer's hover extension accepts one)."""
    if "start" in position and "end" in position:
        return _overlaps(rng, position)
    start, end = rng["start"], rng["end"]
    point = (position["line"], position["character"])
    return (start["line"], start["character"]) <= point <= (end["line"], end["character"])


def _overlaps(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    a0 = (a["start"]["line"], a["start"]["character"])
    a1 = (a["end"]["line"], a["end"]["character"])
    b0 = (b["start"]["line"], b["start"]["character"])
    b1 = (b["end"]["line"], b["end"]["character"])
    return a0 <= b1 and b0 <= a1


class Session:
    """Documents, settings and recognised diagnostics of one editor session."""

    def __init__(self) -> None:
        self.encoding = "utf-16"
        self.settings = Settings.from_environ(os.environ)
        self.documents: dict[str, TextDocument] = {}
        self.entries: dict[str, list[Entry]] = {}
        self._seen: dict[str, dict[str, tuple[Mapping[str, Any], Entry | None]]] = {}
        self._disk: dict[str, tuple[tuple[int, int], str]] = {}
        self._lines: dict[str, tuple[str, list[str]]] = {}
        self.workspace_root: Path | None = None

    def configure(self, raw: object) -> None:
        """Applies the client's `borrowlens` settings; enrichment is redone with them."""
        self.settings.update(raw)
        self._seen.clear()

    # --- documents ------------------------------------------------------------------------

    def codec(self) -> PositionCodec:
        return PositionCodec(self.encoding)

    def open(self, params: Mapping[str, Any]) -> None:
        item = params["textDocument"]
        self.documents[item["uri"]] = TextDocument(
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
        self.documents.pop(params["textDocument"]["uri"], None)

    def text(self, path: str) -> str | None:
        """`Sources` for the core: an open document's text, else the file on disk."""
        document = self.documents.get(path_to_uri(path))
        if document is not None:
            return document.source
        # Every span of every diagnostic asks for its file's lines: read a file again only
        # when it changed on disk.
        try:
            stat = Path(path).stat()
            stamp = (stat.st_mtime_ns, stat.st_size)
            cached = self._disk.get(path)
            if cached is not None and cached[0] == stamp:
                return cached[1]
            text = Path(path).read_bytes().decode("utf-8", errors="replace")
        except OSError:
            return None
        self._disk[path] = (stamp, text)
        return text

    def _line(self, path: str, line: int) -> str | None:
        text = self.text(path)
        if text is None:
            return None
        cached = self._lines.get(path)
        if cached is None or cached[0] is not text:
            cached = (text, text.splitlines())
            self._lines[path] = cached
        lines = cached[1]
        return lines[line - 1] if 0 < line <= len(lines) else None

    def context(self) -> LspContext:
        return LspContext(resolve_uri=uri_to_path, line_text=self._line, encoding=self.encoding)

    # --- diagnostics ----------------------------------------------------------------------

    def enrich(self, params: Mapping[str, Any]) -> JsonDict | None:
        """publishDiagnostics params with recognised diagnostics enriched, or None when
        nothing was recognised (the caller then forwards the original bytes)."""
        uri = str(params["uri"])
        context = self.context()
        entries: list[Entry] = []
        original = list(params.get("diagnostics") or ())
        replaced: dict[int, Mapping[str, Any]] = {}
        # rust-analyzer republishes a file's flycheck diagnostics unchanged after every edit;
        # classifying them again would hold up the editor's next response for nothing. A
        # diagnostic seen in the previous publish keeps its result (its fixes still check the
        # text they were made from before being offered).
        previous = self._seen.get(uri, {})
        seen: dict[str, tuple[Mapping[str, Any], Entry | None]] = {}
        for raw, hints in group_lsp(original):
            key = json.dumps([raw, hints], sort_keys=True)
            if key in previous:
                enriched, entry = previous[key]
                if entry is not None:
                    entries.append(entry)
            else:
                before = len(entries)
                enriched = self._enrich_one(raw, hints, uri, context, entries)
                entry = entries[-1] if len(entries) > before else None
            seen[key] = (enriched, entry)
            if enriched is not raw and enriched != raw:
                replaced[id(raw)] = enriched
        self._seen[uri] = seen
        self.entries[uri] = entries
        if not replaced:
            return None
        # Same diagnostics in the same order; hint copies untouched.
        return {**params, "diagnostics": [replaced.get(id(d), d) for d in original]}

    def _enrich_one(self, raw: Mapping[str, Any], hints: list[Mapping[str, Any]], uri: str,
                    context: LspContext, entries: list[Entry]) -> Mapping[str, Any]:
        if raw.get("severity") not in (None, 1):
            return raw
        try:
            diagnostic = from_lsp(raw, uri, context, tuple(hints))
            match = classify(diagnostic, self)
        except Exception:  # a matcher bug must never cost the user RA's diagnostic
            log.exception("borrowlens could not classify a diagnostic in %s", uri)
            return raw
        if match is None:
            return raw
        explanation = match.family.explain(match)
        fixes = self._fixes(match)
        data = raw.get("data")
        data = dict(data) if isinstance(data, Mapping) else {}
        data["borrowlens"] = {"family": match.family.id, "title": explanation.title,
                              "tldr": explanation.tldr, "fixes": [f.id for f in fixes]}
        enriched = {**raw, "data": data}
        related = list(raw.get("relatedInformation") or ())
        for item in match.related:
            location = self._location(item.span.file, item.span.line_start,
                                      item.span.column_start, item.span.line_end,
                                      item.span.column_end)
            entry = {"location": location, "message": f"borrowlens: {item.message}"}
            if entry not in related:
                related.append(entry)
        if related:
            enriched["relatedInformation"] = related
        if self.settings.summary_in_message:
            enriched["message"] = f"{raw.get('message', '')}\nborrowlens: {explanation.tldr}"
        files = {s.file for s in diagnostic.spans}
        digests = {f: _digest(t) for f in files if (t := self.text(f)) is not None}
        entries.append(Entry(lsp=enriched, match=match, uri=uri, digests=digests))
        return enriched

    def _fixes(self, match: Match) -> list[Fix]:
        try:
            return offered_fixes(match, self)
        except Exception:
            log.exception("borrowlens could not compute fixes for %s", match.family.id)
            return []

    def _location(self, path: str, line_start: int, column_start: int, line_end: int,
                  column_end: int) -> JsonDict:
        return {"uri": path_to_uri(path),
                "range": self.lsp_range(path, line_start, column_start, line_end, column_end)}

    def lsp_range(self, path: str, line_start: int, column_start: int, line_end: int,
               column_end: int) -> JsonDict:
        def position(line: int, column: int) -> JsonDict:
            text = self._line(path, line) or ""
            return {"line": line - 1,
                    "character": column_to_units(text, column - 1, self.encoding)}
        return {"start": position(line_start, column_start),
                "end": position(line_end, column_end)}

    def entries_at(self, uri: str, rng: Mapping[str, Any]) -> list[Entry]:
        return [e for e in self.entries.get(uri, ()) if _overlaps(e.lsp["range"], rng)]

    # --- hover ----------------------------------------------------------------------------

    def hover_markdown(self, uri: str, position: Mapping[str, Any]) -> tuple[str, JsonDict] | None:
        """The explanation of the recognised diagnostics under the cursor, and their range."""
        if not self.settings.hover:
            return None
        found = [e for e in self.entries.get(uri, ()) if _contains(e.lsp["range"], position)]
        if not found:
            return None
        parts = []
        seen: set[str] = set()
        for entry in found:
            text = render.markdown(entry.match.family.explain(entry.match),
                                   full=self.settings.explanation == "full")
            if text not in seen:
                seen.add(text)
                parts.append(text)
        return "\n\n---\n\n".join(parts), found[0].lsp["range"]

    def merge_hover(self, result: Any, uri: str, position: Mapping[str, Any]) -> Any | None:
        """rust-analyzer's hover with borrowlens' explanation first; None when unchanged."""
        ours = self.hover_markdown(uri, position)
        if ours is None:
            return None
        text, rng = ours
        if not isinstance(result, Mapping) or "contents" not in result:
            return {"contents": {"kind": "markdown", "value": text}, "range": rng}
        contents = result["contents"]
        merged = dict(result)
        if isinstance(contents, Mapping) and "kind" in contents:
            theirs = str(contents.get("value", ""))
            merged["contents"] = {"kind": "markdown",
                                  "value": f"{text}\n\n---\n\n{theirs}" if theirs else text}
        elif isinstance(contents, list):
            merged["contents"] = [text, *contents]
        else:
            merged["contents"] = [text, contents]
        return merged

    # --- code actions ---------------------------------------------------------------------

    def code_actions(self, uri: str, rng: Mapping[str, Any]) -> list[JsonDict]:
        """borrowlens' quick fixes for the recognised diagnostics in the range."""
        actions: list[JsonDict] = []
        for entry in self.entries_at(uri, rng):
            stale = [f for f, d in entry.digests.items()
                     if (t := self.text(f)) is None or _digest(t) != d]
            if stale:
                log.info("not offering fixes: %s changed since the diagnostic", stale[0])
                continue
            for fix in self._fixes(entry.match):
                edit = self.workspace_edit(fix)
                if edit is None:
                    continue
                actions.append({
                    "title": f"{fix.title} (borrowlens)",
                    "kind": "quickfix",
                    "diagnostics": [entry.lsp],
                    "isPreferred": fix.preferred,
                    "edit": edit,
                    "data": {"borrowlens": {"family": entry.match.family.id, "fix": fix.id}},
                })
        return actions

    def workspace_edit(self, fix: Fix) -> JsonDict | None:
        """The fix as versioned document edits (None if a file cannot be read)."""
        by_file: dict[str, list[JsonDict]] = {}
        for edit in fix.edits:
            if self.text(edit.file) is None:
                return None
            by_file.setdefault(edit.file, []).append({
                "range": self.lsp_range(edit.file, edit.line_start, edit.column_start,
                                     edit.line_end, edit.column_end),
                "newText": edit.new_text})
        changes = []
        for path, edits in by_file.items():
            uri = path_to_uri(path)
            document = self.documents.get(uri)
            changes.append({"textDocument": {"uri": uri,
                                             "version": document.version if document else None},
                            "edits": edits})
        return {"documentChanges": changes}

    # --- the explain command --------------------------------------------------------------

    def explain(self, arguments: list[Any] | None) -> str:
        """Full markdown for `borrowlens.explain` [uri, position] (or the diagnostics of a
        whole file when no position is given)."""
        args = list(arguments or [])
        if args and isinstance(args[0], Mapping):  # {uri, position}
            first = args[0]
            args = [first.get("uri"), first.get("position")]
        uri = str(args[0]) if args else ""
        position = args[1] if len(args) > 1 and isinstance(args[1], Mapping) else None
        entries = self.entries.get(uri, [])
        if position is not None:
            entries = [e for e in entries if _contains(e.lsp["range"], position)]
        if not entries:
            return "borrowlens has no explanation for this position."
        texts = []
        for entry in entries:
            text = render.markdown(entry.match.family.explain(entry.match), full=True)
            if text not in texts:
                texts.append(text)
        return "\n\n---\n\n".join(texts)
