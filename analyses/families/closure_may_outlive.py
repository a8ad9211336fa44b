"""E0373: a closure or async block borrows a local but may run after the function returns.

Closures and async blocks capture by reference unless told to `move`; when they are handed to
something that keeps them (`thread::spawn`, `tokio::spawn`) or are returned, the borrow would
dangle. The facts are the captured variable, the kind (closure / async block), its line, the
API that keeps it, and where the variable is used again afterwards (then it must be cloned
before the `move`).
"""

from __future__ import annotations

import re

from ..model import Diagnostic
from ..sources import Sources
from . import _borrow_common as common
from .base import Explanation, FactValue, Family, Link, Match, Related

_MESSAGE = re.compile(r"^(?P<kind>closure|async block|async closure|coroutine|generator) may "
                      r"outlive the current (?:function|method)?.*?borrows `(?P<var>[^`]+)`")


class ClosureMayOutlive(Family):
    id = "closure-may-outlive"
    title = "Closure may outlive the current function"
    codes = ("E0373",)

    def match(self, diagnostic: Diagnostic, sources: Sources) -> Match | None:
        found = _MESSAGE.search(diagnostic.message)
        if found is None and diagnostic.code != "E0373":
            return None
        facts: dict[str, FactValue] = {}
        related: list[Related] = []
        if found is not None:
            facts["variable"] = found.group("var")
            facts["kind"] = found.group("kind")
        else:
            named = diagnostic.find(r"borrows `([^`]+)`|borrowed value `([^`]+)`")
            if named:
                facts["variable"] = named.group(1) or named.group(2)
            facts["kind"] = "async block" if diagnostic.find(r"async block") else "closure"
        primary = diagnostic.primary
        if primary is not None:
            facts["closure_line"] = primary.line_start
            callee = common.call_around(primary, sources)
            if callee:
                facts["required_by"] = callee
        captured = common.secondary(diagnostic, r"`[^`]+` is borrowed here")
        if captured is not None:
            facts["capture_line"] = captured.line_start
            related.append(Related(captured, "captured by reference here"))
        if diagnostic.find(r"is returned here"):
            facts["returned"] = "yes"
        requirement = diagnostic.span_labelled(r"requires argument type to outlive")
        if requirement is not None and "required_by" not in facts:
            callee = common.call_at(requirement[0], sources)
            if callee:
                facts["required_by"] = callee
        variable = facts.get("variable")
        if primary is not None and isinstance(variable, str):
            later = common.uses_after(primary, sources, common.root_name(variable),
                                      "closure_expression", "async_block")
            if later is not None:
                facts["used_after_line"] = later
        return Match(family=self, diagnostic=diagnostic, facts=facts, related=related)

    def explain(self, match: Match) -> Explanation:
        variable = match.code("variable", "a local variable")
        name = match.fact("variable") or "value"
        kind = match.fact("kind") or "closure"
        line = match.line("closure_line")
        required = match.fact("required_by")
        later = match.fact("used_after_line")
        keyword = "async move { … }" if "async" in kind else "move || …"
        if required:
            holder = f"`{required}`, which may keep it running after this function returns"
        elif match.fact("returned"):
            holder = "the caller, because it is returned from the function"
        else:
            holder = "something that may keep it after this function returns"
        if later:
            change = (f"clone `{name}` before it and make the {kind} `move`, because "
                      f"{variable} is used again on line {later}")
            first = (
                f"{variable} is still used on line {later}, after the {kind}, so moving it "
                f"would just trade this error for \"use of moved value\". Give the {kind} "
                f"its own copy: write `let {name}_for_task = {name}.clone();` before it, "
                f"refer to `{name}_for_task` inside, and add `move` (`{keyword}`). "
                f"(If {variable} is `Copy`, such as an integer, `move` copies it and no clone "
                "is needed.)"
            )
        else:
            change = f"add `move` so the {kind} owns {variable}"
            first = (
                f"Add `move` (`{keyword}`), as rustc suggests: the {kind} then takes "
                f"ownership of {variable} (and every other variable it mentions) instead of "
                "borrowing it, so nothing it holds can dangle."
            )
        return Explanation(
            family=self.id,
            title=self.title,
            tldr=f"The {kind}{line} borrows {variable} but is handed to {holder}; {change}.",
            what=(
                f"The {kind}{line} uses {variable}, and by default it captures it by "
                f"reference. The {kind} itself is handed to {holder}, so the reference "
                f"inside could outlive {variable}, which is owned by the current function "
                "and dropped when it returns."
            ),
            why=(
                f"A {kind} captures each outside variable in the weakest way its body "
                "allows: by shared reference if it only reads it, by mutable reference if it "
                "changes it, by value only if it consumes it or is marked `move`. Reading "
                f"{variable} is enough for a borrow. A borrow carries the lifetime of this "
                "function's stack frame, but threads, spawned tasks and returned closures "
                "must be `'static` — they may run after the frame is gone.\n\n"
                + ("An async block does not run where it is written: it is a value that "
                   "runs later, when it is polled, which is why it counts as outliving the "
                   "function even when it looks inline." if "async" in kind else
                   "`move` changes only how variables are captured; the closure's body stays "
                   "the same. Copy types such as integers are copied in.")
            ),
            fix=(
                f"{first}\n\n"
                "For data several threads or tasks read or mutate, move an `Arc` clone into "
                "each (`Arc<Mutex<T>>` for mutation). With threads that are joined before "
                "the function returns, `std::thread::scope` lets the closure keep its "
                "borrow without `move`."
            ),
            rule=(
                "A closure or async block that leaves the current function — spawned, "
                "returned, stored — must own what it uses: make it `move`, cloning first "
                "whatever the function still needs afterwards."
            ),
            links=(
                Link("Error index: E0373", "https://doc.rust-lang.org/error_codes/E0373.html"),
                Link("The Rust Book: capturing with move closures",
                     "https://doc.rust-lang.org/book/ch16-01-threads.html"
                     "#using-move-closures-with-threads"),
                Link("std::thread::scope", "https://doc.rust-lang.org/std/thread/fn.scope.html"),
            ),
        )


FAMILY = ClosureMayOutlive()
