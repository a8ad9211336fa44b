"""Code-less "lifetime may not live long enough" caused by invariance.

`&'a mut T` is covariant in `'a` but invariant in `T`; `Cell<T>`, `RefCell<T>`, `*mut T` and
any struct holding one of them (or a `&'a mut` whose target mentions `'a`) are invariant too.
Inside an invariant position the compiler cannot shrink `&'static str` to `&'a str`, so two
lifetimes that would otherwise just need an outlives relation must be *equal*. rustc flags it
with the notes "requirement occurs because of …" and "… is invariant over …". Facts: the
function, the invariant type, the two lifetimes involved.
"""

from __future__ import annotations

import re
from typing import ClassVar

from borrowlens.analyses.diagnostics.model import Diagnostic, Span
from borrowlens.analyses.explain import prose
from borrowlens.analyses.explain.model import Explanation
from borrowlens.analyses.families.base import FactValue, Family, Match, Related
from borrowlens.analyses.families.lifetimes import analysis as common
from borrowlens.analyses.fixes import signatures
from borrowlens.analyses.fixes.edits import Fix
from borrowlens.analyses.fixes.source_file import make_fix
from borrowlens.analyses.rust import locate
from borrowlens.analyses.rust.sources import Sources

_MUT_REF = re.compile(r"because of a mutable (?P<kind>reference|pointer) to `(?P<target>[^`]+)`")
_THE_TYPE = re.compile(r"because of the type `(?P<ty>[^`]+)`, which makes the generic argument "
                       r"`(?P<arg>[^`]+)` invariant")
_INVARIANT_OVER = re.compile(r"the (?:struct|enum|union|type) `(?P<ty>[^`]+)` is invariant over "
                             r"the parameter `(?P<param>[^`]+)`")
_BOUND = re.compile(r"consider adding the following bound: `(?P<long>'[^`:]+): (?P<short>'[^`]+)`")
_OUTLIVE = re.compile(r"requires that `(?P<long>'[^`]+)` must outlive `(?P<short>'[^`]+)`")


_SELF_TIED = re.compile(r"&\s*(?P<lt>'\w+)\s+mut\b[^;]*?(?P=lt)\b")


def _self_tied_field(struct: str, primary: Span | None,
                     sources: Sources) -> tuple[str, str, str, Span] | None:
    """`names: &'a mut Vec<&'a str>` when the invariant struct has a field whose `&'a mut`
    points at data that mentions the same `'a` (the classic over-constrained design), with
    the field split over a second lifetime (`names: &'a mut Vec<&'b str>`), the struct's
    generics with that lifetime added (`Symbols<'a, 'b>`) and the field's span."""
    name = re.match(r"\w+", struct)
    located = locate.at(primary, sources)
    if name is None or located is None or primary is None:
        return None
    for node in locate.walk(located.parsed.root, named=True):
        if node.type != "struct_item":
            continue
        ident = node.child_by_field_name("name")
        if ident is None or located.text(ident) != name.group(0):
            continue
        for field in locate.walk(node, named=True):
            text = " ".join(located.text(field).split())
            tied = _SELF_TIED.search(text)
            if field.type != "field_declaration" or tied is None:
                continue
            taken = set(re.findall(r"'\w+", located.text(node)))
            fresh = next((f"'{c}" for c in "bcdefghijk" if f"'{c}" not in taken), "'data")
            # keep the borrow's own lifetime, give the data behind it the fresh one
            cut = tied.start() + text[tied.start():].index("mut") + 3
            split = text[:cut] + re.sub(re.escape(tied.group("lt")) + r"\b", fresh, text[cut:])
            generics = node.child_by_field_name("type_parameters")
            inner = located.text(generics)[1:-1].strip() if generics is not None else ""
            declared = f"{name.group(0)}<{inner + ', ' if inner else ''}{fresh}>"
            return text, split, declared, common.node_span(primary.file, field, located.parsed)
    return None


