"""Statement-level edits: a new statement before another, and a run of statements moved into
a nested block `{ … }`, both in the file's own indentation and line endings; and whether
statements sit on lines of their own, which such edits need."""

from __future__ import annotations

import tree_sitter

from borrowlens.analyses.fixes.edits import TextEdit
from borrowlens.analyses.fixes.source_file import SourceFile
from borrowlens.analyses.rust.sources import split_lines

Node = tree_sitter.Node


def alone_on_lines(file: SourceFile, first: Node, last: Node | None = None, *,
                   comment_after: bool = False) -> bool:
    """True when nothing but whitespace precedes `first` on its line and nothing but
    whitespace (or, with `comment_after`, a line comment) follows `last` (`first` without
    one) on its line."""
    data = file.parsed.data
    end_node = last or first
    before = data[file.line_start_byte(first.start_byte):first.start_byte]
    end = data.find(b"\n", end_node.end_byte)
    after = data[end_node.end_byte:len(data) if end < 0 else end].strip()
    return not before.strip() and (not after or (comment_after and after.startswith(b"//")))


def insert_statement(file: SourceFile, statement: Node, text: str) -> TextEdit:
    """A new statement `text` on its own line just before `statement`, at its indentation."""
    return file.insert_before(statement, f"{text}\n{file.indent_of(statement)}")


def wrap_in_block(file: SourceFile, first: Node, last: Node, *, prefix: str = "",
                  suffix: str = "", replace: tuple[Node, str] | None = None,
                  tail: str | None = None) -> TextEdit:
    """Replaces the lines from `first` to `last` (statements of one block) with a nested
    block `{ … }` holding them, indented one level deeper in the file's own style.

    `prefix` goes before the opening brace (`let x = `), `suffix` after the closing one (`;`).
    `replace` = (node, text) swaps one node inside the range for `text` first (`let n =
    g.len();` → `g.len()` as the block's value); `tail` adds a last line (an expression
    giving the block's value).
    """
    data = file.parsed.data
    start = file.line_start_byte(first.start_byte)
    end_of_line = data.find(b"\n", last.end_byte)
    end = len(data) if end_of_line < 0 else end_of_line
    # Stop before a CRLF's "\r": it stays with the line ending left in place, and an edit
    # may not end inside a line ending.
    if end > start and data[end - 1:end] == b"\r":
        end -= 1
    raw = data[start:end]
    if replace is not None:
        node, text = replace
        raw = (raw[:node.start_byte - start] + text.encode("utf-8")
               + raw[node.end_byte - start:])
    body = raw.decode("utf-8")
    indent = file.indent_of(first)
    unit = file.indent_unit()
    # New text uses "\n"; `edits.apply` turns it into the file's own line ending.
    lines = split_lines(body)
    if tail is not None:
        lines.append(indent + tail)
    shifted = "\n".join(unit + line if line.strip() else "" for line in lines)
    return file.edit_bytes(start, end, f"{indent}{prefix}{{\n{shifted}\n{indent}}}{suffix}")
