"""Where a `'static` requirement comes from: given the place rustc reports ("coercion requires
that `'1` must outlive `'static`", "argument requires…", "type annotation requires…", "this
usage requires…", "assignment requires…"), the written `'static` (or the `dyn Trait` whose
lifetime defaults to `'static`) in the crate that demands it: a parameter or field type, a
return type, a bound of the callee, the annotation of a `let`, a struct field.

Fact gathering for static-required, kept apart from the family so the family module holds its
matching, slots and fixes. Everything is read from the source with tree-sitter; a cause is
returned only when the written text shows the `'static`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import tree_sitter

from borrowlens.analyses.diagnostics.model import Span
from borrowlens.analyses.families.borrows.analysis import node_span
from borrowlens.analyses.rust import items, locate, syntax
from borrowlens.analyses.rust.printed import dyn_without_lifetime
from borrowlens.analyses.rust.sources import Sources

Node = tree_sitter.Node

_DYN = re.compile(r"\bdyn\b")
_STATIC = re.compile(r"'static\b")


@dataclass(frozen=True)
class Cause:
    """The written type or bound that demands `'static`.

    `kind`: "dyn" (a trait object's implicit `'static`), "bound" (a callee's `T: 'static`,
    `F: Fn() + 'static`, a where clause, an `impl Trait + 'static` or `&'static` parameter),
    "annotation" (a `let x: &'static T`), "field" (a struct's `'static` field) or "place"
    (the declared type of the place assigned to). `owner`: the fn or struct it belongs to.
    """

    kind: str
    span: Span
    text: str
    owner: str | None
    parameter: str | None = None
    # "return" when the cause is the enclosing fn's own return type (rustc's `+ '_` help
    # fits), "global" for a `static` (which can only ever hold `'static` data).
    site: str = ""


def find(what: str, primary: Span | None, sources: Sources) -> Cause | None:
    """The cause of the `'static` requirement rustc reports as `what` at `primary`."""
    text = sources.text(primary.file) if primary is not None else None
    if primary is None or text is None:
        return None
    parsed = syntax.parse(text)
    node, file = locate.covering(parsed, primary), primary.file
    if node is None:
        return None
    if what == "type annotation":
        return _annotation(parsed, node, file)
    if what == "this usage":
        return _struct_field(parsed, node, file) or _tuple_field(parsed, node, file)
    if what == "assignment":
        return _assigned_place(parsed, node, file)
    if what in ("coercion", "cast"):
        return (_cast(parsed, node, file) or _annotation(parsed, node, file, dyn=True)
                or _struct_field(parsed, node, file, dyn=True)
                or _callee(parsed, node, file, dyn=True) or _return_type(parsed, node, file))
    if what == "returning this value":
        return _closure_return(parsed, node, file) or _return_type(parsed, node, file)
    if what == "argument":
        return _callee(parsed, node, file, dyn=False)
    if what == "type argument":  # rustc's bare label: the annotation itself when it spans it
        declaration = syntax.enclosing(node, "let_declaration")
        kind = declaration.child_by_field_name("type") if declaration is not None else None
        inside = kind is not None and kind.start_byte <= node.start_byte <= kind.end_byte
        return _annotation(parsed, node, file) if inside else None
    return None



def _annotation(parsed: syntax.Parsed, node: Node, file: str, *,
                dyn: bool = False) -> Cause | None:
    """`let x: &'static T = …` (or `let x: Box<dyn Fn()> = …` for a coercion)."""
    declaration = syntax.enclosing(node, "let_declaration", "block", "closure_expression")
    kind = declaration.child_by_field_name("type") if declaration is not None and \
        declaration.type == "let_declaration" else None
    if kind is None:
        return None
    text = parsed.node_text(kind)
    if not (dyn_without_lifetime(text) if dyn else _STATIC.search(text)):
        return None
    function = locate.enclosing_function(kind)
    return Cause("dyn" if dyn else "annotation", node_span(parsed, kind, file), text,
                 locate.name_of(parsed, function))


def _struct_field(parsed: syntax.Parsed, node: Node, file: str, *,
                  dyn: bool = False) -> Cause | None:
    """`Conf { name: n }` where `Conf`'s field `name` is `&'static str` (or a bare `dyn`)."""
    initializer = syntax.enclosing(node, "field_initializer", "shorthand_field_initializer",
                                   "struct_expression")
    literal = syntax.enclosing(node, "struct_expression")
    if initializer is None or literal is None or initializer.type == "struct_expression":
        return None
    name_node = initializer.child_by_field_name("field") or (
        initializer.named_children[0] if initializer.named_children else None)
    type_name = literal.child_by_field_name("name")
    if name_node is None or type_name is None:
        return None
    struct = parsed.node_text(type_name).split("::")[-1].split("<")[0]
    field = parsed.node_text(name_node)
    found = field_named(parsed, struct, field, file, dyn=dyn)
    if found is not None or dyn:
        return found
    # `struct Job<T: 'static> { payload: T }`: the field's type parameter is bounded.
    for name, item in items.named_items(parsed, "struct_item"):
        for declaration in items.field_declarations(item) if name == struct else []:
            field_name = declaration.child_by_field_name("name")
            kind = declaration.child_by_field_name("type")
            if field_name is not None and kind is not None and \
                    parsed.node_text(field_name) == field:
                return static_bound(parsed, item, parsed.node_text(kind).strip(), file,
                                     name, field)
    return None


def _tuple_field(parsed: syntax.Parsed, node: Node, file: str) -> Cause | None:
    """`Label(name)` / `Token::Word(w)`: the positional field of a tuple struct or enum
    variant that is declared `'static`."""
    holder = syntax.enclosing(node, "arguments")
    call = holder.parent if holder is not None else None
    function = call.child_by_field_name("function") if call is not None else None
    if holder is None or function is None:
        return None
    index = next((i for i, arg in enumerate(holder.named_children)
                  if arg.start_byte <= node.start_byte and node.end_byte <= arg.end_byte), 0)
    name = parsed.node_text(function).split("::")[-1]
    for item in locate.walk(parsed.root, named=True):
        if item.type not in ("struct_item", "enum_variant"):
            continue
        item_name, body = item.child_by_field_name("name"), item.child_by_field_name("body")
        if item_name is None or body is None or parsed.node_text(item_name) != name or \
                body.type != "ordered_field_declaration_list":
            continue
        types = [body.child(i) for i in range(body.child_count)
                 if body.field_name_for_child(i) == "type"]
        kind = types[index] if index < len(types) else None
        if kind is not None and _STATIC.search(parsed.node_text(kind)):
            return Cause("field", node_span(parsed, kind, file), parsed.node_text(kind), name,
                         str(index))
    return None


def _cast(parsed: syntax.Parsed, node: Node, file: str) -> Cause | None:
    """`x as Box<dyn Any>`: the trait object written in the cast."""
    cast = syntax.enclosing(node, "type_cast_expression", "block", "closure_expression")
    kind = cast.child_by_field_name("type") if cast is not None and \
        cast.type == "type_cast_expression" else None
    if kind is None or not dyn_without_lifetime(parsed.node_text(kind)):
        return None
    function = locate.enclosing_function(kind)
    return Cause("dyn", node_span(parsed, kind, file), parsed.node_text(kind),
                 locate.name_of(parsed, function))


def field_named(parsed: syntax.Parsed, struct: str | None, field: str, file: str, *,
                dyn: bool = False) -> Cause | None:
    """The declaration of `field` (in `struct`, or in any struct of the file) whose type
    demands `'static`."""
    for name, item in items.named_items(parsed, "struct_item"):
        if struct is not None and name != struct:
            continue
        for declaration in items.field_declarations(item):
            field_name = declaration.child_by_field_name("name")
            kind = declaration.child_by_field_name("type")
            if field_name is None or kind is None or parsed.node_text(field_name) != field:
                continue
            text = parsed.node_text(kind)
            if dyn_without_lifetime(text) if dyn else _STATIC.search(text):
                return Cause("dyn" if dyn else "field", node_span(parsed, declaration, file),
                             text, name, field)
    return None


def _assigned_place(parsed: syntax.Parsed, node: Node, file: str) -> Cause | None:
    """`out = x;` where `out` is declared `&'static str` (a parameter or a `let`), `*slot =
    x;` where `slot` is declared `&mut &'static str`, or `self.f = x;` where the field `f`
    is."""
    assignment = syntax.enclosing(node, "assignment_expression")
    left = assignment.child_by_field_name("left") if assignment is not None else None
    # `*slot = x`: the place is behind `slot`, whose declared type spells the `'static`.
    while left is not None and left.type in ("unary_expression", "parenthesized_expression") \
            and left.named_children and parsed.node_text(left)[:1] in "*(":
        left = left.named_children[0]
    if left is None:
        return None
    if left.type == "field_expression":
        field = left.child_by_field_name("field")
        name = parsed.node_text(field) if field is not None else ""
        return (field_named(parsed, None, name, file)
                or field_named(parsed, None, name, file, dyn=True)) if name else None
    if left.type != "identifier":
        return None
    name = parsed.node_text(left)
    function = locate.enclosing_function(left)
    if function is None:
        return None
    for candidate in locate.walk(function, named=True):
        if candidate.type not in ("parameter", "let_declaration"):
            continue
        pattern = candidate.child_by_field_name("pattern")
        kind = candidate.child_by_field_name("type")
        if pattern is None or kind is None or \
                parsed.node_text(pattern).split()[-1:] != [name]:
            continue
        text = parsed.node_text(kind)
        if _STATIC.search(text):
            return Cause("place", node_span(parsed, candidate, file), text,
                         locate.name_of(parsed, function), name)
    return None


def _closure_return(parsed: syntax.Parsed, node: Node, file: str) -> Cause | None:
    """`|i| -> &'static T { &v[i] }`: the closure's own `'static` return annotation."""
    closure = syntax.enclosing(node, "closure_expression")
    result = closure.child_by_field_name("return_type") if closure is not None else None
    if result is None or not _STATIC.search(parsed.node_text(result)):
        return None
    return Cause("annotation", node_span(parsed, result, file), parsed.node_text(result),
                 locate.name_of(parsed, locate.enclosing_function(closure)))


def _return_type(parsed: syntax.Parsed, node: Node, file: str) -> Cause | None:
    """`fn f(x: &str) -> Box<dyn Fn()>`: the returned trait object's implicit `'static`."""
    function = locate.enclosing_function(node, stop_at=("closure_expression",))
    result = function.child_by_field_name("return_type") if function is not None else None
    written = parsed.node_text(result) if result is not None else ""
    # `-> Thunk<u64>` with `type Thunk<T> = Box<dyn Fn() -> T + 'static>`: the alias spells it.
    head = re.match(r"\w+", written)
    alias = next((item for name, item in items.named_items(parsed, "type_item")
                  if head is not None and name == head.group(0)), None)
    value = alias.child_by_field_name("type") if alias is not None else None
    aliased = parsed.node_text(value) if value is not None else ""
    if alias is not None and _DYN.search(aliased) and (
            dyn_without_lifetime(aliased) or _STATIC.search(aliased)):
        return Cause("dyn", node_span(parsed, alias, file), aliased,
                     locate.name_of(parsed, function))
    # `-> &'static dyn Trait` says `'static` outright: the reference is the cause, not the
    # trait object's default (lifetime-not-tied ties it to the input).
    if result is None or not dyn_without_lifetime(written) or _STATIC.search(written):
        return None
    return Cause("dyn", node_span(parsed, result, file), written,
                 locate.name_of(parsed, function), site="return")


def _callee(parsed: syntax.Parsed, node: Node, file: str, *, dyn: bool) -> Cause | None:
    """The call the span is an argument of (or is): the callee's parameter type, bound or
    where clause that demands `'static`, when the callee is defined in this file; for a
    method of a standard collection (`self.hooks.push(…)`), the field it is called on."""
    arguments = syntax.enclosing(node, "arguments")
    call = arguments.parent if arguments is not None else None
    if call is None or call.type != "call_expression":
        call = node if node.type == "call_expression" else None
    if call is None:
        return None
    arguments = call.child_by_field_name("arguments")
    function = call.child_by_field_name("function")
    while function is not None and function.type == "generic_function":
        function = function.child_by_field_name("function")
    if function is None or arguments is None:
        return None
    index = next((i for i, arg in enumerate(arguments.named_children)
                  if arg.start_byte <= node.start_byte and node.end_byte <= arg.end_byte), 0)
    if function.type == "field_expression":
        name_node = function.child_by_field_name("field")
        receiver = function.child_by_field_name("value")
    else:
        name_node = function.child_by_field_name("name") if function.type == \
            "scoped_identifier" else function
        receiver = None
    if name_node is None:
        return None
    name = parsed.node_text(name_node)
    # `service.start()` escaping `service` itself: the method's `&'static self` demands it.
    on_receiver = receiver is not None and not dyn and not any(
        arg.start_byte <= node.start_byte and node.end_byte <= arg.end_byte
        for arg in arguments.named_children)
    for found, item in items.named_items(parsed, "function_item"):
        if found != name:
            continue
        cause = (_static_receiver(parsed, item, name, file) if on_receiver else None) or \
            _in_signature(parsed, item, index, name, file, dyn=dyn)
        if cause is not None:
            return cause
    if receiver is not None and receiver.type == "field_expression":
        field = receiver.child_by_field_name("field")
        if field is not None:
            return field_named(parsed, None, parsed.node_text(field), file, dyn=dyn)
    return _global(parsed, receiver, file, dyn=dyn) if receiver is not None else None


def _global(parsed: syntax.Parsed, receiver: Node, file: str, *, dyn: bool) -> Cause | None:
    """`HOOKS.lock().unwrap().push(…)`: the `static` (or `thread_local!`-free `const`) at the
    root of the receiver chain, when its type spells a bare trait object (or, for a borrow
    stored in it, a `'static`)."""
    root: Node | None = receiver
    while root is not None and root.type in ("call_expression", "field_expression",
                                             "try_expression", "index_expression"):
        root = root.child_by_field_name("function") or root.child_by_field_name("value") or (
            root.named_children[0] if root.named_children else None)
    if root is None or root.type != "identifier":
        return None
    for item in locate.walk(parsed.root, named=True, into=lambda n: n.type in (
            "source_file", "mod_item", "declaration_list")):
        if item.type not in ("static_item", "const_item"):
            continue
        name, kind = item.child_by_field_name("name"), item.child_by_field_name("type")
        text = parsed.node_text(kind) if kind is not None else ""
        if name is not None and parsed.node_text(name) == parsed.node_text(root) and (
                dyn_without_lifetime(text) if dyn else _STATIC.search(text)):
            return Cause("dyn" if dyn else "place", node_span(parsed, item, file), text,
                         parsed.node_text(name), parsed.node_text(name), site="global")
    if not dyn:
        return None
    # `v.push(…)` with `v: &mut Vec<Box<dyn Trait>>`: the parameter (or `let`) declaring it.
    function = locate.enclosing_function(root)
    for candidate in locate.walk(function, named=True) if function is not None else []:
        pattern = candidate.child_by_field_name("pattern")
        kind = candidate.child_by_field_name("type")
        if candidate.type in ("parameter", "let_declaration") and pattern is not None and \
                kind is not None and parsed.node_text(pattern).split()[-1:] == [
                    parsed.node_text(root)] and dyn_without_lifetime(parsed.node_text(kind)):
            return Cause("dyn", node_span(parsed, candidate, file), parsed.node_text(kind),
                         locate.name_of(parsed, function), parsed.node_text(root))
    return None


def call_path(primary: Span | None, sources: Sources) -> str | None:
    """The written path of the call whose argument the span is (`std::panic::set_hook`)."""
    text = sources.text(primary.file) if primary is not None else None
    if primary is None or text is None:
        return None
    parsed = syntax.parse(text)
    node = locate.covering(parsed, primary)
    holder = syntax.enclosing(node, "arguments") if node is not None else None
    call = holder.parent if holder is not None else None
    function = call.child_by_field_name("function") if call is not None else None
    return parsed.node_text(function) if function is not None else None


def _in_signature(parsed: syntax.Parsed, item: Node, index: int, name: str, file: str, *,
                  dyn: bool) -> Cause | None:
    parameters = item.child_by_field_name("parameters")
    listed = [p for p in parameters.named_children
              if p.type == "parameter"] if parameters else []
    if index >= len(listed):
        return None
    parameter = listed[index]
    kind = parameter.child_by_field_name("type")
    if kind is None:
        return None
    text = parsed.node_text(kind)
    pattern = parameter.child_by_field_name("pattern")
    param_name = parsed.node_text(pattern) if pattern is not None else None
    if dyn:
        if dyn_without_lifetime(text):
            return Cause("dyn", node_span(parsed, parameter, file), text, name, param_name)
        return None
    if _STATIC.search(text):
        return Cause("bound", node_span(parsed, parameter, file), text, name, param_name)
    # `T` or `impl …` parameter: its bound in the generics or the where clause; a `&'x T`
    # parameter: an `'x: 'static` bound.
    for lifetime in [text.strip(), *(parsed.node_text(lt) for lt in items.lifetimes(kind))]:
        found = static_bound(parsed, item, lifetime, file, name, param_name)
        if found is not None:
            return found
    return None


def _static_receiver(parsed: syntax.Parsed, item: Node, name: str, file: str) -> Cause | None:
    """The method's `&'static self` receiver."""
    parameters = item.child_by_field_name("parameters")
    receiver = next((p for p in parameters.named_children if p.type == "self_parameter"),
                    None) if parameters is not None else None
    if receiver is None or not _STATIC.search(parsed.node_text(receiver)):
        return None
    return Cause("bound", node_span(parsed, receiver, file), parsed.node_text(receiver), name,
                 "self")


def static_bound(parsed: syntax.Parsed, item: Node, generic: str, file: str,
                  owner: str | None, name: str | None) -> Cause | None:
    """The bound of the type parameter `generic` in `item`'s generics or where clause, when it
    demands `'static`."""
    for place in locate.walk(item, named=True, into=lambda n: n.type not in (
            "block", "field_declaration_list")):
        if place.type in ("type_parameter", "constrained_type_parameter", "where_predicate",
                          "lifetime_parameter"):
            left = place.child_by_field_name("left") or place.child_by_field_name("name")
            bounds = place.child_by_field_name("bounds")
            if left is None or bounds is None or parsed.node_text(left) != generic:
                continue
            if _STATIC.search(parsed.node_text(bounds)):
                return Cause("bound", node_span(parsed, place, file), parsed.node_text(place),
                             owner, name)
    return None
