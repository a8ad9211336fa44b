"""Integration layer: every fixture crate, compiled by the real rustc in this run, still
produces what was recorded, and borrowlens recognises it as the expected family."""

from __future__ import annotations

import pytest

from borrowlens.analyses.diagnostics.model import Diagnostic
from borrowlens.analyses.diagnostics.rustc_json import from_cargo_messages
from borrowlens.analyses.families.registry import classify
from support.fixtures import Case, cases, live_messages, target

CASES = cases()


def _errors(diagnostics: list[Diagnostic]) -> list[tuple[str | None, str, int | None]]:
    return [(d.code, d.message, d.primary.line_start if d.primary else None)
            for d in diagnostics if d.level == "error"]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_live_rustc_output_matches_recording_and_family(case: Case) -> None:
    live = from_cargo_messages(live_messages().get(case.package, []))
    assert _errors(live) == _errors(case.recorded()), (
        f"{case.id}: the installed rustc no longer reports what rustc.json recorded; "
        "re-record with `python -m support.record` and re-read the expectations")
    diagnostic = target(case, live)
    match = classify(diagnostic, case.sources())
    expected = case.expect["family"] or None
    assert (match.family.id if match else None) == expected
