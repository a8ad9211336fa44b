"""The `borrowlens` command: `check`, `explain` (and, later, `fix` and the language server).

Exit statuses follow cargo's: 0 when the crate is clean, 101 when it has errors; 2 when
borrowlens itself could not do its job (bad arguments, no Cargo.toml, cargo missing or unable
to check the crate).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from borrowlens.analyses.diagnostics.model import Diagnostic
from borrowlens.analyses.diagnostics.pasted import from_rendered, pasted_files
from borrowlens.analyses.diagnostics.rustc_json import from_rustc
from borrowlens.analyses.explain import render
from borrowlens.analyses.families.base import Match
from borrowlens.analyses.families.offers import offered_fixes
from borrowlens.analyses.families.registry import (
    all_families,
    classify,
    families_for_code,
    family_by_id,
)
from borrowlens.analyses.rust.sources import MappingSources

from . import __version__, doctor
from .disk import DiskSources
from .fix_cmd import FixError, run_fix

EXIT_OK = 0
EXIT_ERRORS = 101
EXIT_FAILURE = 2


class CliError(Exception):
    """A problem the user can fix; printed as one line, exit status 2."""


# --- shared -----------------------------------------------------------------------------------


def _use_color(choice: str, stream: TextIO) -> bool:
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    return stream.isatty()


def _stderr(message: str, color: bool = False) -> None:
    prefix = "\x1b[1;31merror\x1b[0m" if color else "error"
    print(f"{prefix}: {message}", file=sys.stderr)


# --- check ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Workspace:
    """The crate or workspace `check` runs in."""

    manifest: Path
    root: Path


def locate_workspace(path: Path, cargo: str) -> Workspace:
    """Finds the Cargo.toml for PATH and the workspace root cargo will report paths against."""
    if not path.exists():
        raise CliError(f"{path}: no such file or directory")
    manifest = path if path.is_file() else path / "Cargo.toml"
    if manifest.name != "Cargo.toml" or not manifest.is_file():
        raise CliError(f"could not find `Cargo.toml` in `{path}` "
                       "(borrowlens takes the directory of a crate or workspace)")
    proc = subprocess.run(
        [cargo, "locate-project", "--workspace", "--message-format", "plain",
         "--manifest-path", str(manifest)],
        capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        detail = proc.stderr.strip().splitlines()
        raise CliError(f"cargo cannot read `{manifest}`: "
                       f"{detail[-1] if detail else 'unknown error'}")
    root_manifest = Path(proc.stdout.strip())
    return Workspace(manifest=manifest.resolve(), root=root_manifest.parent)


def cargo_messages(cargo: str, workspace: Workspace, cargo_args: list[str], color: bool,
                   result: list[int]) -> Iterator[dict[str, Any]]:
    """Streams `cargo check`'s JSON messages; cargo's own progress goes straight to stderr.

    The exit status is appended to `result` once the stream ends.
    """
    fmt = "json-diagnostic-rendered-ansi" if color else "json"
    cmd = [cargo, "check", f"--message-format={fmt}", "--manifest-path",
           str(workspace.manifest), *cargo_args]
    env = {**os.environ, "CARGO_TERM_COLOR": "always" if color else "never"}
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=None, text=True,
                          encoding="utf-8", errors="replace", env=env) as proc:
        assert proc.stdout is not None
        for line in proc.stdout:
            if not line.startswith("{"):
                # Build scripts may print plain lines on stdout; keep them visible.
                sys.stderr.write(line)
                continue
            try:
                yield json.loads(line)
            except ValueError:
                sys.stderr.write(line)
        result.append(proc.wait())


def _json_record(diagnostic: Diagnostic, match: Match | None, workspace: Workspace,
                 sources: DiskSources) -> dict[str, Any]:
    primary = diagnostic.primary
    record: dict[str, Any] = {
        "level": diagnostic.level,
        "code": diagnostic.code,
        "message": diagnostic.message,
        "file": str(workspace.root / primary.file) if primary else None,
        "line": primary.line_start if primary else None,
        "column": primary.column_start if primary else None,
        "end_line": primary.line_end if primary else None,
        "end_column": primary.column_end if primary else None,
        "family": None, "title": None, "summary": None, "explanation": None,
        "short_explanation": None, "facts": {}, "related": [], "fixes": [],
    }
    if match is not None:
        explanation = match.family.explain(match)
        record.update({
            "family": match.family.id,
            "title": explanation.title,
            "summary": explanation.tldr,
            "explanation": render.markdown(explanation, full=True),
            "short_explanation": render.markdown(explanation, full=False),
            "facts": match.facts,
            "related": [{"file": str(workspace.root / r.span.file), "line": r.span.line_start,
                         "column": r.span.column_start, "message": r.message}
                        for r in match.related],
            "fixes": [fix.to_json() for fix in offered_fixes(match, sources)],
        })
    return record


def run_check(args: argparse.Namespace) -> int:
    color = _use_color(args.color, sys.stdout)
    cargo = shutil.which(os.environ.get("CARGO", "cargo"))
    if cargo is None:
        raise CliError("cargo was not found on PATH (install Rust with rustup: "
                       "https://rustup.rs)")
    workspace = locate_workspace(Path(args.path), cargo)
    sources = DiskSources(workspace.root)
    status: list[int] = []
    errors = explained = 0
    families_seen: list[str] = []
    for message in cargo_messages(cargo, workspace, args.cargo_args, color, status):
        if message.get("reason") != "compiler-message":
            continue
        raw = message.get("message") or {}
        diagnostic = from_rustc(raw)
        if not diagnostic.spans and diagnostic.level != "error":
            continue  # "N warnings emitted" and the like
        if not diagnostic.spans and diagnostic.message.startswith("aborting due to"):
            continue
        match = classify(diagnostic, sources)
        if diagnostic.level == "error":
            errors += 1
        if match is not None:
            explained += 1
            if match.family.id not in families_seen:
                families_seen.append(match.family.id)
        if args.format == "json":
            print(json.dumps(_json_record(diagnostic, match, workspace, sources)), flush=True)
            continue
        # rustc's own text as cargo gave it (coloured when asked); the model holds it plain.
        shown = raw.get("rendered") or diagnostic.message
        sys.stdout.write(str(shown).rstrip("\n") + "\n")
        if match is not None and args.explain != "none":
            text = render.terminal(match.family.explain(match), full=args.explain == "full",
                                   color=color)
            sys.stdout.write(text)
        sys.stdout.write("\n")
        sys.stdout.flush()
    cargo_status = status[0] if status else 1
    if args.format != "json":
        summary = (f"borrowlens: {errors} error{'s' if errors != 1 else ''}, "
                   f"{explained} explained")
        if families_seen:
            summary += f" ({', '.join(families_seen)})"
        print(summary, file=sys.stderr)
    if errors:
        return EXIT_ERRORS
    if cargo_status != 0:
        _stderr("cargo could not check the crate (see its output above)", color)
        return EXIT_FAILURE
    return EXIT_OK


# --- explain ----------------------------------------------------------------------------------


def run_explain(args: argparse.Namespace) -> int:
    color = _use_color(args.color, sys.stdout)
    if args.list and args.format == "markdown":
        print(families_table())
        return EXIT_OK
    if args.list:
        width = max(len(f.id) for f in all_families())
        for family in sorted(all_families(), key=lambda f: f.id):
            codes = ", ".join(family.codes) or "(no code)"
            print(f"{family.id:<{width}}  {codes:<14}  {family.title}")
        return EXIT_OK
    if not args.query:
        raise CliError("explain needs an error code (E0597), a family id "
                       "(see --list) or a pasted rustc message")
    query = " ".join(args.query).strip()
    matches: list[Match] = []
    named = family_by_id(query)
    if named is not None:
        matches = [named.generic()]
    elif query.upper().startswith("E") and query[1:].isdigit():
        matches = [f.generic() for f in families_for_code(query)]
        if not matches:
            _stderr(f"borrowlens has no explanation for {query.upper()}; "
                    f"`rustc --explain {query.upper()}` has the compiler's own", color)
            return 1
    else:
        diagnostic = from_rendered(query)
        match = classify(diagnostic, MappingSources(pasted_files(query))) if diagnostic else None
        if match is None:
            _stderr("that message is not one of the error families borrowlens knows "
                    "(borrowlens explain --list shows them)", color)
            return 1
        matches = [match]
    for index, match in enumerate(matches):
        if index:
            print()
        explanation = match.family.explain(match)
        if args.format == "markdown":
            print(render.markdown(explanation, full=True))
        else:
            sys.stdout.write(render.terminal(explanation, full=True, color=color))
    return EXIT_OK


def families_table() -> str:
    """The markdown table of families that README.md embeds (kept in sync by a test)."""
    rows = ["| family | rustc code | what it is |", "| --- | --- | --- |"]
    for family in sorted(all_families(), key=lambda f: f.id):
        codes = ", ".join(family.codes) or "—"
        rows.append(f"| `{family.id}` | {codes} | {family.title} |")
    return "\n".join(rows)


# --- fix ------------------------------------------------------------------------------------


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _run_fix(args: argparse.Namespace) -> int:
    cargo = shutil.which(os.environ.get("CARGO", "cargo"))
    if cargo is None:
        raise CliError("cargo was not found on PATH (install Rust with rustup: "
                       "https://rustup.rs)")
    workspace = locate_workspace(Path(args.path), cargo)
    try:
        return run_fix(args, cargo, workspace.manifest, workspace.root)
    except FixError as error:
        raise CliError(str(error)) from error


# --- entry point ------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="borrowlens",
        description="Explains the hardest Rust compiler errors (lifetimes, variance, HRTB, "
                    "Send across .await, Pin, async fn in traits) and fixes them.")
    parser.add_argument("--version", action="version", version=f"borrowlens {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    check = commands.add_parser(
        "check", help="run cargo check and explain the errors it reports",
        usage="borrowlens check [-h] [options] [PATH] [-- CARGO_ARGS...]",
        description="Runs `cargo check` in PATH and prints each diagnostic as rustc does, "
                    "followed by borrowlens' explanation for the errors it recognises. "
                    "Arguments after `--` go to cargo. Exit status: 0 clean, 101 errors, "
                    "2 borrowlens or cargo could not run.")
    check.add_argument("path", nargs="?", default=".", metavar="PATH",
                       help="crate or workspace directory, or its Cargo.toml (default: .)")
    check.add_argument("--format", choices=("human", "json"), default="human",
                       help="human text (default) or one JSON object per diagnostic per line")
    check.add_argument("--explain", choices=("short", "full", "none"), default="short",
                       help="how much explanation to print after each recognised error")
    check.add_argument("--color", choices=("auto", "always", "never"), default="auto")

    fix = commands.add_parser(
        "fix", help="apply borrowlens' fixes until the crate compiles (or nothing helps)",
        usage="borrowlens fix [-h] [options] [PATH] [-- CARGO_ARGS...]",
        description="Runs `cargo check` in PATH, applies the preferred fix of each "
                    "recognised error (at most one per file per round), checks again, and "
                    "repeats while errors go away. A round that makes things worse is rolled "
                    "back. Prints a unified diff on stdout and a summary on stderr. Never "
                    "writes outside PATH. Exit status: 0 when the crate ends with no errors, "
                    "101 when errors remain, 2 when cargo could not check the crate.")
    fix.add_argument("path", nargs="?", default=".", metavar="PATH",
                     help="crate or workspace directory, or its Cargo.toml (default: .)")
    fix.add_argument("--dry-run", action="store_true",
                     help="work on a temporary copy and print the diff; write nothing")
    fix.add_argument("--max-rounds", type=_positive, default=20, metavar="N",
                     help="stop after N rounds of fix-and-check (default: 20)")
    fix.add_argument("--format", choices=("human", "json"), default="human",
                     help="diff + summary (default), or one JSON report on stdout")

    explain = commands.add_parser(
        "explain", help="explain an error code, a family, or a pasted rustc message",
        description="Prints the full explanation of an error family: give an error code "
                    "(E0597), a family id (see --list), or paste a rustc message in quotes.")
    explain.add_argument("query", nargs="*", metavar="CODE|FAMILY|MESSAGE")
    explain.add_argument("--list", action="store_true", help="list the error families")
    explain.add_argument("--format", choices=("text", "markdown"), default="text")
    explain.add_argument("--color", choices=("auto", "always", "never"), default="auto")

    doctor.add_parser(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    # Everything after `--` belongs to cargo; split it off before parsing so options may come
    # before or after PATH.
    cargo_args: list[str] = []
    if "--" in argv:
        split = argv.index("--")
        argv, cargo_args = argv[:split], argv[split + 1:]
    args = parser.parse_args(argv)
    args.cargo_args = cargo_args
    try:
        if args.command == "check":
            return run_check(args)
        if args.command == "explain":
            return run_explain(args)
        if args.command == "fix":
            return _run_fix(args)
        if args.command == "doctor":
            return doctor.run(args)
        parser.print_help(sys.stderr)
        return EXIT_FAILURE
    except CliError as error:
        _stderr(str(error), _use_color("auto", sys.stderr))
        return EXIT_FAILURE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # Output piped into `head` and the like: stop quietly, as cargo does.
        sys.stderr.close()
        return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
