"""Reading `cargo check --message-format=json` output: the compiler's diagnostics in it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any


def compiler_messages(stdout: str) -> Iterator[dict[str, Any]]:
    """The rustc diagnostic objects of cargo's JSON lines (build-script output and other
    non-JSON lines, and cargo's own artifact messages, are skipped)."""
    for line in stdout.splitlines():
        if not line.startswith("{"):
            continue
        try:
            message = json.loads(line)
        except ValueError:
            continue
        if message.get("reason") == "compiler-message" and isinstance(
                message.get("message"), dict):
            yield message["message"]
