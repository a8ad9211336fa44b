"""Pure layer: the fixes offered for each fixture are the ones its `expect.toml` lists, in
that order, each leaves every file parseable, and none touches what must stay untouched."""

from __future__ import annotations

import pytest

from borrowlens.analyses.edits import error_count
from support.fixcheck import case_fixes, fixed_files
from support.fixtures import Case, cases
from support.lsp_shape import published_diagnostics

CASES = cases()


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
