"""The signature behind a borrow error reported at a caller: reading the callee's definition.

rustc reports E0499 / E0502 / E0597 / E0521 where a borrow fails, at the call; the cause may be
a lifetime written in the callee's signature elsewhere in the crate. `find` follows the label
at the call ("first mutable borrow occurs here", "argument requires that … `'static`") to the
crate's definition (`rust/callees.py`) and returns a `Cause` only when the signature has one
of these shapes, proven from the source:

* `static-under-mut`: `&mut Vec<&'static str>` / `&mut Parser<'static>`, a `'static` under a
  `&mut` parameter, which invariance makes the caller's data meet exactly;
* `same-lifetime`: `&'a mut Vec<&'a str>` as a parameter, the borrow as long as the data;
* `same-lifetime-field`: a struct field `&'a mut Vec<&'a str>` the caller's borrow goes into;
* `self-type-lifetime`: `&'a mut self` with `'a` the impl's own lifetime parameter;
* `elided-return`: `&mut self` with an elided return lifetime, while what is returned is
  borrowed from a `&'a` field (elision ties it to the receiver, not to `'a`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import tree_sitter

from borrowlens.analyses.diagnostics.model import Diagnostic, Span
from borrowlens.analyses.rust import bindings, callees, items, locate, syntax
from borrowlens.analyses.rust.sources import Sources

Node = tree_sitter.Node

# The caller's borrow the signature stretches: E0499 / E0502, E0505 (a move while it lasts),
# E0515 (a return while it lasts).
_MUT_BORROW = re.compile(r"^(?:first )?mutable borrow occurs here|^borrow of `[^`]+` occurs here"
                         r"|^`[^`]+` is borrowed here")
_LOOP = re.compile(r"cannot borrow `[^`]+` as mutable more than once at a time")
_STATIC_ARG = re.compile(r"^argument requires that .*(?:is borrowed for|must outlive) `'static`")
_MUT_REFERENCE_NOTE = re.compile(r"requirement occurs because of a mutable reference to `[^`]*"
                                 r"'static")
_BORROWED = re.compile(r"^(?:cannot borrow|cannot move out of|cannot return value referencing "
                       r"local variable) `\*?([A-Za-z_][A-Za-z0-9_]*)")
# Values that borrow nothing, and the patterns a `let` may bind a name inside.
_VALUES = ("string_literal", "char_literal", "integer_literal", "float_literal",
           "boolean_literal", "range_expression", "binary_expression")
_PATTERNS = ("tuple_pattern", "tuple_struct_pattern", "struct_pattern", "field_pattern",
             "ref_pattern", "mut_pattern", "reference_pattern", "slice_pattern")
_CONSTRUCTOR = re.compile(r"^[A-Z]")


@dataclass(frozen=True)
class Cause:
    """The signature (or field) that causes the error, where it is and what it says."""

    shape: str
    owner: str  # the fn (or struct) whose signature it is
    file: str
    text: str  # the parameter, receiver, field or return type as written
    node: Node  # that same node, in `definition`'s tree
    definition: callees.Definition
    lifetime: str | None  # the lifetime to keep, split or name
    call: Span  # rustc's label at the caller

    @property
    def line(self) -> int:
        return self.definition.located.parsed.start(self.node)[0]


def find(diagnostic: Diagnostic, sources: Sources) -> Cause | None:
    """The signature cause of a borrow error reported at a call, or None when it is not one
    of the shapes (or the definition is not found, or not unique)."""
    # The borrow that is held, never the primary one that conflicts with it (in "cannot
    # borrow `x` as mutable because it is also borrowed as immutable" that one is `&mut`).
    held = next((span for span, label in diagnostic.labels()
                 if not span.is_primary and _MUT_BORROW.search(label)), None)
    borrowed = _BORROWED.search(diagnostic.message)
    variable = borrowed.group(1) if borrowed else None
    if held is not None:
        return _borrow_cause(held, sources, variable)
    # In a loop the primary span is both borrows ("… in the previous iteration of the loop",
    # a label rust-analyzer drops with the primary's others).
    if diagnostic.primary is not None and _LOOP.search(diagnostic.message):
        return _borrow_cause(diagnostic.primary, sources, variable)
    labelled = diagnostic.span_labelled(_STATIC_ARG)
    if labelled is not None:
        return _static_cause(labelled[0], sources)
    # rust-analyzer drops the primary span's labels: the variance note says the same.
    if diagnostic.primary is not None and diagnostic.find(_MUT_REFERENCE_NOTE) is not None:
        return _static_cause(diagnostic.primary, sources)
    return None


def _single(sources: Sources, span: Span,
            site: callees.CallSite) -> callees.Definition | None:
    found = callees.definitions(sources, span.file, site)
    return found[0] if len(found) == 1 else None


def _text(definition: callees.Definition, node: Node) -> str:
    return " ".join(definition.located.text(node).split())


def _lifetime_of(reference: Node, located: locate.Located) -> str | None:
    found = next((c for c in reference.children if c.type == "lifetime"), None)
    return located.text(found) if found is not None else None


def _is_mut(reference: Node) -> bool:
    return any(c.type == "mutable_specifier" for c in reference.children)


def mentions(node: Node | None, located: locate.Located, lifetime: str) -> bool:
    return node is not None and any(located.text(lt) == lifetime for lt in items.lifetimes(node))


def _static_cause(span: Span, sources: Sources) -> Cause | None:
    found = locate.at(span, sources, past_indent=True)
    site = callees.call_site(found) if found is not None else None
    definition = _single(sources, span, site) if site is not None else None
    if site is None or definition is None or site.receiver:
        return None
    _, params = callees.parameters(definition.node)
    hits = []
    for index, param in enumerate(params):
        # `&mut Vec<&'static str>`, also inside `Option<…>` and kin
        if (site.index is None or site.index == index) and \
                static_under_mut(param, definition.located):
            hits.append(param)
    if len(hits) != 1 or _statics(definition.node, definition.located) != \
            _statics(hits[0], definition.located):
        return None  # another `'static` (a parameter, a bound) may be what the call needs
    name = locate.name_of(definition.located.parsed, definition.node) or site.name
    return Cause("static-under-mut", name, definition.file, _text(definition, hits[0]),
                 hits[0], definition, "'static", span)


def _on_the_variable(found: locate.Located, span: Span,
                     variable: str | None) -> locate.Located:
    """A pasted message only knows the label's line: the use of the borrowed variable on it
    (when there is exactly one) stands for the span."""
    if variable is None or span.column_end > span.column_start or span.line_end > span.line_start:
        return found
    statement = locate.statement_of(found.node) or found.node
    uses = [n for n in locate.identifiers(found.parsed, variable, statement, ("identifier",))
            if found.parsed.start(n)[0] == span.line_start]
    return locate.Located(found.parsed, uses[0]) if len(uses) == 1 else found


def static_under_mut(param: Node, located: locate.Located) -> list[Node]:
    """The `&mut T` in a parameter's type whose `T` writes `'static`."""
    ty = param.child_by_field_name("type")
    return [n for n in (locate.walk(ty, named=True) if ty is not None else [])
            if n.type == "reference_type" and _is_mut(n) and
            mentions(n.child_by_field_name("type"), located, "'static")]


def _statics(node: Node, located: locate.Located) -> int:
    """How many `'static` a fn's signature (not its body) or a node of it writes."""
    body = node.child_by_field_name("body") if node.type == "function_item" else None
    return sum(located.text(lt) == "'static" for lt in items.lifetimes(node)
               if body is None or not body.start_byte <= lt.start_byte < body.end_byte)


def _borrow_cause(span: Span, sources: Sources, variable: str | None) -> Cause | None:
    found = locate.at(span, sources, past_indent=True)
    if found is None:
        return None
    found = _on_the_variable(found, span, variable)
    site = callees.call_site(found)
    if site is None:
        return _field_cause(found, span, sources)
    definition = _single(sources, span, site)
    if definition is None:
        return None
    located = definition.located
    receiver, params = callees.parameters(definition.node)
    name = locate.name_of(located.parsed, definition.node) or site.name
    if site.receiver and receiver is not None:
        lifetime = _lifetime_of(receiver, located)
        if lifetime is not None and _is_mut(receiver) and \
                lifetime in _impl_lifetimes(definition.node, located) and \
                lifetime not in _declared(definition.node, located):
            return Cause("self-type-lifetime", name, definition.file,
                         _text(definition, receiver), receiver, definition, lifetime, span)
        if lifetime is None and _is_mut(receiver):
            data = returns_data(definition)
            returned = definition.node.child_by_field_name("return_type")
            if data is not None and returned is not None and elided(returned, located):
                return Cause("elided-return", name, definition.file,
                             _text(definition, returned), returned, definition, data, span)
        return None
    if site.index is None or site.index >= len(params):
        return None
    param = params[site.index]
    ty = param.child_by_field_name("type")
    lifetime = _lifetime_of(ty, located) if ty is not None and ty.type == "reference_type" \
        else None
    if ty is None or lifetime is None or lifetime == "'static" or not _is_mut(ty) or \
            not mentions(ty.child_by_field_name("type"), located, lifetime):
        return None
    return Cause("same-lifetime", name, definition.file, _text(definition, param), param,
                 definition, lifetime, span)


def _field_cause(found: locate.Located, span: Span, sources: Sources) -> Cause | None:
    """`Collector { out: &mut out }` where the struct's field is `&'a mut Vec<&'a str>`."""
    initializer = syntax.enclosing(found.node, "field_initializer", "block")
    struct = initializer.parent.parent if initializer is not None and \
        initializer.type == "field_initializer" and initializer.parent is not None else None
    if initializer is None or struct is None or struct.type != "struct_expression":
        return None
    field_name = initializer.child_by_field_name("field")
    type_name = struct.child_by_field_name("name")
    if field_name is None or type_name is None:
        return None
    bare = re.sub(r"<.*", "", found.text(type_name)).split("::")[-1]
    structs = callees.struct_definitions(sources, span.file, bare)
    if len(structs) != 1:
        return None
    definition = structs[0]
    for field in items.field_declarations(definition.node):
        name = field.child_by_field_name("name")
        ty = field.child_by_field_name("type")
        if name is None or ty is None or definition.located.text(name) != \
                found.text(field_name) or ty.type != "reference_type":
            continue
        lifetime = _lifetime_of(ty, definition.located)
        if lifetime and lifetime != "'static" and _is_mut(ty) and \
                mentions(ty.child_by_field_name("type"), definition.located, lifetime):
            return Cause("same-lifetime-field", bare, definition.file,
                         _text(definition, field), field, definition, lifetime, span)
    return None


