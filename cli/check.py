"""`borrowlens check`: runs `cargo check` and prints each diagnostic as rustc does, followed by
borrowlens' explanation of the errors it recognises (or one JSON object per diagnostic).

Exit status: 0 when the crate is clean, 101 when it has errors, 2 when borrowlens or cargo
could not check it.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from borrowlens.analyses.diagnostics.model import Diagnostic
from borrowlens.analyses.diagnostics.rustc_json import from_rustc
from borrowlens.analyses.explain import render
from borrowlens.analyses.families import story
from borrowlens.analyses.families.base import Match
from borrowlens.analyses.families.offers import offered_fixes
from borrowlens.analyses.families.registry import classify
from borrowlens.cli.terminal import (
    EXIT_ERRORS,
    EXIT_FAILURE,
    EXIT_OK,
    CliError,
    print_error,
    use_color,
)
from borrowlens.server import cargo as cargo_runner
from borrowlens.server.cargo import CargoError, Workspace
from borrowlens.server.disk import DiskSources


def locate_workspace(path: Path, cargo: str) -> Workspace:
    """Finds the Cargo.toml for PATH and the workspace root cargo will report paths against."""
    if "\0" in str(path):
        raise CliError(f"the path {str(path)!r} contains a NUL byte, which no file name can")
    if not path.exists():
        raise CliError(f"{path}: no such file or directory")
    manifest = path if path.is_file() else path / "Cargo.toml"
    if manifest.name != "Cargo.toml" or not manifest.is_file():
        raise CliError(f"could not find `Cargo.toml` in `{path}` "
                       "(borrowlens takes the directory of a crate or workspace)")
    try:
        return cargo_runner.locate_workspace(manifest, cargo)
    except CargoError as error:
        raise CliError(f"cargo cannot read `{manifest}`: {error}") from error


def find_cargo() -> str:
    cargo = cargo_runner.find_cargo()
    if cargo is None:
        raise CliError("cargo was not found on PATH (install Rust with rustup: "
                       "https://rustup.rs)")
    return cargo


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
        fixes = offered_fixes(match, sources)
        record.update({
            "family": match.family.id,
            "title": explanation.title,
            "summary": explanation.tldr,
            "explanation": render.markdown(explanation, full=True,
                                           story=story.code_story(match, sources, fixes)),
            "short_explanation": render.markdown(explanation, full=False),
            "facts": match.facts,
            "related": [{"file": str(workspace.root / r.span.file), "line": r.span.line_start,
                         "column": r.span.column_start, "message": r.message}
                        for r in match.related],
            "fixes": [fix.to_json() for fix in fixes],
        })
    return record


@dataclass
class Tally:
    """What `check` saw, for its summary line."""

    errors: int = 0
    explained: int = 0
    families: list[str] = field(default_factory=list)


def _show(raw: dict[str, Any], args: argparse.Namespace, color: bool, workspace: Workspace,
          sources: DiskSources, tally: Tally) -> None:
    """Prints one rustc diagnostic (and borrowlens' explanation of it) and counts it."""
    diagnostic = from_rustc(raw)
    if not diagnostic.spans and diagnostic.level != "error":
        return  # "N warnings emitted" and the like
    if not diagnostic.spans and diagnostic.message.startswith("aborting due to"):
        return
    match = classify(diagnostic, sources)
    if diagnostic.level == "error":
        tally.errors += 1
    if match is not None:
        tally.explained += 1
        if match.family.id not in tally.families:
            tally.families.append(match.family.id)
    if args.format == "json":
        print(json.dumps(_json_record(diagnostic, match, workspace, sources)), flush=True)
        return
    # rustc's own text as cargo gave it (coloured when asked); the model holds it plain.
    shown = raw.get("rendered") or diagnostic.message
    sys.stdout.write(str(shown).rstrip("\n") + "\n")
    if match is not None and args.explain != "none":
        full = args.explain == "full"
        told = story.code_story(match, sources, offered_fixes(match, sources)) if full else None
        text = render.terminal(match.family.explain(match), full=full, color=color, story=told)
        sys.stdout.write(text)
    sys.stdout.write("\n")
    sys.stdout.flush()


def run_check(args: argparse.Namespace) -> int:
    color = use_color(args.color, sys.stdout)
    cargo = find_cargo()
    workspace = locate_workspace(Path(args.path), cargo)
    sources = DiskSources(workspace.root)
    tally = Tally()
    check = cargo_runner.Check(cargo, manifest=workspace.manifest, color=color,
                               extra_args=args.cargo_args, root=workspace.root)
    with cargo_runner.Streaming(check) as run:
        # Build scripts may print plain lines on stdout; keep them visible.
        for message in run.messages(other=sys.stderr.write):
            raw = cargo_runner.compiler_message(message, workspace.root)
            if raw is not None:
                _show(raw, args, color, workspace, sources, tally)
    if args.format != "json":
        summary = (f"borrowlens: {tally.errors} error{'s' if tally.errors != 1 else ''}, "
                   f"{tally.explained} explained")
        if tally.families:
            summary += f" ({', '.join(tally.families)})"
        print(summary, file=sys.stderr)
    if tally.errors:
        return EXIT_ERRORS
    if run.returncode != 0:
        print_error("cargo could not check the crate (see its output above)", color)
        return EXIT_FAILURE
    return EXIT_OK


def add_path_argument(parser: argparse.ArgumentParser) -> None:
    """PATH, as `check` and `fix` take it (`locate_workspace` reads it)."""
    parser.add_argument("path", nargs="?", default=".", metavar="PATH",
                        help="crate or workspace directory, or its Cargo.toml (default: .)")


def add_parser(commands: Any) -> None:
    """Registers `check` on the CLI's subparsers."""
    check = commands.add_parser(
        "check", help="run cargo check and explain the errors it reports",
        usage="borrowlens check [-h] [options] [PATH] [-- CARGO_ARGS...]",
        description="Runs `cargo check` in PATH and prints each diagnostic as rustc does, "
                    "followed by borrowlens' explanation for the errors it recognises. "
                    "Arguments after `--` go to cargo. Exit status: 0 clean, 101 errors, "
                    "2 borrowlens or cargo could not run.")
    add_path_argument(check)
    check.add_argument("--format", choices=("human", "json"), default="human",
                       help="human text (default) or one JSON object per diagnostic per line")
    check.add_argument("--explain", choices=("short", "full", "none"), default="short",
                       help="how much explanation to print after each recognised error")
    check.add_argument("--color", choices=("auto", "always", "never"), default="auto")
