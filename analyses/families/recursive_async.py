"""E0733: an `async fn` that calls itself (directly or through another async fn).

The future of a recursive async fn would contain itself, so its size is infinite. The facts
are the function, the recursive call's line and, for mutual recursion, the other function.
"""

from __future__ import annotations

import re
from typing import ClassVar

import tree_sitter

from borrowlens.analyses.diagnostics.model import Diagnostic, Span, in_dependency
from borrowlens.analyses.explain import prose
from borrowlens.analyses.explain.model import Explanation
from borrowlens.analyses.families.base import Family, Match, Related
from borrowlens.analyses.fixes.edits import Fix
from borrowlens.analyses.fixes.source_file import SourceFile, make_fix
from borrowlens.analyses.rust import locate, syntax
from borrowlens.analyses.rust.sources import Sources, line_of

# Starts only at the start of a name, and a turbofish stops at `<`: otherwise a long run of
# name characters or of `::<` is quadratic.
_CALLEE = re.compile(r"(?<![A-Za-z0-9_])([A-Za-z_][A-Za-z0-9_]*)\s*(?:::<[^<>]*>\s*)?\(")


def _callee(span: Span, sources: Sources) -> str | None:
    text = sources.text(span.file)
    if text is None and span.macro and not span.macro.startswith("desugaring"):
        return None  # inside another crate's macro (`tokio::join!`): its own helper calls
    line = span.text[0] if span.text else None
    if text is not None:
        line = line_of(text, span.line_start)
    if line is None:
        return None
    found = _CALLEE.search(line[span.column_start - 1:])
    return found.group(1) if found else None


def _same_calls_awaited(file: SourceFile, call: tree_sitter.Node) -> list[tree_sitter.Node]:
    """The other calls of the same function, awaited directly, in the same fn body.

    rustc labels only the first recursive call; a walk over a tree usually recurses twice
    (`total(l).await + total(r).await`), and boxing one still leaves the cycle.
    """
    callee = call.child_by_field_name("function")
    function = locate.enclosing_function(call)
    body = function.child_by_field_name("body") if function is not None else None
    if callee is None or body is None:
        return []
    name = file.node_text(callee)
    found = []
    for node in file.walk(body):
        if node.type != "call_expression" or node.id == call.id:
            continue
        other = node.child_by_field_name("function")
        parent = node.parent
        if (other is not None and file.node_text(other) == name and parent is not None
                and parent.type == "await_expression"
                and syntax.enclosing(node, "function_item", "closure_expression",
                                     "async_block") == function):
            found.append(node)
    return found


