"""Where a higher-ranked error's cause is written, beyond the closure: the `impl` pinned to one
lifetime and the `for<'a>` bound it fails, the `fn` item pinned to `'static` that is passed
as a pointer, and the parameter an `Fn(&T) -> Fut` bound types. Fact gathering for
hrtb-not-general-enough, kept apart from the family so the family module holds its matching,
slots and fixes.
"""

from __future__ import annotations

import re

import tree_sitter

from borrowlens.analyses.diagnostics.model import Diagnostic, Span
from borrowlens.analyses.families.base import FactValue, Related
from borrowlens.analyses.families.lifetimes import analysis as common
from borrowlens.analyses.rust import items as rustsyntax
from borrowlens.analyses.rust import locate, syntax
from borrowlens.analyses.rust.sources import Sources, line_of

Node = tree_sitter.Node
_NAME = re.compile(r"(?:\w+::)*(?P<name>\w+)")


def _squeeze(text: str) -> str:
    return " ".join(text.split())


def _name_of(text: str) -> str | None:
    found = _NAME.match(text)
    return found.group("name") if found else None


def trait_sites(trait: str, implementor: str | None, file: str, located: locate.Located,
                facts: dict[str, FactValue], related: list[Related]) -> None:
    """An impl of `trait` for `implementor` and the one `for<'x> trait<'x>` bound of the file:
    their lines and texts, the function the bound is on, the bound's lifetime name, and the
    impl written for every lifetime instead of `'static`."""
    root = located.parsed.root
    for node in locate.walk(root, named=True):
        if node.type != "impl_item":
            continue
        written, for_type = node.child_by_field_name("trait"), node.child_by_field_name("type")
        if (written is None or for_type is None or _name_of(located.text(written)) != trait
                or (implementor and _squeeze(located.text(for_type)) != _squeeze(implementor))):
            continue
        body = node.child_by_field_name("body")
        header = _squeeze(located.text(node)[: body.start_byte - node.start_byte]
                          if body is not None else located.text(node))
        facts["impl_header"], facts["impl_line"] = header, located.parsed.start(node)[0]
        related.append(Related(common.node_span(file, node, located.parsed),
                               f"this impl covers one lifetime only: `{header}`"))
        break
    bounds = [n for n in locate.walk(root, named=True) if n.type == "higher_ranked_trait_bound"
              and _name_of(located.text(n.child_by_field_name("type") or n)) == trait]
    if len(bounds) != 1:
        return
    bound = bounds[0]
    binder = re.search(r"'\w+", located.text(bound.child_by_field_name("type_parameters")
                                             or bound))
    owner = syntax.enclosing(bound, "where_predicate", "type_parameter",
                             "constrained_type_parameter")
    function = syntax.enclosing(bound, "function_item")
    name = function.child_by_field_name("name") if function is not None else None
    shown = owner if owner is not None else bound
    facts["bound_text"] = _squeeze(located.text(shown))
    facts["bound_line"] = located.parsed.start(shown)[0]
    if binder is not None:
        facts["binder"] = binder.group(0)
    if name is not None:
        facts["consumer"] = located.text(name)
    related.append(Related(common.node_span(file, shown, located.parsed),
                           f"`{facts['bound_text']}` asks for every lifetime"))
    pinned = facts.get("impl_header")
    if binder is not None and isinstance(pinned, str) and "'static" in pinned \
            and not pinned.startswith("impl<"):
        lifetime = binder.group(0)
        facts["generic_impl"] = f"impl<{lifetime}>" + pinned[len("impl"):].replace("'static",
                                                                                   lifetime)


