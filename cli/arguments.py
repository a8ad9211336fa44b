"""The command line's grammar: the parser of `borrowlens` and each command's options.

Kept apart from the commands so that parsing imports nothing of borrowlens' analyses: `check`
starts cargo first and loads them while cargo works (`cli/check.py`).
"""

from __future__ import annotations

import argparse
from typing import Any

from borrowlens.server import __version__

# `check --format sarif`: where the rules' help links point (`cli/sarif.py` reads it).
DOCS_BASE_ENV = "BORROWLENS_DOCS_BASE"


def build_parser(prog: str = "borrowlens") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Explains the hardest Rust compiler errors (lifetimes, variance, HRTB, "
                    "Send across .await, Pin, async fn in traits) and fixes them.")
    parser.add_argument("--version", action="version", version=f"borrowlens {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    add_check(commands)
    add_fix(commands)
    add_explain(commands)
    add_doctor(commands)
    return parser


def add_path_argument(parser: argparse.ArgumentParser) -> None:
    """PATH, as `check` and `fix` take it (`locate_workspace` reads it; `default_path` fills
    it in when it is not given)."""
    parser.add_argument("path", nargs="?", default=None, metavar="PATH",
                        help="crate or workspace directory, or its Cargo.toml (default: .; "
                             "as `cargo borrowlens`, the nearest Cargo.toml, as cargo finds "
                             "it)")


def _crate_command(commands: Any, name: str, summary: str,
                   description: str) -> argparse.ArgumentParser:
    """A command run on a crate (`check`, `fix`): PATH, and cargo's arguments after `--`."""
    parser: argparse.ArgumentParser = commands.add_parser(
        name, help=summary, description=description,
        usage=f"borrowlens {name} [-h] [options] [PATH] [-- CARGO_ARGS...]")
    add_path_argument(parser)
    return parser


def add_check(commands: Any) -> None:
    """Registers `check` on the CLI's subparsers."""
    check = _crate_command(
        commands, "check", "run cargo check and explain the errors it reports",
        "Runs `cargo check` in PATH and prints each diagnostic as rustc does, "
        "followed by borrowlens' explanation for the errors it recognises. "
        "Arguments after `--` go to cargo. Exit status: 0 clean, 101 errors, "
        "2 borrowlens or cargo could not run.")
    check.add_argument("--format", choices=("human", "json", "github", "sarif"),
                       default="human",
                       help="human text (default), one JSON object per diagnostic per line, "
                            "GitHub Actions annotations (github), or one SARIF 2.1.0 log")
    check.add_argument("--explain", choices=("short", "full", "teach", "none"), default="short",
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
                            f"(default: ${DOCS_BASE_ENV}, else no links)")


def positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def add_fix(commands: Any) -> None:
    """Registers `fix` on the CLI's subparsers."""
    fix = _crate_command(
        commands, "fix", "apply borrowlens' fixes until the crate compiles (or nothing helps)",
        "Runs `cargo check` in PATH, applies the preferred fix of every "
        "recognised error whose edits are independent of the others', checks "
        "again, and repeats while errors go away. A round that makes things worse "
        "is rolled back and retried one fix per file. Prints a unified diff on "
        "stdout and a summary on stderr. Never writes outside PATH. Exit status: "
        "0 when the crate ends with no errors, 101 when errors remain, 2 when "
        "cargo could not check the crate.")
    fix.add_argument("--dry-run", action="store_true",
                     help="work on a temporary copy and print the diff; write nothing")
    fix.add_argument("--max-rounds", type=positive, default=20, metavar="N",
                     help="stop after N rounds of fix-and-check (default: 20)")
    fix.add_argument("--format", choices=("human", "json"), default="human",
                     help="diff + summary (default), or one JSON report on stdout")


def add_explain(commands: Any) -> None:
    """Registers `explain` on the CLI's subparsers."""
    explain = commands.add_parser(
        "explain", help="explain an error code, a family, or a pasted rustc message",
        description="Prints the full explanation of an error family: give an error code "
                    "(E0597), a family id (see --list), or paste a rustc message in quotes.")
    explain.add_argument("query", nargs="*", metavar="CODE|FAMILY|MESSAGE")
    explain.add_argument("--list", action="store_true", help="list the error families")
    explain.add_argument("--format", choices=("text", "markdown"), default="text")
    explain.add_argument("--depth", choices=("full", "teach"), default="full",
                         help="teach adds the general background of that kind of error")
    explain.add_argument("--color", choices=("auto", "always", "never"), default="auto")


def editor_name(text: str) -> str:
    """`doctor --editor NAME`, checked against the shipped pages only when given (reading
    them is not for every command's start-up)."""
    from borrowlens.cli import editors  # noqa: PLC0415  (lazy, see above)
    names = editors.names()
    if text not in names:
        raise argparse.ArgumentTypeError(
            f"invalid choice: {text!r} (choose from {', '.join(names)})")
    return text


def add_doctor(commands: Any) -> None:
    """Registers `doctor` on the CLI's subparsers."""
    doctor = commands.add_parser(
        "doctor",
        help="show what borrowlens found (rust-analyzer, cargo, rustc) and the mode it would "
             "use",
        description="Lists every rust-analyzer candidate borrowlens tries, in order, with why "
                    "it was taken or skipped; the chosen rust-analyzer, cargo and rustc with "
                    "their versions; and the mode the language server would run in (proxy or "
                    "standalone) and why. Exit status: 0 when the server would run and cargo "
                    "is there, 1 when something must be fixed.")
    doctor.add_argument("--rust-analyzer", metavar="PATH",
                        help="the rust-analyzer the server would be given")
    doctor.add_argument("--standalone", action="store_true",
                        help="as if the server were started with --standalone")
    doctor.add_argument("--format", choices=("text", "json"), default="text",
                        help="text (default) or one JSON object")
    doctor.add_argument("--editor", type=editor_name, metavar="NAME",
                        help="print only the configuration for this editor (a page of "
                             "docs/editors/: coc-nvim, emacs, helix, neovim, vim, vscode, "
                             "zed), from its page; without it, the report ends with the "
                             "configuration of the editor borrowlens runs in, if it can tell")
