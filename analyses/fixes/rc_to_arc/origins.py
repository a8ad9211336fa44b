"""Where the values of an Rc → Arc conversion come from: the `let` or parameter that declares
a slot, the expression that produces its value (`Rc::new(…)`, `Rc::clone(&x)`, `x.clone()`,
`Rc::downgrade(&x)`, a caller's argument, a struct literal's field), each rewritten to the
thread-safe type. A value produced any other way stops the conversion."""

from __future__ import annotations

import re

import tree_sitter

from borrowlens.analyses.fixes.rc_to_arc import types
from borrowlens.analyses.fixes.rc_to_arc.plan import (
    CELL,
    STRONG,
    WEAK,
    Conversion,
    UnsupportedError,
    unparen,
)
from borrowlens.analyses.rust import items
from borrowlens.analyses.rust.syntax import ancestors

Node = tree_sitter.Node


def producer(conv: Conversion, expr: Node, kind: str) -> None:
    """`expr` gives a slot of `kind` its value: rewrite it, or join the slot it copies."""
    expr = unparen(expr)
    if expr.type in ("identifier", "field_expression", "self"):
        conv.join(expr, kind)
        return
    if expr.type != "call_expression":
        raise UnsupportedError(f"producer {expr.type}")
    function = expr.child_by_field_name("function")
    arguments = expr.child_by_field_name("arguments")
    if function is None or arguments is None:
        raise UnsupportedError("call")
    args = arguments.named_children
    if function.type == "field_expression":
        method = conv.text(function.child_by_field_name("field"))
        receiver = function.child_by_field_name("value")
        if method == "clone" and not args and receiver is not None:
            conv.join(receiver, kind)
            return
        raise UnsupportedError(f"produced by .{method}()")
    if function.type == "generic_function":
        raise UnsupportedError("turbofish")
    if function.type != "scoped_identifier":
        raise UnsupportedError("produced by a call")
    path = function.child_by_field_name("path")
    name = conv.text(function.child_by_field_name("name"))
    path_text = conv.path_text(path)
    if path is None:
        raise UnsupportedError(f"produced by {path_text}::{name}")
    if kind == CELL:
        if types.REFCELL_PATH.match(path_text) and name in ("new", "default"):
            types.lock_path(conv, path, path_text)
            return
        raise UnsupportedError("cell producer")
    if kind == STRONG and types.RC_PATH.match(path_text):
        types.arc_path(conv, path, path_text)
        if name in ("new", "pin") and len(args) == 1:
            if conv.plan.cell is not None:
                producer(conv, args[0], CELL)
            return
        if name == "default" and not args:
            return
        if not _cloned_from(conv, name, args):
            raise UnsupportedError(f"Rc::{name}")
        return
    if kind == STRONG and types.ARC_PATH.match(path_text) and conv.plan.cell is not None:
        if name == "new" and len(args) == 1:
            producer(conv, args[0], CELL)
            return
        if not _cloned_from(conv, name, args):
            raise UnsupportedError(f"Arc::{name}")
        return
    if kind == WEAK and types.RC_PATH.match(path_text) and name == "downgrade" \
            and len(args) == 1 and args[0].type == "reference_expression":
        types.arc_path(conv, path, path_text)
        value = args[0].child_by_field_name("value")
        if value is None:
            raise UnsupportedError("downgrade")
        conv.join(value, STRONG)
        return
    if kind == WEAK and name == "new" and not args and types.weak_path(conv, path, path_text):
        return
    raise UnsupportedError(f"produced by {path_text}::{name}")


def _cloned_from(conv: Conversion, name: str, args: list[Node]) -> bool:
    """`…::clone(&x)`: `x`'s slot joins as a strong pointer."""
    if name == "clone" and len(args) == 1 and args[0].type == "reference_expression":
        value = args[0].child_by_field_name("value")
        if value is not None:
            conv.join(value, STRONG)
            return True
    return False


def binding(conv: Conversion, identifier: Node, kind: str) -> None:
    """The declaration of a binding slot: its annotation, and the value it gets (from its
    `let`, or from every caller for a parameter)."""
    parent = identifier.parent
    if parent is not None and parent.type == "mut_pattern":
        parent = parent.parent
    if parent is None:
        raise UnsupportedError("binding")
    if parent.type == "let_declaration" and parent.child_by_field_name("pattern") in (
            identifier, identifier.parent):
        annotation = parent.child_by_field_name("type")
        if annotation is not None:
            types.type_edit(conv, annotation, kind)
        value = parent.child_by_field_name("value")
        if value is None or parent.child_by_field_name("alternative") is not None:
            raise UnsupportedError("let without value")
        producer(conv, value, kind)
    elif parent.type == "parameter":
        annotation = parent.child_by_field_name("type")
        if annotation is None:
            raise UnsupportedError("parameter type")
        types.type_edit(conv, annotation, kind)
        _callers(conv, parent, kind)
    elif parent.type == "tuple_struct_pattern" and upgraded(conv, parent):
        pass  # `if let Some(p) = weak.upgrade()`: checked where the upgrade is
    else:
        raise UnsupportedError(f"bound by {parent.type}")


