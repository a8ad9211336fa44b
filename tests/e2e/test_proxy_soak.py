"""Soak: a long session through the proxy with the scripted rust-analyzer (issue 14).

`BORROWLENS_SOAK_MESSAGES` messages (default 20 000) from the editor, pipelined in windows:
requests rust-analyzer answers (`fake/echo` with varied text, `textDocument/hover` on an open
document), edits of that document, cancellations, and now and then an invalid request the
proxy answers itself. Every request must be answered exactly once, nothing but frames may
reach stdout, the proxy's resident memory may not grow beyond a ratio of what it was once
warmed up, and after `shutdown` + `exit` no process may be left. docs/testing.md gives the
command for the long run.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from support.strict_editor import Editor, frame_of

pytestmark = pytest.mark.e2e

MESSAGES = int(os.environ.get("BORROWLENS_SOAK_MESSAGES", "20000"))
WINDOW = 200  # messages written at once before waiting for their answers
# Resident memory at the end over what it was after the warm-up (Python's allocator keeps
# some slack; a leak of even a few hundred bytes a message shows far above this).
RSS_RATIO = 1.05
URI = "file:///soak/src/lib.rs"
LINE = "fn soak() {}  // 0000000\n"
TEXTS = ["plain", "unicode \u00e9\u2713\U0001f980", "escape \\ \" \n\t", "x" * 2000,
         {"nested": [1, 2.5, None, True, {"deep": "\u2028"}]}]


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError(f"no VmRSS for {pid}")


class Traffic:
    """Builds the editor's side of the soak and remembers which requests await an answer."""

    def __init__(self) -> None:
        self.next_id = 1000
        self.version = 1
        self.requests: list[int] = []
        self.invalid = 0

    def message(self, number: int) -> dict[str, Any]:
        kind = number % 20
        if kind == 19:  # an id the proxy must refuse (answered with id null)
            self.invalid += 1
            return {"jsonrpc": "2.0", "id": [number], "method": "fake/echo"}
        if kind in (3, 9, 15):
            self.version += 1
            text = LINE.replace("0000000", f"{number:07d}")
            return {"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
                "textDocument": {"uri": URI, "version": self.version},
                "contentChanges": [{"range": {"start": {"line": 0, "character": 0},
                                              "end": {"line": 1, "character": 0}},
                                    "text": text}]}}
        if kind == 7:
            return {"jsonrpc": "2.0", "method": "$/cancelRequest",
                    "params": {"id": self.next_id - 1}}
        self.next_id += 1
        self.requests.append(self.next_id)
        if kind in (5, 11):
            return {"jsonrpc": "2.0", "id": self.next_id, "method": "textDocument/hover",
                    "params": {"textDocument": {"uri": URI},
                               "position": {"line": 0, "character": number % 12}}}
        return {"jsonrpc": "2.0", "id": self.next_id, "method": "fake/echo",
                "params": {"n": number, "text": TEXTS[number % len(TEXTS)]}}


def test_soak(editor_factory: Callable[..., Editor]) -> None:
    editor = editor_factory()
    editor.initialize()
    editor.notify("textDocument/didOpen", {"textDocument": {
        "uri": URI, "languageId": "rust", "version": 1, "text": LINE * 40}})
    traffic = Traffic()
    warm = max(WINDOW, MESSAGES // 10)
    baseline = 0
    started = time.monotonic()
    for start in range(0, MESSAGES, WINDOW):
        seen = len(editor.msgs)
        before = len(traffic.requests)
        batch = [traffic.message(n) for n in range(start, min(start + WINDOW, MESSAGES))]
        editor.send_raw(b"".join(frame_of(m) for m in batch))
        if len(traffic.requests) > before:
            last = traffic.requests[-1]
            editor.wait_for(lambda m, last=last: m.method is None
                            and m.json.get("id") == last, after=seen)
        if not baseline and start + WINDOW >= warm:
            baseline = _rss_kib(editor.proc.pid)
    final = _rss_kib(editor.proc.pid)
    elapsed = time.monotonic() - started
    editor.call("shutdown")
    editor.notify("exit")
    assert editor.wait_exit() == 0, editor.stderr_tail()
    editor.assert_all_stdout_frames()
    editor.assert_child_gone()

    answers = Counter(m.json.get("id") for m in editor.msgs if m.method is None)
    twice = {ident: n for ident, n in answers.items() if n > 1 and ident is not None}
    assert not twice, f"answered more than once: {list(twice)[:10]}"
    missing = [ident for ident in traffic.requests if answers[ident] != 1]
    assert not missing, f"{len(missing)} requests never answered: {missing[:10]}"
    assert answers[None] == traffic.invalid
    echoes = [m for m in editor.msgs if m.method is None
              and isinstance(m.json.get("result"), dict) and "n" in m.json["result"]]
    assert all(m.json["result"]["text"] == TEXTS[m.json["result"]["n"] % len(TEXTS)]
               for m in echoes)
    assert final <= baseline * RSS_RATIO, (
        f"the proxy's memory grew from {baseline} KiB to {final} KiB over {MESSAGES} "
        "messages")
    print(f"soak: {MESSAGES} messages in {elapsed:.1f} s, RSS {baseline} -> {final} KiB")
