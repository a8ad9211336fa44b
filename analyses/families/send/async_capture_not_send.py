"""E0277 "`Rc<…>` cannot be sent between threads safely" / "`RefCell<…>` cannot be shared
between threads safely" where what must be `Send` is a future, not a closure handed to a
thread: an `async` block, an `async fn` body or an `async` closure's body uses the value, and
something (`tokio::spawn`, a hand-written `F: Future + Send` bound, an `assert_send`) requires
that future to be `Send`.

rustc says so with "required because it's used within this `async` block" (one note per
nested async body, innermost first) instead of "future cannot be sent", typically when the
value is captured rather than held across an `.await`: a field captured on its own (Rust 2021
disjoint captures), an inner block borrowing a local, an async closure whose future borrows
what the closure owns. Facts: `type`, `trait` (Send/Sync), `via` (`&RefCell<…>` when a borrow
carries it), `spawn` (the bound that asked), `async_kind` ("block", "fn body", "closure
body"), `async_line` (the innermost body), `outer_line` (the outermost, when nested),
`variable` (the capture, found in the innermost body), `decl_line` (for a field `x.f`,
`holder` and `holder_line`: where `x` is declared).
"""

from __future__ import annotations

import re
from typing import ClassVar

from borrowlens.analyses.diagnostics.model import Diagnostic, Span
from borrowlens.analyses.explain import prose
from borrowlens.analyses.explain.model import Explanation
from borrowlens.analyses.families.base import FactValue, Family, Match, Related
from borrowlens.analyses.families.send import phrases
from borrowlens.analyses.families.traits import analysis as common
from borrowlens.analyses.families.traits import captures
from borrowlens.analyses.families.traits.thread_spawn_not_send import (
    MESSAGE,
    NOT_IMPL,
    VIA,
    thread_safe_twin,
    type_head,
)
from borrowlens.analyses.fixes.edits import Fix
from borrowlens.analyses.fixes.rc_to_arc import offers as rc_offers
from borrowlens.analyses.rust import locate, syntax
from borrowlens.analyses.rust.sources import Sources

_WITHIN = re.compile(r"required because it's used within this `async` "
                     r"(?P<kind>block|fn body|closure body)")
_PLAIN_CLOSURE = re.compile(r"required because it's used within this closure")
_BOUND = re.compile(r"required by a bound in `(?P<path>[^`]+)`")
_ASYNC_NODES = ("async_block", "closure_expression", "function_item")


def _async_bodies(diagnostic: Diagnostic) -> list[tuple[Span, str]]:
    """The async bodies rustc names, innermost first, with their kind."""
    return [(span, found.group("kind")) for span, found in diagnostic.find_all(_WITHIN)
            if span is not None]


