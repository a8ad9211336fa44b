"""Proving fixes with the real compiler: apply each offered fix to a copy of its fixture crate
and `cargo check` every copy in one run.

The copies form a throw-away cargo workspace (one member per fix, renamed `fxfix-<run>-N` so
several fixes of one case can be built side by side) that reuses the fixtures' Cargo.lock and
their per-user target directory, so dependencies are never rebuilt. Expectations live in each
case's `expect.toml`:

    [fixes]
    offered = ["rc-to-arc", "scope-before-await"]   # ids in the order offered; [] = none
    untouched = ["let local = Rc::new(1);"]          # text every fix must leave in place
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from borrowlens.analyses.diagnostics.model import Diagnostic
from borrowlens.analyses.diagnostics.rustc_json import from_cargo_messages
from borrowlens.analyses.families.offers import offered_fixes
from borrowlens.analyses.families.registry import classify
from borrowlens.analyses.fixes.edits import Fix, apply

from .fixtures import FIXTURES, TARGET_DIR, Case, target


def case_fixes(case: Case, diagnostics: list[Diagnostic] | None = None) -> list[Fix]:
    """What borrowlens offers for the case's target diagnostic (recorded rustc JSON unless
    other diagnostics are given)."""
    diagnostic = target(case, case.recorded() if diagnostics is None else diagnostics)
    sources = case.sources()
    match = classify(diagnostic, sources)
    return offered_fixes(match, sources) if match is not None else []


def fixed_files(case: Case, fix: Fix) -> dict[str, str]:
    """Each file the fix touches (path relative to tests/fixtures) with the fix applied."""
    sources = case.sources()
    out: dict[str, str] = {}
    for file in fix.files():
        text = sources.text(file)
        assert text is not None, f"{case.id}: fix edits {file}, which is not in the crate"
        out[file] = apply(text, [e for e in fix.edits if e.file == file])
    return out


@dataclass(frozen=True)
class Attempt:
    """One fix applied to one copy of a case's crate."""

    case: Case
    fix: Fix
    package: str
    path: Path


def _crate_free(message: str) -> str:
    """The message with crate names blanked (a copy is renamed, so its paths change)."""
    return re.sub(r"\bfx(?:fix)?_[a-z0-9_]+", "CRATE", message)


def error_keys(diagnostics: list[Diagnostic]) -> Counter[tuple[str | None, str]]:
    return Counter((d.code, _crate_free(d.message)) for d in diagnostics if d.level == "error")


# Unique per test run: cargo's fingerprints ignore a member's location, so two runs sharing
# the target directory at once could otherwise take each other's results for their own.
RUN = f"{os.getpid()}x{int(time.time())}"


def build_workspace(root: Path, work: list[tuple[Case, Fix]]) -> list[Attempt]:
    """Copies each case's crate under `root`, applies its fix, and writes the workspace."""
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    attempts = []
    for index, (case, fix) in enumerate(work):
        package = f"fxfix-{RUN}-{index}"
        dest = root / f"m{index}"
        # Fresh mtimes: cargo's fingerprints do not depend on the workspace's location, so
        # files keeping old mtimes could be taken for another build of the same name.
        shutil.copytree(case.path, dest, ignore=shutil.ignore_patterns("target"),
                        copy_function=shutil.copy)
        manifest = dest / "Cargo.toml"
        manifest.write_text(re.sub(r'(?m)^name = ".*"$', f'name = "{package}"',
                                   manifest.read_text(), count=1))
        prefix = str(case.path.relative_to(FIXTURES)) + "/"
        for file, text in fixed_files(case, fix).items():
            assert file.startswith(prefix), f"{case.id}: fix edits {file} outside the crate"
            (dest / file.removeprefix(prefix)).write_bytes(text.encode("utf-8"))
        attempts.append(Attempt(case, fix, package, dest))
    members = ", ".join(f'"m{i}"' for i in range(len(work)))
    (root / "Cargo.toml").write_text(f'[workspace]\nresolver = "3"\nmembers = [{members}]\n')
    shutil.copy(FIXTURES / "Cargo.lock", root / "Cargo.lock")
    return attempts


def check_workspace(root: Path) -> dict[str, list[dict[str, Any]]]:
    """`cargo check` over the copies (offline: every dependency is in the fixtures' lock)."""
    cmd = ["cargo", "check", "--workspace", "--keep-going", "--message-format=json", "--quiet",
           "--offline"]
    env = {**os.environ, "CARGO_TARGET_DIR": str(TARGET_DIR), "CARGO_TERM_COLOR": "never"}
    proc = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True, check=False)
    by_package: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for line in proc.stdout.splitlines():
        if not line.startswith("{"):
            continue
        obj = json.loads(line)
        if obj.get("reason") == "compiler-message":
            name = str(obj["package_id"]).rsplit("#", 1)[-1].split("@", 1)[0]
            by_package[name].append(obj)
    _forget_run()
    if proc.returncode != 0 and not by_package:
        raise RuntimeError(f"cargo check of the fixed copies failed to run:\n"
                           f"{proc.stderr[-4000:]}")
    return dict(by_package)


def _forget_run() -> None:
    """Removes this run's artifacts from the shared target directory (they are never reused,
    and would otherwise pile up run after run)."""
    stem = f"fxfix_{RUN}_".replace("-", "_")
    for folder in ("deps", ".fingerprint", "build", "incremental"):
        for path in (TARGET_DIR / "debug" / folder).glob("*"):
            if path.name.removeprefix("lib").replace("-", "_").startswith(stem):
                if path.is_dir():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink(missing_ok=True)


def verdict(attempt: Attempt, messages: list[dict[str, Any]]) -> str | None:
    """None when the fix removed the case's error and added none; else what went wrong."""
    before_all = attempt.case.recorded()
    before = error_keys(before_all)
    wanted = target(attempt.case, before_all)
    after = error_keys(from_cargo_messages(messages))
    key = (wanted.code, _crate_free(wanted.message))
    problems = []
    if after[key] >= before[key]:
        problems.append(f"the error is still there: {key}")
    new = after - before
    if new:
        problems.append(f"new errors: {sorted(new, key=str)}")
    if problems:
        rendered = "\n".join(str(json.loads(json.dumps(m))["message"].get("rendered", ""))
                             for m in messages)
        return "; ".join(problems) + "\n" + rendered
    return None
