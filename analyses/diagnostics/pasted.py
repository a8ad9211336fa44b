"""Reads a diagnostic back from rustc's human-readable text, for `borrowlens explain "…"`.

Users paste what their terminal showed. This recovers the header (level, code, message), the
primary location, span labels (with the line they point under) and the `= note:` / `= help:`
children — enough for the families' matchers, which search messages, labels and notes alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from borrowlens.analyses.diagnostics.limits import cut_lines
from borrowlens.analyses.diagnostics.lines import split_lines
from borrowlens.analyses.diagnostics.model import (
    RENDERED_ARROW,
    Diagnostic,
    Note,
    Span,
    strip_escapes,
)
from borrowlens.analyses.diagnostics.snippet import MARKER_ROW, SOURCE_ROW, Snippet

# The highest gutter number `pasted_files` places a quoted line at.
MAX_PASTED_LINE = 100_000
_HEADER = re.compile(r"^(error|warning)(?:\[(E\d{4})\])?: (.+)$")
_EQUALS_CHILD = re.compile(r"^\s*=\s*(note|help): ?(.*)$")
_CHILD_HEADER = re.compile(r"^(note|help)(?:\[[^\]]*\])?: (.*)$")
# `  ::: path:line:col`: a further file quoted in the same section.
_OTHER_FILE = re.compile(r"^[ \t]*:::[ \t]*(?P<file>[^\n]+?):(?P<line>\d+):(?P<column>\d+)[ \t]*$")
# `12 - old` / `12 + new` / `12 ~ new`: a suggestion's diff, not the user's source.
_DIFF_ROW = re.compile(r"^\s*\d+\s*[-+~] ")
_ELIDED = re.compile(r"^\.\.\.")


@dataclass
class _Section:
    """The diagnostic itself or one child drawn as a section (`note: …` and its snippet)."""

    level: str
    message: str
    snippets: list[Snippet] = field(default_factory=list)
    location: tuple[str, int, int] | None = None
    # A `help:` with no location of its own shows a suggestion: its rows are rustc's
    # proposed code, not the user's.
    suggestion: bool = False

    def spans(self) -> tuple[Span, ...]:
        spans = [span for snippet in self.snippets for span in snippet.spans()]
        if self.location and not any(span.is_primary for span in spans):
            file, line, column = self.location
            spans.insert(0, Span(file=file, line_start=line, column_start=column,
                                 line_end=line, column_end=column, is_primary=True))
        return tuple(spans)


def _sections(lines: list[str]) -> list[_Section | Note]:
    """The header's section, then each child in order: a `Note` for an `= note:` line, a
    `_Section` for a child rustc drew with its own location and snippet."""
    header = _HEADER.match(lines[0])
    assert header is not None
    out: list[_Section | Note] = [_Section(header.group(1), header.group(3))]
    section = out[0]
    assert isinstance(section, _Section)
    last: _Section | Note = section
    indent = header.start(3)  # where the last message's text starts: its further lines align
    for line in lines[1:]:
        if _HEADER.match(line):
            break
        child = _CHILD_HEADER.match(line)
        if child:
            section = _Section(child.group(1), child.group(2), suggestion=child.group(1) == "help")
            out.append(section)
            last, indent = section, child.start(2)
            continue
        arrow = RENDERED_ARROW.match(line) or _OTHER_FILE.match(line)
        if arrow:
            file = arrow.group("file")
            if section.location is None:
                section.location = (file, int(arrow.group("line")), int(arrow.group("column")))
            section.suggestion = False
            section.snippets.append(Snippet(file))
            continue
        equals = _EQUALS_CHILD.match(line)
        if equals:
            last, indent = Note(level=equals.group(1), message=equals.group(2)), equals.start(2)
            out.append(last)
            continue
        if section.suggestion or _DIFF_ROW.match(line) or _ELIDED.match(line):
            continue
        if SOURCE_ROW.match(line) or MARKER_ROW.match(line):
            if not section.snippets:
                section.snippets.append(Snippet("<pasted>"))
            section.snippets[-1].rows.append(line)
            continue
        if line.strip() and last is out[-1]:
            # A message's further lines are indented under its first; past that, the
            # indentation is the message's own.
            more = line[indent:] if not line[:indent].strip() else line.strip()
            if isinstance(last, Note):
                last = out[-1] = Note(last.level, f"{last.message}\n{more}")
            else:
                last.message += "\n" + more
    return out


def from_rendered(text: str) -> Diagnostic | None:
    """The first error or warning in `text`, or a code-only/message-only diagnostic.

    Accepts a bare code ("E0597"), a bare message ("future cannot be sent between threads
    safely") or a whole rendered block. Only the first `MAX_RENDERED` characters are read.
    """
    text = cut_lines(text)
    stripped = strip_escapes(text).strip()
    lines = [line.rstrip() for line in split_lines(stripped)]
    if not stripped:
        return None
    header = _HEADER.match(lines[0])
    if header is None:
        bare_code = re.fullmatch(r"\s*(E\d{4})\s*", text)
        message = "" if bare_code else lines[0].strip()
        return Diagnostic(level="error", message=message,
                          code=bare_code.group(1) if bare_code else None, spans=(),
                          children=tuple(Note("note", line.strip()) for line in lines[1:]
                                         if line.strip()))
    sections = _sections(lines)
    main = sections[0]
    assert isinstance(main, _Section)
    children = tuple(part if isinstance(part, Note)
                     else Note(level=part.level, message=part.message, spans=part.spans())
                     for part in sections[1:])
    spans = main.spans() or (Span(file="<pasted>", line_start=1, column_start=1, line_end=1,
                                  column_end=1, is_primary=True),)
    return Diagnostic(level=main.level, message=main.message, code=header.group(2),
                      spans=spans, children=children, rendered=text, source="pasted")


def pasted_files(text: str) -> dict[str, str]:
    """The source lines quoted in a pasted diagnostic, placed at their line numbers: path →
    text, for a `MappingSources`.

    Lines the snippet skipped are left empty, so positions stay right and tree-sitter can
    still find the names around the spans; a line numbered past `MAX_PASTED_LINE` is left out
    (a typo'd gutter number must not make a file of a billion empty lines). The code a
    suggestion proposes is not the user's and is left out too.
    """
    lines = [line.rstrip() for line in split_lines(strip_escapes(cut_lines(text)).strip())]
    if not lines or not _HEADER.match(lines[0]):
        lines = ["error: (pasted)", *lines]
    files: dict[str, dict[int, str]] = {}
    for part in _sections(lines):
        for snippet in part.snippets if isinstance(part, _Section) else ():
            for number, code in snippet.code().items():
                if 0 < number <= MAX_PASTED_LINE:
                    files.setdefault(snippet.file, {})[number] = code
    return {name: "\n".join(lines.get(n, "") for n in range(1, max(lines) + 1)) + "\n"
            for name, lines in files.items()}
