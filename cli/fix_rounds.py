"""The rounds of `borrowlens fix`: apply the preferred fix of each recognised error, re-check,
repeat.

Each round runs `cargo check`, takes at most one fix per file (two fixes in one file could
each add the same `use` line or touch neighbouring code; the next round sees the result of
the first), writes them, and lets the next round's check judge them: a round that causes an
error that was not there before, or removes none, is rolled back and its fixes are not tried
again. Rounds stop when the crate is clean, when nothing more can be tried, or
after `--max-rounds`. Nothing is written outside the target's boundary, and every edited file
is re-parsed before it is written.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from borrowlens.analyses.diagnostics.model import Diagnostic
from borrowlens.analyses.diagnostics.rustc_json import from_rustc
from borrowlens.analyses.families.offers import offered_fixes
from borrowlens.analyses.families.registry import classify
from borrowlens.analyses.fixes.edits import EditError, Fix, TextEdit, validated
from borrowlens.cli.terminal import Progress, plural
from borrowlens.server import cargo as cargo_runner
from borrowlens.server.disk import DiskSources


class FixError(Exception):
    """cargo could not check the crate at all; reported as one line, exit status 2."""


@dataclass
class Planned:
    """A fix chosen for this round, with the error it was chosen for."""

    fix: Fix
    family: str
    diagnostic: Diagnostic

    @property
    def key(self) -> tuple[object, ...]:
        return (self.family, self.fix.id,
                tuple((e.file, e.line_start, e.column_start, e.line_end, e.column_end,
                       e.new_text) for e in self.fix.edits))

    def where(self) -> str:
        primary = self.diagnostic.primary
        return primary.location() if primary else "?"

    def describe(self) -> dict[str, Any]:
        return {"family": self.family, "fix": self.fix.id, "title": self.fix.title,
                "error": self.diagnostic.message, "at": self.where()}


@dataclass
class Report:
    """What happened, for the summary (human or JSON)."""

    errors_before: int = 0
    errors_after: int = 0
    rounds: int = 0
    applied: list[Planned] = field(default_factory=list)
    rolled_back: list[tuple[Planned, str]] = field(default_factory=list)
    outside: list[Planned] = field(default_factory=list)
    unfixed: list[Diagnostic] = field(default_factory=list)


@dataclass(frozen=True)
class Target:
    """Where the loop runs: the manifest cargo checks, the root rustc's paths are relative
    to, and the directory no write may leave."""

    manifest: Path
    root: Path
    boundary: Path


def _check(cargo: str, target: Target, cargo_args: list[str],
           target_dir: Path | None) -> list[Diagnostic]:
    """The errors `cargo check` reports now (warnings are not this command's business)."""
    finished = cargo_runner.run(cargo_runner.Check(
        cargo, manifest=target.manifest, keep_going=True, target_dir=target_dir,
        extra_args=cargo_args))
    errors = []
    for message in finished.messages:
        diagnostic = from_rustc(message)
        if diagnostic.level == "error" and diagnostic.spans:
            errors.append(diagnostic)
    if finished.returncode != 0 and not errors:
        detail = finished.stderr_tail(1)
        reason = detail[-1] if detail else f"exit status {finished.returncode}"
        raise FixError(f"cargo check could not check the crate: {reason}")
    return errors


def _keys(errors: list[Diagnostic]) -> Counter[tuple[str | None, str]]:
    return Counter((d.code, d.message) for d in errors)


def _verdict(before: list[Diagnostic], after: list[Diagnostic]) -> str:
    """Why a round must be rolled back, or "" when it made progress.

    A round must remove errors and add none: an error that was not there before is taken as
    caused by the fix (it may also be one rustc could only report once the fixed error was
    gone, but keeping a fix that might have broken something is the worse mistake).
    """
    new = _keys(after) - _keys(before)
    if new:
        (code, message), _ = next(iter(new.items()))
        label = f"error[{code}]" if code else "error"
        return f"it caused a new {label}: {message}"
    if len(after) >= len(before):
        return "the errors did not change"
    return ""


def inside(path: Path, boundary: Path) -> bool:
    try:
        path.resolve().relative_to(boundary)
    except ValueError:
        return False
    return True


def _plan(errors: list[Diagnostic], target: Target, rejected: set[tuple[object, ...]],
          report: Report) -> list[Planned]:
    """At most one fix per file: the first (preferred) untried fix of each error in turn."""
    sources = DiskSources(target.root)
    plan: list[Planned] = []
    busy: set[str] = set()
    report.unfixed = []
    report.outside = []
    for diagnostic in errors:
        match = classify(diagnostic, sources)
        fixes = offered_fixes(match, sources) if match is not None else []
        candidates = [Planned(fix, match.family.id, diagnostic)
                      for fix in fixes if match is not None]
        candidates = [c for c in candidates if c.key not in rejected]
        if not candidates:
            report.unfixed.append(diagnostic)
            continue
        chosen = candidates[0]
        files = {sources.resolve(f) for f in chosen.fix.files()}
        if not all(inside(f, target.boundary) for f in files):
            report.outside.append(chosen)
            continue
        if any(str(f) in busy for f in files) or any(chosen.key == p.key for p in plan):
            continue  # next round
        busy.update(str(f) for f in files)
        plan.append(chosen)
    return plan


def _write(path: Path, text: str) -> None:
    """Replaces the file atomically, keeping its permissions."""
    mode = path.stat().st_mode
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(text.encode("utf-8"))
        os.chmod(temp, mode & 0o7777)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _apply(plan: list[Planned], target: Target, report: Report,
           rejected: set[tuple[object, ...]]) -> tuple[list[Planned], dict[Path, str]]:
    """Writes the planned fixes; returns those written and each file's text before."""
    sources = DiskSources(target.root)
    written: list[Planned] = []
    before: dict[Path, str] = {}
    for planned in plan:
        by_file: dict[str, list[TextEdit]] = {}
        for edit in planned.fix.edits:
            by_file.setdefault(edit.file, []).append(edit)
        results: dict[Path, str] = {}
        try:
            for file, edits in by_file.items():
                text = sources.text(file)
                if text is None or "\ufffd" in text:
                    raise EditError(f"{file} cannot be read as UTF-8")
                results[sources.resolve(file)] = validated(text, edits)
        except EditError as error:
            rejected.add(planned.key)
            report.rolled_back.append((planned, str(error)))
            continue
        for path, text in results.items():
            before.setdefault(path, path.read_bytes().decode("utf-8"))
            _write(path, text)
        written.append(planned)
    return written, before


def fix_loop(cargo: str, target: Target, cargo_args: list[str], max_rounds: int,
             progress: bool, target_dir: Path | None = None) -> tuple[Report, dict[Path, str]]:
    """Runs the rounds in place under `target`; returns the report and the original text of
    every file changed. With `progress`, a line on a terminal's stderr says how far it got."""
    line = Progress(sys.stderr, "borrowlens fix: ") if progress else None

    def say(message: str) -> None:
        if line is not None:
            line.update(message)

    try:
        return _rounds(cargo, target, cargo_args, max_rounds, target_dir, say)
    finally:
        if line is not None:
            line.clear()


def _rounds(cargo: str, target: Target, cargo_args: list[str], max_rounds: int,
            target_dir: Path | None,
            say: Callable[[str], None]) -> tuple[Report, dict[Path, str]]:
    report = Report()
    originals: dict[Path, str] = {}
    rejected: set[tuple[object, ...]] = set()
    say("checking…")
    errors = _check(cargo, target, cargo_args, target_dir)
    report.errors_before = len(errors)
    say(f"{plural(len(errors), 'error')} to start with")
    # Fixes are tried together until a round fails; from then on one at a time, so a fix is
    # only ever rejected on its own evidence.
    batch = True
    while errors and report.rounds < max_rounds:
        plan = _plan(errors, target, rejected, report)
        if not plan:
            break
        if not batch:
            plan = plan[:1]
        report.rounds += 1
        written, before = _apply(plan, target, report, rejected)
        if not written:
            continue
        for path, text in before.items():
            originals.setdefault(path, text)
        say(f"round {report.rounds}: {plural(len(errors), 'error')}, checking "
            f"{plural(len(written), 'fix')}: "
            + "; ".join(f"{p.family} at {p.where()}" for p in written))
        try:
            after = _check(cargo, target, cargo_args, target_dir)
        except BaseException:
            # Interrupted, or cargo stopped working: leave the files as last verified.
            for path, text in before.items():
                _write(path, text)
            raise
        reason = _verdict(errors, after)
        if reason:
            for path, text in before.items():
                _write(path, text)
            if len(written) == 1:
                rejected.add(written[0].key)
                report.rolled_back.append((written[0], reason))
            batch = False
            say(f"round {report.rounds}: {plural(len(errors), 'error')} left, "
                f"{plural(len(written), 'fix')} rolled back ({reason})")
            continue
        report.applied.extend(written)
        errors = after
        say(f"round {report.rounds}: {plural(len(errors), 'error')} left, "
            f"{plural(len(written), 'fix')} applied")
    report.errors_after = len(errors)
    # What is left is what the user still has to fix (whether or not a fix was tried).
    report.unfixed = list(errors)
    # Drop originals that ended up identical (a rolled-back file).
    originals = {p: t for p, t in originals.items() if p.read_bytes().decode("utf-8") != t}
    return report, originals
