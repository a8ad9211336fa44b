"""Code-less "lifetime may not live long enough": data from one input flows where a longer (or
unrelated) lifetime is required, with no invariance or closure involved.

Shapes: a function returning `&'static T` (or `&'a T` with `'a` not on that input) built from a
parameter — "returning this value requires that `'1` must outlive `'static`" or "function was
supposed to return data with lifetime `'a` but it is returning data with lifetime `'b`" — and
storing a shorter-lived reference into a longer-lived place ("assignment requires that `'b`
must outlive `'a`"). Facts: the function, the parameter the data comes from, the lifetime it
must outlive, the two lifetimes, what the code does with the value.
"""

from __future__ import annotations

import re
from typing import ClassVar

import tree_sitter

from borrowlens.analyses.diagnostics.model import Diagnostic, Span
from borrowlens.analyses.explain import prose
from borrowlens.analyses.explain.model import Explanation
from borrowlens.analyses.families.base import FactValue, Family, Match, Related
from borrowlens.analyses.families.lifetimes import analysis as common
from borrowlens.analyses.families.lifetimes import not_tied_fixes
from borrowlens.analyses.fixes import signatures
from borrowlens.analyses.fixes.edits import Fix
from borrowlens.analyses.fixes.source_file import SourceFile
from borrowlens.analyses.rust import locate, syntax
from borrowlens.analyses.rust.sources import Sources

_REQUIRES = re.compile(r"(?P<action>returning this value|assignment|argument) requires that "
                       r"`(?P<long>'[^`]+)` must outlive `(?P<short>'[^`]+)`")
_BOUND = re.compile(r"consider adding the following bound: `(?P<long>'[^`:]+): (?P<short>'[^`]+)`")
_EXPLICIT = re.compile(r"explicit lifetime required in (?:the type of `(?P<param>[^`]+)`|"
                       r"parameter type)")
_CALL = re.compile(r"let's call the lifetime of this reference `(?P<lt>'\d+)`")
_DEFINED = re.compile(r"lifetime `(?P<lt>'[^`]+)` defined here")


def _param_with(lifetime: str, diagnostic: Diagnostic, primary: Span | None,
                sources: Sources) -> dict[str, FactValue]:
    """Facts naming the parameter whose type carries `lifetime` (rustc's `'1` label or a
    named `'b`): `source`, and for a destructuring pattern `pattern` and `param_type`."""
    for span, label in diagnostic.labels():
        found = _CALL.search(label)
        if found and found.group("lt") == lifetime:
            located = locate.at(span, sources)
            param = syntax.enclosing(located.node, "parameter") if located else None
            if located is not None and param is not None:
                return _parameter_facts(located.parsed, param, primary)
            name = common.parameter_name(span, sources)
            return {"source": name} if name else {}
    if lifetime.strip("'").isdigit():
        return {}
    enclosing = locate.function_at(primary, sources, signatures=True)
    if enclosing is None:
        return {}
    parameters = enclosing.node.child_by_field_name("parameters")
    for param in parameters.named_children if parameters else []:
        if re.search(re.escape(lifetime) + r"\b", enclosing.text(param)):
            if param.type == "self_parameter":
                return {"source": "self"}
            return _parameter_facts(enclosing.parsed, param, primary)
    return {}


def _parameter_facts(parsed: syntax.Parsed, param: tree_sitter.Node,
                     primary: Span | None) -> dict[str, FactValue]:
    """`source` for a parameter `x: T`; for a pattern (`(a, b): (&str, &str)`,
    `Wrapper(inner): Wrapper<'_>`) also `pattern` and `param_type`, with as `source` the
    binding of the pattern that the erroring expression uses, if it names one."""
    pattern = param.child_by_field_name("pattern")
    kind = param.child_by_field_name("type")
    if pattern is None:
        return {}
    simple = common.SIMPLE_PATTERN.match(parsed.node_text(pattern))
    if simple is not None:
        return {"source": simple.group("name")}
    if kind is None:
        return {}
    facts: dict[str, FactValue] = {"pattern": parsed.node_text(pattern),
                                   "param_type": parsed.node_text(kind)}
    bound = {parsed.node_text(node) for node in locate.walk(pattern)
             if node.type in ("identifier", "shorthand_field_identifier")
             and node.parent is not None and node.parent.child_by_field_name("type") != node}
    used = locate.covering(parsed, primary) if primary is not None else None
    names = [parsed.node_text(n) for n in locate.walk(used) if n.type == "identifier"] \
        if used is not None else []
    source = next((name for name in names if name in bound), None)
    if source is not None:
        facts["source"] = source
    return facts


