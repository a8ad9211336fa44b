"""No process outlives borrowlens (issue 14, item 5): every child it starts runs in a process
group of its own that is killed with it, however the session ends, and every child but
rust-analyzer reads stdin from /dev/null (in standalone mode stdin is the editor's channel).

Real processes: the standalone server with a `$CARGO` whose `check` never ends and has a
child of its own (`tests/support/fake_cargo.py`), the proxy with the scripted rust-analyzer,
and discovery with a "rust-analyzer" whose `--version` hangs.
"""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from borrowlens.server import discovery
from support.lsp_session import alive, group_members
from support.strict_editor import (
    BORROWLENS,
    Editor,
    eventually,
    isolated_env,
    python_wrapper,
)

pytestmark = pytest.mark.e2e

FAKE_CARGO = Path(__file__).resolve().parents[1] / "support" / "fake_cargo.py"


@pytest.fixture
def reap() -> Iterator[list[int]]:
    """Processes a test started through borrowlens, killed after it if still running (a
    failing test must not leave them behind either)."""
    pids: list[int] = []
    yield pids
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            if alive(pid):
                os.kill(pid, signal.SIGKILL)


def _gone(pid: int) -> bool:
    """The process and every member of its group have ended."""
    return not alive(pid) and not group_members(pid)


def _standalone_with_a_check_running(tmp: Path, editor_factory: Callable[..., Editor],
                                     reap: list[int]) -> tuple[Editor, int, int]:
    """A standalone session whose `cargo check` is running: (editor, cargo, its child)."""
    state = tmp / "cargo-state"
    state.mkdir()
    crate = tmp / "crate"
    (crate / "src").mkdir(parents=True)
    (crate / "Cargo.toml").write_text('[package]\nname = "c"\nversion = "0.1.0"\n')
    source = crate / "src" / "lib.rs"
    source.write_text("pub fn f() {}\n")
    env = {**isolated_env(tmp), "CARGO": str(python_wrapper(tmp / "cargo", FAKE_CARGO)),
           "FAKE_CARGO_DIR": str(state)}
    editor = editor_factory(command=[BORROWLENS, "--standalone"], env=env)
    editor.call("initialize", {"processId": os.getpid(), "rootUri": crate.as_uri(),
                               "capabilities": {}})
    editor.notify("initialized", {})
    editor.notify("textDocument/didOpen", {"textDocument": {
        "uri": source.as_uri(), "languageId": "rust", "version": 1,
        "text": source.read_text()}})
    assert eventually((state / "cargo.pid").exists), editor.stderr_tail()
    cargo = int((state / "cargo.pid").read_text())
    grandchild = int((state / "grandchild.pid").read_text())
    reap += [cargo, grandchild]
    assert alive(cargo) and alive(grandchild)
    # Never the editor's LSP channel: cargo must not read (or hold open) borrowlens' stdin.
    assert (state / "stdin.txt").read_text() == "/dev/null"
    return editor, cargo, grandchild


def _assert_check_gone(editor: Editor, cargo: int, grandchild: int) -> None:
    assert eventually(lambda: _gone(cargo) and not alive(grandchild), timeout=10), \
        f"cargo check outlived borrowlens: {group_members(cargo)}; {editor.stderr_tail()}"


def test_standalone_exit_without_shutdown_kills_the_check_and_exits_1(
        tmp_path: Path, editor_factory: Callable[..., Editor], reap: list[int]) -> None:
    editor, cargo, grandchild = _standalone_with_a_check_running(tmp_path, editor_factory,
                                                                  reap)
    editor.notify("exit")
    assert editor.wait_exit() == 1  # the LSP spec: exit without shutdown is an error
    editor.assert_all_stdout_frames()
    _assert_check_gone(editor, cargo, grandchild)


