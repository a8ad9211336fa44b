"""Edits that trade a borrow for an owned value: keeping the uses of a name valid once it
owns its data, and cloning a value out of a lock guard's block (E0597).

`owned_uses` is shared by the spawn copies (`spawn.own_parameter_copy`) and the guard clone:
a name that held `&T` and now holds `T` reads the same as a method receiver, a field access
or a macro argument; a plain call argument gets a `&`, which deref-coerces back.

`guard_clone_out` handles

    let first = {
        let users = self.users.lock().unwrap();
        &users[0]
    };

where the reference into the guard outlives it: the block ends with `users[0].clone()`
instead (just `users[0]` for a `Copy` value), so `first` owns its value and the lock is
released where the block ends. The value's type is read from the source: the `Mutex` /
`RwLock` / `RefCell` field or parameter the guard comes from, then each `[…]` and `.field`
of the tail. Only types visibly `Clone` (std owners of such, or a type of the file that
derives `Clone`) are cloned.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import tree_sitter

from borrowlens.analyses.fixes.edits import Fix, TextEdit
from borrowlens.analyses.fixes.source_file import SourceFile, make_fix
from borrowlens.analyses.rust import bindings, items, locate, printed, syntax

Node = tree_sitter.Node

_GUARD_CALL = re.compile(r"^(?P<lock>.+?)\s*\.\s*(?:lock|read|write|borrow|borrow_mut)\(\)"
                         r"(?:\s*\.\s*(?:unwrap\(\)|expect\([^()]*\)))?$", re.DOTALL)
_COPY = {"bool", "char", "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32", "i64",
         "i128", "isize", "f32", "f64"}
_CLONE_OWNERS = {"String", "PathBuf", "OsString", "Vec", "VecDeque", "Option", "HashMap",
                 "BTreeMap", "HashSet", "BTreeSet", "Box", "Result"}
_SHARED = {"Arc", "Rc"}
_WRAPPERS = ("Arc", "Rc", "Box")
_LOCKS = ("Mutex", "RwLock", "RefCell")


def owned_uses(file: SourceFile, uses: list[Node]) -> list[TextEdit] | None:
    """The edits that keep each use valid once the name owns its value, or None when one is
    not understood: method receivers, field accesses and macro arguments read the same; a
    plain call argument gets a `&`."""
    edits: list[TextEdit] = []
    for node in uses:
        parent = node.parent
        if parent is None:
            return None
        if parent.type == "token_tree":
            continue
        if parent.type == "field_expression" and \
                (value := parent.child_by_field_name("value")) is not None and \
                value.id == node.id:
            continue
        if parent.type == "arguments" and parent.parent is not None and \
                parent.parent.type == "call_expression":
            edits.append(file.insert_before(node, "&"))
            continue
        return None
    return edits


@dataclass(frozen=True)
class GuardTail:
    """A block ending in `&guard…` whose value is read out of a lock guard."""

    tail: Node
    holder: str
    value_type: str
    owned: str | None  # the tail rewritten to own its value; None when the type is not Clone


def guard_tail(file: SourceFile, borrow: Node, guard: str) -> GuardTail | None:
    """The block tail `&guard[i]` / `&guard.field` around `borrow`, with the type of the value
    it points at, when the block is a `let holder = { let guard = x.lock()…; &guard… };`."""
    reference = syntax.enclosing(borrow, "reference_expression")
    block = reference.parent if reference is not None else None
    declaration = block.parent if block is not None else None
    if (reference is None or block is None or block.type != "block"
            or block.named_children[-1].id != reference.id or declaration is None
            or declaration.type != "let_declaration"
            or declaration.child_by_field_name("type") is not None
            or any(c.type == "mutable_specifier" for c in reference.children)):
        return None
    pattern = declaration.child_by_field_name("pattern")
    target = reference.child_by_field_name("value")
    if pattern is None or pattern.type != "identifier" or target is None:
        return None
    path = _place_path(file, target, guard)
    locked = _guard_source(file, block, guard)
    if path is None or locked is None:
        return None
    kind = _lock_content(file, block, locked)
    for step in path:
        kind = _step(file, kind, step) if kind is not None else None
    if kind is None:
        return None
    inner = file.node_text(target)
    clone = _clone_kind(file, kind)
    owned = inner if clone == "copy" else f"{inner}.clone()" if clone == "clone" else None
    return GuardTail(reference, file.node_text(pattern), kind, owned)


def guard_clone_out(file: SourceFile, found: GuardTail) -> Fix | None:
    """`&users[0]` → `users[0].clone()` as the block's value, when every later use of the
    holder reads an owned value the same way."""
    declaration = found.tail.parent.parent if found.tail.parent is not None else None
    pattern = declaration.child_by_field_name("pattern") if declaration is not None else None
    if found.owned is None or pattern is None:
        return None
    uses = bindings.uses_of(file.parsed, pattern)
    edits = owned_uses(file, uses) if uses is not None else None
    if edits is None:
        return None
    how = "Copy" if not found.owned.endswith(".clone()") else "Clone"
    return make_fix("clone-out-of-guard",
                    f"{how} the value out of the lock: end the block with `{found.owned}`",
                    [file.replace(found.tail, found.owned), *edits], preferred=True)


def _place_path(file: SourceFile, node: Node, guard: str) -> list[str] | None:
    """`guard[0].name` → ["[]", ".name"], rooted at the identifier `guard`."""
    steps: list[str] = []
    while node.type != "identifier":
        if node.type == "index_expression":
            steps.append("[]")
            node = node.named_children[0]
        elif node.type == "field_expression":
            field = node.child_by_field_name("field")
            value = node.child_by_field_name("value")
            if field is None or value is None or field.type != "field_identifier":
                return None
            steps.append("." + file.node_text(field))
            node = value
        else:
            return None
    return list(reversed(steps)) if file.node_text(node) == guard else None


def _guard_source(file: SourceFile, block: Node, guard: str) -> str | None:
    """The locked expression of `let guard = <it>.lock().unwrap();` in the block."""
    for statement in block.named_children:
        pattern = statement.child_by_field_name("pattern")
        value = statement.child_by_field_name("value")
        if (statement.type == "let_declaration" and pattern is not None and value is not None
                and file.node_text(pattern) == guard):
            found = _GUARD_CALL.match(file.node_text(value))
            return re.sub(r"\s+", "", found.group("lock")) if found else None
    return None


def _lock_content(file: SourceFile, at: Node, locked: str) -> str | None:
    """The `T` of the `Mutex<T>` (or `RwLock`, `RefCell`) that `self.field` or a parameter
    named `locked` holds, through `&`, `Arc`, `Rc` and `Box`."""
    declared = _declared_type(file, at, locked)
    if declared is None:
        return None
    kind = re.sub(r"\s+", " ", declared).strip()
    while True:
        kind = re.sub(r"^&\s*(?:'\w+\s+)?(?:mut\s+)?", "", kind)
        outer = _generic(kind)
        if outer is None:
            return None
        name, args = outer
        if name in _WRAPPERS and len(args) == 1:
            kind = args[0]
        elif name in _LOCKS and len(args) == 1:
            return args[0]
        else:
            return None


def _declared_type(file: SourceFile, at: Node, locked: str) -> str | None:
    function = locate.enclosing_function(at)
    if function is None:
        return None
    if locked.startswith("self."):
        impl = next((a for a in syntax.ancestors(function) if a.type == "impl_item"), None)
        owner = impl.child_by_field_name("type") if impl is not None else None
        return _field_type(file, file.node_text(owner), locked[5:]) if owner else None
    parameters = function.child_by_field_name("parameters")
    for parameter in parameters.named_children if parameters is not None else []:
        pattern, kind = parameter.child_by_field_name("pattern"), \
            parameter.child_by_field_name("type")
        if pattern is not None and kind is not None and file.node_text(pattern) == locked:
            return file.node_text(kind)
    return None


def _field_type(file: SourceFile, struct: str, field: str) -> str | None:
    for name, item in items.named_items(file.parsed, "struct_item"):
        if name != struct:
            continue
        for declaration in items.field_declarations(item):
            named = declaration.child_by_field_name("name")
            kind = declaration.child_by_field_name("type")
            if named is not None and kind is not None and file.node_text(named) == field:
                return file.node_text(kind)
    return None


def _generic(kind: str) -> tuple[str, list[str]] | None:
    """`std::sync::Mutex<Vec<u8>>` → ("Mutex", ["Vec<u8>"]); `Config` → ("Config", [])."""
    found = re.fullmatch(r"(?:\w+::)*(?P<name>\w+)\s*(?:<(?P<args>.*)>)?", kind.strip())
    if found is None:
        return None
    args = found.group("args")
    parts = [p.strip() for p in printed.split_top_level(args, "<([")] if args else []
    return found.group("name"), [p for p in parts if p]


def _step(file: SourceFile, kind: str, step: str) -> str | None:
    """The type reached from `kind` by `[…]` or `.field`."""
    array = re.fullmatch(r"\[\s*(?P<element>.+?)\s*(?:;\s*\w+\s*)?\]", kind)
    if step == "[]" and array is not None:
        return array.group("element")
    outer = _generic(kind)
    if outer is None:
        return None
    name, args = outer
    if step == "[]":
        if name in ("Vec", "VecDeque") and len(args) == 1:
            return args[0]
        if name in ("HashMap", "BTreeMap") and len(args) == 2:
            return args[1]
        return None
    return _field_type(file, name, step[1:]) if not args else None


def _clone_kind(file: SourceFile, kind: str) -> str | None:
    """"copy" for a `Copy` value, "clone" for one visibly `Clone`, else None."""
    kind = kind.strip()
    if kind in _COPY:
        return "copy"
    outer = _generic(kind)
    if outer is None:
        return None
    name, args = outer
    if name in _SHARED:
        return "clone"
    if name in _CLONE_OWNERS:
        return "clone" if all(_clone_kind(file, a) for a in args) else None
    derived = _derives(file, name)
    if args or not derived:
        return None
    return "copy" if "Copy" in derived else "clone" if "Clone" in derived else None


def _derives(file: SourceFile, name: str) -> set[str]:
    """The traits a struct or enum of the file derives (`#[derive(Clone, Debug)]`)."""
    for found, item in items.named_items(file.parsed, "struct_item", "enum_item"):
        if found != name:
            continue
        derived: set[str] = set()
        sibling = item.prev_named_sibling
        while sibling is not None and sibling.type == "attribute_item":
            listed = re.search(r"derive\s*\((?P<list>[^)]*)\)", file.node_text(sibling))
            if listed:
                derived |= {p.strip().split("::")[-1] for p in listed.group("list").split(",")}
            sibling = sibling.prev_named_sibling
        return derived
    return set()
