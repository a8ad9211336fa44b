"""Edits that write lifetimes into a signature, shared by the fixes of elision-wrong-lifetime
and lifetime-not-tied: declare a lifetime parameter, put a lifetime on the elided references
of a type, add an outlives bound to a declared lifetime.

Every helper returns None when the shape is not one it can edit with certainty (a
higher-ranked `Fn(&T)` inside the type, a method of a trait impl whose signature must match
the trait, …): the caller then offers nothing.
"""

from __future__ import annotations

import re

import tree_sitter

from borrowlens.analyses.diagnostics.model import Span
from borrowlens.analyses.fixes import bounds
from borrowlens.analyses.fixes.edits import TextEdit
from borrowlens.analyses.fixes.source_file import SourceFile
from borrowlens.analyses.rust import locate
from borrowlens.analyses.rust.sources import Sources
from borrowlens.analyses.rust.syntax import ancestors

Node = tree_sitter.Node

_LIFETIME = re.compile(r"'[A-Za-z_][A-Za-z0-9_]*")


def in_trait_contract(function: Node) -> bool:
    """True for a method of `impl Trait for T` or a trait's own (default) method: its
    signature is fixed by the trait, so it cannot be changed on its own."""
    for ancestor in ancestors(function):
        if ancestor.type == "trait_item":
            return True
        if ancestor.type == "impl_item":
            return ancestor.child_by_field_name("trait") is not None
        if ancestor.type in ("function_item", "source_file", "mod_item"):
            return False
    return False


def own_signature_at(sources: Sources, span: Span) -> tuple[SourceFile, Node] | None:
    """The file and the fn around `span` when that fn's signature is its own to change (not
    a trait's contract); None otherwise."""
    file = SourceFile.load(sources, span.file)
    function = locate.enclosing_function(file.node_for_span(span) if file is not None else None)
    if file is None or function is None or in_trait_contract(function):
        return None
    return file, function


def lifetimes_in_scope(file: SourceFile, function: Node) -> set[str]:
    """Every lifetime written in the function's signature and in its impl's header."""
    found: set[str] = set()
    body = function.child_by_field_name("body")
    end = body.start_byte if body is not None else function.end_byte
    found.update(_LIFETIME.findall(file.parsed.data[function.start_byte:end].decode("utf-8")))
    for ancestor in ancestors(function):
        if ancestor.type in ("impl_item", "trait_item"):
            header_end = ancestor.child_by_field_name("body")
            stop = header_end.start_byte if header_end is not None else ancestor.end_byte
            found.update(_LIFETIME.findall(
                file.parsed.data[ancestor.start_byte:stop].decode("utf-8")))
    return found


def fresh_lifetime(taken: set[str], first: str = "a") -> str:
    """`'a` (or `'<first>`) unless taken, else the first of `'b`, `'c`, … that is free."""
    for letter in [first, *"abcdefghijklmnopqrstuvwxyz"]:
        if f"'{letter}" not in taken:
            return f"'{letter}"
    return "'lt"


def declare_lifetime(file: SourceFile, function: Node, lifetime: str) -> TextEdit | None:
    """Adds `lifetime` to the function's generics: `<'a>` after the name, or first in an
    existing `<T>` list (lifetimes are declared before type parameters)."""
    generics = function.child_by_field_name("type_parameters")
    if generics is not None:
        opening = generics.children[0] if generics.children else None
        if opening is None or opening.type != "<":
            return None
        return file.insert_after(opening, f"{lifetime}, " if generics.named_child_count
                                 else lifetime)
    name = function.child_by_field_name("name")
    return file.insert_after(name, f"<{lifetime}>") if name is not None else None


def _has_late_bound(file: SourceFile, node: Node) -> bool:
    """Types whose references are elided on their own (fn pointers, `Fn(&T)` sugar)."""
    for inner in file.walk(node):
        if inner.type in ("function_type", "for_lifetimes", "higher_ranked_trait_bound"):
            return True
        if inner.type == "generic_type" and any(
                c.type == "parameters" for c in inner.children):
            return True
    return False


