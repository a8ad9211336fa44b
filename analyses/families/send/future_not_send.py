"""The general non-`Send` future: any other value alive across an `.await` (`Box<dyn Error>`,
`Box<dyn Trait>` without `+ Send`, a struct holding one, a crate's `!Send` type), or an await
on another future that is not `Send`.

This is the fallback for "future cannot be sent between threads safely" when no more specific
family (Rc, RefCell/Mutex guards, non-`Sync` references, async fn in traits) claims it. Facts:
variable or `awaited` expression, type, `inner_type` (what rustc says lacks `Send`),
declaration and await lines, the bound and the fn.
"""

from __future__ import annotations

import re
from typing import ClassVar

from borrowlens.analyses.diagnostics.model import Diagnostic
from borrowlens.analyses.explain import prose
from borrowlens.analyses.explain.model import Explanation
from borrowlens.analyses.families.base import Family, Match
from borrowlens.analyses.families.send import analysis as send
from borrowlens.analyses.families.send import rewrites
from borrowlens.analyses.fixes.edits import Fix
from borrowlens.analyses.rust.sources import Sources


def _dyn_trait(inner: str | None) -> str | None:
    """`Notifier` for a trait object `dyn Notifier` that lacks `Send`, else None."""
    found = re.search(r"dyn ([A-Za-z_][\w:]*(?:<.*>)?)", inner) if inner else None
    return found.group(1) if found else None


class FutureNotSend(Family):
    id = "future-not-send"
    title = "Future is not Send"
    codes = ()
    notes = send.NOTES
    fix_docs: ClassVar[dict[str, str]] = {
        "rc-to-arc": "only when the culprit turns out to be an `Rc`: the rewrite "
            "`send-rc-across-await` offers",
    }
    # Where this family offers no fix, the explanation lays out a design decision.
    no_fix_reason = (
        "the value that is not `Send` has a type the code chose (a boxed error, a `dyn` "
        "trait object, a boxed future): making it `Send` changes that type, which the "
        "user decides")

    def match(self, diagnostic: Diagnostic, sources: Sources) -> Match | None:
        info = send.analyse(diagnostic, sources)
        if info is None:
            return None
        return send.build_match(self, diagnostic, info)

    def explain(self, match: Match) -> Explanation:
        type_ = match.fact("type")
        inner = match.fact("inner_type")
        awaits = bool(match.fact("awaited")) or (
            not match.fact("variable") and "Future" in (type_ or "")
            and not match.fact("expression"))
        return prose.explanation(self.id, self.title, __name__, {
            "awaits": awaits, "name": send.culprit_name(match), "type": type_,
            "inner": inner if inner != type_ else None,
            "dyn_trait": _dyn_trait(inner) or _dyn_trait(type_),
            "captured": match.fact("captured") == "true",
            "awaited": match.code("awaited", "the awaited future"),
            "await_": send.await_phrase(match), "decl": send.decl_phrase(match),
            "place": send.place_phrase(match), "inside": send.inside_phrase(match),
            "future": send.future_phrase(match), "bound": send.bound_phrase(match),
        })

    def fixes(self, match: Match, sources: Sources) -> list[Fix]:
        """Only the mechanical case: an `Rc`/`rc::Weak` culprit (or a struct field holding
        one) gets `rc-to-arc`. Trait objects, errors and awaited futures get no edit: the
        right change is a design choice the explanation lays out."""
        if match.fact("awaited"):
            return []
        return rewrites.rc_fixes(match, sources)


FAMILY = FutureNotSend()
