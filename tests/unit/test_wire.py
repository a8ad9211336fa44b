"""server/wire.py: frames read from hostile byte streams, messages that are not JSON-RPC, and
payloads Python cannot encode as UTF-8."""

from __future__ import annotations

import json
from typing import Any

import pytest

from borrowlens.server.framing import Framer, FramingError
from borrowlens.server.wire import (
    Head,
    answer_id,
    encode,
    is_response,
    loads,
    message_problem,
    peek,
    published_uri,
)


def test_encode_keeps_a_lone_surrogate_as_its_escape() -> None:
    frame = encode({"jsonrpc": "2.0", "id": 1, "result": "a \ud800 b \u00e9"})
    header, _, body = frame.partition(b"\r\n\r\n")
    assert header == b"Content-Length: %d" % len(body)
    assert b"\\ud800" in body
    body.decode("utf-8")  # valid UTF-8 on the wire
    assert json.loads(body)["result"] == "a \ud800 b \u00e9"
    # Without a surrogate the body stays UTF-8, not escaped.
    assert "\u00e9".encode() in encode({"result": "\u00e9"})


@pytest.mark.parametrize("message", [
    {"jsonrpc": "2.0", "id": 1, "method": "m"},
    {"jsonrpc": "2.0", "id": "x", "method": "m", "params": {}},
    {"jsonrpc": "2.0", "method": "m"},
    {"jsonrpc": "2.0", "id": 2, "result": None},
    {"jsonrpc": "2.0", "id": None, "error": {"code": 1, "message": "m"}},
    {"id": 3, "method": "m"},  # rust-analyzer does not insist on `jsonrpc`: neither do we
])
def test_valid_messages(message: Any) -> None:
    assert message_problem(message) is None


@pytest.mark.parametrize(("message", "answer", "response"), [
    ([1, 2], None, False),
    ({}, None, False),
    ({"id": 4}, 4, False),
    ({"id": [1], "method": "m"}, None, False),
    ({"id": {"a": 1}, "method": "m"}, None, False),
    ({"id": 1.0, "method": "m"}, None, False),
    ({"id": False, "method": "m"}, None, False),
    ({"id": 5, "method": 5}, 5, False),
    ({"method": None}, None, False),
    ({"id": [1], "result": 1}, None, True),
    ({"id": None, "result": 1}, None, True),
])
def test_invalid_messages(message: Any, answer: Any, response: bool) -> None:
    assert message_problem(message) is not None
    assert answer_id(message) == answer
    assert is_response(message) is response



# --- reading frames (issue 14, item 10) ---------------------------------------------------

GOOD = [{"jsonrpc": "2.0", "id": n, "method": "next"} for n in (1, 2)]


def _read_all(data: bytes, *, resync: bool = True, chunk: int = 1 << 20,
              ) -> tuple[list[Any], list[str]]:
    """The JSON of every frame read from `data` (fed `chunk` bytes at a time, then its end),
    and the framing errors and skipped bytes on the way, reading on after each as the proxy
    does."""
    framer = Framer(resync=resync, line_limit=1 << 16)
    frames: list[Any] = []
    errors: list[str] = []
    for at in range(0, len(data) + 1, chunk):
        framer.feed(data[at:at + chunk])
        while True:
            try:
                frame = framer.next()
            except FramingError as error:
                errors.append(str(error))
                continue
            if frame is None:
                break
            if frame.skipped:
                errors.append(f"skipped {frame.skipped[:20]!r}")
            try:
                frames.append(frame.json())
            except ValueError:
                frames.append(frame.body)
    try:
        framer.end()
    except FramingError as error:
        errors.append(str(error))
    return frames, errors


@pytest.mark.parametrize(("bad", "error"), [
    (b"Content-Length: abc\r\n\r\n", "bad Content-Length"),
    (b"Content-Length: zero\r\n\r\n{\"id\":7}", "bad Content-Length"),
    (b"Content-Length: 999999999999\r\n\r\n", "exceeds"),
    (b"Content-Type: text/plain\r\n\r\n{}", "no Content-Length"),
    (b"Content-Length: -1\r\n\r\n", "Content-Length"),
    (b"Content-Length: 2\r\nContent-Length: 5\r\n\r\n{}", "more than one Content-Length"),
    (b"Content-Length: 7\r\ncontent-length: 7\r\n\r\n{\"a\":1}", "more than one"),
    (b"Content-Length: 2\n\n{}", "skipped b'Content-Length: 2\\n"),  # bare line feeds
    (b"Content-Length: 2\n\r\n{}", "skipped b'Content-Length: 2\\n"),
    (bytes(range(256)), "skipped b'\\x00"),
    (bytes(range(256)) * 4 + b"\r\n", "skipped b'\\x00"),
    (b"x" * (1 << 17), "skipped b'xxx"),  # over the reader's limit, no line end
    (b"x" * (1 << 17) + b"\r\n", "skipped b'xxx"),
    (b"x" * (1 << 17) + b"Content-Length: 1", "skipped b'xxx"),
    (b"X-Padding: y\r\n" * 1000 + b"\r\n", "header too long"),
])
@pytest.mark.parametrize("chunk", [1 << 20, 7, 1 << 14])
def test_the_next_valid_frame_after_a_bad_header_is_delivered(bad: bytes, error: str,
                                                               chunk: int) -> None:
    frames, errors = _read_all(bad + b"".join(encode(g) for g in GOOD), chunk=chunk)
    assert frames[-2:] == GOOD, (frames, errors)
    assert all(f not in GOOD for f in frames[:-2])
    assert errors and error in errors[0], errors