class MutRefInvariance(Family):
    id = "mut-ref-invariance"
    title = "Invariance: these lifetimes must be equal"
    codes = ()
    messages = (common.LIFETIME_MESSAGE.pattern,)
    refines = ("lifetime-not-tied",)
    fix_docs: ClassVar[dict[str, str]] = {
        "add-lifetime-bound": "the outlives bound rustc asks for (`'line: 'buf`), unless the "
            "signature already implies the reverse",
    }
    no_fix_when: ClassVar[dict[str, str]] = {
        "split_field": "splitting the struct's lifetime adds a lifetime parameter to the struct "
            "and to every place that names it: a refactor of the type",
    }

    def match(self, diagnostic: Diagnostic, sources: Sources) -> Match | None:
        if diagnostic.code or not common.LIFETIME_MESSAGE.search(diagnostic.message):
            return None
        if diagnostic.find(common.INVARIANCE) is None:
            return None
        facts: dict[str, FactValue] = {}
        related: list[Related] = []

        mut_ref = diagnostic.find(_MUT_REF)
        the_type = diagnostic.find(_THE_TYPE)
        over = diagnostic.find(_INVARIANT_OVER)
        if mut_ref is not None:
            prefix = "&mut " if mut_ref.group("kind") == "reference" else "*mut "
            facts["invariant_type"] = prefix + mut_ref.group("target")
        elif the_type is not None:
            ty = the_type.group("ty")
            if over is not None and ("'_" in ty or "<" not in ty):
                ty = over.group("ty")
            facts["invariant_type"] = ty
        elif over is not None:
            facts["invariant_type"] = over.group("ty")
        if over is not None:
            facts["invariant_param"] = over.group("param")

        pair: tuple[str, str] | None = None
        bound = diagnostic.find(_BOUND)
        if bound is not None:
            pair = (bound.group("long"), bound.group("short"))
        else:
            outlive = diagnostic.find(_OUTLIVE)
            mismatch = diagnostic.find(common.RETURN_MISMATCH)
            if outlive is not None:
                pair = (outlive.group("long"), outlive.group("short"))
            elif mismatch is not None:
                pair = (mismatch.group("actual"), mismatch.group("expected"))
        if pair is not None:
            facts["lifetimes"] = list(pair)
            facts["outlives"] = f"{pair[0]}: {pair[1]}"

        for span, label in diagnostic.labels():
            defined = re.match(r"lifetime `(?P<lt>'[^`]+)` defined here", label)
            if defined is None:
                continue
            if pair is not None and defined.group("lt") == pair[0] and over is None:
                facts["long_line"] = span.line_start
                related.append(Related(span, f"`{pair[0]}` must outlive `{pair[1]}`: the bound "
                                             "goes on this declaration"))
            else:
                related.append(Related(span, label.replace("defined here",
                                                           "is one side of the relation")))
        primary = diagnostic.primary
        if over is not None:
            field = _self_tied_field(over.group("ty"), primary, sources)
            if field:
                facts["self_tied_field"], facts["split_field"] = field[0], field[1]
                facts["split_struct"], facts["tied_line"] = field[2], field[3].line_start
                related.insert(0, Related(field[3], "one lifetime for both the `&mut` and the "
                                                    "data behind it: split it in two"))
        function = locate.function_name_at(primary, sources, signatures=True)
        if function:
            facts["function"] = function
        if primary is not None:
            facts["line"] = primary.line_start
        return Match(family=self, diagnostic=diagnostic, facts=facts, related=related)

    def explain(self, match: Match) -> Explanation:
        lifetimes = match.facts.get("lifetimes")
        long, short = lifetimes if isinstance(lifetimes, list) and len(lifetimes) == 2 else (
            None, None)
        ty = match.fact("invariant_type")
        struct = re.match(r"\w+", ty or "")
        return prose.explanation(self.id, self.title, __name__, {
            "function": match.fact("function"), "ty": ty,
            "struct": struct.group(0) if struct else None,
            "line": match.fact("line"), "long": long, "short": short,
            "outlives": match.fact("outlives"), "long_line": match.fact("long_line"),
            "tied": match.fact("self_tied_field"), "split": match.fact("split_field"),
            "split_struct": match.fact("split_struct"), "tied_line": match.fact("tied_line"),
        })

    def fixes(self, match: Match, sources: Sources) -> list[Fix]:
        """rustc's outlives bound (`'line: 'buf`) on the lifetime's declaration — only when
        the signature does not already imply the reverse (`&'v mut Vec<&'s str>` implies
        `'s: 'v`; adding `'v: 's` would force the two to be equal, the `&'a mut T<'a>`
        trap). Other shapes need a redesign the explanation describes."""
        outlives = match.fact("outlives")
        diagnostic = match.diagnostic
        primary = diagnostic.primary if diagnostic is not None else None
        if not outlives or primary is None or ":" not in outlives:
            return []
        long, short = (part.strip() for part in outlives.split(":", 1))
        if any(lt.strip("'").isdigit() or lt in ("'static", "'_") for lt in (long, short)):
            return []
        editable = signatures.own_signature_at(sources, primary)
        if editable is None:
            return []
        file, function = editable
        declared = signatures.declaring_parameter(file, function, long)
        if declared is None or signatures.declaring_parameter(file, function, short) is None:
            return []
        parameters = function.child_by_field_name("parameters")
        for node in file.walk(parameters) if parameters is not None else []:
            if node.type != "reference_type":
                continue
            outer = next((c for c in node.children if c.type == "lifetime"), None)
            inner = node.child_by_field_name("type")
            if outer is not None and file.node_text(outer) == long and inner is not None and \
                    re.search(re.escape(short) + r"\b", file.node_text(inner)):
                return []
        edit = signatures.add_outlives(file, declared, short)
        fix = make_fix("add-lifetime-bound",
                       f"Require `{long}: {short}` (`{long}` outlives `{short}`)",
                       [edit], preferred=True)
        return [fix] if fix is not None else []


FAMILY = MutRefInvariance()
