"""A future is not `Send` because an `Rc` (or `rc::Weak`) is alive across an `.await`.

rustc: "future cannot be sent between threads safely" with "has type `Rc<…>` which is not
`Send`" (or a struct holding one) and "await occurs here, with `x` maybe used later"; or, for
a spawned async block, "captured value is not `Send`". Facts: the variable, its type, where it
is declared, the await, the bound that asked for `Send` and the function whose future it is.
"""

from __future__ import annotations

import re
from typing import ClassVar

from borrowlens.analyses.diagnostics.model import Diagnostic
from borrowlens.analyses.explain import prose
from borrowlens.analyses.explain.model import Explanation
from borrowlens.analyses.explain.prose import a_type
from borrowlens.analyses.families.base import Family, Match
from borrowlens.analyses.families.send import analysis as send
from borrowlens.analyses.families.send import rewrites
from borrowlens.analyses.fixes.edits import Fix
from borrowlens.analyses.rust.sources import Sources

_WEAK = re.compile(r"^&?(?:(?:std|alloc)::)?(?:rc::)?Weak<")


def _thread_safe(type_: str) -> str:
    """The `Arc` spelling of an `Rc` type: `Rc<RefCell<T>>` becomes `Arc<Mutex<T>>`."""
    out = re.sub(r"(?:(?:std|alloc)::rc::)?Rc<(?:(?:std|core)::cell::)?(?:RefCell|Cell)<",
                 "Arc<Mutex<", type_)
    out = re.sub(r"(?:(?:std|alloc)::rc::)?Rc<", "Arc<", out)
    return re.sub(r"(?:(?:std|alloc)::)?rc::Weak<|^Weak<", "std::sync::Weak<", out)


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
    }
    # Where this family offers no fix, the explanation lays out a design decision.
    no_fix_reason = (
        "the `Rc` is shared between the task and code outside it: switching that owner "
        "to `Arc` changes every place that builds or clones it")

    def match(self, diagnostic: Diagnostic, sources: Sources) -> Match | None:
        info = send.analyse(diagnostic, sources)
        if info is None or info.kind != send.RC:
            return None
        return send.build_match(self, diagnostic, info)

    def explain(self, match: Match) -> Explanation:
        name = send.culprit_name(match)
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
        arc = f"`{_thread_safe(rc_type)}`" if rc_type and ("Rc<" in rc_type
                                                          or "Weak<" in rc_type) else "an `Arc`"
        weak = _WEAK.match(rc_type or "") is not None
        pointer = "an `rc::Weak`" if weak else "an `Rc`"
        return prose.explanation(self.id, self.title, __name__, {
            "name": name, "is_a": is_a, "decl": send.decl_phrase(match),
            "await_": send.await_phrase(match), "inside": send.inside_phrase(match),
            "holder": (f"{name} (which holds {a_type(str(inner))})" if wraps
                       else f"{name} ({pointer})"),
            "arc": arc, "weak": weak, "captured": match.fact("captured") == "true",
            "pointer": pointer,
            "change": f"the `{inner}` inside `{type_}`" if wraps else f"{name} itself",
            "decl_line": match.fact("decl_line"), "future": send.future_phrase(match),
            "bound": send.bound_phrase(match),
        })

    def fixes(self, match: Match, sources: Sources) -> list[Fix]:
        """`rc-to-arc`: the culprit and every value it is cloned from or into become `Arc`
        (an inner `RefCell` a `Mutex`), with their `use` lines; nothing when any use of
        those values is not understood."""
        return rewrites.rc_fixes(match, sources)


FAMILY = SendRcAcrossAwait()
