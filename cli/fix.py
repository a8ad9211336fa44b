"""`borrowlens fix`: the command around the rounds of `fix_rounds`.

It fixes the workspace in place, or with `--dry-run` runs the rounds on a copy in a
temporary directory (so re-checks are real) and only prints the diff. Output: a unified diff
on stdout and a summary on stderr, or one JSON report.
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from borrowlens.analyses.rust.sources import split_lines
from borrowlens.cli.check import find_cargo, locate_workspace
from borrowlens.cli.fix_rounds import FixError, Report, Target, fix_loop, inside
from borrowlens.cli.terminal import EXIT_ERRORS, EXIT_OK, CliError, plural
from borrowlens.server.discovery import cache_dir


def _dry_run_target_dir(root: Path) -> Path:
    """A build directory for dry runs of this workspace, kept between runs.

    Not the workspace's own: cargo's fingerprints for a workspace member do not depend on
    where it lives, so checking the edited copy there would make the next real `cargo check`
    think the unedited crate was already checked clean.
    """
    digest = hashlib.sha256(str(root).encode()).hexdigest()[:16]
    return cache_dir() / "dry-run-target" / digest


_IGNORED = shutil.ignore_patterns("target", ".git", "node_modules", ".venv")


def _diff(originals: dict[Path, str], current: dict[Path, str], root: Path) -> str:
    chunks: list[str] = []
    for path in sorted(originals):
        name = path.relative_to(root).as_posix() if inside(path, root) else str(path)
        chunks.extend(difflib.unified_diff(
            split_lines(originals[path], keepends=True), split_lines(current[path], keepends=True),
            fromfile=f"a/{name}", tofile=f"b/{name}"))
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
                   for line in chunks)


def run_fix(args: argparse.Namespace, cargo: str, manifest: Path, root: Path) -> int:
    """The command once the workspace is located."""
    path = Path(args.path).resolve()
    boundary = path.parent if path.is_file() else path
    # The progress line is on stderr and only on a terminal: it never mixes into the diff
    # or the JSON report, nor into a log.
    progress = True
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
                           if inside(boundary, root) else copy)
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
        "refused": [{**p.describe(), "reason": why} for p, why in report.refused],
        "unfixed": [{"code": d.code, "error": d.message,
                     "at": d.primary.location() if d.primary else None}
                    for d in report.unfixed],
        "diff": diff,
    }


def _summary(report: Report, files: int, dry_run: bool) -> str:
    lines = []
    for planned in report.applied:
        lines.append(f"  fixed        {planned.where()}  {planned.fix.title}")
    for planned, why in report.rolled_back:
        lines.append(f"  rolled back  {planned.where()}  {planned.fix.title} ({why})")
    for planned in report.outside:
        lines.append(f"  not applied  {planned.where()}  {planned.fix.title} "
                     "(it would edit a file outside PATH)")
    for planned, why in report.refused:
        lines.append(f"  not applied  {planned.where()}  {planned.fix.title} ({why})")
    for diagnostic in report.unfixed:
        where = diagnostic.primary.location() if diagnostic.primary else "?"
        lines.append(f"  left         {where}  {diagnostic.message}")
    verb = "would change" if dry_run else "changed"
    lines.append(
        f"borrowlens fix: {plural(report.errors_before, 'error')} before, "
        f"{report.errors_after} after; {plural(len(report.applied), 'fix')} applied, "
        f"{len(report.rolled_back)} rolled back; {verb} {plural(files, 'file')}"
        + (" (dry run: nothing written)" if dry_run else ""))
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """`borrowlens fix`; a FixError (cargo could not check the crate) is a CliError."""
    cargo = find_cargo()
    workspace = locate_workspace(Path(args.path), cargo)
    try:
        return run_fix(args, cargo, workspace.manifest, workspace.root)
    except FixError as error:
        raise CliError(str(error)) from error
