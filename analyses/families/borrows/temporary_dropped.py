"""E0716: a temporary (a function's returned `String`, a `MutexGuard`, a `RefCell` borrow…)
is freed at the end of its statement while a reference into it is still in use.

The facts are the temporary's expression, its line, the `let` binding that keeps the borrow
and where that borrow is used later.
"""

from __future__ import annotations

import re
from typing import ClassVar

import tree_sitter

from borrowlens.analyses.diagnostics.model import Diagnostic, Span
from borrowlens.analyses.explain import prose
from borrowlens.analyses.explain.model import Explanation
from borrowlens.analyses.families.base import FactValue, Family, Match, Related
from borrowlens.analyses.families.borrows import analysis as common
from borrowlens.analyses.fixes import new_code
from borrowlens.analyses.fixes.edits import Fix
from borrowlens.analyses.fixes.source_file import SourceFile, make_fix
from borrowlens.analyses.rust import locate, syntax
from borrowlens.analyses.rust.sources import Sources

_MESSAGE = re.compile(r"temporary value dropped while borrowed")
_GUARD = re.compile(r"\.(lock|read|write|borrow|borrow_mut|try_lock)\(\)")
_GUARD_END = re.compile(r"\.(?:lock|read|write|borrow|borrow_mut|try_lock)\(\)"
                        r"(?:\s*\.\s*(?:unwrap|expect)\((?:[^()]|\([^()]*\))*\))?$")
# Between the temporary and its statement only nodes that evaluate it exactly once, in
# order, unconditionally: hoisting it into a `let` before the statement changes nothing else.
_TRANSPARENT = frozenset((
    "let_declaration", "expression_statement", "call_expression", "arguments",
    "field_expression", "reference_expression", "try_expression", "await_expression",
    "tuple_expression", "array_expression", "struct_expression", "field_initializer_list",
    "field_initializer", "shorthand_field_initializer", "base_field_initializer",
    "unary_expression", "type_cast_expression", "parenthesized_expression",
    "index_expression", "assignment_expression", "compound_assignment_expr",
    "return_expression", "generic_function", "scoped_identifier",
))
# Macros that evaluate each argument once, where it is written.
_PLAIN_MACROS = frozenset(("vec", "format", "print", "println", "eprint", "eprintln",
                           "write", "writeln"))
_VERBS = re.compile(r"^(?:get|read|load|make|build|fetch|create|new|compute|to|into|as|"
                    r"parse|current|default)_")


