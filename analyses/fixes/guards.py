"""Fixes for a lock or `RefCell` guard that is alive across an `.await` (shared by the
`send-mutexguard-across-await` and `send-refcell-guard-across-await` families).

Two edits, both purely syntactic and deliberately conservative:

* `block-before-await` — a named guard (`let g = x.lock().unwrap();`) whose last use comes
  before the statement holding the `.await`: the statements from the `let` to that last use go
  into a nested block `{ … }`, so the guard's scope (which is what rustc's analysis looks at)
  ends before the await. Locals of the block that are used after it are carried out as the
  block's value (`let n = { let g = …; g.len() };`). A trailing `drop(g);` becomes redundant
  and is removed. A `?` or `return` among the statements stays valid inside the block (it
  still leaves the function); a carried `x?` or `match x { Some(v) => v, None => return … }`
  counts as owned when `x` does. Not offered when the guard is used at or after the await,
  when a carried value might borrow from the guard, or when the statements do not sit on
  lines of their own.
* `hoist-scrutinee` — a temporary guard in the head of a `match`, `if let` or `while let`
  lives for the whole expression: the head moves into a `let` before it (for `while let`, the
  loop becomes `loop { let next = …; let P = next else { break }; … }`). Offered only when the
  hoisted value is clearly owned: a method that returns an owned value (`pop_front`, `remove`,
  `len`, …), an `Option<&T>` already followed by `.cloned()`/`.copied()`, or an `Option<&T>`
  whose `T` is visibly `Clone` from rustc's guard type (then `.cloned()` is added and the head
  becomes `name.as_ref()`, so the patterns see the same types as before — or, when every
  `Some(x)` arm uses `x` once as `x.clone()`, the head is the owned `name` and that clone
  becomes plain `x`).

For a `RefCell`, ending the borrow only makes the future `Send` if the future owns the cell:
when it reaches the cell through a reference (`&self`, a `&RefCell` parameter, a non-`move`
async block), the `&RefCell` itself is not `Send` and neither fix is offered.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import tree_sitter

from borrowlens.analyses.diagnostics.model import Span
from borrowlens.analyses.families.base import Match
from borrowlens.analyses.fixes.blocks import insert_statement, wrap_in_block
from borrowlens.analyses.fixes.edits import Fix, TextEdit
from borrowlens.analyses.fixes.source_file import SourceFile, make_fix
from borrowlens.analyses.rust import printed, syntax
from borrowlens.analyses.rust.sources import Sources
from borrowlens.analyses.rust.syntax import ancestors

Node = tree_sitter.Node

BLOCK_FIX = "block-before-await"
HOIST_FIX = "hoist-scrutinee"

_COMMENTS = ("line_comment", "block_comment")
_DROP_FUNCTIONS = ("drop", "mem::drop", "std::mem::drop", "core::mem::drop")
# Methods whose result, called on a guard, owns its data.
_OWNED_ON_GUARD = frozenset((
    "pop", "pop_front", "pop_back", "pop_first", "pop_last", "remove", "take", "len",
    "is_empty", "contains", "contains_key", "clone", "to_string", "to_vec", "is_some",
    "is_none"))
# Methods of std collections that return `Option<&T>`.
_OPTION_REF = frozenset(("get", "first", "last", "front", "back", "peek"))
# Outermost methods that make a value owned whatever it was computed from.
_OWNED_RESULT = frozenset((
    "len", "is_empty", "count", "contains", "contains_key", "to_string", "to_vec",
    "is_some", "is_none", "pop", "pop_front", "pop_back", "remove", "take", "sum",
    "starts_with", "ends_with", "eq", "ne"))
_CLONED = frozenset(("cloned", "copied"))
# `Option`/`Result` unwrapping: owned exactly when what is unwrapped is.
_PASS_THROUGH = frozenset(("unwrap", "expect", "unwrap_or", "unwrap_or_default",
                           "unwrap_or_else"))
_FORMAT_CAPTURE = r"(?<!\{{)\{{{name}(?=[}}:])"
_CLONE_LEAVES = frozenset((
    "i8", "i16", "i32", "i64", "i128", "isize", "u8", "u16", "u32", "u64", "u128", "usize",
    "f32", "f64", "bool", "char", "String", "()", "&str", "&'static str"))
_GUARD_TYPE = re.compile(
    r"^(?:[\w:]+::)?(?:Mapped)?(?:MutexGuard|RwLockReadGuard|RwLockWriteGuard|RefMut|Ref)"
    r"<\s*'[A-Za-z_]+\s*,\s*(?P<inner>.+)>$")


# --- small syntax helpers ---------------------------------------------------------------------


def _mentions(file: SourceFile, node: Node, name: str) -> bool:
    """True when `name` appears as an identifier under `node`, or as an inline format
    argument (`"{name}"`) of a macro."""
    capture = re.compile(_FORMAT_CAPTURE.format(name=re.escape(name)))
    for child in file.walk(node):
        if child.type == "identifier" and file.node_text(child) == name:
            return True
        if child.type == "string_literal" and capture.search(file.node_text(child)):
            return True
    return False


def _statements(block: Node) -> list[Node]:
    return [c for c in block.named_children if c.type not in _COMMENTS]


def _alone_on_lines(file: SourceFile, first: Node, last: Node) -> bool:
    """True when nothing but whitespace precedes `first` on its line and nothing but
    whitespace or a line comment follows `last` on its line."""
    data = file.parsed.data
    before = data[file.line_start_byte(first.start_byte):first.start_byte]
    end = data.find(b"\n", last.end_byte)
    after = data[last.end_byte:len(data) if end < 0 else end].strip()
    return not before.strip() and (not after or after.startswith(b"//"))


def _simple_binding(file: SourceFile, let: Node) -> tuple[str, bool] | None:
    """(name, mutable) for `let [mut] name[: T] = …;` without `else`, else None."""
    pattern = let.child_by_field_name("pattern")
    if pattern is None or pattern.type != "identifier" or \
            let.child_by_field_name("alternative") is not None:
        return None
    mutable = any(c.type == "mutable_specifier" for c in let.children)
    return file.node_text(pattern), mutable


def _bound_names(file: SourceFile, let: Node) -> list[str]:
    pattern = let.child_by_field_name("pattern")
    if pattern is None:
        return []
    return [file.node_text(n) for n in file.walk(pattern) if n.type == "identifier"]


def _method_call(node: Node) -> tuple[Node, str] | None:
    """(receiver, method) for `receiver.method(…)`."""
    if node.type != "call_expression":
        return None
    function = node.child_by_field_name("function")
    if function is not None and function.type == "generic_function":  # `x.sum::<u32>()`
        function = function.child_by_field_name("function")
    if function is None or function.type != "field_expression":
        return None
    receiver = function.child_by_field_name("value")
    field = function.child_by_field_name("field")
    if receiver is None or field is None or field.text is None:
        return None
    return receiver, field.text.decode("utf-8")


def _is_drop_of(file: SourceFile, statement: Node, name: str) -> bool:
    if statement.type != "expression_statement" or not statement.named_children:
        return False
    call = statement.named_children[0]
    if call.type != "call_expression":
        return False
    function = call.child_by_field_name("function")
    arguments = call.child_by_field_name("arguments")
    if function is None or arguments is None:
        return False
    args = [a for a in arguments.named_children if a.type not in _COMMENTS]
    return (re.sub(r"\s+", "", file.node_text(function)) in _DROP_FUNCTIONS
            and len(args) == 1 and args[0].type == "identifier"
            and file.node_text(args[0]) == name)


def _looks_owned(file: SourceFile, value: Node, locals_: Iterable[str]) -> bool:
    """True when `value` cannot be a borrow of one of `locals_`: it does not mention them, or
    its outermost operation visibly produces an owned value."""
    names = list(locals_)
    if not any(_mentions(file, value, name) for name in names):
        return True
    while value.type == "parenthesized_expression" and value.named_children:
        value = value.named_children[0]
    if value.type in ("binary_expression", "type_cast_expression", "integer_literal",
                      "boolean_literal", "float_literal"):
        return True
    if value.type in ("field_expression", "index_expression"):
        # Moving out of a guard does not compile, so a plain place read is a copy.
        return file.node_text(value).lstrip("(").split(".")[0].split("[")[0].isidentifier()
    if value.type == "unary_expression" and file.node_text(value).startswith(("*", "!", "-")):
        return True
    if value.type == "try_expression" and value.named_children:
        # `x?` unwraps an `Option`/`Result`: owned exactly when `x` is. The `?` may return
        # from the function, which it does just the same from inside the new block.
        return _looks_owned(file, value.named_children[0], names)
    if value.type == "match_expression":
        return _match_owned(file, value, names)
    call = _method_call(value)
    if call is None:
        return False
    receiver, method = call
    if method in _OWNED_RESULT:
        return True
    if method in _PASS_THROUGH:
        return _looks_owned(file, receiver, names)
    if method in _CLONED:
        inner = _method_call(receiver)
        return inner is not None and inner[1] in _OPTION_REF
    if method in ("clone", "to_owned"):
        # `x.clone()` is owned unless `x` is itself a reference (`guard.get(k).clone()`).
        inner = _method_call(receiver)
        return inner is None and receiver.type in ("identifier", "field_expression", "self")
    return False


_DIVERGING = ("return_expression", "break_expression", "continue_expression")


def _match_owned(file: SourceFile, match: Node, names: list[str]) -> bool:
    """`match owned { Some(x) => x, None => return … }`: owned when the scrutinee is and
    every arm either leaves (`return`, `break`, `continue`, `panic!`) or gives a name its
    own pattern binds by value (or a value that looks owned)."""
    scrutinee = match.child_by_field_name("value")
    body = match.child_by_field_name("body")
    if scrutinee is None or body is None or not _looks_owned(file, scrutinee, names):
        return False
    arms = [a for a in body.named_children if a.type == "match_arm"]
    if not arms:
        return False
    for arm in arms:
        pattern = arm.child_by_field_name("pattern")
        value = arm.child_by_field_name("value")
        if pattern is None or value is None:
            return False
        while value.type == "block" and len(value.named_children) == 1:
            value = value.named_children[0]
            if value.type == "expression_statement" and value.named_children:
                value = value.named_children[0]
        if value.type in _DIVERGING:
            continue
        if value.type == "macro_invocation" and re.match(
                r"(?:std::|core::)?(?:panic|unreachable|todo|unimplemented)!",
                file.node_text(value)):
            continue
        if re.search(r"\bref\b|&", file.node_text(pattern)):
            return False
        if value.type == "identifier" and any(
                n.type == "identifier" and file.node_text(n) == file.node_text(value)
                for n in file.walk(pattern)):
            continue
        if not _looks_owned(file, value, names):
            return False
    return True


def _free_name(file: SourceFile, scope: Node, *candidates: str) -> str | None:
    for name in candidates:
        if not _mentions(file, scope, name):
            return name
    return None


def _span_node(file: SourceFile, match: Match, line_fact: str) -> tuple[Span, Node] | None:
    """The related span on the line of `line_fact` in the culprit's file, and its node (the
    last one on that line for the await: the culprit's label comes first)."""
    line = match.facts.get(line_fact)
    if not isinstance(line, int):
        return None
    ordered = reversed(match.related) if line_fact == "await_line" else iter(match.related)
    for related in ordered:
        span = related.span
        if span.file == file.path and span.line_start == line:
            node = file.node_for_span(span)
            if node is not None:
                return span, node
    return None


