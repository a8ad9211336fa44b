"""Edits for a borrow handed to a spawn-like API that demands `'static` (E0597 through a
`let r = &local;` alias, E0521 through a reference parameter): give the task owned data.

Two mechanical shapes, both only when the source proves them safe:

* `move_borrow_into_task`: `let r = &x;` followed by `spawn(move || … r …)` where neither `x`
  nor `r` is mentioned after the spawn and `x`'s type is visibly owned and `Send`. The `let`
  moves into the closure, so the task owns `x` and borrows it there (types stay the same).
* `own_parameter_copy`: a `&str` / `&[T]` / `&String` … parameter captured by a `move` task
  and not mentioned after it: `let p = p.to_owned();` before the statement that spawns.
"""

from __future__ import annotations

import re

import tree_sitter

from borrowlens.analyses.diagnostics.limits import MAX_NAME
from borrowlens.analyses.fixes import owned
from borrowlens.analyses.fixes.blocks import alone_on_lines
from borrowlens.analyses.fixes.edits import Fix, TextEdit
from borrowlens.analyses.fixes.source_file import SourceFile, make_fix
from borrowlens.analyses.rust import bindings, items, locate, printed, syntax
from borrowlens.analyses.rust.syntax import ancestors

Node = tree_sitter.Node

_SPAWN = re.compile(r"(?:^|::|\.)(?:spawn|spawn_blocking)$")
# Owned types that are `Send` (and `Sync` where the task only borrows them) when their
# arguments are.
_OWNED = {"String", "PathBuf", "OsString", "Vec", "VecDeque", "Box", "Option", "HashMap",
          "BTreeMap", "HashSet", "BTreeSet", "Arc", "Mutex", "RwLock", "Result"}
_PRIMITIVE = {"bool", "char", "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32",
              "i64", "i128", "isize", "f32", "f64"}
# Parameter reference types and the call that makes an owned copy of them.
_COPY_CALL = {"str": "to_owned", "String": "clone", "Path": "to_path_buf", "PathBuf": "clone"}


def spawn_call(file: SourceFile, node: Node | None, *,
               boxed: bool = False) -> tuple[Node, Node, str] | None:
    """(call, task, callee) for a `…spawn(move || …)` / `…spawn(async move { … })` call at
    or around `node` (with `boxed`, a `Box::new(move |…| …)` made into a `'static` trait
    object too): the task is its only argument and already moves its captures."""
    call = syntax.enclosing(node, "call_expression") if node is not None else None
    while call is not None:
        function = call.child_by_field_name("function")
        callee = re.sub(r"\s+", "", file.node_text(function)) if function is not None else ""
        if _SPAWN.search(callee) or (boxed and callee in ("Box::new", "std::boxed::Box::new")):
            break
        call = syntax.enclosing(call.parent, "call_expression") if call.parent else None
    if call is None:
        return None
    arguments = call.child_by_field_name("arguments")
    task = arguments.named_children if arguments is not None else []
    if len(task) != 1 or task[0].type not in ("closure_expression", "async_block"):
        return None
    if not any(child.type == "move" for child in task[0].children):
        return None
    return call, task[0], callee


def _is_owned_send(file: SourceFile, text: str, depth: int = 0) -> bool:
    """True for types visibly owned and `Send + Sync`: primitives, std owners of such
    types, and structs of this file whose fields are all such types."""
    text = text.strip()
    if depth > 4 or not text or "&" in text or "dyn" in text or "impl" in text:
        return False
    if text in _PRIMITIVE:
        return True
    found = re.fullmatch(r"(?:[A-Za-z_][A-Za-z0-9_]*::)*([A-Za-z_][A-Za-z0-9_]*)\s*(?:<(.*)>)?",
                         text, re.S)
    if found is None:
        return False
    name, args = found.group(1), found.group(2)
    if name in _OWNED:
        if args is None:
            return name in ("String", "PathBuf", "OsString")
        return all(_is_owned_send(file, a, depth + 1) for a in _split_args(args))
    if args is not None:
        return False
    for struct_name, node in items.named_items(file.parsed, "struct_item"):
        if struct_name != name:
            continue
        if node.child_by_field_name("type_parameters") is not None:
            return False
        body = node.child_by_field_name("body")
        if body is None:
            return True  # unit struct
        fields = [f.child_by_field_name("type") for f in body.named_children
                  if f.type in ("field_declaration", "ordered_field_declaration")]
        return all(f is not None and _is_owned_send(file, file.node_text(f), depth + 1)
                   for f in fields)
    return False


