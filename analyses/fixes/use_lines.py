"""Reading `use` lines: what a file's `use` declarations bring into scope, module scope by
module scope, and which names in a scope still resolve through them. `use_edits` writes them.

A nested `mod m { … }` does not see its parent's `use` lines (unless it globs them with
`use super::*;`), so every decision is made per module scope: the file's root or the
`{ … }` of an inline module.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import tree_sitter

from borrowlens.analyses.fixes.source_file import SourceFile
from borrowlens.analyses.rust.syntax import ancestors, matches

Node = tree_sitter.Node


@dataclass(frozen=True)
class Import:
    """One path a `use` declaration brings into scope."""

    path: str  # "std::rc::Rc", or "std::sync::*" for a glob
    name: str  # the name it binds (the alias for `as`), "*" for a glob
    node: Node  # the node to remove to drop just this path
    declaration: Node


def _use_paths(file: SourceFile, node: Node, prefix: str,
               declaration: Node) -> Iterator[Import]:
    kind = node.type
    if kind in ("identifier", "scoped_identifier", "crate", "self", "super"):
        path = prefix + file.node_text(node)
        yield Import(path, path.rsplit("::", 1)[-1], node, declaration)
    elif kind == "use_as_clause":
        path_node = node.child_by_field_name("path")
        alias = node.child_by_field_name("alias")
        if path_node is not None and alias is not None:
            yield Import(prefix + file.node_text(path_node), file.node_text(alias), node,
                         declaration)
    elif kind == "use_wildcard":
        yield Import(prefix + file.node_text(node).replace(" ", ""), "*", node, declaration)
    elif kind == "scoped_use_list":
        path_node = node.child_by_field_name("path")
        inner = prefix + (file.node_text(path_node) + "::" if path_node is not None else "")
        listed = node.child_by_field_name("list")
        if listed is not None:
            for child in listed.named_children:
                yield from _use_paths(file, child, inner, declaration)
    elif kind == "use_list":
        for child in node.named_children:
            yield from _use_paths(file, child, prefix, declaration)


def module_scope(node: Node) -> Node:
    """The module whose names `node` sees: the `{ … }` of the nearest enclosing inline
    `mod m { … }`, or the file's root. A nested module does not see its parent's `use`
    lines, so every import decision is made per module scope."""
    current = node.parent
    while current is not None:
        if current.type == "source_file":
            return current
        if current.type == "declaration_list" and current.parent is not None and \
                current.parent.type == "mod_item":
            return current
        current = current.parent
    return node  # the root itself


def module_scopes(file: SourceFile) -> list[Node]:
    """The file's root and every inline module's `{ … }`, in source order."""
    return [file.root] + [n for n in file.walk() if n.type == "declaration_list"
                          and n.parent is not None and n.parent.type == "mod_item"]


def imports(file: SourceFile, scope: Node | None = None) -> list[Import]:
    """Every path the file's `use` declarations bring into scope (nested ones included), in
    source order (query `use_declarations.scm`). With `scope` (see `module_scope`), only the
    `use` items declared directly in that module."""
    found: list[Import] = []
    for match in matches("use_declarations", file.root):
        declaration = match["declaration"][0]
        if scope is not None and (declaration.parent is None
                                  or declaration.parent.id != scope.id):
            continue
        found.extend(_use_paths(file, match["argument"][0], "", declaration))
    return found


def normalise(path: str) -> str:
    """A `use` path as written, without spaces or a leading `::`."""
    return re.sub(r"\s+", "", path).removeprefix("::")


def imports_name(file: SourceFile, name: str, path: str, scope: Node | None = None) -> bool:
    """True when a `use` already binds `name` to `path` (directly or by a glob of its module);
    with `scope`, a `use` of that module (see `module_scope`)."""
    module = path.rsplit("::", 1)[0]
    for imp in imports(file, scope):
        if imp.name == name and normalise(imp.path) == normalise(path):
            return True
        if imp.name == "*" and normalise(imp.path) == normalise(module) + "::*":
            return True
    return False


def _qualified(node: Node) -> bool:
    """True for the last segment of a path with a prefix (`std::sync::Arc`): such a name
    needs no `use`."""
    parent = node.parent
    if parent is None or parent.type not in ("scoped_identifier", "scoped_type_identifier"):
        return False
    name = parent.child_by_field_name("name")
    return (name is not None and name.id == node.id
            and parent.child_by_field_name("path") is not None)


def unqualified_uses(file: SourceFile, name: str, scope: Node) -> list[Node]:
    """The identifiers spelled `name` that resolve through `scope`'s own names: in that
    module (not in a nested one), outside `use` lines, not the tail of a qualified path."""
    found = []
    for node in file.identifiers(name, within=scope):
        if module_scope(node).id != scope.id or _qualified(node):
            continue
        if any(a.type == "use_declaration" for a in ancestors(node)):
            continue
        found.append(node)
    return found


def borrowing_scopes(file: SourceFile, scope: Node, name: str) -> list[Node]:
    """The module scopes that may see `scope`'s import of `name` without importing it
    themselves: nested modules with a glob `use` (`use super::*;`), transitively. A
    `use super::Name` / `use crate::…::Name` anywhere makes every scope a candidate (`[]` is
    never returned then; the caller keeps the import)."""
    for imp in imports(file):
        if imp.name == name and re.match(r"(?:::)?(?:super|crate|self)\b",
                                         normalise(imp.path)):
            return module_scopes(file)
    out: list[Node] = []
    pending = [scope]
    while pending:
        current = pending.pop()
        for child in module_scopes(file):
            if child.id == current.id or module_scope(child.parent or child).id != current.id:
                continue
            own = imports(file, child)
            if any(i.name == name for i in own):
                continue
            if any(i.name == "*" for i in own):
                out.append(child)
                pending.append(child)
    return out


def scope_at(file: SourceFile, byte: int) -> Node:
    """The module scope (see `module_scope`) of the code at byte `byte`."""
    node = file.root.descendant_for_byte_range(byte, byte)
    return module_scope(node) if node is not None else file.root
