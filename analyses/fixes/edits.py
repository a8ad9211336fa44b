"""Text edits that fixes are made of, and the check that an edit leaves the file parseable.

Positions are 1-based lines and 1-based columns counted in Unicode scalar values (rustc's
convention); the language server converts them to the negotiated LSP encoding.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from borrowlens.analyses.rust import locate
from borrowlens.analyses.rust.sources import split_lines
from borrowlens.analyses.rust.syntax import parse


@dataclass(frozen=True)
class TextEdit:
    """Replace the text between two positions of one file by `new_text`."""

    file: str
    line_start: int
    column_start: int
    line_end: int
    column_end: int
    new_text: str

    def to_json(self) -> dict[str, object]:
        return {
            "file": self.file,
            "range": {
                "start": {"line": self.line_start, "column": self.column_start},
                "end": {"line": self.line_end, "column": self.column_end},
            },
            "new_text": self.new_text,
        }


@dataclass(frozen=True)
class Fix:
    """One code action: a real alternative, with the edits that make it.

    `id` names the kind of fix within its family (`rc-to-arc`, `box-pin`): stable across
    runs, used by tests' expectations and by the language server to resolve an action.
    """

    title: str
    preferred: bool
    edits: tuple[TextEdit, ...]
    id: str = ""

    def files(self) -> list[str]:
        return sorted({edit.file for edit in self.edits})

    def to_json(self) -> dict[str, object]:
        return {"id": self.id, "title": self.title, "preferred": self.preferred,
                "edits": [edit.to_json() for edit in self.edits]}


class EditError(ValueError):
    """An edit that cannot be applied (overlapping, out of range) or would break the file."""


def _offset(lines: list[str], line: int, column: int) -> int:
    """Character offset of a 1-based line / 1-based scalar column in the joined text."""
    if line < 1 or line > len(lines) + 1:
        raise EditError(f"line {line} is outside the file")
    if line == len(lines) + 1:
        if column != 1:
            raise EditError(f"column {column} is past the end of the file")
        return sum(len(x) for x in lines)
    body = lines[line - 1].rstrip("\r\n")
    if column < 1 or column > len(body) + 1:
        raise EditError(f"column {column} is outside line {line}")
    return sum(len(x) for x in lines[: line - 1]) + column - 1


def apply(text: str, edits: list[TextEdit] | tuple[TextEdit, ...]) -> str:
    """Applies edits to one file's text. Ranges refer to the original text and must not
    overlap; line endings already in the file are kept (new text uses the file's own)."""
    lines = split_lines(text, keepends=True)
    newline = "\r\n" if "\r\n" in text else "\n"
    spans = []
    for edit in edits:
        start = _offset(lines, edit.line_start, edit.column_start)
        end = _offset(lines, edit.line_end, edit.column_end)
        if end < start:
            raise EditError("an edit ends before it starts")
        spans.append((start, end, edit.new_text.replace("\r\n", "\n").replace("\n", newline)))
    spans.sort(key=lambda s: (s[0], s[1]))
    for (_, end_a, _), (start_b, _, _) in itertools.pairwise(spans):
        if start_b < end_a:
            raise EditError("edits overlap")
    out = text
    for start, end, new in reversed(spans):
        out = out[:start] + new + out[end:]
    return out


def error_count(text: str) -> int:
    """ERROR and MISSING nodes tree-sitter finds: a proxy for 'does this still parse'."""
    return sum(1 for node in locate.walk(parse(text).root, into=lambda n: n.has_error)
               if node.type == "ERROR" or node.is_missing)


def validated(text: str, edits: list[TextEdit] | tuple[TextEdit, ...]) -> str:
    """The edited text, or EditError when the edits introduce a syntax error.

    A file that already had syntax errors may keep them, but may not gain new ones.
    """
    result = apply(text, edits)
    if error_count(result) > error_count(text):
        raise EditError("the edit would leave the file with a syntax error")
    return result


def fix_applies_cleanly(fix: Fix, texts: dict[str, str]) -> bool:
    """True when every file the fix touches is known and stays parseable after it."""
    by_file: dict[str, list[TextEdit]] = {}
    for edit in fix.edits:
        by_file.setdefault(edit.file, []).append(edit)
    try:
        for file, edits in by_file.items():
            if file not in texts:
                return False
            validated(texts[file], edits)
    except EditError:
        return False
    return True
