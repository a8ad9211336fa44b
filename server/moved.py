"""What an edit left in place: recognising a diagnostic that an edit only moved, without
classifying it again.

After an edit, rust-analyzer publishes the file's diagnostics again with every range below
the edit moved. A diagnostic of the new publish is the *same diagnostic, moved* when, with
its positions in the file taken back through the edit (`LineMap`: the lines before the
changed block stay, the lines after it move by the block's growth), it is one published
before: its ranges, the places its messages name (`{closure@src/lib.rs:12:5: 12:9}`), and
rustc's rendered text compared without its numbers and blanks (its gutter and `-->` lines).
Its recognition is then carried over with every line in the file moved alike (`carried`:
the match's spans, related notes and line facts, its fixes' edits, its markers), unless the
changed block touches what it refers to (`entry_lines`: from the first to the last of those
lines, one line of margin either side). A diagnostic borrowlens did not recognise stays
unrecognised on the same terms (its own ranges). Anything else is classified afresh.

Facts that hold a line number are named `line` or `…_line` (a test holds every fixture to
it: what a moved match explains and fixes is what classifying it afresh gives). Such a
fact names no file, so a match that also points into another file of the user's (a related
note, a fix's edit) is not carried: its line facts might be that file's.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

import orjson

from borrowlens.analyses.diagnostics.model import Diagnostic, Span, in_dependency
from borrowlens.analyses.families.base import FactValue, Match, Related
from borrowlens.analyses.fixes.edits import Fix, TextEdit
from borrowlens.analyses.rust.sources import split_lines
from borrowlens.server.protocol import Marker

# rustc's rendered text names lines in its `-->` lines and gutter, whose width follows the
# largest line number: compared without digits and with runs of blanks as one.
_DIGITS = re.compile(r"[0-9]+")
_BLANKS = re.compile(r"[ \t]+")
# A place rustc names in a message: `{closure@src/lib.rs:12:32: 12:39}`, `src/lib.rs:12:5`.
_PLACE = re.compile(r"([^\s`{@]+\.rs):(\d+):(\d+)(?:: (\d+):(\d+))?")


class _ChangedError(Exception):
    """A position falls in the changed block: the diagnostic is not merely moved."""


@dataclass(frozen=True)
class LineMap:
    """Where the lines of one text of a file are in a later text of it (0-based lines):
    the texts differ only in the block of old lines [start, old_end), which became the new
    lines [start, new_end)."""

    start: int
    old_end: int
    new_end: int

    @classmethod
    def between(cls, old: str, new: str) -> LineMap:
        before = split_lines(old, keepends=True)
        after = split_lines(new, keepends=True)
        limit = min(len(before), len(after))
        start = 0
        while start < limit and before[start] == after[start]:
            start += 1
        kept = 0
        while kept < limit - start and before[-1 - kept] == after[-1 - kept]:
            kept += 1
        return cls(start, len(before) - kept, len(after) - kept)

    @property
    def moved(self) -> bool:
        """Whether the lines after the block moved at all."""
        return self.new_end != self.old_end

    def to_new(self, line: int) -> int | None:
        """An old line's place in the new text; None inside the changed block."""
        if line < self.start:
            return line
        return line + self.new_end - self.old_end if line >= self.old_end else None

    def to_old(self, line: int) -> int | None:
        """A new line's place in the old text; None inside the changed block."""
        if line < self.start:
            return line
        return line - self.new_end + self.old_end if line >= self.new_end else None

    def touches(self, first: int, last: int) -> bool:
        """Whether the changed block meets old lines [first, last] or a line beside them (an
        inserted line just above a diagnostic may be an attribute or a comment about it)."""
        return first <= self.old_end and last >= self.start - 1


