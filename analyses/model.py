"""The normalised diagnostic every family matches against.

Two producers feed it: rustc's JSON (`cargo check --message-format=json`) and the LSP
diagnostics rust-analyzer publishes from its flycheck. Both are reduced to the same shape — a
primary message with its code, spans (1-based lines, 1-based columns counted in Unicode
scalar values, as rustc counts them) and child notes — so a matcher never has to care where a
diagnostic came from.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
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


# A location line of rustc's rendered text: `  --> src/lib.rs:12:5`.
RENDERED_ARROW = re.compile(r"^\s*-->\s*(?P<file>.+?):(?P<line>\d+):(?P<column>\d+)\s*$",
                            re.MULTILINE)


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


# --- rustc JSON -------------------------------------------------------------------------------


def _span_from_rustc(raw: JsonDict) -> Span:
    macro = None
    expansion = raw.get("expansion")
    if isinstance(expansion, Mapping):
        macro = str(expansion.get("macro_decl_name") or "") or None
    text = tuple(str(t.get("text", "")) for t in raw.get("text") or ())
    return Span(
        file=str(raw["file_name"]),
        line_start=int(raw["line_start"]),
        column_start=int(raw["column_start"]),
        line_end=int(raw["line_end"]),
        column_end=int(raw["column_end"]),
        label=raw.get("label"),
        is_primary=bool(raw.get("is_primary")),
        text=text,
        macro=macro,
    )


def _note_from_rustc(raw: JsonDict) -> Note:
    spans = tuple(_span_from_rustc(s) for s in raw.get("spans") or ())
    suggestions = tuple(
        Suggestion(span=span, replacement=str(s["suggested_replacement"]),
                   applicability=s.get("suggestion_applicability"))
        for s, span in zip(raw.get("spans") or (), spans, strict=True)
        if s.get("suggested_replacement") is not None
    )
    return Note(level=str(raw.get("level", "note")), message=str(raw.get("message", "")),
                spans=spans, suggestions=suggestions)


_DEPENDENCY_PATH = re.compile(
    r"(^|/)(\.cargo/(registry|git)/|\.rustup/toolchains/|lib/rustlib/src/)|^/rustc/[0-9a-f]+/")


def in_dependency(path: str) -> bool:
    """True for a file of another crate: the registry or git checkouts cargo downloads, or
    the standard library's sources. rustc reports workspace files relative and these absolute;
    rust-analyzer makes every path absolute, so the location itself must tell."""
    return bool(_DEPENDENCY_PATH.search(path.replace("\\", "/")))


def _in_workspace(raw: JsonDict) -> JsonDict:
    """For a primary span inside another crate's macro (tokio::select!, println!), the first
    call site up the expansion stack that lies in the user's workspace — rustc reports
    workspace files with relative paths — the way rust-analyzer picks its location."""
    current: JsonDict | None = raw
    while current is not None:
        name = str(current.get("file_name", ""))
        if not name.startswith("/") and not name.startswith("<"):
            if current is raw:
                return raw
            return {**current, "label": raw.get("label"), "is_primary": True,
                    "expansion": raw.get("expansion")}
        expansion = current.get("expansion")
        current = expansion.get("span") if isinstance(expansion, Mapping) else None
    return raw


def _plain(rendered: object) -> str | None:
    return strip_escapes(str(rendered)) if rendered is not None else None


def from_rustc(raw: JsonDict) -> Diagnostic:
    """Build a Diagnostic from rustc's JSON diagnostic (the `message` of a cargo message)."""
    code_obj = raw.get("code")
    code = str(code_obj["code"]) if isinstance(code_obj, Mapping) and code_obj.get("code") else None
    return Diagnostic(
        level=str(raw.get("level", "error")),
        message=str(raw.get("message", "")),
        code=code,
        spans=tuple(_span_from_rustc(_in_workspace(s) if s.get("is_primary") else s)
                    for s in raw.get("spans") or ()),
        children=tuple(_note_from_rustc(c) for c in raw.get("children") or ()),
        rendered=_plain(raw.get("rendered")),
        source="rustc",
    )


def from_cargo_messages(lines: Iterable[str | JsonDict]) -> list[Diagnostic]:
    """Diagnostics from `cargo check --message-format=json` output, in order.

    Lines that are not compiler messages (artifacts, build-finished, plain text a build script
    printed) are skipped; so are the summary lines rustc adds ("aborting due to …").
    """
    out: list[Diagnostic] = []
    for item in lines:
        if isinstance(item, str):
            text = item.strip()
            if not text.startswith("{"):
                continue
            try:
                obj: JsonDict = json.loads(text)
            except ValueError:
                continue
        else:
            obj = item
        if obj.get("reason") != "compiler-message":
            continue
        message = obj.get("message")
        if not isinstance(message, Mapping):
            continue
        if not message.get("spans") and _is_summary(str(message.get("message", ""))):
            continue
        out.append(from_rustc(message))
    return out


def _is_summary(message: str) -> bool:
    return (
        message.startswith("aborting due to")
        or message.startswith("Some errors have detailed explanations")
        or message.startswith("For more information about")
        or bool(re.match(r"^(\d+ )?(warnings?|errors?) emitted", message))
        or "generated \\d+ warning" in message
    )


# --- LSP (rust-analyzer flycheck) -------------------------------------------------------------

