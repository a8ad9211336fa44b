"""Every family has its own minimal example (before/after, `examples/` beside the module) and
the general background of its kind of error; the example takes the annotated code's place in
the generic explanation, the background appears only at the teach depth.
(tests/integration/test_family_examples.py compiles the examples.)"""

from __future__ import annotations

import pytest

from borrowlens.analyses.explain import prose, render
from borrowlens.analyses.families import story
from borrowlens.analyses.families.base import Family
from borrowlens.analyses.families.registry import all_families
from borrowlens.analyses.rust.sources import split_lines

FAMILIES = all_families()
MAX_BEFORE_LINES = 16


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.id)
def test_every_family_has_an_example(family: Family) -> None:
    before, after = prose.example_files(type(family).__module__)
    assert before.is_file() and after.is_file(), f"{family.id}: no {before.name} / {after.name}"
    example = family.explain(family.generic()).example
    assert example is not None, f"{family.id}: its prose has no `## example` sentence"
    assert example.before != example.after
    assert len(split_lines(example.before)) <= MAX_BEFORE_LINES
    assert len(render.sentences(example.change)) == 1, example.change
    assert family.example_edition in ("2021", "2024")


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.id)
def test_generic_explanation_shows_the_example_and_teach_the_background(family: Family) -> None:
    explanation = family.explain(family.generic())
    assert explanation.example is not None and explanation.background
    told = story.example_story(explanation)
    assert told is not None
    full = render.markdown(explanation, full=True, story=told)
    first_line = split_lines(explanation.example.before)[0]
    assert "### Example" in full and first_line in full and explanation.example.change in full
    assert "### Background" not in full
    taught = render.markdown(explanation, full=True, story=told, teach=True)
    assert "### Background" in taught and taught.startswith(full.split("### Read more")[0])
    text = render.terminal(explanation, full=True, color=False, story=told, teach=True)
    assert "Background" in text and first_line in text


def test_hover_is_the_same_at_every_depth() -> None:
    family = FAMILIES[0]
    explanation = family.explain(family.generic())
    assert render.markdown(explanation, full=False) == render.markdown(
        explanation, full=False, teach=True)
    assert "Example" not in render.markdown(explanation, full=False)
