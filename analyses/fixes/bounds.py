"""Edit helpers for the fixes of the lifetime-bound families (E0309/E0310, E0700, the
edition-2024 over-capture, higher-ranked bounds): where a generic's bounds live, adding a
lifetime parameter to a fn, building a `use<…>` list that compiles.

Everything here works on `SourceFile` so edits keep the file's columns and line endings.
"""

from __future__ import annotations

import tree_sitter

from borrowlens.analyses.fixes.edits import TextEdit
from borrowlens.analyses.fixes.source_file import SourceFile
from borrowlens.analyses.rust import items, locate

Node = tree_sitter.Node


def node_before(file: SourceFile, byte: int) -> Node | None:
    """The smallest named node that ends at or covers the byte just before `byte`."""
    if byte <= 0:
        return None
    return file.root.named_descendant_for_byte_range(byte - 1, byte - 1)


def is_trait_impl_method(function: Node) -> bool:
    """True for a fn inside `impl Trait for Type { … }`: its generics and bounds are fixed by
    the trait's declaration, so they cannot be changed in the impl alone."""
    body = function.parent
    owner = body.parent if body is not None and body.type == "declaration_list" else None
    return (owner is not None and owner.type == "impl_item"
            and owner.child_by_field_name("trait") is not None)


def lifetimes_in(file: SourceFile, node: Node) -> set[str]:
    """Every lifetime spelled under `node` (`'a`, `'static`, `'_`)."""
    return {file.node_text(n) for n in items.lifetimes(node)}




def add_lifetime_parameter(file: SourceFile, function: Node,
                           lifetime: str) -> TextEdit | None:
    """Declares `lifetime` in the fn's generics: after its last lifetime parameter, first in
    a list without one, or as a new `<'a>` after the name."""
    generics = function.child_by_field_name("type_parameters")
    if generics is None:
        name = function.child_by_field_name("name")
        return file.insert_after(name, f"<{lifetime}>") if name is not None else None
    declared = [c for c in generics.named_children if c.type == "lifetime_parameter"]
    if declared:
        return file.insert_after(declared[-1], f", {lifetime}")
    opening = generics.children[0]
    rest = [c for c in generics.named_children]
    return file.insert_after(opening, f"{lifetime}, " if rest else lifetime)


def type_parameter_names(file: SourceFile, generics: Node | None) -> list[str]:
    """The type and const parameter names of a `<…>` list, in order."""
    if generics is None:
        return []
    names = []
    for child in generics.named_children:
        if child.type in ("type_parameter", "constrained_type_parameter",
                          "optional_type_parameter", "const_parameter"):
            name = child.child_by_field_name("name") or child.child_by_field_name("left")
            if name is None:
                name = next((c for c in child.named_children
                             if c.type in ("type_identifier", "identifier")), None)
            if name is not None:
                names.append(file.node_text(name))
        elif child.type == "type_identifier":
            names.append(file.node_text(child))
    return names


def outer_bounded(node: Node) -> Node:
    """`dyn A` inside `dyn A + B` → the whole `dyn A + B` (same for `impl A + use<…>`)."""
    while node.parent is not None and node.parent.type == "bounded_type":
        node = node.parent
    return node


def has_argument_impl_trait(function: Node) -> bool:
    """True when a parameter is written `impl Trait`: such a fn cannot have a `use<…>` list."""
    parameters = function.child_by_field_name("parameters")
    if parameters is None:
        return False
    return any(n.type == "abstract_type" for n in locate.walk(parameters, named=True))


