"""Pure layer: fix ids are declared, not made up on the way. Every fix offered for any error a
fixture records is one its family lists in `fix_ids`, and every listed id is offered by some
fixture, so the ids the docs show are the ids the code offers."""

from __future__ import annotations

from functools import cache

import pytest

from borrowlens.analyses.families.base import Family
from borrowlens.analyses.families.offers import offered_fixes
from borrowlens.analyses.families.registry import all_families, classify
from support.fixtures import cases

# Declared ids no fixture can offer yet, each with the reason. Keep this short: an id here is
# an edit the real compiler never checks.
UNREACHED: dict[tuple[str, str], str] = {
    # future-not-send hands its culprit to the same rewrite as send-rc-across-await, but the
    # send analysis gives every culprit it sees as an `Rc` to that family: only an `Rc` it
    # classes otherwise (the type of an awaited future whose expression is unknown) could get
    # here, and no recorded rustc output has one.
    ("future-not-send", "rc-to-arc"): "a safety net no recorded diagnostic reaches",
}


@cache
def offered() -> dict[str, set[str]]:
    """Fix ids offered per family over every error every fixture records."""
    found: dict[str, set[str]] = {family.id: set() for family in all_families()}
    for case in cases():
        sources = case.sources()
        for diagnostic in case.recorded():
            match = classify(diagnostic, sources)
            if match is not None:
                found[match.family.id].update(fix.id for fix in offered_fixes(match, sources))
    return found


@pytest.mark.parametrize("family", all_families(), ids=lambda f: f.id)
def test_offered_fixes_are_declared(family: Family) -> None:
    undeclared = offered()[family.id] - set(family.fix_ids)
    assert not undeclared, (
        f"{family.id} offers {sorted(undeclared)}, which its `fix_ids` does not list")


@pytest.mark.parametrize("family", all_families(), ids=lambda f: f.id)
def test_declared_fixes_are_offered_by_a_fixture(family: Family) -> None:
    unreached = {fix_id for fix_id in family.fix_ids
                 if fix_id not in offered()[family.id]
                 and (family.id, fix_id) not in UNREACHED}
    assert not unreached, (
        f"{family.id} declares {sorted(unreached)} but no fixture gets it: add a fixture "
        "case, or list it in UNREACHED with the reason")


def test_fix_ids_are_unique_kebab_case() -> None:
    for family in all_families():
        assert len(set(family.fix_ids)) == len(family.fix_ids), family.id
        for fix_id in family.fix_ids:
            assert fix_id == fix_id.lower() and " " not in fix_id and "_" not in fix_id, fix_id


def test_allow_list_names_declared_ids_that_really_go_unoffered() -> None:
    for family_id, fix_id in UNREACHED:
        family = next(f for f in all_families() if f.id == family_id)
        assert fix_id in family.fix_ids, (family_id, fix_id)
        assert fix_id not in offered()[family_id], f"{family_id}/{fix_id} is offered now"