def _culprit_file(match: Match, sources: Sources) -> SourceFile | None:
    line = match.facts.get("decl_line")
    for related in match.related:
        if related.span.line_start == line:
            return SourceFile.load(sources, related.span.file)
    return None


# --- does the future own the RefCell? ---------------------------------------------------------


def _root_of(node: Node) -> Node | None:
    """`x` for `x.a.b`, `self` for `self.cell`; None for anything more complex."""
    while node.type == "field_expression":
        value = node.child_by_field_name("value")
        if value is None:
            return None
        node = value
    return node if node.type in ("identifier", "self") else None


def _has_move(node: Node) -> bool:
    return any(c.type == "move" for c in node.children)


def _param_type_owned(file: SourceFile, type_node: Node | None) -> bool:
    if type_node is None:
        return False
    text = file.node_text(type_node)
    return not any(mark in text for mark in ("&", "*", "Rc<", "Arc<", "impl ", "dyn "))


def _owned_cell(file: SourceFile, borrow_receiver: Node) -> bool:
    """True when the cell `borrow_receiver` is reached from a value the future owns: `self`
    taken by value, a by-value parameter, or a local `RefCell::new(…)` (moved into an
    `async move` block if it is declared outside it)."""
    root = _root_of(borrow_receiver)
    if root is None:
        return False
    name = file.node_text(root)
    by_reference = False
    child = root
    for ancestor in ancestors(root):
        if ancestor.type in ("async_block", "closure_expression"):
            if ancestor.type == "closure_expression":
                params = ancestor.child_by_field_name("parameters")
                if params is not None and _mentions(file, params, name):
                    return False
            if not _has_move(ancestor):
                by_reference = True
        elif ancestor.type in ("if_expression", "while_expression", "for_expression",
                               "match_arm"):
            for field in ("condition", "pattern"):
                part = ancestor.child_by_field_name(field)
                if part is not None and part.id != child.id and part.type != "block" \
                        and _binds(file, part, name):
                    return False
        elif ancestor.type == "block" and name != "self":
            for statement in reversed(_statements(ancestor)):
                if statement.end_byte > child.start_byte or statement.type != "let_declaration":
                    continue
                if name in _bound_names(file, statement):
                    if by_reference or _simple_binding(file, statement) is None:
                        return False
                    value = statement.child_by_field_name("value")
                    type_ = statement.child_by_field_name("type")
                    text = file.node_text(value) if value is not None else ""
                    return (re.match(r"(?:std::cell::)?RefCell::new\s*\(", text) is not None
                            or (type_ is not None
                                and file.node_text(type_).startswith("RefCell<")))
        elif ancestor.type == "function_item":
            if by_reference:
                return False
            params = ancestor.child_by_field_name("parameters")
            for param in params.named_children if params is not None else []:
                if name == "self" and param.type == "self_parameter":
                    return re.sub(r"\s+", " ", file.node_text(param)) in ("self", "mut self")
                if param.type == "parameter":
                    pattern = param.child_by_field_name("pattern")
                    if pattern is not None and name in [file.node_text(n) for n in
                                                         file.walk(pattern)
                                                         if n.type == "identifier"]:
                        return _param_type_owned(file, param.child_by_field_name("type"))
            return False
        child = ancestor
    return False


