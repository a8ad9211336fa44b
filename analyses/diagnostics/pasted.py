"""Reads a diagnostic back from rustc's human-readable text, for `borrowlens explain "…"`.

Users paste what their terminal showed. This recovers the header (level, code, message), the
primary location, span labels (with the line they point under) and the `= note:` / `= help:`
children — enough for the families' matchers, which search messages, labels and notes alike.
"""

from __future__ import annotations

import re

from borrowlens.analyses.diagnostics.limits import cut_lines
from borrowlens.analyses.diagnostics.lines import split_lines
from borrowlens.analyses.diagnostics.model import (
    RENDERED_ARROW,
    Diagnostic,
    Note,
    Span,
    strip_escapes,
)

# The highest gutter number `pasted_files` places a quoted line at.
MAX_PASTED_LINE = 100_000
_HEADER = re.compile(r"^(error|warning)(?:\[(E\d{4})\])?: (.+)$")
_SOURCE_LINE = re.compile(r"^\s*(\d+)\s*\| ?(.*)$")
# A gutter line under the source: markers (^^^, ---, |) then, possibly, the label's text.
_LABEL = re.compile(r"^\s*\|[\s|^\-_]*?([^\s|^\-_].*)$")
_EQUALS_CHILD = re.compile(r"^\s*=\s*(note|help): ?(.*)$")
_CHILD_HEADER = re.compile(r"^(note|help)(?:\[[^\]]*\])?: (.*)$")


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
    level, code, message = header.groups()
    file, line_no, column = "<pasted>", 1, 1
    spans: list[Span] = []
    children: list[Note] = []
    current_line = 0
    for line in lines[1:]:
        if _HEADER.match(line):
            break
        arrow = RENDERED_ARROW.match(line)
        if arrow:
            if not spans and not children:
                file, line_no, column = arrow.group(1), int(arrow.group(2)), int(arrow.group(3))
            continue
        source = _SOURCE_LINE.match(line)
        if source:
            current_line = int(source.group(1))
            continue
        child = _EQUALS_CHILD.match(line) or _CHILD_HEADER.match(line)
        if child:
            children.append(Note(level=child.group(1), message=child.group(2)))
            continue
        label = _LABEL.match(line)
        if label:
            spans.append(Span(file=file, line_start=current_line or line_no, column_start=1,
                              line_end=current_line or line_no, column_end=1,
                              label=label.group(1)))
    primary = Span(file=file, line_start=line_no, column_start=column, line_end=line_no,
                   column_end=column, is_primary=True)
    return Diagnostic(level=level, message=message, code=code, spans=(primary, *spans),
                      children=tuple(children), rendered=text, source="pasted")


def pasted_files(text: str) -> dict[str, str]:
    """The source lines quoted in a pasted diagnostic, placed at their line numbers: path →
    text, for a `MappingSources`.

    Lines the snippet skipped are left empty, so positions stay right and tree-sitter can
    still find the names around the spans; a line numbered past `MAX_PASTED_LINE` is left out
    (a typo'd gutter number must not make a file of a billion empty lines).
    """
    files: dict[str, dict[int, str]] = {}
    current = "<pasted>"
    for raw in split_lines(cut_lines(text)):
        line = strip_escapes(raw.rstrip())
        arrow = RENDERED_ARROW.match(line)
        if arrow:
            current = arrow.group(1)
            continue
        source = _SOURCE_LINE.match(line)
        if source and 0 < int(source.group(1)) <= MAX_PASTED_LINE:
            files.setdefault(current, {})[int(source.group(1))] = source.group(2)
    return {name: "\n".join(lines.get(n, "") for n in range(1, max(lines) + 1)) + "\n"
            for name, lines in files.items()}
