"""Where the closure of a higher-ranked lifetime error is: the closure a span sits in, the one
passed in the call under a span (written inline, or bound by a `let` and passed by name), and
the name a `let` gives it. Fact gathering for hrtb-not-general-enough and
callback-returns-borrow, kept apart from the families so each module holds its matching, slots
and fixes.
"""

from __future__ import annotations

import re

import tree_sitter

from borrowlens.analyses.diagnostics.model import Diagnostic, Span
from borrowlens.analyses.families.base import FactValue
from borrowlens.analyses.families.lifetimes import analysis as common
from borrowlens.analyses.rust import locate, syntax
from borrowlens.analyses.rust.sources import Sources


def closure_at(span: Span | None, sources: Sources) -> tuple[tree_sitter.Node,
                                                              locate.Located] | None:
    """The closure expression a span sits in, with its parsed file."""
    located = locate.at(span, sources)
    if located is None:
        return None
    closure = syntax.enclosing(located.node, "closure_expression")
    return (closure, located) if closure is not None else None


def argument_closure(span: Span | None, sources: Sources
                     ) -> tuple[tree_sitter.Node, str | None, locate.Located] | None:
    """The closure passed in the call under `span`: inline, or a `let` binding's closure."""
    covered = locate.covered(span, sources)
    if covered is None:
        return None
    located, start, end, node = covered.located, covered.start, covered.end, covered.node
    calls = [n for n in locate.walk(node, named=True)
             if n.type in ("call_expression", "macro_invocation")]
    scope = locate.enclosing_function(node)
    # One walk of the function for every name asked about below.
    bound = common.closures_bound_in(scope, located) if scope is not None else {}
    for call in calls or [node]:
        arguments = call.child_by_field_name("arguments") or call
        for argument in arguments.named_children:
            if argument.type == "closure_expression":
                return argument, None, located
            if argument.type == "identifier":
                name = located.text(argument)
                closure = bound.get(name)
                if closure is not None:
                    return closure, name, located
    # Inside a macro's arguments (`println!("{:?}", run(xs, rule))`) tree-sitter only sees a
    # token tree, so look at every identifier the span covers instead of call arguments.
    if bound:
        for identifier in locate.walk(node, named=True):
            if identifier.type != "identifier" or not start <= identifier.start_byte < end:
                continue
            name = located.text(identifier)
            closure = bound.get(name)
            if closure is not None:
                return closure, name, located
    return None


def binding_name(closure: tree_sitter.Node, located: locate.Located) -> str | None:
    """The variable a `let` binds the closure to, if it is bound at all."""
    parent = closure.parent
    if parent is not None and parent.type == "let_declaration":
        pattern = parent.child_by_field_name("pattern")
        if pattern is not None:
            names = re.findall(r"[A-Za-z_]\w*", located.text(pattern))
            names = [n for n in names if n != "mut"]
            return names[-1] if names else None
    return None


def first_parameter(closure: tree_sitter.Node, located: locate.Located) -> str | None:
    """The name the closure gives its first parameter (`r` in `|r| …`, `req` in
    `|req: &Request| …`), so advice about annotating it keeps the user's name."""
    params = closure.child_by_field_name("parameters")
    first = params.named_children[0] if params is not None and params.named_children else None
    if first is None:
        return None
    pattern = first.child_by_field_name("pattern") if first.type == "parameter" else first
    text = located.text(pattern) if pattern is not None else ""
    return text if re.fullmatch(r"[A-Za-z_]\w*", text) else None


def short_text(closure: tree_sitter.Node, located: locate.Located, limit: int = 48) -> str | None:
    """The closure as written when it is one short line: small enough to quote in advice to
    move it into the call."""
    text = located.text(closure)
    return text if "\n" not in text and len(text) <= limit else None


def use_line(closure: tree_sitter.Node, name: str, located: locate.Located) -> int | None:
    """The first line after a `let name = |…| …;` that uses `name`."""
    scope = syntax.enclosing(closure, "block")
    if scope is None:
        return None
    for node in locate.walk(scope, named=True):
        if (node.type == "identifier" and node.start_byte > closure.end_byte
                and located.text(node) == name):
            return located.parsed.start(node)[0]
    return None


def inline_argument(span: Span | None, sources: Sources
                    ) -> tuple[tree_sitter.Node, str, locate.Located] | None:
    """The closure a span sits in when it is written directly as an argument of a call (not
    bound by a `let` first), with the callee's name (`with`, `visit`, `map`)."""
    found = closure_at(span, sources)
    if found is None:
        return None
    closure, located = found
    arguments = closure.parent
    call = arguments.parent if arguments is not None and arguments.type == "arguments" else None
    function = call.child_by_field_name("function") if call is not None else None
    if function is None or call is None or call.type != "call_expression":
        return None
    name = function.child_by_field_name("field") or function.child_by_field_name("name") \
        or function
    while name.type == "generic_function":
        inner = name.child_by_field_name("function")
        if inner is None:
            break
        name = inner.child_by_field_name("field") or inner.child_by_field_name("name") or inner
    return closure, located.text(name), located


def closure_facts(closure: tree_sitter.Node, name: str | None, located: locate.Located,
                  facts: dict[str, FactValue]) -> None:
    """The closure's own parameter name, its text when short enough to quote, and where a
    `let`-bound closure is used."""
    param = first_parameter(closure, located)
    if param:
        facts["param_name"] = param
    text = short_text(closure, located)
    if text:
        facts["closure_text"] = text
    used = use_line(closure, name, located) if name else None
    if used is not None:
        facts["use_line"] = used


_CALLED = re.compile(r"let's call the lifetime of this reference `'\d+`")


def relates_parameters(diagnostic: Diagnostic, closure: tree_sitter.Node,
                       located: locate.Located) -> bool:
    """True when rustc names two lifetimes (`'1`, `'2`) and both sit in the closure's own
    parameter list: the body relates two of its reference parameters."""
    params = closure.child_by_field_name("parameters")
    if params is None:
        return False
    first, last = located.parsed.start(params), located.parsed.end(params)
    named = [span for span, label in diagnostic.labels() if _CALLED.search(label)]
    return len(named) >= 2 and all(
        first <= (span.line_start, span.column_start) and
        (span.line_end, span.column_end) <= last for span in named)
