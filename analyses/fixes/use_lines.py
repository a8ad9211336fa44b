"""The `use`-line engine: what a file's `use` declarations bring into scope, module scope by
module scope, and the edits that add or drop paths when a fix changes which names the code
needs.

A nested `mod m { … }` does not see its parent's `use` lines (unless it globs them with
`use super::*;`), so every decision is made per module scope: the file's root or the
`{ … }` of an inline module.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import tree_sitter

from borrowlens.analyses.fixes.edits import EditError, TextEdit
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


def _normalise(path: str) -> str:
    return re.sub(r"\s+", "", path).removeprefix("::")


def imports_name(file: SourceFile, name: str, path: str, scope: Node | None = None) -> bool:
    """True when a `use` already binds `name` to `path` (directly or by a glob of its module);
    with `scope`, a `use` of that module (see `module_scope`)."""
    module = path.rsplit("::", 1)[0]
    for imp in imports(file, scope):
        if imp.name == name and _normalise(imp.path) == _normalise(path):
            return True
        if imp.name == "*" and _normalise(imp.path) == _normalise(module) + "::*":
            return True
    return False


def _scope_uses(scope: Node) -> list[Node]:
    return [n for n in scope.named_children if n.type == "use_declaration"]


def _top_level_uses(file: SourceFile) -> list[Node]:
    return _scope_uses(file.root)


def add_import(file: SourceFile, path: str, scope: Node | None = None) -> TextEdit | None:
    """An edit adding `use <path>;` to the uses of a module scope (the file's top level by
    default; see `module_scope`), or None if it is already imported there. It joins an
    existing `use <module>::{…}` list when there is one."""
    target = file.root if scope is None else scope
    name = path.rsplit("::", 1)[-1]
    if imports_name(file, name, path, target):
        return None
    module = path.rsplit("::", 1)[0]
    uses = _scope_uses(target)
    for decl in uses:
        argument = decl.child_by_field_name("argument")
        if argument is None or argument.type != "scoped_use_list":
            continue
        prefix = argument.child_by_field_name("path")
        listed = argument.child_by_field_name("list")
        if (prefix is not None and listed is not None
                and _normalise(file.node_text(prefix)) == _normalise(module)):
            closing = listed.children[-1]
            before = listed.children[-2] if len(listed.children) > 1 else None
            comma = "" if before is not None and before.type in (",", "{") else ", "
            return file.insert_before(closing, f"{comma}{name}")
    newline = "\r\n" if "\r\n" in file.text else "\n"
    if uses:
        return file.insert_after(uses[-1], f"{newline}{file.indent_of(uses[-1])}use {path};")
    if target.type == "declaration_list":
        return _add_to_module(file, target, path, newline)
    # No `use` yet: after the leading inner attributes and `//!` comments.
    anchor = 0
    for child in file.root.children:
        if _leading_inner(file, child):
            anchor = child.end_byte
            continue
        break
    if anchor:
        return file.edit_bytes(anchor, anchor, f"{newline}use {path};"
                               if not file.text[:anchor].endswith("\n")
                               else f"use {path};{newline}")
    return file.edit_bytes(0, 0, f"use {path};{newline}")


def _leading_inner(file: SourceFile, node: Node) -> bool:
    return node.type == "inner_attribute_item" or (
        node.type in ("line_comment", "block_comment")
        and file.node_text(node).startswith(("//!", "/*!")))


def _add_to_module(file: SourceFile, body: Node, path: str, newline: str) -> TextEdit | None:
    """`use <path>;` as the first item of an inline module without `use` lines (after its
    inner attributes), at the indentation of its items."""
    if not body.children or body.children[0].type != "{":
        return None
    anchor = body.children[0]
    first_item: Node | None = None
    for child in body.children[1:]:
        if _leading_inner(file, child):
            anchor = child
            continue
        if child.type != "}":
            first_item = child
        break
    module = body.parent if body.parent is not None else body
    indent = (file.indent_of(first_item) if first_item is not None
              and file.indent_of(first_item) != file.indent_of(module)
              else file.indent_of(module) + file.indent_unit())
    return file.insert_after(anchor, f"{newline}{indent}use {path};")


def remove_import(file: SourceFile, path: str, scope: Node | None = None) -> TextEdit | None:
    """An edit removing `path` from the uses (the whole line when it is alone); with `scope`,
    only from that module's own `use` lines."""
    for imp in imports(file, scope):
        if _normalise(imp.path) != _normalise(path) or imp.name == "*":
            continue
        parent = imp.node.parent
        if parent is not None and parent.type == "use_list":
            items = parent.named_children
            if len(items) == 1:
                continue  # `use a::{Rc};`: leave the odd but harmless shape alone
            index = next(i for i, n in enumerate(items) if n.id == imp.node.id)
            if index + 1 < len(items):
                return file.edit_bytes(imp.node.start_byte, items[index + 1].start_byte, "")
            return file.edit_bytes(items[index - 1].end_byte, imp.node.end_byte, "")
        if imp.node.id == (imp.declaration.child_by_field_name("argument") or imp.node).id:
            return file.delete_lines(imp.declaration)
    return None


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
                                         _normalise(imp.path)):
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


_WORD = r"(?<![A-Za-z0-9_:]){name}(?![A-Za-z0-9_])"


def import_edits(file: SourceFile, edits: list[TextEdit], *, add: Iterable[str] = (),
                 drop: Iterable[str] = ()) -> list[TextEdit]:
    """The `use` edits that go with `edits`, module scope by module scope: each module where
    the new code names a path of `add` imports it (unless it already does), and each module
    that imports a path of `drop` loses that `use` when nothing it (or a nested module
    reading it through a glob) still names refers to it."""
    try:
        file.apply(edits)
    except EditError:
        return []
    mine = [e for e in edits if e.file == file.path]
    spans = [(file.byte_at(e.line_start, e.column_start), file.byte_at(e.line_end, e.column_end),
              e.new_text) for e in mine]

    def scope_at(byte: int) -> Node:
        node = file.root.descendant_for_byte_range(byte, byte)
        return module_scope(node) if node is not None else file.root

    def introduced(name: str, scope: Node) -> bool:
        word = re.compile(_WORD.format(name=re.escape(name)))
        return any(word.search(text) and scope_at(start).id == scope.id
                   for start, _, text in spans)

    def remaining(name: str, scope: Node) -> bool:
        for node in unqualified_uses(file, name, scope):
            if not any(s < e and s <= node.start_byte and node.end_byte <= e
                       for s, e, _ in spans):
                return True
        return introduced(name, scope)

    extra: list[TextEdit] = []
    for path in add:
        name = path.rsplit("::", 1)[-1]
        for scope in module_scopes(file):
            if introduced(name, scope):
                edit = add_import(file, path, scope)
                if edit is not None:
                    extra.append(edit)
    for path in drop:
        name = path.rsplit("::", 1)[-1]
        for scope in module_scopes(file):
            if not any(_normalise(i.path) == _normalise(path) for i in imports(file, scope)):
                continue
            if remaining(name, scope) or any(remaining(name, other)
                                             for other in borrowing_scopes(file, scope, name)):
                continue
            edit = remove_import(file, path, scope)
            if edit is not None:
                extra.append(edit)
    return extra
