"""The borrowlens language server with a deliberately broken fix offered next to the real
ones: fault injection for the end-to-end tests of fix verification (a broken fix must be
withdrawn once its background check fails). Run as a script, with borrowlens' own arguments.
"""

from __future__ import annotations

import sys

from borrowlens.analyses.families.base import Match
from borrowlens.analyses.fixes.edits import Fix, TextEdit
from borrowlens.analyses.rust.sources import Sources
from borrowlens.server import enrichment
from borrowlens.server.entry import main

BROKEN_ID = "broken"
_original = enrichment.offered_fixes


def offered(match: Match, sources: Sources) -> list[Fix]:
    """The real fixes, then one that appends a function that does not type-check."""
    fixes = _original(match, sources)
    if not fixes:
        return fixes
    file = fixes[0].edits[0].file
    text = sources.text(file) or ""
    end = len(text.split("\n"))
    bad = TextEdit(file, end, 1, end, 1,
                   'pub fn borrowlens_broken() -> u32 { "not a number" }\n')
    return [*fixes, Fix("Broken on purpose", False, (bad,), id=BROKEN_ID)]


if __name__ == "__main__":
    enrichment.offered_fixes = offered
    sys.exit(main())
