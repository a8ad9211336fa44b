"""`borrowlens fix`: apply the preferred fix of each recognised error, re-check, repeat.

Each round runs `cargo check`, takes at most one fix per file (two fixes in one file could
each add the same `use` line or touch neighbouring code; the next round sees the result of
the first), writes them, and lets the next round's check judge them: a round that causes an
error that was not there before, or removes none, is rolled back and its fixes are not tried
again. Rounds stop when the crate is clean, when nothing more can be tried, or
after `--max-rounds`.

Nothing is written outside PATH, and every edited file is re-parsed before it is written. With
`--dry-run` the loop runs on a copy of the workspace in a temporary directory (so re-checks
are real) and only the diff is printed.
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from borrowlens.analyses.diagnostics.model import Diagnostic
from borrowlens.analyses.diagnostics.rustc_json import from_rustc
from borrowlens.analyses.families.offers import offered_fixes
from borrowlens.analyses.families.registry import classify
from borrowlens.analyses.fixes.edits import EditError, Fix, TextEdit, validated

from .cargo_json import compiler_messages
from .disk import DiskSources

EXIT_OK = 0
EXIT_ERRORS = 101

ErrorKey = tuple[str | None, str, str, int]


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
           env: dict[str, str]) -> list[Diagnostic]:
    """The errors `cargo check` reports now (warnings are not this command's business)."""
    cmd = [cargo, "check", "--message-format=json", "--keep-going", "--manifest-path",
           str(target.manifest), *cargo_args]
    proc = subprocess.run(cmd, capture_output=True, text=True, encoding="utf-8",
                          errors="replace", env=env, check=False)
    errors = []
    for message in compiler_messages(proc.stdout):
        diagnostic = from_rustc(message)
        if diagnostic.level == "error" and diagnostic.spans:
            errors.append(diagnostic)
    if proc.returncode != 0 and not errors:
        detail = [x for x in proc.stderr.strip().splitlines() if x.strip()]
        reason = detail[-1] if detail else f"exit status {proc.returncode}"
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


def _inside(path: Path, boundary: Path) -> bool:
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
        if not all(_inside(f, target.boundary) for f in files):
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
    every file changed."""
    env = {**os.environ, "CARGO_TERM_COLOR": "never"}
    if target_dir is not None:
        env["CARGO_TARGET_DIR"] = str(target_dir)
    report = Report()
    originals: dict[Path, str] = {}
    rejected: set[tuple[object, ...]] = set()
    errors = _check(cargo, target, cargo_args, env)
    report.errors_before = len(errors)

    def say(message: str) -> None:
        if progress:
            print(f"borrowlens fix: {message}", file=sys.stderr, flush=True)

    say(f"{len(errors)} error{'s' if len(errors) != 1 else ''} to start with")
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
        say(f"round {report.rounds}: applying {len(written)} "
            f"fix{'es' if len(written) != 1 else ''}: "
            + "; ".join(f"{p.family} at {p.where()}" for p in written))
        try:
            after = _check(cargo, target, cargo_args, env)
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
            say(f"round {report.rounds}: rolled back ({reason})")
            continue
        report.applied.extend(written)
        errors = after
        say(f"round {report.rounds}: {len(errors)} error{'s' if len(errors) != 1 else ''} "
            "left")
    report.errors_after = len(errors)
    # What is left is what the user still has to fix (whether or not a fix was tried).
    report.unfixed = list(errors)
    # Drop originals that ended up identical (a rolled-back file).
    originals = {p: t for p, t in originals.items() if p.read_bytes().decode("utf-8") != t}
    return report, originals


# --- the command ------------------------------------------------------------------------------


def _dry_run_target_dir(root: Path) -> Path:
    """A build directory for dry runs of this workspace, kept between runs.

    Not the workspace's own: cargo's fingerprints for a workspace member do not depend on
    where it lives, so checking the edited copy there would make the next real `cargo check`
    think the unedited crate was already checked clean.
    """
    cache = Path(os.environ.get("BORROWLENS_CACHE")
                 or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
                 / "borrowlens")
    digest = hashlib.sha256(str(root).encode()).hexdigest()[:16]
    return cache / "dry-run-target" / digest


_IGNORED = shutil.ignore_patterns("target", ".git", "node_modules", ".venv")


def _diff(originals: dict[Path, str], current: dict[Path, str], root: Path) -> str:
    chunks: list[str] = []
    for path in sorted(originals):
        name = path.relative_to(root).as_posix() if _inside(path, root) else str(path)
        chunks.extend(difflib.unified_diff(
            originals[path].splitlines(keepends=True), current[path].splitlines(keepends=True),
            fromfile=f"a/{name}", tofile=f"b/{name}"))
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
                   for line in chunks)


def run_fix(args: argparse.Namespace, cargo: str, manifest: Path, root: Path) -> int:
    """The `fix` subcommand once the CLI has located the workspace."""
    path = Path(args.path).resolve()
    boundary = path.parent if path.is_file() else path
    progress = args.format == "human"
    if args.dry_run:
        target_dir = _dry_run_target_dir(root)
        with tempfile.TemporaryDirectory(prefix="borrowlens-fix-") as temp:
            copy = Path(temp) / root.name
            # Plain copies with fresh mtimes: cargo must not mistake them for files it has
            # already checked in this build directory.
            shutil.copytree(root, copy, ignore=_IGNORED, symlinks=True,
                            copy_function=shutil.copy)
            moved = Target(manifest=copy / manifest.relative_to(root), root=copy,
                           boundary=copy / boundary.relative_to(root)
                           if _inside(boundary, root) else copy)
            try:
                report, originals = fix_loop(cargo, moved, args.cargo_args, args.max_rounds,
                                             progress, target_dir)
            except FixError as error:
                raise FixError(f"{error} (a dry run checks a copy of the workspace in a "
                               "temporary directory; path dependencies outside the "
                               "workspace are not copied)") from error
            current = {p: p.read_bytes().decode("utf-8") for p in originals}
            diff = _diff(originals, current, copy)
            shown_root = copy
    else:
        target = Target(manifest=manifest, root=root, boundary=boundary)
        report, originals = fix_loop(cargo, target, args.cargo_args, args.max_rounds,
                                     progress)
        current = {p: p.read_bytes().decode("utf-8") for p in originals}
        diff = _diff(originals, current, root)
        shown_root = root
    if args.format == "json":
        print(json.dumps(_json_report(report, diff, len(originals), args.dry_run,
                                      shown_root)))
    else:
        sys.stdout.write(diff)
        sys.stdout.flush()
        print(_summary(report, len(originals), args.dry_run), file=sys.stderr)
    return EXIT_OK if report.errors_after == 0 else EXIT_ERRORS


def _json_report(report: Report, diff: str, files: int, dry_run: bool,
                 root: Path) -> dict[str, Any]:
    del root
    return {
        "dry_run": dry_run,
        "errors_before": report.errors_before,
        "errors_after": report.errors_after,
        "rounds": report.rounds,
        "files_changed": files,
        "applied": [p.describe() for p in report.applied],
        "rolled_back": [{**p.describe(), "reason": why} for p, why in report.rolled_back],
        "outside_path": [p.describe() for p in report.outside],
        "unfixed": [{"code": d.code, "error": d.message,
                     "at": d.primary.location() if d.primary else None}
                    for d in report.unfixed],
        "diff": diff,
    }


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else ('es' if word.endswith('x') else 's')}"


def _summary(report: Report, files: int, dry_run: bool) -> str:
    lines = []
    for planned in report.applied:
        lines.append(f"  fixed        {planned.where()}  {planned.fix.title}")
    for planned, why in report.rolled_back:
        lines.append(f"  rolled back  {planned.where()}  {planned.fix.title} ({why})")
    for planned in report.outside:
        lines.append(f"  not applied  {planned.where()}  {planned.fix.title} "
                     "(it would edit a file outside PATH)")
    for diagnostic in report.unfixed:
        where = diagnostic.primary.location() if diagnostic.primary else "?"
        lines.append(f"  left         {where}  {diagnostic.message}")
    verb = "would change" if dry_run else "changed"
    lines.append(
        f"borrowlens fix: {_plural(report.errors_before, 'error')} before, "
        f"{report.errors_after} after; {_plural(len(report.applied), 'fix')} applied, "
        f"{len(report.rolled_back)} rolled back; {verb} {_plural(files, 'file')}"
        + (" (dry run: nothing written)" if dry_run else ""))
    return "\n".join(lines)
