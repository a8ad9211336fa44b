"""The gate every proposed fix passes before it is offered.

Families propose fixes (`families.offers` hands them here); this module decides what is
shown. A fix is offered only when every file it touches is known and still parses after the
edit (no new tree-sitter ERROR or MISSING node). Duplicates are dropped, and exactly one
offered fix — the first the family marked, or else the first — is preferred, because editors
apply the preferred one on "fix all".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

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
