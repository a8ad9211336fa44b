"""Enrichment off the proxy's forwarding path: one worker thread, per-file order, supersession.

Classifying a file's diagnostics takes milliseconds to seconds; on the thread that reads
rust-analyzer, every response and notification queued behind a `publishDiagnostics` would
wait for it. Here a publish goes to the worker and the reader forwards the next frame at once:

* everything that runs the core (enrichment, and the hover, code-action and explain merges
  that read its results) runs on the one worker thread, in the order it was submitted, so the
  core (tree-sitter parsers, the per-file caches) is never used from two threads;
* a file's publishes reach the editor in the order rust-analyzer sent them: a publish for a
  file that has a newer one waiting is dropped, before its enrichment starts if it has not
  started, else when it ends (the editor replaces a file's diagnostics with each publish, so
  the newer one says all there is to say).
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from borrowlens.server.wire import Frame, encode, loads

if TYPE_CHECKING:  # the session's modules load on the worker (LazySession)
    from borrowlens.server.interception import Interceptor

log = logging.getLogger("borrowlens")


class Worker:
    """One daemon thread running jobs in order (a daemon: a job still running never holds
    up the proxy's exit)."""

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue[Callable[[], None] | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="borrowlens-enrichment",
                                        daemon=True)
        self._thread.start()

    def submit(self, job: Callable[[], None]) -> None:
        """`job()` on the worker, after every job submitted before it; what it raises is
        logged."""
        self._jobs.put(job)

    def drain(self, timeout: float) -> bool:
        """Waits (a while) for the jobs submitted so far; whether they all ended."""
        done = threading.Event()
        self._jobs.put(done.set)
        return done.wait(timeout)

    def stop(self) -> None:
        self._jobs.put(None)

    def running_here(self) -> bool:
        """Whether the caller is the worker's own thread (a job)."""
        return threading.current_thread() is self._thread

    def _run(self) -> None:
        while (job := self._jobs.get()) is not None:
            try:
                job()
            except Exception:
                log.exception("borrowlens failed on its worker thread")


def warm() -> None:
    """Loads what the first enrichment would otherwise load on its way (every family module,
    the trigger index, the templates of the titles and TL;DRs a publish carries, the
    tree-sitter parser and queries), so the first publish is not
    the slowest one; run on the worker while rust-analyzer loads the workspace."""
    try:
        from importlib import resources  # noqa: PLC0415

        from borrowlens.analyses.diagnostics.model import Diagnostic  # noqa: PLC0415
        from borrowlens.analyses.explain.prose import summary_only  # noqa: PLC0415
        from borrowlens.analyses.families.registry import (  # noqa: PLC0415
            all_families,
            candidates,
        )
        from borrowlens.analyses.rust import syntax  # noqa: PLC0415

        candidates(Diagnostic(level="error", message="", code=None, spans=()))
        with summary_only():  # each family's title and TL;DR template, as a publish renders
            for family in all_families():
                family.explain(family.generic())
        syntax.parse("fn main() {}\n")
        queries = resources.files("borrowlens.analyses.rust").joinpath("queries")
        for query in queries.iterdir():
            if query.name.endswith(".scm"):
                syntax.query(query.name.removesuffix(".scm"))
    except Exception:  # only a head start: the first enrichment loads what failed here
        log.exception("borrowlens could not warm up its analyses")


class LazySession:
    """The session's interceptor, created on the worker when first asked for: the proxy
    forwards and answers `initialize` without it, then `start`s it, so loading the core
    competes with neither rust-analyzer's start nor its answer. What must reach the session
    before it exists (initialize's settings, the position encoding) waits for it (`then`)."""

    def __init__(self, worker: Worker) -> None:
        self.worker = worker
        self._intercept: Interceptor | None = None
        self._ready = threading.Event()
        self._started = False
        self._setup: list[Callable[[Interceptor], None]] = []
        self._lock = threading.Lock()

    def start(self) -> None:
        """Has the worker load the core and create the session (once)."""
        with self._lock:
            if self._started:
                return
            self._started = True
        self.worker.submit(self._create)

    def get(self) -> Interceptor:
        """The interceptor, once the session exists (started if it was not)."""
        self.start()
        if self.worker.running_here():
            self._create()  # a job cannot wait for the job queued behind it
        self._ready.wait()
        if self._intercept is None:
            raise RuntimeError("borrowlens could not create its session (see its log)")
        return self._intercept

    def ready(self) -> Interceptor | None:
        """The interceptor if the session exists already, else None (never waits)."""
        return self._intercept

    def then(self, setup: Callable[[Interceptor], None]) -> None:
        """`setup` on the session now if it exists, else as soon as it does."""
        with self._lock:
            if self._intercept is None:
                self._setup.append(setup)
                return
        setup(self._intercept)

    def _create(self) -> None:
        if self._ready.is_set():
            return
        try:
            from borrowlens.server.interception import Interceptor  # noqa: PLC0415
            from borrowlens.server.session import Session  # noqa: PLC0415
            intercept = Interceptor(Session())
            # The fix verifier is told of publishes on the worker: its delayed work runs there.
            intercept.session.verifier.scheduler = self._schedule
            with self._lock:
                for setup in self._setup:
                    setup(intercept)
                self._setup.clear()
                self._intercept = intercept
        finally:
            self._ready.set()
        warm()

    def _schedule(self, delay: float, work: Callable[[], None]) -> None:
        """Runs `work` on the worker after `delay` seconds."""
        timer = threading.Timer(delay, self.worker.submit, (work,))
        timer.daemon = True
        timer.start()


class Publisher:
    """rust-analyzer's publishDiagnostics, enriched on the worker and sent in per-file order."""

    def __init__(self, intercept: Callable[[], Interceptor], worker: Worker,
                 send: Callable[[bytes], None]) -> None:
        # The interceptor once the session exists (the worker's first job creates it).
        self.intercept = intercept
        self.worker = worker
        self.send = send
        # Per file (its URI): the ticket of its latest publish. Written by the thread reading
        # rust-analyzer, read by the worker: a file's publishes are enriched in order on the
        # one worker, so an older one is never sent after a newer one.
        self._latest: dict[str, int] = {}
        self._count = 0

    def submit(self, frame: Frame, uri: str) -> None:
        """Queues a publish for the file `uri` (read from the frame's first bytes)."""
        self._count += 1
        ticket = self._count
        self._latest[uri] = ticket
        self.worker.submit(lambda: self._publish(frame, uri, ticket))

    def _publish(self, frame: Frame, uri: str, ticket: int) -> None:
        if self._latest.get(uri) != ticket:
            return  # superseded before its enrichment started
        try:
            data = self._enrich(frame)
        except Exception:
            log.exception("borrowlens could not enrich diagnostics; forwarding them")
            data = frame.raw
        if self._latest.get(uri) != ticket:
            return  # superseded while it was enriched: the newer one says all there is
        try:
            self.send(data)
        except OSError:
            log.debug("the editor has gone: a publish was not sent")

    def _enrich(self, frame: Frame) -> bytes:
        """The frame to send: enriched, or as it came."""
        try:
            message = loads(frame.body)
        except ValueError:
            return frame.raw
        params = message.get("params") if isinstance(message, dict) else None
        if not isinstance(params, dict):
            return frame.raw
        enriched = self.intercept().publish(params)
        return frame.raw if enriched is None else encode({**message, "params": enriched})
