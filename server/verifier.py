"""The language server's side of proving fixes (the checks are `server/verify.py`'s): which
fixes to prove after a publish, a worker thread that proves them, and how verdicts shape the
code actions.

One check at a time, in a worker thread (forwarding never waits for it), under `nice`, only
once the editor has been idle for a moment; a check is killed when a document of its crate
changes, and each verdict is cached per (contents of the open documents and of the
diagnostic's files, fix), so a verdict is only ever shown for the text it was computed on.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import subprocess
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from borrowlens.analyses.diagnostics.model import Diagnostic
from borrowlens.analyses.fixes.edits import Fix
from borrowlens.server import cargo
from borrowlens.server.documents import Documents, uri_to_path
from borrowlens.server.enrichment import Entry, Recognised, digest
from borrowlens.server.protocol import JsonDict
from borrowlens.server.signals import kill_group
from borrowlens.server.verify import (
    Verdict,
    check_shadow,
    fix_key,
    fixed_texts,
    judge,
    prune,
    target_key,
)

if TYPE_CHECKING:
    import asyncio

log = logging.getLogger("borrowlens")

# How long the editor must have been quiet (no publish, no edit) before a check starts.
IDLE_SECONDS = 0.5


@dataclass(frozen=True)
class Job:
    """One fix to prove: the open documents' texts when it was offered (`state` is their
    digest), the fixed texts of the files it edits, and the diagnostic it is for."""

    state: str
    fix: tuple[object, ...]
    anchor: Path  # the diagnostic's file: its package is the one checked
    overlay: Mapping[Path, str]
    fixed: Mapping[Path, str]
    code: str | None
    line: int

    @property
    def key(self) -> tuple[str, tuple[object, ...]]:
        return (self.state, self.fix)


def open_texts(documents: Documents) -> tuple[str, dict[Path, str]]:
    """The open documents' texts by path (the editor's unsaved buffers), and their digest."""
    texts = {Path(uri_to_path(uri)): d.source for uri, d in documents.documents.items()}
    return digest("\0".join(f"{p}\0{digest(t)}" for p, t in sorted(texts.items()))), texts


def entry_state(open_digest: str, entry: Entry) -> str:
    """What a verdict on an entry's fix depends on: the open documents and the files the
    diagnostic was computed from."""
    return digest(open_digest + "".join(f"\0{f}\0{d}" for f, d in sorted(entry.digests.items())))


def jobs(recognised: Recognised, documents: Documents) -> list[Job]:
    """A job for each fix offered on the diagnostics as last published (not on stale ones:
    their fixes are not offered)."""
    open_digest, overlay = open_texts(documents)
    out: list[Job] = []
    for entries in list(recognised.entries.values()):
        for entry in entries:
            diagnostic = entry.match.diagnostic
            primary = diagnostic.primary if diagnostic is not None else None
            if diagnostic is None or primary is None or entry.stale(documents) is not None:
                continue
            state = entry_state(open_digest, entry)
            for fix in entry.offered(documents):
                fixed = fixed_texts(fix, documents.text)
                if fixed is not None:
                    out.append(Job(state, fix_key(fix), Path(primary.file), overlay,
                                   {Path(f): t for f, t in fixed.items()}, diagnostic.code,
                                   primary.line_start))
    return out


def action_title(title: str, verdict: Verdict | None) -> str:
    """A borrowlens action's title, saying when its fix was proven to compile."""
    return f"{title} — compiles (borrowlens)" if verdict == "compiles" else f"{title} (borrowlens)"


def verified_first(actions: list[JsonDict], verdicts: list[Verdict | None]) -> list[JsonDict]:
    """The actions with verified ones first (stable otherwise); a fix that failed its check
    is withdrawn, and once a fix has been checked only a verified one stays preferred."""
    kept = [(a, v) for a, v in zip(actions, verdicts, strict=True) if v != "fails"]
    for action, verdict in kept:
        if verdict == "unknown":
            action["isPreferred"] = False
    kept.sort(key=lambda pair: pair[1] != "compiles")
    return [a for a, _ in kept]


