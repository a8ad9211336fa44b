"""What `borrowlens check` hands to each of its output formats (`check` for the terminal and
JSON lines, `github` for GitHub Actions, `sarif` for code-scanning tools).

One diagnostic as it was seen (rustc's JSON, the model, borrowlens' match), the run's context,
the tally behind the summary line, the full explanation as every format words it, and paths
the way tools outside the terminal want them: relative to the repository they annotate.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from borrowlens.analyses.diagnostics.model import Diagnostic
from borrowlens.analyses.explain import render
from borrowlens.analyses.families import story
from borrowlens.analyses.families.base import Match
from borrowlens.analyses.fixes.edits import Fix
from borrowlens.server.cargo import Workspace
from borrowlens.server.disk import DiskSources


@dataclass(frozen=True)
class Seen:
    """One rustc diagnostic as `check` received it, and what borrowlens made of it."""

    raw: dict[str, Any]
    diagnostic: Diagnostic
    match: Match | None


@dataclass
class Tally:
    """What `check` saw, for its summary line."""

    errors: int = 0
    explained: int = 0
    families: list[str] = field(default_factory=list)

    def summary(self) -> str:
        text = (f"borrowlens: {self.errors} error{'s' if self.errors != 1 else ''}, "
                f"{self.explained} explained")
        if self.families:
            text += f" ({', '.join(self.families)})"
        return text


@dataclass(frozen=True)
class Context:
    """The run every output format reports on."""

    args: argparse.Namespace
    workspace: Workspace
    sources: DiskSources
    color: bool
    # The directory the paths of `github` and `sarif` are relative to (`report_root`).
    root: Path


class Output(Protocol):
    """One output format: told each diagnostic as it arrives, then the tally once."""

    def show(self, seen: Seen) -> None: ...

    def finish(self, tally: Tally) -> None: ...


def full_explanation(match: Match, sources: DiskSources, fixes: list[Fix]) -> str:
    """The full explanation in markdown, with the user's code annotated and the change."""
    return render.markdown(match.family.explain(match), full=True,
                           story=story.code_story(match, sources, fixes))


def headline(diagnostic: Diagnostic) -> str:
    """rustc's first line: `error[E0308]: mismatched types`."""
    code = f"[{diagnostic.code}]" if diagnostic.code else ""
    return f"{diagnostic.level}{code}: {diagnostic.message}"


def _within(path: Path, directory: Path) -> bool:
    return path == directory or directory in path.parents


def report_root(workspace_root: Path, environ: Mapping[str, str] = os.environ) -> Path:
    """The directory annotation paths are relative to.

    GitHub resolves a workflow command's `file=` and a SARIF result's relative URI against
    the repository checkout, `$GITHUB_WORKSPACE`; a crate may live in a folder of it. Outside
    GitHub Actions (or for a crate outside that checkout) it is the cargo workspace root,
    which is the repository root in most projects.
    """
    root = workspace_root.resolve()
    checkout = environ.get("GITHUB_WORKSPACE")
    if checkout:
        repository = Path(checkout).resolve()
        if _within(root, repository):
            return repository
    return root


def relative_path(file: str, context: Context) -> str | None:
    """FILE (as cargo reports it: relative to the workspace root, or absolute for another
    crate's source) relative to `context.root`, with `/` separators; None when it lies
    outside."""
    path = (context.workspace.root / file).resolve()
    if not _within(path, context.root):
        return None
    return path.relative_to(context.root).as_posix()


def absolute_path(file: str, context: Context) -> Path:
    return (context.workspace.root / file).resolve()