def _binds(file: SourceFile, node: Node, name: str) -> bool:
    return any(n.type == "identifier" and file.node_text(n) == name for n in file.walk(node))


def _borrow_receiver(file: SourceFile, node: Node) -> Node | None:
    """The receiver of the first `.borrow()`/`.borrow_mut()` call (`try_` ones included)
    under `node`: query `borrow_calls.scm`."""
    calls = syntax.matches("borrow_calls", node)
    return calls[0]["receiver"][0] if calls else None


def _future_owns_cell(file: SourceFile, node: Node) -> bool:
    receiver = _borrow_receiver(file, node)
    return receiver is not None and _owned_cell(file, receiver)


# --- the block fix ----------------------------------------------------------------------------


def block_fix(match: Match, sources: Sources, *, refcell: bool) -> Fix | None:
    facts = match.facts
    variable = facts.get("variable")
    if not isinstance(variable, str) or variable.startswith("_") \
            or "captured" in facts or "temporary" in facts:
        return None
    file = _culprit_file(match, sources)
    if file is None:
        return None
    culprit = _span_node(file, match, "decl_line")
    awaited = _span_node(file, match, "await_line")
    if culprit is None or awaited is None:
        return None
    let = syntax.enclosing(culprit[1], "let_declaration")
    await_node = syntax.enclosing(awaited[1], "await_expression")
    binding = _simple_binding(file, let) if let is not None else None
    if let is None or await_node is None or binding is None or binding[0] != variable:
        return None
    block = let.parent
    if block is None or block.type != "block":
        return None
    statements = _statements(block)
    index = next(i for i, s in enumerate(statements) if s.id == let.id)
    at_await = next((i for i, s in enumerate(statements)
                     if s.start_byte <= await_node.start_byte < s.end_byte), None)
    if at_await is None or at_await <= index:
        return None
    # The guard must not be needed from the await on.
    if any(_mentions(file, s, variable) for s in statements[at_await:]):
        return None
    last_use = max((i for i in range(index + 1, at_await)
                    if _mentions(file, statements[i], variable)), default=None)
    if last_use is None:
        return None  # a guard held only for its lock: the critical section is implicit
    dropped: Node | None = None
    if _is_drop_of(file, statements[last_use], variable):
        dropped = statements[last_use]
        last_use = max((i for i in range(index + 1, last_use)
                        if _mentions(file, statements[i], variable)), default=None)
        if last_use is None:
            return None
    inside = statements[index:last_use + 1]
    after = statements[last_use + 1:]
    if dropped is not None:
        after = [s for s in after if s.id != dropped.id]
        if not _alone_on_lines(file, dropped, dropped):
            return None
    if not _alone_on_lines(file, inside[0], inside[-1]):
        return None
    if refcell and not _future_owns_cell(file, let):
        return None

    # Locals of the block that code after it still uses are carried out as its value.
    local_names = [variable]
    carried: list[tuple[str, bool, Node]] = []
    for statement in inside[1:]:
        if statement.type != "let_declaration":
            continue
        names = _bound_names(file, statement)
        used = [n for n in names if any(_mentions(file, s, n) for s in after)]
        if used:
            binding = _simple_binding(file, statement)
            value = statement.child_by_field_name("value")
            if binding is None or value is None or not _looks_owned(file, value, local_names):
                return None
            carried = [c for c in carried if c[0] != binding[0]]
            carried.append((binding[0], binding[1], statement))
        local_names.extend(names)

    guard_name = f"`{variable}`"
    if not carried:
        edit = wrap_in_block(file, inside[0], inside[-1])
        title = f"End the scope of {guard_name} in a block before the `.await`"
    elif len(carried) == 1 and carried[0][2].id == inside[-1].id:
        name, mutable, statement = carried[0]
        value = statement.child_by_field_name("value")
        type_ = statement.child_by_field_name("type")
        if value is None:
            return None
        annotation = f": {file.node_text(type_)}" if type_ is not None else ""
        edit = wrap_in_block(
            file, inside[0], inside[-1],
            prefix=f"let {'mut ' if mutable else ''}{name}{annotation} = ",
            suffix=";", replace=(statement, file.node_text(value)))
        title = (f"Compute `{name}` in a block that ends the scope of {guard_name} before "
                 "the `.await`")
    else:
        names = [c[0] for c in carried]
        patterns = [f"{'mut ' if c[1] else ''}{c[0]}" for c in carried]
        pattern = patterns[0] if len(carried) == 1 else f"({', '.join(patterns)})"
        tail = names[0] if len(carried) == 1 else f"({', '.join(names)})"
        edit = wrap_in_block(file, inside[0], inside[-1], prefix=f"let {pattern} = ",
                                    suffix=";", tail=tail)
        shown = ", ".join(f"`{n}`" for n in names)
        title = (f"Compute {shown} in a block that ends the scope of {guard_name} before the "
                 "`.await`")
    edits = [edit]
    if dropped is not None:
        edits.append(file.delete_lines(dropped))
    return make_fix(BLOCK_FIX, title, edits, preferred=True)


