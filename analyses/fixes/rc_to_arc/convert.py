"""Running one Rc → Arc conversion: from the slot it starts at, visit every slot the value
reaches (`origins` for where each gets its value, `destinations` for where it goes), check
the lock guards, and turn the plan into edits with the `use` lines every module needs."""

from __future__ import annotations

import re
from dataclasses import dataclass

import tree_sitter

from borrowlens.analyses.fixes import use_edits, use_lines
from borrowlens.analyses.fixes.edits import EditError, TextEdit
from borrowlens.analyses.fixes.rc_to_arc import destinations, locks, origins, safety
from borrowlens.analyses.fixes.rc_to_arc.plan import Conversion, Names, Plan, UnsupportedError
from borrowlens.analyses.fixes.source_file import SourceFile
from borrowlens.analyses.rust import items
from borrowlens.analyses.rust.syntax import ancestors

Node = tree_sitter.Node


@dataclass(frozen=True)
class Start:
    """Where a conversion begins: a binding identifier or a field name, and its kind."""

    kind: str
    binding: Node | None = None
    field_name: str | None = None


def convert(file: SourceFile, start: Start, *, cell: str | None,
            data_type: str | None) -> list[TextEdit] | None:
    """The edits of the conversion, or None when any part of it is not understood."""
    if "no_std" in file.text[:2000] and re.search(r"#!\[no_std\]", file.text):
        return None
    generics = safety.generics_around(file, start.binding or file.root)
    if data_type is None or not safety.thread_safe(
            file, data_type, need_sync=cell != "Mutex", generics=generics):
        return None
    plan: Plan | None = None
    for qualify_weak in (False, True):
        names = _names(file, cell, qualify_weak=qualify_weak)
        conv = Conversion(file, cell=cell, names=names,
                          rc_weak_names=use_lines.imports_name(file, "Weak", "std::rc::Weak"))
        try:
            if start.binding is not None:
                conv.add_binding(start.binding, start.kind)
            elif start.field_name is not None:
                conv.add_field(start.field_name, start.kind)
            plan = _run(conv)
        except (UnsupportedError, ValueError, IndexError):
            return None
        # A converted `Weak` written short would clash with an `rc::Weak` the plan leaves.
        if not plan.converted_weak or names.weak != "Weak" or \
                _remaining(file, "Weak", plan) == 0:
            break
    if plan is None or not plan.edits:
        return None
    edits = [file.edit_bytes(s, e, t) for (s, e), t in sorted(plan.edits.items())]
    try:
        file.apply(edits)
    except EditError:
        return None
    # The `std::sync` names the plan writes, and the imports of what it replaces (a new
    # `Weak` that would clash with an `std::rc::Weak` that stays makes it no fix at all).
    imports = use_edits.import_edits(
        file, edits, add=[f"std::sync::{name}" for name in ("Arc", cell, "Weak") if name],
        drop=["std::rc::Rc", "std::cell::RefCell", "std::rc::Weak"])
    if imports is None:
        return None
    edits.extend(imports)
    try:
        file.apply(edits)
    except EditError:
        return None
    return edits


def _run(conv: Conversion) -> Plan:
    """Visits every slot until none is left, then checks the lock guards."""
    while conv.queue:
        what, payload, kind = conv.queue.pop(0)
        if what == "binding":
            assert isinstance(payload, Node)
            origins.binding(conv, payload, kind)
            destinations.binding_uses(conv, payload, kind)
        else:
            assert isinstance(payload, str)
            origins.field(conv, payload, kind)
            destinations.field_uses(conv, payload, kind)
    locks.check_borrows(conv)
    return conv.plan


def _name_taken(file: SourceFile, name: str) -> bool:
    """True when `name` already means something other than `std::sync::<name>`."""
    for imp in use_lines.imports(file):
        path = use_lines.normalise(imp.path)
        if imp.name == name and path != f"std::sync::{name}" and \
                not (name == "Weak" and path == "std::rc::Weak"):
            return True
        if imp.name == "*" and path != "std::sync::*" and \
                imp.declaration.parent is not None and imp.declaration.parent.type == "source_file":
            return True
    return any(found == name for found, _ in items.named_items(
        file.parsed, "struct_item", "enum_item", "type_item", "trait_item"))


def _names(file: SourceFile, cell: str | None, *, qualify_weak: bool) -> Names:
    arc = "std::sync::Arc" if _name_taken(file, "Arc") else "Arc"
    lock_name = cell or "Mutex"
    lock = f"std::sync::{lock_name}" if _name_taken(file, lock_name) else lock_name
    weak = "std::sync::Weak" if qualify_weak or _name_taken(file, "Weak") else "Weak"
    return Names(arc=arc, lock=lock, weak=weak)


def _remaining(file: SourceFile, name: str, plan: Plan) -> int:
    """Uses of `name` outside `use` lines that the plan does not rewrite."""
    count = 0
    for node in file.identifiers(name):
        if any(a.type == "use_declaration" for a in ancestors(node)):
            continue
        if any(s <= node.start_byte and node.end_byte <= e for (s, e) in plan.edits):
            continue
        count += 1
    return count
