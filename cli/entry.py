"""The `borrowlens` console script: a subcommand (`check`, `fix`, `explain`, `doctor`) runs the
CLI; anything else is the language server (`borrowlens.server.entry`), which editors start
with rust-analyzer's arguments. Both are imported only once chosen, so the server's
`--version` and `--help` stay fast.
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


if __name__ == "__main__":
    raise SystemExit(main())