def _split_args(args: str) -> list[str]:
    return [p for p in printed.split_top_level(args, "<") if p.strip()]


def _mentioned(text: str, name: str) -> bool:
    if len(name) > MAX_NAME:
        return False
    return re.search(rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_])", text) is not None


def _mentioned_outside(file: SourceFile, name: str, start: int, end: int,
                       skip: Node) -> bool:
    """`name` appears (code, macros, format strings) between two bytes outside `skip`."""
    data = file.parsed.data
    before = data[start:max(start, skip.start_byte)].decode("utf-8")
    after = data[max(start, skip.end_byte):end].decode("utf-8")
    return _mentioned(before, name) or _mentioned(after, name)


def _crosses(node: Node, stop: Node, kinds: tuple[str, ...]) -> bool:
    """True when an ancestor of `node` below `stop` is of one of `kinds`."""
    for ancestor in ancestors(node):
        if ancestor.id == stop.id:
            return False
        if ancestor.type in kinds:
            return True
    return True


_SCOPES = ("closure_expression", "async_block", "loop_expression", "while_expression",
           "for_expression", "function_item")


def _prepend_to_task(file: SourceFile, task: Node, statement: str) -> TextEdit | None:
    """An edit making `statement` the first thing the closure or async block runs."""
    body = task.child_by_field_name("body") if task.type == "closure_expression" else next(
        (c for c in task.named_children if c.type == "block"), None)
    if body is None:
        return None
    unit = file.indent_unit()
    if body.type == "block":
        opening = body.children[0]
        first = body.named_children[0] if body.named_children else None
        if first is None or file.parsed.start(first)[0] == file.parsed.start(opening)[0]:
            return None
        return file.insert_after(opening, f"\n{file.indent_of(first)}{statement}")
    if file.parsed.start(body)[0] != file.parsed.end(body)[0]:
        return None
    indent = file.indent_of(task)
    return file.replace(body, f"{{\n{indent}{unit}{statement}\n{indent}{unit}"
                              f"{file.node_text(body)}\n{indent}}}")


def move_borrow_into_task(file: SourceFile, borrow: Node, static_at: Node,
                          variable: str, variable_type: str | None) -> Fix | None:
    """`let r = &x; spawn(move || … r …)` → `spawn(move || { let r = &x; … r … })`; the same
    for a `move` closure boxed as a `'static` trait object (`Box::new(move |p| … r …)`)."""
    declaration = syntax.enclosing(borrow, "let_declaration")
    spawn = spawn_call(file, static_at, boxed=True)
    if declaration is None or spawn is None or variable_type is None:
        return None
    call, task, callee = spawn
    pattern = declaration.child_by_field_name("pattern")
    value = declaration.child_by_field_name("value")
    block = declaration.parent
    function = locate.enclosing_function(declaration)
    if (pattern is None or pattern.type != "identifier" or value is None or block is None
            or block.type != "block" or function is None):
        return None
    alias = file.node_text(pattern)
    # The initializer may only name `x` (method and field names aside): it moves into the
    # task, where nothing else from the caller is in scope by value.
    for node in file.walk(value):
        if node.type in ("closure_expression", "macro_invocation", "async_block"):
            return None
        if node.type == "identifier" and file.node_text(node) != variable and (
                node.parent is None or node.parent.type not in ("scoped_identifier",
                                                                 "scoped_type_identifier")):
            return None
    if not _mentioned(file.node_text(value), variable) or alias == variable:
        return None
    if not _is_owned_send(file, variable_type):
        return None
    if call.start_byte < declaration.end_byte or _crosses(call, block, _SCOPES):
        return None
    # `x` itself moves into the task: a loop or closure between its own declaration and the
    # spawn would move it once per iteration (E0382 on the second).
    owner = _declaring_block(file, value, variable)
    if owner is None or _crosses(call, owner, _SCOPES):
        return None
    if not alone_on_lines(file, declaration) or "\n" in file.node_text(declaration):
        return None
    for name in (alias, variable):
        if _mentioned_outside(file, name, declaration.end_byte, function.end_byte, task):
            return None
    if not _mentioned(file.node_text(task), alias):
        return None
    inserted = _prepend_to_task(file, task, file.node_text(declaration))
    if inserted is None:
        return None
    kind = "closure" if task.type == "closure_expression" else "task"
    return make_fix(
        "move-into-task",
        f"Move `{variable}` into the `{callee}` {kind} and borrow it there",
        [file.delete_lines(declaration), inserted], preferred=True)


