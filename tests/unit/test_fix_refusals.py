"""Pure layer: fixes stay inside what the diagnosis names. A recursive-async fix edits only
the fns rustc names (the erroring one and the async fns of the cycle it notes), even when a
label points elsewhere; the fixture cases prove the other refusals with the real compiler."""

from __future__ import annotations

from borrowlens.analyses.diagnostics.model import Diagnostic, Note, Span
from borrowlens.analyses.families.offers import offered_fixes
from borrowlens.analyses.families.registry import classify
from borrowlens.analyses.rust.sources import MappingSources

_SOURCE = """\
pub async fn walk(n: u32) -> u32 {
    if n == 0 { 0 } else { walk(n - 1).await }
}

pub async fn audit(n: u32) -> u32 {
    walk(n).await + walk(n + 1).await
}
"""


def _diagnostic(call_line: int, call_column: int, call_end: int, *,
                leads_to: int | None = None) -> Diagnostic:
    """E0733 at `walk` (line 1) with its "recursive call here" label at the given call."""
    spans = [Span("src/lib.rs", 1, 1, 1, 33, is_primary=True),
             Span("src/lib.rs", call_line, call_column, call_line, call_end,
                  label="recursive call here")]
    children = [Note("note", "a recursive `async fn` call must introduce indirection such as "
                             "`Box::pin` to avoid an infinitely sized future")]
    if leads_to is not None:
        children.append(Note("note", "which leads to this async fn",
                             (Span("src/lib.rs", leads_to, 1, leads_to, 34),)))
    return Diagnostic(level="error", message="recursion in an async fn requires boxing",
                      code="E0733", spans=tuple(spans), children=tuple(children))


def _fixes(diagnostic: Diagnostic) -> list[list[int]]:
    sources = MappingSources({"src/lib.rs": _SOURCE})
    match = classify(diagnostic, sources)
    assert match is not None and match.family.id == "recursive-async"
    return [[edit.line_start for edit in fix.edits] for fix in offered_fixes(match, sources)]


def test_boxes_the_call_inside_the_erroring_fn() -> None:
    assert _fixes(_diagnostic(2, 28, 45)) == [[2]]


def test_never_edits_a_fn_rustc_does_not_name() -> None:
    # A label that lands in `audit` (no error there, not part of the noted cycle): boxing its
    # calls would change a fn the diagnosis does not name.
    assert _fixes(_diagnostic(6, 5, 18)) == []


def test_a_fn_of_the_noted_cycle_may_be_edited() -> None:
    assert _fixes(_diagnostic(6, 5, 18, leads_to=5)) == [[6, 6]]
