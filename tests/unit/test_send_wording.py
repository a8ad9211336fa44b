"""The Send/Sync explanations speak of a spawn or a closure only when rustc's diagnostic shows
one: a future required to be `Send` by an `assert_send`-style bound, a trait's `+ Send` or a
`Box<dyn Future + Send>` coercion has no spawn, and an `async` block is not a closure.

Checked on every fixture of the families that explain a value that is not `Send`/`Sync`, in
every section the user reads (links and the single-thread alternative `spawn_local` aside)."""

from __future__ import annotations

import re

import pytest

from borrowlens.analyses.diagnostics.model import Diagnostic
from borrowlens.analyses.explain.model import Explanation
from borrowlens.analyses.families.registry import classify
from support.fixtures import Case, cases, target

SEND_FAMILIES = {
    "future-not-send", "send-rc-across-await", "send-mutexguard-across-await",
    "send-refcell-guard-across-await", "sync-captured-by-reference",
    "send-pointer-field-across-await", "async-capture-not-send", "send-not-general-enough",
    "async-trait-future-not-send", "thread-spawn-not-send",
}
CASES = [c for c in cases() if c.expect["family"] in SEND_FAMILIES]
_SPAWN = re.compile(r"\bspawn(?:ed|s|ing)?\b(?!_)", re.I)
_CLOSURE = re.compile(r"\bclosures?\b", re.I)


def _shown(diagnostic: Diagnostic) -> str:
    """Everything rustc shows: its message, labels, notes and the source lines it quotes."""
    return "\n".join([diagnostic.all_text(), diagnostic.rendered or ""])


def _read(explanation: Explanation) -> str:
    return "\n".join([explanation.tldr, explanation.hover or "", explanation.change or "",
                      explanation.what, explanation.why, explanation.fix, explanation.rule,
                      explanation.caveat or ""])


def test_the_send_families_have_cases() -> None:
    assert {c.expect["family"] for c in CASES} == SEND_FAMILIES


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_no_spawn_or_closure_rustc_does_not_show(case: Case) -> None:
    diagnostic = target(case, case.recorded())
    match = classify(diagnostic, case.sources())
    assert match is not None and match.family.id == case.expect["family"], case.id
    shown = _shown(diagnostic)
    text = _read(match.family.explain(match))
    if not _SPAWN.search(shown):
        assert not _SPAWN.search(text), (case.id, _SPAWN.findall(text), text)
    if not _CLOSURE.search(shown):
        assert not _CLOSURE.search(text), (case.id, _CLOSURE.findall(text), text)
