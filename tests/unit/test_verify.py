"""The pure parts of proving fixes (server/verify.py, server/verifier.py): the verdict on a
fix from the errors before and after it, how verdicts change the session's code actions, the
setting that turns verification off, and the low-priority cargo command line. The checks
themselves are tests/integration/test_verify_fixes.py's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from borrowlens.analyses.diagnostics.model import Diagnostic, Span
from borrowlens.analyses.fixes.edits import Fix, TextEdit
from borrowlens.server import cargo, verifier, verify
from borrowlens.server.protocol import Settings
from borrowlens.server.session import Session
from support.fixtures import FIXTURES, published_error


def _error(code: str, message: str, file: str = "src/lib.rs", line: int = 3) -> Diagnostic:
    return Diagnostic(level="error", message=message, code=code,
                      spans=(Span(file, line, 1, line, 5, is_primary=True),))


E0733 = _error("E0733", "recursion in an async fn requires boxing")
E0308 = _error("E0308", "mismatched types", line=9)


def test_a_fix_compiles_when_its_error_goes_and_none_comes() -> None:
    target = ("E0733", E0733.message)
    assert verify.judge([E0733, E0308], [E0308], target)
    assert verify.judge([E0733], [], target)


def test_a_fix_fails_when_its_error_stays_or_a_new_one_appears() -> None:
    target = ("E0733", E0733.message)
    assert not verify.judge([E0733], [E0733], target)
    assert not verify.judge([E0733], [E0308], target)
    # One of two identical errors fixed, but a new one caused: still a failure.
    assert not verify.judge([E0733, E0733], [E0733, E0308], target)
    assert verify.judge([E0733, E0733], [E0733], target)


def test_the_target_is_found_by_code_file_and_line() -> None:
    root = Path("/ws")
    errors = [E0308, E0733]
    assert verify.target_key(errors, root, "E0733", root / "src/lib.rs", 3) == (
        "E0733", E0733.message)
    assert verify.target_key(errors, root, "E0733", root / "src/lib.rs", 4) is None
    assert verify.target_key(errors, root, "E0733", root / "src/main.rs", 3) is None


def _action(title: str, preferred: bool) -> dict[str, Any]:
    return {"title": title, "isPreferred": preferred}


def test_verified_actions_come_first_and_failed_ones_are_withdrawn() -> None:
    actions = [_action("a", True), _action("b", False), _action("c", False),
               _action("d", False)]
    kept = verifier.verified_first(actions, [None, "fails", "compiles", "unknown"])
    assert [a["title"] for a in kept] == ["c", "a", "d"]
    # Not yet checked: keeps its preference; checked without a verdict: loses it.
    assert [a["isPreferred"] for a in kept] == [False, True, False]


def test_the_title_says_when_the_fix_compiles() -> None:
    assert verifier.action_title("Box the call", "compiles") == \
        "Box the call — compiles (borrowlens)"
    for verdict in (None, "unknown"):
        assert verifier.action_title("Box the call", verdict) == "Box the call (borrowlens)"


def test_verify_fixes_is_on_by_default_and_the_environment_turns_it_off() -> None:
    assert Settings.from_environ({}).verify_fixes is True
    assert Settings.from_environ({"BORROWLENS_VERIFY_FIXES": "0"}).verify_fixes is False
    settings = Settings()
    settings.update({"verifyFixes": False})
    assert settings.verify_fixes is False


def test_background_checks_run_under_nice() -> None:
    command = cargo.Check("cargo", low_priority=True).command()
    assert command[:3] == [command[0], "-n", "19"] and command[0].endswith("nice")
    assert command[3:5] == ["cargo", "check"]
    assert cargo.Check("cargo").command()[:2] == ["cargo", "check"]


def test_fixed_texts_apply_the_edits_per_file() -> None:
    fix = Fix("t", True, (TextEdit("a.rs", 1, 1, 1, 4, "let"),), id="x")
    assert verify.fixed_texts(fix, {"a.rs": "var x;\n"}.get) == {"a.rs": "let x;\n"}
    assert verify.fixed_texts(fix, {}.get) is None
    broken = Fix("t", True, (TextEdit("a.rs", 9, 1, 9, 4, "let"),), id="x")
    assert verify.fixed_texts(broken, {"a.rs": "var x;\n"}.get) is None


def _session_with_fix() -> tuple[Session, str, dict[str, Any]]:
    uri, diagnostics = published_error("recursive-async/mutual")
    session = Session()
    session.settings.verify_fixes = True
    assert session.enrich({"uri": uri, "diagnostics": diagnostics})
    return session, uri, diagnostics[0]


def test_session_jobs_and_verdicts_shape_the_code_actions() -> None:
    session, uri, first = _session_with_fix()
    # Outside an event loop, publishing schedules nothing (no thread, no cargo).
    assert session.verifier._thread is None
    jobs = verifier.jobs(session.recognised, session)
    assert [job.fix[0] for job in jobs] == ["box-pin"]
    (job,) = jobs
    assert job.code == "E0733"
    assert job.anchor == FIXTURES / "recursive-async/mutual/src/lib.rs"
    before = session.code_actions(uri, first["range"])
    assert [a["title"].endswith(" (borrowlens)") and "compiles" not in a["title"]
            for a in before] == [True]
    session.verifier._verdicts[job.key] = "compiles"
    (action,) = session.code_actions(uri, first["range"])
    assert action["title"].endswith(" — compiles (borrowlens)") and action["isPreferred"]
    session.verifier._verdicts[job.key] = "fails"
    assert session.code_actions(uri, first["range"]) == []
    # Turned off: verdicts are not consulted.
    session.configure({"verifyFixes": False})
    assert len(session.code_actions(uri, first["range"])) == 1


def test_an_unsaved_edit_changes_the_state_a_verdict_is_for() -> None:
    session, uri, first = _session_with_fix()
    path = FIXTURES / "recursive-async/mutual/src/lib.rs"
    text = path.read_text()
    session.open({"textDocument": {"uri": uri, "version": 1, "text": text}})
    (job,) = verifier.jobs(session.recognised, session)
    assert job.overlay == {path: text}
    session.verifier._verdicts[job.key] = "compiles"
    session.change({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [
        {"text": text + "\n// typed\n"}]})
    # The entry is stale now: no fix offered, so no verdict shown for the old text.
    assert session.code_actions(uri, first["range"]) == []
