"""E0310 / E0309: a generic type parameter (or an associated type) may not live long enough.

A generic `T` can be instantiated with a type that holds borrows. When the code puts a `T`
somewhere that must outlive a region — a `Box<dyn Trait>` (implicitly `+ 'static`), a spawned
task or thread, a `dyn Trait + 'a` — the signature has to promise `T: 'static` or `T: 'a`.
Facts: the parameter, the lifetime it must outlive, the line where the bound belongs, the line
that demands it and what demands it (a spawn, a boxed trait object).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import ClassVar

import tree_sitter

from borrowlens.analyses.diagnostics.model import Diagnostic
from borrowlens.analyses.explain import prose
from borrowlens.analyses.explain.model import Explanation
from borrowlens.analyses.families.base import FactValue, Family, Match, Related
from borrowlens.analyses.families.lifetimes import analysis as common
from borrowlens.analyses.families.lifetimes import bound_sites as sites
from borrowlens.analyses.fixes import bounds, signatures
from borrowlens.analyses.fixes.edits import Fix, TextEdit
from borrowlens.analyses.fixes.source_file import SourceFile, make_fix
from borrowlens.analyses.rust import locate, syntax
from borrowlens.analyses.rust.sources import Sources

_MESSAGE = re.compile(r"the (?P<kind>parameter|associated) type `(?P<param>[^`]+)` may not live "
                      r"long enough")
_REQUIRED = re.compile(r"must be valid for the (?:(?P<static>static) lifetime|lifetime "
                       r"`(?P<named>'[^`]+)`)")
STATIC = "'static"
_SPAWN = re.compile(r"(?:^|::|\.)spawn\w*$")
_BOXING = re.compile(r"(?:^|::)(?:Box|Arc|Rc)::(?:new|pin)$")
_BOUND_HELP = r"consider adding an explicit lifetime bound|lifetime bound"
_IMPLICIT_STATIC = r"has an implicit `'static` lifetime bound"
# rustc's replacement: `+ 'static` after existing bounds, or `: 'a` after a bare parameter.
_ADDED_BOUND = re.compile(r"(?P<joint>\s*\+\s*|\s*:\s*)(?P<lifetime>'\w+)")
# Where a bound on a generic parameter can be written.
Node = tree_sitter.Node
_BOUND_PLACES = ("constrained_type_parameter", "type_parameter", "where_predicate",
                 "abstract_type")


class ParamMayNotLiveLongEnough(Family):
    id = "param-may-not-live-long-enough"
    title = "Generic type may not live long enough"
    codes = ("E0310", "E0309")
    messages = (_MESSAGE.pattern,)
    fix_docs: ClassVar[dict[str, str]] = {
        "add-lifetime-bound": "`T: 'a`, the bound rustc asks for",
        "add-static-bound": "`T: 'static` (owned types only)",
        "thread-lifetime": "`T: 'a` + `dyn Trait + 'a` instead of the implicit `'static` of a "
            "returned `dyn Trait`",
    }
    no_fix_when: ClassVar[dict[str, str]] = {
        "trait_method": "the trait's declaration fixes the method's generics: changing the trait "
            "changes every implementor, which the user decides",
    }

    def match(self, diagnostic: Diagnostic, sources: Sources) -> Match | None:
        found = _MESSAGE.search(diagnostic.message)
        if found is None:
            return None
        facts: dict[str, FactValue] = {"param": found.group("param")}
        related: list[Related] = []
        if found.group("kind") == "associated":
            facts["associated"] = "yes"

        required: str | None = None
        hint = common.suggestion(diagnostic, _BOUND_HELP)
        if hint is not None:
            lifetime = re.search(r"'\w+", hint[1])
            required = lifetime.group(0) if lifetime else None
        label = diagnostic.find(_REQUIRED)
        if required is None and label is not None:
            required = "'static" if label.group("static") else label.group("named")
        if required is None and diagnostic.code == "E0310":
            required = "'static"
        if required:
            facts["required"] = required

        if hint is not None:
            facts["bound_line"] = hint[0].line_start
            bound = f"{facts['param']}: {required or STATIC}"
            related.append(Related(hint[0], f"add the bound here: `{bound}`"))
        declared = common.labelled(diagnostic, r"must be valid for the lifetime")
        if declared is not None and not declared[0].is_primary:
            related.append(Related(declared[0], f"`{facts['param']}` must outlive "
                                                f"`{required}`, declared here"))

        primary = diagnostic.primary
        if primary is not None:
            facts["use_line"] = primary.line_start
            function = locate.function_name_at(primary, sources, signatures=True)
            if function:
                facts["function"] = function
            enclosing = locate.function_at(primary, sources, signatures=True)
            if enclosing is not None and bounds.is_trait_impl_method(enclosing.node):
                facts["trait_method"] = "yes"
            located = locate.at(primary, sources)
            path = common.call_path(located.node, located) if located else None
            if path is None and primary.text:
                text = primary.text[0][primary.column_start - 1:]
                call = re.match(r"\s*([A-Za-z_][\w:.]*)\s*\(", text)
                path = call.group(1) if call else None
            if path and (_SPAWN.search(path) or _BOXING.search(path)):
                facts["required_by"] = path
            if enclosing is not None:
                _source_facts(diagnostic, enclosing, str(facts["param"]),
                              required or STATIC, facts, related)
        return Match(family=self, diagnostic=diagnostic, facts=facts, related=related)

    def explain(self, match: Match) -> Explanation:
        param = match.fact("param")
        required = match.fact("required") or STATIC
        by = match.fact("required_by") or ""
        written = match.facts.get("written_bounds")
        return prose.explanation(self.id, self.title, __name__, {
            "param": param, "required": required, "is_static": required == STATIC,
            "use_line": match.fact("use_line"), "bound_line": match.fact("bound_line"),
            "function": match.fact("function"), "by": by or None,
            "spawn": "spawn" in by.rsplit("::", 1)[-1],
            "trait_method": bool(match.fact("trait_method")),
            "bounded": (f"{param}: {' + '.join([*written, required])}"
                        if param and isinstance(written, list) and written else None),
            "dyn_type": match.fact("dyn_type"), "dyn_line": match.fact("dyn_line"),
            "trait_line": match.fact("trait_decl_line"),
        })

    def fixes(self, match: Match, sources: Sources) -> list[Fix]:
        """rustc's `T: 'x` bound, placed where rustc puts it (inline generics, `where`
        clause or an `impl Trait` argument) after checking that place is the parameter's
        own bound in the user's code; then the other alternative: `T: 'static` instead of a
        named lifetime, or a lifetime `'a` threaded through a returned `Box<dyn Trait>`."""
        diagnostic = match.diagnostic
        param = match.fact("param")
        if diagnostic is None or not param or match.fact("associated"):
            return []
        found = common.suggested_point(diagnostic, _BOUND_HELP, _ADDED_BOUND, sources)
        if found is None:
            return []
        file, at, added = found
        before = bounds.node_before(file, at)
        place = (before if before is not None and before.type == "type_identifier"
                 and before.parent is not None and before.parent.type == "type_parameters"
                 else syntax.enclosing(before, *_BOUND_PLACES) if before is not None else None)
        function = locate.enclosing_function(place, signatures=True)
        if place is None or not _bounds_param(file, place, param):
            return []
        if function is not None and bounds.is_trait_impl_method(function):
            return []  # the trait's declaration fixes this method's generics
        joint, required = added.group("joint"), added.group("lifetime")

        def bound(lifetime: str) -> list[TextEdit | None]:
            return [file.edit_bytes(at, at, f"{joint}{lifetime}")]

        def said(lifetime: str) -> str:  # an `impl Trait` argument is bounded with `+`
            return f"{param} + {lifetime}" if param.startswith("impl ") else f"{param}: {lifetime}"

        fixes: list[Fix | None] = []
        if required != STATIC:
            fixes.append(make_fix(
                "add-lifetime-bound", f"Require `{said(required)}`", bound(required),
                preferred=True))
            fixes.append(make_fix(
                "add-static-bound", f"Require `{said(STATIC)}` (owned types only)",
                bound(STATIC)))
            return [f for f in fixes if f is not None]
        fixes.append(make_fix("add-static-bound", f"Require `{said(STATIC)}`",
                              bound(STATIC), preferred=True))
        if function is not None and function.type == "function_item":
            fixes.append(_thread_lifetime(diagnostic, file, function, param, bound))
        return [f for f in fixes if f is not None]


def _source_facts(diagnostic: Diagnostic, function: locate.Located, param: str, required: str,
                  facts: dict[str, FactValue], related: list[Related]) -> None:
    """What the source says about the requirement: the bounds written for the parameter, the
    `dyn Trait` (with no lifetime, so `'static`) its value is boxed into, and the trait's
    declaration of an impl method, where the bound has to be added first."""
    written = sites.written_bounds(function.node, param, function)
    facts["written_bounds"] = [b for b in written if not b.startswith("'")]
    implicit = common.labelled(diagnostic, _IMPLICIT_STATIC)
    dyn: Node | None = None
    if implicit is not None:
        at = function.parsed.node_at(implicit[0].line_start, implicit[0].column_start)
        node = syntax.enclosing(at, "dynamic_type") if at is not None else None
        dyn = bounds.outer_bounded(node) if node is not None else None
    if dyn is None and facts.get("required_by", "") and not _SPAWN.search(
            str(facts["required_by"])):
        dyn = sites.boxed_dyn(function.parsed.root, written, required, function)
    file = diagnostic.primary.file if diagnostic.primary is not None else ""
    if dyn is not None:
        facts["dyn_type"] = " ".join(function.text(dyn).split())
        facts["dyn_line"] = function.parsed.start(dyn)[0]
        what = (f"means `{facts['dyn_type']} + {required}`" if required == STATIC
                else f"may only hold data valid for `{required}`")
        related.append(Related(common.node_span(file, dyn, function.parsed),
                               f"`{facts['dyn_type']}` {what}: this asks for "
                               f"`{param}: {required}`"))
    declaration = (sites.trait_declaration(function.node, function)
                   if facts.get("trait_method") else None)
    if declaration is not None:
        facts["trait_decl_line"] = function.parsed.start(declaration)[0]
        related.append(Related(common.node_span(file, declaration, function.parsed),
                               f"the trait's declaration: add `{param}: {required}` here first"))


def _bounds_param(file: SourceFile, place: Node, param: str) -> bool:
    """True when the bound list at `place` is the one of `param` (`T: …`, `where T: …`, or
    the `impl Trait` argument rustc calls `impl Trait`)."""
    if place.type == "type_identifier":
        return file.node_text(place) == param
    if place.type == "abstract_type":
        return " ".join(file.node_text(place).split()) == param
    name = (place.child_by_field_name("left") or place.child_by_field_name("name")
            or (place.named_children[0] if place.named_children else None))
    return name is not None and file.node_text(name) == param


def _thread_lifetime(diagnostic: Diagnostic, file: SourceFile, function: Node,
                     param: str, bound: Callable[[str], list[TextEdit | None]]) -> Fix | None:
    """`fn f<S: Tr>(s: S) -> Box<dyn Tr>` → `fn f<'a, S: Tr + 'a>(s: S) -> Box<dyn Tr + 'a>`:
    only when rustc points at the implicitly-`'static` `dyn` in this fn's own return type."""
    implicit = common.labelled(diagnostic, _IMPLICIT_STATIC)
    returned = function.child_by_field_name("return_type")
    if implicit is None or returned is None or implicit[0].file != file.path:
        return None
    dyn = file.node_for_span(implicit[0], "dynamic_type")
    if dyn is None or not (returned.start_byte <= dyn.start_byte < returned.end_byte):
        return None
    whole = bounds.outer_bounded(dyn)
    if bounds.lifetimes_in(file, whole) or file.node_text(returned).count("dyn ") != 1:
        return None
    if signatures.callers_may_rely(file, function):
        # `Box<dyn Tr>` promises `'static`; `+ 'a` weakens it for callers that store it.
        return None
    lifetime = signatures.fresh_lifetime(bounds.lifetimes_in(file, function))
    edits = [*bound(lifetime), file.insert_after(whole, f" + {lifetime}"),
             bounds.add_lifetime_parameter(file, function, lifetime)]
    if any(e is None for e in edits):
        return None
    dyn_text = " ".join(file.node_text(whole).split())
    return make_fix(
        "thread-lifetime",
        f"Let `{dyn_text}` borrow: add `{lifetime}` with `{param}: {lifetime}`", edits)


FAMILY = ParamMayNotLiveLongEnough()
