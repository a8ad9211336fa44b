"""Helpers shared by the lifetime-relation families (E0309/E0310, E0700, the edition-2024
`impl Trait` over-capture, elision, invariance, higher-ranked bounds): rustc's suggestions
read the same way from JSON and from rust-analyzer's LSP shape, and the few tree-sitter walks
they need beyond `rust.locate` (the parameter under a span, the callee of a call, the closure a
binding holds).

Not a family: the registry skips modules whose name starts with an underscore.
"""

from __future__ import annotations

import re

import tree_sitter

from borrowlens.analyses.diagnostics.model import Diagnostic, Span
from borrowlens.analyses.fixes.source_file import SourceFile
from borrowlens.analyses.rust import locate, syntax
from borrowlens.analyses.rust.sources import Sources, split_lines

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
SIMPLE_PATTERN = re.compile(r"^(?:ref\s+)?(?:mut\s+)?(?P<name>[A-Za-z_][A-Za-z0-9_]*)$")
# Through the LSP a spanned help arrives as a related span labelled "<message>: `<replacement>`".
_LSP_SUGGESTION = re.compile(r"^(?P<message>.*?): `(?P<replacement>[^`]*)`", re.S)

# rustc's wording of a code-less lifetime relation error, and of its return-value label.
LIFETIME_MESSAGE = re.compile(r"lifetime may not live long enough")
RETURN_MISMATCH = re.compile(
    r"(?P<kind>associated function|function|method|closure) was supposed to return data with "
    r"lifetime `(?P<expected>'[^`]+)` but it is returning data with lifetime `(?P<actual>'[^`]+)`"
)
# Variance notes: "mutable references are invariant over their type parameter", "the struct
# `Cell<T>` is invariant over the parameter `T`", "which makes the generic argument … invariant".
INVARIANCE = re.compile(
    r"invariant over (?:their|the) (?:type )?parameter|makes the generic argument .{0,80}invariant"
    r"|requirement occurs because of (?:a mutable reference|the type|a mutable pointer)"
)


def node_span(file: str, node: tree_sitter.Node, parsed: syntax.Parsed) -> Span:
    """The span a node covers in `file`, to point `related` at a place the source shows."""
    (line, column), (end_line, end_column) = parsed.start(node), parsed.end(node)
    return Span(file=file, line_start=line, column_start=column, line_end=end_line,
                column_end=end_column)


def enclosing_function(span: Span | None, sources: Sources
                       ) -> tuple[locate.Located, str] | None:
    """The `fn` item (a trait's bodiless one too) a span sits in, and its name."""
    found = locate.function_at(span, sources, signatures=True)
    name = locate.name_of(found.parsed, found.node) if found is not None else None
    return (found, name) if found is not None and name is not None else None


def suggestion(diagnostic: Diagnostic, pattern: str) -> tuple[Span, str] | None:
    """The first replacement proposed by a help whose message matches `pattern`.

    From rustc's JSON it is a child's suggestion; through the LSP the same help is a related
    span labelled "<message>: `<replacement>`".
    """
    regex = re.compile(pattern)
    for child in diagnostic.children:
        if child.suggestions and regex.search(child.message):
            first = child.suggestions[0]
            return first.span, first.replacement
    for span, label in diagnostic.labels():
        found = _LSP_SUGGESTION.match(label)
        if found and regex.search(found.group("message")):
            return span, found.group("replacement")
    return None


def help_span(diagnostic: Diagnostic, pattern: str) -> Span | None:
    """The span of a help or labelled note whose text matches, from either producer."""
    regex = re.compile(pattern)
    for child in diagnostic.children:
        if child.spans and regex.search(child.message):
            return child.spans[0]
    for span, label in diagnostic.labels():
        if regex.search(label):
            return span
    return None


def labelled(diagnostic: Diagnostic, pattern: str) -> tuple[Span, re.Match[str]] | None:
    """The first labelled span (own or a child's) whose label matches; primaries last.

    Through the LSP a primary's label is often dropped, so secondary labels are preferred.
    """
    regex = re.compile(pattern)
    late: tuple[Span, re.Match[str]] | None = None
    for span, label in diagnostic.labels():
        found = regex.search(label)
        if found is None:
            continue
        if not span.is_primary:
            return span, found
        late = late or (span, found)
    return late


