"""Code-less "captured variable cannot escape `FnMut` closure body": a closure that mutates (or
mutably borrows) a captured variable returns a reference into it — directly (`|k|
map.entry(k).or_default()`, `|| &mut buf`) or inside an `async` block it returns (`|n| async
{ total += n }`).

An `FnMut` closure may be called again while what it returned is still alive, so a reference
into its captured state would alias the next call's mutable access. The same escape from a
`Fn` closure is reported as "lifetime may not live long enough" with the note "closure
implements `Fn`, so references to captured variables can't escape the closure" (`move || &v`,
`move || async { use(&v) }`): a `move` closure owns what it captured, and a call only borrows
the closure. Facts: the closure kind, the captured variable and where it is defined, the
closure's line, what escapes (a reference or an async block), and the call the closure is
passed to (`map`, `for_each`, a user function).
"""

from __future__ import annotations

import re

from borrowlens.analyses.diagnostics.model import Diagnostic, Span
from borrowlens.analyses.explain import prose
from borrowlens.analyses.explain.model import Explanation
from borrowlens.analyses.families.base import FactValue, Family, Match, Related
from borrowlens.analyses.families.borrows import analysis as common
from borrowlens.analyses.rust import locate, syntax
from borrowlens.analyses.rust.sources import Sources

_MESSAGE = re.compile(r"captured variable cannot escape `FnMut` closure body")
_ASYNC = re.compile(r"returns an `async` block that contains a reference to a captured variable")
# The `Fn` (or `FnMut`) closure's escape as rustc reports it through the general region error.
CAPTURED_NOTE = re.compile(r"closure implements `(?P<kind>Fn|FnMut)`, so references to captured "
                           r"variables can't escape the closure")
_BODY = re.compile(r"lifetime `'\d+` represents this closure's body")
_RETURNED = re.compile(r"returning this value requires|return type of closure")
_ASYNC_RETURN = re.compile(r"return type of closure `[^`]*async block")


