"""Ending the language server on a signal without leaving its children behind.

SIGTERM (an editor or a service manager stopping the server), SIGHUP (its terminal went away)
and SIGINT cancel the task that serves the editor (the standalone server) or wake the
proxy's main thread; that task's own clean-up (the proxy kills
rust-analyzer's process group, the standalone server its running `cargo check`'s) runs as for
any other end of the session. Python's default handling of SIGTERM and SIGHUP ends the process
on the spot, with no clean-up at all. The exit status is 128 + the signal's number, as a shell
reports a process that a signal ended.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
from collections.abc import Callable, Coroutine
from typing import Any

log = logging.getLogger("borrowlens")

SIGNALS = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)


async def serve_until_signalled(serving: Coroutine[Any, Any, int]) -> int:
    """Runs `serving` to its exit status, or cancels it on a signal: then 128 + its number."""
    import asyncio  # noqa: PLC0415  (the proxy runs on threads and never loads asyncio)

    loop = asyncio.get_running_loop()
    task = asyncio.ensure_future(serving)
    received: list[int] = []

    def stop(signum: int) -> None:
        if not received:
            log.error("borrowlens: stopping on %s", signal.Signals(signum).name)
            received.append(signum)
            task.cancel()

    for signum in SIGNALS:
        loop.add_signal_handler(signum, stop, signum)
    try:
        status = await task
    except asyncio.CancelledError:
        if not received:
            raise
        status = 0
    finally:
        for signum in SIGNALS:
            loop.remove_signal_handler(signum)
    return 128 + received[0] if received else status


def on_signals(handle: Callable[[int], None]) -> Callable[[], None]:
    """Calls `handle(signum)` on the main thread when one of SIGNALS arrives (the threaded
    proxy: its main thread then ends the session); returns what restores the previous
    handlers."""
    def received(signum: int, _: object) -> None:
        log.error("borrowlens: stopping on %s", signal.Signals(signum).name)
        handle(signum)

    previous = {signum: signal.signal(signum, received) for signum in SIGNALS}

    def restore() -> None:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return restore


def kill_group(pid: int) -> None:
    """Kills a process group (a cargo run with the rustc and build scripts it started, a
    probe with a wrapper script's children, rust-analyzer with its own)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)