def _passed_on(node: tree_sitter.Node | None) -> bool:
    """A call whose value is not what the fn returns (a statement, or a closure's body): the
    data flows into it as an argument (`self.tags.push(tag)`)."""
    parent = node.parent if node is not None else None
    return node is not None and parent is not None and node.type == "call_expression" and (
        parent.type in ("expression_statement", "closure_expression"))


def _closure_own(diagnostic: Diagnostic, lifetimes: tuple[str, str],
                 lines: tuple[int, int]) -> bool:
    """True when one of the two lifetimes belongs to the closure the error sits in: an
    anonymous `'1` rustc names at a closure parameter or the closure's body (or names
    nowhere). Named lifetimes of the enclosing fn (`push` into `self` inside `for_each`) are
    this family's relation, merely written in a closure."""
    for lifetime in lifetimes:
        if not lifetime.strip("'").isdigit():
            continue
        named = [span for span, label in diagnostic.labels()
                 if re.search(re.escape(f"`{lifetime}`") + r"|" + re.escape(lifetime) + r"\b",
                              label) and not span.is_primary]
        if not named or any(lines[0] <= span.line_start <= lines[1] for span in named):
            return True
    return False


def _signature_facts(primary: Span | None, sources: Sources, facts: dict[str, FactValue]
                     ) -> tuple[locate.Located, str] | None:
    """Records the enclosing function, the line, the line inside the primary span that uses
    the source parameter, the signature's line and the written return type; returns the
    enclosing function for callers that need more of its signature."""
    function = locate.function_name_at(primary, sources, signatures=True)
    if function:
        facts["function"] = function
    if primary is not None:
        facts["line"] = primary.line_start
    source = facts.get("source")
    used = common.mention_line(primary, source, sources) if isinstance(source, str) else None
    if used is not None:
        facts["source_line"] = used
    enclosing = common.enclosing_function(primary, sources)
    if enclosing is not None:
        facts["signature_line"] = enclosing[0].parsed.start(enclosing[0].node)[0]
        result = enclosing[0].node.child_by_field_name("return_type")
        if result is not None:
            facts["return_type"] = enclosing[0].text(result)
    return enclosing


