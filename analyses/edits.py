"""Text edits that fixes are made of, and the check that an edit leaves the file parseable.

Positions are 1-based lines and 1-based columns counted in Unicode scalar values (rustc's
convention); the language server converts them to the negotiated LSP encoding.
"""

from __future__ import annotations

from dataclasses import dataclass


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
    """One code action: a real alternative, with the edits that make it."""

    title: str
    preferred: bool
    edits: tuple[TextEdit, ...]

    def to_json(self) -> dict[str, object]:
        return {"title": self.title, "preferred": self.preferred,
                "edits": [edit.to_json() for edit in self.edits]}
