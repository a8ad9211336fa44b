"""What every subcommand shares about talking to a terminal: colour, one-line errors, a
progress line, exit statuses (cargo's: 0 clean, 101 errors; 2 when borrowlens itself could
not do its job)."""

from __future__ import annotations

import os
import sys
from typing import TextIO

EXIT_OK = 0
EXIT_ERRORS = 101
EXIT_FAILURE = 2


class CliError(Exception):
    """A problem the user can fix; printed as one line, exit status 2."""


def use_color(choice: str, stream: TextIO) -> bool:
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    return stream.isatty()


def plural(n: int, word: str) -> str:
    """`1 fix`, `2 fixes`, `3 errors`."""
    return f"{n} {word}{'' if n == 1 else ('es' if word.endswith('x') else 's')}"


def print_error(message: str, color: bool = False) -> None:
    prefix = "\x1b[1;31merror\x1b[0m" if color else "error"
    print(f"{prefix}: {message}", file=sys.stderr)


class Progress:
    """One status line rewritten in place (carriage return, erase line), as cargo's progress
    bar is; silent when the stream is not a terminal (piped, redirected, a CI log) or the
    terminal cannot erase a line (`TERM=dumb`), where rewritten lines would pile up."""

    def __init__(self, stream: TextIO, prefix: str) -> None:
        self.stream = stream
        self.prefix = prefix
        self.enabled = stream.isatty() and os.environ.get("TERM") != "dumb"
        self.shown = False

    def width(self) -> int:
        try:
            columns = os.get_terminal_size(self.stream.fileno()).columns
        except (OSError, ValueError):
            columns = 0
        return columns or 80

    def update(self, text: str) -> None:
        if not self.enabled:
            return
        line = self.prefix + text
        # A line that wraps could no longer be rewritten by a carriage return.
        limit = self.width() - 1
        if len(line) > limit:
            line = line[: limit - 1] + "…"
        self.stream.write(f"\r\x1b[K{line}")
        self.stream.flush()
        self.shown = True

    def clear(self) -> None:
        """Erases the line, so what is printed next starts on a clean one."""
        if self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.shown = False
