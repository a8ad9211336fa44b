"""Edition 2024: a borrow error at a call whose `impl Trait` result captures too much.

In Rust 2024 a return-position `impl Trait` captures every lifetime in scope, so a function
like `fn ids(&self) -> impl Iterator<Item = u64>` keeps `self` borrowed for as long as the
iterator lives, even when the iterator owns its data. The caller then gets an ordinary borrow
error (E0499, E0502, E0505, E0506, E0597, E0716…) with rustc's note that the call "may capture
more lifetimes than intended". Facts: the function returning `impl Trait`, the borrowed
variable, the value holding the result, and the `use<…>` bound rustc proposes.
"""

from __future__ import annotations

import re

from ..model import Diagnostic
from ..sources import Sources
from . import _lifetime_common as common
from .base import Explanation, FactValue, Family, Link, Match, Related

_NOTE = re.compile(r"may capture more lifetimes than intended|adjusted the `impl Trait` lifetime "
                   r"capture rules")
_HELP = r"precise capturing|make the captures explicit"
_SUBJECT = re.compile(r"`(?P<name>[^`]+)`")


class RpitOvercapture2024(Family):
    id = "rpit-overcapture-2024"
    title = "Rust 2024 impl Trait captures a borrow"
    codes = ("E0499", "E0502", "E0505", "E0506", "E0597", "E0716", "E0503", "E0713")
    priority = 30

    def match(self, diagnostic: Diagnostic, sources: Sources) -> Match | None:
        if diagnostic.find(_NOTE) is None:
            return None
        facts: dict[str, FactValue] = {}
        related: list[Related] = []

        subject = _SUBJECT.search(diagnostic.message)
        if subject is not None:
            facts["variable"] = common.strip_derefs(subject.group("name"))
        elif "temporary value" in diagnostic.message:
            facts["variable"] = "the temporary"

        call = common.help_span(diagnostic, _NOTE.pattern)
        if call is not None:
            facts["call_line"] = call.line_start
            related.append(Related(call, "the value returned here keeps the borrow alive"))
            located = common.locate(call, sources)
            if located is not None:
                name = common.callee(located.node, located)
                if name:
                    facts["function"] = name
                holder = common.binding_of(located.node, located)
                if holder:
                    facts["holder"] = holder
            elif call.text:
                text = call.text[0][call.column_start - 1:]
                names = re.findall(r"([A-Za-z_]\w*)\s*(?:::<[^>]*>)?\s*\(", text)
                if names:
                    facts["function"] = names[0]

        hint = common.suggestion(diagnostic, _HELP)
        if hint is not None:
            replacement = hint[1].strip().lstrip("+").strip()
            if replacement.startswith("use<"):
                facts["use_bound"] = replacement
            elif replacement:
                facts["use_bound"] = f"use<{replacement}>"
            facts["signature_line"] = hint[0].line_start
            related.append(Related(hint[0], "add the precise `use<…>` capture list here"))
            if "function" not in facts:
                name = common.function_name(hint[0], sources)
                if name:
                    facts["function"] = name
        if diagnostic.code:
            facts["code"] = diagnostic.code
        return Match(family=self, diagnostic=diagnostic, facts=facts, related=related)

    def explain(self, match: Match) -> Explanation:
        function = match.code("function", "the called function")
        variable = match.fact("variable")
        var = (variable if variable == "the temporary"
               else f"`{variable}`" if variable else "the borrowed value")
        holder = match.code("holder", "the returned value")
        call_line = match.line("call_line")
        use_bound = match.fact("use_bound") or "use<>"
        sig_line = match.line("signature_line")
        return Explanation(
            family=self.id,
            title=self.title,
            tldr=(f"In Rust 2024 the `impl Trait` result of {function}{call_line} is assumed to "
                  f"borrow {var} for as long as {holder} lives; add `+ {use_bound}` to "
                  f"{function}'s return type{sig_line} if the result does not really borrow it."),
            what=(
                f"The borrow error is real as far as the signature goes: {function} returns an "
                f"`impl Trait`, and under the Rust 2024 rules that opaque type captures every "
                f"lifetime in scope at its definition — including the one of the reference "
                f"that refers to {var}. So {holder}, the result of the call{call_line}, counts "
                f"as a borrow of {var} until its last use, and the later use of {var} "
                "conflicts with it."
            ),
            why=(
                "An opaque return type hides its concrete type, so callers reason only from the "
                "signature. Edition 2024 changed the default: a return-position `impl Trait` "
                "captures all generic parameters and lifetimes in scope (earlier editions "
                "captured only the lifetimes written in the bounds). That is the safer default "
                "for types that do borrow, but it over-approximates for results that own their "
                "data, such as an iterator over a freshly collected `Vec`.\n\n"
                "The body is not looked at: even if the returned value copies everything it "
                "needs, the caller must assume it may hold the borrow."
            ),
            fix=(
                f"If {function}'s result does not keep a reference to its arguments, say so with "
                f"a precise capture list: append `+ {use_bound}` to its return type{sig_line} "
                "(rustc's suggestion; list only the type parameters and lifetimes the value "
                f"really holds). The caller's borrow of {var} then ends at the call.\n\n"
                "If the compiler then reports E0700 in the function, the result does borrow "
                "that input and the caller's error is genuine: finish using the result "
                f"(collect it into a `Vec`, or drop {holder}) before touching {var} again, or "
                "make the function return an owned collection."
            ),
            rule=(
                "In Rust 2024 a returned `impl Trait` borrows every input reference unless a "
                "`use<…>` list says otherwise. Write `+ use<…>` on functions whose results own "
                "their data, so callers are not held to borrows that do not exist."
            ),
            caveat=(
                "rustc proposes `use<…>` from the signature alone; it can suggest dropping a "
                "lifetime the hidden type really needs. Trust the function's compile error over "
                "the suggestion."
            ),
            links=(
                Link("Edition guide: RPIT lifetime capture rules",
                     "https://doc.rust-lang.org/edition-guide/rust-2024/rpit-lifetime-capture.html"),
                Link("Rust Reference: precise capturing",
                     "https://doc.rust-lang.org/reference/types/impl-trait.html"
                     "#precise-capturing"),
            ),
        )


FAMILY = RpitOvercapture2024()