def test_standalone_shutdown_and_exit_kill_the_check_and_exit_0(
        tmp_path: Path, editor_factory: Callable[..., Editor], reap: list[int]) -> None:
    editor, cargo, grandchild = _standalone_with_a_check_running(tmp_path, editor_factory,
                                                                  reap)
    editor.call("shutdown")
    editor.notify("exit")
    assert editor.wait_exit() == 0
    _assert_check_gone(editor, cargo, grandchild)


def test_standalone_closed_stdin_kills_the_check(
        tmp_path: Path, editor_factory: Callable[..., Editor], reap: list[int]) -> None:
    editor, cargo, grandchild = _standalone_with_a_check_running(tmp_path, editor_factory,
                                                                  reap)
    editor.close_stdin()
    assert editor.wait_exit() == 1  # not a clean end, as in the proxy
    _assert_check_gone(editor, cargo, grandchild)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_standalone_signal_kills_the_check(
        tmp_path: Path, editor_factory: Callable[..., Editor], reap: list[int],
        signum: int) -> None:
    editor, cargo, grandchild = _standalone_with_a_check_running(tmp_path, editor_factory,
                                                                  reap)
    editor.proc.send_signal(signum)
    assert editor.wait_exit() == 128 + signum
    _assert_check_gone(editor, cargo, grandchild)
    assert "Traceback" not in editor.stderr_text()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_proxy_signal_kills_rust_analyzers_group(
        editor_factory: Callable[..., Editor], signum: int) -> None:
    # ignore-eof: the fake outlives its closed stdin, so only the proxy's kill can end it.
    editor = editor_factory(grandchild=True, env={"FAKE_RA_MODE": "ignore-eof"})
    editor.initialize()
    assert editor.call("fake/echo", "alive").json["result"] == "alive"
    editor.proc.send_signal(signum)
    assert editor.wait_exit() == 128 + signum
    editor.assert_all_stdout_frames()
    editor.assert_child_gone()
    assert not alive(editor.grandchild_pid())
    assert "Traceback" not in editor.stderr_text()


# --- discovery ----------------------------------------------------------------------------

HANGING = """#!/bin/sh
readlink /proc/$$/fd/0 > '{state}/stdin.txt'
sleep 600 &
echo $! > '{state}/grandchild.pid'
echo $$ > '{state}/pid'
wait
"""


def _hanging_program(tmp: Path, name: str) -> tuple[Path, Path]:
    state = tmp / f"{name}-state"
    state.mkdir()
    program = tmp / "bin" / name
    program.parent.mkdir(exist_ok=True)
    program.write_text(HANGING.format(state=state), encoding="utf-8")
    program.chmod(0o755)
    return program, state


def _assert_hung_run_gone(state: Path, reap: list[int]) -> None:
    pid = int((state / "pid").read_text())
    grandchild = int((state / "grandchild.pid").read_text())
    reap += [pid, grandchild]
    assert eventually(lambda: _gone(pid) and not alive(grandchild), timeout=10), \
        f"left running after the timeout: {pid} {grandchild}"
    assert (state / "stdin.txt").read_text().strip() == "/dev/null"


def test_a_hanging_version_probe_is_killed_with_its_children(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reap: list[int]) -> None:
    monkeypatch.setattr(discovery, "PROBE_TIMEOUT", 1.0, raising=False)
    program, state = _hanging_program(tmp_path, "rust-analyzer")
    version, why = discovery.validate(discovery.Candidate(str(program), "test"))
    assert version is None and "timed out" in why, why
    _assert_hung_run_gone(state, reap)


def test_a_hanging_rustup_is_killed_with_its_children(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reap: list[int]) -> None:
    monkeypatch.setattr(discovery, "PROBE_TIMEOUT", 1.0, raising=False)
    program, state = _hanging_program(tmp_path, "rustup")
    monkeypatch.setenv("PATH", f"{program.parent}{os.pathsep}{os.environ['PATH']}")
    assert discovery._rustup_which() is None
    _assert_hung_run_gone(state, reap)
