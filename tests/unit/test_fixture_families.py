"""Pure layer: every fixture's recorded rustc output is recognised as its family, with the
expected facts, and its explanation names them; the same through rust-analyzer's LSP shape."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from borrowlens.analyses import explain
from borrowlens.analyses.families.base import Family, Match
from borrowlens.analyses.model import Diagnostic, LspContext, from_lsp, group_lsp
from borrowlens.analyses.registry import all_families, classify
from support.fixtures import FIXTURES, Case, cases, target
from support.lsp_shape import to_lsp

CASES = cases()


def check_match(case: Case, match: Match | None, *, skip_facts: tuple[str, ...] = ()) -> None:
    expected = case.expect["family"]
    if not expected:
        assert match is None, f"{case.id} must stay unrecognised, got {match and match.family.id}"
        return
    assert match is not None, f"{case.id}: not recognised (expected {expected})"
    assert match.family.id == expected
    for key, value in case.expect.get("facts", {}).items():
        if key in skip_facts:
            continue
        assert match.facts.get(key) == value, f"{case.id}: fact {key}"
    explanation = match.family.explain(match)
    full = explain.markdown(explanation, full=True)
    for word in case.expect.get("explanation", {}).get("mentions", []):
        assert word in full, f"{case.id}: explanation does not mention {word!r}"
    assert "\n" not in explanation.tldr and explanation.tldr.strip()
    assert "None" not in full, "a missing fact leaked into the text"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_recorded_rustc_json(case: Case) -> None:
    diagnostic = target(case, case.recorded())
    check_match(case, classify(diagnostic, case.sources()))


def _path_of(uri: str) -> str:
    """Paths inside the fixture workspace relative to it (as rustc reports them), others
    (std, crates.io sources) absolute."""
    path = Path(unquote(urlparse(uri).path))
    return str(path.relative_to(FIXTURES)) if path.is_relative_to(FIXTURES) else str(path)


def lsp_diagnostics(case: Case) -> list[Diagnostic]:
    """The case's recorded diagnostics as rust-analyzer would publish them, read back."""
    sources = case.sources()
    context = LspContext(resolve_uri=_path_of, line_text=sources.line)
    published: dict[str, list[dict[str, object]]] = {}
    for message in case.recorded_raw():
        for uri, diagnostic in to_lsp(message, FIXTURES):
            published.setdefault(uri, []).append(diagnostic)
    out = []
    for uri, batch in published.items():
        for parent, hints in group_lsp(batch):
            out.append(from_lsp(parent, uri, context, tuple(hints)))
    return [d for d in out if d.level != "help"]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_rust_analyzer_lsp_shape(case: Case) -> None:
    diagnostic = target(case, lsp_diagnostics(case))
    skip = tuple(case.expect.get("lsp_skip_facts", ()))
    check_match(case, classify(diagnostic, case.sources()), skip_facts=skip)


def test_every_family_has_two_fixture_shapes() -> None:
    counts = {family.id: 0 for family in all_families()}
    for case in CASES:
        if case.expect["family"]:
            counts[case.expect["family"]] += 1
    thin = {family: n for family, n in counts.items() if n < 2}
    assert not thin, f"families with fewer than two fixture cases: {thin}"


@pytest.mark.parametrize("family", all_families(), ids=lambda f: f.id)
def test_generic_explanation_reads_without_facts(family: Family) -> None:
    explanation = family.explain(family.generic())
    full = explain.markdown(explanation, full=True)
    assert "None" not in full and "{" not in explanation.tldr
    for part in (explanation.what, explanation.why, explanation.fix, explanation.rule):
        assert len(part.strip()) > 40, f"{family.id}: a section is empty or a stub"
