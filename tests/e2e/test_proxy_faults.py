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

import contextlib
import json
import os
import re
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import pytest

from support import cli
from support.fixtures import CACHE

# A fake child (fault injection) but the real proxy; light enough for any worker.
pytestmark = pytest.mark.e2e

FAKE = Path(__file__).resolve().parents[1] / "support" / "fake_rust_analyzer.py"
BORROWLENS = str(cli.BORROWLENS)
# Safety nets only: every wait ends as soon as its event happens.
WAIT = 60.0
REQUEST_FAILED = -32803
HUGE = 20 * 1024 * 1024

# --- strict frame parsing -----------------------------------------------------------------

HEADER_LINE = re.compile(rb"(?i)(content-length: *(\d+)|content-type: *[^\r\n]+)")


class BadOutputError(AssertionError):
    """Bytes on the proxy's stdout that are not an LSP frame."""


@dataclass(frozen=True)
class Msg:
    """One frame: its exact bytes and its JSON."""

    raw: bytes
    json: dict[str, Any]

    @property
    def method(self) -> str | None:
        return self.json.get("method")


def split_frames(data: bytes | bytearray, start: int, *, strict: bool = True,
                 ) -> tuple[list[tuple[bytes, bytes]], int]:
    """Complete frames (raw, body) from `start` on and the offset after the last one.

    Strict: only Content-Length / Content-Type header lines, no blank lines between frames.
    Not strict (reading what the fake wrote): stop at the first unparsable header.
    """
    frames: list[tuple[bytes, bytes]] = []
    pos = start
    while True:
        end = data.find(b"\r\n\r\n", pos)
        if end < 0:
            if strict and len(data) - pos > 8192:
                raise BadOutputError(f"no frame header in {bytes(data[pos:pos + 80])!r}…")
            return frames, pos
        length = None
        for line in bytes(data[pos:end]).split(b"\r\n"):
            match = HEADER_LINE.fullmatch(line)
            if match is None:
                if strict:
                    raise BadOutputError(f"not an LSP header line at byte {pos}: {line[:80]!r}")
                return frames, pos
            if match.group(2) is not None:
                length = int(match.group(2))
        if length is None:
            if strict:
                raise BadOutputError(f"header without Content-Length at byte {pos}")
            return frames, pos
        body_start = end + 4
        if len(data) < body_start + length:
            return frames, pos
        frames.append((bytes(data[pos:body_start + length]),
                       bytes(data[body_start:body_start + length])))
        pos = body_start + length


def decode(raw: bytes, body: bytes) -> Msg:
    try:
        message = json.loads(body)
    except ValueError as error:
        raise BadOutputError(f"frame body is not JSON: {body[:80]!r}") from error
    if not isinstance(message, dict) or message.get("jsonrpc") != "2.0":
        raise BadOutputError(f"frame is not a JSON-RPC 2.0 message: {body[:80]!r}")
    return Msg(raw, message)


# --- processes ------------------------------------------------------------------------------


