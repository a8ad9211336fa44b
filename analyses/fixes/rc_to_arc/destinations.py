"""Where the values of an Rc → Arc conversion go: every use of a converted binding or field.
A use that moves the value on (a `let`, a struct literal, an assignment, an argument of a fn
of this file, a clone) brings that place into the conversion; a use that only reads it (a
method call, a deref, a `&x` that coerces to `&T`) stays as it is; any other use (returned,
put in a collection, passed to a function we cannot see) stops the conversion."""

from __future__ import annotations

import re

import tree_sitter

from borrowlens.analyses.fixes.rc_to_arc import locks, origins, types
from borrowlens.analyses.fixes.rc_to_arc.plan import (
    CELL,
    STRONG,
    WEAK,
    Conversion,
    UnsupportedError,
    outer,
)
from borrowlens.analyses.rust import bindings

Node = tree_sitter.Node

# Calls that take a value without keeping it.
_PASSIVE_FNS = {"drop", "mem::drop", "std::mem::drop", "core::mem::drop"}


def binding_uses(conv: Conversion, identifier: Node, kind: str) -> None:
    """Every use of a binding slot."""
    found = bindings.uses_of(conv.file.parsed, identifier)
    if found is None:
        raise UnsupportedError("scope")
    for use in found:
        consumer(conv, use, kind)


def field_uses(conv: Conversion, name: str, kind: str) -> None:
    """Every `x.name` in the file (the field slot is one name among the file's structs)."""
    for node in conv.file.walk():
        if node.type == "field_expression" and \
                conv.text(node.child_by_field_name("field")) == name:
            consumer(conv, node, kind)


def consumer(conv: Conversion, use: Node, kind: str) -> None:
    """One use of a slot's value."""
    use, parent = outer(use)
    if parent is None:
        raise UnsupportedError("use")
    ptype = parent.type
    if ptype == "token_tree":
        _in_macro(conv, use, kind)
        return
    if ptype == "field_expression" and parent.child_by_field_name("value") == use:
        call, grand = outer(parent)
        if grand is not None and grand.type == "call_expression" and \
                grand.child_by_field_name("function") == call:
            _method(conv, parent, grand, kind)
        elif kind == CELL:
            raise UnsupportedError("field of a RefCell")
        return
    if ptype == "reference_expression":
        _referenced(conv, parent, kind)
        return
    if ptype == "unary_expression":
        if conv.plan.cell is not None or kind != STRONG:
            raise UnsupportedError("deref of a cell")
        return
    if ptype == "expression_statement":
        return
    sink(conv, use, kind)


def sink(conv: Conversion, value: Node, kind: str) -> None:
    """Where a whole value (a name, a field, a clone) is moved to."""
    value, parent = outer(value)
    if parent is None:
        raise UnsupportedError("sink")
    ptype = parent.type
    if ptype == "let_declaration" and parent.child_by_field_name("value") == value:
        pattern = parent.child_by_field_name("pattern")
        if pattern is not None and pattern.type == "mut_pattern":
            pattern = pattern.named_children[-1] if pattern.named_children else None
        if pattern is None or pattern.type != "identifier":
            raise UnsupportedError("destructured")
        conv.add_binding(pattern, kind)
        return
    if ptype == "field_initializer":
        conv.add_field(conv.text(parent.child_by_field_name("field")), kind)
        return
    if ptype == "shorthand_field_initializer":
        conv.add_field(conv.text(value), kind)
        return
    if ptype == "assignment_expression" and parent.child_by_field_name("right") == value:
        left = parent.child_by_field_name("left")
        if left is None:
            raise UnsupportedError("assignment")
        conv.join(left, kind)
        return
    if ptype == "arguments":
        _argument(conv, value, parent, kind)
        return
    if ptype == "field_expression" and parent.child_by_field_name("value") == value:
        consumer(conv, value, kind)  # `x.clone().method()`
        return
    raise UnsupportedError(f"moved into {ptype}")


def _argument(conv: Conversion, value: Node, arguments: Node, kind: str) -> None:
    call = arguments.parent
    function = call.child_by_field_name("function") if call is not None else None
    if call is None or function is None:
        raise UnsupportedError("arguments")
    text = conv.path_text(function)
    if text in _PASSIVE_FNS:
        return
    index = [a.id for a in arguments.named_children].index(value.id)
    if function.type == "scoped_identifier":
        path = function.child_by_field_name("path")
        name = conv.text(function.child_by_field_name("name"))
        path_text = conv.path_text(path)
        if kind == STRONG and types.RC_PATH.match(path_text) and path is not None and \
                name in ("try_unwrap", "into_inner", "unwrap_or_clone", "strong_count",
                         "weak_count") and conv.plan.cell is None:
            types.arc_path(conv, path, path_text)
            return
    target = _local_parameter(conv, function, index)
    if target is None:
        raise UnsupportedError(f"passed to {text}")
    conv.add_binding(target, kind)