# --- the impl around a method and what its body returns ---------------------------------------

def _declared(node: Node | None, located: locate.Located) -> list[str]:
    """The lifetimes an item's own generics declare (`fn f<'a>`, `impl<'a>`)."""
    generics = node.child_by_field_name("type_parameters") if node is not None else None
    if generics is None:
        return []
    return [located.text(lt) for lt in generics.named_children
            for lt in ([lt] if lt.type == "lifetime" else
                       [c for c in lt.named_children if c.type == "lifetime"][:1])]


def _impl_of(function: Node) -> Node | None:
    found = syntax.enclosing(function, "impl_item", "trait_item")
    return found if found is not None and found.type == "impl_item" else None


def _impl_lifetimes(function: Node, located: locate.Located) -> list[str]:
    impl = _impl_of(function)
    return _declared(impl, located) if impl is not None and \
        impl.child_by_field_name("trait") is None else []


def elided(node: Node, located: locate.Located) -> bool:
    """The type holds a reference without a lifetime, or `'_`, or names a type of the file
    that hides its lifetime (`Option<Token>` for `struct Token<'a>`)."""
    return any((n.type == "reference_type" and _lifetime_of(n, located) is None) or
               (n.type == "lifetime" and located.text(n) == "'_") for n in locate.walk(node)) \
        or bool(hidden_lifetimes(node, located))


