"""A borrow error at a caller whose cause is a `&mut` in a signature elsewhere in the crate.

rustc reports E0499 / E0502 / E0597 / E0521 where the borrow fails, at the call; the symptom
families then explain the symptom (two borrows overlap, a value dies too soon). When the
callee's signature is the cause, proven from the source (`signature_causes.find`: a `'static`
under a `&mut`, `&'a mut T<'a>`, `&'a mut self` with the type's own `'a`, an elided return
lifetime tied to `&mut self`), this family names that signature as the cause and fixes it
there. Facts: `shape`, `owner` (the fn or struct), `cause` (the parameter, receiver, field or
return type as written) with `cause_file` and `cause_line`, `suggested` (what to write
instead), `lifetime`, `variable` and `call_line` (the caller's borrow), `return_too` (a
return type naming the lifetime for what may come through the `&mut` itself).
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import ClassVar

from borrowlens.analyses.diagnostics.model import Diagnostic
from borrowlens.analyses.explain import prose
from borrowlens.analyses.explain.model import Explanation
from borrowlens.analyses.families.base import FactValue, Family, Match, Related
from borrowlens.analyses.families.borrows.analysis import node_span
from borrowlens.analyses.families.lifetimes import signature_causes
from borrowlens.analyses.fixes import mut_signatures, signatures
from borrowlens.analyses.fixes.edits import Fix
from borrowlens.analyses.fixes.source_file import SourceFile, one_fix
from borrowlens.analyses.rust.sources import Sources

_MESSAGES = (
    r"cannot borrow `[^`]+` as (?:mutable|immutable) (?:more than once at a time|because it "
    r"is also borrowed as mutable)",
    r"`[^`]+` does not live long enough|borrowed value does not live long enough",
    r"borrowed data escapes outside of (?:function|method|associated function)",
    r"cannot move out of `[^`]+` because it is borrowed",
    r"cannot return value referencing local variable `[^`]+`",
)
_VARIABLE = re.compile(r"^(?:cannot borrow|cannot move out of|cannot return value referencing "
                       r"local variable) `\*?(?P<var>[A-Za-z_][A-Za-z0-9_]*)"
                       r"|^`(?P<dies>[^`]+)` does not live")
_NEEDS_STATIC = re.compile(r"\bstatic\b|'static|spawn")
_WHY = {
    "static-under-mut": "requires `'static` data under a `&mut`",
    "same-lifetime": "ties the `&mut` to the lifetime of the data",
    "same-lifetime-field": "ties the `&mut` to the lifetime of the data",
    "self-type-lifetime": "borrows `self` for the type's own lifetime",
    "elided-return": "ties the result to the `&mut self` borrow",
}


def _suggested(shape: str, text: str, lifetime: str | None,
               hidden: tuple[str, ...] = ()) -> str | None:
    """The parameter, field or return type as it should read (for the prose)."""
    if shape == "static-under-mut":
        head, _, inner = text.partition("&mut")
        inner = re.sub(r"&'static\s+", "&", inner).replace("'static", "'_")
        return f"{head}&mut{inner}"
    if lifetime is None:
        return None
    if shape in ("same-lifetime", "self-type-lifetime"):
        return re.sub(re.escape(lifetime) + r"\s+mut\b", "mut", text, count=1)
    if shape == "same-lifetime-field":
        head, _, inner = text.partition(f"&{lifetime} mut")
        fresh = "'b" if lifetime != "'b" else "'c"
        return f"{head}&{lifetime} mut" + re.sub(re.escape(lifetime) + r"\b", fresh, inner)
    if shape == "elided-return":
        for name in hidden:
            text = re.sub(rf"\b{re.escape(name)}\b(?!\s*<)", f"{name}<{lifetime}>", text)
        return re.sub(r"&(?!')", f"&{lifetime} ", text).replace("'_", lifetime)
    return None


def _type_of(parameter: str | None) -> str | None:
    """`words: &mut Vec<&str>` → `&mut Vec<&str>` (a receiver or type stays as it is)."""
    return re.sub(r"^(?:mut\s+)?\w+\s*:\s*", "", parameter) if parameter else None


class SignatureMutLifetime(Family):
    id = "signature-mut-lifetime"
    title = "A `&mut` in a signature causes the error"
    codes = ("E0499", "E0502", "E0505", "E0515", "E0597", "E0521")
    messages = _MESSAGES
    refines = ("conflicting-borrows", "does-not-live-long-enough", "borrowed-data-escapes",
               "move-out-while-borrowed", "return-ref-to-local")
    fix_docs: ClassVar[dict[str, str]] = {
        "drop-static-under-mut": "in the callee's signature, `&mut Vec<&'static str>` → "
            "`&mut Vec<&str>` (a `'static` under a `&mut` elided)",
        "separate-mut-lifetime": "`&'a mut Vec<&'a str>` → `&mut Vec<&'a str>`: the `&mut` "
            "gets a lifetime of its own",
        "drop-self-lifetime": "`&'a mut self` → `&mut self` where `'a` is the type's own "
            "lifetime parameter",
        "name-return-lifetime": "`fn f(&mut self) -> &str` → `-> &'a str`: the result tied "
            "to the type's data, not to the `&mut self` borrow",
    }
    no_fix_when: ClassVar[dict[str, str]] = {
        "shape=same-lifetime-field": "a second lifetime on a struct changes the struct, every "
            "impl block and every place that names the type: the user's change to make",
    }

    def match(self, diagnostic: Diagnostic, sources: Sources) -> Match | None:
        if diagnostic.code not in (*self.codes, None, "") or \
                not any(re.search(m, diagnostic.message) for m in _MESSAGES):
            return None
        cause = signature_causes.find(diagnostic, sources)
        if cause is None:
            return None
        facts: dict[str, FactValue] = {
            "shape": cause.shape, "owner": cause.owner, "cause": cause.text,
            "cause_file": cause.file, "cause_line": cause.line, "call_line": cause.call.line_start,
        }
        if cause.lifetime:
            facts["lifetime"] = cause.lifetime
        hidden = signature_causes.hidden_lifetimes(cause.node, cause.definition.located) \
            if cause.shape == "elided-return" else ()
        suggested = _suggested(cause.shape, cause.text, cause.lifetime, hidden)
        if suggested:
            facts["suggested"] = suggested
        returned = cause.definition.node.child_by_field_name("return_type")
        if cause.shape in ("same-lifetime", "self-type-lifetime") and cause.lifetime and \
                returned is not None and signature_causes.mentions(
                    returned, cause.definition.located, cause.lifetime) and \
                signature_causes.returns_data(cause.definition) != cause.lifetime:
            # What it returns may come through the `&mut` itself: the return type must
            # follow the borrow, which is the user's call.
            facts["return_too"] = " ".join(cause.definition.located.text(returned).split())
        variable = _VARIABLE.search(diagnostic.message)
        if variable is not None:
            facts["variable"] = variable.group("var") or variable.group("dies")
        primary = diagnostic.primary
        if primary is not None:
            facts["line"] = primary.line_start
            if primary.file != cause.file:
                facts["cause_where"] = f"{PurePosixPath(cause.file).name}:{cause.line}"
        span = node_span(cause.definition.located.parsed, cause.node, cause.file)
        related = [Related(span, f"the cause: `{cause.owner}` {_WHY[cause.shape]}"),
                   Related(cause.call, "the borrow the signature stretches")]
        return Match(family=self, diagnostic=diagnostic, facts=facts, related=related)

    def explain(self, match: Match) -> Explanation:
        where = match.fact("cause_where")
        line = match.fact("cause_line")
        return prose.explanation(self.id, self.title, __name__, {
            "shape": match.fact("shape"), "owner": match.code("owner", "the callee"),
            "cause": match.fact("cause"), "suggested": match.fact("suggested"),
            "cause_type": _type_of(match.fact("cause")),
            "at": f" (`{where}`)" if where else f" on line {line}" if line else "",
            "lifetime": match.fact("lifetime"), "variable": match.fact("variable"),
            "call": match.line("call_line"), "return_too": match.fact("return_too"),
        })

    def fixes(self, match: Match, sources: Sources) -> list[Fix]:
        diagnostic = match.diagnostic
        if diagnostic is None:
            return []
        cause = signature_causes.find(diagnostic, sources)
        loaded = SourceFile.load(sources, cause.file) if cause is not None else None
        if cause is None or loaded is None or loaded.text != cause.definition.located.parsed.text:
            return []
        file = SourceFile(loaded.path, cause.definition.located.parsed)
        located = cause.definition.located
        function = cause.definition.node
        returned = function.child_by_field_name("return_type")
        owner, shown = cause.owner, match.fact("suggested") or ""
        if function.type != "function_item" or signatures.in_trait_contract(function):
            return []
        if cause.shape == "static-under-mut":
            body = function.child_by_field_name("body")
            # The body may rely on `'static` (storing into a global, spawning); an elided
            # input lifetime may break the elision of a returned reference.
            if body is None or _NEEDS_STATIC.search(file.node_text(body)) or (
                    returned is not None and signature_causes.elided(returned, located)):
                return []
            return one_fix("drop-static-under-mut", f"Accept any lifetime in `{owner}`: "
                           f"`{shown}`", mut_signatures.drop_static_under_mut(file, cause.node),
                           preferred=True)
        if cause.shape in ("same-lifetime", "self-type-lifetime") and cause.lifetime:
            # A result that names the lifetime may be borrowed through the `&mut` itself.
            if match.fact("return_too") or (
                    returned is not None and signature_causes.elided(returned, located)):
                return []
            fix_id = "separate-mut-lifetime" if cause.shape == "same-lifetime" \
                else "drop-self-lifetime"
            return one_fix(fix_id, f"Borrow only for the call in `{owner}`: `{shown}`",
                           [mut_signatures.drop_mut_lifetime(file, cause.node)],
                           preferred=True)
        # An `impl Trait` result captures the receiver's lifetime by the edition's rules (all
        # of them in 2024): naming `'a` alone may not release the borrow.
        if cause.shape == "elided-return" and cause.lifetime and \
                not any(n.type == "abstract_type" for n in file.walk(cause.node)):
            return one_fix("name-return-lifetime", f"Tie `{owner}`'s result to "
                           f"`{cause.lifetime}`: `-> {shown}`",
                           mut_signatures.name_return_lifetime(
                               file, cause.node, cause.lifetime,
                               signature_causes.hidden_lifetimes(cause.node, located)),
                           preferred=True)
        return []


FAMILY = SignatureMutLifetime()
