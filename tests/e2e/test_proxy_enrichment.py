"""Enrichment off the forwarding path (issue 15): the proxy with the scripted rust-analyzer.

The fake publishes diagnostics and answers a request back to back (`fake/publish`). The
diagnostics are 1 500 errors in one file, whose enrichment (queued behind the warm-up the
proxy starts after `initialize`) takes far longer than forwarding one frame, so the order in
which frames reach the editor shows whether the answer waited for it. No time is measured.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from support.strict_editor import Editor

pytestmark = pytest.mark.e2e

PUBLISH = "textDocument/publishDiagnostics"


def moved_values(tmp: Path, count: int) -> tuple[str, list[dict[str, Any]]]:
    """A source file with `count` use-after-move errors, and their diagnostics."""
    source = tmp / "lib.rs"
    source.write_text("".join(
        f"fn f{i}() {{ let x = String::new(); drop(x); println!(\"{{}}\", x); }}\n"
        for i in range(count)), encoding="utf-8")
    diagnostics = [{"range": {"start": {"line": i, "character": 50},
                              "end": {"line": i, "character": 51}},
                    "severity": 1, "code": "E0382", "source": "rustc",
                    "message": "borrow of moved value: `x`\nvalue borrowed here after move"}
                   for i in range(count)]
    return source.as_uri(), diagnostics


def index_of(editor: Editor, predicate: Callable[[Any], bool]) -> int:
    found = editor.wait_for(predicate)
    return editor.msgs.index(found)


def test_a_response_behind_a_slow_publish_is_not_held_up(
        editor_factory: Callable[..., Editor], tmp_path: Path) -> None:
    editor = editor_factory()
    editor.initialize()
    uri, diagnostics = moved_values(tmp_path, 1500)
    ident = editor.request("fake/publish", {"publishes": [
        {"uri": uri, "diagnostics": diagnostics}]})
    answered = index_of(editor, lambda m: m.json.get("id") == ident)
    published = index_of(editor, lambda m: m.method == PUBLISH)
    assert answered < published
    assert editor.msgs[answered].json["result"] == {"published": 1}
    # The publish still comes, complete, in rust-analyzer's order.
    got = editor.msgs[published].json["params"]
    assert got["uri"] == uri
    assert [d["range"] for d in got["diagnostics"]] == [d["range"] for d in diagnostics]
    # And a later request goes straight through.
    assert editor.call("fake/echo", "after").json["result"] == "after"


def test_publishes_keep_their_order_per_file_and_a_newer_one_supersedes(
        editor_factory: Callable[..., Editor], tmp_path: Path) -> None:
    editor = editor_factory()
    editor.initialize()
    uri, diagnostics = moved_values(tmp_path, 1500)
    other = (tmp_path / "other.rs").as_uri()
    ident = editor.request("fake/publish", {"publishes": [
        {"uri": uri, "diagnostics": diagnostics, "version": 1},
        {"uri": other, "diagnostics": [], "version": 1},
        {"uri": uri, "diagnostics": diagnostics[:3], "version": 2},
        {"uri": other, "diagnostics": [], "version": 2},
        {"uri": uri, "diagnostics": [], "version": 3},
    ]})
    editor.wait_for(lambda m: m.json.get("id") == ident)
    last = editor.wait_for(lambda m: m.method == PUBLISH and m.json["params"]["uri"] == uri
                           and m.json["params"]["version"] == 3)
    editor.wait_for(lambda m: m.method == PUBLISH and m.json["params"]["uri"] == other
                    and m.json["params"]["version"] == 2)
    assert editor.call("fake/echo", "settled").json["result"] == "settled"

    def versions(file: str) -> list[int]:
        return [m.json["params"]["version"] for m in editor.msgs
                if m.method == PUBLISH and m.json["params"]["uri"] == file]

    mine = versions(uri)
    # Never an older publish after a newer one; the newest is the last word.
    assert mine == sorted(mine) and mine[-1] == 3
    # The slow first one was still being enriched when the newer ones came: superseded.
    assert 1 not in mine
    assert versions(other) == sorted(versions(other))
    assert last.json["params"]["diagnostics"] == []
