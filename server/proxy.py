"""The proxy: borrowlens on stdio in front of a real rust-analyzer child.

Every frame is forwarded as the exact bytes it arrived as, except the few the proxy changes
(`interception.py` says which and how: enriched diagnostics, merged hover and code actions,
the explain command and borrowlens' settings answered or taken out here). Payloads the proxy
changes are plain dicts: lsprotocol's typed model would drop rust-analyzer's extensions
(hover actions, code action groups, snippet edits).

When rust-analyzer exits, crashes, sends a broken frame or stalls, every pending request
gets an error response, the editor gets one `window/showMessage`, the child is killed, and
the proxy exits with status 1 so the editor restarts the pair (a clean restart beats
replaying half-known state into a new child).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
from collections.abc import Callable, Coroutine
from typing import Any, BinaryIO

from .discovery import DEPTH_ENV
from .editor_output import EditorOutput
from .interception import MERGED, Interceptor
from .protocol import EXPLAIN_COMMAND
from .publishing import Publisher, Worker, warm
from .session import Session
from .signals import serve_until_signalled
from .wire import (
    PUBLISH,
    Frame,
    FramingError,
    answer_id,
    claim_stdout,
    editor_message,
    encode,
    peek,
    published_uri,
    read_editor_frame,
    read_frame,
)

log = logging.getLogger("borrowlens")

# JSON-RPC error codes.
INTERNAL_ERROR = -32603
REQUEST_FAILED = -32803
SWITCH_INTERVAL = 0.0005


def _stall_seconds() -> float:
    try:
        return float(os.environ.get("BORROWLENS_STALL_TIMEOUT", "120"))
    except ValueError:
        return 120.0


class Proxy:
    """One editor session relayed to one rust-analyzer process."""

    def __init__(self, rust_analyzer: str, args: list[str], stdin: BinaryIO,
                 stdout: BinaryIO) -> None:
        self.command = [rust_analyzer, *args]
        self.stdin = stdin
        self.stdout = stdout
        self.intercept = Interceptor(Session())
        # Everything that runs the core (enrichment, the merges) runs here, off the loop.
        self.worker = Worker()
        self.output = EditorOutput(stdout)
        self.publisher = Publisher(self.intercept, self.worker, self.output.send)
        # Answers and merges waiting for the worker.
        self.background: set[asyncio.Task[None]] = set()
        # Requests from the editor still waiting for rust-analyzer: id -> (method, params).
        self.pending: dict[Any, tuple[str, Any]] = {}
        self.child: asyncio.subprocess.Process | None = None
        self.shutdown_requested = False
        self.exit_requested = False
        self.failed = False
        self.last_from_child = 0.0

    async def _to_child(self, data: bytes) -> None:
        if self.child is None or self.child.stdin is None or self.child.stdin.is_closing():
            return
        self.child.stdin.write(data)
        with contextlib.suppress(ConnectionError):
            await self.child.stdin.drain()

    async def _reply(self, ident: Any, result: Any) -> None:
        await self.output.send(encode({"jsonrpc": "2.0", "id": ident, "result": result}))

    async def _reply_error(self, ident: Any, code: int, message: str) -> None:
        await self.output.send(encode({"jsonrpc": "2.0", "id": ident,
                                      "error": {"code": code, "message": message}}))

    async def _fail_request(self, frame: Frame) -> None:
        """Answers a request from the editor that borrowlens failed on before forwarding it."""
        with contextlib.suppress(ValueError):
            message = frame.json()
            ident = answer_id(message)
            if ident is not None and "method" in message and ident not in self.pending:
                await self._reply_error(ident, INTERNAL_ERROR,
                                        "borrowlens failed on this request (see its log)")

    async def _show(self, kind: int, message: str) -> None:
        await self.output.send(encode({"jsonrpc": "2.0", "method": "window/showMessage",
                                      "params": {"type": kind, "message": message}}))

    # --- editor -> rust-analyzer ----------------------------------------------------------

    async def _from_editor(self, frame: Frame) -> None:
        # rust-analyzer exits on a frame it cannot parse as a message: such frames end here,
        # answered with the error JSON-RPC prescribes (none for a response).
        message, rejection = editor_message(frame)
        if message is None:
            if rejection is not None:
                await self.output.send(rejection)
            return
        method = message.get("method")
        ident = message.get("id")
        params = message.get("params")
        if method is None:  # a response to a rust-analyzer request
            await self._to_child(frame.raw)
            return
        if method == "shutdown":
            self.shutdown_requested = True
        if (method == "workspace/executeCommand" and ident is not None
                and isinstance(params, dict) and params.get("command") == EXPLAIN_COMMAND):
            # It runs the core: on the worker (after the enrichment of what was published
            # before it), answered when done; the editor's next messages go on meanwhile.
            self._background(self._answer_on_worker(method, ident, params))
            return
        try:
            answer = self.intercept.request(method, ident, params)
            if answer is not None:
                await self._reply(ident, answer.result)
                return
        except Exception:
            log.exception("borrowlens failed handling %s; forwarding it unchanged", method)
        if ident is not None:
            self.pending[ident] = (method, params)
        if method == "initialize" and isinstance(params, dict):
            stripped = self.intercept.initialize(params)
            if stripped is not None:
                await self._to_child(encode({**message, "params": stripped}))
                return
        await self._to_child(frame.raw)
        if method == "exit":
            self.exit_requested = True

    def _background(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self.background.add(task)
        task.add_done_callback(self.background.discard)

    async def _answer_on_worker(self, method: str, ident: Any, params: Any) -> None:
        try:
            answer = await self.worker.run(lambda: self.intercept.request(method, ident, params))
        except Exception:
            log.exception("borrowlens failed handling %s", method)
            answer = None
        with contextlib.suppress(OSError):
            if answer is None:
                await self._reply_error(ident, INTERNAL_ERROR,
                                        "borrowlens failed on this request (see its log)")
            else:
                await self._reply(ident, answer.result)

    # --- rust-analyzer -> editor ----------------------------------------------------------

    async def _from_child(self, frame: Frame) -> None:
        self.last_from_child = asyncio.get_running_loop().time()
        # Most frames are forwarded as they came, known from their first bytes alone; only
        # what the proxy may change (or what the scan cannot read) is decoded.
        head = peek(frame.body)
        if head is not None and head.ident is None:  # a notification
            if head.method == PUBLISH:
                uri = published_uri(frame.body)
                if uri is not None:
                    self.publisher.submit(frame, uri)
                    return
                await self._decoded_from_child(frame)
                return
            await self.output.send(frame.raw)
            return
        if head is not None and head.method is None:  # a response
            request = self.pending.pop(head.ident, None)
            if request is not None and request[0] in MERGED:
                await self._response(frame, *request)
                return
            await self.output.send(frame.raw)
            return
        if head is not None:  # a request to the editor
            await self.output.send(frame.raw)
            return
        await self._decoded_from_child(frame)

    async def _decoded_from_child(self, frame: Frame) -> None:
        """A frame the scan of its first bytes could not read (or a publish whose URI it
        could not find): decoded, and handled as the scan would have."""
        try:
            message = frame.json()
        except ValueError:
            raise FramingError("rust-analyzer sent a frame that is not JSON") from None
        if not isinstance(message, dict):
            await self.output.send(frame.raw)
            return
        method = message.get("method")
        if method is None and "id" in message:
            request = self.pending.pop(message["id"], None)
            if request is not None and request[0] in MERGED:
                await self._response(frame, *request)
                return
        elif method == PUBLISH and isinstance(message.get("params"), dict) \
                and isinstance(message["params"].get("uri"), str):
            self.publisher.submit(frame, message["params"]["uri"])
            return
        await self.output.send(frame.raw)

    async def _response(self, frame: Frame, method: str, params: Any) -> None:
        """A response to a request whose result borrowlens may merge into."""
        if method == "initialize":
            await self.output.send(self._merged(frame, method, params))
            # Before the first publish (rust-analyzer loads the workspace first), not on it.
            self.worker.run(warm)
        elif self.intercept.may_merge(method, params):
            # The merge runs the core: on the worker, so the loop forwards on meanwhile.
            self._background(self._merge_on_worker(frame, method, params))
        else:
            await self.output.send(frame.raw)

    async def _merge_on_worker(self, frame: Frame, method: str, params: Any) -> None:
        try:
            data = await self.worker.run(lambda: self._merged(frame, method, params))
        except Exception:
            log.exception("borrowlens could not merge the %s response", method)
            data = frame.raw
        with contextlib.suppress(OSError):
            await self.output.send(data)

    def _merged(self, frame: Frame, method: str, params: Any) -> bytes:
        try:
            message = frame.json()
        except ValueError:
            return frame.raw
        if not isinstance(message, dict) or "result" not in message:
            return frame.raw
        changed = self.intercept.response(method, params, message["result"])
        return frame.raw if changed is None else encode({**message, "result": changed})

    # --- the loops ------------------------------------------------------------------------

    async def _editor_loop(self, reader: asyncio.StreamReader) -> None:
        while True:
            frame = await read_editor_frame(reader)
            if frame is None:
                return
            try:
                await self._from_editor(frame)
            except OSError:
                raise  # the editor or rust-analyzer has gone: the session is over
            except Exception:
                # borrowlens' own bug must not end the editor's session: drop the message,
                # and answer it if it was a request nobody else will answer.
                log.exception("borrowlens failed on a message from the editor; dropped it: "
                              "%r", frame.body[:200])
                await self._fail_request(frame)
            if self.exit_requested:
                return

    async def _child_loop(self) -> str:
        assert self.child is not None and self.child.stdout is not None
        while True:
            try:
                frame = await read_frame(self.child.stdout)
            except FramingError as error:
                return f"rust-analyzer sent a broken message ({error})"
            if frame is None:
                return "rust-analyzer exited"
            try:
                await self._from_child(frame)
            except FramingError as error:
                return str(error)
            except OSError:
                raise
            except Exception:
                log.exception("borrowlens failed on a message from rust-analyzer; forwarding "
                              "it unchanged")
                await self.output.send(frame.raw)

    async def _drain_stderr(self) -> None:
        assert self.child is not None and self.child.stderr is not None
        while True:
            chunk = await self.child.stderr.read(65536)
            if not chunk:
                return
            with contextlib.suppress(OSError, ValueError):
                sys.stderr.buffer.write(chunk)
                sys.stderr.buffer.flush()

    async def _watchdog(self) -> str:
        """Returns when rust-analyzer has owed an answer for too long without a sign of life."""
        limit = _stall_seconds()
        loop = asyncio.get_running_loop()
        waiting_since: float | None = None
        while True:
            await asyncio.sleep(min(1.0, limit / 4))
            if not self.pending:
                waiting_since = None
                continue
            now = loop.time()
            waiting_since = waiting_since or now
            quiet = now - max(self.last_from_child, waiting_since)
            if quiet > limit:
                return (f"rust-analyzer has not answered for {int(quiet)} s "
                        f"({len(self.pending)} request(s) waiting)")

    async def _fail(self, reason: str) -> None:
        self.failed = True
        for ident, (method, _) in list(self.pending.items()):
            await self._reply_error(ident, REQUEST_FAILED,
                                    f"{reason}; borrowlens could not complete {method}")
        self.pending.clear()
        if not self.shutdown_requested:
            await self._show(1, f"borrowlens: {reason}. The language server is exiting so "
                                "the editor can restart it.")

    def _scheduler(self, loop: asyncio.AbstractEventLoop
                   ) -> Callable[[float, Callable[[], None]], None]:
        """Runs `work` on the worker after `delay` seconds; callable from the worker thread
        (the fix verifier is told of a publish there)."""
        def start(work: Callable[[], None]) -> None:
            self._background(self._on_worker(work))

        def schedule(delay: float, work: Callable[[], None]) -> None:
            loop.call_soon_threadsafe(lambda: loop.call_later(delay, start, work))
        return schedule

    async def _on_worker(self, work: Callable[[], None]) -> None:
        await self.worker.run(work)

    async def run(self) -> int:
        # The enrichment worker holds the GIL while it classifies: a frame arriving meanwhile
        # waits for the switch interval (5 ms by default) before the loop can forward it.
        sys.setswitchinterval(SWITCH_INTERVAL)
        loop = asyncio.get_running_loop()
        self.intercept.session.verifier.scheduler = self._scheduler(loop)
        reader = asyncio.StreamReader(limit=1 << 20)
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), self.stdin)
        await self.output.connect()
        env = {**os.environ, DEPTH_ENV: "1"}
        self.child = await asyncio.create_subprocess_exec(
            *self.command, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE, env=env, start_new_session=True, limit=1 << 20)
        log.info("borrowlens: proxying to %s (pid %d)", self.command[0], self.child.pid)
        stderr_task = asyncio.create_task(self._drain_stderr())
        editor = asyncio.create_task(self._editor_loop(reader))
        child = asyncio.create_task(self._child_loop())
        watchdog = asyncio.create_task(self._watchdog())
        try:
            done, _ = await asyncio.wait({editor, child, watchdog},
                                         return_when=asyncio.FIRST_COMPLETED)
        except asyncio.CancelledError:
            # A signal (signals.py): rust-analyzer's whole group ends with borrowlens.
            for task in (editor, child, watchdog, stderr_task):
                task.cancel()
            await self._stop_child(grace=0.5)
            raise
        status = 0
        if editor in done:
            # `exit` from the editor, or the editor went away.
            clean = self.exit_requested and self.shutdown_requested
            status = await self._stop_child(grace=2.0 if clean else 0.5)
            status = 0 if clean else 1
            # Let rust-analyzer's last words (a shutdown response) reach the editor.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(child), 1.0)
        else:
            try:
                reason = child.result() if child in done else watchdog.result()
            except Exception as error:  # borrowlens' own failure (the editor's pipe closed…)
                log.exception("borrowlens: the proxy failed")
                reason = f"the borrowlens proxy failed ({error})"
            if child in done and self.shutdown_requested and not self.pending:
                reason = ""
            if reason:
                if child in done and self.child.stdout is not None \
                        and self.child.stdout.at_eof():
                    # Its output ends a moment before its exit status is known: wait for
                    # the status so the message can name it.
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self.child.wait(), 1.0)
                code = self.child.returncode
                if code is not None and code != 0:
                    reason += f" with status {code}"
                log.error("borrowlens: %s", reason)
                with contextlib.suppress(OSError):  # an editor that has gone hears nothing
                    await self._fail(reason)
            await self._stop_child(grace=0.5)
            status = 1 if reason else 0
        for task in (editor, child, watchdog):
            task.cancel()
        with contextlib.suppress(OSError):  # publishes and merges still on the worker
            await self.publisher.drain(1.0)
            if self.background:
                await asyncio.wait(set(self.background), timeout=1.0)
        self.worker.stop()
        with contextlib.suppress(TimeoutError, Exception):
            await asyncio.wait_for(stderr_task, 1.0)
        await self.output.flush(2.0)
        return status

    async def _stop_child(self, grace: float) -> int:
        child = self.child
        if child is None:
            return 0
        if child.stdin is not None and not child.stdin.is_closing():
            child.stdin.close()
        status: int | None = None
        with contextlib.suppress(TimeoutError):
            status = await asyncio.wait_for(child.wait(), grace)
        # Also after rust-analyzer itself has ended: its children (cargo check, proc-macro
        # servers) share its process group and would otherwise be orphaned.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(child.pid, signal.SIGKILL)
        return status if status is not None else await child.wait()


def serve(rust_analyzer: str, args: list[str]) -> int:
    """Runs the proxy on this process' stdio until the session ends; the exit status."""
    proxy = Proxy(rust_analyzer, args, sys.stdin.buffer, claim_stdout())
    try:
        return asyncio.run(serve_until_signalled(proxy.run()))
    except KeyboardInterrupt:
        return 130