class TemporaryDropped(Family):
    id = "temporary-dropped"
    title = "Temporary value dropped while borrowed"
    codes = ("E0716",)
    messages = (_MESSAGE.pattern,)
    fix_docs: ClassVar[dict[str, str]] = {
        "bind-temporary": "`let` binds the temporary before the statement",
    }
    no_fix_when: ClassVar[dict[str, str]] = {
        "outlives_block": "the borrow is kept past the block that makes the temporary: owning "
            "the data changes the variable's type, which the user chooses",
    }

    def match(self, diagnostic: Diagnostic, sources: Sources) -> Match | None:
        if diagnostic.code != "E0716" and not _MESSAGE.search(diagnostic.message):
            return None
        if common.is_overcapture(diagnostic):
            return None
        facts: dict[str, FactValue] = {}
        related: list[Related] = []
        primary = diagnostic.primary
        if primary is not None:
            facts["line"] = primary.line_start
            expression = common.span_text(primary, sources)
            if primary.line_start == primary.line_end and \
                    primary.column_start == primary.column_end:
                expression = (common.receiver_at(primary, sources)
                              or _call_in_macro_at(primary, sources))
            if expression:
                facts["expression"] = expression
            line = common.line_text(primary, sources) or ""
            binding = re.match(r"\s*let\s+(?:mut\s+)?([A-Za-z_][A-Za-z0-9_]*)", line)
            if binding:
                facts["binding"] = binding.group(1)
            if expression and expression in line:
                facts["statement"] = line.strip()
            target = re.match(r"\s*([A-Za-z_][A-Za-z0-9_.]*)\s*=[^=]", line)
            if target and not binding:
                facts["target"] = target.group(1)
        freed = common.secondary(diagnostic, r"temporary value is freed at the end of this "
                                              r"statement")
        if freed is not None:
            related.append(Related(freed, "the temporary is dropped here"))
        used = common.secondary(diagnostic, r"borrow later (used|captured|stored)")
        if used is not None:
            facts["use_line"] = used.line_start
            related.append(Related(used, "the borrow is still needed here"))
            if primary is not None and _used_outside_block(primary, used, sources):
                facts["outlives_block"] = "yes"
        return Match(family=self, diagnostic=diagnostic, facts=facts, related=related)

    def explain(self, match: Match) -> Explanation:
        expression = match.fact("expression")
        statement = match.fact("statement")
        guard = bool(expression and _GUARD.search(expression))
        holder = "guard" if guard else "owner"
        return prose.explanation(self.id, self.title, __name__, {
            "expression": expression, "line": match.line("line"),
            "binding": match.fact("binding"), "used": match.line("use_line", " later"),
            "guard": guard, "holder": holder,
            "rewritten": (statement.replace(expression, holder, 1)
                          if statement and expression else None),
            "target": match.fact("target"), "outlives_block": bool(match.fact("outlives_block")),
        })

    def fixes(self, match: Match, sources: Sources) -> list[Fix]:
        """Hoist the temporary into a `let` just before its statement and use the new
        binding in its place, so it lives to the end of the block."""
        diagnostic = match.diagnostic
        primary = diagnostic.primary if diagnostic is not None else None
        if diagnostic is None or primary is None:
            return []
        file = SourceFile.load(sources, primary.file)
        if file is None:
            return []
        start = file.byte_at(primary.line_start, primary.column_start)
        end = file.byte_at(primary.line_end, primary.column_end)
        if end <= start:
            return []
        node = file.node_for_span(primary)
        statement = locate.statement_of(node) if node is not None else None
        if node is None or statement is None or not _hoistable(file, node, statement):
            return []
        expression = file.parsed.data[start:end].decode("utf-8")
        if not new_code.is_expression(expression) or start < statement.start_byte:
            return []
        # The new binding lives to the end of the statement's block: every later use of the
        # borrow has to be inside it (not after the `if`/loop body the statement sits in).
        used = common.secondary(diagnostic, r"borrow later (used|captured|stored)")
        block = statement.parent
        if used is None or block is None or used.file != primary.file:
            return []
        used_at = file.byte_at(used.line_start, used.column_start)
        if not statement.end_byte <= used_at < block.end_byte:
            return []
        name = new_code.fresh_name(file, locate.enclosing_function(statement),
                                   _names_for(expression))
        lead = file.parsed.data[statement.start_byte:start].decode("utf-8")
        edit = file.edit_bytes(statement.start_byte, end,
                               f"let {name} = {expression};\n{file.indent_of(statement)}"
                               f"{lead}{name}")
        shown = expression if len(expression) <= 40 else expression[:37] + "…"
        fix = make_fix("bind-temporary",
                       f"Bind `{shown}` to `{name}` before the statement",
                       [edit], preferred=True)
        return [fix] if fix else []


def _used_outside_block(primary: Span, used: Span, sources: Sources) -> bool:
    """True when the borrow is used after the block its statement sits in has ended (the
    statement is in an `if` body or a loop): a `let` there would die with that block."""
    file = SourceFile.load(sources, primary.file)
    node = file.node_for_span(primary) if file is not None else None
    statement = locate.statement_of(node) if node is not None else None
    block = statement.parent if statement is not None else None
    if file is None or block is None or used.file != primary.file:
        return False
    return file.byte_at(used.line_start, used.column_start) >= block.end_byte


