"""Writing new code into a file, for the fixes of the pinning / capture / temporary families:
a name nothing in a scope spells yet, whether a piece of text is one expression, re-indenting
a block of it, and the small text checks that go with them. Nothing here builds an edit."""

from __future__ import annotations

import re

import tree_sitter

from borrowlens.analyses.fixes.source_file import SourceFile
from borrowlens.analyses.rust import locate, syntax
from borrowlens.analyses.rust.sources import split_lines

Node = tree_sitter.Node

_KEYWORDS = frozenset((
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum",
    "extern", "false", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod",
    "move", "mut", "pub", "ref", "return", "self", "Self", "static", "struct", "super",
    "trait", "true", "type", "unsafe", "use", "where", "while", "yield", "box", "gen", "try",
))


def fresh_name(file: SourceFile, scope: Node | None, candidates: list[str]) -> str:
    """The first candidate no identifier in `scope` (the whole file without one) spells;
    numbered variants of the first candidate after that."""
    taken = {name for name, _ in locate.names_in(file.parsed, scope or file.root)}
    for name in candidates:
        if name and name not in taken and name not in _KEYWORDS:
            return name
    base = candidates[0] if candidates else "value"
    index = 2
    while f"{base}_{index}" in taken:
        index += 1
    return f"{base}_{index}"


def is_expression(text: str) -> bool:
    """True when `text` parses as one expression."""
    parsed = syntax.parse(f"fn __borrowlens() {{ let __x = ({text}); }}")
    return not parsed.has_errors()


def reindent_tail(text: str, unit: str) -> str:
    """`text` with every line after the first indented one level deeper."""
    lines = split_lines(text)
    return "\n".join([lines[0], *((unit + line) if line.strip() else line
                                  for line in lines[1:])])


def has_multiline_string(file: SourceFile, node: Node) -> bool:
    return any(n.type in ("string_literal", "raw_string_literal")
               and "\n" in file.node_text(n) for n in file.walk(node))


def snake_case(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()
