"""Helpers shared by the borrow and ownership families (E0597, E0373, E0521, E0515, E0716,
E0505, E0499/E0502): span lookups that survive the LSP shape, source text around a span, and
the few tree-sitter walks they all need beyond `rust.locate` (the call a span sits in, the
type of a binding), and the places rustc does not label that `related` points at (a parameter,
a return type) or that advice depends on (a loop around the code).

Not a family: the registry skips modules whose name starts with an underscore.
"""

from __future__ import annotations

import re
from functools import lru_cache

import tree_sitter

from borrowlens.analyses.diagnostics.limits import MAX_NAME
from borrowlens.analyses.diagnostics.model import Diagnostic, Span
from borrowlens.analyses.rust import locate, printed, syntax
from borrowlens.analyses.rust.sources import Sources, split_lines

# The edition-2024 `impl Trait` over-capture note: another family (rpit-overcapture-2024, which
# refines ours) owns those diagnostics even when they carry our codes.
OVERCAPTURE = re.compile(r"impl Trait.{0,60}lifetime capture rules|precise captur|use<")

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def is_overcapture(diagnostic: Diagnostic) -> bool:
    return diagnostic.find(OVERCAPTURE) is not None


def root_name(path: str) -> str:
    """The variable at the root of a place expression: `self.items[0]` -> `self`."""
    found = _IDENT.match(printed.strip_derefs(path))
    return found.group(0) if found else path


def secondary(diagnostic: Diagnostic, pattern: str) -> Span | None:
    """The first non-primary labelled span (own or a child's) whose label matches.

    Primary spans are skipped: through the LSP their label is gone, so a fact read from them
    would differ between producers. Use `diagnostic.primary` for the squiggle itself.
    """
    regex = re.compile(pattern)
    for span, label in diagnostic.labels():
        if not span.is_primary and regex.search(label):
            return span
    return None


def labelled(diagnostic: Diagnostic, pattern: str) -> tuple[Span, re.Match[str]] | None:
    """The first labelled non-primary span matching, with the match."""
    regex = re.compile(pattern)
    for span, label in diagnostic.labels():
        if span.is_primary:
            continue
        found = regex.search(label)
        if found:
            return span, found
    return None


@lru_cache(maxsize=8)
def _lines(text: str) -> list[str]:
    """A file's lines, split once per text (not once per diagnostic: a file with many
    borrow errors was split as many times). Callers only read the list."""
    return split_lines(text)


def line_text(span: Span, sources: Sources, line: int | None = None) -> str | None:
    """The text of one line of the span's file (default: its first line)."""
    number = line or span.line_start
    text = sources.text(span.file)
    if text is not None:
        lines = _lines(text)
        return lines[number - 1] if 0 < number <= len(lines) else None
    offset = number - span.line_start
    if 0 <= offset < len(span.text):
        return span.text[offset]
    return None


def span_text(span: Span, sources: Sources) -> str | None:
    """The exact source text a span covers, whitespace runs collapsed."""
    text = sources.text(span.file)
    if text is not None and span.line_start == span.line_end and \
            span.column_start == span.column_end:
        return _expression_at(span, sources)
    if text is not None:
        lines = _lines(text)
        if not 0 < span.line_start <= span.line_end <= len(lines):
            return None
        if span.line_start == span.line_end:
            piece = lines[span.line_start - 1][span.column_start - 1:span.column_end - 1]
        else:
            chunk = [lines[span.line_start - 1][span.column_start - 1:]]
            chunk.extend(lines[span.line_start:span.line_end - 1])
            chunk.append(lines[span.line_end - 1][:span.column_end - 1])
            piece = "\n".join(chunk)
    elif span.text and span.line_start == span.line_end:
        piece = span.text[0][span.column_start - 1:span.column_end - 1]
    else:
        return None
    piece = re.sub(r"\s*\n\s*", "", piece)
    return re.sub(r"[ \t]+", " ", piece).strip() or None


def _expression_at(span: Span, sources: Sources) -> str | None:
    """Text of the outermost expression starting at a zero-width span (pasted text)."""
    found = locate.at(span, sources, past_indent=True)
    if found is None:
        return None
    parsed, node = found.parsed, found.node
    best = None
    for candidate in (node, *syntax.ancestors(node)):
        if candidate.start_byte != node.start_byte:
            break
        if candidate.type.endswith("_expression") or candidate.type in (
                "macro_invocation", "identifier", "async_block"):
            best = candidate
    if best is None:
        return None
    return re.sub(r"\s+", " ", parsed.node_text(best)).strip() or None