def tie_type(file: SourceFile, node: Node, lifetime: str,
             *, replace: tuple[str, ...] = ("'_",),
             hidden: tuple[str, ...] = ()) -> list[TextEdit] | None:
    """Edits putting `lifetime` on every elided reference of a type (`&T` → `&'a T`), on
    every lifetime listed in `replace` (`'_` by default) and on the bare types in `hidden`
    whose one lifetime parameter elision fills (`Token` → `Token<'a>`). None when the type
    holds a higher-ranked part (left alone by elision), a `&dyn Trait` (whose object lifetime
    follows the reference) or has nothing to tie."""
    if _has_late_bound(file, node):
        return None
    edits: list[TextEdit] = []
    for inner in file.walk(node):
        if inner.type == "type_identifier" and file.node_text(inner) in hidden and (
                inner.parent is None or inner.parent.type != "generic_type"):
            edits.append(file.insert_after(inner, f"<{lifetime}>"))
        elif inner.type == "reference_type":
            if not any(c.type == "lifetime" for c in inner.children):
                amp = inner.children[0]
                if amp.type != "&":
                    return None
                edits.append(file.insert_after(amp, f"{lifetime} "))
        elif inner.type == "lifetime" and file.node_text(inner) in replace:
            edits.append(file.replace(inner, lifetime))
        elif inner.type == "dynamic_type":
            return None
    return edits or None


def tie_self(file: SourceFile, parameter: Node, lifetime: str) -> TextEdit | None:
    """`&self` → `&'a self`, `&mut self` → `&'a mut self`; `&'_ self` → `&'a self`."""
    if parameter.type != "self_parameter":
        return None
    children = parameter.children
    if not children or children[0].type != "&":
        return None
    for child in children:
        if child.type == "lifetime":
            if file.node_text(child) != "'_":
                return None
            return file.replace(child, lifetime)
    return file.insert_after(children[0], f"{lifetime} ")


def parameter_named(file: SourceFile, function: Node, name: str) -> Node | None:
    """The parameter (or self parameter) of the function called `name`."""
    parameters = function.child_by_field_name("parameters")
    for param in parameters.named_children if parameters is not None else []:
        if param.type == "self_parameter" and name == "self":
            return param
        if param.type == "parameter":
            pattern = param.child_by_field_name("pattern")
            if pattern is None or pattern.type not in ("identifier", "mut_pattern"):
                continue
            if file.node_text(pattern).split()[-1] == name:
                return param
    return None


def declaring_parameter(file: SourceFile, function: Node,
                        lifetime: str) -> Node | None:
    """The `lifetime_parameter` that declares `lifetime` on the function or its impl."""
    holders = [function, *(a for a in ancestors(function)
                           if a.type in ("impl_item", "trait_item"))][:2]
    for holder in holders:
        generics = holder.child_by_field_name("type_parameters")
        for param in generics.named_children if generics is not None else []:
            if param.type != "lifetime_parameter":
                continue
            name = param.child_by_field_name("name")
            if name is not None and file.node_text(name) == lifetime:
                return param
    return None


def add_outlives(file: SourceFile, declared: Node, shorter: str) -> TextEdit | None:
    """`'d` → `'d: 'h`, or `'d: 'x` → `'d: 'x + 'h`, on a lifetime parameter."""
    bounds = declared.child_by_field_name("bounds")
    if bounds is not None:
        if shorter in _LIFETIME.findall(file.node_text(bounds)):
            return None
        return file.insert_after(bounds, f" + {shorter}")
    return file.insert_after(declared, f": {shorter}")


