"""The normalised diagnostic every family matches against.

Two producers feed it: rustc's JSON (`cargo check --message-format=json`) and the LSP
diagnostics rust-analyzer publishes from its flycheck. Both are reduced to the same shape — a
primary message with its code, spans (1-based lines, 1-based columns counted in Unicode
scalar values, as rustc counts them) and child notes — so a matcher never has to care where a
diagnostic came from.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

JsonDict = Mapping[str, Any]


@dataclass(frozen=True)
class Span:
    """A region of a source file, with rustc's label for it when it has one."""

    file: str
    line_start: int
    column_start: int
    line_end: int
    column_end: int
    label: str | None = None
    is_primary: bool = False
    # The source text rustc quoted for the span's lines, when the producer provides it.
    text: tuple[str, ...] = ()
    # Set on spans that come from inside a macro expansion: the macro's name.
    macro: str | None = None

    def location(self) -> str:
        return f"{self.file}:{self.line_start}:{self.column_start}"


@dataclass(frozen=True)
class Suggestion:
    """A replacement rustc proposes in a `help:` child."""

    span: Span
    replacement: str
    applicability: str | None = None


@dataclass(frozen=True)
class Note:
    """A child of a diagnostic: `note:` or `help:` lines, possibly pointing at code."""

    level: str
    message: str
    spans: tuple[Span, ...] = ()
    suggestions: tuple[Suggestion, ...] = ()


# Terminal escape sequences: CSI (colours, `\x1b[1m\x1b[38;5;12m`), OSC (hyperlinks, ended by
# BEL or ST) and the two-byte forms. rustc colours its rendered text when asked
# (`--message-format=json-diagnostic-rendered-ansi`, or a client that advertises
# `colorDiagnosticOutput` to rust-analyzer); every reader of that text wants it plain.
_ESCAPES = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")


def strip_escapes(text: str) -> str:
    """`text` without terminal escape sequences (colour, hyperlinks)."""
    return _ESCAPES.sub("", text) if "\x1b" in text else text


def plain_rendered(rendered: object) -> str | None:
    """A producer's rendered text, plain (see `Diagnostic.rendered`)."""
    return strip_escapes(str(rendered)) if rendered is not None else None


# A location line of rustc's rendered text: `  --> src/lib.rs:12:5`. Blanks are `[ \t]`, not
# `\s`: with MULTILINE, `^\s*` ran over every following blank line at each line start.
RENDERED_ARROW = re.compile(
    r"^[ \t]*-->[ \t]*(?P<file>[^\n]+?):(?P<line>\d+):(?P<column>\d+)[ \t\r]*$", re.MULTILINE)


@dataclass(frozen=True)
class Diagnostic:
    """One compiler diagnostic, whichever producer it came from."""

    level: str
    message: str
    code: str | None
    spans: tuple[Span, ...]
    children: tuple[Note, ...] = ()
    # rustc's rendered text, plain: escapes the producer coloured it with are stripped here,
    # once, so that no reader of it meets them (the editor keeps the producer's own bytes).
    rendered: str | None = None
    source: str = "rustc"
    # LSP hint diagnostics that rust-analyzer emitted as copies of this one's child spans.
    hints: tuple[JsonDict, ...] = field(default=(), compare=False)

    @property
    def primary(self) -> Span | None:
        for span in self.spans:
            if span.is_primary:
                return span
        return self.spans[0] if self.spans else None

    def rendered_file(self, file: str) -> str:
        """A file named in the rendered text, as the spans name files.

        rustc writes paths relative to the cargo workspace root; rust-analyzer's spans are
        absolute. The first `-->` of the rendered text is the primary span's location, so
        the primary span's path minus that relative path is the root to join `file` to.
        """
        if file.startswith("/") or re.match(r"^[A-Za-z]:[\\/]", file) or not self.rendered:
            return file
        primary = self.primary
        arrow = RENDERED_ARROW.search(self.rendered)
        if primary is None or arrow is None:
            return file
        first = arrow.group(1).replace("\\", "/")
        own = primary.file.replace("\\", "/")
        if own == first or not own.endswith("/" + first):
            return file  # the spans are relative too (rustc's JSON): nothing to resolve
        root = primary.file[: len(primary.file) - len(first)]
        return root + file

    def labels(self) -> Iterator[tuple[Span, str]]:
        """Every labelled span, the diagnostic's own first, then its children's."""
        for span in self.spans:
            if span.label:
                yield span, span.label
        for child in self.children:
            for span in child.spans:
                if span.label:
                    yield span, span.label

    def notes(self, level: str | None = None) -> Iterator[Note]:
        for child in self.children:
            if level is None or child.level == level:
                yield child

    def all_text(self) -> str:
        """Message, labels and child messages joined: what a matcher usually searches."""
        parts = [self.message]
        parts.extend(label for _, label in self.labels())
        parts.extend(child.message for child in self.children)
        return "\n".join(parts)

    def find(self, pattern: str | re.Pattern[str]) -> re.Match[str] | None:
        """First regex match over the message, then labels, then child messages."""
        regex = re.compile(pattern) if isinstance(pattern, str) else pattern
        for text in self._texts():
            found = regex.search(text)
            if found:
                return found
        return None

    def find_all(self, pattern: str | re.Pattern[str]) -> list[tuple[Span | None, re.Match[str]]]:
        """Every regex match with the span whose label matched (None for messages)."""
        regex = re.compile(pattern) if isinstance(pattern, str) else pattern
        hits: list[tuple[Span | None, re.Match[str]]] = []
        for found in regex.finditer(self.message):
            hits.append((None, found))
        for span, label in self.labels():
            for found in regex.finditer(label):
                hits.append((span, found))
        for child in self.children:
            for found in regex.finditer(child.message):
                hits.append((child.spans[0] if child.spans else None, found))
        return hits

    def span_labelled(self, pattern: str | re.Pattern[str]) -> tuple[Span, re.Match[str]] | None:
        """The first span (own or a child's) whose label matches `pattern`."""
        regex = re.compile(pattern) if isinstance(pattern, str) else pattern
        for span, label in self.labels():
            found = regex.search(label)
            if found:
                return span, found
        return None

    def _texts(self) -> Iterator[str]:
        yield self.message
        for _, label in self.labels():
            yield label
        for child in self.children:
            yield child.message


_DEPENDENCY_PATH = re.compile(
    r"(^|/)(\.cargo/(registry|git)/|\.rustup/toolchains/|lib/rustlib/src/)|^/rustc/[0-9a-f]+/")


def in_dependency(path: str) -> bool:
    """True for a file of another crate: the registry or git checkouts cargo downloads, or
    the standard library's sources. rustc reports workspace files relative and these absolute;
    rust-analyzer makes every path absolute, so the location itself must tell."""
    return bool(_DEPENDENCY_PATH.search(path.replace("\\", "/")))
