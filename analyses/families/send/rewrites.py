"""The rewrites the send families share, fed from their facts: Rc → Arc for an `Rc` culprit
(`fixes/rc_to_arc`), the guard fixes for a guard held across an `.await` (`fixes/guards`),
and ending a local's scope before the await. The rewrites take plain values; reading them
from a `Match` is done here."""

from __future__ import annotations

from borrowlens.analyses.families.base import Match
from borrowlens.analyses.fixes.edits import Fix
from borrowlens.analyses.fixes.guards import offers as guard_offers
from borrowlens.analyses.fixes.guards.block import block_fix
from borrowlens.analyses.fixes.guards.held import HeldGuard
from borrowlens.analyses.fixes.rc_to_arc import offers as rc_offers
from borrowlens.analyses.rust.sources import Sources

# The guard fixes both guard families offer (a lock's guard and a `RefCell`'s), documented once.
GUARD_FIX_DOCS: dict[str, str] = {
    "block-before-await": "the statements from the guard's `let` to its last use go into a "
        "block that ends before the await, carrying owned results out",
    "hoist-scrutinee": "a guard in a `match`/`if let`/`while let` head is taken out into a "
        "`let`",
}


def rc_fixes(match: Match, sources: Sources) -> list[Fix]:
    """`rc-to-arc` for an `Rc`/`rc::Weak` culprit (or a struct holding one), read from the
    facts: the variable, its type, and the line it is declared (or captured) on."""
    variable, type_text = match.fact("variable"), match.fact("type")
    line = match.fact("capture_line" if match.fact("captured") == "true" else "decl_line")
    if match.diagnostic is None or not variable or not type_text or line is None:
        return []
    path = next((r.span.file for r in match.related if r.span.line_start == int(line)), None)
    if path is None:
        return []
    return rc_offers.send_rc_fixes(sources, path=path, line=int(line), variable=variable,
                                   type_text=type_text, inner_type=match.fact("inner_type"))


SCOPE_FIX = "scope-before-await"


def scope_fix(match: Match, sources: Sources, *, preferred: bool = False) -> list[Fix]:
    """`scope-before-await` for a local built and used only before the `.await` (the facts
    say it is not used after it; an `Rc`, a struct with a pointer field): the statements
    from its `let` to its last use go into a block that ends before the await, as
    `block-before-await` does for a guard. Not preferred for an `Rc`: `rc-to-arc` keeps the
    sharing, this keeps the `Rc`."""
    if (match.diagnostic is None or match.fact("used_after_await") != "false"
            or match.fact("captured") == "true" or match.fact("param") == "true"):
        return []
    decl, await_ = match.fact("decl_line"), match.fact("await_line")
    if decl is None or await_ is None:
        return []
    held = HeldGuard(decl_line=int(decl), await_line=int(await_),
                     spans=tuple(r.span for r in match.related),
                     variable=match.fact("variable"))
    fix = block_fix(held, sources, refcell=False, fix_id=SCOPE_FIX, preferred=preferred)
    return [fix] if fix is not None else []


def guard_fixes(match: Match, sources: Sources, *, refcell: bool) -> list[Fix]:
    """`block-before-await` or `hoist-scrutinee` for a lock or `RefCell` guard held across an
    `.await`, read from the facts: the guard, its line, the await's line, the spans."""
    if match.diagnostic is None:
        return []
    facts = match.facts

    def line(key: str) -> int | None:
        value = facts.get(key)
        return value if isinstance(value, int) else None

    held = HeldGuard(decl_line=line("decl_line"), await_line=line("await_line"),
                     spans=tuple(r.span for r in match.related),
                     variable=match.fact("variable"),
                     temporary=match.fact("temporary") == "true",
                     expression=match.fact("expression"),
                     scrutinee=match.fact("scrutinee"),
                     guard_type=match.fact("type"),
                     captured="captured" in facts)
    return guard_offers.fixes(held, sources, refcell=refcell)
