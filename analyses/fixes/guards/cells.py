"""Does the future own the `RefCell`? Ending a `RefCell` borrow before an `.await` only makes
the future `Send` when the future owns the cell (`self` by value, a by-value parameter, a
local `RefCell::new(…)` moved into the future): reached through a reference (`&self`, a
`&RefCell` parameter, a non-`move` async block), the `&RefCell` itself is not `Send`."""

from __future__ import annotations

import re

import tree_sitter

from borrowlens.analyses.fixes.guards import values
from borrowlens.analyses.fixes.source_file import SourceFile
from borrowlens.analyses.rust import syntax
from borrowlens.analyses.rust.syntax import ancestors

Node = tree_sitter.Node


def _root_of(node: Node) -> Node | None:
    """`x` for `x.a.b`, `self` for `self.cell`; None for anything more complex."""
    while node.type == "field_expression":
        value = node.child_by_field_name("value")
        if value is None:
            return None
        node = value
    return node if node.type in ("identifier", "self") else None


def _has_move(node: Node) -> bool:
    return any(c.type == "move" for c in node.children)


def _param_type_owned(file: SourceFile, type_node: Node | None) -> bool:
    if type_node is None:
        return False
    text = file.node_text(type_node)
    return not any(mark in text for mark in ("&", "*", "Rc<", "Arc<", "impl ", "dyn "))


def _owned_cell(file: SourceFile, borrow_receiver: Node) -> bool:
    """True when the cell `borrow_receiver` is reached from a value the future owns: `self`
    taken by value, a by-value parameter, or a local `RefCell::new(…)` (moved into an
    `async move` block if it is declared outside it)."""
    root = _root_of(borrow_receiver)
    if root is None:
        return False
    name = file.node_text(root)
    by_reference = False
    child = root
    for ancestor in ancestors(root):
        if ancestor.type in ("async_block", "closure_expression"):
            if ancestor.type == "closure_expression":
                params = ancestor.child_by_field_name("parameters")
                if params is not None and values.mentions(file, params, name):
                    return False
            if not _has_move(ancestor):
                by_reference = True
        elif ancestor.type in ("if_expression", "while_expression", "for_expression",
                               "match_arm"):
            for field in ("condition", "pattern"):
                part = ancestor.child_by_field_name(field)
                if part is not None and part.id != child.id and part.type != "block" \
                        and _binds(file, part, name):
                    return False
        elif ancestor.type == "block" and name != "self":
            for statement in reversed(values.statements(ancestor)):
                if statement.end_byte > child.start_byte or statement.type != "let_declaration":
                    continue
                if name in values.bound_names(file, statement):
                    if by_reference or values.simple_binding(file, statement) is None:
                        return False
                    value = statement.child_by_field_name("value")
                    type_ = statement.child_by_field_name("type")
                    text = file.node_text(value) if value is not None else ""
                    return (re.match(r"(?:std::cell::)?RefCell::new\s*\(", text) is not None
                            or (type_ is not None
                                and file.node_text(type_).startswith("RefCell<")))
        elif ancestor.type == "function_item":
            if by_reference:
                return False
            params = ancestor.child_by_field_name("parameters")
            for param in params.named_children if params is not None else []:
                if name == "self" and param.type == "self_parameter":
                    return re.sub(r"\s+", " ", file.node_text(param)) in ("self", "mut self")
                if param.type == "parameter":
                    pattern = param.child_by_field_name("pattern")
                    if pattern is not None and _binds(file, pattern, name):
                        return _param_type_owned(file, param.child_by_field_name("type"))
            return False
        child = ancestor
    return False


def _binds(file: SourceFile, node: Node, name: str) -> bool:
    """True when an identifier under `node` (a pattern, a condition) is spelled `name`."""
    return any(n.type == "identifier" and file.node_text(n) == name for n in file.walk(node))


def _borrow_receiver(file: SourceFile, node: Node) -> Node | None:
    """The receiver of the first `.borrow()`/`.borrow_mut()` call (`try_` ones included)
    under `node`: query `borrow_calls.scm`."""
    calls = syntax.matches("borrow_calls", node)
    return calls[0]["receiver"][0] if calls else None


def future_owns_cell(file: SourceFile, node: Node) -> bool:
    """True when the cell borrowed under `node` is reached from a value the future owns."""
    receiver = _borrow_receiver(file, node)
    return receiver is not None and _owned_cell(file, receiver)
