"""Code-less "lifetime may not live long enough" for a closure written inline as the argument
of a call, whose result borrows its own argument: `KEY.with(|v| v)`, `visit(|name|
name.trim())`. The callee lends the closure a reference for the length of the call, and its
bound (`F: FnOnce(&T) -> R`) fixes the result type `R` before any lifetime of that loan
exists, so the result cannot borrow from it.

Unlike a closure bound by a `let` (hrtb-not-general-enough's shape, where writing it inline or
as a `fn` lets the signature tie the two lifetimes), the closure here already gets the
callee's expected signature: no annotation can help, the result must be owned or the work
done inside the closure. rustc: "returning this value requires that `'1` must outlive
`'2`", "has type `&'1 T`", "return type of closure is &'2 U". Facts: the callee, the
closure's parameter and its type, the returned type, the closure's line and text.
"""

from __future__ import annotations

import re

from borrowlens.analyses.diagnostics.model import Diagnostic
from borrowlens.analyses.explain import prose
from borrowlens.analyses.explain.model import Explanation
from borrowlens.analyses.families.base import FactValue, Family, Match, Related
from borrowlens.analyses.families.borrows.fnmut_escape import CAPTURED_NOTE
from borrowlens.analyses.families.lifetimes import analysis as common
from borrowlens.analyses.families.lifetimes import closure_sites as sites
from borrowlens.analyses.rust import locate, printed
from borrowlens.analyses.rust.sources import Sources

_RETURNS = re.compile(r"returning this value requires that `'\d+` must outlive `'\d+`")
_RETURN_TYPE = re.compile(r"return type of closure is (?P<ty>&\S*(?: mut)? ?\S+)")
_HAS_TYPE = re.compile(r"has type `(?P<ty>&[^`]+)`")


class CallbackReturnsBorrow(Family):
    id = "callback-returns-borrow"
    title = "A callback returns a borrow of its argument"
    codes = ()
    messages = (common.LIFETIME_MESSAGE.pattern,)
    refines = ("hrtb-not-general-enough",)
    design_choices = "returning a clone, a copy or a computed value, or doing the work " \
        "inside the closure"
    no_fix_reason = ("what the callback returns instead of the borrow (a clone, a copy, a "
                     "value computed inside it) is the user's choice")

    def match(self, diagnostic: Diagnostic, sources: Sources) -> Match | None:
        if diagnostic.code or not common.LIFETIME_MESSAGE.search(diagnostic.message) or \
                diagnostic.find(common.INVARIANCE) is not None or \
                diagnostic.find(CAPTURED_NOTE) is not None or (
                    # the primary's label may be dropped through the LSP; the closure's is not
                    diagnostic.find(_RETURNS) is None and diagnostic.find(_RETURN_TYPE) is None):
            return None
        primary = diagnostic.primary
        passed = sites.inline_argument(primary, sources)
        if passed is None:
            return None
        closure, callee, located = passed
        if closure.child_by_field_name("return_type") is not None:
            return None  # an annotated result gets its own lifetime: the higher-ranked shape
        facts: dict[str, FactValue] = {"callee": callee,
                                       "closure_line": located.parsed.start(closure)[0]}
        sites.closure_facts(closure, None, located, facts)
        for key, regex in (("param_type", _HAS_TYPE), ("return_type", _RETURN_TYPE)):
            found = diagnostic.find(regex)
            if found is not None:
                facts[key] = printed.strip_lifetimes(found.group("ty"))
        # The parameter rustc calls `'1`: a typed one by its type, an untyped one (`|a, b|`)
        # by its own name under the label.
        lent = next((span for span, label in diagnostic.labels() if _HAS_TYPE.search(label)),
                    None)
        at = locate.at(lent, sources) if lent is not None else None
        name = (common.parameter_name(lent, sources) if lent is not None else None) or (
            at.text(at.node) if at is not None and at.node.type == "identifier" else None)
        if name:
            facts["param_name"] = name
        related: list[Related] = []
        if primary is not None:
            facts["line"] = primary.line_start
            related.append(Related(common.node_span(primary.file, closure, located.parsed),
                                   f"`{callee}` lends this closure its argument only for the "
                                   "call"))
        return Match(family=self, diagnostic=diagnostic, facts=facts, related=related)

    def explain(self, match: Match) -> Explanation:
        return prose.explanation(self.id, self.title, __name__, {
            "callee": match.code("callee", "the callee"),
            "arg": match.code("param_name", "the argument it gets"),
            "param_type": match.fact("param_type"), "return_type": match.fact("return_type"),
            "closure_line": match.fact("closure_line"), "line": match.line("line"),
            "closure_text": match.fact("closure_text"),
        })


FAMILY = CallbackReturnsBorrow()
