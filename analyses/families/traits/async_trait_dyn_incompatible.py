"""E0038: a trait with an `async fn` (or a method returning `impl Future`) is used as a trait
object — `dyn Trait`, `Box<dyn Trait>`, `&dyn Trait` — and so "is not dyn compatible"
(older compilers: "cannot be made into an object").

Only the async reason is claimed: it refines `dyn-incompatible-trait`, which explains
E0038 for generic methods, `Self` returns, associated constants and the other reasons.
Facts: `trait`, `method` (the first async method), `methods` (all of them when there are
several), `use_line` (where `dyn` is written), `decl_line` (the async method's declaration),
`use_site` ("param" for a `&dyn` parameter, with `use_param`/`use_type`, or "stored": which
decides between generics and boxed futures).
"""

from __future__ import annotations

import re

import tree_sitter

from borrowlens.analyses.diagnostics.model import Diagnostic, Span
from borrowlens.analyses.explain import prose
from borrowlens.analyses.explain.model import Explanation
from borrowlens.analyses.families.base import FactValue, Family, Match, Related
from borrowlens.analyses.families.traits import analysis as common
from borrowlens.analyses.families.traits.dyn_incompatible_trait import (
    MESSAGE,
    MOVE_HINT,
    headline_trait,
)
from borrowlens.analyses.rust import items, locate, syntax
from borrowlens.analyses.rust.sources import Sources

_ASYNC_REASON = re.compile(r"because method `(?P<method>\w+)` is `async`")
_IMPL_REASON = re.compile(r"because method `(?P<method>\w+)` references an `impl Trait` type "
                          r"in its return type")


def _use_site(place: common.Place, sources: Sources) -> dict[str, FactValue]:
    """Where `dyn Trait` is written: `use_site` "param" (a `&dyn` fn parameter, with
    `use_param` its name and `use_type` the written type: generics can replace it) or
    "stored" (a struct field, a `let`, a collection's element: something that must hold
    several implementations at once)."""
    parsed = common.parsed_at(place, sources)
    node = locate.node_at(parsed, place.line, place.column) if parsed is not None else None
    if parsed is None or node is None:
        return {}
    owner = syntax.enclosing(node, "parameter", "field_declaration", "let_declaration",
                             "function_item", "struct_item")
    if owner is None or owner.type in ("function_item", "struct_item"):
        return {}
    if owner.type != "parameter":
        return {"use_site": "stored", **_holder(parsed, owner)}
    pattern, kind = owner.child_by_field_name("pattern"), owner.child_by_field_name("type")
    if pattern is None or kind is None or pattern.type != "identifier":
        return {}
    written = parsed.node_text(kind)
    # `Box<dyn T>` or `Vec<Box<dyn T>>` as a parameter is usually stored afterwards.
    if re.match(r"^&\s*(?:'\w+\s+)?(?:mut\s+)?dyn\b", written) is None:
        return {"use_site": "stored"}
    return {"use_site": "param", "use_param": parsed.node_text(pattern), "use_type": written}


def _holder(parsed: syntax.Parsed, owner: tree_sitter.Node) -> dict[str, FactValue]:
    """For `dyn Trait` in a collection (`Vec<Box<dyn T>>`), `collection`: only boxing or an
    enum can hold several implementations at once. For one boxed value in a struct's field,
    `holder`: the struct, which a type parameter could make generic instead."""
    kind = owner.child_by_field_name("type")
    written = parsed.node_text(kind) if kind is not None else ""
    if re.search(r"\b(?:Vec|VecDeque|HashMap|BTreeMap|HashSet|BTreeSet)\s*<|\[", written):
        return {"collection": "yes"}
    struct = syntax.enclosing(owner, "struct_item")
    name = struct.child_by_field_name("name") if struct is not None else None
    return {"holder": parsed.node_text(name)} if owner.type == "field_declaration" and \
        name is not None else {}


def _trait_methods(trait: str, files: list[str], sources: Sources
                   ) -> tuple[dict[str, Span | None], dict[str, str]]:
    """Async methods of `trait` found in the given files (name -> None: no span here) and the
    return types of its other methods (name -> text), for the `impl Future` case."""
    async_methods: dict[str, Span | None] = {}
    returns: dict[str, str] = {}
    for file in files:
        text = sources.text(file)
        if text is None:
            continue
        parsed = syntax.parse(text)
        for method in common.async_trait_methods(parsed).get(trait, []):
            async_methods.setdefault(method, None)
        for name, ret in _return_types(parsed, trait).items():
            returns.setdefault(name, ret)
    return async_methods, returns


