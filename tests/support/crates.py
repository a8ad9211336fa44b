"""Fixture crates copied out as crates of their own, for commands that edit or check them
(`borrowlens fix`, `borrowlens check`), and what the real cargo says about them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

from .fixtures import FIXTURES


def quiet_env() -> dict[str, str]:
    """The environment with colour off."""
    return {**os.environ, "NO_COLOR": "1"}


def copy_crate(case: str, dest: Path, name: str = "fixme") -> Path:
    """A fixture crate as a standalone crate of its own (fresh mtimes, renamed)."""
    shutil.copytree(FIXTURES / case, dest, copy_function=shutil.copy,
                    ignore=shutil.ignore_patterns("rustc.json", "expect.toml", "target"))
    manifest = dest / "Cargo.toml"
    lines = manifest.read_text().split("\n")
    lines = [f'name = "{name}"' if line.startswith("name = ") else line for line in lines]
    manifest.write_text("\n".join(lines).rstrip("\n") + "\n")
    return dest


def clean_crate(dest: Path, name: str = "clean") -> Path:
    """A one-file library crate at DEST that checks clean."""
    (dest / "src").mkdir(parents=True)
    (dest / "Cargo.toml").write_text(
        f'[package]\nname = "{name}"\nversion = "0.1.0"\nedition = "2021"\n')
    (dest / "src" / "lib.rs").write_text("pub fn answer() -> u32 { 42 }\n")
    return dest


def cargo_errors(path: Path) -> int:
    """How many errors with a location `cargo check` reports in the crate at PATH."""
    proc = subprocess.run(["cargo", "check", "--message-format=json", "--quiet"], cwd=path,
                          env=quiet_env(), capture_output=True, text=True, check=False)
    count = 0
    for line in proc.stdout.split("\n"):
        if line.startswith("{"):
            obj = json.loads(line)
            if obj.get("reason") == "compiler-message" and obj["message"]["level"] == "error":
                count += 1 if obj["message"]["spans"] else 0
    return count


def snapshot(crate: Path) -> dict[str, bytes]:
    """Every file of the crate but cargo's own (`target/`, `Cargo.lock`), relative path ->
    bytes: what `fix` may have changed, and whether it left anything behind."""
    return {p.relative_to(crate).as_posix(): p.read_bytes() for p in sorted(crate.rglob("*"))
            if p.is_file() and p.name != "Cargo.lock"
            and "target" not in p.relative_to(crate).parts}