# How many verdicts and crate locations are kept, and how many baselines (each a whole
# check's errors; only the texts being edited now are asked for again): every edited text is a
# new state, and a long session must not grow without end. The least recently used go first.
REMEMBERED = 512
BASELINES = 16


K = TypeVar("K")
V = TypeVar("V")


def _remember(cache: dict[K, V], key: K, value: V, bound: int = REMEMBERED) -> None:
    cache.pop(key, None)
    cache[key] = value
    while len(cache) > bound:
        del cache[next(iter(cache))]


def _recall(cache: dict[K, V], key: K) -> V | None:
    """The cached value, now the most recently used (dicts keep insertion order)."""
    value = cache.pop(key, None)
    if value is not None:
        cache[key] = value
    return value


class Verifier:
    """Proves fixes in a worker thread, one `cargo check` at a time, while the editor is idle.

    The session hands over jobs (`offer`, from its event loop, after a short debounce) and
    reads verdicts (`verdict`); a document change (`changed`) kills a running check of its
    crate and drops the queued ones. Verdicts are cached by the content digest of the open
    documents, so a verdict is only ever read for the texts it was computed from.
    """

    def __init__(self, prepare: Callable[[], list[Job]]) -> None:
        self._prepare = prepare
        self._verdicts: dict[tuple[str, tuple[object, ...]], Verdict] = {}
        # Verdicts are read on the session's side and written by the worker; a read moves
        # one to the end (least recently used first out), so both go through this lock.
        self._verdicts_lock = threading.Lock()
        self._baselines: dict[tuple[Path, str], list[Diagnostic]] = {}
        self._roots: dict[Path, tuple[Path, Path] | None] = {}  # directory -> (manifest, root)
        self._queue: list[Job] = []
        self._wake = threading.Condition()
        self._active = time.monotonic()
        self._running: tuple[Path, subprocess.Popen[str]] | None = None
        self._thread: threading.Thread | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._closed = False
        self.on_verdict: Callable[[Job, Verdict], None] | None = None
        # How to run `work` after `delay` seconds, from any thread. Unset: the running event
        # loop's timer (the standalone server enriches on its loop). The proxy enriches on
        # its worker thread, where no loop runs; it sets this to go through its loop and
        # worker, so preparing the jobs also runs the core on the worker.
        self.scheduler: Callable[[float, Callable[[], None]], None] | None = None

    # --- the session's side (its event loop) ----------------------------------------------

    def soon(self) -> None:
        """Diagnostics were published: prepare jobs once the editor is idle (no-op outside an
        event loop, as in unit tests of the session)."""
        self._active = time.monotonic()
        if self.scheduler is not None:
            self.scheduler(IDLE_SECONDS, self._offer_when_idle)
            return
        import asyncio  # noqa: PLC0415  (the proxy, on threads, sets a scheduler)

        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        if self._timer is not None:
            self._timer.cancel()
        self._timer = loop.call_later(IDLE_SECONDS, self._offer_prepared)

    def _offer_when_idle(self) -> None:
        """A scheduled call that cannot be cancelled: only the one after the last publish
        (the editor idle since) prepares the jobs."""
        if time.monotonic() - self._active >= IDLE_SECONDS * 0.9:
            self._offer_prepared()

    def _offer_prepared(self) -> None:
        self._timer = None
        try:
            self.offer(self._prepare())
        except Exception:
            log.exception("borrowlens could not prepare the fixes' verification")

    def offer(self, jobs: list[Job]) -> None:
        """Queues the jobs not yet decided (replacing what was queued before)."""
        with self._verdicts_lock:
            fresh = [j for j in jobs if j.key not in self._verdicts]
        with self._wake:
            self._queue = fresh
            if fresh and self._thread is None and not self._closed:
                self._thread = threading.Thread(target=self._work, name="borrowlens-verify",
                                                daemon=True)
                self._thread.start()
                atexit.register(self.close)
            self._wake.notify_all()

    def verdict(self, state: str, fix: Fix) -> Verdict | None:
        """The verdict on a fix for the open documents with digest STATE; None while it is
        not known (not yet checked)."""
        with self._verdicts_lock:
            return _recall(self._verdicts, (state, fix_key(fix)))

    def changed(self, path: Path) -> None:
        """A document changed: the editor is busy, and a check of its crate is out of date."""
        self._active = time.monotonic()
        path = path.resolve()
        with self._wake:
            self._queue = [j for j in self._queue if not self._same_crate(j.anchor, path)]
            running = self._running
        if running is not None and path.is_relative_to(running[0]):
            kill_group(running[1].pid)

    def close(self) -> None:
        """Stops the worker and kills its running check (at exit: cargo has its own process
        group and would outlive the server)."""
        with self._wake:
            self._closed = True
            self._queue = []
            running = self._running
            self._wake.notify_all()
        if running is not None:
            kill_group(running[1].pid)

    def _same_crate(self, anchor: Path, path: Path) -> bool:
        found = self._roots.get(anchor.parent)
        return found is None or path.is_relative_to(found[1])

    # --- the worker thread ----------------------------------------------------------------

    def _next(self) -> Job | None:
        """The next job once the editor has been idle for IDLE_SECONDS; None when closed."""
        with self._wake:
            while True:
                if self._closed:
                    return None
                quiet = time.monotonic() - self._active
                if self._queue and quiet >= IDLE_SECONDS:
                    return self._queue.pop(0)
                self._wake.wait(IDLE_SECONDS - quiet if self._queue else None)

    def _work(self) -> None:
        prune()
        while (job := self._next()) is not None:
            try:
                verdict = self._prove(job)
            except Exception:
                log.exception("borrowlens could not verify a fix")
                verdict = "unknown"
            if verdict is None:
                continue  # killed by an edit: the next publish offers it again
            with self._verdicts_lock:
                _remember(self._verdicts, job.key, verdict)
            log.info("borrowlens: fix %s for %s: %s", job.fix[0], job.anchor, verdict)
            if self.on_verdict is not None:
                self.on_verdict(job, verdict)

    def _locate(self, anchor: Path) -> tuple[Path, Path] | None:
        """(manifest, workspace root) of a file's package, cached per directory."""
        directory = anchor.parent
        if directory not in self._roots:
            manifest = cargo.find_manifest(directory.resolve())
            program = cargo.find_cargo()
            found = None
            if manifest is not None and program is not None:
                with contextlib.suppress(cargo.CargoError):
                    found = (manifest, cargo.locate_workspace(manifest, program).root)
            _remember(self._roots, directory, found)
        return self._roots[directory]

    def _check(self, program: str, manifest: Path, root: Path,
               overlay: Mapping[Path, str]) -> list[Diagnostic] | None:
        def started(process: subprocess.Popen[str]) -> None:
            self._running = (root, process)
        try:
            return check_shadow(program, root, manifest, overlay, started)
        finally:
            self._running = None

    def _prove(self, job: Job) -> Verdict | None:
        """The job's verdict; None when its check was killed."""
        located = self._locate(job.anchor)
        program = cargo.find_cargo()
        if located is None or program is None:
            return "unknown"
        manifest, root = located
        base = (root, job.state)
        try:
            before = _recall(self._baselines, base)
            if before is None:
                before = self._check(program, manifest, root, job.overlay)
                if before is None:
                    return None
                _remember(self._baselines, base, before, BASELINES)
            target = target_key(before, root, job.code, job.anchor, job.line)
            if target is None:
                return "unknown"  # the copy does not show the error: nothing to prove
            after = self._check(program, manifest, root, {**job.overlay, **job.fixed})
        except cargo.CargoError as error:
            log.info("borrowlens could not check the shadow copy of %s: %s", root, error)
            return "unknown"
        if after is None:
            return None
        return "compiles" if judge(before, after, target) else "fails"
