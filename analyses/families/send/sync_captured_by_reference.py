"""A future is not `Send` because it holds a shared reference to something that is not `Sync`
(`&Cell<…>`, `&RefCell<…>`, `&self` of a struct with such a field, an `Arc` of one), or a raw
pointer (`*const T`/`*mut T` are neither `Send` nor `Sync`).

rustc: "future cannot be sent between threads safely" with "has type `&Cell<u32>` which is not
`Send`", "because `Counter` is not `Sync`", or "the trait `Sync` is not implemented for `X`";
across an `.await` or as a "captured value". Facts: variable, type, `referent` / `not_sync`
(the type that is not `Sync`), declaration, await or capture line, bound, fn.
"""

from __future__ import annotations

import re

from borrowlens.analyses.diagnostics.model import Diagnostic
from borrowlens.analyses.explain import prose
from borrowlens.analyses.explain.model import Explanation
from borrowlens.analyses.families.base import Family, Match, Related
from borrowlens.analyses.families.send import analysis as send
from borrowlens.analyses.families.send import phrases
from borrowlens.analyses.families.send import source as reading
from borrowlens.analyses.rust.sources import Sources

# The struct a reference or an `Arc` points to: `&Stats`, `Arc<Stats>`, `&'a Stats`.
_POINTED = re.compile(r"^(?:&(?:'\w+\s+)?|(?:[\w:]*::)?Arc<)(?P<name>[A-Za-z_]\w*)")


def _shared_type(match: Match) -> str | None:
    """The type that fails to be `Sync` (`Cell<u32>`), or None."""
    return match.fact("not_sync") or match.fact("referent")


def _locate_field(match: Match, sources: Sources) -> None:
    """When the reference points to a struct, the field of it that is not `Sync`
    (`shared_field`, `shared_field_line`), which is what changes; `related` points at it."""
    shared, type_ = _shared_type(match), match.fact("type") or ""
    pointed = _POINTED.match(type_)
    if shared is None or pointed is None or shared.startswith(pointed.group("name") + "<") \
            or shared == pointed.group("name"):
        return
    wanted = re.compile(r"(?<![A-Za-z0-9_])" + re.escape(prose.short_type(shared, 9)))
    found = reading.struct_field(pointed.group("name"), wanted,
                                 [r.span.file for r in match.related], sources)
    if found is not None:
        match.facts.update(shared_field=found.name, shared_field_line=found.span.line_start)
        match.related.insert(0, Related(found.span, f"`{found.name}` is a `{found.type}`, "
                                        "not `Sync`: make it thread-safe"))


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
        match = send.build_match(self, diagnostic, info)
        _locate_field(match, sources)
        return match

    def explain(self, match: Match) -> Explanation:
        type_ = match.fact("type")
        line = match.fact("decl_line")
        shared = _shared_type(match)
        return prose.explanation(self.id, self.title, __name__, {
            **phrases.liveness(match), "capture_line": match.fact("capture_line"),
            "field": match.fact("shared_field"),
            "field_line": match.fact("shared_field_line"),
            "twin": phrases.thread_safe_type(shared) if shared else None,
            "short": prose.short_type(type_) if type_ else None,
            "name": phrases.culprit_name(match, "the reference"), "type": type_,
            "raw": (type_ or "").startswith(("*const ", "*mut ")),
            "shared": shared, "captured": match.fact("captured") == "true",
            "await_": phrases.await_phrase(match), "inside": phrases.inside_phrase(match),
            "declared": f", declared on line {line}" if line else "",
            "decl": phrases.decl_phrase(match),
            "future": phrases.future_phrase(match), "bound": phrases.bound_phrase(match),
        })


FAMILY = SyncCapturedByReference()
