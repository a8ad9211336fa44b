"""The UI-test-shaped audit (bench/ui_audit, issue 11) keeps its results: every error of every
case, compiled by the installed rustc, is taken by the family recorded in
`bench/ui_audit/expected.json` — each in-scope error (the lifetime and borrow errors the
families are for) by a family, each out-of-scope one by none. Compared per file and error, not
as a percentage, so one shape lost is a failure."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from support.cli import ROOT

EXPECTED = ROOT / "bench" / "ui_audit" / "expected.json"


def test_ui_audit_matches_its_baseline(tmp_path: Path) -> None:
    out = tmp_path / "outcomes.json"
    proc = subprocess.run([sys.executable, "-m", "bench.ui_audit", "--json", str(out)],
                          cwd=ROOT, capture_output=True, text=True, check=False, timeout=600)
    assert proc.returncode == 0, proc.stderr
    outcomes = json.loads(out.read_text())
    expected = json.loads(EXPECTED.read_text())
    found: dict[str, list[list[object]]] = {}
    for outcome in outcomes:
        found.setdefault(outcome["case"], []).append(
            [outcome["kind"], outcome["line"], outcome["family"]])
        # The baseline itself must hold the rule: in scope taken, out of scope left alone.
        assert (outcome["family"] is not None) == outcome["in_scope"], outcome
    assert sorted(found) == sorted(expected), "cases added or gone: rerun with --write-expected"
    for case, errors in expected.items():
        assert found[case] == errors, f"{case}: rustc's errors or the families taking them changed"