# --- the scrutinee hoist ----------------------------------------------------------------------


def _split_generic(text: str) -> tuple[str, list[str]] | None:
    """('HashMap', ['String', 'u32']) for `HashMap<String, u32>`; args split at depth 0."""
    text = text.strip()
    found = re.match(r"^([\w:]+)\s*<(.*)>$", text)
    if not found:
        return (text, []) if re.match(r"^[\w:]+$", text) else None
    args = [arg.strip() for arg in printed.split_top_level(found.group(2))]
    return found.group(1).rsplit("::", 1)[-1], args


def _clearly_clone(type_: str) -> bool:
    type_ = type_.strip()
    if type_ in _CLONE_LEAVES:
        return True
    if type_.startswith("(") and type_.endswith(")"):
        inner = _split_generic(f"T<{type_[1:-1]}>")
        return inner is not None and all(_clearly_clone(t) for t in inner[1] if t)
    split = _split_generic(type_)
    if split is None:
        return False
    name, args = split
    if name in ("Arc", "Rc"):
        return True
    if name in ("Vec", "Option", "VecDeque", "Box") and len(args) == 1:
        return _clearly_clone(args[0])
    return False


def _element_type(guard_type: str, method: str) -> str | None:
    """The `T` of the `Option<&T>` that `method` returns on the guarded collection."""
    found = _GUARD_TYPE.match(guard_type.strip())
    if not found:
        return None
    split = _split_generic(found.group("inner"))
    if split is None:
        return None
    name, args = split
    if name in ("Vec", "VecDeque") and args and method in ("get", "first", "last", "front",
                                                           "back"):
        return args[0]
    if name in ("HashMap", "BTreeMap") and len(args) >= 2 and method == "get":
        return args[1]
    if name in ("HashSet", "BTreeSet") and args and method in ("get", "first", "last"):
        return args[0]
    if name == "BinaryHeap" and args and method == "peek":
        return args[0]
    return None


