"""`borrowlens check` against the real cargo: output, JSON schema, exit statuses."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest

from borrowlens.cli.main import main
from support.cli import ROOT, run
from support.crates import clean_crate

EXAMPLE = ROOT / "examples" / "async-service"
GOLDEN = ROOT / "tests" / "golden" / "check-async-service.txt"


def normalise(text: str) -> str:
    """Removes what differs between machines: the cargo registry's location."""
    return re.sub(r"(-->\s*)\S*/registry/src/[^/]+/", r"\1$CARGO_REGISTRY/", text)


def test_check_example_matches_golden_output() -> None:
    result = run("check", str(EXAMPLE), "--color", "never")
    assert result.returncode == 101, result.stderr
    actual = normalise(result.stdout)
    if os.environ.get("BORROWLENS_UPDATE_GOLDEN"):
        GOLDEN.write_text(actual, encoding="utf-8")
    assert actual == GOLDEN.read_text(encoding="utf-8")
    assert "borrowlens: 3 errors, 3 explained" in result.stderr


@pytest.mark.parametrize("depth", ["full", "teach"])
def test_check_explain_full_and_teach(depth: str) -> None:
    """full: the whole explanation with the user's code annotated; teach adds the background
    of each error's group (the golden output above is the short form)."""
    result = run("check", str(EXAMPLE), "--color", "never", "--explain", depth)
    assert result.returncode == 101, result.stderr
    assert result.stdout.count("\nYour code, annotated\n") == 3
    assert result.stdout.count("\nBackground\n") == (3 if depth == "teach" else 0)
    assert "\nExample\n" not in result.stdout


def test_check_json_lines_follow_the_documented_schema() -> None:
    result = run("check", str(EXAMPLE), "--format", "json")
    assert result.returncode == 101, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    errors = [r for r in records if r["level"] == "error"]
    assert len(errors) == 3
    keys = {"level", "code", "message", "file", "line", "column", "family", "title",
            "summary", "explanation", "fixes"}
    for record in records:
        assert keys <= set(record)
        assert isinstance(record["fixes"], list)
        assert Path(record["file"]).is_absolute() and record["line"] >= 1
    send = next(r for r in errors if r["message"].startswith("future cannot be sent"))
    assert send["family"] == "send-rc-across-await"
    assert send["code"] is None
    assert (send["line"], send["column"]) == (57, 22)
    assert "`stats`" in send["summary"] and "\n" not in send["summary"]
    assert "### The fix" in send["explanation"]
    families = sorted(r["family"] for r in errors)
    assert families == ["hrtb-not-general-enough", "hrtb-not-general-enough",
                        "send-rc-across-await"]


def test_clean_crate_exits_zero(tmp_path: Path) -> None:
    crate = clean_crate(tmp_path / "clean")
    result = run("check", str(crate))
    assert result.returncode == 0, result.stderr
    assert "0 errors" in result.stderr


def test_missing_manifest_is_a_clear_failure(tmp_path: Path) -> None:
    result = run("check", str(tmp_path))
    assert result.returncode == 2
    assert "could not find `Cargo.toml`" in result.stderr
    assert "Traceback" not in result.stderr


def test_nonexistent_path(tmp_path: Path) -> None:
    result = run("check", str(tmp_path / "nope"))
    assert result.returncode == 2 and "no such file or directory" in result.stderr


def test_broken_manifest_is_reported(tmp_path: Path) -> None:
    (tmp_path / "Cargo.toml").write_text("[package\n")
    result = run("check", str(tmp_path))
    assert result.returncode == 2
    assert "cargo cannot read" in result.stderr
    # cargo check, started beside locate-project, is let finish: its own complaint comes
    # first, every time.
    errors = [line for line in result.stderr.split("\n") if line.startswith("error:")]
    assert len(errors) == 2 and errors[1].startswith("error: cargo cannot read"), errors


def test_missing_cargo_is_reported(tmp_path: Path) -> None:
    python_dir = str(Path(shutil.which("python3") or "/usr/bin/python3").parent)
    env = {"PATH": python_dir, "HOME": str(tmp_path), "NO_COLOR": "1"}
    assert shutil.which("cargo", path=python_dir) is None or pytest.fail(
        "test needs a PATH without cargo")
    result = run("check", str(EXAMPLE), env=env)
    assert result.returncode == 2
    assert "cargo was not found" in result.stderr


def test_cargo_arguments_after_double_dash_reach_cargo() -> None:
    result = run("check", str(EXAMPLE), "--", "--no-such-cargo-flag")
    assert result.returncode == 2
    assert "--no-such-cargo-flag" in result.stderr


def test_options_may_follow_the_path() -> None:
    before = run("check", "--format", "json", str(EXAMPLE))
    after = run("check", str(EXAMPLE), "--format", "json")
    assert before.returncode == after.returncode == 101
    assert before.stdout == after.stdout and before.stdout.startswith("{")


def test_a_path_that_looks_like_a_flag_is_a_path(tmp_path: Path) -> None:
    """`./-dir` must not reach cargo as `-dir/…`, which it would read as flags."""
    clean_crate(tmp_path / "-dir", name="dash")
    env = {**os.environ, "NO_COLOR": "1", "CARGO_TARGET_DIR": str(tmp_path / "target")}
    for command in ("check", "fix"):
        result = run(command, "./-dir", cwd=tmp_path, env=env)
        assert result.returncode == 0, result.stderr
        assert "0 errors" in result.stderr or "0 after" in result.stderr
    manifest = run("check", "./-dir/Cargo.toml", cwd=tmp_path, env=env)
    assert manifest.returncode == 0, manifest.stderr


@pytest.mark.parametrize("command", ["check", "fix"])
def test_a_nul_byte_in_the_path_is_a_clear_error(
        command: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([command, "crate\0/x"]) == 2
    err = capsys.readouterr().err
    assert "NUL" in err and "Traceback" not in err and "\0" not in err
