"""`cargo borrowlens …` through the real cargo: cargo finds the `cargo-borrowlens` console
script on PATH and runs it as `cargo-borrowlens borrowlens …`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from borrowlens.server import __version__
from support.cli import ROOT, run
from support.fixtures import CACHE

EXAMPLE = ROOT / "examples" / "async-service"
BIN = Path(sys.executable).parent


def cargo(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
           "NO_COLOR": "1", "CARGO_TARGET_DIR": str(CACHE / "examples-target")}
    return subprocess.run(["cargo", *args], cwd=cwd, env=env, capture_output=True, text=True,
                          check=False, timeout=600)


def test_cargo_borrowlens_check_is_borrowlens_check() -> None:
    assert (BIN / "cargo-borrowlens").is_file()
    direct = run("check", str(EXAMPLE), "--format", "json")
    assert direct.returncode == 101, direct.stderr
    result = cargo("borrowlens", "check", "--format", "json", cwd=EXAMPLE)
    assert result.returncode == 101, result.stderr
    assert result.stdout == direct.stdout


def test_cargo_borrowlens_finds_the_crate_from_a_subdirectory() -> None:
    result = cargo("borrowlens", "check", "--color", "never", cwd=EXAMPLE / "src")
    assert result.returncode == 101, result.stderr
    assert "borrowlens: 3 errors, 3 explained" in result.stderr
    assert "--> src/main.rs:57:22" in result.stdout


def test_cargo_borrowlens_outside_a_crate_says_so(tmp_path: Path) -> None:
    result = cargo("borrowlens", "check", cwd=tmp_path)
    assert result.returncode == 2
    assert f"could not find `Cargo.toml` in `{tmp_path.resolve()}` or any parent" in \
        result.stderr


def test_cargo_borrowlens_explain_and_version() -> None:
    explained = cargo("borrowlens", "explain", "E0733", cwd=ROOT)
    assert explained.returncode == 0, explained.stderr
    assert "Box::pin" in explained.stdout
    version = cargo("borrowlens", "--version", cwd=ROOT)
    assert version.returncode == 0 and version.stdout.strip() == f"borrowlens {__version__}"
    bare = cargo("borrowlens", cwd=ROOT)
    assert bare.returncode == 2 and "usage: cargo borrowlens" in bare.stderr
