"""A future is not `Send` because an `Rc` (or `rc::Weak`) is alive across an `.await`.

rustc: "future cannot be sent between threads safely" with "has type `Rc<…>` which is not
`Send`" (or a struct holding one) and "await occurs here, with `x` maybe used later"; or, for
a spawned async block, "captured value is not `Send`". Facts: the variable, its type, where it
is declared, the await, the bound that asked for `Send` and the function whose future it is;
from the source, the struct field that holds the `Rc` (`rc_field`), a field of the shared data
that an `Arc` alone would not make thread-safe (`unsync_field`), and the `Rc` it is cloned from
(`cloned_from`).
"""

from __future__ import annotations

import re
from typing import ClassVar

from borrowlens.analyses.diagnostics.model import Diagnostic
from borrowlens.analyses.explain import prose
from borrowlens.analyses.explain.model import Explanation
from borrowlens.analyses.explain.prose import a_type
from borrowlens.analyses.families.base import Family, Match, Related
from borrowlens.analyses.families.send import analysis as send
from borrowlens.analyses.families.send import phrases, rewrites
from borrowlens.analyses.families.send import source as reading
from borrowlens.analyses.fixes.edits import Fix
from borrowlens.analyses.rust.sources import Sources

_WEAK = re.compile(r"^&?(?:(?:std|alloc)::)?(?:rc::)?Weak<")
_RC_TYPE = re.compile(r"(?<![A-Za-z0-9_])(?:Rc|Weak)<")
# `Rc<T>` / `Weak<T>` / `Rc<RefCell<T>>`: the data `T` an `Arc` would share.
_POINTEE = re.compile(r"(?<![A-Za-z0-9_])(?:Rc|Weak)<(?P<cell>(?:[\w:]*::)?(?:RefCell|Cell)<)?"
                      r"(?P<data>[A-Za-z_][\w:]*)")
_NOT_SYNC_FIELD = re.compile(r"(?<![A-Za-z0-9_])(?:Cell|RefCell|UnsafeCell|OnceCell|Rc|Receiver)<"
                             r"|\*\s*(?:const|mut)\b")
_CLONE_OF = re.compile(r"(?:Rc|Arc)::clone\(\s*&\s*(?P<a>[A-Za-z_]\w*)\s*\)"
                       r"|(?P<b>[A-Za-z_]\w*)\.clone\(\)")
_NOT_SEND_FIELD = re.compile(r"(?<![A-Za-z0-9_])Rc<|\*\s*(?:const|mut)\b")


def _locate_fields(match: Match, sources: Sources) -> None:
    """The struct fields the change touches, from the source: the `Rc` field of a struct
    the culprit is (`rc_field`), and a field of the pointee that an `Arc` would still not
    make thread-safe (`unsync_field`: `Arc<T>` is `Send` only when `T` is `Send + Sync`)."""
    type_ = match.fact("type") or ""
    inner = match.fact("inner_type")
    files = [r.span.file for r in match.related]
    if inner and inner != type_ and not _RC_TYPE.search(type_):
        found = reading.struct_field(type_, _RC_TYPE, files, sources)
        if found is not None:
            match.facts.update(rc_field=found.name, rc_field_type=found.type,
                               rc_field_line=found.span.line_start)
            match.related.insert(0, Related(found.span, f"`{found.name}` holds the "
                                            f"`{_short(found.type)}`: make it an `Arc`"))
    variable, line = match.fact("variable"), match.fact("decl_line")
    declared = next((r.span for r in match.related if str(r.span.line_start) == line), None)
    text = reading.line_text(declared, sources) if declared is not None else None
    cloned = _CLONE_OF.search(text or "")
    if variable and declared is not None and cloned is not None:
        origin = cloned.group("a") or cloned.group("b")
        origin_line = reading.declaration_line(origin, declared, sources)
        if origin != variable and origin_line is not None and origin_line < declared.line_start:
            match.facts.update(cloned_from=origin, cloned_from_line=origin_line)
    rc_type = inner if inner and _RC_TYPE.search(inner) else type_
    pointee = _POINTEE.search(rc_type)
    if pointee is None:
        return
    # A `RefCell` inside becomes a `Mutex`, which asks its content for `Send` only.
    unsafe = _NOT_SEND_FIELD if pointee.group("cell") else _NOT_SYNC_FIELD
    found = reading.struct_field(pointee.group("data"), unsafe, files, sources)
    if found is not None:
        match.facts.update(unsync_field=found.name, unsync_field_type=found.type,
                           unsync_field_line=found.span.line_start)
        match.related.append(Related(found.span, f"`{found.name}` (`{_short(found.type)}`) "
                                     "is not thread-safe: an `Arc` alone would not do"))


def _short(type_: str) -> str:
    """The type shortened; an `rc::Weak` and a `sync::Weak` keep their module, which is the
    whole difference between them."""
    short = prose.short_type(type_)
    if short.startswith("Weak<"):
        module = "sync" if type_.startswith("std::sync::") else "rc"
        return f"{module}::{short}"
    return short


