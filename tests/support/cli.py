"""Runs the installed `borrowlens` console script the way a user would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from .fixtures import CACHE

ROOT = Path(__file__).resolve().parents[2]
BORROWLENS = Path(sys.executable).parent / "borrowlens"


def run(*args: str, cwd: Path | None = None,
        env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`borrowlens ARGS…` with colour off and the examples' builds kept in the cache."""
    base = {**os.environ, "NO_COLOR": "1",
            "CARGO_TARGET_DIR": str(CACHE / "examples-target")}
    return subprocess.run([str(BORROWLENS), *args], cwd=cwd or ROOT, env=env or base,
                          capture_output=True, text=True, check=False, timeout=600)
