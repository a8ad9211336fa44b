"""What borrowlens believes of cargo's stdout: only compiler messages of the workspace's own
packages with their primary spans in the workspace. Anything a build script or a dependency's
proc macro prints there (a forged diagnostic naming /etc/passwd, a malformed one) is skipped
with a warning — by `check`, by `fix`, and by the standalone server's checks."""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from borrowlens.server import cargo
from support.cli import run
from support.crates import clean_crate, quiet_env

REGISTRY = "/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/evil-0.1.0"


def _span(file: str, **extra: Any) -> dict[str, Any]:
    return {"file_name": file, "byte_start": 0, "byte_end": 4, "line_start": 1, "line_end": 1,
            "column_start": 1, "column_end": 5, "is_primary": True, "label": "here",
            "text": [], "suggested_replacement": None, "suggestion_applicability": None,
            "expansion": None, **extra}


def _error(spans: list[dict[str, Any]], message: str = "forged error") -> dict[str, Any]:
    return {"$message_type": "diagnostic", "message": message, "code": None,
            "level": "error", "spans": spans, "children": [],
            "rendered": f"error: {message}\n --> /etc/passwd:1:1\n  |\n1 | root:x:0:0\n"}


def _record(manifest: str, package: str, message: object) -> str:
    return json.dumps({"reason": "compiler-message", "package_id": package,
                       "manifest_path": manifest, "target": {"name": "x"},
                       "message": message})


def forged_lines(crate: Path) -> list[str]:
    member = str(crate / "Cargo.toml")
    member_id = f"path+file://{crate}#clean@0.1.0"
    return [
        # A dependency's "diagnostic".
        _record(f"{REGISTRY}/Cargo.toml", "registry+https://github.com/rust-lang/"
                "crates.io-index#evil@0.1.0", _error([_span("/etc/passwd")])),
        # Claiming to be the workspace's own, pointing outside it.
        _record(member, member_id, _error([_span("/etc/passwd")])),
        _record(member, member_id, _error([_span("src/../../../../../../etc/passwd")])),
        # Malformed: each of these used to end `check` and `fix` with a traceback.
        _record(member, member_id, _error([_span("src/lib.rs", line_start="one")])),
        _record(member, member_id, _error([{"file_name": 5}])),
        _record(member, member_id, {**_error([]), "spans": "nope"}),
        _record(member, member_id, {**_error([]), "code": "E0000"}),
        _record(member, member_id, ["not", "an", "object"]),
        '{"reason": "compiler-message", "message": {"level": "error", "message": "m"}}',
        '{"reason": "compiler-message", "message": ' + "[" * 100_000,
    ]


@pytest.fixture
def crate(tmp_path: Path) -> Path:
    """A crate that checks clean."""
    return clean_crate(tmp_path / "clean")


@pytest.fixture
def lying_cargo(tmp_path: Path, crate: Path) -> Path:
    """A `$CARGO` whose `check` prints forged and malformed compiler messages first."""
    forged = tmp_path / "forged.jsonl"
    forged.write_text("\n".join(forged_lines(crate)) + "\n")
    real = shutil.which("cargo")
    assert real is not None
    script = tmp_path / "lying-cargo"
    script.write_text("#!/bin/sh\n"
                      f'if [ "$1" = check ]; then cat "{forged}"; fi\n'
                      f'exec "{real}" "$@"\n')
    script.chmod(0o755)
    return script


def _env(tmp_path: Path, cargo_path: Path) -> dict[str, str]:
    return {**quiet_env(), "CARGO": str(cargo_path),
            "CARGO_TARGET_DIR": str(tmp_path / "target")}


def test_check_believes_only_the_workspace(tmp_path: Path, crate: Path,
                                           lying_cargo: Path) -> None:
    result = run("check", str(crate), env=_env(tmp_path, lying_cargo))
    assert "Traceback" not in result.stderr
    assert result.returncode == 0, result.stderr
    assert "forged" not in result.stdout and "root:" not in result.stdout
    assert "borrowlens: 0 errors" in result.stderr
    assert "skipped a compiler message" in result.stderr
    assert "not a member of the workspace" in result.stderr
    assert "outside the workspace" in result.stderr
    assert "malformed" in result.stderr
    as_json = run("check", "--format", "json", str(crate), env=_env(tmp_path, lying_cargo))
    assert as_json.returncode == 0 and "Traceback" not in as_json.stderr
    assert "/etc/passwd" not in as_json.stdout


def test_fix_believes_only_the_workspace(tmp_path: Path, crate: Path,
                                         lying_cargo: Path) -> None:
    before = (crate / "src/lib.rs").read_bytes()
    result = run("fix", str(crate), env=_env(tmp_path, lying_cargo))
    assert "Traceback" not in result.stderr
    assert result.returncode == 0, result.stderr
    assert "0 errors before, 0 after" in result.stderr
    assert (crate / "src/lib.rs").read_bytes() == before


def test_the_standalone_servers_checks_believe_only_the_workspace(
        tmp_path: Path, crate: Path, lying_cargo: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CARGO_TARGET_DIR", str(tmp_path / "target"))
    check = cargo.Check(str(lying_cargo), cwd=crate, root=crate, workspace=True)
    finished = asyncio.run(cargo.Background(check).run())
    assert finished is not None and finished.messages == []
    # A real error of the crate is still believed.
    (crate / "src/lib.rs").write_text("pub fn answer() -> u32 { \"x\" }\n")
    finished = asyncio.run(cargo.Background(check).run())
    assert finished is not None
    assert [m["spans"][0]["file_name"] for m in finished.messages
            if m["level"] == "error" and m["spans"]] == ["src/lib.rs"]
