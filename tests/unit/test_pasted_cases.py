"""Pasting rustc's rendered text reaches the same diagnosis as its JSON when the source is at
hand (issue 11): every fixture's error, read back from the terminal text rustc printed for it
(`rendered` in the recorded JSON), is classified with the crate's files and must get the
family the JSON gets. Without the files, a family that needs them says so in its
explanation rather than naming things it cannot see."""

from __future__ import annotations

import pytest

from borrowlens.analyses.diagnostics.pasted import from_rendered
from borrowlens.analyses.families.registry import classify
from support.fixtures import Case, cases, target

RECOGNISED = [case for case in cases() if case.expect.get("family")]


def _rendered(case: Case) -> str:
    diagnostic = target(case, case.recorded())
    for raw in case.recorded_raw():
        if raw.get("level") == "error" and raw.get("message") == diagnostic.message:
            return str(raw["rendered"])
    raise AssertionError(f"{case.id}: no rendered text for {diagnostic.message!r}")


@pytest.mark.parametrize("case", RECOGNISED, ids=lambda c: c.id)
def test_pasted_text_gets_the_family_its_json_gets(case: Case) -> None:
    pasted = from_rendered(_rendered(case))
    assert pasted is not None, f"{case.id}: the rendered text did not parse"
    match = classify(pasted, case.sources())
    assert match is not None, f"{case.id}: pasted text not recognised"
    assert match.family.id == case.expect["family"]
