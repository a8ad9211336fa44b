"""E0700: the hidden type behind a returned `impl Trait` captures a lifetime its bounds omit.

Before edition 2024 a return-position `impl Trait` only captures the lifetimes written in it
(plus type parameters); when the concrete type borrows from an input (an iterator over
`&self`, a closure holding a `&str`) that borrow must be named: `+ use<'a>` (precise
capturing, stable since 1.82) or `+ 'a`. In edition 2024 the same error comes from a written
`use<…>` list that leaves the lifetime out. Facts: the lifetime, the function, the written
`impl …`, the `use<…>` bound that fixes it.
"""

from __future__ import annotations

import re
from typing import ClassVar

import tree_sitter

from borrowlens.analyses.diagnostics.limits import MAX_NAME
from borrowlens.analyses.diagnostics.model import Diagnostic
from borrowlens.analyses.explain import prose
from borrowlens.analyses.explain.model import Explanation
from borrowlens.analyses.families.base import FactValue, Family, Match, Related
from borrowlens.analyses.families.lifetimes import analysis as common
from borrowlens.analyses.fixes import bounds, signatures
from borrowlens.analyses.fixes.edits import Fix, TextEdit
from borrowlens.analyses.fixes.source_file import SourceFile, make_fix
from borrowlens.analyses.rust import items, locate
from borrowlens.analyses.rust.sources import Sources

_MESSAGE = re.compile(r"hidden type for `(?P<impl>.+)` captures lifetime that does not appear "
                      r"in bounds")
_CAPTURES = re.compile(r"captures the (?:lifetime `(?P<named>'[^`]+)`|(?P<anon>anonymous) "
                       r"lifetime|lifetime `?(?P<other>'\w+)`?)")
_USE_LIST = re.compile(r"use<(?P<inner>[^>]*)>")


