"""What the user's source says about the culprit of a non-`Send` future: the text a span
covers, the fn around it, where a binding is declared and whether it is a parameter, whether it
is used again after the `.await` (a loop around the await counts), the head of a `match`/`if
let` holding a temporary guard, the lock call behind a guard, a `drop` before the await, and
the fields of a struct that make it non-`Send`.

Split from `analysis.py`, which reads the diagnostic; everything here reads the source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import tree_sitter

from borrowlens.analyses.diagnostics.limits import MAX_NAME
from borrowlens.analyses.diagnostics.model import Span
from borrowlens.analyses.families.base import FactValue
from borrowlens.analyses.rust import items, locate, syntax
from borrowlens.analyses.rust.sources import Sources, line_of, split_lines

_GUARD_CALL = re.compile(
    r"(?P<receiver>[A-Za-z_][A-Za-z0-9_]*(?:(?:\.|::)[A-Za-z_][A-Za-z0-9_]*(?:\(\))?)*?)"
    r"\.(?P<method>try_borrow_mut|try_borrow|borrow_mut|borrow|try_lock|lock|try_read|read|"
    r"try_write|write)\(\)")


def line_text(span: Span, sources: Sources) -> str | None:
    text = line_of(sources.text(span.file), span.line_start)
    if text is None and span.text:
        return span.text[0]
    return text


def span_text(span: Span, sources: Sources) -> str | None:
    """The source text a single-line span covers."""
    line = line_text(span, sources)
    if line is None or span.line_end != span.line_start:
        return None
    return line[span.column_start - 1: span.column_end - 1] or None


def node_at_span(span: Span, sources: Sources) -> tuple[syntax.Parsed, tree_sitter.Node] | None:
    found = locate.at(span, sources)
    return (found.parsed, found.node) if found is not None else None


def _function_name(parsed: syntax.Parsed, node: tree_sitter.Node) -> str | None:
    function = syntax.enclosing(node, "function_item")
    name = function.child_by_field_name("name") if function else None
    return parsed.node_text(name) if name else None


def enclosing_function(span: Span, sources: Sources) -> str | None:
    """The fn whose body holds the span, unless an async block sits in between."""
    found = locate.at(span, sources)
    function = locate.enclosing_function(
        found.node, stop_at=("async_block", "closure_expression")) if found else None
    return locate.name_of(found.parsed, function) if found else None


def called_function(span: Span, sources: Sources) -> str | None:
    """`f` for a span covering `f(…)`, `path::f(…)` or `x.f(…)`."""
    found = locate.at(span, sources)
    if found is None:
        return None
    parsed, node = found.parsed, found.node
    call = syntax.enclosing(node, "call_expression")
    if call is None:
        return None
    callee = call.child_by_field_name("function")
    if callee is None:
        return None
    if callee.type == "identifier":
        return parsed.node_text(callee)
    for field_name in ("name", "field"):
        part = callee.child_by_field_name(field_name)
        if part is not None:
            return parsed.node_text(part)
    return None


def declaration_line(name: str, use: Span, sources: Sources) -> int | None:
    """Line of the `let` or parameter that introduces `name`, searching back from `use`."""
    text = sources.text(use.file)
    if text is None or len(name) > MAX_NAME:
        return None
    lines = split_lines(text)
    let = re.compile(rf"\blet\s+(?:mut\s+)?{re.escape(name)}\b")
    param = re.compile(r"\(\s*(?:&\s*(?:'\w+\s+)?)?(?:mut\s+)?self\b" if name == "self"
                       else rf"(?:\(|,)\s*(?:mut\s+)?{re.escape(name)}\s*:")
    for number in range(min(use.line_start, len(lines)), 0, -1):
        line = lines[number - 1]
        if let.search(line) or (param.search(line) and re.search(r"\bfn\b", line)):
            return number
        if re.match(r"^(?:pub(?:\([^)]*\))?\s+)?(?:async\s+)?fn\b", line.strip()) \
                and number < use.line_start:
            break
    return None


def name_span(name: str, line: int, near: Span, sources: Sources) -> Span:
    """The span of `name` on `line` of the file of `near` (whole line start if not found)."""
    text = line_of(sources.text(near.file), line) or ""
    found = re.search(rf"\b{re.escape(name)}\b", text) if len(name) <= MAX_NAME else None
    start = found.start() + 1 if found else 1
    end = found.end() + 1 if found else len(text) + 1
    return Span(file=near.file, line_start=line, column_start=start, line_end=line,
                column_end=max(end, start + 1))


def scrutinee(span: Span, sources: Sources) -> tuple[str, str | None] | None:
    """('match' | 'if let' | 'while let', the scrutinee's text) when the span is in the head
    of that expression."""
    found = locate.at(span, sources)
    if found is None:
        return None
    parsed, node = found.parsed, found.node
    for ancestor in [node, *syntax.ancestors(node)]:
        if ancestor.type in ("block", "let_declaration", "expression_statement",
                             "function_item", "async_block"):
            return None
        if ancestor.type in ("let_condition", "match_expression"):
            value = ancestor.child_by_field_name("value")
            text = parsed.node_text(value) if value is not None else None
            if ancestor.type == "match_expression":
                return "match", text
            parent = ancestor.parent
            while parent is not None and parent.type == "let_chain":
                parent = parent.parent
            kind = "while let" if parent is not None and parent.type == "while_expression" \
                else "if let"
            return kind, text
        if ancestor.type in ("if_expression", "while_expression"):
            condition = ancestor.child_by_field_name("condition")
            text = parsed.node_text(condition) if condition is not None else None
            return ancestor.type.split("_")[0], text
    return None


def guard_source(span: Span, sources: Sources, temporary: bool) -> str | None:
    """`state.lock()` for a guard declared by `let g = state.lock().unwrap();`."""
    text = span_text(span, sources) if temporary else None
    if text is None:
        line = line_text(span, sources)
        if line is None:
            return None
        text = line[span.column_start - 1:]
        if "=" in text:
            text = text.split("=", 1)[1]
    found = _GUARD_CALL.search(text)
    return f"{found.group('receiver')}.{found.group('method')}()" if found else None


def dropped_between(name: str, first: int, last: int, file: str, sources: Sources) -> bool:
    text = sources.text(file)
    if text is None or len(name) > MAX_NAME:
        return False
    lines = split_lines(text)[first:last - 1]
    drop = re.compile(rf"\b(?:std::mem::|mem::|core::mem::)?drop\(\s*{re.escape(name)}\s*\)")
    return any(drop.search(line) for line in lines)


_LOOPS = ("for_expression", "while_expression", "loop_expression")
_FORMAT_NAME = r"\{{{name}(?:[:}}])"


def _mentions(parsed: syntax.Parsed, node: tree_sitter.Node, name: str) -> bool:
    """`name` as an identifier in `node`, or captured by a format string (`"{name}"`)."""
    if node.type in ("identifier", "self"):  # `self` is its own node kind
        return parsed.node_text(node) == name
    if (node.type == "string_content" and len(name) <= MAX_NAME
            and syntax.enclosing(node, "token_tree") is not None):
        return re.search(_FORMAT_NAME.format(name=re.escape(name)),
                         parsed.node_text(node)) is not None
    return any(_mentions(parsed, child, name) for child in node.children)


def _next_use(parsed: syntax.Parsed, owner: tree_sitter.Node, name: str, after: int,
              loop_start: int | None) -> int | None:
    """Line of the first mention of `name` in `owner` that runs after the await: past byte
    `after`, or anywhere inside the loop that repeats the await (from byte `loop_start`)."""
    found: int | None = None
    stack = [owner]
    while stack:
        node = stack.pop()
        if node.end_byte <= (loop_start if loop_start is not None else after):
            continue
        if node.type in ("identifier", "self", "string_content") and \
                _mentions(parsed, node, name):
            runs_after = node.start_byte >= after or loop_start is not None
            line = parsed.start(node)[0]
            if runs_after and (found is None or line < found):
                found = line
            continue
        stack.extend(node.children)
    return found


def binding_facts(name: str, declared: Span, await_span: Span | None,
                  sources: Sources) -> dict[str, FactValue]:
    """How long the culprit lives, from the source: `param` ("true" for a parameter of the
    fn, which its future holds from the call to the end) and, when the await is known,
    `used_after_await` ("true"/"false") with `used_after_line`, the first later use (a use
    earlier in a loop around the await counts: the next turn runs it after the await)."""
    found = node_at_span(declared, sources)
    if found is None:
        return {}
    parsed, node = found
    facts: dict[str, FactValue] = {}
    owner = syntax.enclosing(node, "parameter", "self_parameter", "let_declaration",
                             "function_item", "closure_expression")
    if owner is not None and owner.type in ("parameter", "self_parameter"):
        facts["param"] = "true"
    if await_span is None or await_span.file != declared.file:
        return facts
    await_node = parsed.node_at(await_span.line_start, await_span.column_start)
    if await_node is None:
        return facts
    body = syntax.enclosing(await_node, "function_item", "async_block", "closure_expression")
    if body is None:
        return facts
    after = parsed.byte_offset(await_span.line_end, await_span.column_end)
    loops = [a for a in syntax.ancestors(await_node)
             if a.type in _LOOPS and a.start_byte > node.end_byte
             and a.end_byte <= body.end_byte]
    loop_start = loops[-1].start_byte if loops else None
    line = _next_use(parsed, body, name, after, loop_start)
    facts["used_after_await"] = "true" if line is not None else "false"
    if line is not None:
        facts["used_after_line"] = line
    return facts


@dataclass(frozen=True)
class Field:
    """A field of a struct in the user's source: what to change when the culprit is a
    struct that holds a non-`Send` (or non-`Sync`) value."""

    name: str
    type: str
    span: Span


def _fields(struct: str, files: list[str], sources: Sources) -> list[Field]:
    """The fields of the struct `struct` (by its bare name, generic arguments ignored), from
    the first of `files` that declares it."""
    bare = re.sub(r"<.*", "", struct).rsplit("::", 1)[-1].strip()
    for file in dict.fromkeys(files):
        text = sources.text(file)
        if text is None or not bare:
            continue
        parsed = syntax.parse(text)
        for name, item in items.named_items(parsed, "struct_item"):
            if name != bare:
                continue
            found: list[Field] = []
            for node in items.field_declarations(item):
                field = node.child_by_field_name("name")
                kind = node.child_by_field_name("type")
                if field is None or kind is None:
                    continue
                (line, column), (end_line, end_column) = parsed.start(field), parsed.end(field)
                found.append(Field(parsed.node_text(field), parsed.node_text(kind),
                                   Span(file, line, column, end_line, end_column)))
            return found
    return []


def struct_field(struct: str, wanted: re.Pattern[str], files: list[str],
                 sources: Sources) -> Field | None:
    """The first field of the struct `struct` (by its bare name, generic arguments ignored)
    in `files` whose declared type matches `wanted`."""
    return next((f for f in _fields(struct, files, sources) if wanted.search(f.type)), None)


_TYPE_NAME = re.compile(r"\b[A-Z][A-Za-z0-9_]*")


def field_chain(struct: str, wanted: re.Pattern[str], files: list[str], sources: Sources,
                depth: int = 3) -> list[Field]:
    """The fields that lead from the struct `struct` to a field whose declared type matches
    `wanted`: `[field]` when the struct declares it, `[outer, …, field]` when it holds it
    through other structs declared in `files` (at most `depth` levels); [] when not found."""
    fields = _fields(struct, files, sources)
    direct = next((f for f in fields if wanted.search(f.type)), None)
    if direct is not None:
        return [direct]
    if depth <= 1:
        return []
    for field in fields:
        for name in dict.fromkeys(_TYPE_NAME.findall(field.type)):
            inner = field_chain(name, wanted, files, sources, depth - 1)
            if inner:
                return [field, *inner]
    return []