def _hoisted_value(file: SourceFile, value: Node, guard: Node,
                   guard_type: str | None) -> tuple[str, str, str] | None:
    """(text to bind, suffix for the new head after the name, a name hint) for a scrutinee
    whose value can be hoisted out of the guard's borrow."""
    call = _method_call(value)
    if call is None:
        return None
    receiver, method = call
    text = file.node_text(value)
    if receiver.id == guard.id:
        if method in _OWNED_ON_GUARD:
            hint = {"pop": "next", "pop_front": "next", "pop_back": "next", "pop_first": "next",
                    "pop_last": "next", "remove": "removed", "take": "taken",
                    "clone": "snapshot"}.get(method, method)
            return text, "", hint
        if method in _OPTION_REF and guard_type is not None:
            element = _element_type(guard_type, method)
            if element is not None and _clearly_clone(element):
                return f"{text}.cloned()", ".as_ref()", "found" if method == "get" else method
        return None
    inner = _method_call(receiver)
    if method in _CLONED and inner is not None and inner[0].id == guard.id \
            and inner[1] in _OPTION_REF:
        return text, "", "found" if inner[1] == "get" else inner[1]
    return None


def hoist_fix(match: Match, sources: Sources, *, refcell: bool) -> Fix | None:
    facts = match.facts
    expression = facts.get("expression")
    head = facts.get("scrutinee")
    if facts.get("temporary") != "true" or not isinstance(expression, str) \
            or head not in ("match", "if let", "while let"):
        return None
    file = _culprit_file(match, sources)
    if file is None:
        return None
    culprit = _span_node(file, match, "decl_line")
    awaited = _span_node(file, match, "await_line")
    if culprit is None or awaited is None:
        return None
    guard = culprit[1]
    await_node = syntax.enclosing(awaited[1], "await_expression")
    if await_node is None or re.sub(r"\s+", "", file.node_text(guard)) != \
            re.sub(r"\s+", "", expression):
        return None
    # The expression whose head holds the guard.
    owner: Node | None = None
    value: Node | None = None
    for ancestor in ancestors(guard):
        if ancestor.type in ("match_expression", "let_condition"):
            value = ancestor.child_by_field_name("value")
            owner = ancestor if ancestor.type == "match_expression" else ancestor.parent
            break
        if ancestor.type in ("block", "let_declaration", "expression_statement",
                             "closure_expression", "async_block", "function_item"):
            return None
    if owner is None or value is None or owner.type not in ("match_expression",
                                                            "if_expression",
                                                            "while_expression"):
        return None
    if not owner.start_byte <= await_node.start_byte < owner.end_byte:
        return None
    hoisted = _hoisted_value(file, value, guard, str(facts.get("type", "")) or None)
    if hoisted is None or "\n" in hoisted[0]:
        return None
    if refcell and not _future_owns_cell(file, guard):
        return None
    bound, head_suffix, hint = hoisted
    scope = syntax.enclosing(owner, "function_item") or file.root
    name = _free_name(file, scope, hint, f"{hint}_value")
    if name is None:
        return None
    if owner.type == "while_expression":
        return _hoist_while(file, owner, name, bound, head_suffix)
    # `match` / `if let`: the expression must be a whole statement (or a `let`'s value, or
    # the block's tail), so a `let` before it runs at the same moment.
    statement = owner
    parent = owner.parent
    if parent is not None and (
            parent.type == "expression_statement"
            or (parent.type == "let_declaration"
                and (parent.child_by_field_name("value") or parent).id == owner.id)):
        statement = parent
    if statement.parent is None or statement.parent.type != "block" \
            or not _alone_on_lines(file, statement, statement):
        return None
    by_value = _arms_by_value(file, owner) if head_suffix == ".as_ref()" else None
    if by_value is not None:
        head_suffix = ""  # match on the owned `Option<T>`: the arms bind by value
    edits = [insert_statement(file, statement, f"let {name} = {bound};"),
             file.replace(value, f"{name}{head_suffix}"), *(by_value or [])]
    keyword = "match" if owner.type == "match_expression" else "if let"
    title = f"Take `{bound}` in a `let {name}` before the `{keyword}`"
    return make_fix(HOIST_FIX, title, edits, preferred=True)


