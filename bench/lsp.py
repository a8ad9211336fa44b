"""A minimal LSP client for the benchmarks: spawns a server on stdio, sends requests one at a
time and times each from the write to the moment its response frame is read.

It answers the server's own requests (`workspace/configuration` with nulls, anything else
with null) and keeps the notifications it needs to know when the server is ready
(`experimental/serverStatus`) and what it published (`textDocument/publishDiagnostics`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from borrowlens.server.wire import encode

Message = dict[str, Any]


async def _read_message(stream: asyncio.StreamReader) -> Message | None:
    """The server's next message, or None at the end of its output. Only what a server writes
    (one `Content-Length` header) is read: the harness must read any borrowlens version's
    output (the "before" of a comparison) without borrowlens' own framing."""
    try:
        header = await stream.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError:
        return None
    length = int(header.lower().partition(b"content-length:")[2].split(b"\r\n")[0])
    message: Message = json.loads(await stream.readexactly(length))
    return message


class ServerError(Exception):
    """The server answered a request with an error, or went away."""


@dataclass
class Client:
    """One server process and the traffic with it."""

    command: list[str]
    env: dict[str, str]
    cwd: str | None = None
    proc: asyncio.subprocess.Process | None = None
    pending: dict[int, asyncio.Future[tuple[Message, float]]] = field(default_factory=dict)
    notifications: list[Message] = field(default_factory=list)
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    next_id: int = 0
    reader: asyncio.Task[None] | None = None
    stderr: asyncio.Task[bytes] | None = None

    async def start(self) -> None:
        self.proc = await asyncio.create_subprocess_exec(
            *self.command, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE, env=self.env, cwd=self.cwd, limit=1 << 26,
            start_new_session=True)
        self.reader = asyncio.create_task(self._read())
        self.stderr = asyncio.create_task(self._drain_stderr())

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    async def _drain_stderr(self) -> bytes:
        assert self.proc is not None and self.proc.stderr is not None
        tail = b""
        while chunk := await self.proc.stderr.read(65536):
            tail = (tail + chunk)[-4096:]  # kept for error messages only
        return tail

    async def _read(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        try:
            while (message := await _read_message(self.proc.stdout)) is not None:
                arrived = time.perf_counter()
                if "method" in message and "id" in message:
                    self._answer(message)
                elif "method" in message:
                    self.notifications.append(message)
                    self.changed.set()
                else:
                    ident = message.get("id")
                    future = self.pending.pop(ident, None) if isinstance(ident, int) else None
                    if future is not None and not future.done():
                        future.set_result((message, arrived))
        finally:
            for future in self.pending.values():
                if not future.done():
                    future.set_exception(ServerError("the server went away"))
            self.changed.set()

    def _answer(self, request: Message) -> None:
        result: Any = None
        if request["method"] == "workspace/configuration":
            result = [None for _ in request.get("params", {}).get("items", ())]
        self._write({"jsonrpc": "2.0", "id": request["id"], "result": result})

    def _write(self, message: Message) -> None:
        assert self.proc is not None and self.proc.stdin is not None
        self.proc.stdin.write(encode(message))

    def notify(self, method: str, params: Any) -> None:
        self._write({"jsonrpc": "2.0", "method": method, "params": params})

    async def request(self, method: str, params: Any, timeout: float = 300.0
                      ) -> tuple[Any, float]:
        """(result, seconds from sending to the response being read)."""
        assert self.proc is not None and self.proc.stdin is not None
        self.next_id += 1
        ident = self.next_id
        future: asyncio.Future[tuple[Message, float]] = \
            asyncio.get_running_loop().create_future()
        self.pending[ident] = future
        sent = time.perf_counter()
        self._write({"jsonrpc": "2.0", "id": ident, "method": method, "params": params})
        await self.proc.stdin.drain()
        try:
            message, arrived = await asyncio.wait_for(future, timeout)
        except ServerError as gone:
            raise ServerError(f"{method}: {gone}; its stderr ended with:\n"
                              f"{await self._tail()}") from None
        if "error" in message:
            failure = message["error"]
            # "content modified" / "cancelled" are normal answers of a busy server.
            if failure.get("code") not in (-32801, -32800):
                raise ServerError(f"{method}: {failure}")
            return None, arrived - sent
        return message.get("result"), arrived - sent

    async def wait_for(self, predicate: Callable[[Message], bool], timeout: float = 300.0
                       ) -> Message:
        """The first notification (already received or still to come) matching PREDICATE;
        notifications before it are dropped."""
        deadline = time.monotonic() + timeout
        while True:
            for index, message in enumerate(self.notifications):
                if predicate(message):
                    del self.notifications[:index + 1]
                    return message
            self.notifications.clear()
            if self.reader is not None and self.reader.done():
                raise ServerError(f"the server exited while waiting: {await self._tail()}")
            self.changed.clear()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("no matching notification from the server")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.changed.wait(), remaining)

    async def _tail(self) -> str:
        if self.stderr is None:
            return ""
        with contextlib.suppress(TimeoutError):
            return (await asyncio.wait_for(self.stderr, 2.0)).decode(errors="replace")
        return ""

    async def stop(self) -> int:
        """shutdown + exit, then the exit status (killed if it does not go)."""
        assert self.proc is not None
        with contextlib.suppress(ServerError, TimeoutError, ConnectionError):
            await self.request("shutdown", None, timeout=30)
            self.notify("exit", None)
            assert self.proc.stdin is not None
            await self.proc.stdin.drain()
        try:
            return await asyncio.wait_for(self.proc.wait(), 10)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, 9)
            return await self.proc.wait()
        finally:
            for task in (self.reader, self.stderr):
                if task is not None:
                    task.cancel()


def rss_kib(pid: int) -> int:
    """Resident set size of a process, from /proc (Linux)."""
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise ValueError(f"no VmRSS for pid {pid}")
