"""`borrowlens check`: runs `cargo check` and prints each diagnostic as rustc does, followed by
borrowlens' explanation of the errors it recognises; or one JSON object per diagnostic, GitHub
Actions workflow commands (`github`), or one SARIF log (`sarif`).

Exit status: 0 when the crate is clean, 101 when it has errors, 2 when borrowlens or cargo
could not check it.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from borrowlens.analyses.diagnostics.rustc_json import from_rustc
from borrowlens.analyses.explain import render
from borrowlens.analyses.families import story
from borrowlens.analyses.families.offers import offered_fixes
from borrowlens.analyses.families.registry import classify
from borrowlens.cli import github, sarif
from borrowlens.cli.reporting import (
    Context,
    Output,
    Seen,
    Tally,
    full_explanation,
    report_root,
)
from borrowlens.cli.terminal import (
    EXIT_ERRORS,
    EXIT_FAILURE,
    EXIT_OK,
    CliError,
    print_error,
    use_color,
)
from borrowlens.server import cargo as cargo_runner
from borrowlens.server import verify
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


def _json_record(seen: Seen, context: Context) -> dict[str, Any]:
    diagnostic, match = seen.diagnostic, seen.match
    primary = diagnostic.primary
    root = context.workspace.root
    record: dict[str, Any] = {
        "level": diagnostic.level,
        "code": diagnostic.code,
        "message": diagnostic.message,
        "file": str(root / primary.file) if primary else None,
        "line": primary.line_start if primary else None,
        "column": primary.column_start if primary else None,
        "end_line": primary.line_end if primary else None,
        "end_column": primary.column_end if primary else None,
        "family": None, "title": None, "summary": None, "explanation": None,
        "short_explanation": None, "facts": {}, "related": [], "fixes": [],
    }
    if match is not None:
        explanation = match.family.explain(match)
        fixes = offered_fixes(match, context.sources)
        record.update({
            "family": match.family.id,
            "title": explanation.title,
            "summary": explanation.tldr,
            "explanation": full_explanation(match, context.sources, fixes),
            "short_explanation": render.markdown(explanation, full=False),
            "facts": match.facts,
            "related": [{"file": str(root / r.span.file), "line": r.span.line_start,
                         "column": r.span.column_start, "message": r.message}
                        for r in match.related],
            "fixes": [fix.to_json() for fix in fixes],
        })
    return record


class JsonLines:
    """`--format json`: one object per diagnostic per line, nothing else on stdout. With
    `--verify` the records are held until cargo is done, then each fix is proven on a copy of
    the workspace (`verified` in each fix) before they are printed."""

    def __init__(self, context: Context) -> None:
        self.context = context
        verifying = bool(getattr(context.args, "verify", False))
        self.held: list[tuple[Seen, dict[str, Any]]] | None = [] if verifying else None

    def show(self, seen: Seen) -> None:
        record = _json_record(seen, self.context)
        if self.held is not None:
            self.held.append((seen, record))
        else:
            print(json.dumps(record), flush=True)

    def finish(self, tally: Tally) -> None:
        del tally
        if self.held is None:
            return
        context = self.context
        verify.prune()
        errors = [s.diagnostic for s, _ in self.held
                  if s.diagnostic.level == "error" and s.diagnostic.spans]
        for seen, record in self.held:
            if seen.match is not None and seen.diagnostic.level == "error":
                fixes = offered_fixes(seen.match, context.sources)
                for fix, shown in zip(fixes, record["fixes"], strict=True):
                    shown["verified"] = verify.proves(
                        find_cargo(), context.workspace, errors, seen.diagnostic, fix,
                        context.sources.text, context.args.cargo_args)
            print(json.dumps(record), flush=True)


class Human:
    """`--format human`: rustc's own text, each recognised error's explanation after it, and
    the summary line on stderr."""

    def __init__(self, context: Context) -> None:
        self.context = context

    def show(self, seen: Seen) -> None:
        args, color, sources = self.context.args, self.context.color, self.context.sources
        # rustc's own text as cargo gave it (coloured when asked); the model holds it plain.
        shown = seen.raw.get("rendered") or seen.diagnostic.message
        sys.stdout.write(str(shown).rstrip("\n") + "\n")
        match = seen.match
        if match is not None and args.explain != "none":
            full = args.explain in ("full", "teach")
            told = (story.code_story(match, sources, offered_fixes(match, sources))
                    if full else None)
            text = render.terminal(match.family.explain(match), full=full, color=color,
                                   story=told, teach=args.explain == "teach")
            sys.stdout.write(text)
        sys.stdout.write("\n")
        sys.stdout.flush()

    def finish(self, tally: Tally) -> None:
        print(tally.summary(), file=sys.stderr)


def see(raw: dict[str, Any], sources: DiskSources, tally: Tally) -> Seen | None:
    """The diagnostic to report (None for summary lines), recognised and counted."""
    diagnostic = from_rustc(raw)
    if not diagnostic.spans and diagnostic.level != "error":
        return None  # "N warnings emitted" and the like
    if not diagnostic.spans and diagnostic.message.startswith("aborting due to"):
        return None
    match = classify(diagnostic, sources)
    if diagnostic.level == "error":
        tally.errors += 1
    if match is not None:
        tally.explained += 1
        if match.family.id not in tally.families:
            tally.families.append(match.family.id)
    return Seen(raw, diagnostic, match)


def _output(context: Context) -> Output:
    chosen = context.args.format
    if chosen == "json":
        return JsonLines(context)
    if chosen == "github":
        return github.Annotations(context)
    if chosen == "sarif":
        return sarif.SarifLog(context)
    return Human(context)


def run_check(args: argparse.Namespace) -> int:
    if getattr(args, "verify", False) and args.format != "json":
        raise CliError("--verify needs --format json (it adds `verified` to each fix)")
    # The machine formats never colour: nothing of rustc's rendered text reaches them.
    color = use_color(args.color, sys.stdout) if args.format in ("human", "json") else False
    cargo = find_cargo()
    workspace = locate_workspace(Path(args.path), cargo)
    sources = DiskSources(workspace.root)
    context = Context(args, workspace, sources, color, report_root(workspace.root))
    output = _output(context)
    tally = Tally()
    check = cargo_runner.Check(cargo, manifest=workspace.manifest, color=color,
                               extra_args=args.cargo_args, root=workspace.root)
    with cargo_runner.Streaming(check) as run:
        # Build scripts may print plain lines on stdout; keep them visible.
        for message in run.messages(other=sys.stderr.write):
            raw = cargo_runner.compiler_message(message, workspace.root)
            seen = see(raw, sources, tally) if raw is not None else None
            if seen is not None:
                output.show(seen)
    output.finish(tally)
    if tally.errors:
        return EXIT_ERRORS
    if run.returncode != 0:
        print_error("cargo could not check the crate (see its output above)", color)
        return EXIT_FAILURE
    return EXIT_OK


def add_path_argument(parser: argparse.ArgumentParser) -> None:
    """PATH, as `check` and `fix` take it (`locate_workspace` reads it; `default_path` fills
    it in when it is not given)."""
    parser.add_argument("path", nargs="?", default=None, metavar="PATH",
                        help="crate or workspace directory, or its Cargo.toml (default: .; "
                             "as `cargo borrowlens`, the nearest Cargo.toml, as cargo finds "
                             "it)")


def default_path(*, upward: bool) -> str:
    """PATH when none is given: the current directory, or (`upward`, as a cargo subcommand)
    the directory of the nearest Cargo.toml at or above it, as cargo itself looks."""
    if not upward:
        return "."
    manifest = cargo_runner.find_manifest(Path.cwd())
    if manifest is None:
        raise CliError(f"could not find `Cargo.toml` in `{Path.cwd()}` or any parent "
                       "directory")
    return str(manifest.parent)


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
    check.add_argument("--format", choices=("human", "json", "github", "sarif"),
                       default="human",
                       help="human text (default), one JSON object per diagnostic per line, "
                            "GitHub Actions annotations (github), or one SARIF 2.1.0 log")
    check.add_argument("--explain", choices=("short", "full", "teach", "none"),
                       default="short",
                       help="how much explanation to print after each recognised error "
                            "(teach: full, and the general background of that kind of error)")
    check.add_argument("--color", choices=("auto", "always", "never"), default="auto")
    check.add_argument("--verify", action="store_true",
                       help="with --format json: prove each offered fix with `cargo check` on "
                            "a copy of the workspace (build directory in borrowlens' cache) "
                            "and report `verified: true|false` per fix; records are printed "
                            "once every fix is checked")
    check.add_argument("--docs-base", metavar="URL",
                       help="with --format sarif: where borrowlens' repository is published "
                            "(https://…/blob/main/), for the rules' help links "
                            f"(default: ${sarif.DOCS_BASE_ENV}, else no links)")
