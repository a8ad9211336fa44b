"""Hostile input from the editor's side, through the proxy (in front of the scripted
rust-analyzer) and into the standalone server: malformed JSON-RPC messages, strings Python
cannot encode, broken and duplicated headers. Each must be answered with the JSON-RPC error the
spec prescribes or skipped, logged on stderr, and never end the session; the next valid
message must get through.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from support.strict_editor import BORROWLENS, Editor, Msg, frame_of, isolated_env

pytestmark = pytest.mark.e2e

INVALID_REQUEST = -32600


def _is_error(code: int, ident: Any) -> Callable[[Msg], bool]:
    return lambda m: (m.method is None and "id" in m.json and m.json["id"] == ident
                      and isinstance(ident, type(m.json["id"]))
                      and m.json.get("error", {}).get("code") == code)


def _received_messages(editor: Editor) -> list[dict[str, Any]]:
    """Every message the fake rust-analyzer read, decoded."""
    data = editor.fake_received()
    messages = []
    while data:
        header, _, rest = data.partition(b"\r\n\r\n")
        length = int(header.split(b":")[1])
        messages.append(json.loads(rest[:length]))
        data = rest[length:]
    return messages


def _end_cleanly(editor: Editor) -> None:
    editor.call("shutdown")
    editor.notify("exit")
    assert editor.wait_exit() == 0, editor.stderr_tail()
    editor.assert_all_stdout_frames()
    assert editor.show_messages() == []


# --- invalid JSON-RPC messages (issue 14, item 3) -----------------------------------------

INVALID = [
    # (message, the id of the error answer: None = `"id": null`)
    ({"jsonrpc": "2.0", "id": [1], "method": "fake/echo", "params": "array id"}, None),
    ({"jsonrpc": "2.0", "id": {"a": 1}, "method": "fake/echo", "params": "object id"}, None),
    ({"jsonrpc": "2.0", "id": 1.5, "method": "fake/echo", "params": "float id"}, None),
    ({"jsonrpc": "2.0", "id": True, "method": "fake/echo", "params": "boolean id"}, None),
    ({"jsonrpc": "2.0", "method": ["fake/echo"], "params": "array method"}, None),
    ({"jsonrpc": "2.0", "id": "m", "method": 5, "params": "number method"}, "m"),
]


def test_proxy_answers_invalid_requests_and_goes_on(
        editor_factory: Callable[..., Editor]) -> None:
    editor = editor_factory()
    editor.initialize()
    for number, (message, ident) in enumerate(INVALID):
        before = len(editor.msgs)
        editor.send(message)
        editor.wait_for(_is_error(INVALID_REQUEST, ident), after=before)
        answer = editor.call("fake/echo", number).json
        assert answer.get("result") == number, (message, answer, editor.stderr_tail())
    # A response (to a request of rust-analyzer's) with an invalid id answers nothing: it is
    # dropped, and the session goes on.
    editor.send({"jsonrpc": "2.0", "id": [7], "result": "response with an array id"})
    assert editor.call("fake/echo", "after").json["result"] == "after"
    log = editor.stderr_text()
    assert log.count("invalid message from the editor") == len(INVALID) + 1, log
    # None of them reached rust-analyzer (it may exit on an id it cannot read).
    texts = [m.get("params") for m in _received_messages(editor)]
    assert not {"array id", "object id", "float id", "boolean id", "array method",
                "number method"} & {t for t in texts if isinstance(t, str)}
    assert "response with an array id" not in editor.fake_received().decode()
    _end_cleanly(editor)


def test_proxy_re_encodes_lone_surrogates(editor_factory: Callable[..., Editor]) -> None:
    editor = editor_factory()
    # `initialize` with borrowlens' options is re-encoded (the options are taken out).
    ident = editor.request("initialize", {
        "processId": None, "rootUri": None, "capabilities": {},
        "clientInfo": {"name": "lone \ud800 surrogate"},
        "initializationOptions": {"borrowlens": {"hover": True}, "other": "\udfff"}})
    assert "result" in editor.response(ident).json, editor.stderr_tail()
    editor.notify("initialized", {})
    initialize = next(m for m in _received_messages(editor) if m.get("method") == "initialize")
    assert initialize["params"]["clientInfo"]["name"] == "lone \ud800 surrogate"
    assert initialize["params"]["initializationOptions"] == {"other": "\udfff"}
    # borrowlens answers the resolution of its own code actions with the action it got.
    action = {"title": "fix \ud83d it", "kind": "quickfix",
              "data": {"borrowlens": {"family": "f", "fix": "x"}}}
    resolved = editor.call("codeAction/resolve", action).json
    assert resolved.get("result") == action, (resolved, editor.stderr_tail())
    assert editor.call("fake/echo", "after").json["result"] == "after"
    _end_cleanly(editor)


# --- broken headers (issue 14, item 10) ---------------------------------------------------


def test_proxy_delivers_the_frame_right_after_a_bad_header(
        editor_factory: Callable[..., Editor]) -> None:
    editor = editor_factory()
    editor.initialize()
    bad = [
        b"Content-Length: 2\n\n{}",  # a whole frame with bare line feeds
        b"Content-Length: 2\r\nContent-Length: 7\r\n\r\n{}",  # which length is meant?
        bytes(range(1, 256)),  # binary garbage, no line end
    ]
    for number, garbage in enumerate(bad, start=100):
        # In one write: the valid frame is glued to the garbage.
        editor.send_raw(garbage + frame_of({"jsonrpc": "2.0", "id": number,
                                            "method": "fake/echo", "params": f"after {number}"}))
        answer = editor.response(number).json
        assert answer.get("result") == f"after {number}", (garbage, answer)
    log = editor.stderr_text()
    assert "more than one Content-Length header" in log
    assert log.count("skipped bytes from the editor") >= 2, log
    # The duplicated header's frame was not taken with either length.
    assert b"\r\n\r\n{}" not in editor.fake_received()
    _end_cleanly(editor)


# --- the standalone server (issue 14, item 4, and item 3 there) ---------------------------

HOVER = {"textDocument": {"uri": "file:///nowhere/src/lib.rs"},
         "position": {"line": 0, "character": 0}}


def test_standalone_survives_bad_frames_and_invalid_messages(
        tmp_path: Path, editor_factory: Callable[..., Editor]) -> None:
    editor = editor_factory(command=[BORROWLENS, "--standalone"], env=isolated_env(tmp_path))
    assert editor.initialize().json["result"]["serverInfo"]["name"] == "borrowlens"
    bad = [
        b"Content-Length: abc\r\n\r\n",
        b"Content-Length: 2\n\n{}",  # bare line feeds
        bytes(range(256)),  # binary garbage
        b"Content-Length: 999999999999\r\n\r\n",  # pygls reads that much: MemoryError
        b"Content-Length: 2\r\nContent-Length: 7\r\n\r\n{}",
        b"Content-Length: 9\r\n\r\nnot json!",
    ]
    for garbage in bad:
        editor.send_raw(garbage)
        answer = editor.call("textDocument/hover", HOVER).json
        assert "result" in answer and answer["result"] is None, (garbage, answer,
                                                                editor.stderr_tail())
    editor.wait_for(_is_error(-32700, None))  # the body that is not JSON
    for message, ident in INVALID:
        before = len(editor.msgs)
        editor.send(message)
        editor.wait_for(_is_error(INVALID_REQUEST, ident), after=before)
        assert editor.call("textDocument/hover", HOVER).json["result"] is None
    # Lone surrogates: pygls' own encoder escapes them; the session must not trip on them.
    surrogate = {**HOVER, "textDocument": {"uri": "file:///nowhere/\ud800.rs"}}
    assert "id" in editor.call("textDocument/hover", surrogate).json
    assert editor.call("workspace/executeCommand", {
        "command": "borrowlens.explain", "arguments": ["file:///\udfff.rs"]}).json
    log = editor.stderr_text()
    assert log.count("from the editor") >= len(bad) + len(INVALID), log
    _end_cleanly(editor)