def _stat(pid: int) -> list[str] | None:
    """Fields of /proc/PID/stat after the command name, or None when the process is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except (FileNotFoundError, ProcessLookupError):
        return None
    return text[text.rindex(")") + 2:].split()


def alive(pid: int) -> bool:
    fields = _stat(pid)
    return fields is not None and fields[0] != "Z"  # a zombie has ended already


def group_members(pgid: int) -> list[int]:
    """Live processes of a process group."""
    members = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat(int(entry.name))
            if fields is not None and fields[0] != "Z" and int(fields[2]) == pgid:
                members.append(int(entry.name))
    return members


def eventually(check: Callable[[], bool], timeout: float = WAIT) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if check():
            return True
        time.sleep(0.05)
    return check()


# --- the editor side ----------------------------------------------------------------------


class Editor:
    """The proxy process and a strict client on its stdio."""

    def __init__(self, tmp: Path, *, args: list[str] | None = None,
                 env: dict[str, str] | None = None, grandchild: bool = False,
                 command: list[str] | None = None) -> None:
        self.state = tmp / "fake-state"
        self.state.mkdir(exist_ok=True)
        wrapper = tmp / "rust-analyzer"
        # The fake must be an executable that answers `--version`: a wrapper running it under
        # this interpreter (the proxy's child does not inherit our virtualenv otherwise).
        wrapper.write_text(f"#!/bin/sh\nexec '{sys.executable}' '{FAKE}' \"$@\"\n",
                           encoding="utf-8")
        wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
        self.wrapper = wrapper
        full_env = {**os.environ, "FAKE_RA_DIR": str(self.state), "BORROWLENS_LOG": "info",
                    **(env or {})}
        full_env.pop("BORROWLENS_PROXY_DEPTH", None)
        if grandchild:
            full_env["FAKE_RA_GRANDCHILD"] = "1"
        self.stderr_path = tmp / "proxy.stderr"
        self._stderr: BinaryIO = self.stderr_path.open("wb")
        self.proc = subprocess.Popen(
            command or [BORROWLENS, "--rust-analyzer", str(wrapper), *(args or [])],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr,
            env=full_env)
        self.out = bytearray()
        self.msgs: list[Msg] = []
        self.error: BaseException | None = None
        self.eof = False
        self._parsed = 0
        self._next_id = 0
        self._cond = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    # reading

    def _read(self) -> None:
        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        while chunk := os.read(fd, 1 << 20):
            with self._cond:
                self.out += chunk
                if self.error is None:
                    try:
                        frames, self._parsed = split_frames(self.out, self._parsed)
                        self.msgs.extend(decode(raw, body) for raw, body in frames)
                    except BadOutputError as error:
                        self.error = error
                self._cond.notify_all()
        with self._cond:
            if self.error is None and self._parsed != len(self.out):
                self.error = BadOutputError(f"stdout ends inside a frame: "
                                       f"{bytes(self.out[self._parsed:self._parsed + 80])!r}")
            self.eof = True
            self._cond.notify_all()

    def stderr_text(self) -> str:
        self._stderr.flush()
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")

    def wait_for(self, predicate: Callable[[Msg], bool], *, after: int = 0,
                 timeout: float = WAIT) -> Msg:
        """The first message from index `after` on that satisfies the predicate."""
        end = time.monotonic() + timeout
        index = after
        with self._cond:
            while True:
                while index < len(self.msgs):
                    if predicate(self.msgs[index]):
                        return self.msgs[index]
                    index += 1
                if self.error is not None:
                    raise self.error
                left = end - time.monotonic()
                if self.eof or left <= 0:
                    why = "exited" if self.eof else "did not send it in time"
                    raise AssertionError(f"the proxy {why}; stderr:\n{self.stderr_tail()}")
                self._cond.wait(left)

    def response(self, ident: Any, timeout: float = WAIT) -> Msg:
        return self.wait_for(lambda m: m.method is None and m.json.get("id") == ident,
                             timeout=timeout)

    def stderr_tail(self, lines: int = 25) -> str:
        return "\n".join(self.stderr_text().splitlines()[-lines:])

    # writing

    def send_raw(self, data: bytes) -> None:
        assert self.proc.stdin is not None
        # A proxy that has exited shows in the next wait, with its stderr.
        with contextlib.suppress(BrokenPipeError):
            self.proc.stdin.write(data)
            self.proc.stdin.flush()

    def send(self, payload: dict[str, Any]) -> None:
        body = json.dumps(payload).encode("utf-8")
        self.send_raw(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    def request(self, method: str, params: Any = None) -> int:
        self._next_id += 1
        self.send({"jsonrpc": "2.0", "id": self._next_id, "method": method, "params": params})
        return self._next_id

    def notify(self, method: str, params: Any = None) -> None:
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def call(self, method: str, params: Any = None) -> Msg:
        return self.response(self.request(method, params))

    def initialize(self) -> Msg:
        """initialize + initialized; returns the initialize response."""
        response = self.call("initialize", {"processId": os.getpid(), "rootUri": None,
                                            "capabilities": {}})
        self.notify("initialized", {})
        return response

    def close_stdin(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()

    def wait_exit(self, timeout: float = WAIT) -> int:
        status = self.proc.wait(timeout)
        self._reader.join(timeout)
        return status

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self._reader.join(5)
        self._stderr.close()
        pid = self.fake_pid()
        for leftover in ([pid] if pid else []) + ([self.grandchild_pid()] if (
                self.state / "grandchild.pid").exists() else []):
            if alive(leftover):
                os.kill(leftover, 9)

    # the fake's records

    def fake_pid(self) -> int | None:
        path = self.state / "pid"
        return int(path.read_text()) if path.exists() else None

    def grandchild_pid(self) -> int:
        return int((self.state / "grandchild.pid").read_text())

    def fake_sent(self) -> list[bytes]:
        """Every complete, well-formed frame the fake wrote, up to the first broken one."""
        data = (self.state / "sent.bin").read_bytes()
        frames, _ = split_frames(data, 0, strict=False)
        good = []
        for raw, body in frames:
            try:
                json.loads(body)
            except ValueError:
                break
            good.append(raw)
        return good

    def fake_received(self) -> bytes:
        path = self.state / "received.bin"
        return path.read_bytes() if path.exists() else b""

    # checks shared by the fault tests

    def assert_all_stdout_frames(self) -> None:
        """Every byte the proxy wrote is part of a well-formed JSON-RPC frame."""
        assert self.eof, "check after the proxy exited"
        if self.error is not None:
            raise self.error
        assert self._parsed == len(self.out)

    def show_messages(self) -> list[Msg]:
        return [m for m in self.msgs if m.method == "window/showMessage"]

    def assert_forwarded_verbatim(self) -> None:
        """What the fake sent (but the initialize response the proxy extends) reached the
        editor byte for byte, in order; the proxy's own messages come on top."""
        sent = [raw for raw in self.fake_sent() if b'"serverInfo"' not in raw]
        ours = {m.raw for m in self.msgs if m.method == "window/showMessage"
                or ("error" in m.json and m.json["error"].get("code") == REQUEST_FAILED)
                or "serverInfo" in json.dumps(m.json.get("result"))}
        received = [m.raw for m in self.msgs if m.raw not in ours]
        assert len(sent) >= 2, "the test should have made the fake send something"
        assert received == sent

    def assert_child_gone(self) -> None:
        pid = self.fake_pid()
        assert pid is not None, "the fake never started"
        assert eventually(lambda: not alive(pid)), f"rust-analyzer (pid {pid}) outlived the proxy"
        # start_new_session: the child leads its own group, which must be empty now.
        assert eventually(lambda: not group_members(pid)), \
            f"processes of rust-analyzer's group outlived the proxy: {group_members(pid)}"