class AsyncCaptureNotSend(Family):
    id = "async-capture-not-send"
    title = "An async body uses a value that is not Send"
    codes = ("E0277",)
    messages = (MESSAGE.pattern,)
    refines = ("thread-spawn-not-send",)
    fix_docs: ClassVar[dict[str, str]] = {
        "rc-to-arc": "the `Rc` the async body uses becomes `Arc` (`Rc<RefCell<T>>` becomes "
            "`Arc<Mutex<T>>`), with the values it flows into and their `use` lines",
        "rc-to-arc-rwlock": "`Rc<RefCell<T>>` becomes `Arc<RwLock<T>>` instead",
        "refcell-to-mutex": "a `RefCell` the async body borrows becomes a `Mutex`",
        "refcell-to-rwlock": "the same with an `RwLock`",
    }
    no_fix_reason = (
        "the value is not `Send` by design (a `Cell`, a raw pointer, a type of another "
        "crate), or an async closure's future also borrows the closure: a thread-safe "
        "replacement, how the closure is called, or keeping the task on one thread is the "
        "user's choice")

    def match(self, diagnostic: Diagnostic, sources: Sources) -> Match | None:
        if diagnostic.code not in (None, "E0277"):
            return None
        head = MESSAGE.match(diagnostic.message)
        bodies = _async_bodies(diagnostic)
        if head is None or not bodies or diagnostic.find(_PLAIN_CLOSURE) is not None:
            return None
        type_text = head.group("type")
        if "Future" in type_text or "{async" in type_text:
            return None  # the future itself: the async families' business
        not_impl = diagnostic.find(NOT_IMPL)
        facts: dict[str, FactValue] = {
            "type": type_text,
            "trait": not_impl.group("trait") if not_impl else (
                "Send" if head.group("how") == "sent" else "Sync"),
            "async_kind": bodies[0][1], "async_line": bodies[0][0].line_start,
        }
        if len(bodies) > 1:
            facts["outer_line"] = bodies[-1][0].line_start
        bound = diagnostic.find(_BOUND)
        if bound:
            facts["spawn"] = bound.group("path")
        via = diagnostic.find(VIA)
        if via and via.group("via") != type_text:
            facts["via"] = via.group("via")
        related = [Related(bodies[0][0], f"this `async` {bodies[0][1]} uses "
                           f"{prose.a_type(prose.short_type(type_text))}, so its future is "
                           "not `Send`")]
        related += [Related(span, f"this `async` {kind} holds the one above, so it is not "
                            "`Send` either") for span, kind in bodies[1:]]
        found = locate.at(bodies[0][0], sources)
        node = syntax.enclosing(found.node, *_ASYNC_NODES) if found is not None else None
        if found is not None and node is not None and node.type != "function_item":
            resolver = captures.Resolver(found.parsed, captures.head_pattern(
                [type_head(type_text)]))
            variable = resolver.captured(node)
            if variable:
                facts["variable"] = variable
                origin = resolver.origin(variable, node)
                line = origin.get("decl_line")
                if isinstance(line, int):
                    # `x.field` is declared where `x` is: that line is `x`'s, not the field's.
                    holder = variable.split(".", 1)[0]
                    if holder != variable:
                        facts.update(holder=holder, holder_line=line)
                    else:
                        facts["decl_line"] = line
                    related.insert(0, Related(Span(bodies[0][0].file, line, 1, line, 2),
                                              f"`{holder}` is declared here"))
        return Match(family=self, diagnostic=diagnostic, facts=facts, related=related)

    def explain(self, match: Match) -> Explanation:
        type_text, via = match.fact("type"), match.fact("via")
        head = type_head(type_text) if type_text else ""
        twin = thread_safe_twin(type_text, via)[1]
        variable = match.fact("variable")
        return prose.explanation(self.id, self.title, __name__, {
            "name": f"`{variable}`" if variable else None, "type": type_text,
            "short": prose.short_type(type_text) if type_text else None,
            "trait": match.fact("trait") or "Send", "via": via,
            "borrowed": bool(via and via.startswith("&")), "head": head,
            "kind": match.fact("async_kind"), "async_line": match.fact("async_line"),
            "outer_line": match.fact("outer_line"),
            "decl_line": match.fact("decl_line") or match.fact("holder_line"),
            "twin": twin, "twin_short": prose.short_type(twin) if twin else None,
            "bound": phrases.bound_phrase(match), "spawn": match.fact("spawn"),
            "spawned": phrases.spawned(match),
            "pointer": head.startswith("*") or head == "NonNull",
            "field": bool(variable and "." in variable),
            "declared": f"`{variable.split('.', 1)[0]}`" if variable else None,
        })

    def fixes(self, match: Match, sources: Sources) -> list[Fix]:
        """`Rc` → `Arc`, and a `RefCell` → `Mutex`/`RwLock`, for the value the innermost
        async block or async closure uses (the rewrites thread-spawn-not-send offers for a
        closure). Nothing for `Cell`, pointers, or an `async fn` body; nothing for an async
        closure either: its future borrows the closure, so a `'static` bound still fails
        after the swap until the call is wrapped in an `async move` block that owns it."""
        if match.diagnostic is None or match.fact("async_kind") != "block":
            return []
        variable, type_text = match.fact("variable"), match.fact("type")
        line = match.fact("async_line")
        place = common.user_place(match.diagnostic, sources)
        if place is None or not variable or not type_text or line is None:
            return []
        return rc_offers.thread_fixes(sources, path=place.file, line=int(line),
                                      variable=variable, type_text=type_text,
                                      via=match.fact("via"))


FAMILY = AsyncCaptureNotSend()