def positions_key(raw: Mapping[str, Any], hints: list[Mapping[str, Any]], uri: str,
                  back: Callable[[int], int | None]) -> tuple[bytes, int, int] | None:
    """The diagnostic and hint copies as bytes with their lines in `uri` taken back through
    `back` (those of their ranges and of the places their messages name) and their rendered
    text without numbers, and the first and last of those ranges' lines; None when a line
    falls in the changed block or the JSON cannot be encoded.

    Written for the shape of an LSP diagnostic (positions in `range` and in the related
    notes' locations): a position anywhere else stays as it is, and so differs after a move
    (the diagnostic is then classified afresh)."""
    seen: list[int] = []
    try:
        value = [_back(raw, uri, back, seen), [_back(h, uri, back, seen) for h in hints]]
        if not seen or not all(type(line) is int for line in seen):
            return None  # no position, or one that is not a line number
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS), min(seen), max(seen)
    except (_ChangedError, TypeError, ValueError, KeyError):
        return None


def _back(raw: Mapping[str, Any], uri: str, back: Callable[[int], int | None],
          seen: list[int]) -> dict[str, Any]:
    out = dict(raw)
    if isinstance(raw.get("message"), str):
        out["message"] = _places(raw["message"], uri, back)
    if "range" in raw:
        out["range"] = _range(raw["range"], back, seen)
    related = raw.get("relatedInformation")
    if isinstance(related, list):
        out["relatedInformation"] = [_related(item, uri, back, seen) for item in related]
    data = raw.get("data")
    if isinstance(data, Mapping) and isinstance(data.get("rendered"), str):
        out["data"] = {**data, "rendered": _plain(data["rendered"])}
    return out


def _related(item: Any, uri: str, back: Callable[[int], int | None], seen: list[int]) -> Any:
    if not isinstance(item, Mapping):
        return item
    out = dict(item)
    if isinstance(item.get("message"), str):
        out["message"] = _places(item["message"], uri, back)
    location = item.get("location")
    if isinstance(location, Mapping) and location.get("uri") == uri:
        out["location"] = {**location, "range": _range(location["range"], back, seen)}
    return out


def _places(message: str, uri: str, mapped: Callable[[int], int | None]) -> str:
    """The message with the lines of the places it names in the file mapped (rustc names a
    closure or an async block by where it is; the path is relative to the crate's
    workspace, so the file is the one the URI ends with)."""
    if ".rs:" not in message:
        return message

    def line(text: str) -> str:
        moved = mapped(int(text) - 1)
        if moved is None:
            raise _ChangedError
        return str(moved + 1)

    def place(m: re.Match[str]) -> str:
        if not uri.endswith("/" + m.group(1).lstrip("./")):
            return m.group(0)
        end = f": {line(m.group(4))}:{m.group(5)}" if m.group(4) else ""
        return f"{m.group(1)}:{line(m.group(2))}:{m.group(3)}{end}"
    return _PLACE.sub(place, message)


def _range(rng: Mapping[str, Any], back: Callable[[int], int | None],
           seen: list[int]) -> tuple[int, Any, int, Any]:
    start, end = rng["start"], rng["end"]
    first, last = back(start["line"]), back(end["line"])
    if first is None or last is None:
        raise _ChangedError
    seen += (first, last)
    return (first, start["character"], last, end["character"])


def _plain(rendered: str) -> str:
    return _BLANKS.sub(" ", _DIGITS.sub("#", rendered))


def _line_fact(key: str, value: FactValue) -> int | None:
    """The line a fact holds (a 1-based number under `line` or `…_line`), else None."""
    if key != "line" and not key.endswith("_line"):
        return None
    if isinstance(value, int):
        return value
    return int(value) if isinstance(value, str) and value.isdigit() else None


def _moved_fact(key: str, value: FactValue, lines: LineMap) -> FactValue:
    line = _line_fact(key, value)
    if line is None:
        return value
    moved = _new1(line, lines)
    return moved if isinstance(value, int) else str(moved)


def _spans(diagnostic: Diagnostic | None) -> Iterator[Span]:
    if diagnostic is None:
        return
    yield from diagnostic.spans
    for note in diagnostic.children:
        yield from note.spans
        yield from (s.span for s in note.suggestions)


