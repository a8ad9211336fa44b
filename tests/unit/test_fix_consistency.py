"""Pure layer: an explanation that recommends a change offers the fix that makes it, unless
its family declares why not. Over every fixture: when the explanation has a `change` section
(the hover's "Fix:") and no fix is offered, the family must say why — `design_choices` or
`no_fix_reason` for a family whose changes are decisions for the user, or a `no_fix_when`
fact its matcher set for this shape."""

from __future__ import annotations

from functools import cache

import pytest

from borrowlens.analyses.families.base import Family, Match
from borrowlens.analyses.families.offers import offered_fixes
from borrowlens.analyses.families.registry import all_families, classify
from support.fixtures import Case, cases, target

CASES = [c for c in cases() if c.expect.get("family")]


@cache
def _outcome(case: Case) -> tuple[Match, bool]:
    """The case's match and whether any fix is offered for it."""
    sources = case.sources()
    match = classify(target(case, case.recorded()), sources)
    assert match is not None, case.id
    return match, bool(offered_fixes(match, sources))


def _marks(shape: str, match: Match) -> bool:
    """`fact` marks a match that has the fact; `fact=value` one whose fact has that value."""
    fact, _, value = shape.partition("=")
    return fact in match.facts and (not value or match.fact(fact) == value)


def _declared_reason(family: Family, match: Match) -> str | None:
    if family.design_choices or family.no_fix_reason:
        return family.design_choices or family.no_fix_reason
    return next((reason for shape, reason in family.no_fix_when.items()
                 if _marks(shape, match)), None)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_recommended_change_comes_with_a_fix_or_a_reason(case: Case) -> None:
    match, fixed = _outcome(case)
    change = match.family.explain(match).change
    if fixed or not change or not change.strip():
        return
    assert _declared_reason(match.family, match), (
        f"{case.id}: the explanation recommends a change ({change.strip()[:120]!r}) but no fix "
        f"is offered and {match.family.id} declares no reason (no_fix_reason, no_fix_when "
        "or design_choices)")


@pytest.mark.parametrize("family", all_families(), ids=lambda f: f.id)
def test_declared_reasons_are_sentences_and_reached(family: Family) -> None:
    """Each reason says something, and each `no_fix_when` fact marks some fixture that
    offers no fix (a stale declaration would excuse nothing, or the wrong thing)."""
    for reason in (family.no_fix_reason, *family.no_fix_when.values()):
        assert reason == "" or len(reason.split()) >= 4, f"{family.id}: {reason!r}"
    unfixed = [m for m, fixed in (_outcome(c) for c in CASES) if m.family.id == family.id
               and not fixed]
    for shape in family.no_fix_when:
        assert any(_marks(shape, m) for m in unfixed), (
            f"{family.id}: no fixture without a fix is marked {shape!r}")
