"""The annotated code of the full explanation (`explain.annotate`, `families.story`): numbered
markers on the user's own lines, in source order, and the preferred fix's before/after."""

from __future__ import annotations

from borrowlens.analyses.diagnostics.model import Span
from borrowlens.analyses.explain import annotate, render
from borrowlens.analyses.explain.model import Explanation
from borrowlens.analyses.fixes.edits import Fix, TextEdit
from borrowlens.analyses.rust.sources import MappingSources

SOURCE = "fn main() {\n    let a = 1;\n    let b = 2;\n    use_it(a);\n}\n"


def _span(line: int) -> Span:
    return Span("src/main.rs", line, 5, line, 10)


def test_markers_number_the_places_in_source_order_one_per_line() -> None:
    found = annotate.markers([(_span(4), "used here"), (_span(2), "declared here"),
                              (_span(2), "a second message for the same line")])
    assert [(m.line, m.message) for m in found] == [(2, "declared here"), (4, "used here")]


def test_annotated_shows_context_numbers_and_legend() -> None:
    text = annotate.annotated([(_span(4), "used here"), (_span(2), "declared here")],
                              MappingSources({"src/main.rs": SOURCE}))
    assert text is not None
    lines = text.split("\n")
    assert "2 │     let a = 1;  ①" in lines
    assert "4 │     use_it(a);  ②" in lines
    assert "- ① declared here" in lines and "- ② used here" in lines


def test_unreadable_places_are_left_out() -> None:
    sources = MappingSources({"src/main.rs": SOURCE})
    assert annotate.annotated([(_span(40), "past the end")], sources) is None
    assert annotate.annotated([(Span("other.rs", 1, 1, 1, 2), "no file")], sources) is None


def test_before_after_is_the_fix_diff_of_the_changed_lines() -> None:
    fix = Fix("Rename", True, (TextEdit("src/main.rs", 3, 9, 3, 10, "c"),), "rename")
    diff = annotate.before_after(fix, MappingSources({"src/main.rs": SOURCE}))
    assert diff is not None
    assert "-    let b = 2;" in diff and "+    let c = 2;" in diff
    assert "use_it" in diff and "fn main" not in diff  # one line of context only


def test_hover_fitting_keeps_the_change_sentence() -> None:
    """A long TL;DR and a long "what" leave little room: the change's first sentence is kept
    with its label, never a bare "Fix:"."""
    long = "This sentence is long enough to take most of a line on its own, clearly. " * 6
    explanation = Explanation(family="x", title="T", tldr="t" * 110, what=long, why="w",
                              fix="f", rule="r", hover=long, change="Make `x` an `Arc`. " + long)
    fix = render.hover_parts(explanation)[2]
    assert fix.startswith("**Fix:** Make `x` an `Arc`.")
    hover = render.markdown(explanation, full=False)
    assert render.rendered_lines(hover) <= render.HOVER_LINES
