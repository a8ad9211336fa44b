"""Pure layer: the registry's order and dispatch are declared, not guessed.

Families name the more general families they refine; the order is a topological sort of those
edges, and no diagnostic any fixture records may be claimed by two families that do not
refine one another (that order would then be an accident of their ids). `classify` asks only
the families whose declared trigger fits, which must change no outcome, and a group's shared
analysis runs once per diagnostic.
"""

from __future__ import annotations

import dataclasses
import itertools
import subprocess
import sys
from pathlib import Path

import pytest

from borrowlens.analyses.diagnostics.model import Diagnostic
from borrowlens.analyses.explain.model import Explanation
from borrowlens.analyses.families.base import Family, Match
from borrowlens.analyses.families.registry import (
    all_families,
    candidates,
    classify,
    family_by_id,
    generalisations,
    refinement_order,
)
from borrowlens.analyses.families.send import analysis as send
from borrowlens.analyses.rust.sources import Sources
from support.fixtures import Case, cases, target
from support.lsp_shape import published_diagnostics

CASES = cases()
ROOT = Path(__file__).resolve().parents[2]


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


def _variants(diagnostic: Diagnostic) -> list[Diagnostic]:
    """The diagnostic as producers may hand it over: whole, without its code, as a pasted
    headline alone, and as a pasted bare code."""
    return [diagnostic,
            dataclasses.replace(diagnostic, code=None),
            dataclasses.replace(diagnostic, spans=(), children=(), rendered=None),
            dataclasses.replace(diagnostic, message="", spans=(), children=(), rendered=None)]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_triggers_let_through_all_that_match_accepts(case: Case) -> None:
    sources = case.sources()
    for diagnostic in _errors(case):
        for variant in _variants(diagnostic):
            asked = {family.id for family in candidates(variant)}
            for family in all_families():
                if family.id not in asked and family.match(variant, sources) is not None:
                    raise AssertionError(
                        f"{case.id}: `{family.id}` matches {variant.message!r} (code "
                        f"{variant.code}) but its trigger (codes, messages, notes) does not fit")


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_classify_is_the_first_family_that_matches(case: Case) -> None:
    sources = case.sources()
    for diagnostic in _errors(case):
        for variant in _variants(diagnostic):
            first = next((m for f in all_families() if (m := f.match(variant, sources))), None)
            found = classify(variant, sources)
            assert (found and (found.family.id, found.facts)) == (
                first and (first.family.id, first.facts)), case.id


def test_only_families_whose_trigger_fits_are_asked() -> None:
    dropped = Diagnostic(level="error", message="`x` does not live long enough", code="E0597",
                         spans=())
    assert [f.id for f in candidates(dropped)] == ["callback-not-higher-ranked",
                                                   "rpit-overcapture-2024",
                                                   "signature-mut-lifetime",
                                                   "does-not-live-long-enough"]
    unknown = Diagnostic(level="error", message="mismatched types", code="E0308", spans=())
    assert [f.id for f in candidates(unknown)] == ["hrtb-not-general-enough"]


def test_the_send_analysis_runs_once_per_diagnostic(monkeypatch: pytest.MonkeyPatch) -> None:
    """future-not-send is the last of five send families to be asked; all five read the same
    analysis, which must be computed once."""
    case = next(c for c in CASES if c.id == "future-not-send/boxed-error-std")
    diagnostic, sources = target(case, case.recorded()), case.sources()
    calls: list[Diagnostic] = []
    recognise = send.is_send_future_error

    def counted(seen: Diagnostic) -> bool:
        calls.append(seen)
        return recognise(seen)

    monkeypatch.setattr(send, "is_send_future_error", counted)
    match = classify(diagnostic, sources)
    assert match is not None and match.family.id == "future-not-send"
    assert len(calls) == 1
    # Outside a classification nothing is remembered: a second call analyses again.
    send.analyse(diagnostic, sources)
    send.analyse(diagnostic, sources)
    assert len(calls) == 3


def test_classifying_imports_only_the_families_whose_trigger_fits() -> None:
    # A fresh interpreter: this one has imported every family already.
    probe = (
        "import sys\n"
        "from borrowlens.analyses.families.registry import classify\n"
        "from support.fixtures import cases, target\n"
        "case = next(c for c in cases() if c.id == 'recursive-async/mutual')\n"
        "match = classify(target(case, case.recorded()), case.sources())\n"
        "print(match.family.id)\n"
        "print(sorted(m for m in sys.modules if m.startswith('borrowlens.analyses.families.')"
        " and getattr(sys.modules[m], 'FAMILY', None) is not None))\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True, cwd=ROOT / "tests", timeout=120)
    family_id, imported = done.stdout.splitlines()
    assert family_id == "recursive-async"
    assert imported == "['borrowlens.analyses.families.recursive_async']"