def parameter_name(span: Span, sources: Sources) -> str | None:
    """The name of the parameter whose type a span points into (`self` for `&self`)."""
    found = locate.at(span, sources)
    if found is not None:
        node = syntax.enclosing(found.node, "self_parameter", "parameter", "closure_parameters")
        if node is not None and node.type == "self_parameter":
            return "self"
        if node is not None and node.type == "parameter":
            pattern = node.child_by_field_name("pattern")
            if pattern is not None:
                # `x`, `mut x`, `ref x`; a destructuring pattern (`(a, b)`) has no one name.
                simple = SIMPLE_PATTERN.match(found.text(pattern))
                return simple.group("name") if simple is not None else None
    if span.text:
        line = span.text[0]
        before, after = line[: span.column_start - 1], line[span.column_start - 1:]
        if re.match(r"&\s*(?:'\w+\s+)?(?:mut\s+)?self\b", after):
            return "self"
        names = re.findall(r"([A-Za-z_][A-Za-z0-9_]*)\s*:\s*$", before)
        return names[-1] if names else None
    return None


def mention_line(span: Span | None, name: str, sources: Sources) -> int | None:
    """The first line inside `span` that uses `name` as an identifier (`self` included): the
    line to cite for it, where rustc's span starts on a line that does not mention it."""
    covered = locate.covered(span, sources)
    if covered is None:
        return None
    located = covered.located
    for found in locate.walk(covered.node, named=True):
        if (found.type in ("identifier", "self") and covered.start <= found.start_byte
                < covered.end and located.text(found) == name):
            return located.parsed.start(found)[0]
    return None


def callee(node: tree_sitter.Node, located: locate.Located) -> str | None:
    """The name a call expression calls: `cache.hot_keys(…)` → `hot_keys`, `a::b(…)` → `b`."""
    call = syntax.enclosing(node, "call_expression")
    if call is None:
        # the span may start at the receiver of a method chain: look for a call below it
        call = next((n for n in locate.walk(node, named=True) if n.type == "call_expression"),
                    None)
    if call is None:
        return None
    function = call.child_by_field_name("function")
    while function is not None and function.type == "generic_function":
        function = function.child_by_field_name("function")
    if function is None:
        return None
    if function.type == "field_expression":
        field = function.child_by_field_name("field")
        return located.text(field) if field is not None else None
    if function.type == "scoped_identifier":
        name = function.child_by_field_name("name")
        return located.text(name) if name is not None else None
    if function.type == "identifier":
        return located.text(function)
    return None


def call_path(node: tree_sitter.Node, located: locate.Located) -> str | None:
    """The written path of the call a node sits in: `tokio::spawn`, `self.items.push`."""
    call = syntax.enclosing(node, "call_expression")
    if call is None:
        call = next((n for n in locate.walk(node, named=True) if n.type == "call_expression"),
                    None)
    function = call.child_by_field_name("function") if call is not None else None
    return located.text(function) if function is not None else None


def binding_of(node: tree_sitter.Node, located: locate.Located) -> str | None:
    """The variable a call's result goes into: `let hot = …` or `iter = …`."""
    for ancestor in [node, *syntax.ancestors(node)]:
        if ancestor.type == "let_declaration":
            pattern = ancestor.child_by_field_name("pattern")
            names = _IDENT.findall(located.text(pattern)) if pattern is not None else []
            names = [n for n in names if n not in ("mut", "ref")]
            return names[0] if names else None
        if ancestor.type == "assignment_expression":
            left = ancestor.child_by_field_name("left")
            return located.text(left) if left is not None else None
        if ancestor.type in ("block", "function_item", "closure_expression"):
            return None
    return None


