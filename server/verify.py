"""Proving offered fixes with the compiler: a shadow copy of the crate with the fix applied,
checked by `cargo check`, and the verdict whether the fix compiles.

A fix *compiles* when, on a copy of the workspace (the editor's unsaved buffers written over
it), applying it removes the error it was offered for and causes no error that was not there
before (the same rule as `borrowlens fix`: an error that appears is taken as caused by the
fix). The copy lives in the per-user cache with a build directory of its own that persists,
so dependencies are built once; it is never the workspace's `target/` (cargo's fingerprints
ignore where a member lives, so a checked copy could pass for the real crate).

`check_shadow` and `judge` are the synchronous pieces `borrowlens check --verify` uses;
`Verifier` runs them for the language server: one check at a time, in a worker thread at
low CPU priority, only once the editor has been idle for a moment, killed when a document of
its crate changes, and with each verdict cached per (contents of the open documents, fix).
Nothing here writes to stdout: the proxy's stdout carries only frames.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import hashlib
import logging
import os
import shutil
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TypeVar

from borrowlens.analyses.diagnostics.model import Diagnostic
from borrowlens.analyses.diagnostics.rustc_json import from_rustc
from borrowlens.analyses.fixes.edits import Fix, apply
from borrowlens.server import cargo
from borrowlens.server.discovery import cache_dir
from borrowlens.server.documents import Documents, uri_to_path
from borrowlens.server.enrichment import Entry, Recognised, digest, fixes_for
from borrowlens.server.protocol import JsonDict

log = logging.getLogger("borrowlens")

Verdict = Literal["compiles", "fails", "unknown"]
ErrorKey = tuple[str | None, str]

# How long the editor must have been quiet (no publish, no edit) before a check starts.
IDLE_SECONDS = 0.5

# What a shadow copy leaves out: build output, VCS data, other tools' environments.
SHADOW_IGNORE = shutil.ignore_patterns("target", ".git", "node_modules", ".venv")


def shadow_dir(root: Path) -> Path:
    """The persistent directory of a workspace's shadow: `target/` (its build directory,
    kept so dependencies are built once) and, during a check, `tree-<pid>/` (the copy)."""
    return cache_dir() / "verify" / hashlib.sha256(str(root).encode()).hexdigest()[:16]


def fix_key(fix: Fix) -> tuple[object, ...]:
    """A fix's identity for the cache: its id and every edit."""
    return (fix.id, tuple((e.file, e.line_start, e.column_start, e.line_end, e.column_end,
                           e.new_text) for e in fix.edits))


def fixed_texts(fix: Fix, text: Callable[[str], str | None]) -> dict[str, str] | None:
    """Each file the fix edits, with the fix applied; None when a file cannot be read or
    the edits do not apply."""
    out: dict[str, str] = {}
    for file in fix.files():
        original = text(file)
        if original is None:
            return None
        try:
            out[file] = apply(original, [e for e in fix.edits if e.file == file])
        except ValueError:
            return None
    return out


def error_keys(errors: Iterable[Diagnostic]) -> Counter[ErrorKey]:
    return Counter((d.code, d.message) for d in errors)


def judge(before: list[Diagnostic], after: list[Diagnostic], target: ErrorKey) -> bool:
    """Whether a fix made `target` go away (one fewer of it) and caused no new error."""
    was, now = error_keys(before), error_keys(after)
    return now[target] < was[target] and not (now - was)


def check_shadow(program: str, root: Path, manifest: Path, overlay: Mapping[Path, str],
                 started: Callable[[subprocess.Popen[str]], None] | None = None,
                 extra_args: Sequence[str] = ()) -> list[Diagnostic] | None:
    """The errors of `cargo check` on a copy of the workspace at ROOT with OVERLAY's texts
    written over it; None when the check was killed. CargoError when cargo could not check
    the copy (a path dependency outside the workspace, say).

    The copy is made afresh each time with fresh mtimes, so cargo never takes a file for one
    it has already checked in the persistent build directory; it is this process' own (a
    server and a `check --verify` may prove fixes of one workspace at once; cargo's lock on
    the build directory lets one wait for the other) and is removed afterwards.
    """
    root = root.resolve()
    base = shadow_dir(root)
    tree = base / f"tree-{os.getpid()}"
    if tree.exists():
        shutil.rmtree(tree)
    try:
        shutil.copytree(root, tree, ignore=SHADOW_IGNORE, symlinks=True,
                        copy_function=shutil.copy)
        for path, text in overlay.items():
            if (resolved := path.resolve()).is_relative_to(root):
                (tree / resolved.relative_to(root)).write_bytes(
                    text.encode("utf-8", errors="surrogatepass"))
        check = cargo.Check(program, manifest=tree / manifest.resolve().relative_to(root),
                            keep_going=True, target_dir=base / "target", low_priority=True,
                            extra_args=extra_args)
        finished = cargo.run(check, started=started)
    finally:
        shutil.rmtree(tree, ignore_errors=True)
    if finished.returncode < 0:
        return None  # killed
    errors = [d for d in map(from_rustc, finished.messages) if d.level == "error" and d.spans]
    if finished.returncode != 0 and not errors:
        raise cargo.CargoError(" | ".join(finished.stderr_tail(2)) or "unknown error")
    return errors