def _declaring_block(file: SourceFile, within: Node, name: str) -> Node | None:
    """The block (or fn body) that declares the `name` read in `within`."""
    use = next(iter(file.identifiers(name, within=within, kinds=("identifier",))), None)
    binding = bindings.resolve(file.parsed, use) if use is not None else None
    scope = bindings.scope_of(binding) if binding is not None else None
    return scope if scope is not None and scope.type == "block" else None


def _copy_call(file: SourceFile, parameter: Node) -> str | None:
    """The method giving an owned, `Send` copy of a reference parameter's target."""
    kind = parameter.child_by_field_name("type")
    if kind is None or kind.type != "reference_type":
        return None
    if any(c.type == "mutable_specifier" for c in kind.children):
        return None
    target = kind.child_by_field_name("type")
    if target is None:
        return None
    text = re.sub(r"\s+", "", file.node_text(target))
    if text in _COPY_CALL:
        return _COPY_CALL[text]
    element = re.fullmatch(r"\[(.+)\]", text)
    if element and _is_copyable(file, element.group(1)):
        return "to_vec"
    vec = re.fullmatch(r"Vec<(.+)>", text)
    if vec and _is_copyable(file, vec.group(1)):
        return "clone"
    return None


def _is_copyable(file: SourceFile, element: str) -> bool:
    return element in _PRIMITIVE or element in ("String", "PathBuf")


def own_parameter_copy(file: SourceFile, escape_at: Node, name: str) -> Fix | None:
    """`fn f(p: &str) { spawn(async move { … p … }) }` → `let p = p.to_owned();` first."""
    spawn = spawn_call(file, escape_at)
    function = locate.enclosing_function(escape_at)
    if spawn is None or function is None or name == "self":
        return None
    call, task, callee = spawn
    parameters = function.child_by_field_name("parameters")
    parameter = next((p for p in (parameters.named_children if parameters else [])
                      if p.type == "parameter" and (pat := p.child_by_field_name("pattern"))
                      is not None and pat.type == "identifier"
                      and file.node_text(pat) == name), None)
    method = _copy_call(file, parameter) if parameter is not None else None
    uses = owned.owned_uses(file, file.identifiers(name, within=task, kinds=("identifier",))
                            ) if method is not None else None
    if method is None or uses is None:
        return None
    statement = call
    while statement.parent is not None and statement.parent.type != "block":
        statement = statement.parent
    block = statement.parent
    if block is None or _crosses(call, block, _SCOPES) or \
            file.parsed.start(statement)[0] == file.parsed.start(block)[0]:
        return None
    if _mentioned_outside(file, name, statement.start_byte, function.end_byte, task):
        return None
    indent = file.indent_of(statement)
    newline = "\r\n" if "\r\n" in file.text else "\n"
    edit = file.insert_before(statement, f"let {name} = {name}.{method}();{newline}{indent}")
    return make_fix(
        "own-before-spawn",
        f"Give the `{callee}` task its own copy: `let {name} = {name}.{method}();`",
        [edit, *uses], preferred=True)
