"""E0515: a function returns a reference (or a value holding one) into data it owns itself —
a local, a temporary or a by-value parameter — which is dropped as the function returns.

The facts are the local, what kind of local it is, the function and its declared return type
(from which the owned return type is suggested).
"""

from __future__ import annotations

import re

from borrowlens.analyses.diagnostics.model import Diagnostic, Span
from borrowlens.analyses.explain.model import Explanation, Link
from borrowlens.analyses.families.base import FactValue, Family, Match, Related
from borrowlens.analyses.families.borrows import analysis as common
from borrowlens.analyses.rust import locate, printed
from borrowlens.analyses.rust.sources import Sources

_MESSAGE = re.compile(r"cannot return (?:a )?(?P<how>reference to|value referencing) "
                      r"(?P<kind>local variable|local data|local binding|temporary value|"
                      r"function parameter|[\w ]+?)(?: `(?P<var>[^`]+)`|$)")

_OWNED = (
    (re.compile(r"&\s*(?:'\w+\s+)?(?:mut\s+)?str\b"), "String"),
    (re.compile(r"&\s*(?:'\w+\s+)?(?:mut\s+)?\[([^\]]+)\]"), r"Vec<\1>"),
    (re.compile(r"&\s*(?:'\w+\s+)?(?:mut\s+)?Path\b"), "PathBuf"),
    (re.compile(r"&\s*(?:'\w+\s+)?(?:mut\s+)?OsStr\b"), "OsString"),
    (re.compile(r"&\s*(?:'\w+\s+)?(?:mut\s+)?CStr\b"), "CString"),
    (re.compile(r"&\s*(?:'\w+\s+)?(?:mut\s+)?(?=[A-Za-z_])"), ""),
)


def owned_type(borrowed: str) -> str | None:
    """`&str` -> `String`, `Vec<&'a str>` -> `Vec<String>`, `&[u8]` -> `Vec<u8>`."""
    result = borrowed
    for pattern, replacement in _OWNED:
        result = pattern.sub(replacement, result)
    result = re.sub(r"<'\w+>|'\w+,\s*", "", result)
    return result if result != borrowed else None


def _return_type(span: Span, sources: Sources) -> str | None:
    found = locate.at(span, sources)
    function = locate.enclosing_function(found.node) if found else None
    returned = function.child_by_field_name("return_type") if function else None
    return re.sub(r"\s+", " ", found.text(returned)) if found and returned else None


class ReturnRefToLocal(Family):
    id = "return-ref-to-local"
    title = "Returning a reference to a local"
    codes = ("E0515",)

    def match(self, diagnostic: Diagnostic, sources: Sources) -> Match | None:
        found = _MESSAGE.search(diagnostic.message)
        if found is None and diagnostic.code != "E0515":
            return None
        facts: dict[str, FactValue] = {}
        related: list[Related] = []
        if found is not None:
            facts["source_kind"] = found.group("kind")
            facts["returns"] = "reference" if found.group("how") == "reference to" else "value"
            if found.group("var"):
                facts["variable"] = printed.strip_derefs(found.group("var"))
        borrowed = common.labelled(diagnostic, r"`([^`]+)` is borrowed here")
        if borrowed is not None:
            related.append(Related(borrowed[0], "the returned value borrows from this"))
            facts.setdefault("variable", printed.strip_derefs(borrowed[1].group(1)))
        primary = diagnostic.primary
        if primary is not None:
            facts["line"] = primary.line_start
            function = locate.function_name_at(primary, sources)
            if function:
                facts["function"] = function
            returned = _return_type(primary, sources)
            if returned:
                facts["return_type"] = returned
                owned = owned_type(returned)
                if owned:
                    facts["owned_type"] = owned
        return Match(family=self, diagnostic=diagnostic, facts=facts, related=related)

    def explain(self, match: Match) -> Explanation:
        kind = match.fact("source_kind") or "local variable"
        variable = match.code("variable", f"a {kind}")
        function = match.code("function", "the function")
        line = match.line("line")
        returned = match.fact("return_type")
        owned = match.fact("owned_type")
        declared = f" (declared `-> {returned}`)" if returned else ""
        change = (f"return `{owned}` instead of `{returned}`" if owned and returned else
                  "return the owned value instead of a reference")
        parameter = kind == "function parameter"
        owner = ("a parameter taken by value, so it belongs to the function and is dropped "
                 "when it returns" if parameter else
                 "a temporary, dropped at the end of its statement" if "temporary" in kind
                 else "owned by the function and dropped when it returns")
        return Explanation(
            family=self.id,
            title=self.title,
            tldr=common.sentence(
                f"{function} returns a borrow of {variable}, which it owns and drops on "
                  f"return; {change}."),
            what=common.sentence(
                f"{function}{declared} hands back{line} a value that points into "
                f"{variable}. {common.sentence(variable)} is {owner}, so the returned "
                "reference would dangle the moment the caller received it."
            ),
            why=(
                "A returned reference must borrow from something that outlives the call — "
                "and the only such things are the inputs the caller lent (reference "
                "parameters, `&self`) or `'static` data. Lifetime elision ties the output "
                "lifetime to an input; nothing the function creates or owns itself can be "
                "borrowed past its end. Collecting `&str` pieces of a local `String` "
                "(`split`, `trim`, `lines`) returns borrows of that local just the same.\n\n"
                "There is no annotation that fixes this: a lifetime parameter only "
                "describes which existing value a reference borrows, it cannot extend a "
                "value's life."
            ),
            fix=(
                f"Return owned data: {change}"
                + (f" and give the caller {variable} itself (or owned copies of its pieces, "
                   "e.g. `.map(str::to_owned)` / `.to_string()` before `collect`)."
                   if match.fact("variable") else ".")
                + "\n\n"
                + ("Or borrow the parameter instead of taking it by value: change it to a "
                   "reference (`&str`, `&[T]`) so the returned pieces borrow the caller's "
                   "data."
                   if parameter else
                   "Or take an input to borrow from: let the caller pass the buffer in "
                   "(`fn f<'a>(input: &'a str) -> &'a str`, or `buf: &'a mut String` that "
                   "the function fills), so the result borrows data the caller owns.")
                + " If the result is sometimes borrowed and sometimes built, `Cow<'a, str>` "
                "covers both."
            ),
            rule=(
                "A function can only return references into what it was given. Anything it "
                "creates, it must return by value — `String`, `Vec<T>`, `PathBuf` — moving "
                "ownership to the caller."
            ),
            links=(
                Link("Error index: E0515", "https://doc.rust-lang.org/error_codes/E0515.html"),
                Link("The Rust Book: dangling references",
                     "https://doc.rust-lang.org/book/ch04-02-references-and-borrowing.html"
                     "#dangling-references"),
                Link("std::borrow::Cow", "https://doc.rust-lang.org/std/borrow/enum.Cow.html"),
            ),
        )


FAMILY = ReturnRefToLocal()