class FnMutEscape(Family):
    id = "fnmut-escape"
    title = "A reference to captured state escapes a closure"
    codes = ()
    messages = (_MESSAGE.pattern,)
    notes = (CAPTURED_NOTE.pattern,)
    design_choices = "doing the work inside the closure, a `for` loop, `move` with owned or " \
        "shared (`Arc<Mutex<_>>`) state"

    def match(self, diagnostic: Diagnostic, sources: Sources) -> Match | None:
        note = diagnostic.find(CAPTURED_NOTE)
        # Through the general region error, only what the closure *returns* is this family's:
        # a captured `&'static mut` passed on as an argument is a `'static` requirement.
        if _MESSAGE.search(diagnostic.message) is None and (
                note is None or diagnostic.code
                or not re.search(r"lifetime may not live long enough", diagnostic.message)
                or diagnostic.find(_RETURNED) is None):
            return None
        primary = diagnostic.primary
        # Through the LSP the primary label may be gone: the escaping expression still shows.
        returned = common.span_text(primary, sources) if primary is not None else None
        is_async = diagnostic.find(_ASYNC) is not None or diagnostic.find(
            _ASYNC_RETURN) is not None or bool(returned and re.match(r"async\b", returned))
        facts: dict[str, FactValue] = {"escapes": "async block" if is_async else "reference",
                                       "closure_kind": note.group("kind") if note else "FnMut"}
        related: list[Related] = []
        defined = common.secondary(diagnostic, r"^variable defined here")
        if defined is not None:
            name = re.sub(r"^(?:mut\s+|ref\s+)+", "", common.span_text(defined, sources) or "")
            if re.fullmatch(r"[A-Za-z_]\w*", name):
                facts["variable"] = name
            facts["defined_line"] = defined.line_start
        captured = common.secondary(diagnostic, r"^variable captured here")
        if captured is not None:
            facts["captured_line"] = captured.line_start
            if "variable" not in facts:
                name = common.root_name(common.span_text(captured, sources) or "")
                if re.fullmatch(r"[A-Za-z_]\w*", name):
                    facts["variable"] = name
        closure = common.secondary(diagnostic, r"inferred to be a `FnMut` closure") or \
            common.secondary(diagnostic, _BODY.pattern)
        if note is not None and closure is not None and primary is not None:
            if (common.span_text(closure, sources) or "").startswith("move"):
                facts["moved"] = "yes"
            captured_name = captured_in(primary, closure, sources)
            if captured_name is not None and "variable" not in facts:
                facts["variable"], facts["defined_line"] = captured_name
        if closure is not None:
            facts["closure_line"] = closure.line_start
            related.append(Related(closure, "this closure can be called again while what it "
                                            "returned is still alive" if note is None else
                                   "this closure holds the data; each call only borrows it"))
            consumer = _consumer(closure, sources)
            if consumer:
                facts["consumer"] = consumer
            head = common.line_text(closure, sources) or ""
            if re.search(r"(?:^|[(,\s])(?:move\s*)?\|\s*\|", head):
                # No arguments (`|| async { … }`, a retry or poll callback): there are no
                # items a `for` loop could walk instead.
                facts["no_args"] = "yes"
        if primary is not None:
            facts["line"] = primary.line_start
        return Match(family=self, diagnostic=diagnostic, facts=facts, related=related)

    def explain(self, match: Match) -> Explanation:
        consumer = match.fact("consumer")
        return prose.explanation(self.id, self.title, __name__, {
            "variable": match.code("variable", "a captured variable"),
            "named": match.fact("variable") is not None,
            "bare": match.fact("variable") or "state",
            "line": match.line("line"), "closure_line": match.fact("closure_line"),
            "defined_line": match.fact("defined_line"),
            "is_async": match.fact("escapes") == "async block",
            "consumer": consumer, "iterator": consumer in _ITERATOR_ADAPTERS,
            "no_args": bool(match.fact("no_args")),
            "fn_kind": match.fact("closure_kind") or "FnMut", "moved": bool(match.fact("moved")),
        })


_ITERATOR_ADAPTERS = {"map", "filter_map", "flat_map", "for_each", "then", "and_then",
                      "scan", "inspect", "map_while", "fold"}


def _consumer(closure: Span, sources: Sources) -> str | None:
    """The name of the call the closure is an argument of (`map`, `for_each`, `run_all`)."""
    found = locate.at(closure, sources)
    if found is None:
        return None
    node = syntax.enclosing(found.node, "closure_expression")
    arguments = syntax.enclosing(node, "arguments") if node is not None else None
    call = arguments.parent if arguments is not None else None
    function = call.child_by_field_name("function") if call is not None else None
    if function is None:
        return None
    text = found.text(function)
    return re.split(r"\.|::", text)[-1] or None


def captured_in(escaping: Span, closure: Span, sources: Sources) -> tuple[str, int] | None:
    """The first variable the escaping expression uses that is declared before the closure
    (a `let` or a parameter of the enclosing fn), with its line: what the closure captured."""
    found, around = locate.at(escaping, sources), locate.at(closure, sources)
    body = syntax.enclosing(around.node, "closure_expression") if around is not None else None
    function = locate.enclosing_function(body) if body is not None else None
    covered = locate.covered(escaping, sources)
    if found is None or body is None or function is None or covered is None:
        return None
    declared: dict[str, int] = {}
    for node in locate.walk(function, named=True):
        pattern = node.child_by_field_name("pattern") if node.type in (
            "let_declaration", "parameter") else None
        if pattern is not None and node.end_byte <= body.start_byte:
            for name, _ in locate.names_in(found.parsed, pattern):
                declared[name] = found.parsed.start(node)[0]
    for name, _ in locate.names_in(found.parsed, covered.node):
        if name in declared:
            return name, declared[name]
    return None


FAMILY = FnMutEscape()
