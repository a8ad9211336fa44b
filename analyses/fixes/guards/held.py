"""The guard a diagnostic describes, and where it is in the file: the node the culprit's span
covers and the `.await` it is held across."""

from __future__ import annotations

from dataclasses import dataclass

import tree_sitter

from borrowlens.analyses.diagnostics.model import Span
from borrowlens.analyses.fixes.source_file import SourceFile
from borrowlens.analyses.rust import syntax
from borrowlens.analyses.rust.sources import Sources

Node = tree_sitter.Node


@dataclass(frozen=True)
class HeldGuard:
    """A lock or `RefCell` guard alive across an `.await`, as the diagnostic tells it."""

    decl_line: int | None  # the line the guard is created on
    await_line: int | None  # the line of the `.await` it is held across
    spans: tuple[Span, ...]  # the places the diagnostic points at, in its order
    variable: str | None = None  # the guard's binding (`g` of `let g = m.lock()…`)
    temporary: bool = False  # a guard no binding holds
    expression: str | None = None  # the temporary's text (`m.lock().unwrap()`)
    scrutinee: str | None = None  # "match", "if let" or "while let" when it heads one
    guard_type: str | None = None  # rustc's type of the guard (`MutexGuard<'_, T>`)
    captured: bool = False  # captured by an async block rather than held across an await


def find(held: HeldGuard, sources: Sources) -> tuple[SourceFile, Node, Node] | None:
    """(file, the node of the guard's span, the `.await` expression): the spans on their
    lines in the culprit's file (the last one on the await's line, since the culprit's label
    comes first)."""
    path = next((s.file for s in held.spans if s.line_start == held.decl_line), None)
    file = SourceFile.load(sources, path) if path is not None else None
    if file is None:
        return None
    guard = _node_on_line(file, held.spans, held.decl_line)
    awaited = _node_on_line(file, held.spans[::-1], held.await_line)
    await_node = syntax.enclosing(awaited, "await_expression") if awaited is not None else None
    if guard is None or await_node is None:
        return None
    return file, guard, await_node


def _node_on_line(file: SourceFile, spans: tuple[Span, ...], line: int | None) -> Node | None:
    for span in spans:
        if line is not None and span.file == file.path and span.line_start == line:
            node = file.node_for_span(span)
            if node is not None:
                return node
    return None
