"""Proving fixes with the real cargo (server/verify.py) on a copy of a std-only fixture crate:
a good fix is proven and titled "— compiles", broken fixes injected next to it are withdrawn,
the editor's unsaved buffer is what gets checked, and an edit kills a running check.

The shadow copies and their build directory go to a private BORROWLENS_CACHE.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from borrowlens.analyses.fixes.edits import Fix, TextEdit
from borrowlens.cli import check_output as check_command
from borrowlens.cli.main import main
from borrowlens.server import cargo, enrichment, verifier, verify
from borrowlens.server.rustc_lsp import to_lsp
from borrowlens.server.session import Session
from support.lsp_session import copy_fixture

CASE = "recursive-async/mutual"
TIMEOUT = 600.0


@pytest.fixture
def crate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("BORROWLENS_CACHE", str(tmp_path / "cache"))
    return copy_fixture(CASE, tmp_path / "crate")


def _program() -> str:
    program = cargo.find_cargo()
    assert program is not None, "cargo is needed"
    return program


def _session(crate: Path, target: Path) -> tuple[Session, str, dict[str, Any]]:
    """A session that has the crate's lib.rs open and its errors published."""
    file = crate / "src" / "lib.rs"
    session = Session()
    session.settings.verify_fixes = True
    session.open({"textDocument": {"uri": file.as_uri(), "version": 1, "languageId": "rust",
                                   "text": file.read_text()}})
    finished = cargo.run(cargo.Check(_program(), cwd=crate, target_dir=target))
    diagnostics = [d for m in finished.messages for u, d in to_lsp(m, crate)
                   if u == file.as_uri()]
    assert session.enrich({"uri": file.as_uri(), "diagnostics": diagnostics})
    target_diagnostic = next(d for d in diagnostics if d.get("code") == "E0733")
    return session, file.as_uri(), target_diagnostic


def _wait(session: Session, jobs: list[verifier.Job]) -> dict[str, str]:
    """Runs the verifier's worker on the jobs; the verdict per fix id."""
    session.verifier.offer(jobs)
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        found = {str(j.fix[0]): session.verifier._verdicts.get(j.key) for j in jobs}
        if all(found.values()):
            return {k: str(v) for k, v in found.items()}
        time.sleep(0.2)
    raise AssertionError(f"verification did not finish: {found}")


def _broken(fixes: list[Fix], end_line: int, file: str) -> list[Fix]:
    """Fault injection: next to the real fix, one that adds an error of its own, and one that
    does that while also making the real change (its target error does go away)."""
    bad = TextEdit(file, end_line, 1, end_line, 1,
                   'pub fn borrowlens_broken() -> u32 { "not a number" }\n')
    (real,) = fixes
    return [real, Fix("Broken on its own", False, (bad,), id="broken"),
            Fix("Real change plus a new error", False, (*real.edits, bad), id="real-plus-bad")]


def _inject(monkeypatch: pytest.MonkeyPatch, module: Any, crate: Path) -> None:
    """Makes MODULE's `offered_fixes` offer the broken fixes next to the real one."""
    original = module.offered_fixes
    end_line = len((crate / "src" / "lib.rs").read_text().split("\n"))

    def offered(match: Any, sources: Any) -> list[Fix]:
        fixes = original(match, sources)
        return _broken(fixes, end_line, fixes[0].edits[0].file) if fixes else fixes
    monkeypatch.setattr(module, "offered_fixes", offered)


@pytest.fixture
def injected(crate: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    _inject(monkeypatch, enrichment, crate)
    yield


def test_a_good_fix_is_proven_and_broken_ones_are_withdrawn(
        crate: Path, tmp_path: Path, injected: None) -> None:
    session, uri, target = _session(crate, tmp_path / "plain-target")
    before = session.code_actions(uri, target["range"])
    assert [a["data"]["borrowlens"]["fix"] for a in before] == [
        "box-pin", "broken", "real-plus-bad"]
    verdicts = _wait(session, verifier.jobs(session.recognised, session))
    assert verdicts == {"box-pin": "compiles", "broken": "fails", "real-plus-bad": "fails"}
    after = session.code_actions(uri, target["range"])
    assert [(a["data"]["borrowlens"]["fix"], a["isPreferred"]) for a in after] == [
        ("box-pin", True)]
    assert after[0]["title"].endswith(" — compiles (borrowlens)")
    # The dependencies' build directory persists in the cache for the next check.
    assert (verify.shadow_dir(crate.resolve()) / "target").is_dir()
    session.verifier.close()


def test_the_unsaved_buffer_is_what_gets_checked(crate: Path) -> None:
    lib = crate / "src" / "lib.rs"
    manifest = crate / "Cargo.toml"
    program = _program()
    saved = verify.check_shadow(program, crate, manifest, {})
    assert saved is not None and [e.code for e in saved] == ["E0733"]
    unsaved = lib.read_text() + '\npub fn typed_not_saved() -> u32 { "x" }\n'
    checked = verify.check_shadow(program, crate, manifest, {lib: unsaved})
    assert checked is not None and sorted(str(e.code) for e in checked) == ["E0308", "E0733"]
    # The workspace itself is untouched, and has no build output of the shadow's.
    assert "typed_not_saved" not in lib.read_text()
    assert not (crate / "target").exists()


def test_an_edit_kills_the_running_check_of_its_crate(crate: Path, tmp_path: Path) -> None:
    session, uri, target = _session(crate, tmp_path / "plain-target")
    jobs = verifier.jobs(session.recognised, session)
    session.verifier.offer(jobs)
    deadline = time.monotonic() + TIMEOUT
    while session.verifier._running is None:
        assert time.monotonic() < deadline, "the check never started"
        time.sleep(0.01)
    _, process = session.verifier._running
    text = (crate / "src" / "lib.rs").read_text()
    session.change({"textDocument": {"uri": uri, "version": 2},
                    "contentChanges": [{"text": text + "\n"}]})
    assert process.wait(timeout=60) < 0, "the check was not killed"
    time.sleep(1.0)
    # Killed checks leave no verdict; the edited text makes the old fix stale anyway.
    assert all(session.verifier._verdicts.get(j.key) is None for j in jobs)
    assert session.code_actions(uri, target["range"]) == []
    session.verifier.close()


def test_check_verify_reports_verified_per_fix(crate: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    _inject(monkeypatch, check_command, crate)
    monkeypatch.setenv("CARGO_TARGET_DIR", str(crate.parent / "plain-target"))
    assert main(["check", str(crate), "--format", "json", "--verify"]) == 101
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    (error,) = [r for r in records if r["level"] == "error"]
    assert [(f["id"], f["verified"]) for f in error["fixes"]] == [
        ("box-pin", True), ("broken", False), ("real-plus-bad", False)]
    # Nothing of the check's copies is written to the crate.
    assert "borrowlens_broken" not in (crate / "src" / "lib.rs").read_text()


def test_check_verify_needs_json(crate: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(crate), "--verify"]) == 2
    assert "--verify needs --format json" in capsys.readouterr().err


def test_shadows_of_workspaces_that_are_gone_are_pruned(crate: Path) -> None:
    manifest = crate / "Cargo.toml"
    assert verify.check_shadow(_program(), crate, manifest, {}) is not None
    shadow = verify.shadow_dir(crate.resolve())
    assert (shadow / "target").is_dir()
    verify.prune()
    assert shadow.is_dir(), "the workspace still exists: its shadow stays"
    shutil.rmtree(crate)
    verify.prune()
    assert not shadow.exists()