def hidden_lifetimes(node: Node, located: locate.Located) -> tuple[str, ...]:
    """The types written bare in `node` (`Token`) that the file declares with exactly one
    generic parameter, a lifetime (`struct Token<'a>`): elision fills that one in too."""
    bare = {located.text(n) for n in locate.walk(node) if n.type == "type_identifier"
            and (n.parent is None or n.parent.type != "generic_type")}
    if not bare:
        return ()
    hiding = {name for name, item in items.named_items(located.parsed, "struct_item",
                                                       "enum_item")
              if name in bare and (generics := item.child_by_field_name("type_parameters"))
              is not None and len(generics.named_children) == 1
              and len(_declared(item, located)) == 1}
    return tuple(sorted(hiding))


def _data_fields(function: Node, located: locate.Located) -> dict[str, str]:
    """Fields of the impl's struct (in the same file) that are shared references with a
    lifetime of the impl, by name, with that lifetime as the impl spells it."""
    impl = _impl_of(function)
    ty = impl.child_by_field_name("type") if impl is not None else None
    if impl is None or ty is None or ty.type != "generic_type":
        return {}
    base = ty.child_by_field_name("type")
    arguments = ty.child_by_field_name("type_arguments")
    if base is None or arguments is None:
        return {}
    written = [located.text(a) for a in arguments.named_children]
    structs = [item for name, item in items.named_items(located.parsed, "struct_item")
               if name == located.text(base)]
    if len(structs) != 1:
        return {}
    declared = _declared(structs[0], located)
    renamed = dict(zip(declared, written, strict=False))
    fields: dict[str, str] = {}
    for field in items.field_declarations(structs[0]):
        name = field.child_by_field_name("name")
        field_type = field.child_by_field_name("type")
        if name is None or field_type is None or field_type.type != "reference_type" or \
                _is_mut(field_type):
            continue
        lifetime = renamed.get(_lifetime_of(field_type, located) or "")
        if lifetime and lifetime in _declared(impl, located):
            fields[located.text(name)] = lifetime
    return fields


