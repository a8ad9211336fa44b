"""The language server side of the `borrowlens` command (the console script, `borrowlens.cli.entry`,
sends everything that is not a subcommand here).

borrowlens is a drop-in replacement for the `rust-analyzer` command: it finds the real
rust-analyzer and proxies to it, or serves on its own (standalone mode, its own `cargo check`)
when there is none or `--standalone` is given. Arguments it does not know (`--log-file …`,
rust-analyzer's own flags) are passed on to rust-analyzer. `--version` and `--help` (the help
of the whole command) answer without importing the heavy parts, as editors probe a server
with them.
"""

from __future__ import annotations

import os
import sys

HELP = """\
usage: borrowlens [--rust-analyzer PATH] [--standalone] [RUST_ANALYZER_ARGS...]
       borrowlens check|fix|explain|doctor [options]   (see `borrowlens COMMAND --help`)

Explains the hardest Rust compiler errors (lifetimes, variance, HRTB, Send across .await,
Pin, async fn in traits) and fixes them.

With no command, borrowlens is a language server on stdio and a drop-in replacement for
the rust-analyzer command: point your editor's rust-analyzer at `borrowlens`. It finds the
real rust-analyzer (--rust-analyzer, $BORROWLENS_RUST_ANALYZER, `rustup which
rust-analyzer`, the VS Code extension's bundled binary, PATH, borrowlens' own cache),
forwards arguments it does not know to it, and adds explanations (hover), enriched
diagnostics and quick fixes. Without a working rust-analyzer it runs standalone: its own
`cargo check` on open and save.

server options:
  --rust-analyzer PATH  the rust-analyzer to proxy to
  --standalone          do not use rust-analyzer; run cargo check itself
  --version             print borrowlens' version
  -h, --help            show this help

commands:
  check    run cargo check and explain the errors it reports
  fix      apply borrowlens' fixes until the crate compiles (or nothing helps)
  explain  explain an error code, a family, or a pasted rustc message
  doctor   show what borrowlens found (rust-analyzer, cargo, rustc) and the mode it would use

environment:
  BORROWLENS_RUST_ANALYZER  rust-analyzer to proxy to
  BORROWLENS_LOG            log level on stderr (debug, info, warning; default warning)
"""


def _server_args(argv: list[str]) -> tuple[str | None, bool, list[str]]:
    """(--rust-analyzer value, --standalone, the rest for rust-analyzer)."""
    explicit: str | None = None
    standalone = False
    rest: list[str] = []
    index = 0
    while index < len(argv):
        arg = argv[index]
        if arg == "--rust-analyzer" and index + 1 < len(argv):
            explicit = argv[index + 1]
            index += 2
            continue
        if arg.startswith("--rust-analyzer="):
            explicit = arg.split("=", 1)[1]
        elif arg == "--standalone":
            standalone = True
        else:
            rest.append(arg)
        index += 1
    return explicit, standalone, rest


def _configure_logging() -> None:
    import logging  # noqa: PLC0415  (lazy: `--version` and `--help` need none of it)
    level = os.environ.get("BORROWLENS_LOG", "warning").upper()
    logging.basicConfig(stream=sys.stderr, level=getattr(logging, level, logging.WARNING),
                        format="%(levelname)s %(name)s: %(message)s")


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args in (["--version"], ["-V"], ["version"]):
        from . import __version__  # noqa: PLC0415
        print(f"borrowlens {__version__}")
        return 0
    if args and args[0] in ("-h", "--help", "help"):
        sys.stdout.write(HELP)
        return 0
    _configure_logging()
    explicit, standalone, rest = _server_args(args)
    import logging  # noqa: PLC0415

    from .discovery import DEPTH_ENV, find_rust_analyzer, spawn  # noqa: PLC0415
    log = logging.getLogger("borrowlens")
    if os.environ.get(DEPTH_ENV):
        log.error("borrowlens was started by borrowlens (rust-analyzer is configured to be "
                  "borrowlens itself); running standalone instead")
        standalone = True
    if not standalone:
        found = find_rust_analyzer(explicit)
        if found.path is not None:
            # Started before the proxy's modules load: it starts meanwhile.
            child = spawn(found.path, rest)
            from .proxy import serve  # noqa: PLC0415
            log.info("rust-analyzer: %s (%s, from %s)", found.path, found.version,
                     found.source)
            log.info("borrowlens: proxying to %s (pid %d)", found.path, child.pid)
            return serve(child)
        tried = "; ".join(f"{c.path}: {why}" for c, why in found.tried) or "no candidates"
        log.warning("no working rust-analyzer (%s); running standalone", tried)
    from .standalone import serve as serve_standalone  # noqa: PLC0415
    return serve_standalone()


if __name__ == "__main__":
    raise SystemExit(main())
