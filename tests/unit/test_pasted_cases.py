"""Pasting rustc's rendered text reaches the same diagnosis as its JSON when the source is at
hand (issue 11): every fixture's error, read back from the terminal text rustc printed for it
(`rendered` in the recorded JSON), is classified with the crate's files and must get the
family the JSON gets. Without the files, a family that needs them says so in its
explanation rather than naming things it cannot see."""

from __future__ import annotations

import re

import pytest

from borrowlens.analyses.diagnostics.lines import split_lines
from borrowlens.analyses.diagnostics.model import Span, in_dependency
from borrowlens.analyses.diagnostics.pasted import from_rendered, pasted_files
from borrowlens.analyses.diagnostics.rustc_json import from_rustc
from borrowlens.analyses.explain import render
from borrowlens.analyses.families.registry import classify
from borrowlens.analyses.rust.sources import MappingSources
from support.fixtures import FIXTURES, Case, cases, target

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


def _drawn(spans: list[Span], tabbed: set[tuple[str, int]]) -> set[tuple[object, ...]]:
    """Each labelled span as rustc draws it: label, file, lines, primary or not, and the
    first column and first quoted line, except on a line with tabs (rustc draws a tab as
    four columns)."""
    return {(span.label, span.file, span.line_start, span.line_end, span.is_primary,
             None if (span.file, span.line_start) in tabbed else span.column_start,
             None if (span.file, span.line_start) in tabbed else span.text[:1])
            for span in spans}


@pytest.mark.parametrize("case", cases(), ids=lambda c: c.id)
def test_pasted_text_reads_back_every_label_rustc_drew(case: Case) -> None:
    """The labelled spans of the user's files (child notes' included), with their columns
    and quoted lines, and the child notes come back from the rendered text as the JSON has them."""
    for raw in case.recorded_raw():
        if raw.get("level") != "error" or not raw.get("rendered") or not raw.get("spans"):
            continue
        pasted = from_rendered(str(raw["rendered"]))
        assert pasted is not None
        recorded = from_rustc(raw)
        assert (pasted.level, pasted.code, pasted.message) == \
            (recorded.level, recorded.code, recorded.message)
        # rustc adds the macro-backtrace note when it renders, not to the JSON.
        assert [(c.level, c.message) for c in pasted.children
                if not c.message.startswith("this error originates in the macro")] == \
            [(c.level, c.message) for c in recorded.children]
        ours = [span for span, _ in recorded.labels()
                if not span.macro and not in_dependency(span.file)]
        tabbed = {(span.file, span.line_start) for span in ours
                  if "\t" in split_lines((FIXTURES / span.file).read_text(encoding="utf-8"))
                  [span.line_start - 1]}
        assert _drawn(ours, tabbed) <= _drawn([s for s, _ in pasted.labels()], tabbed), \
            raw["message"]


_CODE = re.compile(r"`[^`]*`|```.*?```", re.S)
_LINE_REF = re.compile(r"\blines? (\d+)\b")
_LOCATION = re.compile(r"\.rs:(\d+):\d+")


@pytest.mark.parametrize("case", RECOGNISED, ids=lambda c: c.id)
def test_pasted_text_alone_says_only_what_it_shows(case: Case) -> None:
    """With no file but the lines the text quotes (`explain` away from the crate), the
    error is either not recognised or explained without an unfilled slot and without citing
    a line the text does not quote."""
    rendered = _rendered(case)
    pasted = from_rendered(rendered)
    assert pasted is not None
    quoted = pasted_files(rendered)
    match = classify(pasted, MappingSources(quoted))
    if match is None:
        return
    explanation = match.family.explain(match)
    for text in (render.markdown(explanation, full=True),
                 render.markdown(explanation, full=False)):
        assert "None" not in text and "{{" not in text and "{%" not in text, text
        assert "``" not in text.replace("```", ""), text
        # A line is shown when the text quotes it or names it in a location
        # (`--> src/lib.rs:12:5`, `{async block@src/lib.rs:20:20: 20:25}`).
        shown = {number for lines in quoted.values()
                 for number, line in enumerate(split_lines(lines), start=1) if line.strip()}
        shown |= {int(found.group(1)) for found in _LOCATION.finditer(rendered)}
        for found in _LINE_REF.finditer(_CODE.sub("CODE", text)):
            assert int(found.group(1)) in shown, (found.group(0), text)
