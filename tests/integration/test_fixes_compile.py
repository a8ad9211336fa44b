"""Integration layer: every fix offered for every fixture, applied to a copy of the crate and
compiled by the real `cargo check`, removes the error and introduces none."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from borrowlens.analyses.fixes.edits import Fix
from support.fixcheck import Attempt, build_workspace, case_fixes, check_workspace, verdict
from support.fixtures import Case, cases

# One cargo build of all the fixed copies: keep these tests on one xdist worker.
pytestmark = pytest.mark.xdist_group("fixed-copies")

WORK: list[tuple[Case, Fix]] = [(case, fix) for case in cases() for fix in case_fixes(case)]


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory
             ) -> tuple[list[Attempt], dict[str, list[dict[str, Any]]]]:
    root: Path = tmp_path_factory.mktemp("fixed-copies")
    attempts = build_workspace(root, WORK)
    return attempts, check_workspace(root)


def test_fixes_are_offered_at_all() -> None:
    assert len({case.family for case, _ in WORK}) >= 15, "most families must offer a fix"


@pytest.mark.parametrize("index", range(len(WORK)),
                         ids=[f"{case.id}:{fix.id}" for case, fix in WORK])
def test_fix_compiles(index: int,
                      compiled: tuple[list[Attempt], dict[str, list[dict[str, Any]]]]) -> None:
    attempts, messages = compiled
    attempt = attempts[index]
    problem = verdict(attempt, messages.get(attempt.package, []))
    assert problem is None, f"{attempt.case.id}: fix {attempt.fix.id!r}: {problem}"
