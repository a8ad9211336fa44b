"""LSP base-protocol framing, byte-accurate, and the JSON-RPC checks every peer's message gets.

A `Frame` keeps the exact bytes it was read as (headers and body), so the proxy can forward a
message it does not change without re-serialising it. Only the `Content-Length` header is
interpreted; other headers (`Content-Type`) are kept as they came.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO, Protocol

import orjson

log = logging.getLogger("borrowlens")

# A generous ceiling: rust-analyzer's largest real messages (semantic tokens of a huge file,
# a workspace symbol dump) stay well below it; anything larger is a broken peer.
MAX_BODY = 256 * 1024 * 1024
MAX_HEADER = 8 * 1024
# JSON-RPC 2.0's errors for what cannot be a message.
PARSE_ERROR = -32700
INVALID_REQUEST = -32600
# `Name: value`, the only shape of header line a peer may send.
HEADER_FIELD = re.compile(rb"[A-Za-z0-9-]+:[^\r\n]*\r\n")


class AsyncReader(Protocol):
    """What `read_frames` reads: an asyncio StreamReader."""

    async def read(self, n: int = -1) -> bytes: ...


class FramingError(Exception):
    """The peer sent something that is not an LSP frame."""


@dataclass(frozen=True)
class Frame:
    """One message as read: the exact bytes (headers and body) and where its body starts."""

    raw: bytes
    start: int
    # From a resyncing Framer: (the start of) bytes before this frame that belonged to no
    # frame.
    skipped: bytes = b""

    @classmethod
    def of(cls, raw: bytes) -> Frame:
        """The frame of `raw`, one whole frame (as `encode` builds it)."""
        return cls(raw, raw.index(b"\r\n\r\n") + 4)

    @property
    def body(self) -> bytes:
        return self.raw[self.start:]

    def json(self) -> Any:
        return loads(self.body)


# 19 digits or more may be an integer beyond 64 bits, which orjson reads as a float.
_LONG_NUMBER = re.compile(rb"[0-9]{19}")


def loads(body: bytes) -> Any:
    """A JSON body decoded (orjson; the standard library for what orjson refuses or reads
    differently and JSON-RPC peers may still send: lone surrogates, NaN, integers beyond 64
    bits)."""
    if _LONG_NUMBER.search(body):
        return json.loads(body)
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        return json.loads(body)


PUBLISH = "textDocument/publishDiagnostics"
# How rust-analyzer (lsp-server, serde) starts every message: `jsonrpc`, then a response's or
# request's `id`, then `result`/`error`/`method`; a notification's `method`. Ids and methods
# with escapes, other spacing or key orders do not match: the caller then decodes the body.
_HEAD = re.compile(
    rb'\{"jsonrpc":"2\.0",(?:"id":(-?[0-9]{1,18}|"[^"\\]{0,256}"),"(result|error|method)"'
    rb'|"method":"([^"\\]{1,256})")')

_METHOD = re.compile(rb':"([^"\\]{1,256})"')

_PUBLISHED_URI = re.compile(rb',"params":\{"uri":"([^"\\]{1,4096})"')


@dataclass(frozen=True)
class Head:
    """What the first bytes of a body say: a response's id, or a request's or notification's
    method (`ident` None for a notification)."""

    ident: int | str | None
    method: str | None


def peek(body: bytes, pos: int = 0) -> Head | None:
    """The message's kind from its first bytes (the body starting at `pos`), without
    decoding the body; None when the scan is not sure (then decode it)."""
    found = _HEAD.match(body, pos)
    if found is None:
        return None
    raw_id, member, method = found.groups()
    if method is not None:
        return Head(None, method.decode("utf-8", "replace"))
    ident: int | str = (raw_id[1:-1].decode("utf-8", "replace") if raw_id[:1] == b'"'
                        else int(raw_id))
    if member == b"method":
        # A request from rust-analyzer: its method follows the id.
        rest = _METHOD.match(body, found.end())
        if rest is None:
            return None
        return Head(ident, rest.group(1).decode("utf-8", "replace"))
    return Head(ident, None)


def published_uri(body: bytes, pos: int = 0) -> str | None:
    """The `uri` of a publishDiagnostics body (starting at `pos`) `peek` read the method of,
    when it comes first in its params (as rust-analyzer writes it); else None (decode the
    body)."""
    head = _HEAD.match(body, pos)
    found = head and _PUBLISHED_URI.match(body, head.end())
    return found.group(1).decode("utf-8", "replace") if found else None


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

def encode(payload: Any) -> bytes:
    """A frame for a message borrowlens builds itself."""
    try:
        body = orjson.dumps(payload)
    except TypeError:  # orjson.JSONEncodeError: a lone surrogate, a huge integer
        body = _dumps(payload)
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def _dumps(payload: Any) -> bytes:
    try:
        return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    except UnicodeEncodeError:
        # A lone surrogate (`"\ud800"` in a peer's JSON decodes to one) has no UTF-8 form:
        # escaped, it goes on as the peer wrote it.
        return json.dumps(payload, separators=(",", ":")).encode("ascii")


def _valid_id(ident: Any) -> bool:
    # LSP: `integer | string`; JSON-RPC's null only on a response to a message whose id
    # could not be read.
    return isinstance(ident, str) or (isinstance(ident, int) and not isinstance(ident, bool))


def message_problem(message: Any) -> str | None:
    """Why a decoded body is not a JSON-RPC message a peer can route, or None when it is one:
    a request or notification has a string `method` (and a request an integer or string
    `id`); a response has no `method`, an integer or string `id` (or null on an error) and a
    `result` or an `error`."""
    if not isinstance(message, dict):
        return "not a JSON object"
    if "method" in message:
        if not isinstance(message["method"], str):
            return "its method is not a string"
        if "id" in message and not _valid_id(message["id"]):
            return "its id is neither an integer nor a string"
        return None
    if "result" not in message and "error" not in message:
        return "neither a request, a notification nor a response"
    ident = message.get("id")
    if not (_valid_id(ident) or (ident is None and "error" in message)):
        return "the id of a response is neither an integer nor a string"
    return None


def is_response(message: Any) -> bool:
    """The message (valid or not) is meant as a response: nobody may answer it."""
    return isinstance(message, dict) and "method" not in message and (
        "result" in message or "error" in message)


def answer_id(message: Any) -> int | str | None:
    """The id an error answer to an invalid request carries: the request's own when it can be
    read, else null (JSON-RPC 2.0, section 5)."""
    ident = message.get("id") if isinstance(message, dict) else None
    return ident if _valid_id(ident) else None


def editor_message(frame: Frame, *, jsonrpc: bool = False,
                   ) -> tuple[dict[str, Any] | None, bytes | None]:
    """(the message, None) when a frame from the editor holds a valid JSON-RPC message, else
    (None, the error response JSON-RPC prescribes, or None for an invalid response), logged.
    With `jsonrpc`, a message without `"jsonrpc": "2.0"` is invalid too."""
    try:
        message = frame.json()
    except ValueError:
        log.error("dropped a frame from the editor that is not JSON: %r", frame.body[:200])
        return None, error_frame(None, PARSE_ERROR, "Parse error")
    problem = message_problem(message)
    if problem is None and jsonrpc and message.get("jsonrpc") != "2.0":
        problem = 'its "jsonrpc" member is not "2.0"'
    if problem is None:
        return message, None
    log.error("invalid message from the editor (%s): %r", problem, frame.body[:200])
    if is_response(message):
        return None, None
    return None, error_frame(answer_id(message), INVALID_REQUEST, f"Invalid Request: {problem}")

def error_frame(ident: int | str | None, code: int, text: str) -> bytes:
    """A JSON-RPC error response."""
    return encode({"jsonrpc": "2.0", "id": ident, "error": {"code": code, "message": text}})


def claim_stdout() -> BinaryIO:
    """This process' stdout for frames alone: a file on the real fd 1, while anything else that
    writes to sys.stdout (a stray print, a library) goes to stderr instead."""
    out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    sys.stdout = sys.stderr
    return out
