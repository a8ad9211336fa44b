"""Higher-ranked bounds: a closure, fn or impl that works for one lifetime where any is needed.

Three ways rustc reports it:
* "implementation of `Fn`/`FnOnce`/`FnMut`/`Trait` is not general enough", with notes "… must
  implement `Fn<(&'1 X,)>`, for any lifetime `'1`… but it actually implements `Fn<(&'2 X,)>`,
  for some specific lifetime `'2`";
* E0308 "one type is more general than the other" (a fn pointer or boxed closure whose
  signature was pinned to one lifetime, where `for<'a> fn(&'a T)` is expected);
* "lifetime may not live long enough" inside a closure that returns a reference derived from
  its argument ("return type of closure is &'2 str").
Most often the culprit is a closure stored in a `let` before being passed on: its signature is
inferred without the expected bound and settles on one specific lifetime. Facts: the trait,
the closure's binding and line, the expected and found signatures when rustc prints them.
"""

from __future__ import annotations

import re
from typing import ClassVar

import tree_sitter

from borrowlens.analyses.diagnostics.model import Diagnostic
from borrowlens.analyses.explain import prose
from borrowlens.analyses.explain.model import Explanation
from borrowlens.analyses.families.base import FactValue, Family, Match, Related
from borrowlens.analyses.families.borrows.fnmut_escape import CAPTURED_NOTE
from borrowlens.analyses.families.lifetimes import analysis as common
from borrowlens.analyses.families.lifetimes import closure_sites as sites
from borrowlens.analyses.families.lifetimes import hrtb_sites
from borrowlens.analyses.fixes import hrtb
from borrowlens.analyses.fixes.edits import Fix
from borrowlens.analyses.fixes.source_file import SourceFile, one_fix
from borrowlens.analyses.rust import locate, printed
from borrowlens.analyses.rust.sources import Sources, line_of

_MESSAGE = re.compile(r"implementation of `(?P<trait>[^`]+)` is not general enough")
# Code in backticks is matched as `[^`]+` and the kind of type is bounded: a lazy `.+?`
# between two literals is quadratic (cubic with two) on a long message.
_MUST = re.compile(r"(?:(?P<closure>closure) with signature )?`(?P<subject>[^`]+)` must "
                   r"implement `(?P<expected>[^`]+)`, for any (?:lifetime|two lifetimes)")
_ACTUAL = re.compile(r"but (?:it actually implements `(?P<found>[^`]+)`|`(?P<found2>[^`]+)` is "
                     r"actually implemented for the type `(?P<for_type>[^`]+)`)")
_EXPECTED_308 = re.compile(r"expected (?:fn pointer|reference|closure|trait object|struct|enum|"
                           r"fn item|type|[a-z ]{1,40}?) `(?P<ty>.+)`")
_FOUND_308 = re.compile(r"found (?:fn pointer|reference|closure|trait object|struct|enum|"
                        r"fn item|type|[a-z ]{1,40}?) `(?P<ty>.+)`")
_SELF_TYPE = re.compile(r"mismatched `self` parameter type")
_MORE_GENERAL = re.compile(r"one type is more general than the other")
_CLOSURE_RETURN = re.compile(r"return type of closure is|returning this value requires that "
                             r"`'\d+` must outlive `'\d+`")
_CLOSURE_STORES = re.compile(r"(?:assignment|argument) requires that `'\d+` must outlive `'\d+`")
_FN_TRAITS = ("Fn", "FnMut", "FnOnce")


def _first_arg_type(signature: str) -> str | None:
    """`fn(&'2 Request) -> usize` → `&Request`; `Fn<(&'1 str,)>` → `&str`."""
    found = re.search(r"\(\(?\s*(&[^,)]*)", signature)
    if found is None:
        return None
    return re.sub(r"'\w+\s+", "", found.group(1)).strip()