def _return_types(parsed: syntax.Parsed, trait: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, node in items.named_items(parsed, "trait_item"):
        body = node.child_by_field_name("body")
        if name == trait and body is not None:
            for item in body.named_children:
                method = item.child_by_field_name("name")
                ret = item.child_by_field_name("return_type")
                if method is not None and ret is not None:
                    out[parsed.node_text(method)] = parsed.node_text(ret)
    return out


class AsyncTraitDynIncompatible(Family):
    id = "async-trait-dyn-incompatible"
    title = "Trait with async fn used as dyn Trait"
    codes = ("E0038",)
    messages = (MESSAGE.pattern,)
    refines = ("dyn-incompatible-trait",)
    design_choices = "generics, `async-trait` or boxed futures, an enum"

    def match(self, diagnostic: Diagnostic, sources: Sources) -> Match | None:
        trait = headline_trait(diagnostic)
        if trait is None:
            return None
        files = common.known_files(diagnostic, sources)
        source_async, returns = _trait_methods(trait, files, sources)
        methods: list[str] = []
        spans: dict[str, Span] = {}
        for span, found in diagnostic.find_all(_ASYNC_REASON):
            methods.append(found.group("method"))
            if span is not None:
                spans.setdefault(found.group("method"), span)
        for span, found in diagnostic.find_all(_IMPL_REASON):
            name = found.group("method")
            if "Future" in returns.get(name, ""):
                methods.append(name)
                if span is not None:
                    spans.setdefault(name, span)
        if not methods and source_async:
            # rust-analyzer drops the labels that give the reason; the hints that name the
            # methods survive, and the source says which of those are async.
            named = [m.group("item") for _, m in diagnostic.find_all(MOVE_HINT)]
            methods = [m for m in named if m in source_async] if named else []
            vtable = diagnostic.span_labelled(r"dyn compatible it needs to allow building")
            if not methods and vtable is not None:
                methods = self._method_at(vtable[0], sources, source_async)
        methods = list(dict.fromkeys(methods))
        if not methods:
            return None
        facts: dict[str, FactValue] = {"trait": trait, "method": methods[0]}
        if len(methods) > 1:
            facts["methods"] = methods
        place = common.user_place(diagnostic, sources)
        if place is not None:
            facts["use_line"] = place.line
            facts.update(_use_site(place, sources))
        related: list[Related] = []
        decl = spans.get(methods[0])
        if decl is None:
            vtable = diagnostic.span_labelled(r"dyn compatible it needs to allow building")
            decl = vtable[0] if vtable else None
        if decl is not None:
            facts["decl_line"] = decl.line_start
            related.append(Related(decl, f"`{methods[0]}` is `async`: its future's type differs "
                                   "for every implementation, so no vtable can hold it"))
        return Match(family=self, diagnostic=diagnostic, facts=facts, related=related)

    @staticmethod
    def _method_at(span: Span, sources: Sources, candidates: dict[str, Span | None]
                   ) -> list[str]:
        found = locate.at(span, sources)
        name = found.text(found.node) if found is not None else ""
        return [name] if name in candidates else []

    def explain(self, match: Match) -> Explanation:
        method = match.code("method", "an `async fn` method")
        methods = match.facts.get("methods")
        listed = method
        if isinstance(methods, list):
            names = [f"`{m}`" for m in methods]
            listed = ", ".join(names[:-1]) + " and " + names[-1]
        return prose.explanation(self.id, self.title, __name__, {
            "trait": match.code("trait", "the trait"), "t": match.fact("trait") or "Trait",
            "method": method, "m": match.fact("method") or "method", "listed": listed,
            "several": isinstance(methods, list), "use_line": match.line("use_line"),
            "decl_line": (f" (the first on line {match.fact('decl_line')})"
                          if isinstance(methods, list) and match.fact("decl_line")
                          else match.line("decl_line")),
            "use_site": match.fact("use_site"),
            "use_param": match.fact("use_param"), "use_type": match.fact("use_type"),
            "known": bool(match.fact("method")),
            "collection": bool(match.fact("collection")), "holder": match.fact("holder"),
        })


FAMILY = AsyncTraitDynIncompatible()
