"""`borrowlens doctor` run as a user would: the real rust-analyzer makes it choose the proxy,
a bogus one is listed as rejected with the reason, no rust-analyzer anywhere means standalone,
and no cargo is a problem the user must fix (exit status 1)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from support.cli import ROOT, run

DEPTH_ENV = "BORROWLENS_PROXY_DEPTH"


def real_rust_analyzer() -> str:
    """The rust-analyzer scripts/test hands over, else the cached build (set up if needed);
    a missing one fails the test instead of skipping it."""
    path = os.environ.get("BORROWLENS_TEST_RUST_ANALYZER")
    if not path:
        proc = subprocess.run([str(ROOT / "scripts" / "ensure-rust-analyzer.sh")],
                              capture_output=True, text=True, check=False, timeout=3600)
        assert proc.returncode == 0, f"no rust-analyzer could be set up:\n{proc.stderr}"
        path = proc.stdout.strip().splitlines()[-1]
    assert Path(path).is_file(), f"rust-analyzer {path} does not exist"
    return path


def base_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("BORROWLENS_RUST_ANALYZER", DEPTH_ENV, "CARGO", "RUSTC")}
    env["NO_COLOR"] = "1"
    return env


def hermetic_env(tmp_path: Path, tools: tuple[str, ...]) -> dict[str, str]:
    """An environment where the only programs on PATH are TOOLS (linked from the real
    toolchain), HOME has no editor extensions and borrowlens' cache is empty: nothing can
    turn up a rust-analyzer."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in tools:
        real = shutil.which(tool)
        assert real is not None, f"{tool} is needed on PATH for this test"
        # rustup's proxies pick the tool by the name they are called as: keep the name.
        (bin_dir / tool).symlink_to(real)
    env = base_env()
    home = Path.home()
    # rustup and cargo find their homes through HOME unless told; keep the real ones.
    env.setdefault("RUSTUP_HOME", str(home / ".rustup"))
    env.setdefault("CARGO_HOME", str(home / ".cargo"))
    (tmp_path / "home").mkdir()
    (tmp_path / "cache").mkdir()
    env.update(PATH=str(bin_dir), HOME=str(tmp_path / "home"),
               BORROWLENS_CACHE=str(tmp_path / "cache"))
    env.pop("XDG_CACHE_HOME", None)
    return env


def doctor_json(*args: str, env: dict[str, str]) -> tuple[int, dict[str, Any]]:
    proc = run("doctor", "--format", "json", *args, env=env)
    # One JSON object and nothing else on stdout.
    report = json.loads(proc.stdout)
    assert isinstance(report, dict), proc.stdout
    return proc.returncode, report


def test_real_rust_analyzer_means_proxy() -> None:
    ra = real_rust_analyzer()
    status, report = doctor_json("--rust-analyzer", ra, env=base_env())
    assert status == 0, report
    assert report["mode"] == "proxy"
    chosen = report["rust_analyzer"]["chosen"]
    assert chosen["path"] == ra
    assert chosen["source"] == "--rust-analyzer"
    assert chosen["version"].startswith("rust-analyzer")
    first = report["rust_analyzer"]["candidates"][0]
    assert first == {"path": ra, "source": "--rust-analyzer", "works": True, "chosen": True,
                     "reason": f"chosen ({chosen['version']})"}
    assert report["ok"] is True and report["problems"] == []


def test_text_output_names_the_choice() -> None:
    ra = real_rust_analyzer()
    proc = run("doctor", "--rust-analyzer", ra, env=base_env())
    assert proc.returncode == 0, proc.stderr
    assert f"* {ra}  [--rust-analyzer]" in proc.stdout
    assert "mode: proxy" in proc.stdout
    assert "cargo: " in proc.stdout and "rustc: " in proc.stdout


def test_bogus_environment_rust_analyzer_is_rejected(tmp_path: Path) -> None:
    bogus = tmp_path / "rust-analyzer"
    bogus.write_text("#!/bin/sh\necho 'not the analyzer you are looking for'\n")
    bogus.chmod(0o755)
    ra = real_rust_analyzer()
    env = {**base_env(), "BORROWLENS_RUST_ANALYZER": str(bogus)}
    status, report = doctor_json("--rust-analyzer", ra, env=env)
    assert status == 0, report
    by_source = {c["source"]: c for c in report["rust_analyzer"]["candidates"]}
    rejected = by_source["$BORROWLENS_RUST_ANALYZER"]
    assert rejected["path"] == str(bogus)
    assert rejected["works"] is False and rejected["chosen"] is False
    assert "did not answer as rust-analyzer" in rejected["reason"]
    assert "not the analyzer you are looking for" in rejected["reason"]
    assert report["mode"] == "proxy"
    assert report["rust_analyzer"]["chosen"]["path"] == ra
    # A configured rust-analyzer that does not work is worth a warning, not a failure.
    assert any("$BORROWLENS_RUST_ANALYZER" in w for w in report["warnings"])


