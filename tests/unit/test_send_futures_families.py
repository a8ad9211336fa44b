"""The non-`Send` future group (Rc, RefCell guard, Mutex guard, non-Sync reference, fallback).

Besides the shared fixture tests, this checks every error of each of the group's fixtures (rustc
reports a RefCell guard twice), the LSP shape with bounds that point outside the fixture tree
(tokio's `spawn` lives in the cargo registry), and a few rustc wordings not in the fixtures.
"""

from __future__ import annotations

import pytest

from borrowlens.analyses.diagnostics.model import Diagnostic, Note, Span
from borrowlens.analyses.explain import render as explain
from borrowlens.analyses.families.registry import classify, family_by_id
from borrowlens.analyses.families.send import analysis as send
from borrowlens.analyses.rust.sources import NoSources
from support.fixtures import Case, cases
from support.lsp_shape import published_diagnostics

GROUP = ("send-rc-across-await", "send-refcell-guard-across-await",
         "send-mutexguard-across-await", "sync-captured-by-reference", "future-not-send")
CASES = [case for case in cases() if case.family in GROUP]


def _check(case: Case, diagnostics: list[Diagnostic], skip: tuple[str, ...] = ()) -> None:
    errors = [d for d in diagnostics if d.level == "error"]
    assert errors, case.id
    expected = case.expect["family"]
    for diagnostic in errors:
        match = classify(diagnostic, case.sources())
        if not expected:
            assert match is None or match.family.id not in GROUP, case.id
            continue
        assert match is not None and match.family.id == expected, case.id
        for key, value in case.expect.get("facts", {}).items():
            if key not in skip:
                assert match.facts.get(key) == value, f"{case.id}: {key}"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_every_error_of_the_case_json(case: Case) -> None:
    _check(case, case.recorded())


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_every_error_of_the_case_lsp(case: Case) -> None:
    _check(case, published_diagnostics(case), tuple(case.expect.get("lsp_skip_facts", ())))


@pytest.mark.parametrize("case", [c for c in CASES if c.expect["family"]], ids=lambda c: c.id)
def test_related_points_at_culprit_and_await(case: Case) -> None:
    error = next(d for d in case.recorded() if d.level == "error")
    match = classify(error, case.sources())
    assert match is not None
    lines = {r.span.line_start for r in match.related}
    for key in ("decl_line", "await_line"):
        if key in match.facts:
            assert match.facts[key] in lines, f"{case.id}: {key} not in related"


def _diag(message: str, labels: list[tuple[str, int]], notes: list[str]) -> Diagnostic:
    spans = [Span("src/lib.rs", 30, 5, 30, 20, "future returned by `run` is not `Send`", True)]
    children = [Note("note", text) for text in notes]
    child = Note("note", "future is not `Send` as this value is used across an await",
                 tuple(Span("src/lib.rs", line, 9, line, 14, label) for label, line in labels))
    return Diagnostic("error", message, None, tuple(spans), (child, *children))


@pytest.mark.parametrize(("type_", "family"), [
    ("std::rc::Rc<String>", "send-rc-across-await"),
    ("std::rc::Weak<Node>", "send-rc-across-await"),
    ("Option<Rc<Config>>", "send-rc-across-await"),
    ("std::cell::RefMut<'_, Vec<u8>>", "send-refcell-guard-across-await"),
    ("Ref<'_, State>", "send-refcell-guard-across-await"),
    ("MutexGuard<'_, u32>", "send-mutexguard-across-await"),
    ("std::sync::RwLockWriteGuard<'_, Vec<u8>>", "send-mutexguard-across-await"),
    ("&RefCell<Vec<u8>>", "sync-captured-by-reference"),
    ("*const u8", "sync-captured-by-reference"),
    ("Box<dyn std::any::Any>", "future-not-send"),
    ("Rc<RefCell<i32>>", "send-rc-across-await"),
])
def test_type_decides_the_family(type_: str, family: str) -> None:
    diagnostic = _diag("future cannot be sent between threads safely",
                       [(f"has type `{type_}` which is not `Send`", 10),
                        ("await occurs here, with `value` maybe used later", 12)],
                       ["required by a bound in `tokio::spawn`"])
    match = classify(diagnostic, NoSources())
    assert match is not None and match.family.id == family
    assert match.facts["variable"] == "value" and match.facts["spawn"] == "tokio::spawn"
    assert match.facts["await_line"] == 12 and match.facts["decl_line"] == 10


def test_e0277_is_left_to_others() -> None:
    diagnostic = Diagnostic("error", "`Rc<u32>` cannot be sent between threads safely", "E0277",
                            (Span("src/main.rs", 3, 5, 3, 18, None, True),))
    assert send.analyse(diagnostic, NoSources()) is None


def test_mut_binding_and_missing_type() -> None:
    diagnostic = _diag("future cannot be sent between threads safely",
                       [("await occurs here, with `mut cache` maybe used later", 12)],
                       ["within `impl Future<Output = ()>`, the trait `Send` is not implemented "
                        "for `Rc<Cache>`"])
    match = classify(diagnostic, NoSources())
    assert match is not None and match.family.id == "send-rc-across-await"
    assert match.facts["variable"] == "cache"


@pytest.mark.parametrize("family", GROUP)
def test_generic_explanations_have_no_holes(family: str) -> None:
    found = family_by_id(family)
    assert found is not None
    text = explain.markdown(found.explain(found.generic()), full=True)
    assert "None" not in text and "``" not in text
