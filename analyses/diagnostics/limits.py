r"""How much text the enrichment of one diagnostic looks at: the caps that keep it linear.

An editor hands borrowlens whatever rust-analyzer publishes and whatever the user's files
hold, and `explain` whatever is pasted: a 10 MB line or a message of 50 000 backticks must
cost no more than an ordinary diagnostic. Every family sees a diagnostic through `bounded`
(the registry applies it before any family does), pasted text is cut the same way, and the
line readers of `rust.sources` (`line_of`) cut a source line to `MAX_LINE`; the renderer
has its own cap (`explain.render.MAX_PART`). Nothing real comes near these: rustc's messages
and labels are a line or two, its rendered text a few screens, and rustfmt wraps code at 100
columns. What lies beyond a cap is cut off. The regexes themselves are written to be linear
(no lazy `.+?` between literals, no `\s*` that crosses lines at every line start); the caps
bound what one that is not can cost.
"""

from __future__ import annotations

import dataclasses

from borrowlens.analyses.diagnostics.lines import split_lines
from borrowlens.analyses.diagnostics.model import Diagnostic, Note, Span, Suggestion

# Characters of a message, a label, a child's message or a suggested replacement.
MAX_MESSAGE = 4_096
# Characters of one source line a matcher reads (also each line of rustc's rendered text and
# each line it quotes in a span).
MAX_LINE = 4_096
# Characters of rustc's rendered text, and of text pasted into `explain`.
MAX_RENDERED = 65_536
# Characters of a name (identifier, path, lifetime) read from the source or a message that a
# regex is built from: compiling one costs time linear in it (about 0.4 s for 50 KB, per
# distinct name), and an identifier this long is not real code. Longer names are not looked
# for.
MAX_NAME = 256
# Lines of source a span quotes (`Span.text`) that matchers read.
MAX_QUOTED_LINES = 256


def cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit]


def cut_lines(text: str, limit: int = MAX_RENDERED, line_limit: int = MAX_LINE) -> str:
    """`text` cut to `limit` characters, and each of its lines to `line_limit`."""
    text = cut(text, limit)
    lines = split_lines(text, keepends=True)
    if all(len(line.removesuffix("\n")) <= line_limit for line in lines):
        return text
    return "".join(cut(line.removesuffix("\n"), line_limit) + "\n" * line.endswith("\n")
                   for line in lines)


def _span(span: Span) -> Span:
    label = span.label
    if ((label is None or len(label) <= MAX_MESSAGE) and len(span.text) <= MAX_QUOTED_LINES
            and all(len(line) <= MAX_LINE for line in span.text)):
        return span
    return dataclasses.replace(
        span, label=cut(label, MAX_MESSAGE) if label is not None else None,
        text=tuple(cut(line, MAX_LINE) for line in span.text[:MAX_QUOTED_LINES]))


def _suggestion(suggestion: Suggestion) -> Suggestion:
    span = _span(suggestion.span)
    if span is suggestion.span and len(suggestion.replacement) <= MAX_MESSAGE:
        return suggestion
    return dataclasses.replace(suggestion, span=span,
                               replacement=cut(suggestion.replacement, MAX_MESSAGE))


def _note(note: Note) -> Note:
    spans = tuple(_span(span) for span in note.spans)
    suggestions = tuple(_suggestion(s) for s in note.suggestions)
    if (len(note.message) <= MAX_MESSAGE and all(map(_same, spans, note.spans))
            and all(map(_same, suggestions, note.suggestions))):
        return note
    return dataclasses.replace(note, message=cut(note.message, MAX_MESSAGE), spans=spans,
                               suggestions=suggestions)


def _same(a: object, b: object) -> bool:
    return a is b


def bounded(diagnostic: Diagnostic) -> Diagnostic:
    """`diagnostic` itself when every text of it is within the caps, else a copy cut to them."""
    spans = tuple(_span(span) for span in diagnostic.spans)
    children = tuple(_note(child) for child in diagnostic.children)
    rendered = (cut_lines(diagnostic.rendered) if diagnostic.rendered is not None else None)
    if (len(diagnostic.message) <= MAX_MESSAGE and rendered == diagnostic.rendered
            and all(map(_same, spans, diagnostic.spans))
            and all(map(_same, children, diagnostic.children))):
        return diagnostic
    return dataclasses.replace(diagnostic, message=cut(diagnostic.message, MAX_MESSAGE),
                               spans=spans, children=children, rendered=rendered)
