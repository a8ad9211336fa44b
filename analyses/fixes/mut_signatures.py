"""Rewrites of a `&mut` in a signature whose lifetime causes borrow errors at its callers.

Each takes the file and the node of the parameter (or receiver, or return type) to change and
returns the edits, or None when the shape is not the plain one it knows. They only remove or
name lifetimes inside that node: never an outlives bound, never `&'a mut T<'a>`.
"""

from __future__ import annotations

import tree_sitter

from borrowlens.analyses.fixes import signatures
from borrowlens.analyses.fixes.edits import TextEdit
from borrowlens.analyses.fixes.source_file import SourceFile

Node = tree_sitter.Node


def _mut_reference(node: Node) -> Node | None:
    """The `&mut …` of a parameter (its type) or of a `self` receiver (the node itself)."""
    reference = node if node.type == "self_parameter" else node.child_by_field_name("type")
    if reference is None or not any(c.type == "mutable_specifier" for c in reference.children):
        return None
    return reference


def drop_static_under_mut(file: SourceFile, parameter: Node) -> list[TextEdit] | None:
    """`&mut Vec<&'static str>` → `&mut Vec<&str>`, `&mut Parser<'static>` → `&mut
    Parser<'_>` (also inside `Option<&mut …>`): each `'static` under a `&mut` made elided, so
    the callee accepts the caller's lifetime (each elided input lifetime is a fresh
    parameter)."""
    ty = parameter.child_by_field_name("type")
    edits: list[TextEdit] = []
    seen: set[int] = set()
    for reference in file.walk(ty) if ty is not None else []:
        inner = reference.child_by_field_name("type")
        if reference.type != "reference_type" or inner is None or \
                not any(c.type == "mutable_specifier" for c in reference.children):
            continue
        for node in file.walk(inner):
            if node.type != "lifetime" or file.node_text(node) != "'static" or \
                    node.start_byte in seen:
                continue
            seen.add(node.start_byte)
            parent = node.parent
            following = node.next_sibling
            if parent is not None and parent.type == "reference_type" and following is not None:
                edits.append(file.edit_bytes(node.start_byte, following.start_byte, ""))
            elif parent is not None and parent.type == "type_arguments":
                edits.append(file.replace(node, "'_"))
            else:
                return None  # a bound (`dyn Fn() + 'static`): not a plain lifetime argument
    return edits or None


def drop_mut_lifetime(file: SourceFile, parameter: Node) -> TextEdit | None:
    """`&'a mut Vec<&'a str>` → `&mut Vec<&'a str>`, `&'a mut self` → `&mut self`: the
    mutable borrow gets a lifetime of its own, as short as each call needs."""
    reference = _mut_reference(parameter)
    lifetime = next((c for c in reference.children if c.type == "lifetime"), None) \
        if reference is not None else None
    following = lifetime.next_sibling if lifetime is not None else None
    if lifetime is None or following is None:
        return None
    return file.edit_bytes(lifetime.start_byte, following.start_byte, "")


def name_return_lifetime(file: SourceFile, return_type: Node, lifetime: str,
                         hidden: tuple[str, ...] = ()) -> list[TextEdit] | None:
    """`-> Option<&str>` → `-> Option<&'a str>` (and `Token` → `Token<'a>` for the types in
    `hidden`): the result tied to the data the type borrows rather than to the `&mut self`
    receiver elision picks."""
    return signatures.tie_type(file, return_type, lifetime, hidden=hidden)