def proves(program: str, workspace: cargo.Workspace, before: list[Diagnostic],
           target: Diagnostic, fix: Fix, text: Callable[[str], str | None],
           extra_args: Sequence[str] = ()) -> bool:
    """Whether FIX, applied to the workspace's files as TEXT reads them, compiles: TARGET
    (one of BEFORE, the errors of a check of the same files) goes and no error comes.
    Synchronous: `borrowlens check --verify`."""
    fixed = fixed_texts(fix, text)
    if fixed is None:
        return False
    root = workspace.root
    try:
        after = check_shadow(program, root, workspace.manifest,
                             {root / f: t for f, t in fixed.items()}, extra_args=extra_args)
    except cargo.CargoError as error:
        log.info("borrowlens could not check the shadow copy of %s: %s", root, error)
        return False
    return after is not None and judge(before, after, (target.code, target.message))


def target_key(errors: list[Diagnostic], root: Path, code: str | None, file: Path,
               line: int) -> ErrorKey | None:
    """The key of the error (in a check of ROOT's copy) with CODE whose primary span starts on
    LINE of FILE: the published diagnostic a fix was offered for."""
    for error in errors:
        primary = error.primary
        if (error.code == code and primary is not None and primary.line_start == line
                and (root / primary.file).resolve() == file.resolve()):
            return (error.code, error.message)
    return None


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
            for fix in fixes_for(entry.match, documents):
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


# How many verdicts and baselines are kept: every saved text is a new state, and a long
# session must not grow without end (the oldest go first).
REMEMBERED = 512


K = TypeVar("K")
V = TypeVar("V")


def _remember(cache: dict[K, V], key: K, value: V) -> None:
    cache[key] = value
    while len(cache) > REMEMBERED:
        del cache[next(iter(cache))]


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

    # --- the session's side (its event loop) ----------------------------------------------

    def soon(self) -> None:
        """Diagnostics were published: prepare jobs once the editor is idle (no-op outside an
        event loop, as in unit tests of the session)."""
        self._active = time.monotonic()
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        if self._timer is not None:
            self._timer.cancel()
        self._timer = loop.call_later(IDLE_SECONDS, self._offer_prepared)

    def _offer_prepared(self) -> None:
        self._timer = None
        try:
            self.offer(self._prepare())
        except Exception:
            log.exception("borrowlens could not prepare the fixes' verification")

    def offer(self, jobs: list[Job]) -> None:
        """Queues the jobs not yet decided (replacing what was queued before)."""
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
        return self._verdicts.get((state, fix_key(fix)))

    def changed(self, path: Path) -> None:
        """A document changed: the editor is busy, and a check of its crate is out of date."""
        self._active = time.monotonic()
        path = path.resolve()
        with self._wake:
            self._queue = [j for j in self._queue if not self._same_crate(j.anchor, path)]
            running = self._running
        if running is not None and path.is_relative_to(running[0]):
            cargo.kill_group(running[1].pid)

    def close(self) -> None:
        """Stops the worker and kills its running check (at exit: cargo has its own process
        group and would outlive the server)."""
        with self._wake:
            self._closed = True
            self._queue = []
            running = self._running
            self._wake.notify_all()
        if running is not None:
            cargo.kill_group(running[1].pid)

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
        while (job := self._next()) is not None:
            try:
                verdict = self._prove(job)
            except Exception:
                log.exception("borrowlens could not verify a fix")
                verdict = "unknown"
            if verdict is None:
                continue  # killed by an edit: the next publish offers it again
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
            self._roots[directory] = found
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
            if base not in self._baselines:
                checked = self._check(program, manifest, root, job.overlay)
                if checked is None:
                    return None
                _remember(self._baselines, base, checked)
            before = self._baselines[base]
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
