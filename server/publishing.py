"""Enrichment off the proxy's forwarding path: one worker thread, per-file order, supersession.

Classifying a file's diagnostics takes milliseconds to seconds; on the event loop, every
response and notification from rust-analyzer queued behind a `publishDiagnostics` waited for
it. Here a publish goes to the worker and the loop forwards the next frame at once:

* everything that runs the core (enrichment, and the hover, code-action and explain merges
  that read its results) runs on the one worker thread, in the order it was submitted, so the
  core (tree-sitter parsers, the per-file caches) is never used from two threads;
* a file's publishes reach the editor in the order rust-analyzer sent them: a publish for a
  file that has a newer one waiting is dropped, before its enrichment starts if it has not
  started, else when it ends (the editor replaces a file's diagnostics with each publish, so
  the newer one says all there is to say).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import threading
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from borrowlens.server.interception import Interceptor
from borrowlens.server.wire import Frame, encode, loads

log = logging.getLogger("borrowlens")

T = TypeVar("T")
_Job = tuple[asyncio.AbstractEventLoop, "asyncio.Future[Any]", Callable[[], Any]]


class Worker:
    """One daemon thread running jobs in order (a daemon: a job still running never holds
    up the proxy's exit, unlike a ThreadPoolExecutor's worker)."""

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="borrowlens-enrichment",
                                        daemon=True)
        self._thread.start()

    def run(self, job: Callable[[], T]) -> asyncio.Future[T]:
        """`job()` on the worker, after every job submitted before it."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._jobs.put((loop, future, job))
        return future

    def stop(self) -> None:
        self._jobs.put(None)

    def _run(self) -> None:
        while (item := self._jobs.get()) is not None:
            loop, future, job = item
            try:
                result, error = job(), None
            except BaseException as failure:  # handed to the awaiting coroutine
                result, error = None, failure
            with contextlib.suppress(RuntimeError):  # the loop has closed: nobody waits
                loop.call_soon_threadsafe(_settle, future, result, error)


def warm() -> None:
    """Loads what the first enrichment would otherwise load on its way (every family module,
    the trigger index, the tree-sitter parser and queries), so the first publish is not
    the slowest one; run on the worker once rust-analyzer has answered `initialize`."""
    try:
        from importlib import resources  # noqa: PLC0415

        from borrowlens.analyses.diagnostics.model import Diagnostic  # noqa: PLC0415
        from borrowlens.analyses.families.registry import candidates  # noqa: PLC0415
        from borrowlens.analyses.rust import syntax  # noqa: PLC0415

        candidates(Diagnostic(level="error", message="", code=None, spans=()))
        syntax.parse("fn main() {}\n")
        queries = resources.files("borrowlens.analyses.rust").joinpath("queries")
        for query in queries.iterdir():
            if query.name.endswith(".scm"):
                syntax.query(query.name.removesuffix(".scm"))
    except Exception:  # only a head start: the first enrichment loads what failed here
        log.exception("borrowlens could not warm up its analyses")


def _settle(future: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)


class Publisher:
    """rust-analyzer's publishDiagnostics, enriched on the worker and sent in per-file order."""

    def __init__(self, intercept: Interceptor, worker: Worker,
                 send: Callable[[bytes], Awaitable[None]]) -> None:
        self.intercept = intercept
        self.worker = worker
        self.send = send
        # Per file (its URI): the ticket of its latest publish not yet sent.
        self._latest: dict[str, int] = {}
        self._count = 0
        self._tasks: set[asyncio.Task[None]] = set()

    def submit(self, frame: Frame, uri: str) -> None:
        """Queues a publish for the file `uri` (read from the frame's first bytes)."""
        self._count += 1
        ticket = self._count
        self._latest[uri] = ticket
        task = asyncio.create_task(self._publish(frame, uri, ticket))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self, timeout: float) -> None:
        """Waits (a while) for the publishes still being enriched, so they go out before exit."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=timeout)

    async def _publish(self, frame: Frame, uri: str, ticket: int) -> None:
        try:
            data = await self.worker.run(lambda: self._enrich(frame, uri, ticket))
        except Exception:
            log.exception("borrowlens could not enrich diagnostics; forwarding them")
            data = frame.raw
        if data is None or self._latest.get(uri) != ticket:
            return  # superseded by a newer publish for the same file
        del self._latest[uri]
        with contextlib.suppress(OSError):  # the editor has gone: its loop ends the session
            await self.send(data)

    def _enrich(self, frame: Frame, uri: str, ticket: int) -> bytes | None:
        """On the worker: the frame to send (enriched, or as it came), None if superseded."""
        if self._latest.get(uri) != ticket:
            return None
        try:
            message = loads(frame.body)
        except ValueError:
            return frame.raw
        params = message.get("params") if isinstance(message, dict) else None
        if not isinstance(params, dict):
            return frame.raw
        enriched = self.intercept.publish(params)
        return frame.raw if enriched is None else encode({**message, "params": enriched})
