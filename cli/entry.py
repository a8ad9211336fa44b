"""The entry points of the commands.

`borrowlens` (`main`, run by the installed command `cli/launcher/borrowlens` once it has run
`site`; it answers `--version` itself before that): a subcommand (`check`, `fix`, `explain`,
`doctor`) runs the CLI; anything else is the language server (`borrowlens.server.entry`),
which editors start with rust-analyzer's arguments. Both are imported only once chosen, so
the server's `--help` stays fast.

`cargo-borrowlens`: the same commands as a cargo subcommand, `cargo borrowlens check`. cargo
runs `cargo-borrowlens borrowlens check …` (an external subcommand gets its own name first);
that name is dropped and the rest is the CLI, looking for the crate as cargo does (the
nearest `Cargo.toml` at or above the current directory). It never starts the language server.
"""

from __future__ import annotations

import sys

SUBCOMMANDS = ("check", "fix", "explain", "doctor")


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in SUBCOMMANDS:
        from borrowlens.cli.main import main as run_command  # noqa: PLC0415  (lazy)
        return run_command(args)
    from borrowlens.server.entry import main as serve  # noqa: PLC0415  (lazy)
    return serve(args)


def cargo_main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["borrowlens"]:
        args = args[1:]
    from borrowlens.cli.main import main as run_command  # noqa: PLC0415  (lazy)
    return run_command(args, cargo_subcommand=True)


if __name__ == "__main__":
    raise SystemExit(main())
