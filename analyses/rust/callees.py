"""From a call in the user's code to the definition it calls, elsewhere in the crate.

rustc reports a borrow error at the call while its cause may be the callee's signature; the
diagnostic does not say where that fn is. These helpers find the call around a span (and the
argument, receiver or struct field the span is in) and the crate's fn items of that name and
arity, by tree-sitter over the crate's files (`sources.crate_files`). Without a type checker
the match is by name, so callers accept a definition only when it is the single candidate.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import tree_sitter

from borrowlens.analyses.diagnostics.limits import MAX_NAME
from borrowlens.analyses.rust import items, locate, syntax
from borrowlens.analyses.rust.sources import Sources, crate_files

Node = tree_sitter.Node


@dataclass(frozen=True)
class CallSite:
    """A call the span sits in: the callee's name, its argument count, and which part of the
    call the span is (`receiver`, argument `index`, or neither when it covers the call)."""

    name: str
    arity: int
    method: bool
    receiver: bool
    index: int | None


@dataclass(frozen=True)
class Definition:
    """A fn item found in the crate, with the file it is in."""

    file: str
    located: locate.Located

    @property
    def node(self) -> Node:
        return self.located.node


def _arguments(call: Node) -> list[Node]:
    arguments = call.child_by_field_name("arguments")
    return list(arguments.named_children) if arguments is not None else []


def call_site(located: locate.Located) -> CallSite | None:
    """The call the located node belongs to: as the receiver of a method call, inside one of
    its arguments, or as (the start of) the whole call."""
    node: Node | None = located.node
    while node is not None:
        parent = node.parent
        if node.type == "call_expression":
            return _site(located, node, receiver=False, index=None)
        if parent is not None and parent.type == "arguments" and parent.parent is not None:
            call = parent.parent
            if call.type == "call_expression":
                index = next(i for i, a in enumerate(_arguments(call)) if a.id == node.id)
                return _site(located, call, receiver=False, index=index)
            return None
        if parent is not None and parent.type == "field_expression" and \
                parent.child_by_field_name("value") == node and parent.parent is not None and \
                parent.parent.type == "call_expression" and \
                parent.parent.child_by_field_name("function") == parent:
            return _site(located, parent.parent, receiver=True, index=None)
        if node.type in ("block", "closure_expression", "let_declaration",
                         "expression_statement", "function_item"):
            return None
        node = parent
    return None


def _site(located: locate.Located, call: Node, *, receiver: bool,
          index: int | None) -> CallSite | None:
    function = call.child_by_field_name("function")
    while function is not None and function.type == "generic_function":
        function = function.child_by_field_name("function")
    if function is None:
        return None
    method = function.type == "field_expression"
    name_node = (function.child_by_field_name("field") if method
                 else function.child_by_field_name("name")
                 if function.type == "scoped_identifier" else function
                 if function.type == "identifier" else None)
    if name_node is None:
        return None
    return CallSite(located.text(name_node), len(_arguments(call)), method, receiver, index)


def parameters(function: Node) -> tuple[Node | None, list[Node]]:
    """A fn item's `self` parameter (None for a free fn) and its other parameters."""
    listed = function.child_by_field_name("parameters")
    found = [p for p in (listed.named_children if listed is not None else [])
             if p.type in ("self_parameter", "parameter")]
    receiver = next((p for p in found if p.type == "self_parameter"), None)
    return receiver, [p for p in found if p.type == "parameter"]


def _crate_items(sources: Sources, near: str, kind: str,
                 name: str) -> Iterator[tuple[str, locate.Located]]:
    """(file, item) for every item of `kind` called `name` in the crate's files (a
    file that does not spell the name is not parsed: a crate may have many)."""
    if len(name) > MAX_NAME:
        return
    spelled = re.compile(rf"\b{re.escape(name)}\b")
    for path in crate_files(sources, near):
        text = sources.text(path)
        if text is None or not spelled.search(text):
            continue
        parsed = syntax.parse(text)
        for found, item in items.named_items(parsed, kind):
            if found == name:
                yield path, locate.Located(parsed, item)


def definitions(sources: Sources, near: str, site: CallSite) -> list[Definition]:
    """The crate's fn items `site` may call: its name, a `self` parameter exactly for a
    method call, and its number of arguments."""
    found: list[Definition] = []
    for path, located in _crate_items(sources, near, "function_item", site.name):
        receiver, others = parameters(located.node)
        if (receiver is not None) == site.method and len(others) == site.arity:
            found.append(Definition(path, located))
    return found


def struct_definitions(sources: Sources, near: str, name: str) -> list[Definition]:
    """The crate's struct items called `name`."""
    return [Definition(path, located)
            for path, located in _crate_items(sources, near, "struct_item", name)]