def _call_in_macro_at(span: Span, sources: Sources) -> str | None:
    """For a zero-width span (pasted text) inside a macro's arguments, where tree-sitter sees
    only tokens: the `path(…)` call that starts there."""
    found = locate.at(span, sources)
    if found is None or syntax.enclosing(found.node, "token_tree") is None:
        return None
    parsed = found.parsed
    rest = parsed.data[parsed.byte_offset(span.line_start, span.column_start):].decode(
        "utf-8", errors="replace")
    head = re.match(r"[A-Za-z_][A-Za-z0-9_]*(?:::[A-Za-z_][A-Za-z0-9_]*)*\(", rest)
    if head is None:
        return None
    depth = 0
    for index in range(head.end() - 1, len(rest)):
        depth += {"(": 1, ")": -1}.get(rest[index], 0)
        if depth == 0:
            return rest[:index + 1] if "\n" not in rest[:index + 1] else None
    return None


def _hoistable(file: SourceFile, node: tree_sitter.Node,
               statement: tree_sitter.Node) -> bool:
    """True when nothing between the temporary and its statement runs it conditionally,
    repeatedly or later (closures, branches, loops, `&&`), or inside an unknown macro."""
    if statement.type not in ("let_declaration", "expression_statement"):
        return False
    for ancestor in syntax.ancestors(node):
        if ancestor.id == statement.id:
            return True
        kind = ancestor.type
        if kind == "token_tree":
            continue
        if kind == "macro_invocation":
            macro = ancestor.child_by_field_name("macro")
            if macro is None or file.node_text(macro) not in _PLAIN_MACROS:
                return False
            continue
        if kind == "binary_expression":
            operator = ancestor.child_by_field_name("operator")
            if operator is None or file.node_text(operator) in ("&&", "||"):
                return False
            continue
        if kind == "match_expression":
            value = ancestor.child_by_field_name("value")
            if value is None or not value.start_byte <= node.start_byte < value.end_byte:
                return False
            continue
        if kind not in _TRANSPARENT:
            return False
    return False


def _names_for(expression: str) -> list[str]:
    """Binding names that say what the temporary is: `guard` for a lock, `banner` for
    `read_banner()`, `config` for `Config::load(…)`."""
    if _GUARD_END.search(expression):
        return ["guard", "lock_guard"]
    parsed = syntax.parse(f"fn __f() {{ let __x = ({expression}); }}")
    node: tree_sitter.Node | None = parsed.root
    # The parenthesized expression inside the synthetic `let`.
    for kind in ("function_item", "block", "let_declaration"):
        node = next((c for c in node.named_children if c.type == kind), None) if node else None
    value = node.child_by_field_name("value") if node is not None else None
    if value is not None and value.type == "parenthesized_expression" and value.named_children:
        value = value.named_children[0]
    base = ""
    if value is not None and value.type == "call_expression":
        function = value.child_by_field_name("function")
        if function is not None and function.type == "generic_function":
            function = function.child_by_field_name("function")
        if function is not None and function.type == "identifier":
            base = parsed.node_text(function)
        elif function is not None and function.type == "field_expression":
            field = function.child_by_field_name("field")
            base = parsed.node_text(field) if field is not None else ""
        elif function is not None and function.type == "scoped_identifier":
            name = function.child_by_field_name("name")
            path = function.child_by_field_name("path")
            base = parsed.node_text(name) if name is not None else ""
            if path is not None and base in ("new", "from", "default", "with_capacity",
                                             "open", "load", "create", "connect"):
                base = new_code.snake_case(parsed.node_text(path).rsplit("::", 1)[-1])
    elif value is not None and value.type == "macro_invocation":
        macro = value.child_by_field_name("macro")
        base = {"format": "text", "vec": "items"}.get(
            parsed.node_text(macro) if macro is not None else "", "")
    base = _VERBS.sub("", base) if _VERBS.sub("", base) else base
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", base):
        base = ""
    names = [base, f"{base}_owned"] if base else []
    return [*names, "owned", "value"]


FAMILY = TemporaryDropped()
