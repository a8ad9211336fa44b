"""The fixes borrowlens offers for a recognised diagnostic: the family's proposals, through
the gate (`fixes.gate`) that drops any that would not apply cleanly and makes one preferred."""

from __future__ import annotations

from borrowlens.analyses.families.base import Match
from borrowlens.analyses.fixes import gate
from borrowlens.analyses.fixes.edits import Fix
from borrowlens.analyses.rust.sources import Sources


def offered_fixes(match: Match, sources: Sources) -> list[Fix]:
    """The family's fixes for `match` that apply cleanly, preferred first (none for the
    generic explanation, which has no diagnostic)."""
    if match.diagnostic is None:
        return []
    return gate.offered(match.family.fixes(match, sources), sources)
