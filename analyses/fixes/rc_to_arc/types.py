"""The type rewrite of an Rc → Arc conversion: `Rc<T>` → `Arc<T>`, `rc::Weak<T>` →
`sync::Weak<T>`, `RefCell<T>` → `Mutex<T>`/`RwLock<T>`, in annotations and in the paths of
constructor calls (`Rc::new` → `Arc::new`), written with the names the conversion chose."""

from __future__ import annotations

import re

import tree_sitter

from borrowlens.analyses.fixes.rc_to_arc.plan import (
    CELL,
    STRONG,
    WEAK,
    Conversion,
    UnsupportedError,
)

Node = tree_sitter.Node

# The paths the rewrite recognises, as written in types and calls.
RC_PATH = re.compile(r"^(?:(?:::)?(?:std|alloc)::)?(?:rc::)?Rc$")
ARC_PATH = re.compile(r"^(?:(?:::)?(?:std|alloc)::)?(?:sync::)?Arc$")
REFCELL_PATH = re.compile(r"^(?:(?:::)?(?:std|core)::)?(?:cell::)?RefCell$")
RC_WEAK_QUALIFIED = re.compile(r"^(?:(?:::)?(?:std|alloc)::)?rc::Weak$")


def type_edit(conv: Conversion, node: Node, kind: str) -> None:
    """Rewrites the annotation of a slot of `kind` (a `&` in front is kept)."""
    if node.type == "reference_type":
        inner = node.child_by_field_name("type")
        if inner is None:
            raise UnsupportedError("reference")
        node = inner
    if node.type != "generic_type":
        raise UnsupportedError(f"type {node.type}")
    head = node.child_by_field_name("type")
    args = node.child_by_field_name("type_arguments")
    if head is None or args is None or len(args.named_children) != 1:
        raise UnsupportedError("type shape")
    path = conv.path_text(head)
    inner_type = args.named_children[0]
    if kind == CELL:
        cell_type(conv, node)
        return
    if kind == STRONG:
        if RC_PATH.match(path):
            arc_path(conv, head, path)
        elif not ARC_PATH.match(path) or conv.plan.cell is None:
            raise UnsupportedError("not an Rc type")
    elif kind == WEAK and not weak_path(conv, head, path):
        raise UnsupportedError("not an rc::Weak type")
    if conv.plan.cell is not None:
        cell_type(conv, inner_type)
    elif inner_type.type == "generic_type" and conv.path_text(
            inner_type.child_by_field_name("type")).endswith("Cell"):
        raise UnsupportedError("a cell the conversion does not cover")


def cell_type(conv: Conversion, node: Node) -> None:
    """`RefCell<T>` → the chosen lock."""
    head = node.child_by_field_name("type") if node.type == "generic_type" else None
    path = conv.path_text(head)
    if head is None or not REFCELL_PATH.match(path):
        raise UnsupportedError("expected RefCell<…>")
    lock_path(conv, head, path)


def arc_path(conv: Conversion, path: Node, text: str) -> None:
    """`Rc` (in a type or a call's path) → `Arc`."""
    conv.replace(path, conv.names.arc if text == "Rc" else "std::sync::Arc")


def lock_path(conv: Conversion, path: Node, text: str) -> None:
    """`RefCell` (in a type or a call's path) → the chosen lock."""
    if conv.plan.cell is None:
        raise UnsupportedError("no lock chosen")
    conv.replace(path, conv.names.lock if text == "RefCell"
                 else f"std::sync::{conv.plan.cell}")


def weak_path(conv: Conversion, path: Node, text: str) -> bool:
    """`Weak` meaning `std::rc::Weak` (or a qualified `rc::Weak`) → `sync::Weak`; False when
    the path is another `Weak`."""
    if not ((text == "Weak" and conv.rc_weak_names) or RC_WEAK_QUALIFIED.match(text)):
        return False
    conv.replace(path, conv.names.weak if text == "Weak" else "std::sync::Weak")
    conv.plan.converted_weak += 1
    return True
