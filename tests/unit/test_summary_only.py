"""A publish renders only the title and TL;DR of each recognised diagnostic
(`prose.summary_only`, the prose file cut after its tldr section): they must be exactly what
the whole explanation says, for every fixture's match and for every family without facts,
and the cut must be possible for every family's prose file."""

from __future__ import annotations

import pytest

from borrowlens.analyses.explain import prose
from borrowlens.analyses.families.base import Family, Match
from borrowlens.analyses.families.registry import all_families, classify
from support.fixtures import Case, cases, target

MATCHED = [c for c in cases() if c.expect.get("family")]


def _both(match: Match) -> tuple[tuple[str, str], tuple[str, str]]:
    whole = match.family.explain(match)
    with prose.summary_only():
        summary = match.family.explain(match)
    assert summary.what == "" and whole.what, "summary_only rendered the whole file"
    return (whole.title, whole.tldr), (summary.title, summary.tldr)


@pytest.mark.parametrize("case", MATCHED, ids=lambda c: c.id)
def test_the_summary_of_a_fixture_is_the_explanations_title_and_tldr(case: Case) -> None:
    match = classify(target(case, case.recorded()), case.sources())
    assert match is not None, case.id
    whole, summary = _both(match)
    assert summary == whole


@pytest.mark.parametrize("family", all_families(), ids=lambda f: f.id)
def test_every_prose_file_can_be_cut_after_its_tldr(family: Family) -> None:
    module = type(family).__module__
    assert prose._summary_template(prose.template_name(module)) is not None, module
    whole, summary = _both(family.generic())
    assert summary == whole


def test_summary_only_ends_with_its_block() -> None:
    family = all_families()[0]
    with prose.summary_only():
        pass
    assert family.explain(family.generic()).what
