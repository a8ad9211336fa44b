"""A future is not `Send` because a `std::sync::MutexGuard` (or an `RwLock` guard) is alive
across an `.await`.

rustc: "future cannot be sent between threads safely" with "has type
`std::sync::MutexGuard<'_, T>` which is not `Send`" on the guard (a named `let` or a temporary
such as `state.lock().unwrap()` in a `match`/`if let`/`while let` head) and "await occurs
here, with `guard` maybe used later". Facts: variable (or `expression` + `temporary` for a
temporary), type, `guard_source` (`state.lock()`), declaration and await lines, `scrutinee`,
`dropped_before_await` when the code already calls `drop(guard)`, the bound and the fn.
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


class SendMutexguardAcrossAwait(Family):
    id = "send-mutexguard-across-await"
    title = "Mutex guard held across an await"
    codes = ()
    notes = send.NOTES
    refines = ("future-not-send",)
    fix_docs: ClassVar[dict[str, str]] = rewrites.GUARD_FIX_DOCS
    # Where this family offers no fix, the explanation lays out a design decision.
    no_fix_reason = (
        "the guard is still needed after the `.await`, or the lock is an async one held "
        "on purpose: shortening the critical section changes what it protects, which "
        "the user decides")

    def match(self, diagnostic: Diagnostic, sources: Sources) -> Match | None:
        info = send.analyse(diagnostic, sources)
        if info is None or info.kind != send.MUTEX_GUARD:
            return None
        return send.build_match(self, diagnostic, info)

    def explain(self, match: Match) -> Explanation:
        source = match.fact("guard_source")
        type_ = match.fact("type")
        rwlock = "RwLock" in (type_ or "") or bool(
            source and (source.endswith(".read()") or source.endswith(".write()")))
        lock_call = f"{source}.unwrap()" if source else "state.lock().unwrap()"
        return prose.explanation(self.id, self.title, __name__, {
            **phrases.guard_slots(match, lock=True), "lock": True, "type": type_,
            "made_by": f" from `{source}`" if source else "", "rwlock": rwlock,
            "lock_call": lock_call,
        })

    def fixes(self, match: Match, sources: Sources) -> list[Fix]:
        """End the guard's scope before the await: a block around a named guard, or a `let`
        for a temporary guard in a `match`/`if let`/`while let` head (see `fixes/guards`)."""
        return rewrites.guard_fixes(match, sources, refcell=False)


FAMILY = SendMutexguardAcrossAwait()
