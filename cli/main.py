"""The subcommands of `borrowlens`: the dispatch to `check`, `fix`, `explain` and `doctor`
(their options are in `arguments`), with the exit statuses they share (`terminal`).

A command's module is imported once it is chosen: `check` starts cargo before it loads the
analyses, so that the two overlap.
"""

from __future__ import annotations

import argparse
import sys

from borrowlens.cli import interrupts
from borrowlens.cli.arguments import build_parser
from borrowlens.cli.terminal import EXIT_FAILURE, EXIT_OK, CliError, print_error, use_color

SUBCOMMANDS = ("check", "fix", "explain", "doctor")


def _dispatch(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:

    if args.command == "check":
        from borrowlens.cli import check  # noqa: PLC0415
        return check.run_check(args)
    if args.command == "explain":
        from borrowlens.cli import explain  # noqa: PLC0415
        return explain.run_explain(args)
    if args.command == "fix":
        from borrowlens.cli import fix  # noqa: PLC0415
        return fix.run(args)
    if args.command == "doctor":
        from borrowlens.cli import doctor  # noqa: PLC0415
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
            from borrowlens.cli.check import default_path  # noqa: PLC0415
            args.path = default_path(upward=cargo_subcommand)
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