@pytest.fixture
def editor_factory(tmp_path: Path) -> Iterator[Callable[..., Editor]]:
    made: list[Editor] = []

    def make(**kwargs: Any) -> Editor:
        editor = Editor(tmp_path, **kwargs)
        made.append(editor)
        return editor

    yield make
    for editor in made:
        editor.close()


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


def isolated_env(tmp: Path) -> dict[str, str]:
    """No rust-analyzer to discover but what the test names: no rustup, no PATH copy, no
    VS Code extension, an empty borrowlens cache."""
    empty = tmp / "empty-cache"
    empty.mkdir(exist_ok=True)
    home = tmp / "home"
    home.mkdir(exist_ok=True)
    env = {key: value for key, value in os.environ.items()
           if key not in ("BORROWLENS_PROXY_DEPTH", "BORROWLENS_RUST_ANALYZER")}
    path = [d for d in os.environ.get("PATH", "").split(os.pathsep)
            if d and not (Path(d) / "rust-analyzer").exists() and not (Path(d) / "rustup").exists()]
    return {**env, "HOME": str(home), "BORROWLENS_CACHE": str(empty), "XDG_CACHE_HOME":
            str(empty), "PATH": os.pathsep.join(path), "BORROWLENS_LOG": "info"}


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
    wrapper = tmp_path / "rust-analyzer"
    wrapper.write_text(f"#!/bin/sh\nexec '{sys.executable}' '{FAKE}' \"$@\"\n",
                       encoding="utf-8")
    wrapper.chmod(0o755)
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
