"""Reshapes recorded rustc JSON the way rust-analyzer's flycheck publishes it over LSP.

Follows rust-analyzer's documented mapping (diagnostics/to_proto.rs): spanless children become
extra message lines, the primary label is appended only when there are none, labelled secondary
spans and spanned children become relatedInformation, and each related entry is repeated as a
severity-4 hint pointing back with "original diagnostic". Used to prove that the LSP side of
the model reaches the same family as the JSON side. Columns here are ASCII-only fixtures'
(scalar columns minus one), which is what rust-analyzer sends for ASCII lines.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from borrowlens.analyses.model import Diagnostic, LspContext, from_lsp, group_lsp

from .fixtures import FIXTURES, Case


def _uri(root: Path, file_name: str) -> str:
    return (root / file_name).as_uri()


def _primary_location(span: dict[str, Any]) -> dict[str, Any]:
    """rust-analyzer's choice for a primary span inside a macro from another crate: the first
    span of the expansion stack that lies in the workspace (relative path), else the
    outermost call site."""
    current: dict[str, Any] | None = span
    last = span
    while current is not None:
        if not Path(current["file_name"]).is_absolute():
            return current
        last = current
        expansion = current.get("expansion")
        current = expansion.get("span") if expansion else None
    return last


def _range(span: dict[str, Any]) -> dict[str, Any]:
    return {"start": {"line": span["line_start"] - 1, "character": span["column_start"] - 1},
            "end": {"line": span["line_end"] - 1, "character": span["column_end"] - 1}}


def to_lsp(message: dict[str, Any], root: Path) -> list[tuple[str, dict[str, Any]]]:
    """(uri, diagnostic) pairs rust-analyzer would publish for one rustc diagnostic."""
    primaries = [s for s in message.get("spans") or () if s.get("is_primary")]
    if not primaries:
        return []
    related: list[dict[str, Any]] = []
    for span in message["spans"]:
        if not span.get("is_primary") and span.get("label"):
            related.append({"location": {"uri": _uri(root, span["file_name"]),
                                         "range": _range(span)},
                            "message": span["label"]})
    text = message["message"]
    spanless_child = False
    for child in message.get("children") or ():
        child_primaries = [s for s in child.get("spans") or () if s.get("is_primary")]
        if not child_primaries:
            text += "\n" + child["message"]
            spanless_child = True
            continue
        child_text = child["message"]
        replacements = [s["suggested_replacement"] for s in child_primaries
                        if s.get("suggested_replacement")]
        if replacements:
            child_text += ": " + ", ".join(f"`{r}`" for r in replacements)
        related.append({"location": {"uri": _uri(root, child_primaries[0]["file_name"]),
                                     "range": _range(child_primaries[0])},
                        "message": child_text})
    code = (message.get("code") or {}).get("code")
    out: list[tuple[str, dict[str, Any]]] = []
    for original in primaries:
        primary = {**_primary_location(original), "label": original.get("label")}
        body = text
        if not spanless_child and primary.get("label"):
            body += "\n" + primary["label"]
        uri = _uri(root, primary["file_name"])
        diagnostic: dict[str, Any] = {
            "range": _range(primary), "severity": 1 if message["level"] == "error" else 2,
            "source": "rustc", "message": body, "data": {"rendered": message.get("rendered")},
        }
        if code:
            diagnostic["code"] = code
            diagnostic["codeDescription"] = {
                "href": f"https://doc.rust-lang.org/error-index.html#{code}"}
        if related:
            diagnostic["relatedInformation"] = related
        out.append((uri, diagnostic))
        back = {"location": {"uri": uri, "range": _range(primary)},
                "message": "original diagnostic"}
        for entry in related:
            hint: dict[str, Any] = {"range": entry["location"]["range"], "severity": 4,
                                    "source": "rustc", "message": entry["message"],
                                    "relatedInformation": [back]}
            if code:
                hint["code"] = code
            out.append((entry["location"]["uri"], hint))
    return out


def _path_of(uri: str) -> str:
    """Paths inside the fixture workspace relative to it (as rustc reports them), others
    (std, crates.io sources) absolute."""
    path = Path(unquote(urlparse(uri).path))
    return str(path.relative_to(FIXTURES)) if path.is_relative_to(FIXTURES) else str(path)


def published_diagnostics(case: Case) -> list[Diagnostic]:
    """A fixture's recorded diagnostics as rust-analyzer would publish them, read back through
    the model (hint copies grouped under their parent, leftover hints dropped)."""
    sources = case.sources()
    context = LspContext(resolve_uri=_path_of, line_text=sources.line)
    published: dict[str, list[dict[str, Any]]] = {}
    for message in case.recorded_raw():
        for uri, diagnostic in to_lsp(message, FIXTURES):
            published.setdefault(uri, []).append(diagnostic)
    out = [from_lsp(parent, uri, context, tuple(hints))
           for uri, batch in published.items() for parent, hints in group_lsp(batch)]
    return [d for d in out if d.level != "help"]
