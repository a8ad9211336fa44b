"""Pure layer: every fixture's recorded rustc output is recognised as its family, with the
expected facts, and its explanation names them; the same through rust-analyzer's LSP shape."""

from __future__ import annotations

import pytest

from borrowlens.analyses.explain import render as explain
from borrowlens.analyses.families.base import Family, Match
from borrowlens.analyses.families.registry import all_families, classify
from support.fixtures import Case, cases, target
from support.lsp_shape import published_diagnostics

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


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_rust_analyzer_lsp_shape(case: Case) -> None:
    diagnostic = target(case, published_diagnostics(case))
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
