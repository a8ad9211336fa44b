"""LSP base-protocol framing: a byte stream, fed in chunks as it arrives, cut into frames.

Only the `Content-Length` header is interpreted; other headers (`Content-Type`) are kept as
they came, in each `Frame`'s exact bytes. The framer does no I/O of its own: the proxy's
threads and the standalone server's stdin thread feed it from raw file descriptors
(`editor_frames`), the test and benchmark clients from asyncio (`read_frames`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Protocol

from borrowlens.server.wire import Frame

log = logging.getLogger("borrowlens")

# A generous ceiling: rust-analyzer's largest real messages (semantic tokens of a huge file,
# a workspace symbol dump) stay well below it; anything larger is a broken peer.
MAX_BODY = 256 * 1024 * 1024
MAX_HEADER = 8 * 1024
# `Name: value`, the only shape of header line a peer may send.
HEADER_FIELD = re.compile(rb"[A-Za-z0-9-]+:[^\r\n]*\r\n")


class AsyncReader(Protocol):
    """What `read_frames` reads: an asyncio StreamReader."""

    async def read(self, n: int = -1) -> bytes: ...


class FramingError(Exception):
    """The peer sent something that is not an LSP frame."""


CONTENT_LENGTH = b"content-length:"
# rust-analyzer's (and nearly every client's) whole header: one line, read without a loop.
_PLAIN_HEADER = re.compile(rb"Content-Length: ([0-9]{1,12})\r\n\r\n")
# A line longer than this without its CRLF is not a header a peer meant to send.
LINE_LIMIT = 1 << 20


def _note(skipped: bytearray, data: bytes) -> None:
    if len(skipped) < MAX_HEADER:  # enough to log; the rest is dropped unseen
        skipped += data[:MAX_HEADER - len(skipped)]


def _content_length(header: bytes) -> int:
    length = None
    for field in header.split(b"\r\n"):
        name, sep, value = field.partition(b":")
        if sep and name.strip().lower() == b"content-length":
            if length is not None:
                # Which one is meant cannot be known: a peer that sends two is broken.
                raise FramingError("more than one Content-Length header")
            digits = value.strip()
            if not digits.isdigit() or len(digits) > 20:
                raise FramingError(f"bad Content-Length {value[:40]!r}")
            length = int(digits)
    if length is None:
        raise FramingError(f"no Content-Length in header {header[:200]!r}")
    if length > MAX_BODY:
        raise FramingError(f"message of {length} bytes exceeds the {MAX_BODY}-byte limit")
    return length


class Framer:
    """Frames out of a byte stream fed in chunks, as they arrived (no I/O of its own: the
    proxy's threads feed it from raw file descriptors, the test clients from asyncio).

    With `resync` (the editor's side, where one bad frame must not end the session), lines
    that are not header fields are skipped, and so are bytes glued before a `Content-Length`
    (the rest of a frame whose length could not be read, a header ended by bare line feeds):
    reading starts again at the last `Content-Length` of such a line, so the frame after a
    bad one is not lost. What was skipped comes back in `Frame.skipped`. A FramingError
    always leaves the stream after the bad header, so the caller may read on.
    """

    def __init__(self, *, resync: bool = False, line_limit: int = LINE_LIMIT) -> None:
        self.resync = resync
        self.line_limit = line_limit
        self._buffer = bytearray()
        self._header = bytearray()
        self._skipped = bytearray()
        self._length: int | None = None  # the body's, once its header has been read
        self._overlong = False  # inside a line over the limit

    def feed(self, data: bytes) -> None:
        self._buffer += data

    def next(self) -> Frame | None:
        """The next complete frame, or None until more bytes are fed."""
        buffer = self._buffer
        if self._length is None and not self._header:
            plain = _PLAIN_HEADER.match(buffer)
            if plain is not None:
                size = int(plain.group(1))
                end = plain.end() + size
                if size <= MAX_BODY and len(buffer) >= end:
                    raw = bytes(buffer[:end])
                    del buffer[:end]
                    return Frame(raw, plain.end())
        if self._length is None and not self._read_header():
            return None
        assert self._length is not None
        if len(buffer) < self._length:
            return None
        header = bytes(self._header)
        raw = header + buffer[:self._length]
        del buffer[:self._length]
        frame = Frame(raw, len(header), bytes(self._skipped))
        self._length = None
        self._header.clear()
        self._skipped.clear()
        return frame

    def arriving(self, first: int) -> tuple[bytes, int, int] | None:
        """While a frame's body is still arriving: its header and the body's `first` bytes
        (or what there is), where the body starts in them, and how many bytes of the frame
        are still to come; None between frames."""
        if self._length is None or len(self._buffer) >= self._length:
            return None
        header = bytes(self._header)
        return (header + self._buffer[:first], len(header),
                self._length - len(self._buffer))

    def take_arrived(self) -> bytes:
        """The bytes of the frame `arriving` showed, so far; the framer forgets the frame (its
        caller takes the rest from the stream, and feeds what follows it)."""
        data = bytes(self._header) + self._buffer
        self._buffer.clear()
        self._header.clear()
        self._skipped.clear()
        self._length = None
        return data

    def end(self) -> None:
        """The stream has ended: a FramingError when it ended inside a frame."""
        if self._length is not None:
            raise FramingError("stream ended inside a message body")
        if self._header or self._buffer:
            raise FramingError("stream ended inside a header")

    def _read_header(self) -> bool:
        """Reads header lines; True once the header is complete and its length known."""
        while True:
            line = self._line()
            if line is None:
                return False
            if self.resync and line != b"\r\n" and not HEADER_FIELD.fullmatch(line):
                at = line.lower().rfind(CONTENT_LENGTH)
                if at < 0 or not HEADER_FIELD.fullmatch(line, at):
                    _note(self._skipped, line)
                    continue
                _note(self._skipped, line[:at])
                line = line[at:]
            self._header += line
            if len(self._header) > MAX_HEADER:
                self._header.clear()
                self._skipped.clear()
                raise FramingError("header too long")
            if line == b"\r\n":
                if len(self._header) == 2:
                    self._header.clear()  # stray blank line between frames: tolerate it
                    continue
                try:
                    self._length = _content_length(bytes(self._header))
                except FramingError:
                    self._header.clear()
                    self._skipped.clear()
                    raise
                return True

    def _line(self) -> bytes | None:
        """The next line through its CRLF, taken out of the buffer; None until it is all
        there. A line over the limit raises FramingError; with `resync` it is cut to its
        last `Content-Length` onwards instead (a frame glued to garbage), and what was cut
        goes to the skipped bytes."""
        buffer = self._buffer
        while True:
            end = buffer.find(b"\r\n", 0, None if self.resync else self.line_limit + 2)
            if 0 <= end <= self.line_limit - 2 and not self._overlong:
                line = bytes(buffer[:end + 2])
                del buffer[:end + 2]
                return line
            if end < 0 and len(buffer) <= self.line_limit:
                return None
            if not self.resync:
                buffer.clear()
                raise FramingError("header line too long")
            # Over the limit: cut the line to its last `Content-Length` onwards, or drop it
            # (all of it when its end is here; else all but what may start the name). Until
            # its end arrives, the rest of it is cut the same way.
            line = bytes(buffer[:end] if end >= 0 else buffer)
            at = line.lower().rfind(CONTENT_LENGTH)
            if at < 0 or len(line) - at > MAX_HEADER:
                at = end + 2 if end >= 0 else len(line) - len(CONTENT_LENGTH) + 1
            _note(self._skipped, line[:at])
            del buffer[:at]
            self._overlong = end < 0


async def read_frames(stream: AsyncReader) -> AsyncIterator[Frame]:
    """The frames of an asyncio stream until it ends (test and benchmark clients; the
    language server itself reads on threads)."""
    framer = Framer()
    while chunk := await stream.read(1 << 16):
        framer.feed(chunk)
        while (frame := framer.next()) is not None:
            yield frame
    framer.end()


def editor_frames(framer: Framer, read: Callable[[], bytes]) -> Iterator[Frame]:
    """The editor's frames, read with `read` (a chunk, b"" at the end) until its stream
    ends. One bad frame need not end a session: bad frames and stray bytes are logged and
    skipped, and reading goes on from the next header."""
    while True:
        try:
            frame = framer.next()
        except FramingError as error:
            log.error("skipped a bad frame from the editor: %s", error)
            continue
        if frame is None:
            chunk = read()
            if not chunk:
                try:
                    framer.end()
                except FramingError as error:
                    log.error("skipped a bad frame from the editor: %s", error)
                return
            framer.feed(chunk)
            continue
        if frame.skipped:
            log.error("skipped bytes from the editor that are not a frame: %r",
                      frame.skipped[:200])
        yield frame
