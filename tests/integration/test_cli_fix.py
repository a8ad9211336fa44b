"""`borrowlens fix` on copies of real crates: it fixes, re-checks, rolls back what makes things
worse, prints a diff, writes nothing in a dry run, and never writes outside PATH."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from borrowlens.analyses.fixes.edits import Fix, TextEdit
from borrowlens.cli import fix_rounds
from support.cli import ROOT, run
from support.crates import cargo_errors, copy_crate, quiet_env


# Each test builds in its own target directory (the crates are std-only and tiny): cargo's
# fingerprints ignore where a crate lives, so copies of one crate sharing a target directory
# in parallel tests could be taken for each other.
@pytest.fixture(autouse=True)
def _own_target(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CARGO_TARGET_DIR", str(tmp_path / "target"))


def test_fix_applies_rechecks_and_prints_a_diff(tmp_path: Path) -> None:
    crate = copy_crate("recursive-async/mutual", tmp_path / "crate")
    assert cargo_errors(crate) > 0
    proc = run("fix", str(crate), env=quiet_env())
    assert proc.returncode == 0, proc.stderr
    assert "-    is_odd(n - 1).await" in proc.stdout
    assert "+    Box::pin(is_odd(n - 1)).await" in proc.stdout
    assert proc.stdout.startswith("--- a/src/lib.rs\n+++ b/src/lib.rs\n")
    assert "1 error before, 0 after; 1 fix applied, 0 rolled back; changed 1 file" in proc.stderr
    assert "Box::pin(is_odd(n - 1)).await" in (crate / "src/lib.rs").read_text()
    assert cargo_errors(crate) == 0
    # Nothing left to do: a second run changes nothing and prints no diff.
    again = run("fix", str(crate), env=quiet_env())
    assert again.returncode == 0 and again.stdout == ""


def test_dry_run_writes_nothing_and_leaves_no_stale_build(tmp_path: Path) -> None:
    crate = copy_crate("recursive-async/direct", tmp_path / "crate")
    before = (crate / "src/lib.rs").read_bytes()
    listing = sorted(p.name for p in crate.iterdir())
    proc = run("fix", "--dry-run", str(crate), env=quiet_env())
    assert proc.returncode == 0, proc.stderr
    assert "+        sum += Box::pin(total_size(child)).await;" in proc.stdout
    assert "dry run: nothing written" in proc.stderr
    assert (crate / "src/lib.rs").read_bytes() == before
    assert sorted(p.name for p in crate.iterdir()) == listing
    # The copy was checked elsewhere: the real crate still reports its error.
    assert cargo_errors(crate) == 1


def test_json_report(tmp_path: Path) -> None:
    crate = copy_crate("recursive-async/direct", tmp_path / "crate")
    proc = run("fix", "--format", "json", "--dry-run", str(crate), env=quiet_env())
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["errors_before"] == 1 and report["errors_after"] == 0
    assert report["dry_run"] is True and report["files_changed"] == 1
    assert [a["fix"] for a in report["applied"]] == ["box-pin"]
    assert report["applied"][0]["family"] == "recursive-async"
    assert report["diff"].startswith("--- a/src/lib.rs")


def test_errors_without_a_fix_exit_101_and_are_listed(tmp_path: Path) -> None:
    crate = copy_crate("conflicting-borrows/two-indexes", tmp_path / "crate")
    before = (crate / "src").rglob("*.rs")
    snapshot = {p: p.read_bytes() for p in before}
    proc = run("fix", str(crate), env=quiet_env())
    assert proc.returncode == 101, proc.stderr
    assert "  left  " in proc.stderr and "0 fixes applied" in proc.stderr
    assert all(p.read_bytes() == data for p, data in snapshot.items())


def test_never_writes_outside_path(tmp_path: Path) -> None:
    """PATH is one member of a workspace; the error is in another member it depends on."""
    root = tmp_path / "ws"
    copy_crate("recursive-async/mutual", root / "parity", name="parity")
    app = root / "app"
    (app / "src").mkdir(parents=True)
    (app / "Cargo.toml").write_text('[package]\nname = "app"\nversion = "0.0.0"\n'
                                    'edition = "2021"\n\n[dependencies]\n'
                                    'parity = { path = "../parity" }\n')
    (app / "src/lib.rs").write_text("pub use parity::is_even;\n")
    (root / "Cargo.toml").write_text('[workspace]\nresolver = "3"\nmembers = ["app", '
                                     '"parity"]\n')
    library = (root / "parity/src/lib.rs").read_bytes()
    proc = run("fix", str(app), env=quiet_env())
    assert proc.returncode == 101, proc.stderr
    assert "outside PATH" in proc.stderr
    assert (root / "parity/src/lib.rs").read_bytes() == library
    # From the workspace root the same fix is allowed.
    assert run("fix", str(root), env=quiet_env()).returncode == 0


def test_refuses_files_that_are_not_utf8(tmp_path: Path) -> None:
    crate = copy_crate("recursive-async/direct", tmp_path / "crate")
    source = crate / "src/lib.rs"
    data = b"// caf\xe9 (latin-1)\n" + source.read_bytes()
    source.write_bytes(data)
    proc = run("fix", str(crate), env=quiet_env())
    assert proc.returncode == 101
    assert source.read_bytes() == data


def test_bad_path_is_a_usage_error(tmp_path: Path) -> None:
    proc = run("fix", str(tmp_path / "missing"), env=quiet_env())
    assert proc.returncode == 2
    assert "no such file or directory" in proc.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    proc = run("fix", str(empty), env=quiet_env())
    assert proc.returncode == 2 and "Cargo.toml" in proc.stderr


class Terminal(io.StringIO):
    """stderr as a terminal, where `fix` shows its progress line."""

    def isatty(self) -> bool:
        return True


def test_a_fix_that_makes_things_worse_is_rolled_back(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Fault injection: a fix that parses but adds a type error must be undone."""
    crate = copy_crate("recursive-async/direct", tmp_path / "crate")
    source = crate / "src/lib.rs"
    original = source.read_bytes()
    bad = Fix("Add a broken function", True,
              (TextEdit("src/lib.rs", 1, 1, 1, 1,
                        'pub fn broken() -> u8 { "x" }\npub fn worse() -> u8 { "y" }\n'),),
              id="broken")
    monkeypatch.setattr(fix_rounds, "offered_fixes", lambda match, sources: [bad])
    target = fix_rounds.Target(manifest=crate / "Cargo.toml", root=crate, boundary=crate)
    cargo = shutil.which("cargo")
    assert cargo is not None
    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    monkeypatch.setenv("TERM", "xterm")
    report, originals = fix_rounds.fix_loop(cargo, target, [], 5, progress=True)
    assert source.read_bytes() == original
    assert originals == {}
    assert [(p.fix.id, why) for p, why in report.rolled_back] == [
        ("broken", "it caused a new error[E0308]: mismatched types")]
    assert report.applied == [] and report.errors_after == 1
    assert "rolled back" in terminal.getvalue()


