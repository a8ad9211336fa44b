"""Signals that stop the CLI: SIGTERM and SIGHUP unwind it like Ctrl-C does, and all three
can be held off while files are written.

Python's default for SIGTERM and SIGHUP is to die on the spot, which would leave a `fix`
round half-applied and cargo's process group (in a session of its own) running. Raised as
`Terminated` instead, they run the same `finally` and `except BaseException` clean-ups as a
KeyboardInterrupt; `deferred` keeps any of the three from landing between two writes of a
round or two restores, so files are never left half-way.
"""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

Handler = Callable[[int, FrameType | None], object] | int | None

# Signals that ask the process to stop (SIGHUP: the terminal went away). SIGHUP does not
# exist on Windows.
_RAISED = tuple(s for s in (getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None))
                if s is not None)
_STOPPING = (signal.SIGINT, *_RAISED)


class Terminated(BaseException):
    """SIGTERM or SIGHUP arrived; the command unwinds and exits with 128 + the signal."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _raise(signum: int, frame: FrameType | None) -> None:
    del frame
    raise Terminated(signum)


@contextmanager
def raised() -> Iterator[None]:
    """SIGTERM and SIGHUP raise `Terminated` in the main thread during the block."""
    previous: dict[int, Handler] = {}
    for signum in _RAISED:
        try:
            previous[signum] = signal.signal(signum, _raise)
        except ValueError:  # not the main thread: leave the disposition alone
            break
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


@contextmanager
def deferred() -> Iterator[None]:
    """Stopping signals wait until the block is over, then arrive (and raise) as usual."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, _STOPPING)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)
