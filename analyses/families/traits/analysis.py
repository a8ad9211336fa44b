"""Shared helpers for the trait-bound families (Send/Sync, Unpin, async fn in traits).

Not a family (the leading underscore keeps the registry away): small readers of rustc's
wording — "required by a bound in `X`", the `{closure@file:L:C: …}` placeholders — and of the
user's source — where the diagnostic really is when its primary span sits inside a macro of
another crate, which binding an expression names, which trait declares an `async fn`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import tree_sitter

from borrowlens.analyses.diagnostics.model import RENDERED_ARROW, Diagnostic, Span
from borrowlens.analyses.rust import items, syntax
from borrowlens.analyses.rust.sources import Sources

_BOUND_IN = re.compile(r"required by a bound in `([^`]+)`")
_GENERIC_ARGS = re.compile(r"::<[^<>]*(?:<[^<>]*(?:<[^<>]*>[^<>]*)*>[^<>]*)*>")
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def strip_path(path: str, keep: int = 2) -> str:
    """`Scope::<'scope, 'env>::spawn` -> `Scope::spawn`; `futures::StreamExt::next` ->
    `StreamExt::next`: generic arguments dropped, the last `keep` segments kept."""
    plain = _GENERIC_ARGS.sub("", path)
    segments = [s for s in plain.split("::") if s]
    return "::".join(segments[-keep:]) if segments else path


def bound_in(diagnostic: Diagnostic) -> str | None:
    """The item named by "required by a bound in `X`", shortened, or None."""
    found = diagnostic.find(_BOUND_IN)
    return strip_path(found.group(1)) if found else None


@dataclass(frozen=True)
class Place:
    """A user-visible position: a file the sources know, 1-based line and column."""

    file: str
    line: int
    column: int


def user_place(diagnostic: Diagnostic, sources: Sources) -> Place | None:
    """Where the diagnostic is in the user's code.

    The primary span when its file is one the sources know; otherwise (the span points into
    another crate's macro, as with `tokio::select!`) the first `-->` location of the rendered
    text whose file is known; otherwise the primary span as it is.
    """
    primary = diagnostic.primary
    if primary is not None and sources.text(primary.file) is not None:
        return Place(primary.file, primary.line_start, primary.column_start)
    if diagnostic.rendered:
        for found in RENDERED_ARROW.finditer(diagnostic.rendered):
            file = diagnostic.rendered_file(found.group(1))
            if sources.text(file) is not None:
                return Place(file, int(found.group(2)), int(found.group(3)))
    for span in diagnostic.spans:
        if sources.text(span.file) is not None:
            return Place(span.file, span.line_start, span.column_start)
    if primary is not None:
        return Place(primary.file, primary.line_start, primary.column_start)
    return None


def parsed_at(place: Place | None, sources: Sources) -> syntax.Parsed | None:
    if place is None:
        return None
    text = sources.text(place.file)
    return syntax.parse(text) if text is not None else None


def placeholder_place(text: str, kind: str, file_hint: str | None = None) -> Place | None:
    """The position inside a `{closure@file:L:C: L:C}` / `{async block@…}` placeholder."""
    found = re.search(r"\{" + re.escape(kind) + r"@(.+?):(\d+):(\d+)(?:: \d+:\d+)?\}", text)
    if not found:
        return None
    return Place(file_hint or found.group(1), int(found.group(2)), int(found.group(3)))


def span_place(span: Span) -> Place:
    return Place(span.file, span.line_start, span.column_start)


def plain_name(text: str) -> str | None:
    """The text when it is a plain place expression (`x`, `self.x`, `a.b`), else None."""
    text = text.strip()
    text = re.sub(r"^&\s*(?:mut\s+)?", "", text).strip()
    parts = text.split(".")
    if parts and all(_IDENT.match(part) for part in parts):
        return text
    return None


def async_trait_methods(parsed: syntax.Parsed) -> dict[str, list[str]]:
    """Each trait of the file that declares `async fn` methods, with those methods' names."""
    out: dict[str, list[str]] = {}
    for name, trait in items.named_items(parsed, "trait_item"):
        body = trait.child_by_field_name("body")
        methods = []
        for item in body.named_children if body else ():
            if item.type not in ("function_signature_item", "function_item"):
                continue
            if _is_async(parsed, item):
                method = item.child_by_field_name("name")
                if method is not None:
                    methods.append(parsed.node_text(method))
        if methods:
            out[name] = methods
    return out


def _is_async(parsed: syntax.Parsed, item: tree_sitter.Node) -> bool:
    for child in item.children:
        if child.type == "function_modifiers":
            return "async" in parsed.node_text(child).split()
        if child.type == "fn":
            return False
    return False


def known_files(diagnostic: Diagnostic, sources: Sources) -> list[str]:
    """The files the diagnostic's spans (its own and its children's) name whose source is
    available, in order of first mention."""
    files: list[str] = []
    spans = list(diagnostic.spans) + [s for c in diagnostic.children for s in c.spans]
    for span in spans:
        if span.file not in files and sources.text(span.file) is not None:
            files.append(span.file)
    return files
