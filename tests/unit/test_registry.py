"""Pure layer: the registry's order is declared, not guessed. Families name the more general
families they refine; the order is a topological sort of those edges, and no diagnostic any
fixture records may be claimed by two families that do not refine one another (that order
would then be an accident of their ids)."""

from __future__ import annotations

import itertools

import pytest

from borrowlens.analyses.diagnostics.model import Diagnostic
from borrowlens.analyses.explain.model import Explanation
from borrowlens.analyses.families.base import Family, Match
from borrowlens.analyses.families.registry import (
    all_families,
    family_by_id,
    generalisations,
    refinement_order,
)
from borrowlens.analyses.rust.sources import Sources
from support.fixtures import Case, cases
from support.lsp_shape import published_diagnostics

CASES = cases()


def _fake(family_id: str, refines: tuple[str, ...] = ()) -> Family:
    """A family that matches nothing, to exercise the ordering alone."""

    class Fake(Family):
        id = family_id
        title = family_id
        codes = ()

        def match(self, diagnostic: Diagnostic, sources: Sources) -> Match | None:
            return None

        def explain(self, match: Match) -> Explanation:
            raise NotImplementedError

    Fake.refines = refines
    return Fake()


def test_refines_names_other_families() -> None:
    ids = {family.id for family in all_families()}
    for family in all_families():
        assert family.id not in family.refines, f"{family.id} refines itself"
        unknown = set(family.refines) - ids
        assert not unknown, f"{family.id} refines unknown families {sorted(unknown)}"


def test_refinements_come_before_what_they_refine() -> None:
    position = {family.id: index for index, family in enumerate(all_families())}
    for family in all_families():
        for general in generalisations(family):
            assert position[family.id] < position[general], (family.id, general)


def test_unrelated_families_go_by_id() -> None:
    order = refinement_order([_fake("c"), _fake("a"), _fake("b", ("a",)), _fake("d")])
    assert [f.id for f in order] == ["b", "a", "c", "d"]


def test_a_cycle_is_an_error() -> None:
    with pytest.raises(RuntimeError, match="cycle"):
        refinement_order([_fake("a", ("b",)), _fake("b", ("c",)), _fake("c", ("a",))])


def test_an_unknown_refinement_is_an_error() -> None:
    with pytest.raises(RuntimeError, match="names no other family"):
        refinement_order([_fake("a", ("nowhere",))])


def _errors(case: Case) -> list[Diagnostic]:
    """The case's recorded errors, as rustc's JSON and as rust-analyzer publishes them."""
    found = [*case.recorded(), *published_diagnostics(case)]
    return [d for d in found if d.level in ("error", "error: internal compiler error")]


def _related(a: Family, b: Family) -> bool:
    return b.id in generalisations(a) or a.id in generalisations(b)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_no_diagnostic_is_claimed_by_unrelated_families(case: Case) -> None:
    sources = case.sources()
    for diagnostic in _errors(case):
        claimed = [f for f in all_families() if f.match(diagnostic, sources) is not None]
        for a, b in itertools.combinations(claimed, 2):
            assert _related(a, b), (
                f"{case.id}: `{a.id}` and `{b.id}` both match {diagnostic.message!r} and "
                "neither refines the other: declare which is the more specific in `refines`")


def test_family_by_id() -> None:
    family = family_by_id("future-not-send")
    assert family is not None and family.id == "future-not-send"
    assert family_by_id("no-such-family") is None