def closures_bound_in(scope: tree_sitter.Node,
                      located: locate.Located) -> dict[str, tree_sitter.Node]:
    """Each name a `let name = |…| …` in `scope` binds to its closure expression (the first
    such `let` for a name). One walk of `scope`, so asking about every identifier of a call
    stays linear."""
    bound: dict[str, tree_sitter.Node] = {}
    for node in locate.walk(scope, named=True):
        if node.type != "let_declaration":
            continue
        pattern = node.child_by_field_name("pattern")
        value = node.child_by_field_name("value")
        if pattern is None or value is None or value.type != "closure_expression":
            continue
        names = _IDENT.findall(located.text(pattern))
        if names:
            bound.setdefault(names[-1], value)
    return bound


def _with_lifetime(reference: str, lifetime: str) -> str:
    """`&str` → `&'a str`, `&mut self` → `&'a mut self`, `&'_ T` → `&'a T`."""
    reference = reference.replace("'_", lifetime)
    return re.sub(r"^&\s*(?!')", f"&{lifetime} ", reference)


def retie_signature(function: locate.Located, inputs: set[str],
                    lifetime: str = "'a") -> str | None:
    """The function's signature with `lifetime` on the named inputs and on the result.

    `inputs` holds parameter names (`self` for the receiver). Returns None when the function
    has no return type or uses `lifetime` already.
    """
    node = function.node
    name = node.child_by_field_name("name")
    parameters = node.child_by_field_name("parameters")
    result = node.child_by_field_name("return_type")
    if name is None or parameters is None or result is None:
        return None
    if lifetime in function.text(node).split("{", 1)[0]:
        return None
    pieces: list[str] = []
    for param in parameters.named_children:
        text = function.text(param)
        if param.type == "self_parameter" and "self" in inputs and text.startswith("&"):
            text = _with_lifetime(text, lifetime)
        elif param.type == "parameter":
            pattern = param.child_by_field_name("pattern")
            kind = param.child_by_field_name("type")
            label = function.text(pattern) if pattern is not None else ""
            if kind is not None and label.split()[-1:] and label.split()[-1] in inputs:
                kind_text = function.text(kind)
                if kind_text.startswith("&") or "'_" in kind_text:
                    text = f"{label}: {_with_lifetime(kind_text, lifetime)}"
        pieces.append(text)
    returned = function.text(result)
    if "'_" in returned or returned.startswith("&"):
        returned = _with_lifetime(returned, lifetime)
    elif returned.startswith("impl "):
        returned = f"{returned} + {lifetime}"
    generics = node.child_by_field_name("type_parameters")
    if generics is not None:
        inner = function.text(generics)[1:-1].strip()
        generic_text = f"<{lifetime}, {inner}>"
    else:
        generic_text = f"<{lifetime}>"
    return f"fn {function.text(name)}{generic_text}({', '.join(pieces)}) -> {returned}"


def span_source(span: Span, sources: Sources) -> str | None:
    """The source text a span covers (from the file, else from rustc's quoted lines)."""
    text = sources.text(span.file)
    lines = split_lines(text) if text is not None else list(span.text)
    first = span.line_start - (1 if text is not None else span.line_start)
    last = span.line_end - (1 if text is not None else span.line_start)
    if not (0 <= first <= last < len(lines)):
        return None
    if first == last:
        return lines[first][span.column_start - 1: span.column_end - 1]
    middle = lines[first + 1: last]
    return "\n".join([lines[first][span.column_start - 1:], *middle,
                      lines[last][: span.column_end - 1]])


def suggested_point(diagnostic: Diagnostic, pattern: str, replacement: re.Pattern[str],
                    sources: Sources) -> tuple[SourceFile, int, re.Match[str]] | None:
    """Where rustc's help matching `pattern` inserts text that `replacement` reads in full:
    the file, the byte it inserts at, and the replacement matched (for fixes that redo
    rustc's insertion once they have checked it is right)."""
    hint = suggestion(diagnostic, pattern)
    added = replacement.fullmatch(hint[1]) if hint is not None else None
    if hint is None or added is None:
        return None
    file = SourceFile.load(sources, hint[0].file)
    if file is None:
        return None
    return file, file.byte_at(hint[0].line_start, hint[0].column_start), added