def receiver_at(span: Span, sources: Sources) -> str | None:
    """For a zero-width span (pasted text): the receiver of the outermost method-call chain
    starting at the span — `read_banner()` in `read_banner().trim()`."""
    found = locate.at(span, sources, past_indent=True)
    if found is None:
        return None
    parsed, node = found.parsed, found.node
    start = node.start_byte
    outer = None
    for candidate in (node, *syntax.ancestors(node)):
        if candidate.start_byte != start:
            break
        if candidate.type == "call_expression":
            outer = candidate
    function = outer.child_by_field_name("function") if outer is not None else None
    value = (function.child_by_field_name("value")
             if function is not None and function.type == "field_expression" else None)
    return re.sub(r"\s+", " ", parsed.node_text(value)) if value is not None else None


def _callee_text(parsed: syntax.Parsed, call: tree_sitter.Node) -> str | None:
    function = call.child_by_field_name("function")
    if function is None:
        return None
    if function.type == "generic_function":
        inner = function.child_by_field_name("function")
        function = inner if inner is not None else function
    if function.type == "field_expression":
        value = function.child_by_field_name("value")
        field = function.child_by_field_name("field")
        if field is None:
            return None
        receiver = parsed.node_text(value) if value is not None else ""
        receiver = re.sub(r"\s+", "", receiver)
        if len(receiver) > 24 or "\n" in receiver:
            receiver = "…"
        return f"{receiver}.{parsed.node_text(field)}"
    return re.sub(r"\s+", "", parsed.node_text(function))


def call_at(span: Span, sources: Sources) -> str | None:
    """The callee of the call expression starting at (or around) the span: `thread::spawn`,
    `tokio::spawn`, `self.handlers.push`. Macros count too (`thread_local!` is unlikely but
    `vec!` is not a call and is skipped)."""
    found = locate.at(span, sources, past_indent=True)
    if found is None:
        line = line_text(span, sources)
        if line is None:
            return None
        match = re.match(r"\s*((?:[A-Za-z_][A-Za-z0-9_]*(?:::|\.))*[A-Za-z_][A-Za-z0-9_]*)"
                         r"\s*(?:::<[^>]*>)?\s*\(", line[span.column_start - 1:])
        return match.group(1) if match else None
    parsed, node = found.parsed, found.node
    for candidate in (node, *syntax.ancestors(node)):
        if candidate.type == "call_expression":
            return _callee_text(parsed, candidate)
        if candidate.type in ("function_item", "let_declaration", "expression_statement"):
            return None
    return None


def call_line(span: Span, sources: Sources) -> int:
    """First line of the call expression around the span (a multi-line call's label may
    only be known by its last line, as in pasted text)."""
    found = locate.at(span, sources, past_indent=True)
    if found is None:
        return span.line_start
    parsed, node = found.parsed, found.node
    for candidate in (node, *syntax.ancestors(node)):
        if candidate.type == "call_expression":
            return parsed.start(candidate)[0]
        if candidate.type in ("function_item", "let_declaration", "expression_statement"):
            break
    return span.line_start


def call_around(span: Span, sources: Sources) -> str | None:
    """The callee of the nearest call that takes the closure / async block at the span as an
    argument (`thread::spawn(|| …)` -> `thread::spawn`)."""
    found = locate.at(span, sources, past_indent=True)
    if found is None:
        return call_at(span, sources)
    parsed, node = found.parsed, found.node
    inner = syntax.enclosing(node, "closure_expression", "async_block")
    start = inner if inner is not None else node
    for candidate in syntax.ancestors(start):
        if candidate.type == "call_expression":
            return _callee_text(parsed, candidate)
        if candidate.type in ("block", "function_item", "let_declaration",
                              "expression_statement", "return_expression"):
            return None
    return None


def node_end_line(span: Span, sources: Sources, *kinds: str) -> int | None:
    """Last line of the nearest node of one of `kinds` around the span."""
    found = locate.at(span, sources, past_indent=True)
    if found is None:
        return None
    parsed, node = found.parsed, found.node
    outer = syntax.enclosing(node, *kinds)
    return parsed.end(outer)[0] if outer is not None else None


def uses_after(span: Span, sources: Sources, name: str, *kinds: str) -> int | None:
    """First line after the node of `kinds` around the span where `name` is mentioned again
    in the same function."""
    found = locate.at(span, sources, past_indent=True)
    if found is None or len(name) > MAX_NAME:
        return None
    parsed, node = found.parsed, found.node
    outer = syntax.enclosing(node, *kinds)
    function = (locate.enclosing_function(outer)
                if outer is not None and outer.parent is not None else None)
    if outer is None or function is None:
        return None
    pattern = re.compile(rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_])")
    body = parsed.data[outer.end_byte:function.end_byte].decode("utf-8", errors="replace")
    hit = pattern.search(body)
    if hit is None:
        return None
    return parsed.position(outer.end_byte + len(body[:hit.start()].encode("utf-8")))[0]