class HiddenTypeCapturesLifetime(Family):
    id = "hidden-type-captures-lifetime"
    title = "impl Trait hides a borrow it does not declare"
    codes = ("E0700",)
    messages = (_MESSAGE.pattern,)
    fix_docs: ClassVar[dict[str, str]] = {
        "add-use-bound": "`+ use<…>` with the right parameters",
        "add-to-use-bound": "the captured lifetime added to an existing `use<…>`",
        "add-outlives-bound": "`+ 'a` on the return type",
    }
    no_fix_when: ClassVar[dict[str, str]] = {
        "also_borrowed": "the returned closure holds a second borrow inside a type "
            "(`Vec<&str>`) whose lifetime the rewrite does not name: the user writes them",
    }

    def match(self, diagnostic: Diagnostic, sources: Sources) -> Match | None:
        found = _MESSAGE.search(diagnostic.message)
        if found is None and diagnostic.code != "E0700":
            return None
        facts: dict[str, FactValue] = {}
        related: list[Related] = []
        impl_trait = found.group("impl") if found else None
        if impl_trait:
            facts["impl_trait"] = impl_trait

        lifetime: str | None = None
        captured = common.labelled(diagnostic, _CAPTURES.pattern)
        if captured is not None:
            hit = captured[1]
            lifetime = hit.group("named") or hit.group("other") or ("'_" if hit.group("anon")
                                                                     else None)
            owner = common.parameter_name(captured[0], sources)
            if owner:
                facts["borrowed_param"] = owner
            related.append(Related(captured[0], "the borrow the returned value holds comes "
                                                "from here" if owner or not lifetime else
                                   f"the returned value captures `{lifetime}`, declared here"))
        hint = common.suggestion(diagnostic, r"use<|capture|bound")
        if lifetime is None and hint is not None:
            named = re.search(r"'\w+", hint[1])
            lifetime = named.group(0) if named else None
        if lifetime is None:
            help_text = diagnostic.find(r"explicitly capture `('[^`]+)`")
            lifetime = help_text.group(1) if help_text else None
        if lifetime is None:
            # "= note: hidden type `…` captures lifetime `'_`" (an elided `&self` borrow)
            noted = diagnostic.find(r"captures (?:the )?lifetime `('[^`]+)`")
            lifetime = noted.group(1) if noted else None
        if lifetime:
            facts["lifetime"] = lifetime

        opaque = common.labelled(diagnostic, r"opaque type defined here")
        if opaque is not None:
            related.append(Related(opaque[0], "add the captured lifetime to this `impl` type"))
            written = common.span_source(opaque[0], sources)
            if written and written.startswith("impl"):
                impl_trait = " ".join(written.split())
                facts["impl_trait"] = impl_trait
        if lifetime:
            existing = _USE_LIST.search(impl_trait or "")
            if existing is not None:
                inner = [p.strip() for p in existing.group("inner").split(",") if p.strip()]
                lifetimes = [p for p in inner if p.startswith("'")]
                others = [p for p in inner if not p.startswith("'")]
                facts["use_bound"] = f"use<{', '.join([*lifetimes, lifetime, *others])}>"
            else:
                # Every lifetime the bounds already name must be listed too, or rustc rejects
                # the `use<…>` list itself.
                in_bounds = [lt for lt in dict.fromkeys(re.findall(r"'\w+", impl_trait or ""))
                             if lt not in ("'static", lifetime)]
                facts["use_bound"] = f"use<{', '.join([*in_bounds, lifetime])}>"
        if hint is not None:
            # rustc's own suggestion, when it made one, is the list that compiles.
            suggested = re.search(r"use<[^>]*>", hint[1])
            if suggested:
                facts["use_bound"] = facts["rustc_use_bound"] = suggested.group(0)

        owner_name = facts.get("borrowed_param")
        if (lifetime == "'_" and isinstance(owner_name, str) and owner_name != "self"
                and re.search(r"'\w+", impl_trait or "")):
            # `use<'_>` only resolves when elision has a single source; here the signature
            # already names a lifetime, so `'_` is ambiguous (E0106, even in rustc's own
            # suggestion). Name the parameter's lifetime instead.
            taken = set(re.findall(r"'(\w+)", impl_trait or ""))
            fresh = next(c for c in (owner_name[0].lower(), "b", "c", "d", "e", "x")
                         if c.isalpha() and c not in taken)
            listed = [lt for lt in dict.fromkeys(re.findall(r"'\w+", impl_trait or ""))
                      if lt not in ("'static", "'_")]
            fresh_lifetime = "'" + fresh
            facts["named_lifetime"] = fresh_lifetime
            facts["use_bound"] = f"use<{', '.join([*listed, fresh_lifetime])}>"

        anchor = opaque[0] if opaque is not None else diagnostic.primary
        function = (locate.function_name_at(anchor, sources, signatures=True)
                    or locate.function_name_at(diagnostic.primary, sources, signatures=True))
        if function:
            facts["function"] = function
        if anchor is not None:
            facts["signature_line"] = anchor.line_start
        _owner_facts(diagnostic, sources, common.enclosing_function(anchor, sources), facts,
                     related)
        file = SourceFile.load(sources, anchor.file) if anchor is not None else None
        fn_node = locate.enclosing_function(file.node_for_span(anchor)) \
            if file is not None and anchor is not None else None
        other = _other_elided_in_closure(file, fn_node, facts.get("borrowed_param"),
                                         facts.get("lifetime")) if file and fn_node else None
        both = signatures.name_elided_parameters(file, fn_node, [str(owner_name), other]) \
            if other and file and fn_node and isinstance(owner_name, str) else None
        if other:
            facts["also_borrowed"] = other
        if both is not None:
            # rustc's `use<'_>` is ambiguous between the two: each gets a lifetime of its own.
            facts["named_lifetimes"] = both[0]
            facts["use_bound"] = f"use<{', '.join(both[0])}>"
        return Match(family=self, diagnostic=diagnostic, facts=facts, related=related)

    def explain(self, match: Match) -> Explanation:
        impl_trait = match.fact("impl_trait")
        lifetime = match.fact("lifetime")
        owner = match.fact("borrowed_param") or match.fact("inferred_param")
        existing = _USE_LIST.search(impl_trait or "")
        return prose.explanation(self.id, self.title, __name__, {
            "function": match.fact("function"), "impl_trait": impl_trait,
            "lifetime": lifetime, "owner": owner,
            "named_lifetime": match.fact("named_lifetime"), "also": match.fact("also_borrowed"),
            "also_named": "named_lifetimes" in match.facts,
            "named_param": match.fact("named_param"),
            "use_list": existing.group(0) if existing else None,
            "use_bound": match.fact("use_bound") or "use<'a>",
            "rustc_use_bound": match.fact("rustc_use_bound"),
            "written": (impl_trait or "impl Iterator<Item = T>").split(" + use<")[0],
            "line": match.fact("signature_line"), "returned_line": match.fact("returned_line"),
        })

    def fixes(self, match: Match, sources: Sources) -> list[Fix]:
        """Declare the captured lifetime on the returned `impl Trait`: `+ use<…>` listing
        the lifetimes its bounds name, the captured one and every type parameter in scope
        (added to an existing `use<…>` list instead), then `+ 'a` where that is equivalent.
        An elided lifetime is written `'_` only when elision resolves it to `&self`;
        otherwise the borrowed parameter gets a named lifetime (`&'q str`, `<'q>`)."""
        diagnostic = match.diagnostic
        lifetime = match.fact("lifetime")
        opaque = (common.labelled(diagnostic, r"opaque type defined here")
                  if diagnostic is not None else None)
        if opaque is None or not lifetime or lifetime == "'static":
            return []
        file = SourceFile.load(sources, opaque[0].file)
        found = file.node_for_span(opaque[0]) if file is not None else None
        if file is None or found is None or found.type not in ("abstract_type", "bounded_type"):
            return []
        returned = bounds.outer_bounded(found)
        function = returned.parent
        if (function is None or function.type != "function_item"
                or function.child_by_field_name("return_type") != returned
                or bounds.is_trait_impl_method(function)
                or ("->" in file.node_text(returned) and not _returns_plain_closure(returned))):
            return []
        owner, other = match.fact("borrowed_param"), match.fact("also_borrowed")
        several = signatures.name_elided_parameters(file, function, [owner, other]) \
            if owner and other else None
        # a second borrow that cannot be named here (`Vec<&str>`): declaring one is not enough
        named = ((", ".join(several[0]), several[1]) if several is not None else None
                 ) if other else _name_capture(match, file, function, lifetime)
        if named is None:
            return []
        captured, extra = named
        use_list = next((n for n in returned.named_children if n.type == "use_bounds"), None)
        if use_list is not None:
            listed = _insert_in_use_list(file, use_list, captured)
            fix = make_fix("add-to-use-bound",
                           f"Capture `{captured}` in the `use<…>` list of "
                           f"{match.code('function', 'the return type')}",
                           [listed, *extra], preferred=True)
            return [fix] if fix is not None else []
        fixes: list[Fix | None] = []
        if not bounds.has_argument_impl_trait(function):
            written = [lt for lt in dict.fromkeys(
                file.node_text(n) for n in items.lifetimes(returned))
                if lt not in ("'static", "'_", captured)]
            types = [*_impl_type_parameters(file, function),
                     *bounds.type_parameter_names(
                         file, function.child_by_field_name("type_parameters"))]
            use_bound = f"use<{', '.join([*written, captured, *dict.fromkeys(types)])}>"
            title = (f"Name the lifetimes of `{owner}` and `{other}` and add `+ {use_bound}`"
                     if other else
                     f"Name `{owner}`'s lifetime `{captured}` and add `+ {use_bound}`"
                     if extra and owner else
                     f"Capture `{captured}`: add `+ {use_bound}` to the return type")
            fixes.append(make_fix(
                "add-use-bound", title,
                [file.insert_after(returned, f" + {use_bound}"), *extra], preferred=True))
        in_scope = (bounds.type_parameter_names(
            file, function.child_by_field_name("type_parameters"))
            or _impl_type_parameters(file, function))
        if not bounds.lifetimes_in(file, returned) and not in_scope and not other:
            fixes.append(make_fix(
                "add-outlives-bound", f"Add `+ {captured}` to the return type",
                [file.insert_after(returned, f" + {captured}"), *extra]))
        return [f for f in fixes if f is not None]


