"""Reads rustc's JSON diagnostics (`cargo check --message-format=json`) into the model."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping

from borrowlens.analyses.diagnostics.model import (
    Diagnostic,
    JsonDict,
    Note,
    Span,
    Suggestion,
    plain_rendered,
)

# How far up a span's macro expansions the readers walk: rustc's are a few levels deep; a
# record with more (or a cycle, from a producer that built one in memory) is cut off here.
MAX_EXPANSIONS = 64


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


def _in_workspace(raw: JsonDict) -> JsonDict:
    """For a primary span inside another crate's macro (tokio::select!, println!), the first
    call site up the expansion stack that lies in the user's workspace — rustc reports
    workspace files with relative paths — the way rust-analyzer picks its location."""
    current: JsonDict | None = raw
    for _ in range(MAX_EXPANSIONS):
        if current is None:
            break
        name = str(current.get("file_name", ""))
        if not name.startswith("/") and not name.startswith("<"):
            if current is raw:
                return raw
            return {**current, "label": raw.get("label"), "is_primary": True,
                    "expansion": raw.get("expansion")}
        expansion = current.get("expansion")
        current = expansion.get("span") if isinstance(expansion, Mapping) else None
    return raw


_POSITIONS = ("line_start", "line_end", "column_start", "column_end")
_OPTIONAL_TEXT = ("label", "suggested_replacement", "suggestion_applicability")


def _span_problem(raw: object) -> str | None:
    """Why a span (and the macro call sites it came through) is not rustc's, or None."""
    current: object = raw
    for _ in range(MAX_EXPANSIONS):
        if current is None:
            return None
        if not isinstance(current, Mapping):
            return "a span is not an object"
        if not isinstance(current.get("file_name"), str):
            return "a span has no file name"
        if "\0" in current["file_name"]:
            return "a span's file name contains a NUL byte"
        if not all(type(current.get(key)) is int for key in _POSITIONS):
            return "a span's lines and columns are not numbers"
        if not all(isinstance(current.get(key), str | None) for key in _OPTIONAL_TEXT):
            return "a span's label or suggestion is not text"
        text = current.get("text")
        if text is not None and not (isinstance(text, list)
                                     and all(isinstance(t, Mapping) for t in text)):
            return "a span's text is not a list of lines"
        expansion = current.get("expansion")
        if expansion is not None and not isinstance(expansion, Mapping):
            return "a span's macro expansion is not an object"
        if isinstance(expansion, Mapping) \
                and not isinstance(expansion.get("macro_decl_name"), str | None):
            return "a span's macro name is not text"
        current = expansion.get("span") if isinstance(expansion, Mapping) else None
    return None


def _note_problem(raw: object) -> str | None:
    """Why a diagnostic or a child note is not rustc's (its own fields and spans), or None."""
    if not isinstance(raw, Mapping):
        return "not an object"
    if not isinstance(raw.get("message"), str) or not isinstance(raw.get("level"), str):
        return "no message or level"
    spans = raw.get("spans")
    if spans is not None and not isinstance(spans, list):
        return "its spans are not a list"
    return next(filter(None, map(_span_problem, spans or ())), None)


def problem(raw: object) -> str | None:
    """Why `raw` (the `message` of a cargo compiler message) is not a rustc diagnostic that
    `from_rustc` and the language server can read, or None when it is one. cargo's stdout is
    shared with build scripts and proc macros, which may print anything there."""
    found = _note_problem(raw)
    if found is not None or not isinstance(raw, Mapping):
        return found
    code, rendered, children = raw.get("code"), raw.get("rendered"), raw.get("children")
    if code is not None and not (isinstance(code, Mapping)
                                 and isinstance(code.get("code"), str | None)):
        return "its code is not rustc's"
    if not isinstance(rendered, str | None):
        return "its rendered text is not text"
    if children is not None and not isinstance(children, list):
        return "its children are not a list"
    found = next(filter(None, map(_note_problem, children or ())), None)
    return f"a child note: {found}" if found else None


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
        rendered=plain_rendered(raw.get("rendered")),
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


