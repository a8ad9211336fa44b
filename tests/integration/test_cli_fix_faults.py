"""Fault injection for `borrowlens fix`: a round is all or nothing.

A signal while cargo checks a round, a write that fails half-way through a round, and files
the user made read-only must never leave the crate with edits `fix` did not verify. The
signals are sent to a real `borrowlens fix` while a slowed-down cargo checks its first round.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import stat
import subprocess
import time
from pathlib import Path

import pytest

from borrowlens.analyses.fixes.edits import Fix, TextEdit
from borrowlens.cli import fix_rounds, journal
from borrowlens.cli.main import main
from support.cli import BORROWLENS
from support.crates import copy_crate, quiet_env, snapshot


@pytest.fixture(autouse=True)
def _own_target(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CARGO_TARGET_DIR", str(tmp_path / "target"))


def _real_cargo() -> str:
    cargo = shutil.which("cargo")
    assert cargo is not None
    return cargo


def slow_cargo(tmp_path: Path) -> tuple[Path, Path]:
    """A `$CARGO` that, from its second `check` on (the one after the first round), marks
    that it started and sleeps before running the real cargo: (the script, the mark)."""
    mark = tmp_path / "checking-round"
    count = tmp_path / "checks"
    script = tmp_path / "slow-cargo"
    script.write_text(
        "#!/bin/sh\n"
        'if [ "$1" = check ]; then\n'
        f'  n=$(cat "{count}" 2>/dev/null || echo 0); n=$((n + 1)); echo "$n" > "{count}"\n'
        f'  if [ "$n" -ge 2 ]; then touch "{mark}"; sleep 120; fi\n'
        "fi\n"
        f'exec "{_real_cargo()}" "$@"\n')
    script.chmod(0o755)
    return script, mark


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT],
                         ids=["SIGTERM", "SIGHUP", "SIGINT"])
def test_a_signal_during_the_rounds_check_restores_its_files(
        tmp_path: Path, signum: signal.Signals) -> None:
    crate = copy_crate("recursive-async/direct", tmp_path / "crate")
    before = snapshot(crate)
    cargo, mark = slow_cargo(tmp_path)
    env = {**quiet_env(), "CARGO": str(cargo), "CARGO_TARGET_DIR": str(tmp_path / "target")}
    with subprocess.Popen([str(BORROWLENS), "fix", str(crate)], env=env, text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
        deadline = time.monotonic() + 300
        while not mark.exists():
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the first round was never checked"
            time.sleep(0.05)
        # The round is on disk while cargo checks it.
        assert snapshot(crate) != before
        proc.send_signal(signum)
        _, err = proc.communicate(timeout=60)
    assert snapshot(crate) == before, err
    assert "Traceback" not in err
    assert proc.returncode == 128 + signum, err
    assert "restored" in err


def _two_file_fix(crate: Path) -> Fix:
    """A fix that edits two files (the second one outside the module tree, harmless)."""
    (crate / "src/extra.rs").write_text("pub fn extra() {}\n")
    return Fix("Touch two files", True, (
        TextEdit("src/lib.rs", 1, 1, 1, 1, "// one\n"),
        TextEdit("src/extra.rs", 1, 1, 1, 1, "// two\n")), id="two-files")


def test_a_write_that_fails_half_way_restores_the_round(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    crate = copy_crate("recursive-async/direct", tmp_path / "crate")
    fix = _two_file_fix(crate)
    before = snapshot(crate)
    monkeypatch.setattr(fix_rounds, "offered_fixes", lambda match, sources: [fix])
    # The error names only src/lib.rs: let the fix reach its second file all the same.
    monkeypatch.setattr(fix_rounds, "confinement", lambda *args, **kwargs: None)
    real_write = journal.write_file
    written: list[Path] = []

    def disk_full(path: Path, data: bytes) -> None:
        if len(written) == 1:
            written.append(path)
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        written.append(path)
        real_write(path, data)

    monkeypatch.setattr(journal, "write_file", disk_full)
    status = main(["fix", str(crate)])
    err = capsys.readouterr().err
    assert status == 2, err
    assert snapshot(crate) == before
    assert "No space left on device" in err and "extra.rs" in err
    assert "Traceback" not in err


def test_files_are_replaced_not_rewritten_and_keep_their_mode(tmp_path: Path) -> None:
    crate = copy_crate("recursive-async/direct", tmp_path / "crate")
    source = crate / "src/lib.rs"
    source.chmod(0o640)
    inode = source.stat().st_ino
    original = source.read_bytes()
    round_ = journal.Round()
    round_.write({source: "// replaced\n"})
    assert source.read_text() == "// replaced\n"
    assert stat.S_IMODE(source.stat().st_mode) == 0o640
    # A new file took its place (write-to-temp + rename): never a half-written original.
    assert source.stat().st_ino != inode
    assert sorted(p.name for p in source.parent.iterdir()) == ["lib.rs"]
    round_.restore()
    assert source.read_bytes() == original
    assert stat.S_IMODE(source.stat().st_mode) == 0o640


def test_read_only_files_are_refused_and_named(tmp_path: Path) -> None:
    crate = copy_crate("recursive-async/direct", tmp_path / "crate")
    source = crate / "src/lib.rs"
    source.chmod(0o444)
    before = snapshot(crate)
    proc = subprocess.run([str(BORROWLENS), "fix", str(crate)], env=quiet_env(),
                          capture_output=True, text=True, check=False, timeout=600)
    assert proc.returncode == 101, proc.stderr
    assert snapshot(crate) == before
    assert stat.S_IMODE(source.stat().st_mode) == 0o444
    assert "src/lib.rs is read-only" in proc.stderr
    assert "Traceback" not in proc.stderr