def _owner_facts(diagnostic: Diagnostic, sources: Sources,
                 enclosing: tuple[locate.Located, str] | None, facts: dict[str, FactValue],
                 related: list[Related]) -> None:
    """The parameter the hidden type borrows, read from the signature when rustc does not
    label it (the only reference input for `'_`, the input whose type names a named lifetime);
    the line inside the returned value that uses it; and, when the parameter needs a named
    lifetime, its type written with it (`prefix: &'p str`)."""
    primary = diagnostic.primary
    if enclosing is None or primary is None:
        return
    located = enclosing[0]
    parameters = located.node.child_by_field_name("parameters")
    inputs = [p for p in parameters.named_children if p.type in ("self_parameter", "parameter")
              ] if parameters is not None else []
    lifetime, owner = facts.get("lifetime"), facts.get("borrowed_param")
    if owner is None and isinstance(lifetime, str):
        if lifetime == "'_":
            holders = [p for p in inputs if "&" in located.text(p) or "'_" in located.text(p)]
        else:
            holders = [p for p in inputs
                       if re.search(re.escape(lifetime) + r"\b", located.text(p))]
        if len(holders) == 1:
            holder = holders[0]
            pattern = holder.child_by_field_name("pattern")
            name = "self" if holder.type == "self_parameter" else (
                located.text(pattern) if pattern is not None else None)
            if name and re.fullmatch(r"\w+", name):
                owner = facts["inferred_param"] = name
                related.insert(0, Related(common.node_span(primary.file, holder, located.parsed),
                                          f"`{name}` is the input the returned value "
                                          "borrows"))
    if isinstance(owner, str):
        used = common.mention_line(primary, owner, sources)
        facts["returned_line"] = used or primary.line_start
    named = facts.get("named_lifetime")
    for param in inputs if isinstance(named, str) else []:
        pattern, kind = param.child_by_field_name("pattern"), param.child_by_field_name("type")
        if (pattern is not None and kind is not None and located.text(pattern) == owner
                and located.text(kind).startswith("&")):
            facts["named_param"] = f"{owner}: &{named} {located.text(kind)[1:].lstrip()}"