def _arms_by_value(file: SourceFile, owner: Node) -> list[TextEdit] | None:
    """When the hoisted value is a fresh `Option<T>` (`get(…).cloned()`) and every arm that
    binds `Some(x)` uses `x` exactly once, as `x.clone()`: the edits turning those clones
    into plain `x`, so the `match`/`if let` can take the owned value instead of
    `.as_ref()` and nothing is cloned twice. None when any arm does something else."""
    pairs: list[tuple[Node, Node]] = []
    if owner.type == "match_expression":
        body = owner.child_by_field_name("body")
        for arm in body.named_children if body is not None else []:
            if arm.type in _COMMENTS:
                continue
            pattern = arm.child_by_field_name("pattern")
            value = arm.child_by_field_name("value")
            if arm.type != "match_arm" or pattern is None or value is None or \
                    pattern.child_by_field_name("condition") is not None:
                return None
            pairs.append((pattern, value))
    else:
        condition = owner.child_by_field_name("condition")
        pattern = condition.child_by_field_name("pattern") if condition is not None else None
        consequence = owner.child_by_field_name("consequence")
        if condition is None or condition.type != "let_condition" or pattern is None \
                or consequence is None:
            return None
        pairs.append((pattern, consequence))
    edits = []
    for pattern, scope in pairs:
        text = re.sub(r"\s+", "", file.node_text(pattern))
        if text in ("None", "_", "Some(_)"):
            continue
        bound = re.fullmatch(r"Some\(([A-Za-z_][A-Za-z0-9_]*)\)", text)
        if bound is None or bound.group(1) in ("ref", "mut"):
            return None
        name = bound.group(1)
        if len(re.findall(rf"(?<![\w$]){name}(?!\w)", file.node_text(scope))) != 1:
            return None  # used more than once, or inside a format string
        uses = file.identifiers(name, within=scope, kinds=("identifier",))
        access = uses[0].parent if len(uses) == 1 else None
        call = access.parent if access is not None else None
        if access is None or call is None or access.type != "field_expression" \
                or _method_call(call) != (uses[0], "clone") \
                or [c for c in (call.child_by_field_name("arguments") or call).named_children
                    if c.type not in _COMMENTS]:
            return None
        if any(a.type in ("closure_expression", "loop_expression", "for_expression",
                          "while_expression", "async_block")
               for a in ancestors(call) if scope.start_byte <= a.start_byte):
            return None
        edits.append(file.replace(call, name))
    return edits or None


