"""Integration layer: rustc's rendered text in colour changes nothing borrowlens makes of it.

VS Code's rust-analyzer extension advertises `experimental.colorDiagnosticOutput`, so the
`data.rendered` rust-analyzer publishes carries the terminal escape codes of
`--message-format=json-diagnostic-rendered-ansi`. Every fixture is compiled by the real rustc
in both shapes, and each shape, read as rustc's JSON and as rust-analyzer's LSP diagnostic,
must give the same family, facts, explanation, related locations and fixes. The editor still
gets rust-analyzer's own coloured bytes.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from borrowlens.analyses.diagnostics.model import Diagnostic, strip_escapes
from borrowlens.analyses.diagnostics.rustc_json import from_cargo_messages
from borrowlens.analyses.explain import render as explain
from borrowlens.analyses.families.offers import offered_fixes
from borrowlens.analyses.families.registry import classify
from borrowlens.analyses.rust.sources import MappingSources
from borrowlens.server.rustc_lsp import to_lsp
from borrowlens.server.session import Session
from support.fixtures import (
    FIXTURES,
    Case,
    cases,
    live_coloured_messages,
    live_messages,
    target,
)
from support.lsp_shape import published_diagnostics

CASES = cases()


def _outcome(diagnostic: Diagnostic, sources: MappingSources) -> dict[str, Any]:
    match = classify(diagnostic, sources)
    if match is None:
        return {"family": None}
    explanation = match.family.explain(match)
    return {"family": match.family.id, "facts": match.facts,
            "explanation": explain.markdown(explanation, full=True),
            "short": explain.markdown(explanation, full=False),
            "related": [(r.span.location(), r.message) for r in match.related],
            "fixes": [f.to_json() for f in offered_fixes(match, sources)]}


def _stable(rendered: str) -> str:
    """Without what differs between two compilations: rustc names the file it writes a long
    type to with a fresh number each time."""
    return re.sub(r"long-type-\d+", "long-type-N", rendered)


def _cargo_lines(case: Case, coloured: bool) -> list[dict[str, Any]]:
    return list((live_coloured_messages if coloured else live_messages)().get(case.package, []))


def _messages(case: Case, coloured: bool) -> list[dict[str, Any]]:
    return [line["message"] for line in _cargo_lines(case, coloured)]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_coloured_and_plain_give_the_same_result(case: Case) -> None:
    plain, coloured = _messages(case, False), _messages(case, True)
    assert any("\x1b[" in (m.get("rendered") or "") for m in coloured), (
        f"{case.id}: cargo did not colour the rendered text; the test would prove nothing")
    assert [_stable(strip_escapes(m.get("rendered") or "")) for m in coloured] == [
        _stable(m.get("rendered") or "") for m in plain], (
            f"{case.id}: stripping left something behind")
    sources = case.sources()
    for shape in ("rustc-json", "lsp"):
        outcomes = []
        for coloured_shape, messages in ((False, plain), (True, coloured)):
            if shape == "rustc-json":
                diagnostics = from_cargo_messages(_cargo_lines(case, coloured_shape))
            else:
                diagnostics = published_diagnostics(case, messages=messages)
            outcomes.append(_outcome(target(case, diagnostics), sources))
        assert outcomes[0] == outcomes[1], f"{case.id} ({shape}): colour changed the result"
        assert outcomes[1]["family"] == (case.expect["family"] or None)


def test_enrichment_keeps_rust_analyzers_coloured_bytes() -> None:
    """The proxy reads the plain text but forwards rust-analyzer's `data.rendered` as it was,
    and the fix the plain text gives is offered for the coloured one too."""
    case = next(c for c in CASES if c.id == "send-rc-across-await/local-rc-untouched")
    message = next(m for m in _messages(case, True) if m["level"] == "error")
    published = to_lsp(message, FIXTURES)
    uri = published[0][0]
    session = Session()
    session.settings.summary_in_message = False
    enriched = session.enrich({"uri": uri, "diagnostics": [d for u, d in published if u == uri]})
    assert enriched is not None
    ours = [d for d in enriched["diagnostics"] if "borrowlens" in (d.get("data") or {})]
    assert len(ours) == 1
    assert ours[0]["data"]["rendered"] == message["rendered"]
    assert "\x1b[" in ours[0]["data"]["rendered"]
    info = ours[0]["data"]["borrowlens"]
    assert info["family"] == "send-rc-across-await" and info["fixes"][:1] == ["rc-to-arc"]
    assert "`shared`" in info["tldr"]
