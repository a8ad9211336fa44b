"""A raw JSON-RPC language client for end-to-end tests, built on borrowlens' own framing.

pytest-lsp's typed client structures every payload into lsprotocol's model, which drops
rust-analyzer's extensions (`rust-analyzer/*` requests, range hover, hover actions) and never
shows the bytes a server sent. This client keeps both: each response comes back as the exact
frame read (`Frame.body`) and its decoded JSON, so a test can prove that the proxy forwards
rust-analyzer's answers byte for byte. Server→client requests (`client/registerCapability`,
`window/workDoneProgress/create`, `workspace/configuration`) are answered as an editor would,
or rust-analyzer would wait for them.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from borrowlens.server.framing import read_frames
from borrowlens.server.wire import Frame, encode

JsonDict = dict[str, Any]


class ServerError(Exception):
    """The server answered a request with a JSON-RPC error."""

    def __init__(self, method: str, error: Mapping[str, Any]) -> None:
        super().__init__(f"{method}: {error.get('code')} {error.get('message')}")
        self.error = dict(error)


@dataclass
class Response:
    """One response: the frame as read and its JSON."""

    frame: Frame
    message: JsonDict

    @property
    def result(self) -> Any:
        return self.message.get("result")


@dataclass
class RawClient:
    """One language server process driven over stdio."""

    command: Sequence[str]
    env: Mapping[str, str] | None = None
    # Answers for `workspace/configuration`, by section ("" = the whole configuration).
    configuration: Mapping[str, Any] = field(default_factory=dict)
    process: asyncio.subprocess.Process | None = None
    notifications: list[JsonDict] = field(default_factory=list)
    server_requests: list[JsonDict] = field(default_factory=list)
    stderr: bytearray = field(default_factory=bytearray)
    _pending: dict[Any, asyncio.Future[Response]] = field(default_factory=dict)
    _methods: dict[Any, str] = field(default_factory=dict)
    _changed: asyncio.Condition | None = None
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)
    _next_id: int = 0
    _eof: bool = False

    async def start(self) -> None:
        self._changed = asyncio.Condition()
        self.process = await asyncio.create_subprocess_exec(
            *self.command, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE, env=dict(self.env or os.environ),
            limit=1 << 24)
        self._tasks = [asyncio.create_task(self._read_loop()),
                       asyncio.create_task(self._stderr_loop())]

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    # --- sending --------------------------------------------------------------------------

    async def _send(self, payload: JsonDict) -> None:
        assert self.process is not None and self.process.stdin is not None
        self.process.stdin.write(encode(payload))
        await self.process.stdin.drain()

    async def request(self, method: str, params: Any, *, ident: Any = None,
                      timeout: float = 120.0) -> Response:
        """Sends a request and waits for its response; raises ServerError on an error."""
        if ident is None:
            self._next_id += 1
            ident = self._next_id
        future: asyncio.Future[Response] = asyncio.get_running_loop().create_future()
        self._pending[ident] = future
        self._methods[ident] = method
        await self._send({"jsonrpc": "2.0", "id": ident, "method": method, "params": params})
        response = await asyncio.wait_for(future, timeout)
        if "error" in response.message:
            raise ServerError(method, response.message["error"])
        return response

    async def notify(self, method: str, params: Any) -> None:
        await self._send({"jsonrpc": "2.0", "method": method, "params": params})

    # --- receiving ------------------------------------------------------------------------

    async def _read_loop(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        try:
            async for frame in read_frames(self.process.stdout):
                await self._dispatch(frame)
        finally:
            self._eof = True
            for ident, future in self._pending.items():
                if not future.done():
                    future.set_exception(ConnectionError(
                        f"the server closed its output before answering "
                        f"{self._methods.get(ident)}"))
            assert self._changed is not None
            async with self._changed:
                self._changed.notify_all()

    async def _stderr_loop(self) -> None:
        assert self.process is not None and self.process.stderr is not None
        while chunk := await self.process.stderr.read(65536):
            self.stderr += chunk

    async def _dispatch(self, frame: Frame) -> None:
        message = frame.json()
        method = message.get("method")
        if method is None:
            future = self._pending.pop(message.get("id"), None)
            if future is not None and not future.done():
                future.set_result(Response(frame, message))
            return
        if "id" in message:
            self.server_requests.append(message)
            await self._send({"jsonrpc": "2.0", "id": message["id"],
                              "result": self._answer(method, message.get("params"))})
            return
        assert self._changed is not None
        async with self._changed:
            self.notifications.append(message)
            self._changed.notify_all()

    def _answer(self, method: str, params: Any) -> Any:
        """What an editor answers to a server→client request."""
        if method == "workspace/configuration":
            items = (params or {}).get("items") or []
            return [self.configuration.get(item.get("section") or "") for item in items]
        return None  # registerCapability, workDoneProgress/create, refresh requests

    async def wait_notification(self, predicate: Callable[[JsonDict], bool], *,
                                after: int = 0, timeout: float = 180.0) -> JsonDict:
        """The first notification from index `after` on that satisfies the predicate."""
        assert self._changed is not None

        async def scan() -> JsonDict:
            assert self._changed is not None
            index = after
            async with self._changed:
                while True:
                    while index < len(self.notifications):
                        message = self.notifications[index]
                        index += 1
                        if predicate(message):
                            return message
                    if self._eof:
                        raise ConnectionError("the server exited while a test waited for a "
                                              "notification\n" + self.stderr_tail())
                    await self._changed.wait()

        return await asyncio.wait_for(scan(), timeout)

    def stderr_tail(self, lines: int = 30) -> str:
        text = self.stderr.decode("utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    # --- ending ---------------------------------------------------------------------------

    async def shutdown(self, timeout: float = 60.0) -> int:
        """`shutdown` then `exit`; the server's exit status."""
        assert self.process is not None
        await self.request("shutdown", None, timeout=timeout)
        await self.notify("exit", None)
        status = await asyncio.wait_for(self.process.wait(), timeout)
        await self._finish()
        return status

    async def kill(self) -> None:
        """Ends the process if it still runs (teardown after a failed test)."""
        if self.process is not None and self.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.kill()
            await self.process.wait()
        await self._finish()

    async def _finish(self) -> None:
        for task in self._tasks:
            with contextlib.suppress(TimeoutError, asyncio.CancelledError, Exception):
                await asyncio.wait_for(task, 5.0)


def canonical(payload: Any) -> str:
    """Stable text for comparing JSON values."""
    return json.dumps(payload, sort_keys=True)