def entry_lines(match: Match, fixes: list[Fix] | None, markers: Iterable[Marker], path: str,
                uri: str) -> list[int]:
    """The 0-based lines of `path` a recognised diagnostic refers to: its spans, related
    notes, line facts, fix edits and markers."""
    lines: list[int] = []
    spans = [*_spans(match.diagnostic), *(item.span for item in match.related)]
    lines += [n - 1 for s in spans if s.file == path for n in (s.line_start, s.line_end)]
    lines += [line - 1 for k, v in match.facts.items()
              if (line := _line_fact(k, v)) is not None]
    for fix in fixes or ():
        lines += [n - 1 for e in fix.edits if e.file == path for n in (e.line_start, e.line_end)]
    for marker in markers:
        if marker["uri"] == uri:
            lines += [marker["range"]["start"]["line"], marker["range"]["end"]["line"]]
    return lines


@dataclass(frozen=True)
class Carried:
    """A recognition moved to where an edit put its diagnostic."""

    match: Match
    fixes: list[Fix]
    markers: list[Marker]


def carried(match: Match, diagnostic: Diagnostic, fixes: list[Fix], markers: Iterable[Marker],
            path: str, uri: str, lines: LineMap) -> Carried | None:
    """The match (with the diagnostic as published now), its fixes and markers with every
    line they hold in `path` moved; None if one falls in the changed block, or when it has
    line facts and points into another file too."""
    if not carriable(match, fixes, path):
        return None
    try:
        facts: dict[str, FactValue] = {
            k: _moved_fact(k, v, lines) for k, v in match.facts.items()}
        related = [Related(_moved_span(item.span, path, lines),
                           _places(item.message, uri, lines.to_new))
                   for item in match.related]
        moved_fixes = [replace(fix, edits=tuple(_moved_edit(e, path, lines) for e in fix.edits))
                       for fix in fixes]
        moved_markers = [_moved_marker(marker, uri, lines) for marker in markers]
    except _ChangedError:
        return None
    return Carried(Match(family=match.family, diagnostic=diagnostic, facts=facts,
                         related=related), moved_fixes, moved_markers)


def carriable(match: Match, fixes: Iterable[Fix], path: str) -> bool:
    """Whether the match's line facts are surely lines of `path`: it has none, or it points
    into no other file of the user's (a related note, a fix's edit; a dependency's file, such
    as the bound of `tokio::spawn` a Send error points at, is no place a fact is read from)."""
    elsewhere = {item.span.file for item in match.related} | {
        e.file for fix in fixes for e in fix.edits}
    return all(f == path or in_dependency(f) for f in elsewhere) or all(
        _line_fact(k, v) is None for k, v in match.facts.items())


def _moved_marker(marker: Marker, uri: str, lines: LineMap) -> Marker:
    if marker["uri"] != uri:
        return marker
    rng = marker["range"]
    return {**marker, "text": _places(marker["text"], uri, lines.to_new), "range": {
        "start": {**rng["start"], "line": _new0(rng["start"]["line"], lines)},
        "end": {**rng["end"], "line": _new0(rng["end"]["line"], lines)}}}


def _new0(line: int, lines: LineMap) -> int:
    new = lines.to_new(line)
    if new is None:
        raise _ChangedError
    return new


def _new1(line: int, lines: LineMap) -> int:
    return _new0(line - 1, lines) + 1


def _moved_span(span: Span, path: str, lines: LineMap) -> Span:
    if span.file != path:
        return span
    return replace(span, line_start=_new1(span.line_start, lines),
                   line_end=_new1(span.line_end, lines))


def _moved_edit(edit: TextEdit, path: str, lines: LineMap) -> TextEdit:
    if edit.file != path:
        return edit
    return replace(edit, line_start=_new1(edit.line_start, lines),
                   line_end=_new1(edit.line_end, lines))
