"""The guard fixes offered for a guard held across an `.await` (the entry point the
send-mutexguard-across-await and send-refcell-guard-across-await families call)."""

from __future__ import annotations

from borrowlens.analyses.fixes.edits import Fix
from borrowlens.analyses.fixes.guards.block import block_fix
from borrowlens.analyses.fixes.guards.held import HeldGuard
from borrowlens.analyses.fixes.guards.hoist import hoist_fix
from borrowlens.analyses.rust.sources import Sources


def fixes(held: HeldGuard, sources: Sources, *, refcell: bool) -> list[Fix]:
    """The guard fixes that fit (at most one: the shapes exclude each other)."""
    fix = (hoist_fix(held, sources, refcell=refcell) if held.temporary
           else block_fix(held, sources, refcell=refcell))
    return [fix] if fix is not None else []
