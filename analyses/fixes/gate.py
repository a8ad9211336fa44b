"""The gate every proposed fix passes before it is offered, and the one check of where a
fix may write.

Families propose fixes (`families.offers` hands them here); this module decides what is
shown. A fix is offered only when every file it touches is known and still parses after the
edit (no new tree-sitter ERROR or MISSING node). Duplicates are dropped, and exactly one
offered fix — the first the family marked, or else the first — is preferred, because editors
apply the preferred one on "fix all".

`confinement` is what both appliers (`borrowlens fix` and the language server's quick fixes)
ask before a fix reaches a file: a diagnostic's text is not to be trusted with where to write
(a `-->` line of its rendered text can name any file), so a fix may only edit files inside the
workspace, not a dependency's, and only files the diagnostic itself names.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from pathlib import PurePath

from borrowlens.analyses.diagnostics.model import RENDERED_ARROW, Diagnostic, in_dependency
from borrowlens.analyses.fixes.edits import Fix, fix_applies_cleanly
from borrowlens.analyses.rust.sources import Sources


def offered(proposed: Iterable[Fix], sources: Sources) -> list[Fix]:
    """The proposed fixes that apply cleanly, duplicates dropped, preferred first."""
    kept: list[Fix] = []
    seen: set[tuple[object, ...]] = set()
    for fix in proposed:
        key = tuple(sorted((e.file, e.line_start, e.column_start, e.line_end, e.column_end,
                            e.new_text) for e in fix.edits))
        if not fix.edits or key in seen:
            continue
        texts = {file: text for file in fix.files() if (text := sources.text(file)) is not None}
        if not fix_applies_cleanly(fix, texts):
            continue
        seen.add(key)
        kept.append(fix)
    if not kept:
        return []
    chosen = next((i for i, fix in enumerate(kept) if fix.preferred), 0)
    ordered = [kept[chosen], *kept[:chosen], *kept[chosen + 1:]]
    return [replace(fix, preferred=(i == 0)) for i, fix in enumerate(ordered)]


def named_files(diagnostic: Diagnostic) -> set[str]:
    """The files a diagnostic names, as its spans name them: its own spans', its children's,
    and those of the `-->` lines of its rendered text."""
    named = {span.file for span in diagnostic.spans}
    named.update(span.file for child in diagnostic.children for span in child.spans)
    for arrow in RENDERED_ARROW.finditer(diagnostic.rendered or ""):
        named.add(diagnostic.rendered_file(arrow.group("file")))
    return named


def _inside(path: str, roots: Sequence[str]) -> bool:
    return any(PurePath(path).is_relative_to(root) for root in roots)


def confinement(fix: Fix, diagnostic: Diagnostic, roots: Sequence[str],
                resolve: Callable[[str], str], located: Iterable[str] = ()) -> str | None:
    """Why `fix` may not edit the files it edits, or None when it may.

    Every file must be one the diagnostic names or one the diagnosis `located` the cause in
    (the files of its `related` places, which the user is shown: a signature in another
    module), not a dependency's (`in_dependency`), and inside one of the workspace `roots` (no
    roots: the workspace is not known, and that part is not checked). `resolve` turns a file
    as the fix and the diagnostic name it into its absolute, canonical path (links followed):
    the caller's part, which knows the filesystem.
    """
    named = {resolve(file) for file in [*named_files(diagnostic), *located]}
    for file in fix.files():
        path = resolve(file)
        if in_dependency(file) or in_dependency(path):
            return f"{file} belongs to a dependency"
        if roots and not _inside(path, roots):
            return f"{file} is outside the workspace"
        if path not in named:
            return f"{file} is not a file the error names"
    return None