class RecursiveAsync(Family):
    id = "recursive-async"
    title = "Recursive async fn needs boxing"
    codes = ("E0733",)
    messages = ("recursion in an async fn",)
    fix_docs: ClassVar[dict[str, str]] = {
        "box-pin": "`Box::pin(f(…)).await` for the recursive call (direct, mutual, in macro "
            "arguments)",
    }

    def match(self, diagnostic: Diagnostic, sources: Sources) -> Match | None:
        if diagnostic.code != "E0733" and "recursion in an async fn" not in diagnostic.message:
            return None
        facts: dict[str, str | int | list[str]] = {}
        related: list[Related] = []
        primary = diagnostic.primary
        if primary is not None:
            name = locate.function_name_at(primary, sources)
            if name:
                facts["function"] = name
        call = diagnostic.span_labelled(r"^recursive call here")
        if call is not None and not in_dependency(call[0].file):
            span = call[0]
            facts["call_line"] = span.line_start
            callee = _callee(span, sources)
            if callee:
                facts["callee"] = callee
            related.append(Related(span, "the recursive call: box the future it creates"))
        back = diagnostic.span_labelled(r"leading to this recursive call")
        if back is not None:
            span = back[0]
            facts["back_call_line"] = span.line_start
            callee = _callee(span, sources)
            if callee:
                facts["back_callee"] = callee
            related.append(Related(span, "...which calls back into the first function here"))
        if "callee" in facts and facts["callee"] != facts.get("function"):
            facts["other_function"] = facts["callee"]
        return Match(family=self, diagnostic=diagnostic, facts=facts, related=related)

    def explain(self, match: Match) -> Explanation:
        function = match.code("function", "this async fn")
        call_line = match.line("call_line")
        callee = match.fact("callee")
        other = match.fact("other_function")
        return prose.explanation(self.id, self.title, __name__, {
            "cycle": (f"{function} calls `{other}`{call_line}, and `{other}` calls back into "
                      f"{function}" if other else f"{function} calls itself{call_line}"),
            "call": f"`{callee}(…)`" if callee else "the recursive call", "callee": callee,
            "call_line": call_line,
        })

    def fixes(self, match: Match, sources: Sources) -> list[Fix]:
        """Box the future of the recursive call: `Box::pin(f(…)).await`. rustc sizes a
        boxed future as one pointer, which breaks the infinite-size cycle."""
        if match.diagnostic is None:
            return []
        call = match.diagnostic.span_labelled(r"^recursive call here")
        if call is None:
            return []
        span = call[0]
        if sources.text(span.file) is None:
            return self._fixes_in_macro(match, sources)
        file = SourceFile.load(sources, span.file)
        node = file.node_for_span(span) if file else None
        if file is not None and node is not None and (
                node.type == "token_tree"
                or any(a.type == "token_tree" for a in syntax.ancestors(node))):
            return _box_in_tokens(file, span)
        # The label covers `f(…).await`; what gets boxed is the call inside.
        if node is not None and node.type == "await_expression":
            node = node.named_children[0] if node.named_children else None
        if node is not None and node.type != "call_expression":
            node = syntax.enclosing(node, "call_expression")
        if file is None or node is None:
            return []
        text = file.node_text(node)
        if text.startswith("Box::pin("):
            return []
        calls = [node, *_same_calls_awaited(file, node)]
        edits = [file.replace(c, f"Box::pin({file.node_text(c)})") for c in calls]
        title = (f"Box the recursive call: `Box::pin({text})`" if len(calls) == 1 else
                 f"Box the {len(calls)} recursive calls: `Box::pin({text})`, …")
        fix = make_fix("box-pin", title, edits, preferred=True)
        return [fix] if fix else []

    @staticmethod
    def _fixes_in_macro(match: Match, sources: Sources) -> list[Fix]:
        """The recursive call sits in another crate's macro (`tokio::join!(f(a), f(b))`):
        rustc points into the macro's source, so box every direct call of the function
        itself written in a macro's arguments in its body. Mutual recursion and method
        calls are left alone."""
        function_name = match.fact("function")
        primary = match.diagnostic.primary if match.diagnostic is not None else None
        if not function_name or primary is None or match.fact("other_function"):
            return []
        file = SourceFile.load(sources, primary.file)
        function = locate.enclosing_function(
            file.node_for_span(primary) if file is not None else None)
        body = function.child_by_field_name("body") if function is not None else None
        if file is None or body is None:
            return []
        edits = []
        for ident in file.identifiers(function_name, within=body, kinds=("identifier",)):
            parent, after, before = ident.parent, ident.next_sibling, ident.prev_sibling
            if parent is None or parent.type != "token_tree" or after is None or \
                    after.type != "token_tree" or not file.node_text(after).startswith("("):
                continue
            if before is not None and file.node_text(before) in (".", "::", "fn"):
                continue
            call = file.parsed.data[ident.start_byte:after.end_byte].decode("utf-8")
            following = after.next_sibling
            if following is not None and file.node_text(following) == ".":
                continue  # `f(x).await` / `f(x).map(…)`: not a plain call argument
            edits.append(file.edit_bytes(ident.start_byte, after.end_byte,
                                         f"Box::pin({call})"))
        fix = make_fix("box-pin", f"Box the recursive calls of `{function_name}` in "
                       "the macro with `Box::pin`", edits, preferred=True)
        return [fix] if fix else []


def _box_in_tokens(file: SourceFile, span: Span) -> list[Fix]:
    """The call is in a macro's arguments (`format!("{}", f(x).await)`), where tree-sitter
    sees only tokens: box the span's text when it is `call(…).await`."""
    start = file.byte_at(span.line_start, span.column_start)
    end = file.byte_at(span.line_end, span.column_end)
    text = file.parsed.data[start:end].decode("utf-8")
    found = re.fullmatch(r"(?s)(.*)\.\s*await", text)  # not `(.*?)\s*\.`: quadratic
    call = found.group(1).rstrip() if found else ""
    parsed = syntax.parse(f"fn __f() {{ {call}; }}")
    statement = parsed.root.named_children[0].child_by_field_name("body") \
        if parsed.root.named_children else None
    inner = statement.named_children[0] if statement is not None and \
        statement.named_children else None
    expression = inner.named_children[0] if inner is not None and inner.named_children \
        else None
    if parsed.has_errors() or expression is None or expression.type != "call_expression" \
            or call.startswith("Box::pin("):
        return []
    fix = make_fix("box-pin", f"Box the recursive call: `Box::pin({call})`",
                   [file.edit_bytes(start, end, f"Box::pin({call}).await")],
                   preferred=True)
    return [fix] if fix else []


FAMILY = RecursiveAsync()
