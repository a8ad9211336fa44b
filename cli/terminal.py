"""What every subcommand shares about talking to a terminal: colour, one-line errors, exit
statuses (cargo's: 0 clean, 101 errors; 2 when borrowlens itself could not do its job)."""

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


def print_error(message: str, color: bool = False) -> None:
    prefix = "\x1b[1;31merror\x1b[0m" if color else "error"
    print(f"{prefix}: {message}", file=sys.stderr)
