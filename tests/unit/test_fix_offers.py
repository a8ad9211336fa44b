"""Pure layer: the fixes offered for each fixture are the ones its `expect.toml` lists, in
that order, each leaves every file parseable, and none touches what must stay untouched."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from borrowlens.analyses.families.offers import offered_fixes
from borrowlens.analyses.families.registry import classify
from borrowlens.analyses.fixes.edits import error_count
from borrowlens.analyses.rust.sources import MappingSources
from support.fixcheck import case_fixes, fixed_files, target
from support.fixtures import FIXTURES, Case, cases
from support.lsp_shape import published_diagnostics

CASES = cases()
FIX_CASES = [c for c in CASES if (c.expect.get("fixes") or {}).get("offered")]


def expected_ids(case: Case) -> list[str]:
    table = case.expect.get("fixes")
    assert table is not None and "offered" in table, (
        f"{case.id}: expect.toml needs a [fixes] table with `offered` (use [] for none)")
    return list(table["offered"])


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_offered_fixes_match_expectation(case: Case) -> None:
    fixes = case_fixes(case)
    assert [fix.id for fix in fixes] == expected_ids(case)
    if fixes:
        assert fixes[0].preferred and not any(fix.preferred for fix in fixes[1:])
    for fix in fixes:
        assert fix.title and fix.title[0].isupper(), f"{case.id}: title {fix.title!r}"
        sources = case.sources()
        for file, text in fixed_files(case, fix).items():
            original = sources.text(file)
            assert original is not None
            assert error_count(text) <= error_count(original), f"{case.id}/{fix.id}: {file}"
            for keep in case.expect["fixes"].get("untouched", []):
                if keep in original:
                    assert keep in text, f"{case.id}/{fix.id} changed {keep!r}"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_same_fixes_from_rust_analyzer_shape(case: Case) -> None:
    """The language server sees rust-analyzer's LSP diagnostics, not rustc's JSON: it must
    offer the same fixes with the same edits."""
    from_json = case_fixes(case)
    from_lsp = case_fixes(case, published_diagnostics(case))
    assert [f.to_json() for f in from_lsp] == [f.to_json() for f in from_json]


@pytest.mark.parametrize("case", FIX_CASES, ids=lambda c: c.id)
def test_rust_analyzer_shape_with_absolute_paths_names_absolute_files(case: Case) -> None:
    """rust-analyzer's spans are absolute while rustc's rendered text (which some families read
    labels from) is relative to the workspace root: every edit must still name the absolute
    file the editor has open, or the editor applies it to `file:///src/lib.rs`."""
    absolute = MappingSources({str(p): p.read_text(encoding="utf-8")
                               for p in sorted(case.path.rglob("*.rs"))})
    diagnostics = published_diagnostics(case, absolute_paths=True)
    diagnostic = target(case, diagnostics)
    match = classify(diagnostic, absolute)
    assert match is not None, case.id
    fixes = offered_fixes(match, absolute)
    for fix in fixes:
        for file in fix.files():
            assert Path(file).is_absolute(), f"{case.id}: {fix.id} edits {file!r}"
    for item in match.related:
        assert Path(item.span.file).is_absolute(), f"{case.id}: related {item.span.file!r}"
    expected = [f.to_json() for f in case_fixes(case)]
    prefix = f"{FIXTURES}/"
    got = [json.loads(json.dumps(f.to_json()).replace(prefix, "")) for f in fixes]
    assert got == expected