class LifetimeNotTied(Family):
    id = "lifetime-not-tied"
    title = "Data outlives the input it borrows from"
    codes = ("E0621",)
    messages = (_EXPLICIT.pattern, common.LIFETIME_MESSAGE.pattern)
    fix_docs: ClassVar[dict[str, str]] = {
        "explicit-lifetime": "rustc's lifetime on the parameter's type (`x: &'a T`)",
        "tie-to-input": "a returned `&'static U` built from an input becomes `&'a U`, tied to "
            "that input",
        "add-lifetime-bound": "the outlives bound rustc asks for (`'d: 'h`) where the lifetime is "
            "declared",
    }
    no_fix_when: ClassVar[dict[str, str]] = {
        "callers_rely": "callers may rely on the `'static` result (a public fn, or one whose "
            "result is kept): weakening it or returning owned data is their decision",
        "reverse_bound": "the signature declares the reverse outlives bound: adding rustc's "
            "bound would make the two lifetimes equal, so the user picks which promise to keep",
    }

    def match(self, diagnostic: Diagnostic, sources: Sources) -> Match | None:
        explicit = _EXPLICIT.search(diagnostic.message)
        if explicit is not None:
            return self._explicit_required(diagnostic, explicit.group("param"), sources)
        if diagnostic.code or not common.LIFETIME_MESSAGE.search(diagnostic.message):
            return None
        if diagnostic.find(common.INVARIANCE) is not None:
            return None
        if diagnostic.find(r"return type of closure|closure was supposed") is not None:
            return None
        requires = diagnostic.find(_REQUIRES)
        mismatch = diagnostic.find(common.RETURN_MISMATCH)
        if requires is not None:
            action = requires.group("action").split()[0]
            long, short = requires.group("long"), requires.group("short")
        elif mismatch is not None:
            action = "returning"
            long, short = mismatch.group("actual"), mismatch.group("expected")
            if long.strip("'").isdigit() and short.strip("'").isdigit():
                return None  # both elided: elision-wrong-lifetime's shape
        else:
            # Through the LSP the primary label is dropped when spanless helps exist; the
            # suggested bound still names the two lifetimes.
            bound = diagnostic.find(_BOUND)
            if bound is None:
                return None
            long, short = bound.group("long"), bound.group("short")
            action = "returning"
        primary = diagnostic.primary
        located = locate.at(primary, sources)
        lost_label = requires is None and mismatch is None
        if lost_label and located is not None and syntax.enclosing(
                located.node, "assignment_expression") is not None:
            action = "assignment"
        elif lost_label and located is not None and primary is not None and \
                _passed_on(locate.covering(located.parsed, primary)):
            action = "argument"
        if located is not None:
            closure = syntax.enclosing(located.node, "closure_expression", "async_block")
            if closure is not None and closure.start_byte != located.node.start_byte and \
                    _closure_own(diagnostic, (long, short), (located.parsed.start(closure)[0],
                                                             located.parsed.end(closure)[0])):
                return None  # the closure's own lifetimes: the higher-ranked closure shape
            path = common.call_path(located.node, located)
            if path and re.search(r"spawn\w*$", path):
                return None

        facts: dict[str, FactValue] = {"action": action, "lifetimes": [long, short],
                                       "required": short}
        related: list[Related] = []
        facts.update(_param_with(long, diagnostic, primary, sources))
        named = facts.get("source")
        source = named if isinstance(named, str) else None
        enclosing = _signature_facts(primary, sources, facts)
        if enclosing is not None and source and short == "'static" and action == "returning":
            signature = common.retie_signature(enclosing[0], {source})
            if signature:
                facts["suggested_signature"] = signature.replace("'static", "'a")
        _contract_facts(primary, sources, long, short, action, facts)
        for span, label in diagnostic.labels():
            if span.is_primary:
                continue
            defined = _DEFINED.search(label)
            if defined is not None and defined.group("lt") == long:
                facts["long_line"] = span.line_start
                related.append(Related(span, f"`{long}`, the lifetime the data has, is declared "
                                             "here"))
            elif defined is not None:
                related.append(Related(span, f"`{defined.group('lt')}`, the lifetime required, "
                                             "is declared here"))
            elif _CALL.search(label):
                owner = f" of `{source}`" if source else ""
                related.append(Related(span, f"the borrow{owner} the data comes from"))
        return Match(family=self, diagnostic=diagnostic, facts=facts, related=related)

    def _explicit_required(self, diagnostic: Diagnostic, param: str | None,
                           sources: Sources) -> Match:
        """E0621: a parameter with an elided lifetime flows where a named one is required —
        the same relation as the code-less form, with rustc naming the parameter for us (or,
        for a pattern such as `(a, b): (&str, &str)`, only its type: "in parameter type")."""
        primary = diagnostic.primary
        required_hit = diagnostic.find(r"lifetime `(?P<lt>'[^`]+)` required")
        required = required_hit.group("lt") if required_hit else "'a"
        facts: dict[str, FactValue] = {"required": required, "lifetimes": ["'1", required],
                                       "explicit": "true"}
        hint = common.suggestion(diagnostic, r"add explicit lifetime")
        if param is not None:
            facts["source"] = param
        elif hint is not None and (at := locate.at(hint[0], sources)) is not None and \
                (pattern := syntax.enclosing(at.node, "parameter")) is not None:
            # "in parameter type": a pattern, found where rustc's help edits its type.
            facts.update(_parameter_facts(at.parsed, pattern, primary))
        located = locate.at(primary, sources)
        storing = located is not None and syntax.enclosing(
            located.node, "assignment_expression") is not None
        facts["action"] = "assignment" if storing else "returning"
        _signature_facts(primary, sources, facts)
        related: list[Related] = []
        if hint is not None:
            owner = f"`{param}`" if param else "the parameter's type"
            related.append(Related(hint[0], f"give {owner} the lifetime `{required}` here"))
            facts["suggested_type"] = hint[1]
        return Match(family=self, diagnostic=diagnostic, facts=facts, related=related)

    def explain(self, match: Match) -> Explanation:
        required = match.fact("required") or "'a"
        lifetimes = match.facts.get("lifetimes")
        long = lifetimes[0] if isinstance(lifetimes, list) and lifetimes else None
        return prose.explanation(self.id, self.title, __name__, {
            "function": match.fact("function"), "source": match.fact("source"),
            "required": required, "numbered": required.strip("'").isdigit(),
            "returning": (match.fact("action") or "returning") == "returning",
            "source_line": match.fact("source_line"), "line": match.fact("line"),
            "signature_line": match.fact("signature_line"),
            "long": long, "named_long": bool(long) and not str(long).strip("'").isdigit(),
            "long_line": match.fact("long_line"),
            "return_type": match.fact("return_type"),
            "explicit": bool(match.fact("explicit")),
            "suggested_type": match.fact("suggested_type"),
            "pattern": match.fact("pattern"), "param_type": match.fact("param_type"),
            "signature": match.fact("suggested_signature"),
            "callers_rely": bool(match.fact("callers_rely")),
            "reverse_bound": match.fact("reverse_bound"),
        })

    def fixes(self, match: Match, sources: Sources) -> list[Fix]:
        """E0621: rustc's own "add explicit lifetime" edit. A `'static` result built from a
        parameter: tie the result to that parameter instead. Two named lifetimes: the
        outlives bound rustc names, on the lifetime's declaration."""
        diagnostic = match.diagnostic
        primary = diagnostic.primary if diagnostic is not None else None
        if diagnostic is None or primary is None:
            return []
        editable = signatures.own_signature_at(sources, primary)
        if editable is None:
            return []
        file, function = editable
        if match.fact("explicit"):
            fix = not_tied_fixes.explicit_fix(diagnostic, match, file, function)
        elif match.fact("required") == "'static":
            fix = not_tied_fixes.static_fix(match, file, function)
        else:
            fix = not_tied_fixes.bound_fix(match, file, function)
        return [fix] if fix is not None else []


def _contract_facts(primary: Span | None, sources: Sources, long: str, short: str,
                    action: str, facts: dict[str, FactValue]) -> None:
    """What the signature already promises its callers: a `'static` result they may rely
    on (a public fn, or one whose result is kept), or the reverse outlives bound
    (`'max: 'min` where rustc asks for `'min: 'max`), which would make the two equal."""
    file = SourceFile.load(sources, primary.file) if primary is not None else None
    function = locate.enclosing_function(
        file.node_for_span(primary) if file is not None and primary is not None else None)
    if file is None or function is None:
        return
    if short == "'static" and action == "returning" and \
            signatures.callers_may_rely(file, function):
        facts["callers_rely"] = "yes"
    if (not any(lt.strip("'").isdigit() or lt in ("'static", "'_") for lt in (long, short))
            and signatures.outlives_holds(file, function, short, long)):
        facts["reverse_bound"] = f"{short}: {long}"


FAMILY = LifetimeNotTied()
