"""A fixture's recorded rustc JSON as rust-analyzer would publish it over LSP.

The reshaping itself is `borrowlens.server.rustc_lsp.to_lsp` (the standalone server publishes
with it too). Columns here are scalar columns minus one, which is what rust-analyzer sends
for lines without characters outside the Basic Multilingual Plane in UTF-16.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from borrowlens.analyses.diagnostics.lsp import LspContext, from_lsp, group_lsp
from borrowlens.analyses.diagnostics.model import Diagnostic
from borrowlens.analyses.rust.sources import MappingSources
from borrowlens.server.rustc_lsp import to_lsp
from borrowlens.server.session import Session

from .fixtures import FIXTURES, Case


def _path_of(uri: str) -> str:
    """Paths inside the fixture workspace relative to it (as rustc reports them), others
    (std, crates.io sources) absolute."""
    path = Path(unquote(urlparse(uri).path))
    return str(path.relative_to(FIXTURES)) if path.is_relative_to(FIXTURES) else str(path)


def _absolute_path_of(uri: str) -> str:
    return unquote(urlparse(uri).path)


def published_diagnostics(case: Case, *, absolute_paths: bool = False,
                          messages: list[dict[str, Any]] | None = None) -> list[Diagnostic]:
    """A fixture's recorded diagnostics (or the rustc `messages` given) as rust-analyzer would
    publish them, read back through the model (hint copies grouped under their parent,
    leftover hints dropped). Paths are relative to tests/fixtures as in rustc's JSON, or
    absolute as the language server has them."""
    sources = case.sources()
    if absolute_paths:
        sources = MappingSources({str(p): p.read_text(encoding="utf-8")
                                  for p in sorted(case.path.rglob("*.rs"))})
    context = LspContext(resolve_uri=_absolute_path_of if absolute_paths else _path_of,
                         line_text=sources.line)
    published: dict[str, list[dict[str, Any]]] = {}
    for message in case.recorded_raw() if messages is None else messages:
        for uri, diagnostic in to_lsp(message, FIXTURES):
            published.setdefault(uri, []).append(diagnostic)
    out = [from_lsp(parent, uri, context, tuple(hints))
           for uri, batch in published.items() for parent, hints in group_lsp(batch)]
    return [d for d in out if d.level != "help"]


def enriched_session(case: Case) -> tuple[Session, str, list[dict[str, Any]], dict[str, Any]]:
    """A session that has enriched the case's first recorded error as rust-analyzer publishes
    it: the session, the error's URI, its diagnostics in that file as published (enriched when
    recognised), and the LSP range of the error itself."""
    message = next(m for m in case.recorded_raw() if m["level"] == "error")
    pairs = to_lsp(message, FIXTURES)
    uri = pairs[0][0]
    session = Session()
    enriched = session.enrich({"uri": uri, "diagnostics": [d for u, d in pairs if u == uri]})
    assert enriched is not None, f"{case.id}: nothing recognised"
    return session, uri, enriched["diagnostics"], pairs[0][1]["range"]
