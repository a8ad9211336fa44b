"""The state of one Rc → Arc conversion: the slots (bindings and struct fields) reached so far,
the edits planned, and the names the new types are written with.

Every part of the rewrite records into one `Conversion`; an edit that conflicts with one
already planned, or a slot reached as two kinds (`Rc` and `Weak`), ends it with
`UnsupportedError`: no fix rather than a half-converted file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import tree_sitter

from borrowlens.analyses.fixes.source_file import SourceFile
from borrowlens.analyses.rust import bindings, items

Node = tree_sitter.Node

# The kinds of slot: an `Rc<T>`, an `rc::Weak<T>`, a bare `RefCell<T>`.
STRONG, WEAK, CELL = "strong", "weak", "cell"


class UnsupportedError(Exception):
    """A shape the rewrite does not understand: no fix."""


@dataclass(frozen=True)
class Names:
    """How the new types are written: short, or qualified when the short name is taken."""

    arc: str = "Arc"
    lock: str = "Mutex"  # or "RwLock"
    weak: str = "Weak"


@dataclass
class Plan:
    """What one conversion changes."""

    cell: str | None  # None, "Mutex" or "RwLock"
    edits: dict[tuple[int, int], str] = field(default_factory=dict)
    slots: dict[tuple[str, object], str] = field(default_factory=dict)
    borrows: list[Node] = field(default_factory=list)
    converted_weak: int = 0


class Conversion:
    """One conversion in progress: the file, the plan, and the slots still to visit."""

    def __init__(self, file: SourceFile, *, cell: str | None, names: Names,
                 rc_weak_names: bool) -> None:
        self.file = file
        self.plan = Plan(cell=cell)
        self.names = names
        self.rc_weak_names = rc_weak_names  # `Weak` in this file means `std::rc::Weak`
        self.queue: list[tuple[str, object, str]] = []
        self.structs = dict(items.named_items(file.parsed, "struct_item"))
        self.functions: dict[str, list[Node]] = {}
        for name, node in items.named_items(file.parsed, "function_item"):
            self.functions.setdefault(name, []).append(node)

    def text(self, node: Node | None) -> str:
        return self.file.node_text(node) if node is not None else ""

    def path_text(self, node: Node | None) -> str:
        """A path as written, without spaces (`std :: rc :: Rc` → `std::rc::Rc`)."""
        return re.sub(r"\s+", "", self.text(node))

    # --- edits ---

    def edit(self, start: int, end: int, text: str) -> None:
        key = (start, end)
        if self.plan.edits.get(key, text) != text:
            raise UnsupportedError("conflicting edits")
        for (s, e) in self.plan.edits:
            if (s, e) != key and s < end and start < e:
                raise UnsupportedError("overlapping edits")
        self.plan.edits[key] = text

    def replace(self, node: Node, text: str) -> None:
        self.edit(node.start_byte, node.end_byte, text)

    # --- slots ---

    def add_binding(self, binding: Node, kind: str) -> None:
        self._add(("binding", binding.start_byte), kind, binding)

    def add_field(self, name: str, kind: str) -> None:
        self._add(("field", name), kind, name)

    def _add(self, key: tuple[str, object], kind: str, payload: object) -> None:
        seen = self.plan.slots.get(key)
        if seen is not None:
            if seen != kind:
                raise UnsupportedError("one slot, two kinds")
            return
        self.plan.slots[key] = kind
        self.queue.append((key[0], payload, kind))

    def join(self, expr: Node, kind: str) -> None:
        """`expr` (a name or a field) holds a value of the slot's kind: its slot joins."""
        expr = unparen(expr)
        if expr.type == "identifier":
            binding = bindings.resolve(self.file.parsed, expr)
            if binding is None:
                raise UnsupportedError("unresolved name")
            self.add_binding(binding, kind)
        elif expr.type == "field_expression":
            name = expr.child_by_field_name("field")
            if name is None or name.type != "field_identifier":
                raise UnsupportedError("tuple field")
            self.add_field(self.text(name), kind)
        else:
            raise UnsupportedError(f"source {expr.type}")


def unparen(node: Node) -> Node:
    """The expression inside any parentheses around it."""
    while node.type == "parenthesized_expression" and node.named_children:
        node = node.named_children[0]
    return node


def outer(node: Node) -> tuple[Node, Node | None]:
    """The node and its parent, skipping parentheses around it."""
    parent = node.parent
    while parent is not None and parent.type == "parenthesized_expression":
        node, parent = parent, parent.parent
    return node, parent