def pinned_fn(name: str, file: str, located: locate.Located, facts: dict[str, FactValue],
              related: list[Related]) -> None:
    """The `fn` item passed as a pointer: its line, and its signature without `'static`."""
    for found, node in rustsyntax.named_items(located.parsed, "function_item"):
        if found != name:
            continue
        body = node.child_by_field_name("body")
        signature = _squeeze(located.text(node)[: body.start_byte - node.start_byte]
                             if body is not None else located.text(node))
        facts["fn_line"] = located.parsed.start(node)[0]
        if "'static" in signature:
            facts["generic_signature"] = re.sub(r"&'static\s+", "&", signature)
        related.append(Related(common.node_span(file, node, located.parsed),
                               f"`{name}` is written for one lifetime here"))
        return


def bound_owner(anchor: Node, located: locate.Located) -> tuple[str, str] | None:
    """For an `Fn(&T) -> Fut` bound, the type parameter it bounds (`F`) and the function
    parameter of that type (`op`)."""
    owner = syntax.enclosing(anchor, "where_predicate", "type_parameter",
                             "constrained_type_parameter")
    function = syntax.enclosing(anchor, "function_item")
    name = (owner.child_by_field_name("left") or owner.child_by_field_name("name")
            or (owner.named_children[0] if owner.named_children else None)) \
        if owner is not None else None
    parameters = function.child_by_field_name("parameters") if function is not None else None
    if name is None or parameters is None:
        return None
    for param in parameters.named_children:
        kind, pattern = param.child_by_field_name("type"), param.child_by_field_name("pattern")
        if kind is not None and pattern is not None and located.text(kind) == located.text(name):
            return located.text(name), located.text(pattern)
    return None


_FUTURE_MISMATCH = re.compile(r"(?:-> impl Future|opaque type `impl (?:for<[^>]*> )?Future)")
_FN_BOUND = re.compile(r"\b(?:Fn|FnMut|FnOnce)\((?P<args>[^()]*)\)\s*->\s*(?P<fut>\w+)")


def async_fn_shape(diagnostic: Diagnostic, sources: Sources, facts: dict[str, FactValue],
                   requirement: Span | None) -> None:
    """An async fn (or a closure returning a future) passed where `F: Fn(&T) -> Fut` is
    required: the future borrows the argument, so no single `Fut` fits every lifetime. Facts:
    the bound, its argument and future parameter, the type parameter it bounds and the
    function parameter of that type, the async fn passed."""
    if diagnostic.find(_FUTURE_MISMATCH) is None:
        return
    facts["shape"] = "async-fn"
    output = diagnostic.find(r"Future<Output = ([^>`]+)>")
    if output is not None:
        facts["output"] = output.group(1).strip()
    where_clause = diagnostic.span_labelled(r"doesn't satisfy where-clause")
    anchor = requirement or (where_clause[0] if where_clause else None)
    if anchor is not None:
        line = line_of(sources.text(anchor.file), anchor.line_start) or ""
        bound = _FN_BOUND.search(line)
        if bound is not None:
            facts["bound"] = bound.group(0)
            facts["bound_args"] = bound.group("args")
            facts["future_param"] = bound.group("fut")
            facts["bound_line"] = anchor.line_start
        located = locate.at(anchor, sources)
        owner = bound_owner(located.node, located) if located is not None else None
        if owner is not None:
            facts["bound_param"], facts["callback"] = owner
    named = diagnostic.find(r"\{(\w+)\}` must implement")
    if named is not None and "fn_item" not in facts:
        facts["fn_item"] = named.group(1)
    if "fn_item" not in facts:
        primary = diagnostic.primary
        text = sources.text(primary.file) if primary is not None else None
        if primary is not None and text is not None:
            parsed = syntax.parse(text)
            async_fns = {name for name, node in rustsyntax.named_items(parsed, "function_item")
                         if "async" in parsed.node_text(node).split("fn", 1)[0]}
            covered = (line_of(text, primary.line_start) or "")[
                primary.column_start - 1:primary.column_end - 1]
            for name in re.findall(r"\b(\w+)\b(?!\s*\()", covered):
                if name in async_fns:
                    facts["fn_item"] = name
                    break
