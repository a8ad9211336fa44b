"""A strict editor for fault tests of the language server: `Editor` runs `borrowlens` (by
default as a proxy in front of the scripted rust-analyzer, `fake_rust_analyzer.py`) and keeps
every byte it writes to stdout, parsing all of it as LSP frames, so a stray byte fails the test;
it compares frames with the exact bytes the fake wrote (the fake records them) and checks that
the processes it started are gone.

Used by tests/e2e/test_proxy_faults.py (faults of rust-analyzer), test_editor_faults.py (hostile
input from the editor, proxy and standalone), test_process_cleanup.py and test_proxy_soak.py.
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
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from support import cli
from support.lsp_session import alive, group_members

FAKE = Path(__file__).resolve().parents[1] / "support" / "fake_rust_analyzer.py"
BORROWLENS = str(cli.BORROWLENS)
# Safety nets only: every wait ends as soon as its event happens.
WAIT = 60.0
REQUEST_FAILED = -32803

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


def frame_of(payload: Any) -> bytes:
    """A frame as an editor writes it (not borrowlens' own `encode`: the two must not share
    a bug)."""
    body = json.dumps(payload).encode("utf-8")
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def decode(raw: bytes, body: bytes) -> Msg:
    try:
        message = json.loads(body)
    except ValueError as error:
        raise BadOutputError(f"frame body is not JSON: {body[:80]!r}") from error
    if not isinstance(message, dict) or message.get("jsonrpc") != "2.0":
        raise BadOutputError(f"frame is not a JSON-RPC 2.0 message: {body[:80]!r}")
    return Msg(raw, message)


# --- processes ------------------------------------------------------------------------------

def python_wrapper(path: Path, script: Path) -> Path:
    """An executable at `path` that runs `script` under this interpreter (a child of
    borrowlens does not inherit the test's virtualenv otherwise)."""
    path.write_text(f"#!/bin/sh\nexec '{sys.executable}' '{script}' \"$@\"\n", encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


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
        # The fake must be an executable that answers `--version`.
        wrapper = self.wrapper = python_wrapper(tmp / "rust-analyzer", FAKE)
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
                    raise AssertionError(f"borrowlens {why}; stderr:\n{self.stderr_tail()}")
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
        self.send_raw(frame_of(payload))

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
        editor byte for byte, in order; the proxy's own messages come on top. Diagnostics
        are enriched off the forwarding path, so a publish may arrive after frames sent
        after it: publishes keep their order among themselves, the rest theirs."""
        sent = [raw for raw in self.fake_sent() if b'"serverInfo"' not in raw]
        ours = {m.raw for m in self.msgs if m.method == "window/showMessage"
                or ("error" in m.json and m.json["error"].get("code") == REQUEST_FAILED)
                or "serverInfo" in json.dumps(m.json.get("result"))}
        received = [m.raw for m in self.msgs if m.raw not in ours]
        assert len(sent) >= 2, "the test should have made the fake send something"
        assert sorted(received) == sorted(sent)  # nothing lost, added or changed
        for publishes in (True, False):
            assert ([r for r in received if _is_publish(r) == publishes]
                    == [r for r in sent if _is_publish(r) == publishes])

    def assert_child_gone(self) -> None:
        pid = self.fake_pid()
        assert pid is not None, "the fake never started"
        assert eventually(lambda: not alive(pid)), f"rust-analyzer (pid {pid}) outlived the proxy"
        # start_new_session: the child leads its own group, which must be empty now.
        assert eventually(lambda: not group_members(pid)), \
            f"processes of rust-analyzer's group outlived the proxy: {group_members(pid)}"



def _is_publish(raw: bytes) -> bool:
    return b'"method":"textDocument/publishDiagnostics"' in raw[:200]


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

