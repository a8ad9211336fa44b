"""Pure layer: the docs that come from the families' declarations are current. README.md's
families and fixes tables and docs/families/ are written by `scripts/gen-docs`
(analyses/families/catalogue.py renders them, cli/gen_docs.py writes them); a change to a
family that is not regenerated fails here."""

from __future__ import annotations

from pathlib import Path

import pytest

from borrowlens.analyses.families import catalogue
from borrowlens.analyses.families.base import Family
from borrowlens.analyses.families.registry import all_families
from borrowlens.cli import gen_docs

ROOT = Path(__file__).resolve().parents[2]


def test_generated_docs_are_current() -> None:
    stale = [str(path.relative_to(ROOT)) for path in gen_docs.stale(ROOT)]
    assert not stale, f"stale generated docs {stale}: run scripts/gen-docs and commit the result"


@pytest.mark.parametrize("family", all_families(), ids=lambda f: f.id)
def test_family_says_what_its_fixes_do(family: Family) -> None:
    for fix_id, doc in family.fix_docs.items():
        assert doc.strip() and "\n" not in doc, f"{family.id}/{fix_id}: one line, not empty"
    if not family.fix_docs:
        assert family.design_choices.strip(), (
            f"{family.id} offers no fix: say in `design_choices` what the explanation offers")


def test_splice_keeps_the_markers_and_replaces_between() -> None:
    text = "intro\n<!-- generated: fixes (x) -->\nold\nrows\n<!-- end generated: fixes -->\nend\n"
    assert catalogue.splice(text, catalogue.FIXES_BLOCK, "new\n") == (
        "intro\n<!-- generated: fixes (x) -->\nnew\n<!-- end generated: fixes -->\nend\n")
    with pytest.raises(catalogue.MarkerError):
        catalogue.splice("no markers\n", catalogue.FIXES_BLOCK, "new")


def test_inline_code_fences_backticks() -> None:
    assert catalogue.inline_code("a`b") == "``a`b``"
    assert catalogue.inline_code("`x`") == "`` `x` ``"
    assert catalogue.inline_code("plain") == "`plain`"