_CONSTRUCTOR = re.compile(r"^([A-Z][A-Za-z0-9_]*(?:<[^()]*>)?)\s*(?:::\s*\w+\s*\(|\{|\()")


def _type_from_value(text: str) -> str | None:
    text = text.strip()
    if text.startswith(("format!", "String::")) or re.search(
            r"\.(to_string|to_owned|to_lowercase|to_uppercase|to_ascii_lowercase)\(\)$", text):
        return "String"
    if text.startswith(("vec!", "Vec::")):
        return "Vec<_>"
    found = _CONSTRUCTOR.match(text)
    if found and found.group(1) not in ("Some", "Ok", "Err", "Box", "Self"):
        return found.group(1)
    return None


def binding_type(span: Span, sources: Sources) -> str | None:
    """The type of the binding declared at the span: the let's annotation, the parameter's
    type, or a guess from an obvious initializer (`String::from`, `Foo { … }`)."""
    found = locate.at(span, sources, past_indent=True)
    if found is None:
        return None
    parsed, node = found.parsed, found.node
    holder = syntax.enclosing(node, "let_declaration", "parameter", "self_parameter")
    if holder is None:
        return None
    if holder.type == "self_parameter":
        return re.sub(r"\s+", " ", parsed.node_text(holder))
    annotated = holder.child_by_field_name("type")
    if annotated is not None:
        return re.sub(r"\s+", " ", parsed.node_text(annotated))
    value = holder.child_by_field_name("value")
    return _type_from_value(parsed.node_text(value)) if value is not None else None


def spawn_call_on_line(span: Span, sources: Sources) -> str | None:
    """The callee of a spawn-like call (`thread::spawn`, `tokio::spawn`, `…spawn_blocking`)
    that starts on the span's line: a fallback for labels whose column is unknown (pasted
    text reports column 1, which lands on the `let` of `let h = thread::spawn(…)`)."""
    text = sources.text(span.file)
    if text is None:
        return None
    parsed = syntax.parse(text)

    def on_line(node: tree_sitter.Node) -> bool:
        return parsed.start(node)[0] <= span.line_start <= parsed.end(node)[0]

    for node in locate.walk(parsed.root, named=True, into=on_line):
        if node.type == "call_expression" and parsed.start(node)[0] == span.line_start:
            callee = _callee_text(parsed, node)
            if callee and re.search(r"(?:^|::|\.)spawn(?:_blocking)?$", callee):
                return callee
    return None


# --- places rustc does not label, for `related` ---------------------------------------------------

def node_span(parsed: syntax.Parsed, node: tree_sitter.Node, file: str) -> Span:
    """The span of a syntax node: a place to point `related` at that rustc did not label."""
    (line, column), (end_line, end_column) = parsed.start(node), parsed.end(node)
    return Span(file=file, line_start=line, column_start=column, line_end=end_line,
                column_end=end_column)


def _function_around(span: Span, sources: Sources) -> tuple[syntax.Parsed,
                                                            tree_sitter.Node] | None:
    found = locate.at(span, sources, past_indent=True)
    if found is None:
        return None
    parsed, node = found.parsed, found.node
    function = locate.enclosing_function(node)
    return (parsed, function) if function is not None else None


def parameter_span(span: Span, sources: Sources, name: str) -> Span | None:
    """The declaration of the parameter `name` (`self` too) of the fn around the span."""
    found = _function_around(span, sources)
    parameters = found[1].child_by_field_name("parameters") if found else None
    if found is None or parameters is None:
        return None
    parsed = found[0]
    for parameter in parameters.named_children:
        pattern = parameter.child_by_field_name("pattern")
        if (parameter.type == "self_parameter" and name == "self") or (
                pattern is not None and parsed.node_text(pattern).split()[-1:] == [name]):
            return node_span(parsed, parameter, span.file)
    return None


def return_type_span(span: Span, sources: Sources) -> Span | None:
    """The declared return type of the fn around the span."""
    found = _function_around(span, sources)
    returned = found[1].child_by_field_name("return_type") if found else None
    return node_span(found[0], returned, span.file) if found and returned else None


_LOOPS = ("for_expression", "while_expression", "loop_expression")


def in_loop_outside(span: Span, sources: Sources, declared_line: int | None) -> bool:
    """True when the code at the span runs in a loop (of its function) that the value
    declared on `declared_line` was declared outside of: moving it there would move it once
    per iteration. Unknown declaration: any loop counts."""
    found = locate.at(span, sources, past_indent=True)
    if found is None:
        return False
    parsed, node = found.parsed, found.node
    for ancestor in syntax.ancestors(node):
        if ancestor.type == "function_item":
            return False
        if ancestor.type in _LOOPS and (
                declared_line is None
                or not parsed.start(ancestor)[0] <= declared_line <= parsed.end(ancestor)[0]):
            return True
    return False
