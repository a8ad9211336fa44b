"""`block-before-await`: a named guard (`let g = x.lock().unwrap();`) whose last use comes
before the statement holding the `.await` goes, with the statements up to that use, into a
nested block `{ … }`, so its scope ends before the await. Locals of the block used after it
are carried out as the block's value; a trailing `drop(g);` becomes redundant and goes.
The same shape ends an `Rc`'s scope before the await (send-rc-across-await's
`scope-before-await`): the caller names the fix and whether it is preferred."""

from __future__ import annotations

import re

import tree_sitter

from borrowlens.analyses.fixes.blocks import alone_on_lines, wrap_in_block
from borrowlens.analyses.fixes.edits import Fix
from borrowlens.analyses.fixes.guards import cells, values
from borrowlens.analyses.fixes.guards.held import HeldGuard, find
from borrowlens.analyses.fixes.source_file import SourceFile, make_fix
from borrowlens.analyses.rust import syntax
from borrowlens.analyses.rust.sources import Sources

Node = tree_sitter.Node

BLOCK_FIX = "block-before-await"
_DROP_FUNCTIONS = ("drop", "mem::drop", "std::mem::drop", "core::mem::drop")


def block_fix(held: HeldGuard, sources: Sources, *, refcell: bool, fix_id: str = BLOCK_FIX,
              preferred: bool = True) -> Fix | None:
    """`block-before-await` for a named guard (see the module's docstring); `fix_id` and
    `preferred` let another value whose scope must end before the await (an `Rc`) reuse it."""
    variable = held.variable
    if variable is None or variable.startswith("_") or held.captured or held.temporary:
        return None
    found = find(held, sources)
    if found is None:
        return None
    file, guard, await_node = found
    let = syntax.enclosing(guard, "let_declaration")
    binding = values.simple_binding(file, let) if let is not None else None
    if let is None or binding is None or binding[0] != variable:
        return None
    block = let.parent
    if block is None or block.type != "block":
        return None
    statements = values.statements(block)
    index = next(i for i, s in enumerate(statements) if s.id == let.id)
    at_await = next((i for i, s in enumerate(statements)
                     if s.start_byte <= await_node.start_byte < s.end_byte), None)
    if at_await is None or at_await <= index:
        return None
    # The guard must not be needed from the await on.
    if any(values.mentions(file, s, variable) for s in statements[at_await:]):
        return None
    last_use = max((i for i in range(index + 1, at_await)
                    if values.mentions(file, statements[i], variable)), default=None)
    if last_use is None:
        return None  # a guard held only for its lock: the critical section is implicit
    dropped: Node | None = None
    if _is_drop_of(file, statements[last_use], variable):
        dropped = statements[last_use]
        last_use = max((i for i in range(index + 1, last_use)
                        if values.mentions(file, statements[i], variable)), default=None)
        if last_use is None:
            return None
    inside = statements[index:last_use + 1]
    after = statements[last_use + 1:]
    if dropped is not None:
        after = [s for s in after if s.id != dropped.id]
        if not alone_on_lines(file, dropped, comment_after=True):
            return None
    if not alone_on_lines(file, inside[0], inside[-1], comment_after=True):
        return None
    if refcell and not cells.future_owns_cell(file, let):
        return None

    # Locals of the block that code after it still uses are carried out as its value.
    local_names = [variable]
    carried: list[tuple[str, bool, Node]] = []
    for statement in inside[1:]:
        if statement.type != "let_declaration":
            continue
        names = values.bound_names(file, statement)
        used = [n for n in names if any(values.mentions(file, s, n) for s in after)]
        if used:
            binding = values.simple_binding(file, statement)
            value = statement.child_by_field_name("value")
            if binding is None or value is None or not values.looks_owned(file, value, local_names):
                return None
            carried = [c for c in carried if c[0] != binding[0]]
            carried.append((binding[0], binding[1], statement))
        local_names.extend(names)

    guard_name = f"`{variable}`"
    if not carried:
        edit = wrap_in_block(file, inside[0], inside[-1])
        title = f"End the scope of {guard_name} in a block before the `.await`"
    elif len(carried) == 1 and carried[0][2].id == inside[-1].id:
        name, mutable, statement = carried[0]
        value = statement.child_by_field_name("value")
        type_ = statement.child_by_field_name("type")
        if value is None:
            return None
        annotation = f": {file.node_text(type_)}" if type_ is not None else ""
        edit = wrap_in_block(
            file, inside[0], inside[-1],
            prefix=f"let {'mut ' if mutable else ''}{name}{annotation} = ",
            suffix=";", replace=(statement, file.node_text(value)))
        title = (f"Compute `{name}` in a block that ends the scope of {guard_name} before "
                 "the `.await`")
    else:
        names = [c[0] for c in carried]
        patterns = [f"{'mut ' if c[1] else ''}{c[0]}" for c in carried]
        pattern = patterns[0] if len(carried) == 1 else f"({', '.join(patterns)})"
        tail = names[0] if len(carried) == 1 else f"({', '.join(names)})"
        edit = wrap_in_block(file, inside[0], inside[-1], prefix=f"let {pattern} = ",
                             suffix=";", tail=tail)
        shown = ", ".join(f"`{n}`" for n in names)
        title = (f"Compute {shown} in a block that ends the scope of {guard_name} before the "
                 "`.await`")
    edits = [edit]
    if dropped is not None:
        edits.append(file.delete_lines(dropped))
    return make_fix(fix_id, title, edits, preferred=preferred)


def _is_drop_of(file: SourceFile, statement: Node, name: str) -> bool:
    if statement.type != "expression_statement" or not statement.named_children:
        return False
    call = statement.named_children[0]
    if call.type != "call_expression":
        return False
    function = call.child_by_field_name("function")
    arguments = call.child_by_field_name("arguments")
    if function is None or arguments is None:
        return False
    args = [a for a in arguments.named_children if a.type not in values.COMMENTS]
    return (re.sub(r"\s+", "", file.node_text(function)) in _DROP_FUNCTIONS
            and len(args) == 1 and args[0].type == "identifier"
            and file.node_text(args[0]) == name)