class HrtbNotGeneralEnough(Family):
    id = "hrtb-not-general-enough"
    title = "Works for one lifetime, needed for all"
    codes = ("E0308",)
    messages = (_MESSAGE.pattern, common.LIFETIME_MESSAGE.pattern)
    refines = ("lifetime-not-tied",)
    fix_docs: ClassVar[dict[str, str]] = {
        "annotate-param": "the closure's parameter gets its type (`req: &Request`), so the "
            "closure is general over the lifetime",
        "constrain-closure": "the closure goes through a `for<'a>` identity helper",
        "async-fn-bound": "an `Fn(&T) -> Fut` bound becomes `AsyncFn(&T) -> U`",
        "generalise-fn": "a fn passed as a `fn(&T) -> &U` pointer drops its `'static` and becomes "
            "generic over the lifetime",
    }
    no_fix_when: ClassVar[dict[str, str]] = {
        "shape=trait": "an impl for one lifetime needs the impl made generic and the "
            "consumer's `for<'a>` bound rethought: a redesign of the types",
        "shape=closure-params": "a closure cannot name a lifetime: turning it into a `fn` "
            "item moves code, the user's call",
        "returns_borrow": "the closure's result borrows its argument and the expected type "
            "leaves a type to inference (`_`): the helper's bound cannot be written, and "
            "inlining the closure moves code",
    }

    def match(self, diagnostic: Diagnostic, sources: Sources) -> Match | None:
        facts: dict[str, FactValue] = {}
        related: list[Related] = []
        primary = diagnostic.primary
        general = _MESSAGE.search(diagnostic.message)
        if general is not None:
            facts["trait"] = general.group("trait")
            must = diagnostic.find(_MUST)
            actual = diagnostic.find(_ACTUAL)
            if must is not None:
                facts["expected"] = must.group("expected")
                if must.group("closure"):
                    facts["closure_signature"] = must.group("subject")
                    facts["shape"] = "closure"
                elif must.group("subject").startswith(("fn(", "for<")):
                    facts["shape"] = "fn"
                    fn_name = re.search(r"\{(\w+)\}$", must.group("subject"))
                    if fn_name:
                        facts["fn_item"] = fn_name.group(1)
                else:
                    facts["shape"] = "trait"
                    facts["implementor"] = must.group("subject")
            if actual is not None:
                facts["found"] = actual.group("found") or actual.group("found2")
                if actual.group("for_type"):
                    facts["implementor"] = actual.group("for_type")
            if "shape" not in facts:
                facts["shape"] = "closure" if facts["trait"] in _FN_TRAITS else "trait"
        elif diagnostic.code == "E0308":
            if _SELF_TYPE.search(diagnostic.message):
                return None  # a `self: Foo<'static>` receiver, not a higher-ranked bound
            expected = diagnostic.find(_EXPECTED_308)
            found = diagnostic.find(_FOUND_308)
            same_shape = (expected is not None and found is not None
                          and printed.strip_lifetimes(expected.group("ty"))
                          == printed.strip_lifetimes(found.group("ty")))
            if diagnostic.find(_MORE_GENERAL) is None and not same_shape:
                return None
            if expected is not None:
                facts["expected"] = expected.group("ty")
            if found is not None:
                facts["found"] = found.group("ty")
                fn_name = re.search(r"\{(\w+)\}$", found.group("ty"))
                if fn_name:
                    facts["fn_item"] = fn_name.group(1)
            facts["shape"] = "mismatch"
        elif (not diagnostic.code and common.LIFETIME_MESSAGE.search(diagnostic.message)
              and diagnostic.find(common.INVARIANCE) is None
              and diagnostic.find(CAPTURED_NOTE) is None):  # a capture escapes: fnmut-escape
            closure = sites.closure_at(primary, sources)
            labelled = diagnostic.find(r"return type of closure is")
            # `|slot: &mut &T, v: &T| *slot = v`: two of the closure's own parameters related.
            stored = closure is not None and labelled is None and diagnostic.find(
                _CLOSURE_STORES) is not None and sites.relates_parameters(diagnostic, *closure)
            if labelled is None and not stored and (
                    closure is None or diagnostic.find(_CLOSURE_RETURN) is None):
                return None
            facts["shape"] = "closure-params" if stored else "closure-return"
            returned = diagnostic.find(r"return type of closure is (&\S*(?: mut)? ?\S+)")
            if returned is not None:
                facts["return_type"] = printed.strip_lifetimes(returned.group(1))
            if closure is not None:
                node, located = closure
                facts["closure_line"] = located.parsed.start(node)[0]
                name = sites.binding_name(node, located)
                if name:
                    facts["closure"] = name
                sites.closure_facts(node, name, located, facts)
                if primary is not None:
                    related.append(Related(
                        common.node_span(primary.file, node, located.parsed),
                        "this closure relates the lifetimes of its reference parameters, which "
                        "its signature cannot state" if stored else "this closure returns a "
                        "borrow of its argument, a relation its inferred signature cannot state"))
                params = node.child_by_field_name("parameters")
                first = params.named_children[0] if params and params.named_children else None
                kind = first.child_by_field_name("type") if first is not None else None
                if kind is not None:
                    facts["param_type"] = located.text(kind)
            elif primary is not None:
                facts["closure_line"] = primary.line_start
        else:
            return None

        if facts.get("shape") in ("closure", "mismatch", "fn"):
            passed = sites.argument_closure(primary, sources)
            if passed is not None:
                node, name, located = passed
                facts["closure_line"] = located.parsed.start(node)[0]
                name = name or sites.binding_name(node, located)
                if name:
                    facts["closure"] = name
                sites.closure_facts(node, name, located, facts)
                if facts["shape"] == "mismatch":
                    facts["shape"] = "closure"
                params = node.child_by_field_name("parameters")
                first = params.named_children[0] if params and params.named_children else None
                kind = first.child_by_field_name("type") if first is not None else None
                if kind is not None and located.text(kind).startswith("&"):
                    # already annotated: the return type is what cannot be generalised
                    facts["param_type"] = located.text(kind)
                    facts["shape"] = "closure-return"
                if primary is not None:
                    related.append(Related(
                        common.node_span(primary.file, node, located.parsed),
                        "this closure's signature was inferred for one specific lifetime"))
        signature = match_signature(facts)
        if signature and "param_type" not in facts:
            arg = _first_arg_type(signature)
            if arg:
                facts["param_type"] = arg
        requirement = common.help_span(diagnostic, r"lifetime requirement is introduced here")
        if requirement is not None:
            related.append(Related(requirement, "the higher-ranked bound is required here"))
            if "return_type" not in facts and requirement.line_start == requirement.line_end:
                # The requirement points at the bound's return type (`&'a str`): the type the
                # closure's result must have, lifetimes aside.
                line = line_of(sources.text(requirement.file), requirement.line_start)
                written = (line or "")[requirement.column_start - 1:requirement.column_end - 1]
                if written.startswith("&"):
                    facts["return_type"] = printed.strip_lifetimes(written)
        if primary is not None:
            facts["line"] = primary.line_start
        hrtb_sites.async_fn_shape(diagnostic, sources, facts, requirement)
        located_file = locate.at(primary, sources)
        trait, fn_item = match_str(facts, "trait"), match_str(facts, "fn_item")
        if located_file is not None and primary is not None:
            if facts.get("shape") == "trait" and trait:
                hrtb_sites.trait_sites(trait, match_str(facts, "implementor"), primary.file,
                                       located_file, facts, related)
            elif facts.get("shape") in ("fn", "mismatch") and fn_item:
                hrtb_sites.pinned_fn(fn_item, primary.file, located_file, facts, related)
        pointer = match_str(facts, "expected") or ""
        if facts.get("shape") == "closure" and re.match(r"for<[^>]*>\s*fn\(", pointer) and \
                "&" in pointer.partition("->")[2]:
            facts["returns_borrow"] = "yes"  # the pointer ties its result to its argument
        return Match(family=self, diagnostic=diagnostic, facts=facts, related=related)

    def explain(self, match: Match) -> Explanation:
        shape = match.fact("shape") or "closure"
        closure = match.fact("closure")
        form = (shape if shape in ("trait", "async-fn", "closure-return", "closure-params")
                else "fn" if shape in ("fn", "mismatch") and not closure else "closure")
        trait = match.fact("trait")
        param_type = match.fact("param_type") or "&T"
        shown = param_type if param_type != "&_" else "&T"
        expected, found = match.fact("expected"), match.fact("found")
        args = match.fact("bound_args") or "&T"
        output = match.fact("output") or "T"
        # the closure's result type: read by rustc, else its printed signature's return part
        signature_result = (match.fact("closure_signature") or "").partition("->")[2].strip()
        returned = (match.fact("return_type")
                    or (printed.strip_lifetimes(signature_result) if signature_result else None)
                    or param_type)
        return prose.explanation(self.id, self.title, __name__, {
            "form": form, "trait": trait, "tr": f"`{trait}`" if trait else (
                "the trait" if form == "trait" else "`fn(&T)`"
                if form == "closure" and _expected_fn_pointer(match) else
                "the expected signature"),
            "clo": f"`{closure}`" if closure else "the closure",
            "at_closure": match.line("closure_line"), "at_line": match.line("line"),
            "param_type": param_type, "ref_a": _named(param_type),
            "shown": shown, "shown_a": _named(shown),
            "contrast": f" (expected `{expected}`, found `{found}`)" if expected and found else "",
            "found": found, "implementor": match.code("implementor", "the type"),
            "fn_item": match.code("fn_item",
                                  "the async fn" if form == "async-fn" else "the function"),
            "fn_name": closure or "name",
            "return_type": returned, "ret_a": _named(returned),
            "bound": match.code("bound", "`Fn(&T) -> Fut`"), "args": args, "output": output,
            "fut": match.code("future_param", "`Fut`"),
            "async_bound": f"AsyncFn({args}) -> {output}", "named_args": _named(args),
            "passed": match.fact("fn_item") or "f",
            "returns_borrow": form == "closure-return" or "&" in (
                match.fact("closure_signature") or _expected_fn_pointer(match) or ""
            ).partition("->")[2],
            "closure_name": closure, "fn_item_name": match.fact("fn_item"),
            "implementor_name": match.fact("implementor"),
            "implementor_borrows": "'" in (match.fact("implementor") or ""),
            "pinned_static": "'static" in (found or ""),
            **{key: match.fact(key) for key in (
                "param_name", "closure_text", "use_line", "closure_line", "line", "impl_header",
                "impl_line", "bound_text", "bound_line", "consumer", "binder", "generic_impl",
                "fn_line", "generic_signature", "callback", "bound_param")},
        })

    def fixes(self, match: Match, sources: Sources) -> list[Fix]:
        """Per shape: annotate a stored closure's reference parameters; pass a closure that
        returns a borrow of its argument through a `for<'a>` identity helper; rewrite an
        `Fn(&T) -> Fut` bound in the user's crate as `AsyncFn(&T) -> U`; drop `'static`
        from a private fn passed as a `fn(&T) -> &U` pointer. Trait impls pinned to one
        lifetime get no edit: the consumer's bound or the types need redesigning."""
        diagnostic = match.diagnostic
        primary = diagnostic.primary if diagnostic is not None else None
        if diagnostic is None or primary is None:
            return []
        shape = match.fact("shape")
        if shape == "async-fn":
            return self._async_fn_fix(match, diagnostic, sources)
        file = SourceFile.load(sources, primary.file)
        if file is None:
            return []
        if shape == "closure":
            passed = sites.argument_closure(primary, sources)
            # rustc prints the closure's signature for a trait bound; for an expected fn
            # pointer (a handler table typed `fn(&T) -> U`) the pointer is the signature.
            signature = match.fact("closure_signature") or _expected_fn_pointer(match)
            closure = _same_node(file, passed[0]) if passed is not None else None
            if closure is None or not signature:
                return []
            edits = hrtb.annotate_parameters(file, closure, signature)
            if edits:
                types = sorted({e.new_text.removeprefix(": ") for e in edits})
                name = match.code("closure", "the closure")
                return one_fix("annotate-param",
                               f"Annotate the parameter of {name}: `{', '.join(types)}`",
                               edits, preferred=True)
            parts = hrtb.signature_parts(signature)
            if parts is None or len(parts[0]) != 1:
                return []
            return self._constrain(match, file, closure, printed.strip_lifetimes(parts[0][0]),
                                   printed.strip_lifetimes(parts[1]))
        if shape == "closure-return":
            found = sites.closure_at(primary, sources) or (
                (passed[0], passed[2]) if (passed := sites.argument_closure(primary, sources))
                else None)
            closure = _same_node(file, found[0]) if found is not None else None
            param_type, return_type = match.fact("param_type"), match.fact("return_type")
            if closure is None or not param_type or not return_type:
                return []
            return self._constrain(match, file, closure, param_type, return_type)
        fn_item, found_type = match.fact("fn_item"), match.fact("found") or ""
        if shape in ("fn", "mismatch") and fn_item and "'static" in found_type:
            return one_fix("generalise-fn",
                           f"Make `{fn_item}` generic over the lifetime (drop `'static`)",
                           hrtb.unpin_static_fn(file, fn_item), preferred=True)
        return []

    def _constrain(self, match: Match, file: SourceFile, closure: tree_sitter.Node,
                   param_type: str, return_type: str) -> list[Fix]:
        edits = hrtb.constrain_closure(file, closure, param_type, return_type)
        name = match.code("closure", "the closure")
        return one_fix("constrain-closure",
                       f"Pass {name} through a `for<'a> Fn({param_type}) -> {return_type}` "
                       "helper", edits, preferred=True)

    def _async_fn_fix(self, match: Match, diagnostic: Diagnostic,
                      sources: Sources) -> list[Fix]:
        future_param = match.fact("future_param")
        requirement = common.help_span(diagnostic, r"lifetime requirement is introduced here")
        where_clause = diagnostic.span_labelled(r"doesn't satisfy where-clause")
        anchor = requirement or (where_clause[0] if where_clause else None)
        if anchor is None or not future_param:
            return []
        file = SourceFile.load(sources, anchor.file)
        node = file.node_for_span(anchor) if file is not None else None
        function = locate.enclosing_function(node, signatures=True)
        if file is None or function is None or function.type != "function_item":
            return []
        rewritten = hrtb.async_fn_bound(file, function, future_param)
        if rewritten is None:
            return []
        edits, bound = rewritten
        return one_fix("async-fn-bound", f"Bound the operation with `{bound}` instead of "
                       f"`{future_param}`", edits, preferred=True)


def match_str(facts: dict[str, FactValue], key: str) -> str | None:
    value = facts.get(key)
    return value if isinstance(value, str) else None


def _same_node(file: SourceFile, node: tree_sitter.Node) -> tree_sitter.Node | None:
    """The node with the same range in `file`'s own tree."""
    found = file.root.descendant_for_byte_range(node.start_byte, node.end_byte)
    while found is not None and found.type != node.type:
        found = found.parent
    return found


def _named(reference: str) -> str:
    """The first `&` of a type given the lifetime `'a`: `&str` → `&'a str`."""
    return reference.replace("&", "&'a ", 1)


def _expected_fn_pointer(match: Match) -> str | None:
    """The expected `for<'a> fn(&'a T) -> U` pointer of an E0308 "one type is more general"."""
    expected = match.fact("expected")
    return expected if expected and re.match(r"for<[^>]*>\s*fn\(", expected) else None


def match_signature(facts: dict[str, FactValue]) -> str | None:
    for key in ("closure_signature", "expected"):
        value = facts.get(key)
        if isinstance(value, str) and "&" in value:
            return value
    return None


FAMILY = HrtbNotGeneralEnough()