def _name_capture(match: Match, file: SourceFile, function: tree_sitter.Node,
                  lifetime: str) -> tuple[str, list[TextEdit]] | None:
    """The lifetime to write for the capture and the edits that make it nameable: a named
    lifetime as it is; `'_` when elision picks `&self` for it; else a fresh named lifetime
    on the borrowed parameter's reference and in the fn's generics."""
    if lifetime != "'_":
        return lifetime, []
    parameters = function.child_by_field_name("parameters")
    if parameters is None:
        return None
    receiver = next((p for p in parameters.named_children if p.type == "self_parameter"), None)
    by_reference = receiver is not None and file.node_text(receiver).startswith("&")
    owner = match.fact("borrowed_param")
    others = [p for p in parameters.named_children if p.type == "parameter"]
    if by_reference and (owner == "self" or (owner is None and not any(
            "&" in file.node_text(p) or "'" in file.node_text(p) for p in others))):
        return "'_", []
    if owner is None or owner == "self":
        return None
    if receiver is None and [file.node_text(p.child_by_field_name("pattern") or p) for p in others
                             if "&" in file.node_text(p) or "'" in file.node_text(p)] == [owner]:
        # The only borrowed input: elision gives `'_` its lifetime, as rustc suggests.
        return "'_", []
    named = signatures.name_elided_parameters(file, function, [owner],
                                              match.fact("named_lifetime"))
    return (named[0][0], named[1]) if named is not None else None


def _returns_plain_closure(returned: tree_sitter.Node) -> bool:
    """`impl Fn(&str) -> bool` (or `FnMut`/`FnOnce`): the `->` belongs to the closure's own
    signature, and `+ use<…>` after it binds to the `impl`. A return type holding another
    `->` or `impl` (a nested `impl Fn`, a fn pointer in a generic) is not read here."""
    sugar = returned.child_by_field_name("trait") if returned.type == "abstract_type" else None
    if sugar is None or sugar.type != "function_type":
        return False
    output = sugar.child_by_field_name("return_type")
    return output is not None and not any(
        n.type in ("function_type", "abstract_type") for n in locate.walk(output, named=True))


def _other_elided_in_closure(file: SourceFile, function: tree_sitter.Node,
                             owner: FactValue | None, lifetime: FactValue | None) -> str | None:
    """Another input with an elided lifetime (`tag: &str`, `parts: Vec<&str>`, `&self`) that
    a closure in the fn uses: rustc reports one capture at a time, so declaring only
    `owner`'s lifetime leaves the next E0700, and `use<'_>` is ambiguous between them."""
    parameters = function.child_by_field_name("parameters")
    body = function.child_by_field_name("body")
    if lifetime != "'_" or not isinstance(owner, str) or parameters is None or body is None:
        return None
    closures = [file.node_text(n) for n in locate.walk(body, named=True)
                if n.type == "closure_expression"]
    for param in parameters.named_children:
        pattern = param.child_by_field_name("pattern")
        kind = param if param.type == "self_parameter" else param.child_by_field_name("type")
        name = "self" if param.type == "self_parameter" else (
            file.node_text(pattern) if pattern is not None else None)
        if (kind is None or name is None or name == owner or len(name) > MAX_NAME
                or not re.search(r"&(?!\s*')|'_", file.node_text(kind))):
            continue
        # Text, not identifiers: `format!("{name}")` uses `name` inside a string literal.
        used = re.compile(r"\b" + re.escape(name) + r"\b")
        if any(used.search(text) for text in closures):
            return name
    return None


def _impl_type_parameters(file: SourceFile, function: tree_sitter.Node) -> list[str]:
    """The type parameters of the `impl<…>` block a method sits in: `use<…>` must list them."""
    body = function.parent
    owner = body.parent if body is not None and body.type == "declaration_list" else None
    if owner is None or owner.type != "impl_item":
        return []
    return bounds.type_parameter_names(file, owner.child_by_field_name("type_parameters"))


def _insert_in_use_list(file: SourceFile, use_list: tree_sitter.Node,
                        lifetime: str) -> TextEdit | None:
    """`use<>` → `use<'h>`, `use<'a, T>` → `use<'a, 'h, T>` (lifetimes come first)."""
    listed = use_list.named_children
    if any(file.node_text(n) == lifetime for n in listed):
        return None
    lifetimes = [n for n in listed if n.type == "lifetime"]
    if lifetimes:
        return file.insert_after(lifetimes[-1], f", {lifetime}")
    opening = next((c for c in use_list.children if c.type == "<"), None)
    if opening is None:
        return None
    return file.insert_after(opening, f"{lifetime}, " if listed else lifetime)


FAMILY = HiddenTypeCapturesLifetime()
