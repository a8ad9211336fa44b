"""The `Rc` → `Arc` (and `RefCell` → `Mutex`/`RwLock`) rewrite shared by the families whose
culprit is a single-threaded shared pointer: `send-rc-across-await`, `thread-spawn-not-send`,
`future-not-send` and `sync-captured-by-reference`.

A conversion starts from one *slot* — a binding (`let`, parameter) or a struct field — and
follows the value through the file: where it comes from (`Rc::new`, `Rc::clone(&x)`,
`x.clone()`, `Rc::downgrade`, a caller's argument, a struct literal) and where it goes (a
`let`, a parameter of a function of this file, a field). Every slot reached changes type
together, and every use of a slot must be one we understand; one unknown use (returned,
stored in a `Vec`, passed to a function we cannot see) and no fix is offered. Values that
never meet the culprit's value — another `Rc` in the same function — are left alone.

A `RefCell` inside the pointer becomes a `Mutex` (or `RwLock`) only when every `.borrow()` /
`.borrow_mut()` on the converted values is found, no two of them can be alive at once (a
`Mutex` would deadlock where `RefCell` allowed two shared borrows), and none is held across an
`.await`. The data behind the pointer must be thread-safe as far as the file shows (no `Cell`,
raw pointer, non-`Send` trait object …), else the rewrite would only move the error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import tree_sitter

from borrowlens.analyses.families.base import Match
from borrowlens.analyses.fixes import use_edits, use_lines
from borrowlens.analyses.fixes.edits import EditError, Fix, TextEdit
from borrowlens.analyses.fixes.source_file import SourceFile, make_fix
from borrowlens.analyses.rust import items as rustsyntax
from borrowlens.analyses.rust import syntax
from borrowlens.analyses.rust.sources import Sources
from borrowlens.analyses.rust.syntax import ancestors

Node = tree_sitter.Node

STRONG, WEAK, CELL = "strong", "weak", "cell"

_RC_PATH = re.compile(r"^(?:(?:::)?(?:std|alloc)::)?(?:rc::)?Rc$")
_ARC_PATH = re.compile(r"^(?:(?:::)?(?:std|alloc)::)?(?:sync::)?Arc$")
_REFCELL_PATH = re.compile(r"^(?:(?:::)?(?:std|core)::)?(?:cell::)?RefCell$")
_RC_WEAK_QUALIFIED = re.compile(r"^(?:(?:::)?(?:std|alloc)::)?rc::Weak$")

# RefCell methods with no `Mutex` counterpart we could write mechanically.
_CELL_ONLY = {"try_borrow", "try_borrow_mut", "try_borrow_unguarded", "replace",
              "replace_with", "swap", "take", "into_inner", "get_mut", "undo_leak", "as_ptr",
              "clone"}
# Types that are not `Send`/`Sync` (or not thread-safe to share) wherever they appear.
_NEVER = {"Rc", "Cell", "RefCell", "UnsafeCell", "OnceCell", "LazyCell", "NonNull",
          "MutexGuard", "RwLockReadGuard", "RwLockWriteGuard", "Ref", "RefMut",
          "MappedMutexGuard", "PhantomPinned"}
# Send but not Sync: fine inside a `Mutex`, not behind a bare `Arc` or in a `RwLock`.
_NOT_SYNC = {"Receiver", "SyncUnsafeCell"}
_PASSIVE_FNS = {"drop", "mem::drop", "std::mem::drop", "core::mem::drop"}


class UnsupportedError(Exception):
    """A shape the rewrite does not understand: no fix."""


@dataclass(frozen=True)
class Names:
    arc: str = "Arc"
    lock: str = "Mutex"  # or "RwLock"; qualified when the short name is taken
    weak: str = "Weak"


@dataclass
class Plan:
    """What one conversion changes."""

    cell: str | None  # None, "Mutex" or "RwLock"
    edits: dict[tuple[int, int], str] = field(default_factory=dict)
    slots: dict[tuple[str, object], str] = field(default_factory=dict)
    borrows: list[Node] = field(default_factory=list)
    bound_guards: list[Node] = field(default_factory=list)
    converted_weak: int = 0


# --- small tree helpers ----------------------------------------------------------------------


def _unparen(node: Node) -> Node:
    while node.type == "parenthesized_expression" and node.named_children:
        node = node.named_children[0]
    return node


def _outer(node: Node) -> tuple[Node, Node | None]:
    """The node and its parent, skipping parentheses around it."""
    parent = node.parent
    while parent is not None and parent.type == "parenthesized_expression":
        node, parent = parent, parent.parent
    return node, parent


def _pattern_names(file: SourceFile, pattern: Node) -> list[Node]:
    """The identifiers a pattern binds."""
    out = []
    for node in file.walk(pattern):
        if node.type != "identifier":
            continue
        parent = node.parent
        if parent is not None and parent.type in ("tuple_struct_pattern", "struct_pattern") \
                and parent.child_by_field_name("type") == node:
            continue
        if parent is not None and parent.type in ("scoped_identifier", "field_pattern") \
                and parent.child_by_field_name("name") == node and parent.type != "field_pattern":
            continue
        text = _text(file, node)
        if text[:1].isupper():
            continue  # `None`, unit variants and constants
        out.append(node)
    return out


def _binds(file: SourceFile, pattern: Node | None, name: str) -> Node | None:
    if pattern is None:
        return None
    hits = [n for n in _pattern_names(file, pattern) if _text(file, n) == name]
    return hits[-1] if hits else None


def resolve(file: SourceFile, ident: Node) -> Node | None:
    """The identifier of the pattern that binds the name `ident` uses, in its fn."""
    name = _text(file, ident)
    child = ident
    for node in ancestors(ident):
        kind = node.type
        if kind == "block":
            for statement in reversed(node.named_children):
                if statement.start_byte >= child.start_byte:
                    continue
                if statement.type == "let_declaration":
                    hit = _binds(file, statement.child_by_field_name("pattern"), name)
                    if hit is not None:
                        return hit
        elif kind in ("function_item", "closure_expression"):
            params = node.child_by_field_name("parameters")
            if params is not None and child != params:
                for param in params.named_children:
                    pattern = param.child_by_field_name("pattern") \
                        if param.type == "parameter" else param
                    hit = _binds(file, pattern, name)
                    if hit is not None:
                        return hit
            if kind == "function_item":
                return None
        elif (kind == "for_expression" and child == node.child_by_field_name("body")) or (
                kind == "match_arm" and child != node.child_by_field_name("pattern")):
            hit = _binds(file, node.child_by_field_name("pattern"), name)
            if hit is not None:
                return hit
        elif kind in ("if_expression", "while_expression") \
                and child == node.child_by_field_name("consequence" if kind == "if_expression"
                                                      else "body"):
            condition = node.child_by_field_name("condition")
            for cond in file.walk(condition) if condition is not None else []:
                if cond.type == "let_condition":
                    hit = _binds(file, cond.child_by_field_name("pattern"), name)
                    if hit is not None:
                        return hit
        elif kind in ("impl_item", "trait_item", "mod_item", "source_file"):
            return None
        child = node
    return None


def is_binding(node: Node) -> bool:
    """True for the identifier of a `let`/parameter pattern (not a use of the name)."""
    parent = node.parent
    if parent is not None and parent.type == "mut_pattern":
        node, parent = parent, parent.parent
    if parent is None:
        return False
    if parent.type in ("let_declaration", "parameter"):
        return parent.child_by_field_name("pattern") == node
    return parent.type == "closure_parameters"


def in_pattern(node: Node) -> bool:
    """True for an identifier that a pattern binds (a declaration, not a use)."""
    child = node
    for ancestor in ancestors(node):
        if ancestor.type in ("let_declaration", "parameter", "let_condition", "for_expression",
                             "match_arm"):
            pattern = ancestor.child_by_field_name("pattern")
            return pattern is not None and pattern.id == child.id
        if ancestor.type == "closure_parameters":
            return True
        if ancestor.type in ("block", "arguments", "token_tree", "field_expression",
                             "call_expression"):
            return False
        child = ancestor
    return False


def _scope_of(binding: Node) -> Node | None:
    """The region where a binding can be used."""
    for node in ancestors(binding):
        if node.type == "let_declaration":
            return node.parent
        if node.type in ("parameters", "closure_parameters"):
            owner = node.parent
            return owner.child_by_field_name("body") if owner is not None else None
        if node.type == "let_condition":
            owner = next((a for a in ancestors(node)
                          if a.type in ("if_expression", "while_expression")), None)
            return owner
        if node.type in ("for_expression", "match_arm"):
            return node
    return None


def uses(file: SourceFile, binding: Node) -> list[Node]:
    scope = _scope_of(binding)
    if scope is None:
        raise UnsupportedError("scope")
    name = _text(file, binding)
    found = []
    for node in file.identifiers(name, within=scope, kinds=("identifier",)):
        if node.start_byte <= binding.start_byte or in_pattern(node):
            continue
        target = resolve(file, node)
        if target is not None and target.start_byte == binding.start_byte:
            found.append(node)
    return found


def _text(file: SourceFile, node: Node | None) -> str:
    return file.node_text(node) if node is not None else ""


def _path_text(file: SourceFile, node: Node | None) -> str:
    return re.sub(r"\s+", "", _text(file, node)) if node is not None else ""


# --- the conversion --------------------------------------------------------------------------


class Converter:
    def __init__(self, file: SourceFile, *, cell: str | None, names: Names,
                 rc_weak_names: bool) -> None:
        self.file = file
        self.plan = Plan(cell=cell)
        self.names = names
        self.rc_weak_names = rc_weak_names  # `Weak` in this file means `std::rc::Weak`
        self.queue: list[tuple[str, object, str]] = []
        self.structs = dict(rustsyntax.named_items(file.parsed, "struct_item"))
        self.functions: dict[str, list[Node]] = {}
        for name, node in rustsyntax.named_items(file.parsed, "function_item"):
            self.functions.setdefault(name, []).append(node)

    # --- bookkeeping ---

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

    def run(self) -> Plan:
        while self.queue:
            what, payload, kind = self.queue.pop(0)
            if what == "binding":
                assert isinstance(payload, Node)
                self._binding(payload, kind)
            else:
                assert isinstance(payload, str)
                self._field(payload, kind)
        self._check_borrows()
        return self.plan

    # --- types ---

    def type_edit(self, node: Node, kind: str) -> None:
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
        path = _path_text(self.file, head)
        inner_type = args.named_children[0]
        if kind == CELL:
            self._cell_type(node)
            return
        if kind == STRONG:
            if _RC_PATH.match(path):
                self.replace(head, self.names.arc if path == "Rc" else "std::sync::Arc")
            elif not _ARC_PATH.match(path) or self.plan.cell is None:
                raise UnsupportedError("not an Rc type")
        elif kind == WEAK:
            if (path == "Weak" and self.rc_weak_names) or _RC_WEAK_QUALIFIED.match(path):
                self.replace(head, self.names.weak if path == "Weak" else "std::sync::Weak")
                self.plan.converted_weak += 1
            else:
                raise UnsupportedError("not an rc::Weak type")
        if self.plan.cell is not None:
            self._cell_type(inner_type)
        elif inner_type.type == "generic_type" and _path_text(
                self.file, inner_type.child_by_field_name("type")).endswith("Cell"):
            raise UnsupportedError("a cell the conversion does not cover")

    def _cell_type(self, node: Node) -> None:
        head = node.child_by_field_name("type") if node.type == "generic_type" else None
        path = _path_text(self.file, head)
        if head is None or not _REFCELL_PATH.match(path):
            raise UnsupportedError("expected RefCell<…>")
        if self.plan.cell is None:
            raise UnsupportedError("no lock chosen")
        self.replace(head, self.names.lock if path == "RefCell"
                     else f"std::sync::{self.plan.cell}")

    # --- where a slot's value comes from ---

    def producer(self, expr: Node, kind: str) -> None:
        expr = _unparen(expr)
        kind_of = expr.type
        if kind_of in ("identifier", "field_expression", "self"):
            self.source(expr, kind)
            return
        if kind_of != "call_expression":
            raise UnsupportedError(f"producer {kind_of}")
        function = expr.child_by_field_name("function")
        arguments = expr.child_by_field_name("arguments")
        if function is None or arguments is None:
            raise UnsupportedError("call")
        args = arguments.named_children
        if function.type == "field_expression":
            method = _text(self.file, function.child_by_field_name("field"))
            receiver = function.child_by_field_name("value")
            if method == "clone" and not args and receiver is not None:
                self.source(receiver, kind)
                return
            raise UnsupportedError(f"produced by .{method}()")
        if function.type == "generic_function":
            raise UnsupportedError("turbofish")
        if function.type != "scoped_identifier":
            raise UnsupportedError("produced by a call")
        path = function.child_by_field_name("path")
        name = _text(self.file, function.child_by_field_name("name"))
        path_text = _path_text(self.file, path)
        if kind == CELL:
            if _REFCELL_PATH.match(path_text) and name in ("new", "default") and path is not None:
                self._lock_path(path, path_text)
                return
            raise UnsupportedError("cell producer")
        if kind == STRONG and _RC_PATH.match(path_text) and path is not None:
            self._arc_path(path, path_text)
            if name in ("new", "pin") and len(args) == 1:
                if self.plan.cell is not None:
                    self.producer(args[0], CELL)
                return
            if name == "default" and not args:
                return
            if name == "clone" and len(args) == 1 and args[0].type == "reference_expression":
                value = args[0].child_by_field_name("value")
                if value is not None:
                    self.source(value, STRONG)
                    return
            raise UnsupportedError(f"Rc::{name}")
        if kind == STRONG and _ARC_PATH.match(path_text) and self.plan.cell is not None:
            if name == "new" and len(args) == 1:
                self.producer(args[0], CELL)
                return
            if name == "clone" and len(args) == 1 and args[0].type == "reference_expression":
                value = args[0].child_by_field_name("value")
                if value is not None:
                    self.source(value, STRONG)
                    return
            raise UnsupportedError(f"Arc::{name}")
        if kind == WEAK and _RC_PATH.match(path_text) and name == "downgrade" and path is not None \
                and len(args) == 1 and args[0].type == "reference_expression":
            self._arc_path(path, path_text)
            value = args[0].child_by_field_name("value")
            if value is None:
                raise UnsupportedError("downgrade")
            self.source(value, STRONG)
            return
        weak_path = (path_text == "Weak" and self.rc_weak_names) or \
            _RC_WEAK_QUALIFIED.match(path_text) is not None
        if kind == WEAK and name == "new" and not args and path is not None and weak_path:
            self.replace(path, self.names.weak if path_text == "Weak" else "std::sync::Weak")
            self.plan.converted_weak += 1
            return
        raise UnsupportedError(f"produced by {path_text}::{name}")

    def _arc_path(self, path: Node, text: str) -> None:
        self.replace(path, self.names.arc if text == "Rc" else "std::sync::Arc")

    def _lock_path(self, path: Node, text: str) -> None:
        if self.plan.cell is None:
            raise UnsupportedError("no lock chosen")
        self.replace(path, self.names.lock if text == "RefCell"
                     else f"std::sync::{self.plan.cell}")

    def source(self, expr: Node, kind: str) -> None:
        """`expr` (a name or a field) holds a value of the slot's kind: it joins."""
        expr = _unparen(expr)
        if expr.type == "identifier":
            binding = resolve(self.file, expr)
            if binding is None:
                raise UnsupportedError("unresolved name")
            self.add_binding(binding, kind)
        elif expr.type == "field_expression":
            name = expr.child_by_field_name("field")
            if name is None or name.type != "field_identifier":
                raise UnsupportedError("tuple field")
            self.add_field(_text(self.file, name), kind)
        else:
            raise UnsupportedError(f"source {expr.type}")

    # --- a binding ---

    def _binding(self, binding: Node, kind: str) -> None:
        parent = binding.parent
        if parent is not None and parent.type == "mut_pattern":
            parent = parent.parent
        if parent is None:
            raise UnsupportedError("binding")
        if parent.type == "let_declaration" and parent.child_by_field_name("pattern") in (
                binding, binding.parent):
            annotation = parent.child_by_field_name("type")
            if annotation is not None:
                self.type_edit(annotation, kind)
            value = parent.child_by_field_name("value")
            if value is None or parent.child_by_field_name("alternative") is not None:
                raise UnsupportedError("let without value")
            self.producer(value, kind)
        elif parent.type == "parameter":
            annotation = parent.child_by_field_name("type")
            if annotation is None:
                raise UnsupportedError("parameter type")
            self.type_edit(annotation, kind)
            self._callers(parent, kind)
        elif parent.type == "tuple_struct_pattern" and self._upgraded(parent):
            pass  # `if let Some(p) = weak.upgrade()`: checked where the upgrade is
        else:
            raise UnsupportedError(f"bound by {parent.type}")
        for use in uses(self.file, binding):
            self.consumer(use, kind)

    def _upgraded(self, pattern: Node) -> bool:
        head = pattern.child_by_field_name("type")
        parent = pattern.parent
        return (head is not None and _text(self.file, head) == "Some" and parent is not None
                and parent.type == "let_condition" and len(pattern.named_children) == 2)

    def _callers(self, parameter: Node, kind: str) -> None:
        params = parameter.parent
        function = params.parent if params is not None else None
        if params is None or function is None or function.type != "function_item":
            raise UnsupportedError("closure parameter")
        name = _text(self.file, function.child_by_field_name("name"))
        if len(self.functions.get(name, [])) != 1:
            raise UnsupportedError("function name not unique")
        owner = function.parent.parent if function.parent is not None else None
        if owner is not None and owner.type == "impl_item" and \
                owner.child_by_field_name("trait") is not None:
            raise UnsupportedError("trait method signature")
        if owner is not None and owner.type == "trait_item":
            raise UnsupportedError("trait method")
        plain = [p for p in params.named_children if p.type != "attribute_item"]
        method = bool(plain) and plain[0].type == "self_parameter"
        index = [p.id for p in plain].index(parameter.id) - (1 if method else 0)
        annotation = parameter.child_by_field_name("type")
        by_reference = annotation is not None and annotation.type == "reference_type"
        for node in self.file.identifiers(name, kinds=("identifier", "field_identifier")):
            if node.parent is not None and node.parent.id == function.id:
                continue
            callee: Node = node
            call = node.parent
            if call is not None and call.type in ("scoped_identifier", "field_expression") \
                    and call.child_by_field_name("name" if call.type == "scoped_identifier"
                                                 else "field") == node:
                callee = call
                call = call.parent
            if call is None or call.type != "call_expression" or \
                    call.child_by_field_name("function") != callee:
                raise UnsupportedError("function used as a value")
            arguments = call.child_by_field_name("arguments")
            args = arguments.named_children if arguments is not None else []
            if method and callee.type == "scoped_identifier":
                args = args[1:]  # `Type::method(receiver, …)`
            if index >= len(args):
                raise UnsupportedError("call shape")
            argument = _unparen(args[index])
            if by_reference and argument.type == "reference_expression":
                # `touch(&session)` for `session: &Rc<…>`: the referenced value converts.
                value = argument.child_by_field_name("value")
                if value is None:
                    raise UnsupportedError("reference argument")
                self.source(value, kind)
            else:
                self.producer(argument, kind)

    # --- a struct field ---

    def _field(self, name: str, kind: str) -> None:
        owners = []
        for struct_name, struct in self.structs.items():
            for declaration in rustsyntax.field_declarations(struct):
                if _text(self.file, declaration.child_by_field_name("name")) == name:
                    owners.append((struct_name, struct, declaration))
        if len(owners) != 1:
            raise UnsupportedError("field not found or not unique")
        struct_name, struct, declaration = owners[0]
        annotation = declaration.child_by_field_name("type")
        if annotation is None:
            raise UnsupportedError("field type")
        self._derives_allowed(struct, kind, annotation)
        self.type_edit(annotation, kind)
        for node in self.file.walk():
            if node.type == "struct_expression":
                type_name = self._struct_name(node)
                if type_name != struct_name:
                    continue
                body = node.child_by_field_name("body")
                for init in body.named_children if body is not None else []:
                    if init.type == "field_initializer" and _text(self.file,
                            init.child_by_field_name("field")) == name:
                        value = init.child_by_field_name("value")
                        if value is None:
                            raise UnsupportedError("initializer")
                        self.producer(value, kind)
                    elif init.type == "shorthand_field_initializer" and \
                            _text(self.file, init) == name:
                        self.source(init.named_children[0], kind)
            elif node.type == "field_expression" and _text(self.file,
                    node.child_by_field_name("field")) == name:
                self.consumer(node, kind)
            elif node.type in ("field_pattern", "shorthand_field_identifier") and \
                    _text(self.file, node).split(":")[0].strip() == name:
                raise UnsupportedError("field destructured")

    def _struct_name(self, expression: Node) -> str:
        name = expression.child_by_field_name("name")
        text = _text(self.file, name) if name is not None else ""
        if text == "Self":
            impl = next((a for a in ancestors(expression) if a.type == "impl_item"), None)
            target = impl.child_by_field_name("type") if impl is not None else None
            text = _text(self.file, target) if target is not None else ""
        return re.sub(r"<.*", "", text).rsplit("::", 1)[-1]

    def _derives_allowed(self, struct: Node, kind: str, annotation: Node) -> None:
        if self.plan.cell is None:
            return
        derives = set()
        sibling = struct.prev_named_sibling
        while sibling is not None and sibling.type == "attribute_item":
            text = _text(self.file, sibling)
            if "derive" in text:
                derives.update(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text.split("derive", 1)[1]))
            sibling = sibling.prev_named_sibling
        allowed = {"Debug", "Default"} | ({"Clone"} if kind != CELL else set())
        if derives - allowed:
            raise UnsupportedError("derives a trait Mutex does not have")

    # --- where a slot's value goes ---

    def consumer(self, use: Node, kind: str) -> None:
        use, parent = _outer(use)
        if parent is None:
            raise UnsupportedError("use")
        ptype = parent.type
        if ptype == "token_tree":
            self._in_macro(use, kind)
            return
        if ptype == "field_expression" and parent.child_by_field_name("value") == use:
            call, grand = _outer(parent)
            if grand is not None and grand.type == "call_expression" and \
                    grand.child_by_field_name("function") == call:
                self._method(use, parent, grand, kind)
            elif kind == CELL:
                raise UnsupportedError("field of a RefCell")
            return
        if ptype == "reference_expression":
            self._referenced(parent, kind)
            return
        if ptype == "unary_expression":
            if self.plan.cell is not None or kind != STRONG:
                raise UnsupportedError("deref of a cell")
            return
        if ptype == "expression_statement":
            return
        self.sink(use, kind)

    def sink(self, value: Node, kind: str) -> None:
        """Where a whole value (a name, a field, a clone) is moved to."""
        value, parent = _outer(value)
        if parent is None:
            raise UnsupportedError("sink")
        ptype = parent.type
        if ptype == "let_declaration" and parent.child_by_field_name("value") == value:
            pattern = parent.child_by_field_name("pattern")
            if pattern is not None and pattern.type == "mut_pattern":
                pattern = pattern.named_children[-1] if pattern.named_children else None
            if pattern is None or pattern.type != "identifier":
                raise UnsupportedError("destructured")
            self.add_binding(pattern, kind)
            return
        if ptype == "field_initializer":
            name = parent.child_by_field_name("field")
            self.add_field(_text(self.file, name), kind)
            return
        if ptype == "shorthand_field_initializer":
            self.add_field(_text(self.file, value), kind)
            return
        if ptype == "assignment_expression" and parent.child_by_field_name("right") == value:
            left = parent.child_by_field_name("left")
            if left is None:
                raise UnsupportedError("assignment")
            self.source(left, kind)
            return
        if ptype == "arguments":
            self._argument(value, parent, kind)
            return
        if ptype == "field_expression" and parent.child_by_field_name("value") == value:
            self.consumer(value, kind)  # `x.clone().method()`
            return
        raise UnsupportedError(f"moved into {ptype}")

    def _argument(self, value: Node, arguments: Node, kind: str) -> None:
        call = arguments.parent
        function = call.child_by_field_name("function") if call is not None else None
        if call is None or function is None:
            raise UnsupportedError("arguments")
        text = _path_text(self.file, function)
        if text in _PASSIVE_FNS:
            return
        args = arguments.named_children
        index = [a.id for a in args].index(value.id)
        if function.type == "scoped_identifier":
            path = function.child_by_field_name("path")
            name = _text(self.file, function.child_by_field_name("name"))
            path_text = _path_text(self.file, path)
            if kind == STRONG and _RC_PATH.match(path_text) and path is not None and \
                    name in ("try_unwrap", "into_inner", "unwrap_or_clone", "strong_count",
                             "weak_count") and self.plan.cell is None:
                self._arc_path(path, path_text)
                return
        target = self._local_parameter(function, index)
        if target is None:
            raise UnsupportedError(f"passed to {text}")
        self.add_binding(target, kind)

    def _local_parameter(self, function: Node, index: int) -> Node | None:
        """The pattern identifier of parameter `index` of a fn of this file called as
        `function(…)`, `path::function(…)` or `x.function(…)`."""
        if function.type == "identifier":
            name, method = _text(self.file, function), False
        elif function.type == "scoped_identifier":
            name, method = _text(self.file, function.child_by_field_name("name")), False
        elif function.type == "field_expression":
            name, method = _text(self.file, function.child_by_field_name("field")), True
        else:
            return None
        found = self.functions.get(name, [])
        if len(found) != 1:
            return None
        params = found[0].child_by_field_name("parameters")
        plain = [p for p in params.named_children if p.type != "attribute_item"] \
            if params is not None else []
        if plain and plain[0].type == "self_parameter":
            plain = plain[1:]
            if not method and function.type == "scoped_identifier":
                index -= 1
        elif method:
            return None
        if not 0 <= index < len(plain) or plain[index].type != "parameter":
            return None
        pattern = plain[index].child_by_field_name("pattern")
        if pattern is not None and pattern.type == "mut_pattern":
            pattern = pattern.named_children[-1] if pattern.named_children else None
        return pattern if pattern is not None and pattern.type == "identifier" else None

    def _referenced(self, reference: Node, kind: str) -> None:
        """`&x`: a path call on `Rc`, a parameter of ours that takes `&Rc<…>`, or a plain
        `&T` by deref coercion."""
        reference, parent = _outer(reference)
        call = parent.parent if parent is not None and parent.type == "arguments" else None
        function = call.child_by_field_name("function") if call is not None else None
        if parent is None or call is None or function is None:
            if kind == CELL or (parent is not None and parent.type == "let_declaration"):
                raise UnsupportedError("reference kept")
            return
        if function.type == "scoped_identifier":
            path = function.child_by_field_name("path")
            name = _text(self.file, function.child_by_field_name("name"))
            text = _path_text(self.file, path)
            if kind == STRONG and path is not None and (_RC_PATH.match(text) or (
                    _ARC_PATH.match(text) and self.plan.cell is not None)):
                if _RC_PATH.match(text):
                    self._arc_path(path, text)
                if name == "clone":
                    self.sink(call, STRONG)
                elif name == "downgrade":
                    self.sink(call, WEAK)
                elif name not in ("strong_count", "weak_count", "as_ptr"):
                    raise UnsupportedError(f"Rc::{name}")
                return
            if kind == WEAK and text in ("Weak", "rc::Weak", "std::rc::Weak"):
                raise UnsupportedError("Weak path call")
        index = [a.id for a in parent.named_children].index(reference.id)
        target = self._local_parameter(function, index)
        if target is None:
            if kind == CELL:
                raise UnsupportedError("&RefCell passed on")
            return  # `&Rc<T>` coerces to `&T` exactly as `&Arc<T>` does
        declaration = target.parent
        annotation = declaration.child_by_field_name("type") if declaration is not None else None
        text = _text(self.file, annotation) if annotation is not None else ""
        if re.search(r"\b(?:Rc|Weak|RefCell|Arc)\s*<", text):
            self.add_binding(target, kind)
        elif kind == CELL:
            raise UnsupportedError("&RefCell passed on")

    def _method(self, receiver: Node, access: Node, call: Node, kind: str) -> None:
        method = _text(self.file, access.child_by_field_name("field"))
        arguments = call.child_by_field_name("arguments")
        empty = arguments is not None and not arguments.named_children
        if kind == WEAK:
            if method == "upgrade" and empty:
                self._upgrade(call)
            elif method == "clone" and empty:
                self.sink(call, WEAK)
            elif method not in ("strong_count", "weak_count"):
                raise UnsupportedError(f"Weak::{method}")
            return
        cell = self.plan.cell is not None
        if method in ("borrow", "borrow_mut") and empty and cell and kind in (STRONG, CELL):
            name = access.child_by_field_name("field")
            assert name is not None
            self.edit(name.start_byte, call.end_byte, self._lock_call(method))
            self.plan.borrows.append(call)
            return
        if method == "clone" and empty and kind == STRONG:
            self.sink(call, STRONG)
            return
        if cell and (method in _CELL_ONLY or kind == CELL):
            raise UnsupportedError(f"RefCell::{method}")

    def _lock_call(self, method: str) -> str:
        if self.plan.cell == "RwLock":
            return "write().unwrap()" if method == "borrow_mut" else "read().unwrap()"
        return "lock().unwrap()"

    def _upgrade(self, call: Node) -> None:
        call, parent = _outer(call)
        if parent is not None and parent.type == "let_condition" and \
                parent.child_by_field_name("value") == call:
            pattern = parent.child_by_field_name("pattern")
            if pattern is not None and self._upgraded(pattern):
                inner = pattern.named_children[-1]
                if inner.type == "identifier":
                    self.add_binding(inner, STRONG)
                    return
        if parent is not None and parent.type == "field_expression":
            outer_call = parent.parent
            name = _text(self.file, parent.child_by_field_name("field"))
            if name in ("is_some", "is_none") and outer_call is not None and \
                    outer_call.type == "call_expression":
                return
        raise UnsupportedError("upgrade result")

    def _in_macro(self, ident: Node, kind: str) -> None:
        """`name` among a macro's tokens: `name.borrow()` is rewritten, `&name`, `name.len()`
        and plain `name` are left as they are; anything that could move it is not known."""
        dot = ident.next_sibling
        method = dot.next_sibling if dot is not None and dot.type == "." else None
        args = method.next_sibling if method is not None else None
        name = _text(self.file, method) if method is not None else ""
        if self.plan.cell is not None and kind in (STRONG, CELL) and \
                name in ("borrow", "borrow_mut") and args is not None and \
                args.type == "token_tree" and _text(self.file, args).replace(" ", "") == "()":
            assert method is not None
            self.edit(method.start_byte, args.end_byte, self._lock_call(name))
            self.plan.borrows.append(ident)
            return
        if name == "clone" or (self.plan.cell is not None and name in _CELL_ONLY) \
                or (kind == WEAK and name == "upgrade"):
            raise UnsupportedError("macro use")

    # --- lock safety ---

    def _check_borrows(self) -> None:
        """Refuse a lock conversion that could deadlock or hold a guard across an await."""
        scopes = []
        for borrow in self.plan.borrows:
            bound = self._bound_guard(borrow)
            if bound is not None:
                block = bound.parent
                if block is None:
                    raise UnsupportedError("guard")
                region = (bound.start_byte, block.end_byte)
            else:
                statement = next((a for a in ancestors(borrow) if a.type in (
                    "expression_statement", "let_declaration", "match_arm", "block")), None)
                if statement is None:
                    raise UnsupportedError("guard")
                if statement.type == "block":
                    statement = statement.parent or statement
                region = (statement.start_byte, statement.end_byte)
            scopes.append((borrow, region))
            if self._awaits_in(region, borrow):
                raise UnsupportedError("guard across an await")
        for borrow, (start, end) in scopes:
            for other, _ in scopes:
                if other.id != borrow.id and start <= other.start_byte < end:
                    raise UnsupportedError("two guards at once")

    def _bound_guard(self, borrow: Node) -> Node | None:
        """The `let` when the guard itself is bound (`let g = x.borrow();`)."""
        node, parent = _outer(borrow)
        while parent is not None and parent.type in ("reference_expression",
                                                     "unary_expression"):
            node, parent = _outer(parent)
        if parent is not None and parent.type == "let_declaration" and \
                parent.child_by_field_name("value") == node:
            return parent
        return None

    def _awaits_in(self, region: tuple[int, int], borrow: Node) -> bool:
        owner = next((a for a in ancestors(borrow) if a.type in (
            "function_item", "closure_expression", "async_block")), None)
        if owner is None:
            return False
        for node in syntax.captured("await_expressions", owner, "await"):
            if region[0] <= node.start_byte < region[1] and node.end_byte > borrow.start_byte:
                inner_owner = next((a for a in ancestors(node) if a.type in (
                    "function_item", "closure_expression", "async_block")), None)
                if inner_owner is not None and inner_owner.id == owner.id:
                    return True
        return False


