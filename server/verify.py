"""Proving offered fixes with the compiler: a shadow copy of the crate with the fix applied,
checked by `cargo check`, and the verdict whether the fix compiles.

A fix *compiles* when, on a copy of the workspace (the editor's unsaved buffers written over
it), applying it removes the error it was offered for and causes no error that was not there
before (the same rule as `borrowlens fix`: an error that appears is taken as caused by the
fix). The copy lives in the per-user cache with a build directory of its own that persists,
so dependencies are built once; it is never the workspace's `target/` (cargo's fingerprints
ignore where a member lives, so a checked copy could pass for the real crate).

Synchronous: `borrowlens check --verify` calls `proves`; the language server runs
`check_shadow` in the background through `server/verifier.py`. Nothing here writes to
stdout: the proxy's stdout carries only frames.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import shutil
import subprocess
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Literal

from borrowlens.analyses.diagnostics.model import Diagnostic
from borrowlens.analyses.diagnostics.rustc_json import from_rustc
from borrowlens.analyses.fixes.edits import Fix, apply
from borrowlens.server import cargo
from borrowlens.server.discovery import cache_dir

log = logging.getLogger("borrowlens")

Verdict = Literal["compiles", "fails", "unknown"]
ErrorKey = tuple[str | None, str]

# What a shadow copy leaves out: build output, VCS data, other tools' environments.
SHADOW_IGNORE = shutil.ignore_patterns("target", ".git", "node_modules", ".venv")


def shadow_dir(root: Path) -> Path:
    """The persistent directory of a workspace's shadow: `target/` (its build directory,
    kept so dependencies are built once) and, during a check, `tree-<pid>/` (the copy)."""
    return cache_dir() / "verify" / hashlib.sha256(str(root).encode()).hexdigest()[:16]


def prune() -> None:
    """Removes the shadows of workspaces that no longer exist (a deleted project, a test's
    temporary crate): their build directories would otherwise stay in the cache for good."""
    for base in (cache_dir() / "verify").glob("*"):
        recorded = base / "root"
        with contextlib.suppress(OSError):
            if recorded.is_file() and not Path(recorded.read_text(encoding="utf-8")).exists():
                shutil.rmtree(base, ignore_errors=True)


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
    base.mkdir(parents=True, exist_ok=True)
    (base / "root").write_text(str(root), encoding="utf-8")  # for `prune`
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