def test_a_duplicated_content_length_skips_the_frame_even_when_both_agree() -> None:
    frames, errors = _read_all(b"Content-Length: 2\r\nContent-Length: 2\r\n\r\n{}"
                               + encode(GOOD[0]))
    assert frames == [GOOD[0]]
    assert errors == ["more than one Content-Length header", "skipped b'{}'"]


@pytest.mark.parametrize("chunk", [1 << 20, 1, 5, 64])
def test_frames_that_follow_each_other_without_a_gap(chunk: int) -> None:
    frames, errors = _read_all(b"".join(encode(g) for g in GOOD * 50), resync=False,
                               chunk=chunk)
    assert frames == GOOD * 50 and errors == []


def test_a_frame_keeps_its_exact_bytes_and_other_headers() -> None:
    raw = b'Content-Type: x\r\ncontent-length:  7\r\n\r\n{"a":1}'
    framer = Framer()
    framer.feed(raw + raw[:30])
    frame = framer.next()
    assert frame is not None and frame.raw == raw and frame.body == b'{"a":1}'
    assert framer.next() is None
    with pytest.raises(FramingError, match="inside a header"):
        framer.end()


@pytest.mark.parametrize(("data", "error"), [
    (b"Content-Length: 10\r\n\r\n{}", "inside a message body"),
    (b"x" * (1 << 17), "header line too long"),
])
def test_rust_analyzers_side_does_not_resync(data: bytes, error: str) -> None:
    _, errors = _read_all(data, resync=False)
    assert errors and error in errors[0], errors


@pytest.mark.parametrize(("body", "head"), [
    (b'{"jsonrpc":"2.0","id":12,"result":{"x":"\\\\"}}', Head(12, None)),
    (b'{"jsonrpc":"2.0","id":-3,"error":{"code":1}}', Head(-3, None)),
    (b'{"jsonrpc":"2.0","id":"r-\xc3\xa9","result":null}', Head("r-\u00e9", None)),
    (b'{"jsonrpc":"2.0","id":7,"method":"workspace/configuration","params":{}}',
     Head(7, "workspace/configuration")),
    (b'{"jsonrpc":"2.0","method":"textDocument/publishDiagnostics","params":{}}',
     Head(None, "textDocument/publishDiagnostics")),
    # Not sure: other spacing, key orders, escapes, ids that are not plain -> decode.
    (b'{"jsonrpc": "2.0","id":1,"result":1}', None),
    (b'{"id":1,"jsonrpc":"2.0","result":1}', None),
    (b'{"jsonrpc":"2.0","id":"a\\"b","result":1}', None),
    (b'{"jsonrpc":"2.0","id":1.5,"result":1}', None),
    (b'{"jsonrpc":"2.0","id":true,"result":1}', None),
    (b'{"jsonrpc":"2.0","method":"a\\u0062","params":{}}', None),
    (b'not json', None),
])
def test_peek_reads_only_what_it_is_sure_of(body: bytes, head: Head | None) -> None:
    assert peek(body) == head
    if head is not None:  # and what it read is what decoding says
        message = json.loads(body)
        assert message.get("id") == head.ident
        assert message.get("method") == head.method


def test_published_uri_only_from_rust_analyzers_layout() -> None:
    start = b'{"jsonrpc":"2.0","method":"textDocument/publishDiagnostics",'
    assert published_uri(start + b'"params":{"uri":"file:///a%20b.rs","diagnostics":[]}}') \
        == "file:///a%20b.rs"
    assert published_uri(start + b'"params":{"diagnostics":[],"uri":"file:///a.rs"}}') is None
    assert published_uri(start + b'"params":{"uri":"file:///\\u0061.rs"}}') is None


def test_loads_falls_back_for_what_orjson_refuses() -> None:
    assert loads(b'{"a":"\\ud800"}') == {"a": "\ud800"}
    big = 123456789012345678901234567890
    assert loads(b'{"a":%d,"b":-%d}' % (big, 2 ** 63 + 1)) == {"a": big, "b": -(2 ** 63 + 1)}
    assert isinstance(loads(b'{"a":%d}' % big)["a"], int)
    assert loads(b"[NaN]")[0] != loads(b"[NaN]")[0]
    with pytest.raises(ValueError):
        loads(b"not json")


def test_encode_matches_the_standard_librarys_compact_form() -> None:
    payload = {"jsonrpc": "2.0", "id": 3, "result": {"contents": ["\u00e9 \u2713", 1, None,
                                                                 True, {"k": [0.5]}]}}
    body = encode(payload).partition(b"\r\n\r\n")[2]
    assert body == json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    huge = {"n": 2 ** 70}
    assert json.loads(encode(huge).partition(b"\r\n\r\n")[2]) == huge


def test_a_frame_still_arriving_is_shown_and_handed_over() -> None:
    first, second = encode({"id": 1, "result": "x" * 5000}), encode(GOOD[0])
    framer = Framer()
    framer.feed(first[:3000])
    assert framer.next() is None
    shown = framer.arriving(100)
    assert shown is not None
    head, start, rest = shown
    assert head == first[:start + 100] and first[start:start + 1] == b"{"
    assert rest == len(first) - 3000
    assert framer.take_arrived() == first[:3000]
    # The caller took the rest of the frame itself and feeds what follows it.
    framer.feed(second)
    frame = framer.next()
    assert frame is not None and frame.raw == second
    assert framer.arriving(100) is None