def test_missing_explicit_rust_analyzer_is_rejected(tmp_path: Path) -> None:
    env = hermetic_env(tmp_path, ("cargo", "rustc"))
    missing = str(tmp_path / "nowhere" / "rust-analyzer")
    status, report = doctor_json("--rust-analyzer", missing, env=env)
    assert status == 0, report
    assert report["rust_analyzer"]["candidates"] == [
        {"path": missing, "source": "--rust-analyzer", "works": False, "chosen": False,
         "reason": "not found"}]
    assert report["mode"] == "standalone"


def test_no_rust_analyzer_anywhere_means_standalone(tmp_path: Path) -> None:
    env = hermetic_env(tmp_path, ("cargo", "rustc"))
    status, report = doctor_json(env=env)
    assert status == 0, report
    assert report["mode"] == "standalone"
    assert report["mode_reason"] == "no working rust-analyzer was found (no candidates)"
    assert report["rust_analyzer"] == {"chosen": None, "candidates": []}
    assert report["cargo"]["version"].startswith("cargo ")
    assert report["ok"] is True


def test_standalone_flag_and_recursion_guard() -> None:
    ra = real_rust_analyzer()
    status, report = doctor_json("--rust-analyzer", ra, "--standalone", env=base_env())
    assert (status, report["mode"]) == (0, "standalone")
    assert report["mode_reason"] == "--standalone was given"
    status, report = doctor_json("--rust-analyzer", ra, env={**base_env(), DEPTH_ENV: "1"})
    assert (status, report["mode"]) == (0, "standalone")
    assert DEPTH_ENV in report["mode_reason"]


def test_no_cargo_is_a_problem(tmp_path: Path) -> None:
    env = hermetic_env(tmp_path, ("rustc",))
    status, report = doctor_json(env=env)
    assert status == 1
    assert report["ok"] is False
    assert report["cargo"] == {"path": None, "version": None, "error": "not found (PATH)"}
    assert any(p.startswith("cargo: not found") for p in report["problems"])
    text = run("doctor", env=env)
    assert text.returncode == 1
    assert "problem: cargo: not found" in text.stdout


@pytest.mark.parametrize("args", [(), ("--standalone",)])
def test_json_schema(args: tuple[str, ...]) -> None:
    status, report = doctor_json("--rust-analyzer", real_rust_analyzer(), *args,
                                 env=base_env())
    assert status == 0
    assert set(report) == {"borrowlens", "rust_analyzer", "cargo", "rustc", "mode",
                           "mode_reason", "problems", "warnings", "ok", "editor"}
    assert set(report["borrowlens"]) == {"version", "python", "python_executable"}
    assert isinstance(report["borrowlens"]["version"], str)
    assert set(report["rust_analyzer"]) == {"chosen", "candidates"}
    assert set(report["rust_analyzer"]["chosen"]) == {"path", "version", "source"}
    for candidate in report["rust_analyzer"]["candidates"]:
        assert set(candidate) == {"path", "source", "works", "chosen", "reason"}
        assert isinstance(candidate["works"], bool) and isinstance(candidate["chosen"], bool)
        assert isinstance(candidate["reason"], str) and candidate["reason"]
    assert sum(c["chosen"] for c in report["rust_analyzer"]["candidates"]) == 1
    for tool in ("cargo", "rustc"):
        assert set(report[tool]) == {"path", "version", "error"}
    assert report["mode"] in ("proxy", "standalone")
    assert isinstance(report["mode_reason"], str) and report["mode_reason"]
    assert all(isinstance(p, str) for p in report["problems"] + report["warnings"])
    assert isinstance(report["ok"], bool)
    editor = report["editor"]  # the editor the tests run in, if any (test_cli_doctor_editor.py)
    assert editor is None or {"name", "title", "page", "snippets", "detected_from"} <= set(editor)


def test_a_relative_rust_analyzer_is_taken_from_the_current_directory(tmp_path: Path) -> None:
    """`--rust-analyzer ./ra` is the `ra` here, not an `ra` on PATH."""
    env = hermetic_env(tmp_path, ("cargo", "rustc"))
    for directory, version in ((tmp_path / "bin", "0.0.0 (on PATH)"),
                               (tmp_path / "work", "9.9.9 (here)")):
        directory.mkdir(exist_ok=True)
        fake = directory / "ra"
        fake.write_text(f"#!/bin/sh\necho 'rust-analyzer {version}'\n")
        fake.chmod(0o755)
    proc = run("doctor", "--format", "json", "--rust-analyzer", "./ra", env=env,
               cwd=tmp_path / "work")
    report = json.loads(proc.stdout)
    assert report["rust_analyzer"]["chosen"] == {
        "path": str(tmp_path / "work" / "ra"), "version": "rust-analyzer 9.9.9 (here)",
        "source": "--rust-analyzer"}