def _hoist_while(file: SourceFile, loop: Node, name: str, bound: str,
                 head_suffix: str) -> Fix | None:
    condition = loop.child_by_field_name("condition")
    body = loop.child_by_field_name("body")
    keyword = next((c for c in loop.children if c.type == "while"), None)
    if condition is None or body is None or keyword is None \
            or condition.type != "let_condition" or not body.children:
        return None
    pattern = condition.child_by_field_name("pattern")
    if pattern is None or "\n" in file.node_text(pattern):
        return None
    opening = body.children[0]
    inner_statements = _statements(body)
    inner = (file.indent_of(inner_statements[0]) if inner_statements
             else file.indent_of(loop) + file.indent_unit())
    text = (f"loop {{\n{inner}let {name} = {bound};\n{inner}let {file.node_text(pattern)} = "
            f"{name}{head_suffix} else {{ break }};")
    edit = file.edit_bytes(keyword.start_byte, opening.end_byte, text)
    title = f"Take `{bound}` in a `let {name}` at the top of a `loop` instead of `while let`"
    return make_fix(HOIST_FIX, title, [edit], preferred=True)


def fixes(match: Match, sources: Sources, *, refcell: bool) -> list[Fix]:
    """The guard fixes that fit this match (at most one: the shapes exclude each other)."""
    if match.diagnostic is None:
        return []
    if match.facts.get("temporary") == "true":
        fix = hoist_fix(match, sources, refcell=refcell)
    else:
        fix = block_fix(match, sources, refcell=refcell)
    return [fix] if fix is not None else []
