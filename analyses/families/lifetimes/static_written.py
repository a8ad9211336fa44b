"""A `'static` written at the very place rustc reports, rather than in a declaration elsewhere:
the generic arguments of the path used (`Wrapper::<'static> { … }`,
`Wrapper::<'static>::new(x)`, `<Wrapper<'static>>::new(x)`) or a closure parameter annotated
`&'static T` that is then called with borrowed data; a borrowed type in a turbofish
(`check::<&'a T>()`) whose callee bounds that type parameter `'static`; and a callee that is
a local of the function, declared with a `'static` in its type (`f: fn(&'static T)`).
static_causes looks for the items that demand `'static`; these are the shapes where the user's
own annotation in the function (or the type argument it passes) is the demand.
"""

from __future__ import annotations

import re

import tree_sitter

from borrowlens.analyses.diagnostics.model import Span
from borrowlens.analyses.families.borrows.analysis import node_span
from borrowlens.analyses.families.lifetimes import static_causes
from borrowlens.analyses.families.lifetimes.static_causes import Cause
from borrowlens.analyses.rust import items, locate, syntax
from borrowlens.analyses.rust.sources import Sources

_STATIC = re.compile(r"'static\b")


def find(what: str, primary: Span | None, sources: Sources) -> Cause | None:
    """The written `'static` annotation behind rustc's "this usage", "argument" or
    "assignment" requirement at `primary`."""
    text = sources.text(primary.file) if primary is not None else None
    if primary is None or text is None:
        return None
    parsed = syntax.parse(text)
    node = locate.covering(parsed, primary)
    if node is None:
        return None
    if what == "this usage":
        holder = syntax.enclosing(node, "struct_expression")
        return _path(parsed, holder.child_by_field_name("name") if holder else None, primary)
    if what == "argument":
        call = node if node.type == "call_expression" else syntax.enclosing(
            node, "call_expression")
        function = call.child_by_field_name("function") if call else None
        return _path(parsed, function, primary) or _local_callee(parsed, function, primary)
    if what == "assignment":
        return _closure_parameter(parsed, node, primary)
    if what == "type argument":
        return _type_argument(parsed, node, primary.file)
    return None

def _type_argument(parsed: syntax.Parsed, node: tree_sitter.Node, file: str) -> Cause | None:
    """`check::<&'a T>()`: the bound of the callee's type parameter the turbofish fills, when
    the callee is in this file and that bound demands `'static`."""
    call = node if node.type == "call_expression" else syntax.enclosing(node, "call_expression")
    function = call.child_by_field_name("function") if call is not None else None
    if function is None or function.type != "generic_function":
        return None
    callee = function.child_by_field_name("function")
    arguments = function.child_by_field_name("type_arguments")
    if callee is None or arguments is None:
        return None
    name = parsed.node_text(callee).split("::")[-1]
    filled = [a for a in arguments.named_children if a.type != "lifetime"]
    for found, item in items.named_items(parsed, "function_item"):
        generics = item.child_by_field_name("type_parameters")
        declared = [p for p in generics.named_children if p.type in (
            "type_parameter", "constrained_type_parameter")] if generics is not None else []
        if found != name or len(declared) < len(filled):
            continue
        for parameter in declared[:len(filled)]:
            generic = parameter.child_by_field_name("name") or parameter.child_by_field_name(
                "left")
            cause = static_causes.static_bound(
                parsed, item, parsed.node_text(generic), file, name, None) \
                if generic is not None else None
            if cause is not None:
                return cause
    return None


def _path(parsed: syntax.Parsed, path: tree_sitter.Node | None, primary: Span) -> Cause | None:
    """`Wrapper::<'static>` / `<Wrapper<'static>>::new`: the path spells the lifetime."""
    if path is None or not _STATIC.search(parsed.node_text(path)):
        return None
    function = locate.enclosing_function(path)
    return Cause("annotation", node_span(parsed, path, primary.file), parsed.node_text(path),
                 locate.name_of(parsed, function))


def _closure_parameter(parsed: syntax.Parsed, node: tree_sitter.Node,
                       primary: Span) -> Cause | None:
    """`let take = |v: &'static u32| …; take(x)`: rustc points at the closure itself."""
    closure = node if node.type == "closure_expression" else None
    params = closure.child_by_field_name("parameters") if closure is not None else None
    for param in params.named_children if params is not None else []:
        kind = param.child_by_field_name("type") if param.type == "parameter" else None
        if kind is not None and _STATIC.search(parsed.node_text(kind)):
            return Cause("annotation", node_span(parsed, kind, primary.file),
                         parsed.node_text(kind),
                         locate.name_of(parsed, locate.enclosing_function(kind)))
    return None


def _local_callee(parsed: syntax.Parsed, function: tree_sitter.Node | None,
                  primary: Span) -> Cause | None:
    """`f(value)` where `f` is a parameter (or `let`) typed `fn(&'static T)` or the like."""
    scope = locate.enclosing_function(function) if function is not None else None
    if function is None or scope is None or function.type != "identifier":
        return None
    name = parsed.node_text(function)
    for candidate in locate.walk(scope, named=True):
        pattern = candidate.child_by_field_name("pattern")
        kind = candidate.child_by_field_name("type")
        if candidate.type in ("parameter", "let_declaration") and pattern is not None and \
                kind is not None and parsed.node_text(pattern).split()[-1:] == [name] and \
                _STATIC.search(parsed.node_text(kind)):
            return Cause("bound", node_span(parsed, candidate, primary.file),
                         parsed.node_text(kind), name, name)
    return None
