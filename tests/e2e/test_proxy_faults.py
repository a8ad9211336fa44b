"""Fault injection: `borrowlens --rust-analyzer FAKE` with a scripted rust-analyzer.

The child is `tests/support/fake_rust_analyzer.py`, which crashes, writes broken frames,
stalls, floods stderr, sends huge messages or asks the client something when the test asks it
to. The editor side is a deliberately strict client (`Editor`): it keeps every byte the proxy
writes to stdout and parses all of it as LSP frames, so a stray byte fails the test, and it
compares frames with the exact bytes the fake wrote (the fake records them).

The fault policy under test (server/proxy.py): pending requests get an error (-32803) naming
the cause, the editor gets exactly one `window/showMessage` of type 1 (error), the child's
whole process group is killed and the proxy exits 1; `shutdown` + `exit` ends with 0.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from support.fixtures import CACHE
from support.strict_editor import (
    BORROWLENS,
    FAKE,
    REQUEST_FAILED,
    WAIT,
    Editor,
    isolated_env,
    python_wrapper,
)

# A fake child (fault injection) but the real proxy; light enough for any worker.
pytestmark = pytest.mark.e2e

HUGE = 20 * 1024 * 1024


def assert_fault(editor: Editor, held: list[int], cause: str) -> None:
    """The whole fault policy, after the fault was triggered with `held` requests pending."""
    status = editor.wait_exit()
    assert status == 1, editor.stderr_tail()
    editor.assert_all_stdout_frames()
    for ident in held:
        error = editor.response(ident, timeout=0).json.get("error")
        assert error is not None, f"request {ident} was not failed"
        assert error["code"] == REQUEST_FAILED
        assert re.search(cause, error["message"]), error["message"]
    shown = editor.show_messages()
    assert len(shown) == 1, [m.json for m in shown]
    assert shown[0].json["params"]["type"] == 1
    assert re.search(cause, shown[0].json["params"]["message"])
    editor.assert_forwarded_verbatim()
    editor.assert_child_gone()


# --- faults of rust-analyzer --------------------------------------------------------------


def test_crash_mid_request_fails_pending_requests_and_kills_the_group(
        editor_factory: Callable[..., Editor]) -> None:
    editor = editor_factory(grandchild=True)
    init = editor.initialize()
    assert "borrowlens.explain" in init.json["result"]["capabilities"][
        "executeCommandProvider"]["commands"]
    editor.wait_for(lambda m: m.method == "window/logMessage")
    echo = editor.call("fake/echo", {"text": "before the crash \u00e9"})
    assert echo.json["result"] == {"text": "before the crash \u00e9"}
    held = [editor.request("fake/hold"), editor.request("fake/hold"),
            editor.request("fake/crash")]
    assert_fault(editor, held, r"rust-analyzer exited with status 3")


@pytest.mark.parametrize(("kind", "cause"), [("header", r"broken message"),
                                             ("body", r"not JSON")])
def test_garbage_frame_from_rust_analyzer(editor_factory: Callable[..., Editor], kind: str,
                                         cause: str) -> None:
    editor = editor_factory(grandchild=True)
    editor.initialize()
    editor.call("fake/echo", [1, 2, 3])
    held = [editor.request("fake/hold"), editor.request("fake/garbage", {"kind": kind})]
    assert_fault(editor, held, cause)


def test_stall_is_detected_and_an_idle_server_is_not_a_stalled_one(
        editor_factory: Callable[..., Editor]) -> None:
    editor = editor_factory(grandchild=True, env={"BORROWLENS_STALL_TIMEOUT": "2"})
    editor.initialize()
    # Quiet with nothing pending is normal for a language server: no fault.
    time.sleep(3)
    assert editor.call("fake/echo", "still here").json["result"] == "still here"
    held = [editor.request("fake/stall"), editor.request("fake/echo", "never answered")]
    assert_fault(editor, held, r"has not answered")


def test_exit_right_after_initialize(editor_factory: Callable[..., Editor]) -> None:
    # The mode comes as an argument the proxy does not know, so it must reach the child.
    editor = editor_factory(args=["--fake-mode", "exit-after-initialize"])
    init = editor.initialize()
    assert init.json["result"]["serverInfo"]["name"] == "fake-rust-analyzer"
    status = editor.wait_exit()
    assert status == 1
    editor.assert_all_stdout_frames()
    shown = editor.show_messages()
    assert len(shown) == 1 and shown[0].json["params"]["type"] == 1
    assert "rust-analyzer exited" in shown[0].json["params"]["message"]
    editor.assert_child_gone()


# --- volume and direction -----------------------------------------------------------------


def test_huge_messages_pass_through_intact(editor_factory: Callable[..., Editor]) -> None:
    editor = editor_factory()
    editor.initialize()
    huge = editor.call("fake/huge", {"bytes": HUGE})
    assert len(huge.json["result"]["contents"]["value"]) == HUGE
    ident = editor.request("fake/hugeDiagnostics", {"bytes": HUGE,
                                                    "uri": "file:///fake/src/lib.rs"})
    published = editor.wait_for(lambda m: m.method == "textDocument/publishDiagnostics")
    assert len(published.raw) > HUGE
    assert editor.response(ident).json["result"] == "published"
    editor.assert_forwarded_verbatim()
    assert editor.call("shutdown").json["result"] is None
    editor.notify("exit")
    assert editor.wait_exit() == 0
    editor.assert_all_stdout_frames()
    editor.assert_child_gone()


def test_ten_megabytes_of_stderr_do_not_deadlock(editor_factory: Callable[..., Editor]
                                                 ) -> None:
    editor = editor_factory()
    editor.initialize()
    size = 10 * 1024 * 1024
    assert editor.call("fake/stderr", {"bytes": size}).json["result"] == {"stderrBytes": size}
    assert editor.call("fake/echo", "after").json["result"] == "after"
    assert editor.stderr_text().count("fake rust-analyzer log line") >= size // 60
    editor.call("shutdown")
    editor.notify("exit")
    assert editor.wait_exit() == 0
    editor.assert_all_stdout_frames()


def test_server_to_client_request_round_trip(editor_factory: Callable[..., Editor]) -> None:
    editor = editor_factory()
    editor.initialize()
    ident = editor.request("fake/askClient")
    asked = editor.wait_for(lambda m: m.method == "workspace/configuration")
    assert asked.json["id"] == "fake-ask-1"
    # An answer in a shape borrowlens would never produce: it must reach the fake unchanged.
    answer = b'{"id": "fake-ask-1",  "result": [{"fake": "\\u00e9"}], "jsonrpc": "2.0"}'
    frame = b"Content-Length: %d\r\n\r\n" % len(answer) + answer
    editor.send_raw(frame)
    result = editor.response(ident).json["result"]
    assert result == {"clientAnswered": json.loads(answer)}
    assert frame in editor.fake_received()
    editor.assert_forwarded_verbatim()


# --- how sessions end ---------------------------------------------------------------------


def test_shutdown_and_exit_end_cleanly(editor_factory: Callable[..., Editor]) -> None:
    editor = editor_factory(grandchild=True)
    editor.initialize()
    editor.call("fake/echo", "hello")
    response = editor.call("shutdown")
    assert response.json == {"jsonrpc": "2.0", "id": response.json["id"], "result": None}
    editor.notify("exit")
    assert editor.wait_exit() == 0, editor.stderr_tail()
    editor.assert_all_stdout_frames()
    assert editor.show_messages() == []
    editor.assert_forwarded_verbatim()
    editor.assert_child_gone()


def test_editor_closing_stdin_without_exit_kills_the_child(
        editor_factory: Callable[..., Editor]) -> None:
    # ignore-eof: the fake does not end when its input closes, so only the proxy can end it.
    editor = editor_factory(grandchild=True, env={"FAKE_RA_MODE": "ignore-eof"})
    editor.initialize()
    editor.call("fake/echo", "bye")
    editor.close_stdin()
    assert editor.wait_exit() == 1  # not a clean end: the editor may want to know
    editor.assert_all_stdout_frames()
    editor.assert_child_gone()


def test_garbage_from_the_editor_is_logged_and_survived(
        editor_factory: Callable[..., Editor]) -> None:
    editor = editor_factory()
    editor.initialize()
    garbage = [
        b"Content-Length: 9\r\n\r\nnot json!",          # a frame whose body is not JSON
        b"Content-Length: 5\r\n\r\n[1,2]",              # JSON, but not a message
        b"Content-Length: 2\r\n\r\n{}",                 # an object, but not a message
        b"Content-Length: abc\r\n\r\n",                 # a header that cannot be read
        b"Content-Length: zero\r\n\r\n{\"id\":7}",      # … followed by a body
        b"junk without a header\r\n\r\n",               # no header at all
    ]
    for number, data in enumerate(garbage):
        editor.send_raw(data)
        answer = editor.call("fake/echo", number).json
        assert answer.get("result") == number, (data, answer, editor.stderr_tail())
    log = editor.stderr_text()
    assert log.count("from the editor") >= len(garbage), log
    # rust-analyzer exits on a frame it cannot parse: none of it may reach the child.
    received = editor.fake_received()
    for needle in (b"not json!", b"[1,2]", b"\r\n\r\n{}", b"abc", b"zero", b"junk"):
        assert needle not in received
    editor.call("shutdown")
    editor.notify("exit")
    assert editor.wait_exit() == 0
    editor.assert_all_stdout_frames()
    assert editor.show_messages() == []


# --- the self-launch guard ----------------------------------------------------------------



def standalone_handshake(editor: Editor) -> dict[str, Any]:
    init = editor.call("initialize", {"processId": os.getpid(), "rootUri": None,
                                      "capabilities": {}})
    editor.notify("initialized", {})
    result: dict[str, Any] = init.json["result"]
    editor.call("shutdown")
    editor.notify("exit")
    assert editor.wait_exit() == 0, editor.stderr_tail()
    editor.assert_all_stdout_frames()
    return result


def test_rust_analyzer_pointing_at_borrowlens_falls_back_to_standalone(
        tmp_path: Path, editor_factory: Callable[..., Editor]) -> None:
    env = {**isolated_env(tmp_path), "BORROWLENS_RUST_ANALYZER": BORROWLENS}
    editor = editor_factory(env=env, command=[BORROWLENS])
    result = standalone_handshake(editor)
    assert result["serverInfo"]["name"] == "borrowlens"
    log = editor.stderr_text()
    assert "this is borrowlens itself" in log
    assert "running standalone" in log


def test_a_wrapper_that_runs_borrowlens_is_rejected_by_its_version(
        tmp_path: Path, editor_factory: Callable[..., Editor]) -> None:
    wrapper = tmp_path / "bin" / "rust-analyzer"
    wrapper.parent.mkdir()
    wrapper.write_text(f"#!/bin/sh\nexec '{BORROWLENS}' \"$@\"\n", encoding="utf-8")
    wrapper.chmod(0o755)
    env = {**isolated_env(tmp_path), "BORROWLENS_RUST_ANALYZER": str(wrapper)}
    editor = editor_factory(env=env, command=[BORROWLENS])
    result = standalone_handshake(editor)
    assert result["serverInfo"]["name"] == "borrowlens"
    assert "did not answer as rust-analyzer (borrowlens" in editor.stderr_text()


def test_a_disguised_borrowlens_child_does_not_recurse(
        tmp_path: Path, editor_factory: Callable[..., Editor]) -> None:
    # Answers `--version` like rust-analyzer but serves by running borrowlens: the proxy's
    # child must notice it was started by borrowlens and serve standalone, not proxy again.
    log = tmp_path / "disguised.log"
    wrapper = tmp_path / "bin" / "rust-analyzer"
    wrapper.parent.mkdir()
    wrapper.write_text(
        "#!/bin/sh\n"
        f"echo \"run $*\" >> '{log}'\n"
        "if [ \"$1\" = --version ]; then echo 'rust-analyzer 0.0.0-disguised'; exit 0; fi\n"
        f"exec '{BORROWLENS}' \"$@\"\n", encoding="utf-8")
    wrapper.chmod(0o755)
    env = {**isolated_env(tmp_path), "BORROWLENS_RUST_ANALYZER": str(wrapper)}
    editor = editor_factory(env=env, command=[BORROWLENS])
    result = standalone_handshake(editor)
    # Through the proxy (it adds borrowlens.explain) to a standalone borrowlens child.
    assert result["serverInfo"]["name"] == "borrowlens"
    log_text = editor.stderr_text()
    assert "proxying to" in log_text
    assert "started by borrowlens" in log_text
    assert log.read_text().splitlines() == ["run --version", "run "]


@pytest.mark.parametrize(("flag", "expected"), [("--version", r"^borrowlens \d+\.\d+"),
                                                ("--help", r"^usage: borrowlens")])
def test_version_and_help_start_nothing(tmp_path: Path, flag: str, expected: str) -> None:
    state = tmp_path / "state"
    state.mkdir()
    wrapper = python_wrapper(tmp_path / "rust-analyzer", FAKE)
    env = {**os.environ, "BORROWLENS_RUST_ANALYZER": str(wrapper), "FAKE_RA_DIR": str(state),
           "BORROWLENS_CACHE": str(CACHE)}
    # stdin stays an open pipe: a server started by mistake would wait on it forever and the
    # safety-net timeout would fail the test.
    proc = subprocess.Popen([BORROWLENS, flag], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env)
    try:
        status = proc.wait(WAIT)
    finally:
        proc.kill()
    assert proc.stdout is not None and proc.stderr is not None
    out, err = proc.stdout.read().decode(), proc.stderr.read().decode()
    assert proc.stdin is not None
    proc.stdin.close()
    proc.stdout.close()
    proc.stderr.close()
    assert status == 0, err
    assert re.search(expected, out), out
    assert err == ""
    assert not (state / "invocations.txt").exists(), "rust-analyzer was started"
