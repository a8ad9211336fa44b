"""The general non-`Send` future: any other value alive across an `.await` (`Box<dyn Error>`,
`Box<dyn Trait>` without `+ Send`, a struct holding one, a crate's `!Send` type), or an await
on another future that is not `Send`.

This is the fallback for "future cannot be sent between threads safely" when no more specific
family (Rc, RefCell/Mutex guards, non-`Sync` references, async fn in traits) claims it. Facts:
variable or `awaited` expression, type, `inner_type` (what rustc says lacks `Send`),
declaration and await lines, the bound and the fn; from the source, where the trait object
without `+ Send` is written (`dyn_line`, `dyn_field`).
"""

from __future__ import annotations

import re
from typing import ClassVar

from borrowlens.analyses.diagnostics.model import Diagnostic, Span
from borrowlens.analyses.explain import prose
from borrowlens.analyses.explain.model import Explanation
from borrowlens.analyses.families.base import Family, Match, Related
from borrowlens.analyses.families.send import analysis as send
from borrowlens.analyses.families.send import phrases, rewrites
from borrowlens.analyses.families.send import source as reading
from borrowlens.analyses.fixes.edits import Fix
from borrowlens.analyses.rust.sources import Sources


def _dyn_trait(inner: str | None) -> str | None:
    """`Notifier` for a trait object `dyn Notifier` that lacks `Send`, else None."""
    found = re.search(r"dyn ([A-Za-z_][\w:]*(?:<.*>)?)", inner) if inner else None
    return found.group(1) if found else None


def _written_dyn(trait: str) -> re.Pattern[str]:
    """`dyn Trait` as the source may write it (with or without its path and generic
    arguments), not already followed by a `+ Send` bound."""
    return re.compile(rf"\bdyn\s+(?:[\w:]*::)?{re.escape(_bare(trait))}\b"
                      r"(?![^,;=)]*\+\s*Send)")


def _locate_dyn(match: Match, sources: Sources) -> None:
    """Where the trait object without `+ Send` is written: on the culprit's own line (a `let`
    with a type), in a field of the struct it is, or anywhere in its file (a type alias of a
    boxed future). Sets `dyn_line` (and `dyn_field`) and points `related` at it."""
    trait = _dyn_trait(match.fact("inner_type")) or _dyn_trait(match.fact("type"))
    if trait is None:
        return
    wanted = _written_dyn(trait)
    files = [r.span.file for r in match.related if sources.text(r.span.file) is not None]
    line = match.fact("decl_line")
    declared = next((r.span for r in match.related if str(r.span.line_start) == line), None)
    text = reading.line_text(declared, sources) if declared is not None else None
    on_line = wanted.search(text) if declared is not None and text is not None else None
    if declared is not None and on_line is not None:
        match.facts["dyn_line"] = declared.line_start
        span = Span(declared.file, declared.line_start, on_line.start() + 1,
                    declared.line_start, on_line.end() + 1)
    else:
        field = reading.struct_field(match.fact("type") or "", wanted, files, sources)
        found = field.span if field is not None else _first_in(wanted, files, sources)
        if found is None:
            return
        if field is not None:
            match.facts["dyn_field"] = field.name
        match.facts["dyn_line"] = found.line_start
        span = found
    match.related.insert(0, Related(span, f"`dyn {_bare(trait)}` does not promise `Send`: "
                                    "add `+ Send` here"))


def _bare(trait: str) -> str:
    """`std::error::Error` -> `Error`; `Future<Output = T>` -> `Future`."""
    return re.sub(r"<.*", "", trait).rsplit("::", 1)[-1]


def _first_in(wanted: re.Pattern[str], files: list[str], sources: Sources) -> Span | None:
    for file in dict.fromkeys(files):
        text = sources.text(file) or ""
        for number, line in enumerate(text.split("\n"), 1):
            found = wanted.search(line)
            if found:
                return Span(file, number, found.start() + 1, number, found.end() + 1)
    return None


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
        match = send.build_match(self, diagnostic, info)
        _locate_dyn(match, sources)
        return match

    def explain(self, match: Match) -> Explanation:
        type_ = match.fact("type")
        inner = match.fact("inner_type")
        awaits = bool(match.fact("awaited")) or (
            not match.fact("variable") and "Future" in (type_ or "")
            and not match.fact("expression"))
        dyn_trait = _dyn_trait(inner) or _dyn_trait(type_)
        return prose.explanation(self.id, self.title, __name__, {
            **phrases.liveness(match), "dyn_line": match.fact("dyn_line"),
            "dyn_field": match.fact("dyn_field"),
            "dyn_bare": _bare(dyn_trait) if dyn_trait else None,
            "short": prose.short_type(type_, 2) if type_ else None,
            "inner_short": prose.short_type(inner, 2) if inner else None,
            "named": bool(match.fact("variable") or match.fact("expression")),
            "awaits": awaits, "name": phrases.culprit_name(match), "type": type_,
            "inner": inner if inner != type_ else None,
            "dyn_trait": dyn_trait,
            "captured": match.fact("captured") == "true",
            "awaited": match.code("awaited", "the awaited future"),
            "await_": phrases.await_phrase(match), "decl": phrases.decl_phrase(match),
            "place": phrases.place_phrase(match), "inside": phrases.inside_phrase(match),
            "future": phrases.future_phrase(match), "bound": phrases.bound_phrase(match),
        })

    def fixes(self, match: Match, sources: Sources) -> list[Fix]:
        """Only the mechanical case: an `Rc`/`rc::Weak` culprit (or a struct field holding
        one) gets `rc-to-arc`. Trait objects, errors and awaited futures get no edit: the
        right change is a design choice the explanation lays out."""
        if match.fact("awaited"):
            return []
        return rewrites.rc_fixes(match, sources)


FAMILY = FutureNotSend()
