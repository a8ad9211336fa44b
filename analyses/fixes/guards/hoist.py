"""`hoist-scrutinee`: a temporary guard in the head of a `match`, `if let` or `while let`
lives for the whole expression, so the head moves into a `let` before it (for `while let`,
the loop becomes `loop { let next = …; let P = next else { break }; … }`). Offered only when
the hoisted value is clearly owned: a method that returns an owned value (`pop_front`,
`remove`, `len`, …), an `Option<&T>` already followed by `.cloned()`/`.copied()`, or an
`Option<&T>` whose `T` is visibly `Copy` or `Clone` from rustc's guard type (then `.copied()`
or `.cloned()` is added and the head becomes `name.as_ref()`, or, when every `Some(x)` arm
uses `x` once as `x.clone()`, the head is the owned `name` and that clone becomes plain `x`)."""

from __future__ import annotations

import re

import tree_sitter

from borrowlens.analyses.fixes.blocks import alone_on_lines, insert_statement
from borrowlens.analyses.fixes.edits import Fix, TextEdit
from borrowlens.analyses.fixes.guards import cells, values
from borrowlens.analyses.fixes.guards.held import HeldGuard, find
from borrowlens.analyses.fixes.source_file import SourceFile, make_fix
from borrowlens.analyses.rust import locate, printed
from borrowlens.analyses.rust.sources import Sources
from borrowlens.analyses.rust.syntax import ancestors

Node = tree_sitter.Node

HOIST_FIX = "hoist-scrutinee"
_CLONE_LEAVES = frozenset((
    "i8", "i16", "i32", "i64", "i128", "isize", "u8", "u16", "u32", "u64", "u128", "usize",
    "f32", "f64", "bool", "char", "String", "()", "&str", "&'static str"))
# The leaves a `.copied()` takes: plain scalars and shared string slices.
_COPY_LEAVES = frozenset((
    "i8", "i16", "i32", "i64", "i128", "isize", "u8", "u16", "u32", "u64", "u128", "usize",
    "f32", "f64", "bool", "char", "()", "&str", "&'static str"))
_GUARD_TYPE = re.compile(
    r"^(?:[\w:]+::)?(?:Mapped)?(?:MutexGuard|RwLockReadGuard|RwLockWriteGuard|RefMut|Ref)"
    r"<\s*'[A-Za-z_]+\s*,\s*(?P<inner>.+)>$")


def _split_generic(text: str) -> tuple[str, list[str]] | None:
    """('HashMap', ['String', 'u32']) for `HashMap<String, u32>`; args split at depth 0."""
    text = text.strip()
    found = re.match(r"^([\w:]+)\s*<(.*)>$", text)
    if not found:
        return (text, []) if re.match(r"^[\w:]+$", text) else None
    args = [arg.strip() for arg in printed.split_top_level(found.group(2))]
    return found.group(1).rsplit("::", 1)[-1], args


def _tuple_of(type_: str) -> list[str] | None:
    """The element types of a tuple type `(A, B)`, or None when `type_` is not a tuple."""
    if not (type_.startswith("(") and type_.endswith(")")):
        return None
    inner = _split_generic(f"T<{type_[1:-1]}>")
    return [t for t in inner[1] if t] if inner is not None else []


def _clearly_clone(type_: str) -> bool:
    type_ = type_.strip()
    if type_ in _CLONE_LEAVES:
        return True
    parts = _tuple_of(type_)
    if parts is not None:
        return bool(parts) and all(_clearly_clone(t) for t in parts)
    split = _split_generic(type_)
    if split is None:
        return False
    name, args = split
    if name in ("Arc", "Rc"):
        return True
    if name in ("Vec", "Option", "VecDeque", "Box") and len(args) == 1:
        return _clearly_clone(args[0])
    return False


def _clearly_copy(type_: str) -> bool:
    """`T` is visibly `Copy`: a scalar, `&str`, or a tuple of them (`Option<&T>::copied()`
    asks for `Copy`, and says the value is a plain copy where `.cloned()` reads as work)."""
    type_ = type_.strip()
    if type_ in _COPY_LEAVES:
        return True
    parts = _tuple_of(type_)
    return bool(parts) and all(_clearly_copy(t) for t in parts or [])


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
    call = values.method_call(value)
    if call is None:
        return None
    receiver, method = call
    text = file.node_text(value)
    if receiver.id == guard.id:
        if method in values.OWNED_ON_GUARD:
            hint = {"pop": "next", "pop_front": "next", "pop_back": "next", "pop_first": "next",
                    "pop_last": "next", "remove": "removed", "take": "taken",
                    "clone": "snapshot"}.get(method, method)
            return text, "", hint
        if method in values.OPTION_REF and guard_type is not None:
            element = _element_type(guard_type, method)
            if element is not None and (_clearly_copy(element) or _clearly_clone(element)):
                take = "copied" if _clearly_copy(element) else "cloned"
                return (f"{text}.{take}()", ".as_ref()",
                        "found" if method == "get" else method)
        return None
    inner = values.method_call(receiver)
    if method in values.CLONED and inner is not None and inner[0].id == guard.id \
            and inner[1] in values.OPTION_REF:
        return text, "", "found" if inner[1] == "get" else inner[1]
    return None


def hoist_fix(held: HeldGuard, sources: Sources, *, refcell: bool) -> Fix | None:
    """`hoist-scrutinee` for a temporary guard in a `match`/`if let`/`while let` head (see
    the package's docstring)."""
    expression = held.expression
    if not held.temporary or expression is None \
            or held.scrutinee not in ("match", "if let", "while let"):
        return None
    found = find(held, sources)
    if found is None:
        return None
    file, guard, await_node = found
    if re.sub(r"\s+", "", file.node_text(guard)) != re.sub(r"\s+", "", expression):
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
    hoisted = _hoisted_value(file, value, guard, held.guard_type or None)
    if hoisted is None or "\n" in hoisted[0]:
        return None
    if refcell and not cells.future_owns_cell(file, guard):
        return None
    bound, head_suffix, hint = hoisted
    scope = locate.enclosing_function(owner) or file.root
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
            or not alone_on_lines(file, statement, comment_after=True):
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
            if arm.type in values.COMMENTS:
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
                or values.method_call(call) != (uses[0], "clone") \
                or [c for c in (call.child_by_field_name("arguments") or call).named_children
                    if c.type not in values.COMMENTS]:
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
    inner_statements = values.statements(body)
    inner = (file.indent_of(inner_statements[0]) if inner_statements
             else file.indent_of(loop) + file.indent_unit())
    text = (f"loop {{\n{inner}let {name} = {bound};\n{inner}let {file.node_text(pattern)} = "
            f"{name}{head_suffix} else {{ break }};")
    edit = file.edit_bytes(keyword.start_byte, opening.end_byte, text)
    title = f"Take `{bound}` in a `let {name}` at the top of a `loop` instead of `while let`"
    return make_fix(HOIST_FIX, title, [edit], preferred=True)


def _free_name(file: SourceFile, scope: Node, *candidates: str) -> str | None:
    for name in candidates:
        if not values.mentions(file, scope, name):
            return name
    return None
