"""Is the data behind the pointer thread-safe? An Rc → Arc conversion is offered only when the
type inside is `Send` (and `Sync` where threads share it) as far as this file shows: no
`Cell`, `Rc`, raw pointer, trait object without the bound or generic parameter, in it or in
the fields of the file's own types it names. Otherwise `Arc` would only move the error."""

from __future__ import annotations

import re

import tree_sitter

from borrowlens.analyses.fixes import use_lines
from borrowlens.analyses.fixes.source_file import SourceFile
from borrowlens.analyses.rust import items
from borrowlens.analyses.rust.syntax import ancestors

Node = tree_sitter.Node

# Types that are not `Send`/`Sync` (or not thread-safe to share) wherever they appear.
_NEVER = {"Rc", "Cell", "RefCell", "UnsafeCell", "OnceCell", "LazyCell", "NonNull",
          "MutexGuard", "RwLockReadGuard", "RwLockWriteGuard", "Ref", "RefMut",
          "MappedMutexGuard", "PhantomPinned"}
# Send but not Sync: fine inside a `Mutex`, not behind a bare `Arc` or in a `RwLock`.
_NOT_SYNC = {"Receiver", "SyncUnsafeCell"}


def thread_safe(file: SourceFile, type_text: str, *, need_sync: bool,
                generics: set[str], seen: set[str] | None = None) -> bool:
    """False when the type (as far as this file shows) is not `Send` (or `Sync` when
    `need_sync`): a `Cell`, an `Rc`, a raw pointer, a trait object without the bound, a
    generic parameter, or a struct of this file with such a field."""
    seen = set() if seen is None else seen
    if re.search(r"\*\s*(?:const|mut)\b|\bfn\s*\(", type_text):
        return False
    for dyn in re.finditer(r"\bdyn\b([^>,)]*)", type_text):
        bounds = dyn.group(1)
        if "Send" not in bounds or (need_sync and "Sync" not in bounds):
            return False
    if re.search(r"\brc::Weak\b", type_text):
        return False
    local = dict(items.named_items(file.parsed, "struct_item", "enum_item", "type_item",
                                        "union_item"))
    rc_weak = use_lines.imports_name(file, "Weak", "std::rc::Weak")
    for word in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", type_text):
        if word in _NEVER or word in generics or (need_sync and word in _NOT_SYNC):
            return False
        if word == "Weak" and rc_weak:
            return False
        if word in local and word not in seen:
            seen.add(word)
            item = local[word]
            if item.type == "union_item":
                return False
            own = set(generics)
            params = item.child_by_field_name("type_parameters")
            if params is not None:
                own |= {file.node_text(n) for n in file.walk(params)
                        if n.type == "type_identifier"}
            body = item.child_by_field_name("body") or item.child_by_field_name("type")
            text = file.node_text(body) if body is not None else ""
            # Generic parameters of the item itself are filled in by its user: fine here.
            text = re.sub(r"\b(?:" + "|".join(map(re.escape, own - generics)) + r")\b", "",
                          text) if own - generics else text
            if not thread_safe(file, text, need_sync=need_sync, generics=generics, seen=seen):
                return False
    return True


def generics_around(file: SourceFile, node: Node) -> set[str]:
    """The type parameters declared by `node` and the items around it."""
    out: set[str] = set()
    for ancestor in [node, *ancestors(node)]:
        params = ancestor.child_by_field_name("type_parameters")
        if params is not None:
            out |= {file.node_text(n) for n in file.walk(params) if n.type == "type_identifier"}
    return out