def _local_parameter(conv: Conversion, function: Node, index: int) -> Node | None:
    """The pattern identifier of parameter `index` of a fn of this file called as
    `function(…)`, `path::function(…)` or `x.function(…)`."""
    if function.type == "identifier":
        name, method = conv.text(function), False
    elif function.type == "scoped_identifier":
        name, method = conv.text(function.child_by_field_name("name")), False
    elif function.type == "field_expression":
        name, method = conv.text(function.child_by_field_name("field")), True
    else:
        return None
    found = conv.functions.get(name, [])
    if len(found) != 1:
        return None
    params = found[0].child_by_field_name("parameters")
    plain = [p for p in params.named_children if p.type != "attribute_item"] \
        if params is not None else []
    if plain and plain[0].type == "self_parameter":
        plain = plain[1:]
        if not method and function.type == "scoped_identifier":
            index -= 1
    elif method:
        return None
    if not 0 <= index < len(plain) or plain[index].type != "parameter":
        return None
    pattern = plain[index].child_by_field_name("pattern")
    if pattern is not None and pattern.type == "mut_pattern":
        pattern = pattern.named_children[-1] if pattern.named_children else None
    return pattern if pattern is not None and pattern.type == "identifier" else None


def _referenced(conv: Conversion, reference: Node, kind: str) -> None:
    """`&x`: a path call on `Rc`, a parameter of ours that takes `&Rc<…>`, or a plain
    `&T` by deref coercion."""
    reference, parent = outer(reference)
    call = parent.parent if parent is not None and parent.type == "arguments" else None
    function = call.child_by_field_name("function") if call is not None else None
    if parent is None or call is None or function is None:
        if kind == CELL or (parent is not None and parent.type == "let_declaration"):
            raise UnsupportedError("reference kept")
        return
    if function.type == "scoped_identifier":
        path = function.child_by_field_name("path")
        name = conv.text(function.child_by_field_name("name"))
        text = conv.path_text(path)
        if kind == STRONG and path is not None and (types.RC_PATH.match(text) or (
                types.ARC_PATH.match(text) and conv.plan.cell is not None)):
            if types.RC_PATH.match(text):
                types.arc_path(conv, path, text)
            if name == "clone":
                sink(conv, call, STRONG)
            elif name == "downgrade":
                sink(conv, call, WEAK)
            elif name not in ("strong_count", "weak_count", "as_ptr"):
                raise UnsupportedError(f"Rc::{name}")
            return
        if kind == WEAK and text in ("Weak", "rc::Weak", "std::rc::Weak"):
            raise UnsupportedError("Weak path call")
    index = [a.id for a in parent.named_children].index(reference.id)
    target = _local_parameter(conv, function, index)
    if target is None:
        if kind == CELL:
            raise UnsupportedError("&RefCell passed on")
        return  # `&Rc<T>` coerces to `&T` exactly as `&Arc<T>` does
    declaration = target.parent
    annotation = declaration.child_by_field_name("type") if declaration is not None else None
    if re.search(r"\b(?:Rc|Weak|RefCell|Arc)\s*<", conv.text(annotation)):
        conv.add_binding(target, kind)
    elif kind == CELL:
        raise UnsupportedError("&RefCell passed on")


def _method(conv: Conversion, access: Node, call: Node, kind: str) -> None:
    """`x.method(…)` on a slot's value."""
    method = conv.text(access.child_by_field_name("field"))
    arguments = call.child_by_field_name("arguments")
    empty = arguments is not None and not arguments.named_children
    if kind == WEAK:
        if method == "upgrade" and empty:
            _upgrade(conv, call)
        elif method == "clone" and empty:
            sink(conv, call, WEAK)
        elif method not in ("strong_count", "weak_count"):
            raise UnsupportedError(f"Weak::{method}")
        return
    cell = conv.plan.cell is not None
    if method in ("borrow", "borrow_mut") and empty and cell and kind in (STRONG, CELL):
        name = access.child_by_field_name("field")
        assert name is not None
        locks.rewrite_borrow(conv, name, call, method, call)
        return
    if method == "clone" and empty and kind == STRONG:
        sink(conv, call, STRONG)
        return
    if cell and (method in locks.CELL_ONLY or kind == CELL):
        raise UnsupportedError(f"RefCell::{method}")


def _upgrade(conv: Conversion, call: Node) -> None:
    """`weak.upgrade()`: bound by `if let Some(p) = …` (then `p` is a strong slot) or only
    tested with `.is_some()` / `.is_none()`."""
    call, parent = outer(call)
    if parent is not None and parent.type == "let_condition" and \
            parent.child_by_field_name("value") == call:
        pattern = parent.child_by_field_name("pattern")
        if pattern is not None and origins.upgraded(conv, pattern):
            inner = pattern.named_children[-1]
            if inner.type == "identifier":
                conv.add_binding(inner, STRONG)
                return
    if parent is not None and parent.type == "field_expression":
        outer_call = parent.parent
        name = conv.text(parent.child_by_field_name("field"))
        if name in ("is_some", "is_none") and outer_call is not None and \
                outer_call.type == "call_expression":
            return
    raise UnsupportedError("upgrade result")


def _in_macro(conv: Conversion, ident: Node, kind: str) -> None:
    """`name` among a macro's tokens: `name.borrow()` is rewritten, `&name`, `name.len()`
    and plain `name` are left as they are; anything that could move it is not known."""
    dot = ident.next_sibling
    method = dot.next_sibling if dot is not None and dot.type == "." else None
    args = method.next_sibling if method is not None else None
    name = conv.text(method)
    if conv.plan.cell is not None and kind in (STRONG, CELL) and method is not None and \
            name in ("borrow", "borrow_mut") and args is not None and \
            args.type == "token_tree" and conv.text(args).replace(" ", "") == "()":
        locks.rewrite_borrow(conv, method, args, name, ident)
        return
    if name == "clone" or (conv.plan.cell is not None and name in locks.CELL_ONLY) \
            or (kind == WEAK and name == "upgrade"):
        raise UnsupportedError("macro use")
