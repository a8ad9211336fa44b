"""Recognising the diagnostics a file is published with, and enriching them for the editor.

Each publishDiagnostics is grouped (rust-analyzer's hint copies with their parent), each error
classified by the core, and a recognised one gains `data.borrowlens` (protocol.DiagnosticData,
with the numbered markers of its annotated code as LSP locations), borrowlens' related notes
and, when the setting is on, the TL;DR after its message. What was recognised is kept per file
(`Recognised.entries`) for hover, quick fixes and the explain command, with a digest of every
source file it was computed from: a fix is only offered on the text it was made from.

A diagnostic published again as it was keeps its result; after an edit, one the edit only
moved keeps it too, every line moved (`server/moved.py`): only what changed is classified
again. The publish carries only the explanation's title and TL;DR (`prose.summary_only`).

Fixes are built once per published diagnostic: their ids go into the publish, and the built
fixes stay on the entry for the quick fixes, the fix verification and the full explanation
(`Entry.offered`), which all run while the entry's files are unchanged (`Entry.stale`). A
closed file's state is dropped: the editor asks nothing of a closed file, and
rust-analyzer's next publish for it recognises its diagnostics again.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

import orjson

from borrowlens.analyses.diagnostics.lsp import LspContext, from_lsp, group_lsp
from borrowlens.analyses.explain.annotate import numbered
from borrowlens.analyses.explain.prose import summary_only
from borrowlens.analyses.families.base import Match
from borrowlens.analyses.families.offers import offered_fixes
from borrowlens.analyses.families.registry import classify
from borrowlens.analyses.families.story import places
from borrowlens.analyses.fixes.edits import Fix
from borrowlens.analyses.fixes.gate import confinement
from borrowlens.server.disk import canonical
from borrowlens.server.documents import Documents, contains, overlaps
from borrowlens.server.moved import (
    LineMap,
    carried,
    entry_lines,
    positions_key,
)
from borrowlens.server.protocol import (
    DATA_KEY,
    MARKER_TEXT_LIMIT,
    DiagnosticData,
    JsonDict,
    Marker,
    Settings,
)

log = logging.getLogger("borrowlens")


@dataclass
class Entry:
    """A recognised diagnostic as published: the LSP dict sent on, its match, and a digest
    of each source file it was computed from (fixes are only offered on the same text)."""

    lsp: JsonDict
    match: Match
    uri: str
    digests: dict[str, str] = field(default_factory=dict)
    # The fixes built for the publish, on the texts `digests` describes; None when a file
    # changed while they were built (they are then built again when asked for).
    fixes: list[Fix] | None = None

    def stale(self, documents: Documents) -> str | None:
        """A source file that changed since the diagnostic, if any."""
        return next((f for f, d in self.digests.items()
                     if (t := documents.text(f)) is None or digest(t) != d), None)

    def offered(self, documents: Documents) -> list[Fix]:
        """The fixes offered for this diagnostic: the ones built when it was published while
        its files are as they were then, else built again for the text as it is."""
        if self.fixes is None or self.stale(documents) is not None:
            return fixes_for(self.match, documents)
        return self.fixes


@lru_cache(maxsize=16)
def digest(text: str) -> str:
    # Cached: every recognised diagnostic of a file digests the same text.
    return hashlib.sha1(text.encode("utf-8", errors="surrogatepass")).hexdigest()


def fixes_for(match: Match, documents: Documents) -> list[Fix]:
    """The fixes the core offers for a match that stay where they may write (inside the
    editor's workspace folders, out of dependencies, in files the diagnostic names); none
    when computing them fails."""
    try:
        fixes = offered_fixes(match, documents)
    except Exception:
        log.exception("borrowlens could not compute fixes for %s", match.family.id)
        return []
    kept = []
    for fix in fixes:
        why = None if match.diagnostic is None else confinement(
            fix, match.diagnostic, documents.workspace_roots, canonical,
            located=[item.span.file for item in match.related])
        if why is None:
            kept.append(fix)
        else:
            log.info("not offering %s (%s): %s", fix.id, match.family.id, why)
    return kept


def markers_for(match: Match, documents: Documents) -> list[Marker]:
    """The numbered places of the match's annotated code as LSP locations, for editors to show
    beside those lines; none when computing them fails (the diagnostic is worth more)."""
    try:
        shown = numbered(places(match), documents)
    except Exception:
        log.exception("borrowlens could not number the places for %s", match.family.id)
        return []
    out: list[Marker] = []
    for label, marker in shown:
        span = marker.span
        location = documents.location(span.file, span.line_start, span.column_start,
                                      span.line_end, span.column_end)
        text = marker.message
        if len(text) > MARKER_TEXT_LIMIT:
            text = text[:MARKER_TEXT_LIMIT - 1] + "…"
        out.append(Marker(uri=location["uri"], range=location["range"], label=label, text=text))
    return out


# Per diagnostic of a publish (its `_key`): what was sent, its entry, and the diagnostic and
# hint copies as published (to find it again once an edit moved it).
Seen = dict[bytes, tuple[Mapping[str, Any], Entry | None, Mapping[str, Any],
                         list[Mapping[str, Any]]]]


class _Moves:
    """A file's previous publish, looked up by where its diagnostics were before the edit
    between the text it was recognised on and the text now (server/moved.py)."""

    def __init__(self, previous: Seen, old: str, new: str, uri: str, path: str) -> None:
        self.old, self.new = old, new
        self.uri, self.path = uri, path
        self._previous = previous
        self._index: dict[bytes, tuple[int, int, Entry | None]] | None = None

    # Made on the first diagnostic not found as it was: after most edits rust-analyzer
    # publishes the file's diagnostics again unchanged, and comparing the two texts line by
    # line would be wasted on every keystroke.
    @cached_property
    def lines(self) -> LineMap:
        return LineMap.between(self.old, self.new)

    @cached_property
    def old_digest(self) -> str:
        return digest(self.old)

    def find(self, raw: Mapping[str, Any], hints: list[Mapping[str, Any]]
             ) -> tuple[bool, Entry | None]:
        """(found, its entry): whether the diagnostic is one of the previous publish that the
        edit only moved, without touching what it refers to; its entry (None when it was not
        recognised). Not found when looking fails (a publish of unexpected shape)."""
        try:
            return self._find(raw, hints)
        except Exception:
            log.exception("borrowlens could not look for a moved diagnostic in %s", self.uri)
            return False, None

    def _find(self, raw: Mapping[str, Any], hints: list[Mapping[str, Any]]
              ) -> tuple[bool, Entry | None]:
        if not self.lines.moved:  # lines moved nowhere: the exact key said all there is
            return False, None
        if self._index is None:
            self._index = {}
            for _, entry, old_raw, old_hints in self._previous.values():
                if old_raw.get("severity") not in (None, 1):
                    continue
                found = positions_key(old_raw, old_hints, self.uri, lambda line: line)
                if found is not None:
                    self._index[found[0]] = (found[1], found[2], entry)
        found = positions_key(raw, hints, self.uri, self.lines.to_old)
        known = self._index.get(found[0]) if found is not None else None
        if found is None or known is None:
            return False, None
        first, last, entry = known
        if entry is not None:
            if entry.fixes is None or entry.digests.get(self.path) != self.old_digest:
                return False, None  # recognised on another text than the publish's
            data = entry.lsp["data"][DATA_KEY]
            lines = [first, last, *entry_lines(entry.match, entry.fixes, data["markers"],
                                               self.path, self.uri)]
            first, last = min(lines), max(lines)
        return (False, None) if self.lines.touches(first, last) else (True, entry)

    def carried(self, entry: Entry, raw: Mapping[str, Any], hints: list[Mapping[str, Any]],
                context: LspContext, documents: Documents, settings: Settings) -> Entry | None:
        """The entry recognised before the edit, every line in the file moved, for the
        diagnostic as published now; None when that fails (it is classified afresh)."""
        try:
            diagnostic = from_lsp(raw, self.uri, context, tuple(hints))
            data = entry.lsp["data"][DATA_KEY]
            moved = carried(entry.match, diagnostic, entry.fixes or [], data["markers"],
                            self.path, self.uri, self.lines)
            if moved is None:
                return None
            digests = {**entry.digests, self.path: digest(self.new)}
            kept = documents.text(self.path) == self.new
            # Every line the recognition refers to moved by the same count: a title and a
            # TL;DR that name no line (no digit at all) read the same for the moved match.
            summary = (data["title"], data["tldr"])
            same = not any(c.isdigit() for c in summary[0] + summary[1])
            return _published(raw, moved.match, self.uri, documents, settings, digests,
                              moved.fixes if kept else None, moved.fixes, moved.markers,
                              summary if same else None)
        except Exception:
            log.exception("borrowlens could not carry %s over an edit", entry.match.family.id)
            return None


class Recognised:
    """The recognised diagnostics of each file, as last published."""

    def __init__(self) -> None:
        self.entries: dict[str, list[Entry]] = {}
        # Per file: each diagnostic of the last publish (as JSON) -> (what was sent, entry,
        # the diagnostic and its hint copies as published).
        self._seen: dict[str, Seen] = {}
        # Per file: its text when last published (what `_seen` was recognised on).
        self._texts: dict[str, str] = {}

    def forget(self) -> None:
        """Drops the cached results: the next publish is enriched afresh (new settings)."""
        self._seen.clear()
        self._texts.clear()

    def close(self, uri: str) -> None:
        """Drops what is kept for a closed file: its entries (with their fixes) and its cache
        of results. rust-analyzer publishes a file again when it is reopened or rechecked."""
        self._seen.pop(uri, None)
        self._texts.pop(uri, None)
        self.entries.pop(uri, None)

    def at(self, uri: str, position: Mapping[str, Any]) -> list[Entry]:
        """The file's entries under a position (or overlapping a range)."""
        return [e for e in self.entries.get(uri, ()) if contains(e.lsp["range"], position)]

    def overlapping(self, uri: str, rng: Mapping[str, Any]) -> list[Entry]:
        return [e for e in self.entries.get(uri, ()) if overlaps(e.lsp["range"], rng)]

    def enrich(self, params: Mapping[str, Any], documents: Documents,
               settings: Settings) -> JsonDict | None:
        """publishDiagnostics params with recognised diagnostics enriched, or None when
        nothing was recognised (the caller then forwards the original bytes)."""
        uri = str(params["uri"])
        context = documents.context()
        entries: list[Entry] = []
        original = list(params.get("diagnostics") or ())
        replaced: dict[int, Mapping[str, Any]] = {}
        # rust-analyzer republishes a file's flycheck diagnostics unchanged after every edit;
        # classifying them again would hold up the editor's next response for nothing. A
        # diagnostic seen in the previous publish keeps its result (its fixes still check the
        # text they were made from before being offered).
        previous = self._seen.get(uri, {})
        # After an edit, a diagnostic the edit only moved keeps its result too, moved.
        path = context.resolve_uri(uri)
        text = documents.text(path)
        before = self._texts.get(uri)
        moves = (_Moves(previous, before, text, uri, path)
                 if previous and text is not None and before is not None and before != text
                 else None)
        seen: Seen = {}
        for raw, hints in group_lsp(original):
            key = _key(raw, hints)
            if key in previous:
                enriched, entry = previous[key][:2]
            elif raw.get("severity") not in (None, 1):  # never recognised: nothing to carry
                enriched, entry = raw, None
            else:
                found, entry = moves.find(raw, hints) if moves else (False, None)
                if entry is not None and moves is not None:
                    entry = moves.carried(entry, raw, hints, context, documents, settings)
                    found = entry is not None
                if not found:
                    entry = _recognise(raw, hints, uri, context, documents, settings)
                enriched = raw if entry is None else entry.lsp
            if entry is not None:
                entries.append(entry)
            seen[key] = (enriched, entry, raw, hints)
            if enriched is not raw and enriched != raw:
                replaced[id(raw)] = enriched
        self._seen[uri] = seen
        if text is None:
            self._texts.pop(uri, None)
        else:
            self._texts[uri] = text
        if entries:
            self.entries[uri] = entries
        else:  # most files have nothing recognised: keep no state for them
            self.entries.pop(uri, None)
        if not replaced:
            return None
        # Same diagnostics in the same order; hint copies untouched.
        return {**params, "diagnostics": [replaced.get(id(d), d) for d in original]}


def _key(raw: Mapping[str, Any], hints: list[Mapping[str, Any]]) -> bytes:
    """The same bytes for the same diagnostic and hint copies, whatever their keys' order."""
    try:
        return orjson.dumps([raw, hints], option=orjson.OPT_SORT_KEYS)
    except TypeError:  # what orjson refuses (a lone surrogate, a huge integer)
        return json.dumps([raw, hints], sort_keys=True).encode("utf-8", "surrogatepass")


def _recognise(raw: Mapping[str, Any], hints: list[Mapping[str, Any]], uri: str,
               context: LspContext, documents: Documents, settings: Settings) -> Entry | None:
    """The entry for one error (its hint copies beside it), or None when borrowlens does not
    recognise it (`enrich` passes errors only)."""
    try:
        diagnostic = from_lsp(raw, uri, context, tuple(hints))
        # The text classified, before classifying: the editor may change it meanwhile (the
        # proxy enriches off its event loop), and a fix is only offered on this text.
        texts = {f: documents.text(f) for f in {s.file for s in diagnostic.spans}}
        match = classify(diagnostic, documents)
    except Exception:  # a matcher bug must never cost the user RA's diagnostic
        log.exception("borrowlens could not classify a diagnostic in %s", uri)
        return None
    if match is None:
        return None
    fixes = fixes_for(match, documents)
    # The fixes may edit files the diagnostic does not span (a related note's): their text
    # is part of what the fixes were made from.
    for file in {f for fix in fixes for f in fix.files()} - texts.keys():
        texts[file] = documents.text(file)
    digests = {f: digest(t) for f, t in texts.items() if t is not None}
    # The editor may have changed a file meanwhile (the proxy enriches off its event loop):
    # then the fixes are not kept, and are built again for the text a code action sees.
    unchanged = all(documents.text(f) == t for f, t in texts.items())
    return _published(raw, match, uri, documents, settings, digests,
                      fixes if unchanged else None, fixes, markers_for(match, documents))


def _published(raw: Mapping[str, Any], match: Match, uri: str, documents: Documents,
               settings: Settings, digests: dict[str, str], kept: list[Fix] | None,
               fixes: list[Fix], markers: list[Marker],
               summary: tuple[str, str] | None = None) -> Entry:
    """The entry of a recognised diagnostic: `raw` with borrowlens' data (the ids of `fixes`,
    the markers, the explanation's title and TL;DR unless `summary` gives them), related
    notes and, when the setting is on, the TL;DR in its message."""
    if summary is None:
        with summary_only():  # the publish carries these two; hover renders the rest
            explanation = match.family.explain(match)
        summary = (explanation.title, explanation.tldr)
    title, tldr = summary
    data = raw.get("data")
    data = dict(data) if isinstance(data, Mapping) else {}
    data[DATA_KEY] = DiagnosticData(family=match.family.id, title=title, tldr=tldr,
                                    fixes=[f.id for f in fixes], markers=markers)
    enriched = {**raw, "data": data}
    related = list(raw.get("relatedInformation") or ())
    for item in match.related:
        span = item.span
        location = documents.location(span.file, span.line_start, span.column_start,
                                      span.line_end, span.column_end)
        note = {"location": location, "message": f"borrowlens: {item.message}"}
        if note not in related:
            related.append(note)
    if related:
        enriched["relatedInformation"] = related
    if settings.summary_in_message:
        enriched["message"] = f"{raw.get('message', '')}\nborrowlens: {tldr}"
    return Entry(lsp=enriched, match=match, uri=uri, digests=digests, fixes=kept)
