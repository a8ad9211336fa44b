"""One source file as fixes see it, and the `Fix` built from its edits.

Every family's `fixes()` builds its `TextEdit`s through `SourceFile`, so byte offsets from
tree-sitter become the 1-based scalar columns edits are expressed in (a `é` or an emoji
before the edit must not shift it), and the file's own indentation and line endings are
respected. Nothing here decides *whether* a fix is right; the gate re-parses every result.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import tree_sitter

from borrowlens.analyses.diagnostics.model import Span
from borrowlens.analyses.fixes.edits import Fix, TextEdit, apply
from borrowlens.analyses.rust import locate
from borrowlens.analyses.rust.sources import Sources, is_lossy, split_lines
from borrowlens.analyses.rust.syntax import Parsed, enclosing, parse

Node = tree_sitter.Node


@dataclass(frozen=True)
class SourceFile:
    """One file's text and syntax tree, under the path diagnostics use for it."""

    path: str
    parsed: Parsed

    @classmethod
    def load(cls, sources: Sources, path: str) -> SourceFile | None:
        """The file, or None when it is unknown or was not valid UTF-8 (the text then holds
        replacement characters, and writing it back would corrupt it)."""
        text = sources.text(path)
        if text is None or is_lossy(sources, path):
            return None
        return cls(path, parse(text))

    @property
    def text(self) -> str:
        return self.parsed.text

    @property
    def root(self) -> Node:
        return self.parsed.root

    def node_text(self, node: Node) -> str:
        return self.parsed.node_text(node)

    # --- positions ----------------------------------------------------------------------

    def byte_at(self, line: int, column: int) -> int:
        return self.parsed.byte_offset(line, column)

    def node_for_span(self, span: Span, *kinds: str) -> Node | None:
        """The smallest named node covering the whole span; with `kinds`, the nearest
        enclosing node of one of those kinds."""
        node = locate.covering(self.parsed, span)
        if node is None:
            return None
        return enclosing(node, *kinds) if kinds else node

    def line_text(self, line: int) -> str:
        return self.parsed.line_text(line) or ""

    def indent_of(self, node_or_line: Node | int) -> str:
        """The leading whitespace of the line a node starts on (or of a line number)."""
        line = (node_or_line if isinstance(node_or_line, int)
                else self.parsed.start(node_or_line)[0])
        text = self.line_text(line)
        return text[: len(text) - len(text.lstrip(" \t"))]

    def indent_unit(self) -> str:
        """One level of indentation as the file writes it: a tab, or a number of spaces."""
        widths = []
        for line in split_lines(self.text):
            stripped = line.lstrip(" \t")
            if not stripped or line == stripped:
                continue
            if line.startswith("\t"):
                return "\t"
            widths.append(len(line) - len(stripped))
        return " " * min([w for w in widths if w > 1] or [4])

    # --- edits --------------------------------------------------------------------------

    def edit_bytes(self, start: int, end: int, new_text: str) -> TextEdit:
        line_start, column_start = self.parsed.position(start)
        line_end, column_end = self.parsed.position(end)
        return TextEdit(self.path, line_start, column_start, line_end, column_end, new_text)

    def replace(self, node: Node, new_text: str) -> TextEdit:
        return self.edit_bytes(node.start_byte, node.end_byte, new_text)

    def insert_before(self, node: Node, new_text: str) -> TextEdit:
        return self.edit_bytes(node.start_byte, node.start_byte, new_text)

    def insert_after(self, node: Node, new_text: str) -> TextEdit:
        return self.edit_bytes(node.end_byte, node.end_byte, new_text)

    def delete_lines(self, node: Node) -> TextEdit:
        """Removes the whole lines a node occupies (it must be alone on them)."""
        start = self.line_start_byte(node.start_byte)
        end = self.parsed.data.find(b"\n", node.end_byte)
        return self.edit_bytes(start, len(self.parsed.data) if end < 0 else end + 1, "")

    def line_start_byte(self, byte: int) -> int:
        return self.parsed.data.rfind(b"\n", 0, byte) + 1

    def apply(self, edits: Iterable[TextEdit]) -> str:
        """The text with this file's edits applied (edits for other files are ignored)."""
        return apply(self.text, [e for e in edits if e.file == self.path])

    # --- walking ------------------------------------------------------------------------

    def walk(self, node: Node | None = None) -> Iterator[Node]:
        """`node` (the whole file) and everything under it, in source order."""
        return locate.walk(node or self.root)

    def identifiers(self, name: str, *, within: Node | None = None,
                    kinds: tuple[str, ...] = ("identifier", "type_identifier")) -> list[Node]:
        """Every identifier or type identifier spelled `name` under `within`."""
        return locate.identifiers(self.parsed, name, within, kinds)


def make_fix(fix_id: str, title: str, edits: Iterable[TextEdit | None], *,
             preferred: bool = False) -> Fix | None:
    """A Fix from the edits that are not None, or None when there are none."""
    kept = tuple(e for e in edits if e is not None)
    return Fix(title=title, preferred=preferred, edits=kept, id=fix_id) if kept else None


def one_fix(fix_id: str, title: str, edits: Iterable[TextEdit | None] | None, *,
            preferred: bool) -> list[Fix]:
    """`[the Fix]` of `make_fix`, or `[]` when there are no edits: what `fixes()` returns for
    a family that offers at most one fix of this kind."""
    fix = make_fix(fix_id, title, edits or [], preferred=preferred)
    return [fix] if fix is not None else []
