"""The subcommands of `borrowlens`: the argument parser and the dispatch to `check`, `fix`,
`explain` and `doctor`, with the exit statuses they share (`terminal`)."""

from __future__ import annotations

import argparse
import sys

from borrowlens.cli import check, doctor, explain, fix, interrupts
from borrowlens.cli.terminal import EXIT_FAILURE, EXIT_OK, CliError, print_error, use_color
from borrowlens.server import __version__

SUBCOMMANDS = ("check", "fix", "explain", "doctor")


def build_parser(prog: str = "borrowlens") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Explains the hardest Rust compiler errors (lifetimes, variance, HRTB, "
                    "Send across .await, Pin, async fn in traits) and fixes them.")
    parser.add_argument("--version", action="version", version=f"borrowlens {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    check.add_parser(commands)
    fix.add_parser(commands)
    explain.add_parser(commands)
    doctor.add_parser(commands)
    return parser


def _dispatch(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    if args.command == "check":
        return check.run_check(args)
    if args.command == "explain":
        return explain.run_explain(args)
    if args.command == "fix":
        return fix.run(args)
    if args.command == "doctor":
        return doctor.run(args)
    parser.print_help(sys.stderr)
    return EXIT_FAILURE


def main(argv: list[str] | None = None, *, cargo_subcommand: bool = False) -> int:
    """The CLI; `cargo_subcommand` when run as `cargo borrowlens` (`entry.cargo_main`)."""
    parser = build_parser("cargo borrowlens" if cargo_subcommand else "borrowlens")
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
        if getattr(args, "path", ".") is None:
            args.path = check.default_path(upward=cargo_subcommand)
        # SIGTERM and SIGHUP unwind like Ctrl-C: cargo's process group is killed and an
        # unfinished `fix` round restored on the way out.
        with interrupts.raised():
            return _dispatch(parser, args)
    except CliError as error:
        print_error(str(error), use_color("auto", sys.stderr))
        return EXIT_FAILURE
    except KeyboardInterrupt:
        return 130
    except interrupts.Terminated as stop:
        return 128 + stop.signum
    except BrokenPipeError:
        # Output piped into `head` and the like: stop quietly, as cargo does.
        sys.stderr.close()
        return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
