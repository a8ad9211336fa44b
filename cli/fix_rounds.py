"""The rounds of `borrowlens fix`: apply the preferred fix of each recognised error, re-check,
repeat.

Each round runs `cargo check`, takes the first untried fix of every error whose edits are
independent of the others' (`fix_batch`: no overlapping edits, no `use` line added twice;
what does not fit waits for the next round, which sees the result), writes them, and lets
the next check judge them. A round that causes an error that was not there before, or
removes none, is rolled back and retried more cautiously — one fix per file, then half as
many fixes each time — until the fix to blame is alone: rejected on its own evidence, it is
not tried again, and the rounds after it fix everything at once again. Rounds stop when the
crate is clean, when nothing more can be tried, or after `--max-rounds`. Nothing is written
outside the target's boundary, to a file the user made read-only, or where
`gate.confinement` (shared with the language server's quick fixes) forbids, and every edited
file is re-parsed before it is written.

A round is all or nothing (`journal.Round`): a write that fails half-way, a failed check or a
signal (Ctrl-C, SIGTERM, SIGHUP) while cargo checks it restores every file it wrote before the
error goes on.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from borrowlens.analyses.diagnostics.model import Diagnostic
from borrowlens.analyses.diagnostics.rustc_json import from_rustc
from borrowlens.analyses.families.offers import offered_fixes
from borrowlens.analyses.families.registry import classify
from borrowlens.analyses.fixes.edits import Fix
from borrowlens.analyses.fixes.gate import confinement
from borrowlens.cli import journal
from borrowlens.cli.fix_batch import Batch, combine
from borrowlens.cli.terminal import Progress, plural
from borrowlens.server import cargo as cargo_runner
from borrowlens.server.disk import DiskSources, canonical


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
    # Not applied, and why: a read-only file, a dependency's, one the error does not name.
    refused: list[tuple[Planned, str]] = field(default_factory=list)
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
        extra_args=cargo_args, root=target.root))
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
          report: Report, *, per_file: bool = False) -> list[Planned]:
    """The first (preferred) untried fix of each error in turn, those that fit together
    (`per_file`: at most one per file)."""
    sources = DiskSources(target.root)
    plan: list[Planned] = []
    batch = Batch(sources.canonical, per_file=per_file)
    report.unfixed = []
    report.outside = []
    report.refused = []
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
        assert match is not None  # a candidate comes from a match
        why = confinement(chosen.fix, diagnostic, [canonical(target.root)], sources.canonical,
                          located=[item.span.file for item in match.related])
        if why is not None:
            report.refused.append((chosen, why))
            continue
        files = {sources.resolve(f) for f in chosen.fix.files()}
        if not all(inside(f, target.boundary) for f in files):
            report.outside.append(chosen)
            continue
        locked = [f for f in chosen.fix.files() if journal.read_only(sources.resolve(f))]
        if locked:
            report.refused.append((chosen, f"{', '.join(locked)} is read-only"))
            continue
        if any(chosen.key == p.key for p in plan) or not batch.take(chosen.fix):
            continue  # the same fix for another error, or the next round
        plan.append(chosen)
    return plan


def _apply(plan: list[Planned], target: Target, report: Report,
           rejected: set[tuple[object, ...]]) -> tuple[list[Planned], dict[Path, str]]:
    """The planned fixes whose edits apply and still parse together, and the new text of
    each file they change (written by the caller). A fix that breaks its file even alone is
    rejected; one that only clashes with the others waits for the next round."""
    sources = DiskSources(target.root)
    combined = combine([p.fix for p in plan], sources, sources.resolve)
    for index, why in combined.broken:
        rejected.add(plan[index].key)
        report.rolled_back.append((plan[index], why))
    return [plan[i] for i in combined.kept], combined.texts


def _share_a_file(fixes: list[Planned]) -> bool:
    files = [f for planned in fixes for f in planned.fix.files()]
    return len(set(files)) < len(files)


def _abandon(round_: journal.Round, error: BaseException) -> None:
    """Restores the files of a round that cannot go on (the caller re-raises `error`); a
    write that failed, or a restore that failed, becomes a FixError that says so."""
    files = len(round_.before)
    try:
        round_.restore()
    except journal.RestoreError as failed:
        raise FixError(str(failed)) from error
    if isinstance(error, journal.RestoreError):
        raise FixError(str(error)) from error
    kept = f"{files} file{'s' if files != 1 else ''} it had written restored"
    if isinstance(error, journal.WriteError):
        raise FixError(f"{error}; the round was undone ({kept})") from error
    if not isinstance(error, FixError):
        print(f"borrowlens fix: stopped; the unfinished round was undone ({kept})",
              file=sys.stderr, flush=True)


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
    # After a failed round: one fix per file, and the most fixes the next round may apply
    # (halved while rounds keep failing), so that a fix is only ever rejected on its own
    # evidence. A rejection ends the caution.
    per_file, limit = False, 0
    while errors and report.rounds < max_rounds:
        plan = _plan(errors, target, rejected, report, per_file=per_file)
        if not plan:
            break
        if limit:
            plan = plan[:limit]
        report.rounds += 1
        written, texts = _apply(plan, target, report, rejected)
        if not written:
            continue
        say(f"round {report.rounds}: {plural(len(errors), 'error')}, checking "
            f"{plural(len(written), 'fix')}: "
            + "; ".join(f"{p.family} at {p.where()}" for p in written))
        round_ = journal.Round()
        try:
            round_.write(texts)
            for path, data in round_.before.items():
                originals.setdefault(path, data.decode("utf-8", errors="replace"))
            after = _check(cargo, target, cargo_args, target_dir)
            reason = _verdict(errors, after)
            if reason:
                round_.restore()
        except BaseException as error:
            # A write failed, cargo stopped working, or a signal: the files as last verified.
            _abandon(round_, error)
            raise
        if reason:
            say(f"round {report.rounds}: {plural(len(errors), 'error')} left, "
                f"{plural(len(written), 'fix')} rolled back ({reason})")
            if len(written) == 1:
                rejected.add(written[0].key)
                report.rolled_back.append((written[0], reason))
                per_file, limit = False, 0
            elif not per_file and _share_a_file(written):
                per_file = True
            else:  # one fix per file would be the same round again
                per_file, limit = True, len(written) // 2
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
