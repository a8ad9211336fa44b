"""Stores a struct's future field pinned on the heap: the field's type `F` becomes
`Pin<Box<F>>`, every struct expression that builds the struct wraps the value in `Box::pin`,
and each poll of the field (`Pin::new(&mut self.inner).poll(cx)`, `self.inner.poll(cx)`)
becomes `self.inner.as_mut().poll(cx)`.

The fix of cannot-be-unpinned for a future that a hand-written `Future::poll` keeps in a
field. With the field boxed the struct no longer holds the future itself, so it can be `Unpin`
and `self.inner` is reachable through `Pin<&mut Self>`. Returns None unless every use of the
field in the file is one of those shapes: a public field, a struct built elsewhere or with
`..base`, or any other access to the field (moved out, borrowed, returned) means a change this
rewrite cannot make with certainty.
"""

from __future__ import annotations

import re

import tree_sitter

from borrowlens.analyses.fixes.edits import TextEdit
from borrowlens.analyses.fixes.source_file import SourceFile
from borrowlens.analyses.rust import items, syntax

Node = tree_sitter.Node

_PIN_IMPORTED = re.compile(r"\buse\s+(?:std|core)::pin::(?:Pin\b|\{[^}]*\bPin\b)")


def _struct_of(file: SourceFile, use: Node) -> tuple[str, Node] | None:
    """The struct whose `impl` the use is in, with its item."""
    impl = syntax.enclosing(use, "impl_item")
    kind = impl.child_by_field_name("type") if impl is not None else None
    if kind is None:
        return None
    name = file.node_text(kind).split("<", 1)[0].strip()
    found = [node for found_name, node in items.named_items(file.parsed, "struct_item")
             if found_name == name]
    return (name, found[0]) if len(found) == 1 else None


def _field(file: SourceFile, struct: Node, name: str) -> Node | None:
    for node in items.field_declarations(struct):
        field = node.child_by_field_name("name")
        if field is not None and file.node_text(field) == name:
            return node
    return None


def _constructor_edits(file: SourceFile, struct: str, field: str) -> list[TextEdit] | None:
    """`Box::pin(…)` around the field's value in every struct expression that builds it."""
    edits: list[TextEdit] = []
    for node in file.walk():
        if node.type != "struct_expression":
            continue
        name = node.child_by_field_name("name")
        written = file.node_text(name).split("<", 1)[0].strip() if name is not None else ""
        if written == "Self":
            impl = syntax.enclosing(node, "impl_item")
            kind = impl.child_by_field_name("type") if impl is not None else None
            written = file.node_text(kind).split("<", 1)[0].strip() if kind else ""
        if written != struct:
            continue
        body = node.child_by_field_name("body")
        for init in body.named_children if body is not None else ():
            if init.type == "base_field_initializer":
                return None
            if init.type == "shorthand_field_initializer" and file.node_text(init) == field:
                edits.append(file.replace(init, f"{field}: Box::pin({field})"))
            elif init.type == "field_initializer":
                target = init.child_by_field_name("field")
                value = init.child_by_field_name("value")
                if target is not None and value is not None and \
                        file.node_text(target) == field:
                    edits += [file.insert_before(value, "Box::pin("),
                              file.insert_after(value, ")")]
    return edits or None


def _poll_edit(file: SourceFile, access: Node) -> TextEdit | None:
    """The edit that makes one access of the field poll it through `as_mut()`, or None when
    the access is not a poll."""
    parent = access.parent
    grand = parent.parent if parent is not None else None
    # `x.field.poll(cx)`
    if parent is not None and grand is not None and parent.type == "field_expression" and \
            grand.type == "call_expression" and \
            file.node_text(parent.child_by_field_name("field") or parent) == "poll":
        return file.insert_after(access, ".as_mut()")
    # `Pin::new(&mut x.field)`
    call = grand.parent if grand is not None else None
    if parent is None or parent.type != "reference_expression" or \
            not file.node_text(parent).replace(" ", "").startswith("&mut") or \
            grand is None or len(grand.named_children) != 1 or \
            call is None or call.type != "call_expression":
        return None
    callee = call.child_by_field_name("function")
    if callee is None or file.node_text(callee).replace(" ", "") not in (
            "Pin::new", "std::pin::Pin::new", "core::pin::Pin::new"):
        return None
    return file.replace(call, f"{file.node_text(access)}.as_mut()")


def _mut_self(file: SourceFile, access: Node) -> TextEdit | None:
    """`mut` before a typed `self: Pin<&mut Self>` receiver that is not yet mutable."""
    function = syntax.enclosing(access, "function_item")
    parameters = function.child_by_field_name("parameters") if function is not None else None
    first = parameters.named_children[0] if parameters and parameters.named_children else None
    if first is None or first.type != "parameter" or \
            not file.node_text(first).startswith("self"):
        return None
    return file.insert_before(first, "mut ")


def box_pin_field(file: SourceFile, receiver: str, use_line: int) -> list[TextEdit] | None:
    """The edits that store `receiver`'s field (`self.inner`, `this.inner`) as `Pin<Box<…>>`,
    or None when the shape is not certain (see the module's docstring)."""
    base, _, field = receiver.rpartition(".")
    if "." in base or not base or not field:
        return None
    accesses = [node for node in file.walk() if node.type == "field_expression"
                and file.node_text(node.child_by_field_name("field") or node) == field]
    here = [node for node in accesses if file.parsed.start(node)[0] == use_line]
    found = _struct_of(file, here[0]) if here else None
    declared = _field(file, found[1], field) if found is not None else None
    kind = declared.child_by_field_name("type") if declared is not None else None
    if found is None or declared is None or kind is None or any(
            c.type == "visibility_modifier" for c in declared.children):
        return None
    constructors = _constructor_edits(file, found[0], field)
    if constructors is None:
        return None
    pin = "Pin" if _PIN_IMPORTED.search(file.text) else "std::pin::Pin"
    edits = [file.replace(kind, f"{pin}<Box<{file.node_text(kind)}>>"), *constructors]
    for access in accesses:
        edit = _poll_edit(file, access)
        if edit is None:
            return None
        edits.append(edit)
        value = access.child_by_field_name("value")
        mut_self = _mut_self(file, access) if value is not None and value.type == "self" \
            else None
        if mut_self is not None:
            edits.append(mut_self)
    return list(dict.fromkeys(edits))