def test_the_readme_example_is_fixed_completely_in_a_dry_run() -> None:
    """The shipped example: an Rc<RefCell<…>> across an await and a closure that is not
    general enough; `fix` makes it compile, and the dry run leaves it as shipped."""
    example = ROOT / "examples" / "async-service"
    before = (example / "src/main.rs").read_bytes()
    proc = run("fix", "--dry-run", str(example))
    assert proc.returncode == 0, proc.stderr
    assert "+    let stats = Arc::new(Mutex::new(Stats::default()));" in proc.stdout
    assert "+use std::sync::{Arc, Mutex};" in proc.stdout
    assert "-use std::rc::Rc;" in proc.stdout
    assert "constrain(|request: &Request| {" in proc.stdout
    assert "3 errors before, 0 after; 2 fixes applied" in proc.stderr
    assert (example / "src/main.rs").read_bytes() == before


def test_a_fix_that_trades_the_error_for_another_is_rolled_back(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Same number of errors, but a new one the fix introduced: still worse, undone."""
    crate = copy_crate("recursive-async/direct", tmp_path / "crate")
    source = crate / "src/lib.rs"
    original = source.read_bytes()
    lines = original.decode().splitlines()
    line = next(i for i, text in enumerate(lines, 1) if "total_size(child).await" in text)
    column = lines[line - 1].index("total_size(child)") + 1
    swap = Fix("Box it, and break something else", True, (
        TextEdit("src/lib.rs", line, column, line, column + len("total_size(child)"),
                 "Box::pin(total_size(child))"),
        TextEdit("src/lib.rs", 1, 1, 1, 1, 'pub fn broken() -> u8 { "x" }\n')), id="swap")
    monkeypatch.setattr(fix_rounds, "offered_fixes", lambda match, sources: [swap])
    target = fix_rounds.Target(manifest=crate / "Cargo.toml", root=crate, boundary=crate)
    cargo = shutil.which("cargo")
    assert cargo is not None
    report, originals = fix_rounds.fix_loop(cargo, target, [], 5, progress=False)
    assert source.read_bytes() == original and originals == {}
    assert [p.fix.id for p, _ in report.rolled_back] == ["swap"]
    assert report.errors_after == 1 and report.applied == []


def _two_recursions(tmp_path: Path) -> Path:
    """recursive-async/direct with a second recursive async function in the same file."""
    crate = copy_crate("recursive-async/direct", tmp_path / "crate")
    source = crate / "src/lib.rs"
    source.write_text(source.read_text() + (
        "\npub async fn depth(node: &Node) -> u64 {\n"
        "    let mut deepest = 0;\n"
        "    for child in &node.children {\n"
        "        deepest = deepest.max(depth(child).await);\n"
        "    }\n"
        "    deepest + 1\n"
        "}\n"))
    return crate


def test_independent_errors_in_one_file_are_fixed_in_one_round(tmp_path: Path) -> None:
    """Two recursive async functions in one file: both `Box::pin` fixes go in the same round
    (each error's fix, not one per file per round)."""
    crate = _two_recursions(tmp_path)
    source = crate / "src/lib.rs"
    assert cargo_errors(crate) == 2
    target = fix_rounds.Target(manifest=crate / "Cargo.toml", root=crate, boundary=crate)
    cargo = shutil.which("cargo")
    assert cargo is not None
    report, originals = fix_rounds.fix_loop(cargo, target, [], 5, progress=False)
    assert report.errors_before == 2 and report.errors_after == 0
    assert report.rounds == 1
    assert [p.fix.id for p in report.applied] == ["box-pin", "box-pin"]
    text = source.read_text()
    assert "Box::pin(total_size(child)).await" in text and "Box::pin(depth(child)).await" in text
    assert list(originals) == [source]


def test_a_round_that_fails_falls_back_to_one_fix_per_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Both errors' fixes go in round 1, and one of them breaks the build: the round is
    undone, the good fix is applied alone, and the bad one is rejected on its own evidence."""
    crate = _two_recursions(tmp_path)
    source = crate / "src/lib.rs"
    lines = source.read_text().split("\n")
    line = lines.index("    deepest + 1") + 1
    bad = Fix("Break it", True, (TextEdit("src/lib.rs", line, 5, line, 16,
                                          'deepest + "1"'),), id="bad")
    real = fix_rounds.offered_fixes

    def offered(match: Any, sources: Any) -> list[Fix]:
        primary = match.diagnostic.primary
        return [bad] if primary is not None and primary.line_start > 12 else \
            real(match, sources)

    monkeypatch.setattr(fix_rounds, "offered_fixes", offered)
    target = fix_rounds.Target(manifest=crate / "Cargo.toml", root=crate, boundary=crate)
    cargo = shutil.which("cargo")
    assert cargo is not None
    report, _ = fix_rounds.fix_loop(cargo, target, [], 10, progress=False)
    assert [p.fix.id for p in report.applied] == ["box-pin"]
    assert [(p.fix.id, why.split(":")[0]) for p, why in report.rolled_back] == [
        ("bad", "it caused a new error[E0277]")]
    assert report.rounds == 3 and report.errors_after == 1
    text = source.read_text()
    assert "Box::pin(total_size(child)).await" in text and 'deepest + "1"' not in text
