"""Finding one's way in a parsed Rust file: the node at a diagnostic's span, the fn (or the
statement) around a node and its name, walks over a subtree, and the names written in it.

Families read facts with these and fixes find what to edit with them, so each question has
one answer here. Positions follow the model's convention (1-based lines, 1-based columns in
Unicode scalar values); lines are counted the way rustc counts them, at `\\n`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import tree_sitter

from borrowlens.analyses.diagnostics.model import Span
from borrowlens.analyses.rust import syntax
from borrowlens.analyses.rust.sources import Sources, line_of

Node = tree_sitter.Node

# A fn with a body, and with `signatures` also a trait's bodiless `fn f(…);`.
_FUNCTIONS = ("function_item",)
_WITH_SIGNATURES = ("function_item", "function_signature_item")
_QUOTED_FN = re.compile(r"\bfn\s+([A-Za-z_][A-Za-z0-9_]*)")
# `{name}` / `{name:?}` in a format string (not `{{`).
_FORMAT_CAPTURE = re.compile(r"(?<!\{)\{([A-Za-z_][A-Za-z0-9_]*)(?=[}:])")


@dataclass(frozen=True)
class Located:
    """A parsed source file with the node found in it."""

    parsed: syntax.Parsed
    node: Node

    def text(self, node: Node) -> str:
        return self.parsed.node_text(node)


# --- the node at a position -------------------------------------------------------------------


def node_at(parsed: syntax.Parsed, line: int, column: int) -> Node | None:
    """The smallest named node at a 1-based line and column; None when the file has no such
    line (a diagnostic about another version of the file)."""
    if not 0 < line <= parsed.line_count:
        return None
    return parsed.node_at(line, column)


def at(span: Span | None, sources: Sources, *, past_indent: bool = False) -> Located | None:
    """The smallest named node at the start of the span, with its parsed file; None without
    the file's text.

    With `past_indent`, a column inside the line's leading indentation moves to its first
    character: pasted terminal text only knows the line of a secondary label and reports
    column 1, which would otherwise land on the block around the statement.
    """
    if span is None:
        return None
    text = sources.text(span.file)
    if text is None:
        return None
    parsed = syntax.parse(text)
    column = span.column_start
    if past_indent:
        line = parsed.line_text(span.line_start)
        if line is not None:
            column = max(column, len(line) - len(line.lstrip()) + 1)
    node = node_at(parsed, span.line_start, column)
    return Located(parsed, node) if node is not None else None


def covering(parsed: syntax.Parsed, span: Span) -> Node | None:
    """The smallest named node covering the whole span (for an empty span, the node at it)."""
    start = parsed.byte_offset(span.line_start, span.column_start)
    end = parsed.byte_offset(span.line_end, span.column_end)
    return parsed.root.named_descendant_for_byte_range(start, end - 1 if end > start else start)


@dataclass(frozen=True)
class Covered:
    """The code a span covers: its parsed file, its byte range, the smallest node over it."""

    located: Located
    start: int
    end: int
    node: Node


def covered(span: Span | None, sources: Sources) -> Covered | None:
    """What the span covers, or None without the file's text."""
    located = at(span, sources)
    if located is None or span is None:
        return None
    node = covering(located.parsed, span)
    if node is None:
        return None
    return Covered(located, located.parsed.byte_offset(span.line_start, span.column_start),
                   located.parsed.byte_offset(span.line_end, span.column_end), node)


# --- what is around a node --------------------------------------------------------------------


def enclosing_function(node: Node | None, *, signatures: bool = False,
                       stop_at: tuple[str, ...] = ()) -> Node | None:
    """The fn item around `node` (the node itself when it is one). With `signatures` a trait's
    bodiless `fn f(…);` counts too. None when a node of one of the `stop_at` kinds (an async
    block, a closure) comes first: the code then does not run as part of the fn."""
    if node is None:
        return None
    kinds = _WITH_SIGNATURES if signatures else _FUNCTIONS
    found = syntax.enclosing(node, *kinds, *stop_at)
    return found if found is not None and found.type in kinds else None


def name_of(parsed: syntax.Parsed, item: Node | None) -> str | None:
    """The name an item (fn, struct, trait …) declares."""
    name = item.child_by_field_name("name") if item is not None else None
    return parsed.node_text(name) if name is not None else None


def function_at(span: Span | None, sources: Sources, *,
                signatures: bool = False) -> Located | None:
    """The fn item around the span's start, with its parsed file."""
    found = at(span, sources, past_indent=True)
    function = enclosing_function(found.node if found else None, signatures=signatures)
    return Located(found.parsed, function) if found and function else None


def function_name_at(span: Span | None, sources: Sources, *,
                     signatures: bool = False) -> str | None:
    """The name of the fn around the span: from the source when it is known, else from the
    `fn name` of the line rustc quotes."""
    if span is None:
        return None
    text = sources.text(span.file)
    if text is None:
        quoted = _QUOTED_FN.search(span.text[0]) if span.text else None
        return quoted.group(1) if quoted else None
    found = function_at(span, sources, signatures=signatures)
    if found is not None:
        return name_of(found.parsed, found.node)
    # A file that does not parse around the span (pasted text, which holds only the lines
    # rustc quoted, rarely closes the fn's braces): the `fn name` of the span's own line.
    located = at(span, sources, past_indent=True)
    if located is None or not any(node.type == "ERROR" for node in
                                  (located.node, *syntax.ancestors(located.node))):
        return None
    quoted = _QUOTED_FN.search(line_of(text, span.line_start) or "")
    return quoted.group(1) if quoted else None


def statement_of(node: Node) -> Node | None:
    """The statement of the nearest enclosing block that contains `node` (the node itself
    when it already is one)."""
    current: Node | None = node
    while current is not None and current.parent is not None:
        if current.parent.type == "block" and current.type not in ("{", "}"):
            return current
        current = current.parent
    return None


# --- what is under a node ---------------------------------------------------------------------


def walk(node: Node, *, named: bool = False,
         into: Callable[[Node], bool] | None = None) -> Iterator[Node]:
    """`node` and everything under it, in source order (a node before its children). `named`
    skips punctuation and keywords; `into` says which nodes to look inside (all by
    default)."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        if into is None or into(current):
            stack.extend(reversed(current.named_children if named else current.children))


def identifiers(parsed: syntax.Parsed, name: str, within: Node | None = None,
                kinds: tuple[str, ...] = ("identifier", "type_identifier")) -> list[Node]:
    """Every identifier (of `kinds`) spelled `name` under `within` (the whole file)."""
    return [n for n in walk(within or parsed.root)
            if n.type in kinds and parsed.node_text(n) == name]


def names_in(parsed: syntax.Parsed, node: Node) -> list[tuple[str, Node]]:
    """Every identifier under `node`, with the variables named inside format strings of
    macros (`println!("{name}")`), each with the node it was found in."""
    found: list[tuple[str, Node]] = []
    for child in walk(node):
        if child.type == "identifier":
            found.append((parsed.node_text(child), child))
        elif child.type == "string_literal" and any(
                a.type == "token_tree" for a in syntax.ancestors(child)):
            for match in _FORMAT_CAPTURE.finditer(parsed.node_text(child)):
                found.append((match.group(1), child))
    return found
