"""The `RefCell` → `Mutex`/`RwLock` part of an Rc → Arc conversion: every `.borrow()` /
`.borrow_mut()` on a converted value becomes `.lock().unwrap()` (`.read()`/`.write()` for
`RwLock`), and the conversion is refused when two of those guards could be alive at once (a
`Mutex` would deadlock where `RefCell` allowed two shared borrows) or one is held across an
`.await`."""

from __future__ import annotations

import tree_sitter

from borrowlens.analyses.fixes.rc_to_arc.plan import Conversion, UnsupportedError, outer
from borrowlens.analyses.rust import syntax
from borrowlens.analyses.rust.syntax import ancestors

Node = tree_sitter.Node

# RefCell methods with no `Mutex` counterpart we could write mechanically.
CELL_ONLY = frozenset({
    "try_borrow", "try_borrow_mut", "try_borrow_unguarded", "replace", "replace_with", "swap",
    "take", "into_inner", "get_mut", "undo_leak", "as_ptr", "clone"})
# What a guard's lifetime is measured in: the fn, closure or async block that runs it.
_BODIES = ("function_item", "closure_expression", "async_block")


def rewrite_borrow(conv: Conversion, first: Node, last: Node, method: str, guard: Node) -> None:
    """Replaces `first`…`last` (`borrow()` of `x.borrow()`) with the lock call; `guard` is
    the expression whose value is the guard, checked by `check_borrows`."""
    if conv.plan.cell == "RwLock":
        call = "write().unwrap()" if method == "borrow_mut" else "read().unwrap()"
    else:
        call = "lock().unwrap()"
    conv.edit(first.start_byte, last.end_byte, call)
    conv.plan.borrows.append(guard)


def check_borrows(conv: Conversion) -> None:
    """Refuse a lock conversion that could deadlock or hold a guard across an await."""
    scopes = []
    for borrow in conv.plan.borrows:
        bound = _bound_guard(borrow)
        if bound is not None:
            block = bound.parent
            if block is None:
                raise UnsupportedError("guard")
            region = (bound.start_byte, block.end_byte)
        else:
            statement = next((a for a in ancestors(borrow) if a.type in (
                "expression_statement", "let_declaration", "match_arm", "block")), None)
            if statement is None:
                raise UnsupportedError("guard")
            if statement.type == "block":
                statement = statement.parent or statement
            region = (statement.start_byte, statement.end_byte)
        scopes.append((borrow, region))
        if _awaits_in(region, borrow):
            raise UnsupportedError("guard across an await")
    for borrow, (start, end) in scopes:
        for other, _ in scopes:
            if other.id != borrow.id and start <= other.start_byte < end:
                raise UnsupportedError("two guards at once")


def _bound_guard(borrow: Node) -> Node | None:
    """The `let` when the guard itself is bound (`let g = x.borrow();`)."""
    node, parent = outer(borrow)
    while parent is not None and parent.type in ("reference_expression", "unary_expression"):
        node, parent = outer(parent)
    if parent is not None and parent.type == "let_declaration" and \
            parent.child_by_field_name("value") == node:
        return parent
    return None


def _awaits_in(region: tuple[int, int], borrow: Node) -> bool:
    """True when an `.await` of the same body runs inside `region` after the borrow."""
    owner = syntax.enclosing(borrow, *_BODIES)
    if owner is None:
        return False
    for node in syntax.captured("await_expressions", owner, "await"):
        if region[0] <= node.start_byte < region[1] and node.end_byte > borrow.start_byte:
            inner_owner = syntax.enclosing(node, *_BODIES)
            if inner_owner is not None and inner_owner.id == owner.id:
                return True
    return False
