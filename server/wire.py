"""LSP messages on the wire: frames as read, their kind from their first bytes, JSON, and the
JSON-RPC checks every peer's message gets.

A `Frame` keeps the exact bytes it was read as (headers and body), so the proxy can forward a
message it does not change without re-serialising it (`framing.py` cuts a stream into them).
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from dataclasses import dataclass
from typing import Any, BinaryIO

import orjson

log = logging.getLogger("borrowlens")

# JSON-RPC 2.0's errors for what cannot be a message.
PARSE_ERROR = -32700
INVALID_REQUEST = -32600


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
