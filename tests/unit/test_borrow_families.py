"""The borrow and ownership families (does-not-live-long-enough, closure-may-outlive,
borrowed-data-escapes, return-ref-to-local, temporary-dropped, move-out-while-borrowed,
conflicting-borrows): pasted terminal text keeps the facts, and hand-written variants of
rustc's wording that the fixtures do not cover.
"""

from __future__ import annotations

import pytest

from borrowlens.analyses.diagnostics.model import Diagnostic, Note, Span
from borrowlens.analyses.diagnostics.pasted import from_rendered
from borrowlens.analyses.explain import render as explain
from borrowlens.analyses.families.borrows.return_ref_to_local import owned_type
from borrowlens.analyses.families.registry import classify, family_by_id
from borrowlens.analyses.rust.sources import MappingSources, NoSources
from support.fixtures import Case, cases, target

FAMILIES = ("does-not-live-long-enough", "closure-may-outlive", "borrowed-data-escapes",
            "return-ref-to-local", "temporary-dropped", "move-out-while-borrowed",
            "conflicting-borrows")
CASES = [case for case in cases() if case.family in FAMILIES]


def _check_facts(case: Case, diagnostic: Diagnostic, skip: tuple[str, ...] = ()) -> None:
    match = classify(diagnostic, case.sources())
    assert match is not None and match.family.id == case.expect["family"], case.id
    for key, value in case.expect.get("facts", {}).items():
        if key not in skip:
            assert match.facts.get(key) == value, f"{case.id}: fact {key}"
    full = explain.markdown(match.family.explain(match), full=True)
    for word in case.expect.get("explanation", {}).get("mentions", []):
        assert word in full, f"{case.id}: explanation does not mention {word!r}"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_pasted_rendered_text_keeps_the_facts(case: Case) -> None:
    rendered = target(case, case.recorded()).rendered
    assert rendered
    pasted = from_rendered(rendered)
    assert pasted is not None
    _check_facts(case, pasted)


def _diagnostic(code: str, message: str, *, labels: tuple[tuple[int, str], ...] = (),
                notes: tuple[str, ...] = (), primary_line: int = 3) -> Diagnostic:
    spans = [Span("src/lib.rs", primary_line, 5, primary_line, 10, None, True)]
    spans += [Span("src/lib.rs", line, 5, line, 10, label, False) for line, label in labels]
    return Diagnostic(level="error", message=message, code=code, spans=tuple(spans),
                      children=tuple(Note("note", text) for text in notes))


@pytest.mark.parametrize("code,message", [
    ("E0597", "`data` does not live long enough"),
    ("E0499", "cannot borrow `*self` as mutable more than once at a time"),
    ("E0502", "cannot borrow `items` as mutable because it is also borrowed as immutable"),
    ("E0505", "cannot move out of `buf` because it is borrowed"),
    ("E0716", "temporary value dropped while borrowed"),
])
def test_edition_2024_overcapture_is_left_to_its_family(code: str, message: str) -> None:
    diagnostic = _diagnostic(code, message, notes=(
        "Rust 2024 has adjusted the `impl Trait` lifetime capture rules",
        "use the precise capturing `use<...>` syntax to make the captures explicit",
    ))
    match = classify(diagnostic, NoSources())
    assert match is None or match.family.id not in FAMILIES


def test_reversed_e0502_and_loop_e0499_are_conflicting_borrows() -> None:
    reverse = _diagnostic("E0502", "cannot borrow `totals` as immutable because it is also "
                          "borrowed as mutable",
                          labels=((2, "mutable borrow occurs here"),
                                  (4, "mutable borrow later used here")))
    match = classify(reverse, NoSources())
    assert match is not None and match.family.id == "conflicting-borrows"
    assert match.facts["variable"] == "totals"
    assert match.facts["first_kind"] == "mutable"
    assert match.facts["second_kind"] == "immutable"
    assert match.facts["first_borrow_line"] == 2
    assert match.facts["second_borrow_line"] == 3
    looped = _diagnostic("E0499", "cannot borrow `buf` as mutable more than once at a time",
                         labels=((3, "`buf` was mutably borrowed here in the previous "
                                     "iteration of the loop"),))
    match = classify(looped, NoSources())
    assert match is not None and match.facts["first_borrow_line"] == 3


def test_annotation_static_without_source() -> None:
    diagnostic = _diagnostic("E0597", "`local` does not live long enough", labels=(
        (3, "type annotation requires that `local` is borrowed for `'static`"),
        (4, "`local` dropped here while still borrowed"),
        (2, "binding `local` declared here")))
    match = classify(diagnostic, NoSources())
    assert match is not None and match.family.id == "does-not-live-long-enough"
    assert match.facts["static_by"] == "the `'static` type annotation"
    assert match.facts["dropped_line"] == 4
    assert "None" not in explain.markdown(match.family.explain(match), full=True)


def test_shapes_from_source() -> None:
    source = (
        "fn f(v: &mut Vec<u32>, m: &mut std::collections::HashMap<u32, u32>) {\n"
        "    for x in &*v {\n"
        "        v.push(*x);\n"
        "    }\n"
        "}\n"
    )
    sources = MappingSources({"src/lib.rs": source})
    diagnostic = Diagnostic(
        level="error", code="E0502",
        message="cannot borrow `*v` as mutable because it is also borrowed as immutable",
        spans=(Span("src/lib.rs", 3, 9, 3, 19, "mutable borrow occurs here", True),
               Span("src/lib.rs", 2, 14, 2, 18, "immutable borrow occurs here", False)))
    match = classify(diagnostic, sources)
    assert match is not None and match.facts["shape"] == "push-while-iterating"


@pytest.mark.parametrize("message,kind,variable", [
    ("cannot return reference to temporary value", "temporary value", None),
    ("cannot return value referencing local data `*guard`", "local data", "guard"),
    ("cannot return reference to function parameter `path`", "function parameter", "path"),
])
def test_return_ref_variants(message: str, kind: str, variable: str | None) -> None:
    match = classify(_diagnostic("E0515", message), NoSources())
    assert match is not None and match.family.id == "return-ref-to-local"
    assert match.facts["source_kind"] == kind
    assert match.facts.get("variable") == variable
    assert "None" not in explain.markdown(match.family.explain(match), full=True)


@pytest.mark.parametrize("borrowed,owned", [
    ("&str", "String"), ("&'a str", "String"), ("Vec<&'a str>", "Vec<String>"),
    ("&[u8]", "Vec<u8>"), ("Option<&Path>", "Option<PathBuf>"), ("&Config", "Config"),
])
def test_owned_type(borrowed: str, owned: str) -> None:
    assert owned_type(borrowed) == owned


def test_unrelated_errors_are_not_claimed() -> None:
    diagnostic = _diagnostic("E0308", "mismatched types")
    match = classify(diagnostic, NoSources())
    assert match is None or match.family.id not in FAMILIES


@pytest.mark.parametrize("family_id", FAMILIES)
def test_generic_hover_is_self_contained(family_id: str) -> None:
    family = family_by_id(family_id)
    assert family is not None
    short = explain.markdown(family.explain(family.generic()), full=False)
    assert "None" not in short and "`None`" not in short and len(short) > 120
