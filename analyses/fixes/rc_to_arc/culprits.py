"""From what a diagnostic names to where an Rc → Arc conversion starts: the shape of the
culprit's type (`Rc<T>`, `rc::Weak<T>`, `Rc<RefCell<T>>`, `Arc<RefCell<T>>`, `&RefCell<T>`),
and the binding or struct field in the file that holds it."""

from __future__ import annotations

import re
from dataclasses import dataclass

import tree_sitter

from borrowlens.analyses.fixes.rc_to_arc.convert import Start
from borrowlens.analyses.fixes.rc_to_arc.plan import CELL, STRONG, WEAK
from borrowlens.analyses.fixes.source_file import SourceFile
from borrowlens.analyses.rust import bindings, items

Node = tree_sitter.Node

_RC_TYPE = re.compile(r"^&?(?:'\w+\s+)?(?:(?:std|alloc)::)?(?:rc::)?Rc<")
_WEAK_TYPE = re.compile(r"^&?(?:'\w+\s+)?(?:(?:std|alloc)::)?(?:rc::)?Weak<")
_ARC_TYPE = re.compile(r"^&?(?:'\w+\s+)?(?:(?:std|alloc)::)?(?:sync::)?Arc<")
_REFCELL_TYPE = re.compile(r"^(?:(?:std|core)::)?(?:cell::)?RefCell<")
_OTHER_CELL = re.compile(r"^(?:(?:std|core)::)?(?:cell::)?(?:Cell|OnceCell|UnsafeCell|LazyCell)<")


@dataclass(frozen=True)
class Shape:
    """How the culprit's type converts: the kind of its slot, whether a `RefCell` inside
    must become a lock, and the data type that must be thread-safe afterwards."""

    kind: str
    cell: bool
    data: str
    pointer: str  # "Rc", "Weak" or "Arc" (only the cell changes)


def shape_of(type_text: str) -> Shape | None:
    """How a culprit of this type (as rustc prints it) converts, or None when it does not."""
    text = type_text.strip()
    if _RC_TYPE.match(text):
        kind, pointer = STRONG, "Rc"
    elif _WEAK_TYPE.match(text):
        kind, pointer = WEAK, "Weak"
    elif _ARC_TYPE.match(text):
        kind, pointer = STRONG, "Arc"
    elif _REFCELL_TYPE.match(text.lstrip("&")):
        kind, pointer = CELL, ""
    else:
        return None
    inner = pointee(text)
    if inner is None:
        return None
    if kind == CELL:
        return Shape(CELL, True, inner, "")
    if _REFCELL_TYPE.match(inner):
        data = pointee(inner)
        return Shape(kind, True, data, pointer) if data is not None else None
    if _OTHER_CELL.match(inner) or pointer == "Arc":
        return None
    return Shape(kind, False, inner, pointer)


def pointee(type_text: str) -> str | None:
    """`T` of the first `Rc<T>`/`Arc<T>`/`Weak<T>` in a type, or of `RefCell<T>` when the
    text is a bare cell."""
    found = re.search(r"(?<![A-Za-z0-9_])(?:Rc|Arc|Weak|RefCell)<", type_text)
    if found is None:
        return None
    depth, start = 0, found.end()
    for index in range(start, len(type_text)):
        char = type_text[index]
        if char == "<":
            depth += 1
        elif char == ">":
            if depth == 0:
                return type_text[start:index]
            depth -= 1
    return None


def binding_on_line(file: SourceFile, name: str, line: int) -> Node | None:
    """The binding `name` declared (or, failing that, used) on `line`."""
    found = [n for n in file.identifiers(name, kinds=("identifier",))
             if file.parsed.start(n)[0] == line]
    for node in found:
        if bindings.is_binding(node):
            return node
    for node in found:
        target = bindings.resolve(file.parsed, node)
        if target is not None:
            return target
    return None


def struct_field_start(file: SourceFile, struct_type: str) -> tuple[Start, Shape] | None:
    """The one field of a struct of this file whose type is an `Rc`/`rc::Weak`."""
    name = re.sub(r"^&(?:'\w+\s+)?(?:mut\s+)?", "", struct_type.strip())
    name = re.sub(r"<.*", "", name).rsplit("::", 1)[-1]
    structs = [n for found_name, n in items.named_items(file.parsed, "struct_item")
               if found_name == name]
    if len(structs) != 1:
        return None
    found = []
    for node in items.field_declarations(structs[0]):
        kind = node.child_by_field_name("type")
        shape = shape_of(file.node_text(kind)) if kind is not None else None
        field_name = node.child_by_field_name("name")
        if shape is not None and shape.pointer in ("Rc", "Weak") and field_name is not None:
            found.append((Start(shape.kind, field_name=file.node_text(field_name)), shape))
        elif kind is not None and re.search(r"\b(?:Rc|Weak)\s*<", file.node_text(kind)):
            return None  # `Vec<Rc<T>>`, `Option<Rc<T>>`: not a slot we convert
    return found[0] if len(found) == 1 else None


def closure_binding(file: SourceFile, line: int, variable: str,
                    kind: str) -> Start | None:
    """The binding (or, for `x.field`, the field) a closure (or an `async` block) on `line`
    captures."""
    closures = [n for n in file.walk() if n.type in ("closure_expression", "async_block")
                and file.parsed.start(n)[0] == line]
    name, _, field_name = variable.partition(".")
    for closure in closures:
        body = closure.child_by_field_name("body") or next(
            (c for c in closure.named_children if c.type == "block"), None)
        if body is None:
            continue
        if field_name:
            if "." in field_name:
                return None
            return Start(kind, field_name=field_name)
        for node in file.identifiers(name, within=body, kinds=("identifier",)):
            binding = bindings.resolve(file.parsed, node)
            if binding is not None and binding.start_byte < closure.start_byte:
                return Start(kind, binding=binding)
    return None
