"""Writing `use` lines: the edits that add or drop paths when a fix changes which names the
code needs, module scope by module scope (`use_lines` reads them).

`import_edits` is the entry point: given a fix's edits it adds the paths their new code names
and drops those nothing names any more, in every module scope the edits touch.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable

import tree_sitter

from borrowlens.analyses.diagnostics.limits import MAX_NAME
from borrowlens.analyses.fixes import use_lines
from borrowlens.analyses.fixes.edits import EditError, TextEdit
from borrowlens.analyses.fixes.source_file import SourceFile
from borrowlens.analyses.fixes.use_lines import normalise

Node = tree_sitter.Node

_WORD = r"(?<![A-Za-z0-9_:]){name}(?![A-Za-z0-9_])"


def import_edits(file: SourceFile, edits: list[TextEdit], *, add: Iterable[str] = (),
                 drop: Iterable[str] = ()) -> list[TextEdit] | None:
    """The `use` edits that go with `edits`, module scope by module scope: each module where
    the new code names a path of `add` imports it (unless it already does), and each module
    that imports a path of `drop` loses that `use` when nothing it (or a nested module
    reading it through a glob) still names refers to it. New code that names a dropped
    path's name keeps its `use`, unless an added path of that name is what it means.

    None when an added path would clash with a `use` of the same name that stays; `[]` when
    `edits` do not apply to the file."""
    try:
        file.apply(edits)
    except EditError:
        return []
    spans = [(file.byte_at(e.line_start, e.column_start), file.byte_at(e.line_end, e.column_end),
              e.new_text) for e in edits if e.file == file.path]
    add, drop = list(add), list(drop)
    adding = {_name(path) for path in add}

    def introduced(name: str, scope: Node) -> bool:
        if len(name) > MAX_NAME:
            return False
        word = re.compile(_WORD.format(name=re.escape(name)))
        return any(word.search(text) and use_lines.scope_at(file, start).id == scope.id
                   for start, _, text in spans)

    def remaining(name: str, scope: Node) -> bool:
        for node in use_lines.unqualified_uses(file, name, scope):
            if not any(s < e and s <= node.start_byte and node.end_byte <= e
                       for s, e, _ in spans):
                return True
        return name not in adding and introduced(name, scope)

    extra: list[TextEdit] = []
    for scope in use_lines.module_scopes(file):
        imported = {normalise(i.path) for i in use_lines.imports(file, scope)}
        needed = [path for path in add if introduced(_name(path), scope)
                  and not use_lines.imports_name(file, _name(path), path, scope)]
        unused = [path for path in drop if normalise(path) in imported
                  and not remaining(_name(path), scope)
                  and not any(remaining(_name(path), other) for other in
                              use_lines.borrowing_scopes(file, scope, _name(path)))]
        if any(_name(old) == _name(new) and old not in unused
               and use_lines.imports_name(file, _name(old), old, scope)
               for new in needed for old in drop):
            return None  # the new name would clash with the old one, which stays
        extra.extend(_scope_edits(file, scope, needed, unused))
    return extra


def _name(path: str) -> str:
    return path.rsplit("::", 1)[-1]


def _listed(names: list[str]) -> str:
    return "{" + ", ".join(names) + "}"


def _scope_edits(file: SourceFile, scope: Node, add: list[str],
                 drop: list[str]) -> list[TextEdit]:
    """The `use` edits of one module scope. A new path joins an existing `use <module>::{…}`
    list when there is one; the others come as one `use <module>::{A, B};` line per module,
    which takes the place of a `use` line that goes away entirely, else follows the scope's
    last `use`."""
    joined: list[TextEdit] = []
    separate: dict[str, list[str]] = {}
    for path in add:
        edit = add_import(file, path, scope)
        if edit is None:
            continue
        if edit.new_text.lstrip(" \t\r\n").startswith("use "):
            module, _, name = path.rpartition("::")
            separate.setdefault(module, []).append(name)
        else:
            joined.append(edit)
    lines = {module: f"use {module}::{names[0] if len(names) == 1 else _listed(names)};"
             for module, names in separate.items()}
    first_line = next(iter(lines.values()), None)
    removals = remove_imports(file, drop, replacement=first_line, scope=scope)
    for module, line in lines.items():
        if line == first_line and any(e.new_text == line for e in removals):
            continue
        first = add_import(file, f"{module}::{separate[module][0]}", scope)
        if first is not None:
            plain = f"use {module}::{separate[module][0]};"
            joined.append(dataclasses.replace(first, new_text=first.new_text.replace(plain, line)))
    return joined + removals


def _scope_uses(scope: Node) -> list[Node]:
    return [n for n in scope.named_children if n.type == "use_declaration"]


def add_import(file: SourceFile, path: str, scope: Node | None = None) -> TextEdit | None:
    """An edit adding `use <path>;` to the uses of a module scope (the file's top level by
    default; see `module_scope`), or None if it is already imported there. It joins an
    existing `use <module>::{…}` list when there is one."""
    target = file.root if scope is None else scope
    name = path.rsplit("::", 1)[-1]
    if use_lines.imports_name(file, name, path, target):
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
                and normalise(file.node_text(prefix)) == normalise(module)):
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


def remove_imports(file: SourceFile, paths: list[str], *,
                   replacement: str | None = None,
                   scope: Node | None = None) -> list[TextEdit]:
    """Edits removing several `use` paths at once, without overlapping edits when two of
    them sit in one `{…}` list (a list left empty goes away with its path). With
    `replacement`, the first top-level declaration that goes away entirely is replaced by it
    instead of deleted (a new `use` line in the old one's place). With `scope`, only that
    module's own `use` lines are touched."""
    wanted = {normalise(p) for p in paths}
    targets = [imp for imp in use_lines.imports(file, scope)
               if normalise(imp.path) in wanted and imp.name != "*"]
    removed: set[int] = {imp.node.id for imp in targets}
    edits: list[TextEdit] = []
    declarations: dict[int, Node] = {imp.declaration.id: imp.declaration for imp in targets}

    def gone(node: Node) -> bool:
        if node.id in removed:
            return True
        if node.type == "scoped_use_list":
            listed = node.child_by_field_name("list")
            return listed is not None and all(gone(c) for c in listed.named_children)
        if node.type == "use_list":
            return all(gone(c) for c in node.named_children)
        return False

    def trim(listed: Node) -> None:
        items = listed.named_children
        index = 0
        while index < len(items):
            item = items[index]
            if not gone(item):
                if item.type == "scoped_use_list":
                    inner = item.child_by_field_name("list")
                    if inner is not None:
                        trim(inner)
                index += 1
                continue
            end = index
            while end + 1 < len(items) and gone(items[end + 1]):
                end += 1
            if end + 1 < len(items):
                edits.append(file.edit_bytes(item.start_byte, items[end + 1].start_byte, ""))
            else:
                edits.append(file.edit_bytes(items[index - 1].end_byte, items[end].end_byte, ""))
            index = end + 1

    for declaration in declarations.values():
        argument = declaration.child_by_field_name("argument")
        if argument is None:
            continue
        if gone(argument):
            if replacement is not None and declaration.parent is not None and \
                    declaration.parent.id == (scope or file.root).id:
                edits.append(file.replace(declaration, replacement))
                replacement = None
            else:
                edits.append(file.delete_lines(declaration))
        elif argument.type == "scoped_use_list":
            inner = argument.child_by_field_name("list")
            if inner is not None:
                trim(inner)
        elif argument.type == "use_list":
            trim(argument)
    return edits
