"""The trait-bound families (thread-spawn-not-send, cannot-be-unpinned,
async-trait-dyn-incompatible, async-trait-future-not-send) through rust-analyzer's LSP shape,
with related spans that point outside the fixtures (std's `/rustc/…` sources, crates in the
cargo registry, a `tokio::select!` expansion) kept as absolute paths instead of failing.

rust-analyzer publishes such spans as they are (or, for a primary span inside another crate's
macro, at the invocation); the shared harness only resolves URIs under tests/fixtures.
"""

from __future__ import annotations

import pytest

from borrowlens.analyses.diagnostics.pasted import from_rendered
from borrowlens.analyses.explain import render as explain
from borrowlens.analyses.families.base import Match
from borrowlens.analyses.families.registry import classify
from support.fixtures import Case, cases, target
from support.lsp_shape import published_diagnostics

FAMILIES = ("thread-spawn-not-send", "cannot-be-unpinned", "async-trait-dyn-incompatible",
            "async-trait-future-not-send")
CASES = [case for case in cases() if case.family in FAMILIES]


def _check(case: Case, match: Match | None, skip: tuple[str, ...]) -> None:
    expected = case.expect["family"]
    if not expected:
        assert match is None or match.family.id not in FAMILIES
        return
    assert match is not None, f"{case.id}: not recognised"
    assert match.family.id == expected
    for key, value in case.expect.get("facts", {}).items():
        if key not in skip:
            assert match.facts.get(key) == value, f"{case.id}: fact {key}"
    full = explain.markdown(match.family.explain(match), full=True)
    for word in case.expect.get("explanation", {}).get("mentions", []):
        assert word in full, f"{case.id}: explanation does not mention {word!r}"
    assert "None" not in full


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_lsp_shape_with_outside_spans(case: Case) -> None:
    diagnostic = target(case, published_diagnostics(case))
    skip = tuple(case.expect.get("lsp_skip_facts", ()))
    _check(case, classify(diagnostic, case.sources()), skip)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_pasted_rendered_text(case: Case) -> None:
    """The terminal text a user pastes reaches the same family (facts may be fewer)."""
    first = target(case, case.recorded())
    assert first.rendered
    pasted = from_rendered(first.rendered)
    assert pasted is not None
    match = classify(pasted, case.sources())
    if case.expect["family"]:
        assert match is not None and match.family.id == case.expect["family"], case.id
    else:
        assert match is None or match.family.id not in FAMILIES
