"""Pure layer: every fixture's explanations (short and full) and each offered fix's diff match
the snapshot files next to the fixture (`snapshots/`): any change to wording or to what a fix
writes shows up in review. `BORROWLENS_UPDATE_SNAPSHOTS=1` rewrites them."""

from __future__ import annotations

from pathlib import Path

import pytest

from borrowlens.analyses.explain import render as explain
from borrowlens.analyses.families import story
from borrowlens.analyses.families.base import Family
from borrowlens.analyses.families.registry import all_families, classify
from support import snapshots
from support.fixcheck import case_fixes, fixed_files
from support.fixtures import FIXTURES, Case, cases, target

CASES = cases()


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_explanation_and_fix_snapshots(case: Case) -> None:
    directory = case.path / "snapshots"
    used: set[Path] = set()
    sources = case.sources()
    match = classify(target(case, case.recorded()), sources)
    if match is not None:
        explanation = match.family.explain(match)
        told = story.code_story(match, sources, case_fixes(case))
        for form, full in (("short", False), ("full", True)):
            path = directory / f"explanation.{form}.md"
            snapshots.check(path, explain.markdown(explanation, full=full,
                                                   story=told if full else None))
            used.add(path)
    for fix in case_fixes(case):
        parts = []
        for file, after in sorted(fixed_files(case, fix).items()):
            before = sources.text(file)
            assert before is not None
            parts.append(snapshots.file_diff(file, before, after))
        path = directory / f"fix.{fix.id}.diff"
        snapshots.check(path, f"# {fix.title}\n" + "".join(parts))
        used.add(path)
    stale = snapshots.unused(directory, used)
    if snapshots.UPDATE:
        for path in stale:
            path.unlink()
    else:
        assert not stale, f"{case.id}: snapshots nothing produces any more: {stale}"


@pytest.mark.parametrize("family", all_families(), ids=lambda f: f.id)
def test_generic_explanation_snapshot(family: Family) -> None:
    """What `borrowlens explain CODE` prints: the explanation without any fact."""
    explanation = family.explain(family.generic())
    snapshots.check(FIXTURES / family.id / "generic.full.md",
                    explain.markdown(explanation, full=True,
                                     story=story.example_story(explanation)))
