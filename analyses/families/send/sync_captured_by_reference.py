"""A future is not `Send` because it holds a shared reference to something that is not `Sync`
(`&Cell<…>`, `&RefCell<…>`, `&self` of a struct with such a field, an `Arc` of one), or a raw
pointer (`*const T`/`*mut T` are neither `Send` nor `Sync`).

rustc: "future cannot be sent between threads safely" with "has type `&Cell<u32>` which is not
`Send`", "because `Counter` is not `Sync`", or "the trait `Sync` is not implemented for `X`";
across an `.await` or as a "captured value". Facts: variable, type, `referent` / `not_sync`
(the type that is not `Sync`), declaration, await or capture line, bound, fn.
"""

from __future__ import annotations

from borrowlens.analyses.diagnostics.model import Diagnostic
from borrowlens.analyses.explain import prose
from borrowlens.analyses.explain.model import Explanation
from borrowlens.analyses.families.base import Family, Match
from borrowlens.analyses.families.send import analysis as send
from borrowlens.analyses.rust.sources import Sources


def _shared_type(match: Match) -> str | None:
    """The type that fails to be `Sync` (`Cell<u32>`), or None."""
    return match.fact("not_sync") or match.fact("referent")


class SyncCapturedByReference(Family):
    id = "sync-captured-by-reference"
    title = "Future holds a reference to non-Sync data"
    codes = ()
    notes = send.NOTES
    design_choices = "atomics, `Mutex`/`RwLock`, copying the value out, `spawn_local`"
    refines = ("future-not-send",)

    def match(self, diagnostic: Diagnostic, sources: Sources) -> Match | None:
        info = send.analyse(diagnostic, sources)
        if info is None or info.kind != send.SYNC_REF:
            return None
        return send.build_match(self, diagnostic, info)

    def explain(self, match: Match) -> Explanation:
        type_ = match.fact("type")
        line = match.fact("decl_line")
        return prose.explanation(self.id, self.title, __name__, {
            "name": send.culprit_name(match, "the reference"), "type": type_,
            "raw": (type_ or "").startswith(("*const ", "*mut ")),
            "shared": _shared_type(match), "captured": match.fact("captured") == "true",
            "await_": send.await_phrase(match), "inside": send.inside_phrase(match),
            "declared": f", declared on line {line}" if line else "",
            "decl": send.decl_phrase(match),
            "future": send.future_phrase(match), "bound": send.bound_phrase(match),
        })


FAMILY = SyncCapturedByReference()
