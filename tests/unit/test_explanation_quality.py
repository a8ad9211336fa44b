"""Checks over every fixture's explanation, whatever the family: the hover fits, the TL;DR is
one short line, no slot is left unfilled, no word is doubled, no sentence talks about the tool,
every cited line holds what it is cited for, and the culprit is located (`related`)."""

from __future__ import annotations

import re

import pytest

from borrowlens.analyses.explain import render
from borrowlens.analyses.explain.model import Explanation
from borrowlens.analyses.families.base import Match
from borrowlens.analyses.families.registry import all_families, classify
from support.fixtures import Case, cases, target

CASES = [c for c in cases() if c.expect["family"]]
# VS Code adds one line (its "Open the full explanation" link) to borrowlens' hover.
HOVER_MAX_LINES = 8
TLDR_MAX = 120
_CODE_SPAN = re.compile(r"`[^`]*`|```.*?```", re.S)
_DOUBLED = re.compile(r"\b(\w+(?: \w+)?) \1\b", re.I)
_TOOL_META = re.compile(r"quick fix|code action|borrowlens|\bis offered\b|\boffers\b", re.I)
_LINE_REF = re.compile(r"\blines? (\d+)\b")


def _match(case: Case) -> Match:
    match = classify(target(case, case.recorded()), case.sources())
    assert match is not None, case.id
    return match


def _texts(explanation: Explanation) -> dict[str, str]:
    parts = {"tldr": explanation.tldr, "what": explanation.what, "why": explanation.why,
             "fix": explanation.fix, "rule": explanation.rule,
             "caveat": explanation.caveat or "", "hover": explanation.hover or "",
             "change": explanation.change or ""}
    return parts


def _prose(text: str) -> str:
    """The text with each code span or block replaced by a distinct placeholder (code may
    repeat a word legitimately, and two spans side by side are not a doubled word)."""
    counter = iter(range(1_000_000))
    return _CODE_SPAN.sub(lambda _: f"CODE{next(counter)}", text)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_hover_fits_and_tldr_is_short(case: Case) -> None:
    explanation = _match(case).family.explain(_match(case))
    hover = render.markdown(explanation, full=False)
    assert render.rendered_lines(hover) + 1 <= HOVER_MAX_LINES, hover
    assert "\n" not in explanation.tldr
    assert len(explanation.tldr) <= TLDR_MAX, (len(explanation.tldr), explanation.tldr)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_no_unfilled_slot_doubled_word_or_tool_meta(case: Case) -> None:
    match = _match(case)
    for part, text in _texts(match.family.explain(match)).items():
        assert "None" not in text and "{{" not in text and "{%" not in text, (part, text)
        assert "``" not in text.replace("```", ""), (part, text)
        prose = _prose(text)
        doubled = _DOUBLED.search(prose)
        assert doubled is None, (part, doubled.group(0) if doubled else "", text)
        meta = _TOOL_META.search(prose)
        assert meta is None, (part, meta.group(0) if meta else "", text)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_cited_lines_hold_what_they_are_cited_for(case: Case) -> None:
    match = _match(case)
    primary = match.diagnostic.primary if match.diagnostic else None
    assert primary is not None
    sources = case.sources()
    text = sources.text(primary.file)
    assert text is not None
    lines = text.split("\n")
    facts = match.facts
    for key, value in facts.items():
        if key.endswith("_line") and isinstance(value, int | str) and str(value).isdigit():
            # A line in another file comes with it (`cause_line` with `cause_file`).
            other = facts.get(key.removesuffix("_line") + "_file")
            cited = sources.text(other) if isinstance(other, str) else text
            assert cited is not None, (key, other)
            assert 1 <= int(value) <= len(cited.split("\n")), (key, value)
    variable = facts.get("variable")
    if isinstance(variable, str) and str(facts.get("decl_line", "")).isdigit():
        assert variable in lines[int(facts["decl_line"]) - 1], ("decl_line", variable)
    if str(facts.get("await_line", "")).isdigit():
        assert "await" in lines[int(facts["await_line"]) - 1], "await_line"
    explanation = match.family.explain(match)
    for part, body in _texts(explanation).items():
        for found in _LINE_REF.finditer(_prose(body)):
            assert 1 <= int(found.group(1)) <= len(lines), (part, found.group(0))


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_the_culprit_is_located(case: Case) -> None:
    assert _match(case).related, f"{case.id}: `related` is empty"


@pytest.mark.parametrize("family", all_families(), ids=lambda f: f.id)
def test_generic_explanation_has_no_tool_meta(family: object) -> None:
    assert hasattr(family, "explain") and hasattr(family, "generic")
    explanation = family.explain(family.generic())
    for part, text in _texts(explanation).items():
        assert _TOOL_META.search(_prose(text)) is None, (part, text)
