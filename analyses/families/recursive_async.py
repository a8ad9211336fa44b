"""E0733: an `async fn` that calls itself (directly or through another async fn).

The future of a recursive async fn would contain itself, so its size is infinite. The facts
are the function, the recursive call's line and, for mutual recursion, the other function;
from the source, how many calls rustc's one label stands for (`call_count`), the receiver of a
method call (`receiver`), and the macro that holds the calls when rustc points into another
crate's macro (`macro_name`, `call_line`).
"""

from __future__ import annotations

import re
from typing import ClassVar

import tree_sitter

from borrowlens.analyses.diagnostics.model import Diagnostic, Span, in_dependency
from borrowlens.analyses.explain import prose
from borrowlens.analyses.explain.model import Explanation
from borrowlens.analyses.families.base import Family, Match, Related
from borrowlens.analyses.fixes.edits import Fix, TextEdit
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


def _receiver(span: Span, callee: str, sources: Sources) -> str | None:
    """`self` for a method call `self.walk(…)` at the span, else None."""
    line = line_of(sources.text(span.file), span.line_start)
    found = re.match(rf"([A-Za-z_][\w.]*)\.{re.escape(callee)}\b",
                     line[span.column_start - 1:]) if line else None
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


def _locate_calls(facts: dict[str, str | int | list[str]], related: list[Related],
                  primary: Span, sources: Sources) -> None:
    """From the fn's body: how many times it calls the function it recurses into
    (`call_count`; rustc labels only the first call), and, when rustc's label points into
    another crate's macro (`tokio::join!`), the invocation in the body that holds the calls
    (`macro_name`, `call_line`), which `related` then points at."""
    text = sources.text(primary.file)
    if text is None:
        return
    parsed = syntax.parse(text)
    node = parsed.node_at(primary.line_start, primary.column_start)
    function = syntax.enclosing(node, "function_item") if node is not None else None
    body = function.child_by_field_name("body") if function is not None else None
    callee = str(facts.get("callee") or facts["function"])
    if body is None:
        return
    call = re.compile(rf"(?<![\w:])(?:self\.)?{re.escape(callee)}\s*(?:::<[^>]*>)?\s*\(")
    facts["call_count"] = len(call.findall(parsed.node_text(body)))
    if "call_line" in facts:
        return
    stack = [body]
    while stack:
        current = stack.pop()
        if current.type == "macro_invocation" and call.search(parsed.node_text(current)):
            name = current.child_by_field_name("macro")
            line = parsed.start(current)[0]
            facts["call_line"] = line
            facts.setdefault("callee", callee)
            if name is not None:
                facts["macro_name"] = parsed.node_text(name) + "!"
            (_, column), (end_line, end_column) = parsed.start(current), parsed.end(current)
            related.append(Related(Span(primary.file, line, column, end_line, end_column),
                                   "the recursive calls are in this macro: box each "
                                   "future it creates"))
            return
        stack.extend(reversed(current.named_children))


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
                receiver = _receiver(span, callee, sources)
                if receiver:
                    facts["receiver"] = receiver
            related.append(Related(span, "the recursive call: box the future it creates"))
        back = diagnostic.span_labelled(r"leading to this recursive call")
        if back is not None:
            span = back[0]
            facts["back_call_line"] = span.line_start
            callee = _callee(span, sources)
            if callee:
                facts["back_callee"] = callee
            related.append(Related(span, "...which calls back into the first function here"))
        # Only a known fn that differs from the callee makes a cycle of two: without the fn's
        # name (pasted text that does not quote it), the call is the recursion rustc reports.
        if "callee" in facts and "function" in facts and facts["callee"] != facts["function"]:
            facts["other_function"] = facts["callee"]
        if primary is not None and "function" in facts:
            _locate_calls(facts, related, primary, sources)
        return Match(family=self, diagnostic=diagnostic, facts=facts, related=related)

    def explain(self, match: Match) -> Explanation:
        function = match.code("function", "this async fn")
        call_line = match.line("call_line")
        callee = match.fact("callee")
        other = match.fact("other_function")
        count = match.facts.get("call_count")
        receiver = f"{match.fact('receiver')}." if match.fact("receiver") else ""
        return prose.explanation(self.id, self.title, __name__, {
            "cycle": (f"{function} calls `{other}`{call_line}, and `{other}` calls back into "
                      f"{function}" if other else f"{function} calls itself{call_line}"),
            "call": f"`{receiver}{callee}(…)`" if callee else "the recursive call",
            "callee": callee,
            "call_line": call_line, "function": match.fact("function"), "other": other,
            "at": match.fact("call_line"), "macro": match.fact("macro_name"),
            "count": count if isinstance(count, int) else None,
            "boxed": f"Box::pin({receiver}{callee or match.fact('function') or 'f'}(…))",
        })

    def fixes(self, match: Match, sources: Sources) -> list[Fix]:
        """Box the future of the recursive call: `Box::pin(f(…)).await`. rustc sizes a
        boxed future as one pointer, which breaks the infinite-size cycle. Only calls inside
        the fns rustc names (the erroring one and those of the cycle it notes) are edited."""
        if match.diagnostic is None:
            return []
        named = _named_functions(match.diagnostic)
        return [fix for fix in self._box_calls(match, sources)
                if all(_inside_named(edit, named, sources) for edit in fix.edits)]

    def _box_calls(self, match: Match, sources: Sources) -> list[Fix]:
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


def _named_functions(diagnostic: Diagnostic) -> set[tuple[str, int]]:
    """(file, line) of each fn signature rustc names: the error's own and every "which leads
    to this async fn" of a cycle (a child note through rustc's JSON, a label through
    rust-analyzer)."""
    named = {(span.file, span.line_start) for span in diagnostic.spans if span.is_primary}
    named |= {(span.file, span.line_start) for span, label in diagnostic.labels()
              if "leads to this async fn" in label}
    for note in diagnostic.notes():
        if "leads to this async fn" in note.message:
            named |= {(span.file, span.line_start) for span in note.spans}
    return named


def _inside_named(edit: TextEdit, named: set[tuple[str, int]], sources: Sources) -> bool:
    """True when the edit lies in the body of one of the `named` fns."""
    file = SourceFile.load(sources, edit.file)
    if file is None:
        return False
    node = file.root.named_descendant_for_byte_range(
        *sorted((file.byte_at(edit.line_start, edit.column_start),
                 file.byte_at(edit.line_end, edit.column_end))))
    # The innermost fn: one nested in a named fn is an item of its own.
    function = locate.enclosing_function(node)
    return function is not None and (edit.file, file.parsed.start(function)[0]) in named


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