# --- is the data behind the pointer thread-safe? ---------------------------------------------


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
    local = dict(rustsyntax.named_items(file.parsed, "struct_item", "enum_item", "type_item",
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
                own |= {_text(file, n) for n in file.walk(params)
                        if n.type == "type_identifier"}
            body = item.child_by_field_name("body") or item.child_by_field_name("type")
            text = _text(file, body) if body is not None else ""
            # Generic parameters of the item itself are filled in by its user: fine here.
            text = re.sub(r"\b(?:" + "|".join(map(re.escape, own - generics)) + r")\b", "",
                          text) if own - generics else text
            if not thread_safe(file, text, need_sync=need_sync, generics=generics, seen=seen):
                return False
    return True


def generics_around(file: SourceFile, node: Node) -> set[str]:
    out: set[str] = set()
    for ancestor in [node, *ancestors(node)]:
        params = ancestor.child_by_field_name("type_parameters")
        if params is not None:
            out |= {_text(file, n) for n in file.walk(params) if n.type == "type_identifier"}
    return out


def pointee(type_text: str) -> str | None:
    """`T` of the first `Rc<T>`/`Arc<T>`/`Weak<T>` in a type, or of `RefCell<T>` when the
    text is a bare cell."""
    found = re.search(r"(?<![A-Za-z0-9_])(?:Rc|Arc|Weak|RefCell)<", type_text)
    if found is None:
        return None
    depth, start = 0, found.end()
    for index in range(start, len(type_text)):
        char = type_text[index]
        if char == "<":
            depth += 1
        elif char == ">":
            if depth == 0:
                return type_text[start:index]
            depth -= 1
    return None


# --- names and imports -----------------------------------------------------------------------


def _name_taken(file: SourceFile, name: str) -> bool:
    """True when `name` already means something other than `std::sync::<name>`."""
    for imp in use_lines.imports(file):
        path = re.sub(r"\s+", "", imp.path).removeprefix("::")
        if imp.name == name and path != f"std::sync::{name}" and \
                not (name == "Weak" and path == "std::rc::Weak"):
            return True
        if imp.name == "*" and path != "std::sync::*" and \
                imp.declaration.parent is not None and imp.declaration.parent.type == "source_file":
            return True
    return any(found == name for found, _ in rustsyntax.named_items(
        file.parsed, "struct_item", "enum_item", "type_item", "trait_item"))


def _names(file: SourceFile, cell: str | None, *, qualify_weak: bool) -> Names:
    arc = "std::sync::Arc" if _name_taken(file, "Arc") else "Arc"
    lock_name = cell or "Mutex"
    lock = f"std::sync::{lock_name}" if _name_taken(file, lock_name) else lock_name
    weak = "std::sync::Weak" if qualify_weak or _name_taken(file, "Weak") else "Weak"
    return Names(arc=arc, lock=lock, weak=weak)


def _remaining(file: SourceFile, name: str, plan: Plan) -> int:
    """Uses of `name` outside `use` lines that the plan does not rewrite."""
    count = 0
    for node in file.identifiers(name):
        if any(a.type == "use_declaration" for a in ancestors(node)):
            continue
        if any(s <= node.start_byte and node.end_byte <= e for (s, e) in plan.edits):
            continue
        count += 1
    return count


# --- entry point -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Start:
    """Where a conversion begins: a binding identifier or a field name, and its kind."""

    kind: str
    binding: Node | None = None
    field_name: str | None = None


def convert(file: SourceFile, start: Start, *, cell: str | None,
            data_type: str | None) -> list[TextEdit] | None:
    """The edits of the conversion, or None when any part of it is not understood."""
    if "no_std" in file.text[:2000] and re.search(r"#!\[no_std\]", file.text):
        return None
    anchor = start.binding or file.root
    generics = generics_around(file, anchor)
    if data_type is None or not thread_safe(
            file, data_type, need_sync=cell != "Mutex", generics=generics):
        return None
    plan: Plan | None = None
    for qualify_weak in (False, True):
        names = _names(file, cell, qualify_weak=qualify_weak)
        converter = Converter(file, cell=cell, names=names,
                              rc_weak_names=use_lines.imports_name(file, "Weak", "std::rc::Weak"))
        try:
            if start.binding is not None:
                converter.add_binding(start.binding, start.kind)
            elif start.field_name is not None:
                converter.add_field(start.field_name, start.kind)
            plan = converter.run()
        except (UnsupportedError, ValueError, IndexError):
            return None
        if not plan.converted_weak or names.weak != "Weak" or \
                _remaining(file, "Weak", plan) == 0:
            break
    if plan is None or not plan.edits:
        return None
    edits = [file.edit_bytes(s, e, t) for (s, e), t in sorted(plan.edits.items())]
    try:
        file.apply(edits)
    except EditError:
        return None
    # The `std::sync` names the plan writes, and the imports of what it replaces (a new
    # `Weak` that would clash with an `std::rc::Weak` that stays makes it no fix at all).
    imports = use_edits.import_edits(
        file, edits, add=[f"std::sync::{name}" for name in ("Arc", cell, "Weak") if name],
        drop=["std::rc::Rc", "std::cell::RefCell", "std::rc::Weak"])
    if imports is None:
        return None
    edits.extend(imports)
    try:
        file.apply(edits)
    except EditError:
        return None
    return edits


def binding_on_line(file: SourceFile, name: str, line: int) -> Node | None:
    """The binding `name` declared (or, failing that, used) on `line`."""
    found = [n for n in file.identifiers(name, kinds=("identifier",))
             if file.parsed.start(n)[0] == line]
    for node in found:
        if is_binding(node):
            return node
    for node in found:
        target = resolve(file, node)
        if target is not None:
            return target
    return None


def make(fix_id: str, title: str, edits: list[TextEdit] | None, *,
         preferred: bool = False) -> list[Fix]:
    if not edits:
        return []
    fix = make_fix(fix_id, title, edits, preferred=preferred)
    return [fix] if fix is not None else []


# --- what the diagnostics name ---------------------------------------------------------------

_RC_TYPE = re.compile(r"^&?(?:'\w+\s+)?(?:(?:std|alloc)::)?(?:rc::)?Rc<")
_WEAK_TYPE = re.compile(r"^&?(?:'\w+\s+)?(?:(?:std|alloc)::)?(?:rc::)?Weak<")
_ARC_TYPE = re.compile(r"^&?(?:'\w+\s+)?(?:(?:std|alloc)::)?(?:sync::)?Arc<")
_REFCELL_TYPE = re.compile(r"^(?:(?:std|core)::)?(?:cell::)?RefCell<")
_OTHER_CELL = re.compile(r"^(?:(?:std|core)::)?(?:cell::)?(?:Cell|OnceCell|UnsafeCell|LazyCell)<")


@dataclass(frozen=True)
class Shape:
    """How the culprit's type converts: the kind of its slot, whether a `RefCell` inside
    must become a lock, and the data type that must be thread-safe afterwards."""

    kind: str
    cell: bool
    data: str
    pointer: str  # "Rc", "Weak" or "Arc" (only the cell changes)


def shape_of(type_text: str) -> Shape | None:
    text = type_text.strip()
    if _RC_TYPE.match(text):
        kind, pointer = STRONG, "Rc"
    elif _WEAK_TYPE.match(text):
        kind, pointer = WEAK, "Weak"
    elif _ARC_TYPE.match(text):
        kind, pointer = STRONG, "Arc"
    elif _REFCELL_TYPE.match(text.lstrip("&")):
        kind, pointer = CELL, ""
    else:
        return None
    inner = pointee(text)
    if inner is None:
        return None
    if kind == CELL:
        return Shape(CELL, True, inner, "")
    if _REFCELL_TYPE.match(inner):
        data = pointee(inner)
        return Shape(kind, True, data, pointer) if data is not None else None
    if _OTHER_CELL.match(inner) or pointer == "Arc":
        return None
    return Shape(kind, False, inner, pointer)


def struct_field_start(file: SourceFile, struct_type: str) -> tuple[Start, Shape] | None:
    """The one field of a struct of this file whose type is an `Rc`/`rc::Weak`."""
    name = re.sub(r"^&(?:'\w+\s+)?(?:mut\s+)?", "", struct_type.strip())
    name = re.sub(r"<.*", "", name).rsplit("::", 1)[-1]
    structs = [n for found_name, n in rustsyntax.named_items(file.parsed, "struct_item")
               if found_name == name]
    if len(structs) != 1:
        return None
    found = []
    for node in rustsyntax.field_declarations(structs[0]):
        kind = node.child_by_field_name("type")
        shape = shape_of(_text(file, kind)) if kind is not None else None
        field_name = node.child_by_field_name("name")
        if shape is not None and shape.pointer in ("Rc", "Weak") and field_name is not None:
            found.append((Start(shape.kind, field_name=_text(file, field_name)), shape))
        elif kind is not None and re.search(r"\b(?:Rc|Weak)\s*<", _text(file, kind)):
            return None  # `Vec<Rc<T>>`, `Option<Rc<T>>`: not a slot we convert
    return found[0] if len(found) == 1 else None


def closure_binding(file: SourceFile, line: int, variable: str,
                    kind: str) -> Start | None:
    """The binding (or, for `x.field`, the field) a closure on `line` captures."""
    closures = [n for n in file.walk() if n.type == "closure_expression"
                and file.parsed.start(n)[0] == line]
    name, _, field_name = variable.partition(".")
    for closure in closures:
        body = closure.child_by_field_name("body")
        if body is None:
            continue
        if field_name:
            if "." in field_name:
                return None
            return Start(kind, field_name=field_name)
        for node in file.identifiers(name, within=body, kinds=("identifier",)):
            binding = resolve(file, node)
            if binding is not None and binding.start_byte < closure.start_byte:
                return Start(kind, binding=binding)
    return None


def title(shape: Shape, cell: str | None, subject: str) -> str:
    """"Use `Arc<Mutex<…>>` instead of `Rc<RefCell<…>>` for `x`"-style titles."""
    if shape.kind == CELL:
        return f"Use `{cell}` instead of `RefCell` for {subject}"
    if shape.pointer == "Arc":
        return f"Use `Arc<{cell}<…>>` instead of `Arc<RefCell<…>>` for {subject}"
    if shape.kind == WEAK:
        old, new = "rc::Weak", "sync::Weak"
    else:
        old, new = "Rc", "Arc"
    if shape.cell:
        return f"Use `{new}<{cell}<…>>` instead of `{old}<RefCell<…>>` for {subject}"
    return f"Use `{new}` instead of `{old}` for {subject}"


def subject(start: Start, file: SourceFile, struct_type: str | None = None) -> str:
    if start.binding is not None:
        return f"`{_text(file, start.binding)}`"
    owner = re.sub(r"<.*", "", (struct_type or "").lstrip("&")).rsplit("::", 1)[-1]
    return f"the `{start.field_name}` field" + (f" of `{owner}`" if owner else "")


def send_rc_fixes(match: Match, sources: Sources) -> list[Fix]:
    """`rc-to-arc` for a non-`Send` future whose culprit is an `Rc`/`rc::Weak` binding, a
    struct holding one in a field, or a value captured by a spawned async block."""
    if match.diagnostic is None:
        return []
    variable = match.fact("variable")
    type_text = match.fact("type")
    if not variable or not type_text:
        return []
    captured = match.fact("captured") == "true"
    line = match.fact("capture_line" if captured else "decl_line")
    if line is None:
        return []
    path = next((r.span.file for r in match.related if r.span.line_start == int(line)), None)
    file = SourceFile.load(sources, path) if path is not None else None
    if file is None:
        return []
    binding = binding_on_line(file, variable, int(line))
    if binding is None:
        return []
    shape = shape_of(type_text)
    struct_type = None
    if shape is not None:
        start = Start(shape.kind, binding=binding)
    else:
        inner = match.fact("inner_type")
        if not inner or shape_of(inner) is None:
            return []
        found = struct_field_start(file, type_text)
        if found is None:
            return []
        start, shape = found
        struct_type = type_text
    if shape.pointer not in ("Rc", "Weak"):
        return []
    cell = "Mutex" if shape.cell else None
    edits = convert(file, start, cell=cell, data_type=shape.data)
    return make("rc-to-arc", title(shape, cell, subject(start, file, struct_type)), edits,
                preferred=True)


def thread_fixes(match: Match, sources: Sources, path: str | None) -> list[Fix]:
    """Fixes for a closure handed to a thread that captures an `Rc`, an `Rc<RefCell<…>>`, an
    `Arc<RefCell<…>>` or a shared `&RefCell<…>`: the thread-safe twins, `Mutex` first and
    `RwLock` as the alternative when a `RefCell` is involved."""
    variable = match.fact("variable")
    type_text = match.fact("type")
    line = match.fact("closure_line")
    if not variable or not type_text or line is None or path is None:
        return []
    via = match.fact("via")
    shape = shape_of(type_text)
    if shape is not None and shape.kind == CELL and via:
        shape = shape_of(via)  # `Arc<RefCell<T>>` / `&RefCell<T>` carried the cell
    if shape is None:
        return []
    file = SourceFile.load(sources, path)
    if file is None:
        return []
    start = closure_binding(file, int(line), variable, shape.kind)
    if start is None:
        return []
    who = subject(start, file, None)
    if not shape.cell:
        return make("rc-to-arc", title(shape, None, who),
                    convert(file, start, cell=None, data_type=shape.data), preferred=True)
    prefix = "refcell-to" if shape.pointer in ("Arc", "") else "rc-to-arc"
    fixes = []
    for cell, suffix in (("Mutex", "mutex" if prefix == "refcell-to" else ""),
                         ("RwLock", "rwlock")):
        fix_id = f"{prefix}-{suffix}" if suffix else prefix
        fixes += make(fix_id, title(shape, cell, who),
                      convert(file, start, cell=cell, data_type=shape.data),
                      preferred=cell == "Mutex")
    return fixes


FIX_NOTE = (
    "The quick fix does this rewrite for you: it follows the value through the file (the "
    "`Rc::new`, every `Rc::clone`/`.clone()` and `Rc::downgrade` of it, the parameters "
    "(`&Rc<…>` ones too) and struct fields it is passed to) and changes all of them "
    "together, with the `use` lines of every module that names them. "
    "An inner `RefCell` becomes a `Mutex` only when every `.borrow()`/`.borrow_mut()` is in "
    "view and no two can be held at once. It is not offered when the value escapes somewhere "
    "it cannot follow (returned, put in a collection, passed to another crate), or when the "
    "data inside is not thread-safe itself (a `Cell` field, say): `Arc` would then only move "
    "the error."
)

THREAD_FIX_NOTE = (
    "The quick fix makes the `Rc` → `Arc` and `RefCell` → `Mutex` (or `RwLock`) swap for "
    "you when it can see every place the value goes in this file: where it is created and "
    "cloned, the parameters and fields it is passed to, and every `.borrow()` / "
    "`.borrow_mut()`, which become `.lock().unwrap()` (`.read()`/`.write()` for `RwLock`). "
    "It offers nothing for `Cell`, raw pointers or channel ends, whose replacements change "
    "how the value is used, nor when two borrows could be alive at once (a `Mutex` would "
    "deadlock where `RefCell` allowed it)."
)
