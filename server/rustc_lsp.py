"""rustc's JSON diagnostics reshaped the way rust-analyzer's flycheck publishes them over LSP.

Follows rust-analyzer's mapping (diagnostics/to_proto.rs): spanless children become extra
message lines, the primary label is appended only when there are none, labelled secondary
spans and spanned children become relatedInformation, each related entry is repeated as a
severity-4 hint pointing back with "original diagnostic", and a primary span inside another
crate's macro moves to the first span of its expansion that lies in the workspace.

The standalone server publishes its own `cargo check` results in this shape, so everything
downstream (enrichment, hover, fixes) sees the same diagnostics in both modes; the tests use
it to prove that the LSP side of the model reaches the same family as the JSON side.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from borrowlens.analyses.diagnostics.rustc_json import MAX_EXPANSIONS

RangeOf = Callable[[dict[str, Any]], dict[str, Any]]


def _uri(root: Path, file_name: str) -> str:
    return (root / file_name).as_uri()


def _primary_location(span: dict[str, Any]) -> dict[str, Any]:
    """rust-analyzer's choice for a primary span inside a macro from another crate: the first
    span of the expansion stack that lies in the workspace (relative path), else the
    outermost call site."""
    current: dict[str, Any] | None = span
    last = span
    for _ in range(MAX_EXPANSIONS):
        if current is None:
            break
        if not Path(current["file_name"]).is_absolute():
            return current
        last = current
        expansion = current.get("expansion")
        current = expansion.get("span") if expansion else None
    return last


def ascii_range(span: dict[str, Any]) -> dict[str, Any]:
    """LSP range of a rustc span on ASCII text (scalar columns minus one)."""
    return {"start": {"line": span["line_start"] - 1, "character": span["column_start"] - 1},
            "end": {"line": span["line_end"] - 1, "character": span["column_end"] - 1}}


def to_lsp(message: dict[str, Any], root: Path,
           to_range: RangeOf = ascii_range) -> list[tuple[str, dict[str, Any]]]:
    """(uri, diagnostic) pairs rust-analyzer would publish for one rustc diagnostic.

    `to_range` turns a rustc span into an LSP range in the session's position encoding.
    """
    primaries = [s for s in message.get("spans") or () if s.get("is_primary")]
    if not primaries:
        return []
    related: list[dict[str, Any]] = []
    for span in message["spans"]:
        if not span.get("is_primary") and span.get("label"):
            related.append({"location": {"uri": _uri(root, span["file_name"]),
                                         "range": to_range(span)},
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
                                     "range": to_range(child_primaries[0])},
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
            "range": to_range(primary), "severity": 1 if message["level"] == "error" else 2,
            "source": "rustc", "message": body, "data": {"rendered": message.get("rendered")},
        }
        if code:
            diagnostic["code"] = code
            diagnostic["codeDescription"] = {
                "href": f"https://doc.rust-lang.org/error-index.html#{code}"}
        if related:
            diagnostic["relatedInformation"] = related
        out.append((uri, diagnostic))
        back = {"location": {"uri": uri, "range": to_range(primary)},
                "message": "original diagnostic"}
        for entry in related:
            hint: dict[str, Any] = {"range": entry["location"]["range"], "severity": 4,
                                    "source": "rustc", "message": entry["message"],
                                    "relatedInformation": [back]}
            if code:
                hint["code"] = code
            out.append((entry["location"]["uri"], hint))
    return out