def outlives_holds(file: SourceFile, function: Node, longer: str, shorter: str) -> bool:
    """True when `longer: shorter` already holds in the fn's signature: declared on a
    lifetime parameter or in a `where` clause of the fn or its impl, or implied by a
    parameter's `&'shorter T` whose `T` names `longer`. Adding the reverse bound would then
    force the two lifetimes to be equal."""
    for holder in [function, *(a for a in ancestors(function)
                               if a.type in ("impl_item", "trait_item"))][:2]:
        declared = declaring_parameter(file, holder, longer) if holder.type == \
            "function_item" else _declared_on(file, holder, longer)
        bounds = declared.child_by_field_name("bounds") if declared is not None else None
        if bounds is not None and shorter in _LIFETIME.findall(file.node_text(bounds)):
            return True
        where = next((c for c in holder.children if c.type == "where_clause"), None)
        if where is not None and re.search(
                rf"{re.escape(longer)}\s*:[^,{{]*{re.escape(shorter)}\b", file.node_text(where)):
            return True
    parameters = function.child_by_field_name("parameters")
    for node in locate.walk(parameters) if parameters is not None else []:
        if node.type != "reference_type":
            continue
        own = next((c for c in node.children if c.type == "lifetime"), None)
        referent = node.child_by_field_name("type")
        if (own is not None and file.node_text(own) == shorter and referent is not None
                and longer in _LIFETIME.findall(file.node_text(referent))):
            return True
    return False


def _declared_on(file: SourceFile, holder: Node, lifetime: str) -> Node | None:
    generics = holder.child_by_field_name("type_parameters")
    for param in generics.named_children if generics is not None else []:
        name = param.child_by_field_name("name")
        if param.type == "lifetime_parameter" and name is not None and \
                file.node_text(name) == lifetime:
            return param
    return None


def callers_may_rely(file: SourceFile, function: Node) -> bool:
    """True when a caller may rely on the fn's signature as written (so weakening its
    `'static` result would break it): the fn is visible outside its module, or the file
    mentions it anywhere but as a call whose result is only the receiver of a method call
    (`label(c).to_uppercase()`), which needs no particular lifetime."""
    name_node = function.child_by_field_name("name")
    if name_node is None or any(c.type == "visibility_modifier" for c in function.children):
        return True
    name = file.node_text(name_node)
    for ident in file.identifiers(name, kinds=("identifier", "field_identifier")):
        if ident.start_byte == name_node.start_byte:
            continue
        call = ident.parent
        receiver = call.parent if call is not None else None
        method = receiver.parent if receiver is not None else None
        if (call is None or call.type != "call_expression"
                or call.child_by_field_name("function") != ident
                or receiver is None or receiver.type != "field_expression"
                or receiver.child_by_field_name("value") != call
                or method is None or method.type != "call_expression"):
            return True
    return False


def name_elided_parameters(file: SourceFile, function: Node, names: list[str],
                           preferred: str | None = None) -> tuple[list[str], list[TextEdit]] | None:
    """A fresh lifetime for each named parameter whose type is a reference with none
    (`prefix: &str` → `prefix: &'p str`, `&self` → `&'s self`, the first letter of the name
    when free), declared
    in the fn's generics: the lifetimes, in order, and the edits. `preferred` is tried first
    for the first parameter."""
    parameters = function.child_by_field_name("parameters")
    if parameters is None:
        return None
    taken = lifetimes_in_scope(file, function)
    named: list[str] = []
    edits: list[TextEdit] = []
    for position, name in enumerate(names):
        param = parameter_named(file, function, name)
        kind = param if param is not None and param.type == "self_parameter" else \
            param.child_by_field_name("type") if param is not None else None
        if kind is None or kind.type not in ("reference_type", "self_parameter") or \
                _LIFETIME.search(file.node_text(kind)) or kind.children[0].type != "&":
            return None
        used = taken | set(named)
        fresh = (preferred if position == 0 and preferred and preferred not in used
                 else fresh_lifetime(used, name[0].lower() if name[0].isalpha() else "a"))
        named.append(fresh)
        edits.append(file.insert_after(kind.children[0], f"{fresh} "))
    declared = bounds.add_lifetime_parameter(file, function, ", ".join(named))
    if declared is None:
        return None
    return named, [*edits, declared]
