"""Guard-across-await fixes (`fixes/guards`): what the fixture-wide tests cannot see.

The shared fixture loader reads sources with universal newlines, so the CRLF fixture is read
here byte for byte; the other tests take a fixture's recorded diagnostic and change the source
or the facts just enough to reach a shape where no fix may be offered.
"""

from __future__ import annotations

from dataclasses import replace

from borrowlens.analyses.families.base import Match
from borrowlens.analyses.families.offers import offered_fixes
from borrowlens.analyses.families.registry import classify
from borrowlens.analyses.fixes.edits import apply
from borrowlens.analyses.rust.sources import MappingSources
from support.fixtures import FIXTURES, Case, cases, target

MUTEX = "send-mutexguard-across-await"
REFCELL = "send-refcell-guard-across-await"


def _case(case_id: str) -> Case:
    return next(c for c in cases() if c.id == case_id)


def _raw_sources(case: Case) -> MappingSources:
    """The crate's files exactly as stored (no newline translation)."""
    return MappingSources({str(p.relative_to(FIXTURES)): p.read_bytes().decode("utf-8")
                           for p in sorted(case.path.rglob("*.rs"))})


def _match(case: Case, sources: MappingSources) -> Match:
    match = classify(target(case, case.recorded()), sources)
    assert match is not None
    return match


def _fixed(case: Case, sources: MappingSources) -> tuple[list[str], dict[str, str]]:
    fixes = offered_fixes(_match(case, sources), sources)
    out: dict[str, str] = {}
    for fix in fixes[:1]:
        for file in fix.files():
            text = sources.text(file)
            assert text is not None
            out[file] = apply(text, [e for e in fix.edits if e.file == file])
    return [f.id for f in fixes], out


def test_crlf_file_keeps_crlf() -> None:
    case = _case(f"{MUTEX}/crlf-audit-log")
    sources = _raw_sources(case)
    file = f"{MUTEX}/crlf-audit-log/src/lib.rs"
    original = sources.text(file)
    assert original is not None and original.count("\r\n") == original.count("\n") > 10, (
        "the fixture lost its CRLF line endings (see tests/fixtures/.gitattributes)")
    ids, fixed = _fixed(case, sources)
    assert ids == ["block-before-await"]
    text = fixed[file]
    assert "\r\n" in text and text.count("\r\n") == text.count("\n")
    assert "\r\r" not in text
    assert "    {\r\n        let mut entries = log.lock().unwrap();\r\n" in text
    assert "        }\r\n    }\r\n    flush_to_disk().await;\r\n" in text


def test_tab_indented_file_gets_a_tab_indented_block() -> None:
    case = _case(f"{REFCELL}/tabs-word-tally")
    sources = _raw_sources(case)
    ids, fixed = _fixed(case, sources)
    assert ids == ["block-before-await"]
    text = next(iter(fixed.values()))
    assert ("\t\tlet (distinct, total) = {\n\t\t\tlet tally = counts.borrow();\n"
            "\t\t\tlet distinct = tally.len();\n\t\t\tlet total: usize = tally.values().sum();\n"
            "\t\t\t(distinct, total)\n\t\t};\n") in text
    assert not any(line.startswith(" ") for line in text.splitlines())


def test_no_block_when_the_carried_value_borrows_from_the_guard() -> None:
    case = _case(f"{MUTEX}/nested-sync-loop")
    sources = case.sources()
    file = f"{MUTEX}/nested-sync-loop/src/lib.rs"
    text = sources.text(file)
    assert text is not None
    borrowed = text.replace("cache.get(&id).cloned().unwrap_or_default()",
                            "cache.get(&id).unwrap()")
    assert borrowed != text
    changed = MappingSources({file: borrowed})
    assert offered_fixes(_match(case, changed), changed) == []


def test_no_block_for_a_guard_held_only_for_its_lock() -> None:
    case = _case(f"{MUTEX}/drop-then-await")
    sources = case.sources()
    file = f"{MUTEX}/drop-then-await/src/lib.rs"
    text = sources.text(file)
    assert text is not None
    # Same lines, but nothing reads through the guard: the lock itself is the point.
    silent = text.replace("let endpoint = guard.endpoint.clone();",
                          "let endpoint = String::new();").replace("drop(guard);", "work();")
    changed = MappingSources({file: silent})
    assert offered_fixes(_match(case, changed), changed) == []


def test_no_hoist_when_the_element_type_is_not_known_to_be_clone() -> None:
    case = _case(f"{MUTEX}/match-session-lookup")
    sources = case.sources()
    match = _match(case, sources)
    assert [f.id for f in offered_fixes(match, sources)] == ["hoist-scrutinee"]
    facts = dict(match.facts, type="std::sync::MutexGuard<'_, HashMap<u64, Session>>")
    assert offered_fixes(replace(match, facts=facts), sources) == []


def test_no_hoist_for_an_else_if_let_head() -> None:
    case = _case(f"{REFCELL}/if-let-first-pending")
    sources = case.sources()
    file = f"{REFCELL}/if-let-first-pending/src/lib.rs"
    text = sources.text(file)
    assert text is not None
    # Same line numbers: the head is now the second branch of an if/else-if chain, where a
    # `let` before the whole `if` would take the borrow even when the first branch runs.
    chained = text.replace("        if let Some(first) = pending.borrow().first() {",
                           "        if false {} else if let Some(first) = "
                           "pending.borrow().first() {")
    changed = MappingSources({file: chained})
    assert offered_fixes(_match(case, changed), changed) == []


def test_no_refcell_fix_when_the_cell_is_behind_a_reference() -> None:
    case = _case(f"{REFCELL}/tabs-word-tally")
    sources = case.sources()
    file = f"{REFCELL}/tabs-word-tally/src/lib.rs"
    text = sources.text(file)
    assert text is not None
    # The async block no longer moves `counts` in: it would borrow the `RefCell`.
    borrowed = text.replace("tokio::spawn(async move {", "tokio::spawn(async {")
    changed = MappingSources({file: borrowed})
    assert offered_fixes(_match(case, changed), changed) == []


def test_hoisted_option_is_matched_by_value_when_the_arm_only_clones() -> None:
    case = _case(f"{MUTEX}/iflet-owned-hit")
    sources = _raw_sources(case)
    ids, fixed = _fixed(case, sources)
    assert ids == ["hoist-scrutinee"]
    text = fixed[f"{MUTEX}/iflet-owned-hit/src/lib.rs"]
    assert "if let Some(token) = found {\n        token\n" in text
    assert ".as_ref()" not in text and "token.clone()" not in text
    # A second use of the binding keeps the borrowed form.
    file = f"{MUTEX}/iflet-owned-hit/src/lib.rs"
    original = sources.text(file)
    assert original is not None
    twice = MappingSources({file: original.replace("token.clone()",
                                                   "{ let _ = token.len(); token.clone() }")})
    ids, fixed = _fixed(case, twice)
    assert ids == ["hoist-scrutinee"]
    assert "found.as_ref()" in fixed[file] and "token.clone()" in fixed[file]
