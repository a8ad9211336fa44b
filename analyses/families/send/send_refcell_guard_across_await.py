"""A future is not `Send` because a `Ref`/`RefMut` from a `RefCell` is alive across an `.await`.

rustc: "future cannot be sent between threads safely" with "has type `RefMut<'_, T>` which is
not `Send`" on the guard and "await occurs here, with `guard` maybe used later". rustc often
emits the same error twice for one guard (once for its `NonNull` pointer, once for its
`&Cell<isize>` borrow flag); both belong here. Facts: the guard variable (or temporary), its
type, `guard_source` (`cell.borrow_mut()`), declaration and await lines, the bound, the fn.
"""

from __future__ import annotations

from typing import ClassVar

from borrowlens.analyses.diagnostics.model import Diagnostic
from borrowlens.analyses.explain import prose
from borrowlens.analyses.explain.model import Explanation
from borrowlens.analyses.families.base import Family, Match
from borrowlens.analyses.families.send import analysis as send
from borrowlens.analyses.families.send import phrases, rewrites
from borrowlens.analyses.fixes.edits import Fix
from borrowlens.analyses.rust.sources import Sources


class SendRefcellGuardAcrossAwait(Family):
    id = "send-refcell-guard-across-await"
    title = "RefCell borrow held across an await"
    codes = ()
    notes = send.NOTES
    refines = ("future-not-send",)
    fix_docs: ClassVar[dict[str, str]] = rewrites.GUARD_FIX_DOCS
    # Where this family offers no fix, the explanation lays out a design decision.
    no_fix_reason = (
        "the borrow is still needed after the `.await`: ending it earlier needs the "
        "value copied out or the code reordered, which the user decides")

    def match(self, diagnostic: Diagnostic, sources: Sources) -> Match | None:
        info = send.analyse(diagnostic, sources)
        if info is None or info.kind != send.REFCELL_GUARD:
            return None
        return send.build_match(self, diagnostic, info)

    def explain(self, match: Match) -> Explanation:
        source = match.fact("guard_source")
        return prose.explanation(self.id, self.title, __name__, {
            **phrases.guard_slots(match, lock=False), "lock": False, "type": match.fact("type"),
            "made_by": (f" from `{source}`" if source
                        else " from `RefCell::borrow()`/`borrow_mut()`"),
            "value": match.fact("scrutinee_value") or f"{source or 'cell.borrow()'}…",
            "reader": source.replace("borrow_mut()", "borrow()") if source else "cell.borrow()",
        })

    def fixes(self, match: Match, sources: Sources) -> list[Fix]:
        """End the guard's scope before the await: a block around a named guard, or a `let`
        for a temporary guard in a `match`/`if let`/`while let` head (see `fixes/guards`)."""
        return rewrites.guard_fixes(match, sources, refcell=True)


FAMILY = SendRefcellGuardAcrossAwait()
