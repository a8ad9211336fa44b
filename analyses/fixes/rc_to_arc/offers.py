"""The Rc → Arc fixes offered for a culprit a diagnostic names (the entry points the families
call): `rc-to-arc` for a non-`Send` future holding an `Rc`/`rc::Weak` (or a struct with one),
and for a closure handed to a thread the thread-safe twins of what it captures, `Mutex` first
and `RwLock` as the alternative when a `RefCell` is involved."""

from __future__ import annotations

import re

from borrowlens.analyses.fixes.edits import Fix
from borrowlens.analyses.fixes.rc_to_arc.convert import Start, convert
from borrowlens.analyses.fixes.rc_to_arc.culprits import (
    Shape,
    binding_on_line,
    closure_binding,
    shape_of,
    struct_field_start,
)
from borrowlens.analyses.fixes.rc_to_arc.plan import CELL, WEAK
from borrowlens.analyses.fixes.source_file import SourceFile, one_fix
from borrowlens.analyses.rust.sources import Sources


def send_rc_fixes(sources: Sources, *, path: str, line: int, variable: str, type_text: str,
                  inner_type: str | None) -> list[Fix]:
    """`rc-to-arc` for a non-`Send` future whose culprit `variable` (declared or captured on
    `line` of `path`) is an `Rc`/`rc::Weak` of `type_text`, or a struct holding one in a
    field (`inner_type` is then the non-`Send` type inside)."""
    file = SourceFile.load(sources, path)
    binding = binding_on_line(file, variable, line) if file is not None else None
    if file is None or binding is None:
        return []
    shape = shape_of(type_text)
    struct_type = None
    if shape is not None:
        start = Start(shape.kind, binding=binding)
    else:
        if not inner_type or shape_of(inner_type) is None:
            return []
        found = struct_field_start(file, type_text)
        if found is None:
            return []
        start, shape = found
        struct_type = type_text
    if shape.pointer not in ("Rc", "Weak"):
        return []
    cell = "Mutex" if shape.cell else None
    edits = convert(file, start, cell=cell, data_type=shape.data)
    return one_fix("rc-to-arc", title(shape, cell, subject(start, file, struct_type)), edits,
                   preferred=True)


def thread_fixes(sources: Sources, *, path: str, line: int, variable: str, type_text: str,
                 via: str | None) -> list[Fix]:
    """Fixes for a closure on `line` of `path` handed to a thread that captures `variable` of
    `type_text` (reached through `via` when rustc names an inner type): an `Rc`, an
    `Rc<RefCell<…>>`, an `Arc<RefCell<…>>` or a shared `&RefCell<…>`."""
    shape = shape_of(type_text)
    if shape is not None and shape.kind == CELL and via:
        shape = shape_of(via)  # `Arc<RefCell<T>>` / `&RefCell<T>` carried the cell
    if shape is None:
        return []
    file = SourceFile.load(sources, path)
    start = closure_binding(file, line, variable, shape.kind) if file is not None else None
    if file is None or start is None:
        return []
    who = subject(start, file, None)
    if not shape.cell:
        return one_fix("rc-to-arc", title(shape, None, who),
                       convert(file, start, cell=None, data_type=shape.data), preferred=True)
    # Whole ids, never pieced together: thread-spawn-not-send declares each one it offers.
    ids = (("refcell-to-mutex", "refcell-to-rwlock") if shape.pointer in ("Arc", "")
           else ("rc-to-arc", "rc-to-arc-rwlock"))
    fixes = []
    for cell, fix_id in zip(("Mutex", "RwLock"), ids, strict=True):
        fixes += one_fix(fix_id, title(shape, cell, who),
                         convert(file, start, cell=cell, data_type=shape.data),
                         preferred=cell == "Mutex")
    return fixes


def title(shape: Shape, cell: str | None, subject: str) -> str:
    """"Use `Arc<Mutex<…>>` instead of `Rc<RefCell<…>>` for `x`"-style titles."""
    if shape.kind == CELL:
        return f"Use `{cell}` instead of `RefCell` for {subject}"
    if shape.pointer == "Arc":
        return f"Use `Arc<{cell}<…>>` instead of `Arc<RefCell<…>>` for {subject}"
    if shape.kind == WEAK:
        old, new = "rc::Weak", "sync::Weak"
    else:
        old, new = "Rc", "Arc"
    if shape.cell:
        return f"Use `{new}<{cell}<…>>` instead of `{old}<RefCell<…>>` for {subject}"
    return f"Use `{new}` instead of `{old}` for {subject}"


def subject(start: Start, file: SourceFile, struct_type: str | None = None) -> str:
    """`x`, or the `f` field (of `S`): what a title says is converted."""
    if start.binding is not None:
        return f"`{file.node_text(start.binding)}`"
    owner = re.sub(r"<.*", "", (struct_type or "").lstrip("&")).rsplit("::", 1)[-1]
    return f"the `{start.field_name}` field" + (f" of `{owner}`" if owner else "")