def returns_data(definition: callees.Definition) -> str | None:
    """The impl lifetime of the `&'a` fields every value the method returns is borrowed
    from (`&self.text[..]`, `Some(rest)` with `let rest = self.line.get(..)?`), or None when
    some returned value may borrow from something else (an owned field, `self` itself)."""
    located = definition.located
    body = definition.node.child_by_field_name("body")
    fields = _data_fields(definition.node, located)
    if body is None or not fields:
        return None
    returned = [r.named_children[0] for r in locate.walk(
        body, named=True, into=lambda n: n.type != "closure_expression")
        if r.type == "return_expression" and r.named_children]
    tail = body.named_children[-1] if body.named_children else None
    if tail is not None and tail.type not in ("expression_statement", "let_declaration",
                                              "empty_statement", "line_comment",
                                              "block_comment"):
        returned.append(tail)
    lifetimes: set[str] = set()
    for value in returned:
        for origin in _origins(value, located, depth=0):
            if origin is None:
                return None
            if origin not in fields:
                return None
            lifetimes.add(fields[origin])
    return lifetimes.pop() if len(lifetimes) == 1 else None


def _origins(node: Node, located: locate.Located, depth: int) -> list[str | None]:
    """The `self` fields a value is borrowed from (None for an unknown origin)."""
    if depth > 8:
        return [None]
    kind = node.type
    if kind in ("reference_expression", "parenthesized_expression", "try_expression",
                "unary_expression"):
        inner = node.child_by_field_name("value") or \
            (node.named_children[0] if node.named_children else None)
        return _origins(inner, located, depth + 1) if inner is not None else [None]
    if kind == "index_expression":
        return _origins(node.named_children[0], located, depth + 1)
    if kind == "field_expression":
        value = node.child_by_field_name("value")
        field = node.child_by_field_name("field")
        if value is not None and value.type == "self" and field is not None:
            return [located.text(field)]
        return _origins(value, located, depth + 1) if value is not None else [None]
    if kind in _VALUES:
        return []
    if kind == "struct_expression":
        body = node.child_by_field_name("body")
        parts = [f.child_by_field_name("value") if f.type == "field_initializer" else
                 f.named_children[0] if f.type == "shorthand_field_initializer" and
                 f.named_children else None
                 for f in (body.named_children if body is not None else [])]
        return [o for part in parts
                for o in (_origins(part, located, depth + 1) if part is not None else [None])]
    if kind in ("tuple_expression", "array_expression"):
        return [o for e in node.named_children for o in _origins(e, located, depth + 1)]
    if kind == "call_expression":
        function = node.child_by_field_name("function")
        if function is not None and function.type == "field_expression":
            # A method's result may borrow from its receiver or its arguments
            # (`unwrap_or(self.rest)`).
            receiver = function.child_by_field_name("value")
            arguments = node.child_by_field_name("arguments")
            parts = [receiver, *(arguments.named_children if arguments is not None else [])]
            return [o for part in parts if part is not None
                    for o in _origins(part, located, depth + 1)]
        if function is not None and _CONSTRUCTOR.match(located.text(function).split("::")[-1]):
            arguments = node.child_by_field_name("arguments")
            return [o for a in (arguments.named_children if arguments is not None else [])
                    for o in _origins(a, located, depth + 1)]
        return [None]
    if kind == "identifier" and _CONSTRUCTOR.match(located.text(node)):
        return []
    if kind == "identifier":
        binding = bindings.resolve(located.parsed, node)
        let = binding.parent if binding is not None else None
        while let is not None and let.type in _PATTERNS:
            let = let.parent
        value = let.child_by_field_name("value") if let is not None and \
            let.type == "let_declaration" else None
        return _origins(value, located, depth + 1) if value is not None else [None]
    return [None]
