"""The proxy's byte moving: blocking reads and writes on raw file descriptors, on threads.

The asyncio streams the proxy used before spent about three quarters of its CPU in the
streams themselves (issue 15: transports, protocol callbacks, futures per read and write);
a plain `os.read`/`os.write` relay on threads was five times cheaper. So each input (the
editor's stdin, rust-analyzer's stdout and stderr) has a thread reading it in chunks and
framing it with `framing.Framer`, and each output (stdout towards the editor, rust-analyzer's
stdin) is an `Output`: a lock, so frames from several threads never interleave, and a loop
over `os.write`, since one write may take only part of a frame. The fds stay blocking: stdin
and stdout may be one file description, which must not be made non-blocking.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Callable
from typing import IO

log = logging.getLogger("borrowlens")

# A pipe holds 64 KiB: one read takes what is there, up to that.
CHUNK = 1 << 16


class Output:
    """A file (a pipe) frames are written to, whole and in order, from any thread."""

    def __init__(self, file: IO[bytes]) -> None:
        self.file = file  # closed through its file object, which owns the fd
        self.fd = file.fileno()
        self.lock = threading.Lock()
        self.closed = False

    def send(self, data: bytes) -> None:
        """Writes `data` completely; OSError once the reader has gone."""
        with self.lock:
            self._write(data)

    def stream(self, first: bytes, rest: int, read: Callable[[], bytes]) -> bytes:
        """Writes `first` and then the next `rest` bytes `read` gives, as they come, with no
        other frame in between; what `read` gave beyond them. A stream that ends before
        them leaves a frame cut short: its reader ends the session."""
        with self.lock:
            self._write(first)
            while rest > 0:
                chunk = read()
                if not chunk:
                    return b""
                self._write(chunk[:rest])
                rest -= len(chunk)
            return chunk[len(chunk) + rest:] if rest < 0 else b""

    def _write(self, data: bytes) -> None:
        if self.closed:
            raise BrokenPipeError(f"fd {self.fd} has been closed")
        view = memoryview(data)
        while view:
            view = view[os.write(self.fd, view):]

    def close(self) -> None:
        with self.lock:
            if not self.closed:
                self.closed = True
                self.file.close()


def reader(fd: int) -> Callable[[], bytes]:
    """The next chunk from `fd`; b"" at its end (or once reading it fails)."""
    def read() -> bytes:
        try:
            return os.read(fd, CHUNK)
        except OSError:
            return b""
    return read


def start(name: str, run: Callable[[], None]) -> threading.Thread:
    """`run` on a daemon thread (a daemon: a blocked read never holds up the exit)."""
    thread = threading.Thread(target=run, name=f"borrowlens-{name}", daemon=True)
    thread.start()
    return thread


def relay_stderr(fd: int) -> None:
    """Copies what arrives on `fd` to this process' stderr until it ends, so a chatty
    rust-analyzer never blocks on a full pipe."""
    read = reader(fd)
    while chunk := read():
        try:
            sys.stderr.buffer.write(chunk)
            sys.stderr.buffer.flush()
        except (OSError, ValueError):
            log.debug("could not relay rust-analyzer's stderr")