def upgraded(conv: Conversion, pattern: Node) -> bool:
    """True for the `Some(p)` of `if let Some(p) = weak.upgrade()`."""
    head = pattern.child_by_field_name("type")
    parent = pattern.parent
    return (head is not None and conv.text(head) == "Some" and parent is not None
            and parent.type == "let_condition" and len(pattern.named_children) == 2)


def _callers(conv: Conversion, parameter: Node, kind: str) -> None:
    """Every call of the parameter's fn passes a value of `kind` there."""
    params = parameter.parent
    function = params.parent if params is not None else None
    if params is None or function is None or function.type != "function_item":
        raise UnsupportedError("closure parameter")
    name = conv.text(function.child_by_field_name("name"))
    if len(conv.functions.get(name, [])) != 1:
        raise UnsupportedError("function name not unique")
    owner = function.parent.parent if function.parent is not None else None
    if owner is not None and owner.type == "impl_item" and \
            owner.child_by_field_name("trait") is not None:
        raise UnsupportedError("trait method signature")
    if owner is not None and owner.type == "trait_item":
        raise UnsupportedError("trait method")
    plain = [p for p in params.named_children if p.type != "attribute_item"]
    method = bool(plain) and plain[0].type == "self_parameter"
    index = [p.id for p in plain].index(parameter.id) - (1 if method else 0)
    annotation = parameter.child_by_field_name("type")
    by_reference = annotation is not None and annotation.type == "reference_type"
    for node in conv.file.identifiers(name, kinds=("identifier", "field_identifier")):
        if node.parent is not None and node.parent.id == function.id:
            continue
        callee: Node = node
        call = node.parent
        if call is not None and call.type in ("scoped_identifier", "field_expression") \
                and call.child_by_field_name("name" if call.type == "scoped_identifier"
                                             else "field") == node:
            callee = call
            call = call.parent
        if call is None or call.type != "call_expression" or \
                call.child_by_field_name("function") != callee:
            raise UnsupportedError("function used as a value")
        arguments = call.child_by_field_name("arguments")
        args = arguments.named_children if arguments is not None else []
        if method and callee.type == "scoped_identifier":
            args = args[1:]  # `Type::method(receiver, …)`
        if index >= len(args):
            raise UnsupportedError("call shape")
        argument = unparen(args[index])
        if by_reference and argument.type == "reference_expression":
            # `touch(&session)` for `session: &Rc<…>`: the referenced value converts.
            value = argument.child_by_field_name("value")
            if value is None:
                raise UnsupportedError("reference argument")
            conv.join(value, kind)
        else:
            producer(conv, argument, kind)


def field(conv: Conversion, name: str, kind: str) -> None:
    """The declaration of a field slot (one field of that name among the file's structs):
    its type, and the value every struct literal gives it."""
    owners = []
    for struct_name, struct in conv.structs.items():
        for declaration in items.field_declarations(struct):
            if conv.text(declaration.child_by_field_name("name")) == name:
                owners.append((struct_name, struct, declaration))
    if len(owners) != 1:
        raise UnsupportedError("field not found or not unique")
    struct_name, struct, declaration = owners[0]
    annotation = declaration.child_by_field_name("type")
    if annotation is None:
        raise UnsupportedError("field type")
    _derives_allowed(conv, struct, kind)
    types.type_edit(conv, annotation, kind)
    for node in conv.file.walk():
        if node.type == "struct_expression" and _struct_name(conv, node) == struct_name:
            body = node.child_by_field_name("body")
            for init in body.named_children if body is not None else []:
                if init.type == "field_initializer" and \
                        conv.text(init.child_by_field_name("field")) == name:
                    value = init.child_by_field_name("value")
                    if value is None:
                        raise UnsupportedError("initializer")
                    producer(conv, value, kind)
                elif init.type == "shorthand_field_initializer" and conv.text(init) == name:
                    conv.join(init.named_children[0], kind)
        elif node.type in ("field_pattern", "shorthand_field_identifier") and \
                conv.text(node).split(":")[0].strip() == name:
            raise UnsupportedError("field destructured")


def _struct_name(conv: Conversion, expression: Node) -> str:
    name = expression.child_by_field_name("name")
    text = conv.text(name)
    if text == "Self":
        impl = next((a for a in ancestors(expression) if a.type == "impl_item"), None)
        text = conv.text(impl.child_by_field_name("type") if impl is not None else None)
    return re.sub(r"<.*", "", text).rsplit("::", 1)[-1]


def _derives_allowed(conv: Conversion, struct: Node, kind: str) -> None:
    """A struct whose field becomes a lock may derive only what the lock has too."""
    if conv.plan.cell is None:
        return
    derives = set()
    sibling = struct.prev_named_sibling
    while sibling is not None and sibling.type == "attribute_item":
        text = conv.text(sibling)
        if "derive" in text:
            derives.update(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text.split("derive", 1)[1]))
        sibling = sibling.prev_named_sibling
    allowed = {"Debug", "Default"} | ({"Clone"} if kind != CELL else set())
    if derives - allowed:
        raise UnsupportedError("derives a trait Mutex does not have")
