"""server/wire.py: frames read from hostile byte streams, messages that are not JSON-RPC, and
payloads Python cannot encode as UTF-8."""

from __future__ import annotations

import json
from typing import Any

import pytest

from borrowlens.server.wire import (
    answer_id,
    encode,
    is_response,
    message_problem,
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

