"""`self.get_mut()` (or `Pin::get_mut(self)`) inside a hand-written `poll`: the struct itself
must be `Unpin`, and the field whose type is the future parameter (`inner: F`) is what keeps it
from being. Facts for cannot-be-unpinned: `self_type` (the struct, from the `impl … for`
around the call, else rustc's "within `…`" note), `field` and `field_line`; `related` points
at that field and at the call."""

from __future__ import annotations

import tree_sitter

from borrowlens.analyses.diagnostics.model import Diagnostic, Span
from borrowlens.analyses.families.base import Match, Related
from borrowlens.analyses.fixes.source_file import SourceFile
from borrowlens.analyses.rust import items as rustsyntax
from borrowlens.analyses.rust import syntax


def locate(match: Match, diagnostic: Diagnostic, file: SourceFile,
           use: tree_sitter.Node) -> None:
    impl = next((a for a in syntax.ancestors(use) if a.type == "impl_item"), None)
    implemented = impl.child_by_field_name("type") if impl is not None else None
    within = diagnostic.find(r"within `([^`]+)`, the trait `Unpin`")
    if implemented is not None:
        match.facts["self_type"] = file.node_text(implemented)
    elif within is not None:
        match.facts["self_type"] = within.group(1)
    match.related.append(Related(node_span(file, use), "`get_mut` hands out a plain `&mut Self`, "
                                 "which needs `Self: Unpin`"))
    for node in rustsyntax.field_declarations(file.parsed.root):
        kind, field = node.child_by_field_name("type"), node.child_by_field_name("name")
        if kind is not None and field is not None and \
                file.node_text(kind) == match.fact("type"):
            match.facts.update(field=file.node_text(field), field_line=file.parsed.start(node)[0])
            match.related.insert(0, Related(node_span(file, node), "this field is not `Unpin`, so "
                                            "neither is the struct: store it as `Pin<Box<…>>`"))
            return


def node_span(file: SourceFile, node: tree_sitter.Node) -> Span:
    """The span of a node of `file` (1-based, as rustc's)."""
    (line, column), (end_line, end_column) = file.parsed.start(node), file.parsed.end(node)
    return Span(file.path, line, column, end_line, end_column)