def _twin(type_: str) -> str:
    """What a field of shared data that is not thread-safe becomes."""
    if re.match(r"(?:[\w:]*::)?Cell<(?:[iu](?:8|16|32|64|size)|bool)>", type_):
        return "an atomic"
    if re.match(r"(?:[\w:]*::)?Rc<", type_):
        return "an `Arc`"
    if re.match(r"(?:[\w:]*::)?(?:RefCell|Cell)<", type_):
        return "a `Mutex`"
    return "a thread-safe type"


class SendRcAcrossAwait(Family):
    id = "send-rc-across-await"
    title = "Rc held across an await in a Send future"
    codes = ()
    notes = send.NOTES
    refines = ("future-not-send",)
    fix_docs: ClassVar[dict[str, str]] = {
        "rc-to-arc": "the `Rc` the error names, the values it flows into (clones, "
            "`Rc::downgrade`/`Weak`, parameters, struct fields) and their `use` lines become "
            "`Arc`; a `RefCell` inside becomes `Mutex` when every `.borrow()`/`.borrow_mut()` is "
            "in view",
        "scope-before-await": "when the `Rc` is not used after the await, the statements from "
            "its `let` to its last use go into a block that ends before the await, carrying "
            "owned results out",
    }
    # Where this family offers no fix, the explanation lays out a design decision.
    no_fix_reason = (
        "the `Rc` is shared between the task and code outside it: switching that owner "
        "to `Arc` changes every place that builds or clones it")

    def match(self, diagnostic: Diagnostic, sources: Sources) -> Match | None:
        info = send.analyse(diagnostic, sources)
        if info is None or info.kind != send.RC:
            return None
        match = send.build_match(self, diagnostic, info)
        _locate_fields(match, sources)
        return match

    def explain(self, match: Match) -> Explanation:
        name = phrases.culprit_name(match)
        type_ = match.fact("type")
        inner = match.fact("inner_type")
        rc_type = inner if inner and ("Rc<" in inner or "Weak<" in inner) else type_
        wraps = bool(type_ and inner and inner != type_)
        if type_ and wraps:
            is_a = f"{name} is {a_type(type_)}, which holds {a_type(str(inner))}"
        elif type_:
            is_a = f"{name} is {a_type(type_)}"
        else:
            is_a = f"{name} is (or contains) an `Rc`"
        thread_safe = phrases.thread_safe_type(rc_type) if rc_type and (
            "Rc<" in rc_type or "Weak<" in rc_type) else None
        weak = _WEAK.match(rc_type or "") is not None
        pointer = "an `rc::Weak`" if weak else "an `Rc`"
        field = match.fact("rc_field")
        unsync = match.fact("unsync_field")
        pointee = _POINTEE.search(rc_type or "")
        return prose.explanation(self.id, self.title, __name__, {
            **phrases.liveness(match), "name": name, "is_a": is_a,
            "decl": phrases.decl_phrase(match),
            "await_": phrases.await_phrase(match), "inside": phrases.inside_phrase(match),
            "holder": (f"{name} (which holds {a_type(str(inner))})" if wraps
                       else f"{name} ({pointer})"),
            "arc": f"`{thread_safe}`" if thread_safe else "an `Arc`",
            "arc_type": thread_safe,
            "arc_short": _short(thread_safe) if thread_safe else None,
            "short": _short(type_) if type_ else None,
            "rc_short": _short(rc_type) if rc_type else None,
            "weak": weak, "captured": match.fact("captured") == "true",
            "pointer": pointer, "wraps": wraps,
            "change": (f"the `{field}` field of `{_short(str(type_))}`" if field
                       else f"the `{inner}` inside `{type_}`" if wraps else f"{name} itself"),
            "change_line": match.fact("rc_field_line") if wraps else match.fact("decl_line"),
            "future": phrases.future_phrase(match), "bound": phrases.bound_phrase(match),
            "capture_line": match.fact("capture_line"),
            "field": field, "field_line": match.fact("rc_field_line"),
            "unsync": unsync, "unsync_type": match.fact("unsync_field_type"),
            "unsync_line": match.fact("unsync_field_line"),
            "twin": _twin(match.fact("unsync_field_type") or ""),
            "cloned_from": match.fact("cloned_from"),
            "cloned_from_line": match.fact("cloned_from_line"),
            "data": pointee.group("data") if pointee else None,
            "cell": bool(pointee and pointee.group("cell")),
        })

    def fixes(self, match: Match, sources: Sources) -> list[Fix]:
        """`rc-to-arc`: the culprit and every value it is cloned from or into become `Arc`
        (an inner `RefCell` a `Mutex`), with their `use` lines; nothing when any use of
        those values is not understood. `scope-before-await` (second): when the `Rc` is not
        used after the await, its statements go into a block that ends before it."""
        return rewrites.rc_fixes(match, sources) + rewrites.scope_fix(match, sources)


FAMILY = SendRcAcrossAwait()