# How rust-analyzer flattens a rustc diagnostic (crates/rust-analyzer/src/diagnostics/to_proto.rs):
# * message = rustc's message, then one line per child that has no span (bare text, no
#   "note:" prefix); when there is no such child, the primary span's label instead;
# * relatedInformation = each labelled secondary span (message = label), then each child with a
#   span (message = the child's text, plus ": `replacement`" for suggestions);
# * one extra severity-4 "hint" diagnostic per related entry, pointing back at the parent with
#   relatedInformation "original diagnostic";
# * data.rendered = rustc's full rendered text.
# Levels of children are lost on the way, so matchers search labels and notes alike.

LineSource = Callable[[str, int], "str | None"]
ResolveUri = Callable[[str], str]
_SEVERITY = {1: "error", 2: "warning", 3: "note", 4: "help"}


def units_to_column(text: str, units: int, encoding: str) -> int:
    """Number of scalar values in the prefix of `text` that is `units` code units long."""
    if encoding == "utf-32":
        return units
    count = 0
    for column, char in enumerate(text):
        if count >= units:
            return column
        if encoding == "utf-8":
            count += len(char.encode("utf-8"))
        else:
            count += 2 if ord(char) > 0xFFFF else 1
    return len(text) + max(0, units - count)


def column_to_units(text: str, column: int, encoding: str) -> int:
    """The inverse of `units_to_column`: code units in the first `column` scalar values."""
    if encoding == "utf-32":
        return column
    prefix = text[:column]
    extra = max(0, column - len(text))
    if encoding == "utf-8":
        return len(prefix.encode("utf-8")) + extra
    return sum(2 if ord(c) > 0xFFFF else 1 for c in prefix) + extra


@dataclass(frozen=True)
class LspContext:
    """What turning LSP positions into model spans needs to know about the session.

    `resolve_uri` maps an LSP URI to the path diagnostics use; `line_text` gives a 1-based
    line's text (None when unknown: the offset is then taken as already counting scalar
    values, which is right for ASCII lines); `encoding` is the negotiated position encoding.
    """

    resolve_uri: ResolveUri
    line_text: LineSource | None = None
    encoding: str = "utf-16"

    def span(self, uri: str, rng: JsonDict, label: str | None, primary: bool) -> Span:
        path = self.resolve_uri(uri)
        start, end = rng["start"], rng["end"]
        line_start, line_end = int(start["line"]) + 1, int(end["line"]) + 1
        return Span(file=path, line_start=line_start,
                    column_start=self._column(path, line_start, int(start["character"])) + 1,
                    line_end=line_end,
                    column_end=self._column(path, line_end, int(end["character"])) + 1,
                    label=label, is_primary=primary)

    def _column(self, path: str, line: int, units: int) -> int:
        if self.line_text is None or self.encoding == "utf-32":
            return units
        text = self.line_text(path, line)
        return units if text is None else units_to_column(text, units, self.encoding)


ORIGINAL_DIAGNOSTIC = "original diagnostic"


def is_hint_copy(raw: JsonDict) -> bool:
    """True for rust-analyzer's severity-4 copies of a parent's related spans."""
    if raw.get("severity") != 4:
        return False
    related = raw.get("relatedInformation") or ()
    return any(str(r.get("message", "")) == ORIGINAL_DIAGNOSTIC for r in related)


def from_lsp(raw: JsonDict, uri: str, context: LspContext,
             hints: tuple[JsonDict, ...] = ()) -> Diagnostic:
    """Build a Diagnostic from one LSP diagnostic as rust-analyzer publishes it.

    `uri` is the document the diagnostic was published for; `hints` are the hint copies
    grouped under it by `group_lsp`, kept so a caller can hand them back untouched.
    """
    lines = str(raw.get("message", "")).split("\n")
    children = [Note(level="note", message=line) for line in lines[1:] if line]
    spans: list[Span] = [context.span(uri, raw["range"], None, True)]
    for related in raw.get("relatedInformation") or ():
        location = related.get("location") or {}
        message = str(related.get("message", ""))
        if message == ORIGINAL_DIAGNOSTIC or "range" not in location:
            continue
        spans.append(context.span(str(location.get("uri") or uri), location["range"],
                                  message, False))
    code = raw.get("code")
    data = raw.get("data")
    rendered = data.get("rendered") if isinstance(data, Mapping) else None
    return Diagnostic(
        level=_SEVERITY.get(int(raw.get("severity") or 1), "error"),
        message=lines[0],
        code=str(code) if code is not None else None,
        spans=tuple(spans),
        children=tuple(children),
        rendered=_plain(rendered),
        source=str(raw.get("source") or "rust-analyzer"),
        hints=hints,
    )


def group_lsp(diagnostics: Iterable[JsonDict]) -> list[tuple[JsonDict, list[JsonDict]]]:
    """Pairs each real diagnostic with the hint copies rust-analyzer made of its child spans.

    A hint copy carries relatedInformation "original diagnostic" pointing back at the parent's
    range; it is grouped under the parent whose range that is, never explained on its own.
    Hints whose parent is not in the batch stay standalone so nothing is lost.
    """
    parents: list[tuple[JsonDict, list[JsonDict]]] = []
    hints: list[JsonDict] = []
    for raw in diagnostics:
        if is_hint_copy(raw):
            hints.append(raw)
        else:
            parents.append((raw, []))
    for hint in hints:
        origin = next(r for r in hint.get("relatedInformation") or ()
                      if str(r.get("message", "")) == ORIGINAL_DIAGNOSTIC)
        target = origin.get("location", {}).get("range")
        owner = next((kids for parent, kids in parents if parent.get("range") == target
                      and parent.get("severity") != 4), None)
        if owner is None:
            parents.append((hint, []))
        else:
            owner.append(hint)
    return parents
