"""Reads the annotated source snippets of rustc's rendered text back into spans.

rustc's human emitter draws each span under the line it quotes: `^^^` for a primary span,
`---` for a secondary one, the label after the rightmost marker of a line or below its
marker's first column, joined to it by `|` rows. A span over several lines opens with `_`
running to a `^`/`-` under its first column (or a `/` in the margin when it starts the line)
and closes with `|__^` under its last. Those spans are drawn in a margin between the gutter
(`12 |`) and the code, one column per nesting depth plus a space, so the code's columns are
counted from after the margin. This module undoes that drawing for one snippet (the rows
between a `-->`/`:::` location and the next section), so that pasted text carries the
columns, extents and labels the JSON carries.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from borrowlens.analyses.diagnostics.model import Span

# `12 | code`: the gutter number, then the pipe whose position anchors every column.
SOURCE_ROW = re.compile(r"^\s*(\d+)\s*\|(?: (.*))?$")
# `   | markers and labels`: a row under a source line.
MARKER_ROW = re.compile(r"^\s*\|(.*)$")
# The drawing that precedes a row's labels: markers, connectors, multi-line rails.
_DRAWING = re.compile(r"[ |_^\-/\\]*")
_MARKS = re.compile(r"\^+|-+")
_BLOCK = re.compile(r"[\^\-]+")
_ENDING = re.compile(r"\|(_+)([\^\-]?)")
# The rail that opens a multi-line span ends at the marker under its first column; marks of
# other spans on that line may be drawn over the rail before it.
_OPENING = re.compile(r"_[_\^\-]*[\^\-]")
# `___|` or `___label`: a rail led from the margin to the mark that starts a multi-line span
# (crossing other marks' connectors on the way).
_JOINED = re.compile(r"(?<= )_[_|]*")


def _width(char: str) -> int:
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def _column(code: str, display: int) -> int:
    """The 1-based character column of `code` drawn at display offset `display` (rustc
    counts a wide character as two columns when it draws markers under it)."""
    seen = 0
    for index, char in enumerate(code):
        if seen >= display:
            return index + 1
        seen += _width(char)
    return len(code) + 1 + max(0, display - seen)


@dataclass
class _Mark:
    line: int
    start: int  # display offset of the first marker, from the code's first column
    column_start: int
    column_end: int
    primary: bool
    labels: list[str] = field(default_factory=list)
    line_start: int = 0
    column_first: int = 0


@dataclass
class Snippet:
    """The rows of one quoted file under a location line, read into spans."""

    file: str
    rows: list[str] = field(default_factory=list)

    def _margin(self) -> int:
        """Columns between a row's gutter pipe and its code: a space, then, when the snippet
        draws multi-line spans, one rail column per nesting depth and a space. Counted from
        each row's own pipe, so a paste whose rows lost their alignment still reads."""
        depth = max((_depth_of(row) for row in self.rows if MARKER_ROW.match(row)), default=0)
        return 2 + (depth + 1 if depth else 0)

    def code(self) -> dict[int, str]:
        """The quoted source lines by number, without the gutter and the margin."""
        margin = self._margin()
        return {int(found.group(1)): row[row.index("|") + margin:] for row in self.rows
                if (found := SOURCE_ROW.match(row))}

    def spans(self) -> list[Span]:
        margin = self._margin()
        marks: list[_Mark] = []
        opened: dict[int, tuple[int, int]] = {}  # depth -> (line, column)
        current: list[_Mark] = []
        line, code = 0, ""
        for row in self.rows:
            pipe = row.index("|")
            code_at = pipe + margin
            if SOURCE_ROW.match(row):
                line, code, current = int(row[:pipe]), row[code_at:], []
                rail = row[pipe + 2:code_at]
                if "/" in rail:
                    indent = len(code) - len(code.lstrip())
                    opened[rail.index("/") + 1] = (line, indent + 1)
                continue
            if not line:
                continue
            if not row[pipe + 1:].strip(" |"):
                if not row[pipe + 1:].strip():
                    current = []  # a blank row ends the labels of the line above it
                continue
            if not current:
                current = self._first_row(row, pipe, code_at, line, code, opened)
                marks.extend(current)
            else:
                self._label_row(row, pipe, code_at, code, current, opened, marks)
        quoted = self.code()
        return [span for mark in marks for span in _spans(self.file, mark, quoted)]

    def _first_row(self, row: str, pipe: int, code_at: int, line: int, code: str,
                   opened: dict[int, tuple[int, int]]) -> list[_Mark]:
        """The marks of the row right under a source line, with the inline label."""
        drawing = _DRAWING.match(row, pipe + 1)
        end = drawing.end() if drawing else len(row)
        found: list[_Mark] = []
        taken: set[int] = set()
        for opening in _OPENING.finditer(row, pipe + 2, end):
            at = opening.end() - 1
            if row[opening.start() - 1] == "|":
                continue  # a closing rail, read below
            opened[opening.start() - (pipe + 2)] = (line, _column(code, at - code_at))
            taken.add(at)
        for ending in _ENDING.finditer(row, pipe + 2, end):
            depth = ending.start() - (pipe + 2) + 1
            first_line, first_column = opened.pop(depth, (line, 1))
            at = ending.end() - 1 if ending.group(2) else ending.end()
            last = _column(code, at - code_at)
            taken.add(at)
            found.append(_Mark(line=line, start=at - code_at, column_start=last,
                               column_end=last + 1, primary=ending.group(2) != "-",
                               line_start=first_line, column_first=first_column))
        for block in _BLOCK.finditer(row, code_at, end):
            if len(set(block.group())) < 2 or block.start() in taken:
                continue
            # `---^^^-`, `---^^^`: rustc draws a smaller span over the larger one that holds
            # it, so the larger shows at the block's end (at both ends, when it is there).
            outer = block.group()[-1]
            found.append(_Mark(line=line, start=block.start() - code_at,
                               column_start=_column(code, block.start() - code_at),
                               column_end=_column(code, block.end() - code_at),
                               primary=outer == "^"))
            taken.update(i for i in range(block.start(), block.end()) if row[i] == outer)
        for run in _MARKS.finditer(row, code_at, end):
            if run.start() in taken:
                continue
            first = _column(code, run.start() - code_at)
            found.append(_Mark(line=line, start=run.start() - code_at, column_start=first,
                               column_end=_column(code, run.end() - code_at),
                               primary=run.group().startswith("^")))
        label = row[end:].strip()
        if label and found:
            max(found, key=lambda mark: mark.start).labels.append(label)
        return found

    @staticmethod
    def _label_row(row: str, pipe: int, code_at: int, code: str, current: list[_Mark],
                   opened: dict[int, tuple[int, int]], marks: list[_Mark]) -> None:
        """A row below the first: connectors, a rail that opens or closes a multi-line span
        at a mark of the first row, and a label under its mark's first column."""
        drawing = _DRAWING.match(row, pipe + 1)
        end = drawing.end() if drawing else len(row)
        for joined in _JOINED.finditer(row, pipe + 2, end):
            reach = joined.end() - 1 if row[joined.end() - 1] == "|" else joined.end()
            starts = [m for m in current if m.start == reach - code_at and m in marks]
            if starts:
                # The span's first column is drawn as a one-column mark of its own.
                mark = min(starts, key=lambda m: m.column_end - m.column_start)
                marks.remove(mark)
                opened[joined.start() - (pipe + 2)] = (mark.line, mark.column_start)
        label = row[end:].strip()
        if not label:
            return
        at = end - code_at
        closing = _ENDING.search(row, pipe + 2, code_at)
        if closing and not closing.group(2):
            # `|___label`: the span closes at the mark above the label's first column.
            depth = closing.start() - (pipe + 2) + 1
            target = next((m for m in current if m.start == at), None)
            if target is not None and not target.line_start and depth in opened:
                target.line_start, target.column_first = opened.pop(depth)
                target.column_start = target.column_end - 1
            if target is not None:
                target.labels.append(label)
                return
        owners = [mark for mark in current if mark.start <= at and mark in marks] or current
        # Of two marks starting at one column, the larger's label is drawn first.
        owner = max(owners, key=lambda mark: (mark.start, not mark.line_start,
                                              -len(mark.labels)))
        if owner.start < at and not owner.line_start \
                and owner.column_start < _column(code, at) < owner.column_end:
            # A label under the middle of a run of markers says a second span begins there.
            # Where the first ends cannot be told: nested inside it (a captured value within
            # the coerced closure) or side by side. It is read as nested, keeping the first
            # span whole: a span cut short loses the code the families look for (the
            # closure in `Box::new(|x| …)`), while a span too long only covers more.
            split = _column(code, at)
            second = _Mark(line=owner.line, start=at, column_start=split,
                           column_end=owner.column_end, primary=owner.primary)
            marks.insert(marks.index(owner) + 1, second)
            current.append(second)
            owner = second
        owner.labels.append(label)


def _depth_of(row: str) -> int:
    """The deepest rail a row closes a multi-line span on (`|__^` at depth 1 sits right
    after the gutter's space), 0 for none."""
    pipe = row.index("|")
    drawing = _DRAWING.match(row, pipe + 1)
    end = drawing.end() if drawing else pipe + 1
    # Only rails: a `|_` after underscores is a connector a rail crosses, not a rail.
    return max((found.start() - (pipe + 2) + 1
                for found in _ENDING.finditer(row, pipe + 2, end)
                if not row[pipe + 2:found.start()].strip(" |")), default=0)


def _spans(file: str, mark: _Mark, quoted: dict[int, str]) -> list[Span]:
    """One span per label (rustc draws two labels of one span under one marker), with the
    lines of it the snippet quotes, as the JSON's `text`."""
    first_line = mark.line_start or mark.line
    first_column = mark.column_first if mark.line_start else mark.column_start
    text = tuple(quoted[n] for n in range(first_line, mark.line + 1) if n in quoted)
    return [Span(file=file, line_start=first_line, column_start=first_column,
                 line_end=mark.line, column_end=mark.column_end, label=label,
                 is_primary=mark.primary, text=text)
            for label in ([*mark.labels] if mark.labels else [None])]
