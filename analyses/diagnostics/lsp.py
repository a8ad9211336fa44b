"""Reads the LSP diagnostics rust-analyzer publishes from its flycheck into the model, and
groups its hint copies of related spans with their parent."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from borrowlens.analyses.diagnostics.lines import split_lines
from borrowlens.analyses.diagnostics.model import Diagnostic, JsonDict, Note, Span, plain_rendered

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
    return _origin(raw) is not None


def _origin(raw: JsonDict) -> JsonDict | None:
    """The "original diagnostic" note of a hint copy (None when it has none: notes that are
    not objects, as a confused producer may send, are passed over)."""
    related = raw.get("relatedInformation")
    return next((r for r in related if isinstance(r, Mapping)
                 and str(r.get("message", "")) == ORIGINAL_DIAGNOSTIC), None) \
        if isinstance(related, list) else None


def from_lsp(raw: JsonDict, uri: str, context: LspContext,
             hints: tuple[JsonDict, ...] = ()) -> Diagnostic:
    """Build a Diagnostic from one LSP diagnostic as rust-analyzer publishes it.

    `uri` is the document the diagnostic was published for; `hints` are the hint copies
    grouped under it by `group_lsp`, kept so a caller can hand them back untouched.
    """
    lines = split_lines(str(raw.get("message", "")))
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
        rendered=plain_rendered(rendered),
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
    # The first possible parent with each range (by `_range_key`): one lookup per hint, not
    # a pass over the batch (quadratic in a file's diagnostics otherwise).
    owners: dict[tuple[object, ...], list[JsonDict]] = {}
    odd = False  # a parent whose range has no key: such batches search as before
    for raw in diagnostics:
        if is_hint_copy(raw):
            hints.append(raw)
            continue
        parents.append((raw, []))
        if raw.get("severity") == 4:
            continue
        key = _range_key(raw.get("range"))
        if key is None:
            odd = True
        else:
            owners.setdefault(key, parents[-1][1])
    for hint in hints:
        location = (_origin(hint) or {}).get("location")
        target = location.get("range") if isinstance(location, Mapping) else None
        key = _range_key(target)
        if key is not None and not odd:
            owner = owners.get(key)
        else:
            owner = next((kids for parent, kids in parents if parent.get("range") == target
                          and parent.get("severity") != 4), None)
        if owner is None:
            parents.append((hint, []))
        else:
            owner.append(hint)
    return parents


def _range_key(rng: object) -> tuple[object, ...] | None:
    """A hashable stand-in for an LSP range, equal exactly when the ranges are (None for
    anything but a plain range, which is compared as it is)."""
    if not isinstance(rng, dict) or rng.keys() != {"start", "end"}:
        return None
    start, end = rng["start"], rng["end"]
    if not (isinstance(start, dict) and isinstance(end, dict)
            and start.keys() == end.keys() == {"line", "character"}):
        return None
    values = (start["line"], start["character"], end["line"], end["character"])
    plain = (int, float, str)
    if type(values[0]) in plain and type(values[1]) in plain and type(values[2]) in plain \
            and type(values[3]) in plain:
        return values
    return None
