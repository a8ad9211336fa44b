"""Code-less "lifetime may not live long enough": elision tied the result to the wrong input.

When a method has `&self` and returns a reference (or an `impl Trait + '_`) with no named
lifetime, elision ties the result to `self`. A body that returns data borrowed from another
parameter then fails with "method was supposed to return data with lifetime `'2` but it is
returning data with lifetime `'1`". Facts: the function, the parameter actually returned, the
input elision tied the result to.
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
from borrowlens.analyses.fixes import signatures
from borrowlens.analyses.fixes.edits import Fix, TextEdit
from borrowlens.analyses.fixes.source_file import SourceFile, make_fix
from borrowlens.analyses.rust import locate
from borrowlens.analyses.rust.sources import Sources

Node = tree_sitter.Node

_CALL = re.compile(r"let's call the lifetime of this reference `(?P<lt>'\d+)`")
_NUMBERED = re.compile(r"'\d+$")


def _named_params(diagnostic: Diagnostic, sources: Sources) -> dict[str, tuple[Span, str]]:
    """`'1` → (span, parameter name) for every "let's call the lifetime" label."""
    out: dict[str, tuple[Span, str]] = {}
    for span, label in diagnostic.labels():
        found = _CALL.search(label)
        if found is None:
            continue
        name = common.parameter_name(span, sources)
        if name:
            out[found.group("lt")] = (span, name)
    return out


def _reads_self(file: SourceFile, function: Node) -> bool:
    """True when the body mentions `self` at all: the result may then borrow from it too."""
    body = function.child_by_field_name("body")
    return body is None or re.search(r"\bself\b", file.node_text(body)) is not None


_NESTED = ("closure_expression", "function_item", "async_block")
_LITERALS = ("string_literal", "raw_string_literal", "integer_literal", "float_literal",
             "boolean_literal", "char_literal")


class _UnknownOriginError(Exception):
    """A returned expression whose origin is not followed."""


def _tail(block: Node) -> Node | None:
    children = [c for c in block.named_children if c.type not in ("line_comment",
                                                                  "block_comment")]
    if not children:
        return None
    last = children[-1]
    if last.type == "expression_statement":
        ended = last.text is not None and last.text.rstrip().endswith(b";")
        return None if ended or not last.named_children else last.named_children[0]
    return None if last.type in ("let_declaration", "empty_statement") or \
        last.type.endswith("_item") else last


def _returned_roots(file: SourceFile, function: Node) -> set[str] | None:
    """The parameters (`self` included) a returned reference can borrow from, following
    the body's tail and `return`s through `&x[..]`, fields, method receivers and locals'
    initialisers (an index or a range does not count); None when something is not
    understood."""
    body = function.child_by_field_name("body")
    params = function.child_by_field_name("parameters")
    if body is None or params is None:
        return None
    parameters = {file.node_text(p.child_by_field_name("pattern") or p)
                  for p in params.named_children if p.type == "parameter"}
    locals_: dict[str, list[Node]] = {}
    returned: list[Node] = []
    stack = list(body.named_children)
    while stack:
        node = stack.pop()
        if node.type in _NESTED:
            continue
        if node.type == "let_declaration":
            pattern = node.child_by_field_name("pattern")
            value = node.child_by_field_name("value")
            if pattern is not None and pattern.type == "identifier" and value is not None:
                locals_.setdefault(file.node_text(pattern), []).append(value)
        if node.type == "return_expression":
            if not node.named_children:
                return None
            returned.append(node.named_children[0])
        stack.extend(node.named_children)
    tail = _tail(body)
    if tail is not None:
        returned.append(tail)
    roots: set[str] = set()

    def visit(expr: Node, depth: int) -> None:
        kind = expr.type
        if depth > 8:
            raise _UnknownOriginError
        if kind in _LITERALS:
            return
        if kind == "self":
            roots.add("self")
        elif kind == "identifier":
            name = file.node_text(expr)
            if name in parameters:
                roots.add(name)
            elif name in locals_:
                for value in locals_[name]:
                    visit(value, depth + 1)
            else:
                raise _UnknownOriginError
        elif kind in ("parenthesized_expression", "try_expression", "reference_expression",
                      "type_cast_expression"):
            inner = expr.child_by_field_name("value") or (
                expr.named_children[0] if expr.named_children else None)
            if inner is None:
                raise _UnknownOriginError
            visit(inner, depth + 1)
        elif kind == "index_expression":
            visit(expr.named_children[0], depth + 1)
        elif kind == "field_expression":
            owner = expr.child_by_field_name("value")
            if owner is None:
                raise _UnknownOriginError
            visit(owner, depth + 1)
        elif kind == "call_expression":
            function_node = expr.child_by_field_name("function")
            arguments = expr.child_by_field_name("arguments")
            if function_node is not None and function_node.type == "field_expression":
                receiver = function_node.child_by_field_name("value")
                if receiver is not None:
                    visit(receiver, depth + 1)
            for argument in arguments.named_children if arguments is not None else []:
                if argument.type not in ("closure_expression", "line_comment",
                                         "block_comment"):
                    visit(argument, depth + 1)
        elif kind == "block":
            inner_tail = _tail(expr)
            if inner_tail is not None:
                visit(inner_tail, depth + 1)
        elif kind == "if_expression":
            for part in (expr.child_by_field_name("consequence"),
                         expr.child_by_field_name("alternative")):
                if part is not None:
                    visit(part, depth + 1)
        elif kind == "else_clause":
            for child in expr.named_children:
                visit(child, depth + 1)
        elif kind == "match_expression":
            block = expr.child_by_field_name("body")
            for arm in block.named_children if block is not None else []:
                arm_value = arm.child_by_field_name("value") if arm.type == "match_arm" else None
                if arm_value is not None:
                    visit(arm_value, depth + 1)
        elif kind in ("return_expression", "break_expression", "continue_expression"):
            return
        else:
            raise _UnknownOriginError

    try:
        for expr in returned:
            visit(expr, 0)
    except _UnknownOriginError:
        return None
    return roots


def _result_may_borrow_self(file: SourceFile, function: Node) -> bool:
    """True unless the returned reference visibly comes only from other parameters (then
    `&self` can stay elided and callers stay free to drop `self` early)."""
    roots = _returned_roots(file, function)
    if roots is None:
        return _reads_self(file, function)
    return "self" in roots


class ElisionWrongLifetime(Family):
    id = "elision-wrong-lifetime"
    title = "Elided lifetime tied the result to the wrong input"
    codes = ()
    messages = (common.LIFETIME_MESSAGE.pattern,)
    refines = ("lifetime-not-tied",)
    fix_docs: ClassVar[dict[str, str]] = {
        "name-lifetime": "a named lifetime tying the returned reference to the right input",
    }

    def match(self, diagnostic: Diagnostic, sources: Sources) -> Match | None:
        if diagnostic.code or not common.LIFETIME_MESSAGE.search(diagnostic.message):
            return None
        if diagnostic.find(common.INVARIANCE) is not None:
            return None
        mismatch = diagnostic.find(common.RETURN_MISMATCH)
        params = _named_params(diagnostic, sources)
        if mismatch is not None:
            expected, actual = mismatch.group("expected"), mismatch.group("actual")
            if not (_NUMBERED.match(expected) and _NUMBERED.match(actual)):
                return None
            if mismatch.group("kind") == "closure":
                return None
        else:
            # Through the LSP the primary label can be lost; recognise the shape from the
            # labels: two anonymous reference lifetimes, one of them `self`'s, and no closure.
            if len(params) < 2 or "self" not in {name for _, name in params.values()}:
                return None
            if diagnostic.find(r"return type of closure|returning this value|argument requires"
                               r"|assignment requires|must outlive") is not None:
                return None
            expected = next(lt for lt, (_, name) in params.items() if name == "self")
            actual = next(lt for lt, (_, name) in params.items() if name != "self")

        facts: dict[str, FactValue] = {}
        related: list[Related] = []
        primary = diagnostic.primary
        function = locate.function_name_at(primary, sources, signatures=True)
        if function:
            facts["function"] = function
        if primary is not None:
            facts["return_line"] = primary.line_start
        if actual in params:
            span, name = params[actual]
            facts["returned"] = name
            facts["signature_line"] = span.line_start
            related.append(Related(span, f"`{name}`'s borrow is what the body returns"))
            mention = common.mention_line(primary, name, sources)
            if mention is not None:
                facts["returned_line"] = mention
        if expected in params:
            span, name = params[expected]
            facts["tied_to"] = name
            related.append(Related(span, f"elision tied the returned reference to `{name}`"))
        enclosing = locate.function_at(primary, sources, signatures=True)
        if enclosing is not None and "returned" in facts:
            parameters = enclosing.node.child_by_field_name("parameters")
            kinds = [p.type for p in parameters.named_children] if parameters else []
            if "tied_to" not in facts and "self_parameter" in kinds:
                facts["tied_to"] = "self"
            located = enclosing
            file = SourceFile(primary.file if primary else "", located.parsed)
            tied = str(facts.get("tied_to", "self"))
            inputs = {str(facts["returned"])}
            if _result_may_borrow_self(file, located.node) or tied != "self":
                inputs.add(tied)
                facts["ties_both"] = "yes"
            lifetime = signatures.fresh_lifetime(
                signatures.lifetimes_in_scope(file, located.node))
            signature = common.retie_signature(located, inputs, lifetime)
            if signature:
                facts["suggested_signature"] = signature
        return Match(family=self, diagnostic=diagnostic, facts=facts, related=related)

    def explain(self, match: Match) -> Explanation:
        returned = match.fact("returned")
        return prose.explanation(self.id, self.title, __name__, {
            "function": match.fact("function"), "returned": returned,
            "tied": match.fact("tied_to") or "self",
            "returned_line": match.fact("returned_line"),
            "signature_line": match.fact("signature_line"),
            "signature": match.fact("suggested_signature"),
            "both": bool(match.fact("ties_both")),
        })

    def fixes(self, match: Match, sources: Sources) -> list[Fix]:
        """Name the lifetime: `<'a>` on the fn, `'a` on the input the body returns and on
        the result's references — and on `&self` too when the result may come from `self`."""
        returned = match.fact("returned")
        if match.diagnostic is None or not returned or returned == "self":
            return []
        primary = match.diagnostic.primary
        file = SourceFile.load(sources, primary.file) if primary is not None else None
        function = locate.enclosing_function(
            file.node_for_span(primary) if file is not None and primary is not None else None)
        if file is None or function is None or signatures.in_trait_contract(function):
            return []
        result = function.child_by_field_name("return_type")
        body = function.child_by_field_name("body")
        param = signatures.parameter_named(file, function, returned)
        param_type = param.child_by_field_name("type") if param is not None else None
        if result is None or body is None or param_type is None:
            return []
        lifetime = signatures.fresh_lifetime(signatures.lifetimes_in_scope(file, function))
        on_param = signatures.tie_type(file, param_type, lifetime)
        on_result = signatures.tie_type(file, result, lifetime)
        declared = signatures.declare_lifetime(file, function, lifetime)
        if on_param is None or on_result is None or declared is None:
            return []
        edits: list[TextEdit] = [declared, *on_param, *on_result]
        tied = match.fact("tied_to") or "self"
        both = tied == "self" and _result_may_borrow_self(file, function)
        if both:
            receiver = signatures.parameter_named(file, function, "self")
            on_self = (signatures.tie_self(file, receiver, lifetime)
                       if receiver is not None else None)
            if on_self is None:
                return []
            edits.append(on_self)
        name = file.node_text(function.child_by_field_name("name") or function)
        title = (f"Tie the result of `{name}` to `self` and `{returned}` with `{lifetime}`"
                 if both else f"Tie the result of `{name}` to `{returned}` with `{lifetime}`")
        fix = make_fix("name-lifetime", title, edits, preferred=True)
        return [fix] if fix else []


FAMILY = ElisionWrongLifetime()
