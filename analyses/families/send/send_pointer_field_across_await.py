"""A future is not `Send` because an owned value alive across an `.await` is a struct with a
pointer field: a raw pointer (`*const T`/`*mut T`), a `NonNull<T>`, a `PhantomData<*const ()>`
marker, or another struct holding one.

rustc: "future cannot be sent between threads safely" with "has type `Handle` which is not
`Send`" and "the trait `Send` is not implemented for `NonNull<u8>`" (`*const ()` for the
`PhantomData` marker). Not a reference to non-`Sync` data: there is no `Cell` to replace, the
choice is between ending the value's scope, promising `Send` with `unsafe impl`, and keeping
the task on one thread. Facts: the variable, its type, `inner_type` (the pointer rustc names),
declaration and await lines, the bound; from the struct declarations in the source, the field
that holds the pointer (`pointer_field`, `pointer_field_type`, `pointer_field_line`,
`pointer_struct`, the struct that declares it) and the path to it (`field_path`: `inner.ptr`).
"""

from __future__ import annotations

import re
from typing import ClassVar

from borrowlens.analyses.diagnostics.model import Diagnostic
from borrowlens.analyses.explain import prose
from borrowlens.analyses.explain.model import Explanation
from borrowlens.analyses.families.base import Family, Match, Related
from borrowlens.analyses.families.send import analysis as send
from borrowlens.analyses.families.send import phrases, rewrites
from borrowlens.analyses.families.send import source as reading
from borrowlens.analyses.fixes.edits import Fix
from borrowlens.analyses.rust.sources import Sources

_TYPE_NAME = re.compile(r"[A-Za-z_]\w*")


def _pointer_patterns(pointer: str) -> list[re.Pattern[str]]:
    """The pointer type as a field may write it, exactly (any spacing, any path before it:
    `*const ()`, `std::ptr::NonNull<u8>`), then by its head alone (`NonNull<`, `*mut`) for
    a field whose type arguments rustc prints otherwise."""
    tokens = re.findall(r"\w+|\S", pointer.strip())
    exact = re.compile(r"\s*".join(re.escape(t) for t in tokens))
    head = re.compile(r"NonNull\s*<" if "NonNull" in pointer
                      else r"\*\s*(?:const|mut)\b")
    return [exact, head]


def _locate_field(match: Match, sources: Sources) -> None:
    """The field of the culprit's struct (or of a struct inside it) that holds the pointer:
    what `unsafe impl Send` would be about; `related` points at it."""
    type_, pointer = match.fact("type"), match.fact("inner_type")
    if not type_ or not pointer:
        return
    head = _TYPE_NAME.search(re.sub(r"^(?:[\w]+::)+", "", type_))
    if head is None:
        return
    files = [r.span.file for r in match.related]
    chain = next((found for wanted in _pointer_patterns(pointer)
                  if (found := reading.field_chain(head.group(0), wanted, files, sources))), [])
    if not chain:
        return
    field = chain[-1]
    owner = head.group(0)
    if len(chain) > 1:
        outer = _TYPE_NAME.findall(chain[-2].type)
        owner = next((n for n in outer if n[0].isupper() and n not in
                      ("Option", "Box", "Vec", "PhantomData")), owner)
    match.facts.update(pointer_field=field.name, pointer_field_type=field.type,
                       pointer_field_line=field.span.line_start, pointer_struct=owner,
                       field_path=".".join(f.name for f in chain))
    match.related.insert(0, Related(field.span, f"`{field.name}` is a `{field.type}`, which is "
                                    f"not `Send`: so `{owner}` is not `Send` either"))


class SendPointerFieldAcrossAwait(Family):
    id = "send-pointer-field-across-await"
    title = "Struct with a pointer field held across an await"
    codes = ()
    notes = send.NOTES
    refines = ("future-not-send",)
    fix_docs: ClassVar[dict[str, str]] = {
        "scope-before-await": "when the value is not used after the await, the statements "
            "from its `let` to its last use go into a block that ends before the await, "
            "carrying owned results out",
    }
    no_fix_reason = (
        "the value is needed after the await: whether `unsafe impl Send` is sound depends on "
        "who else uses the pointee, which only the author of the struct can say")

    def match(self, diagnostic: Diagnostic, sources: Sources) -> Match | None:
        info = send.analyse(diagnostic, sources)
        if info is None or info.kind != send.POINTER_FIELD:
            return None
        match = send.build_match(self, diagnostic, info)
        if "inner_type" not in match.facts and info.not_send:
            match.facts["inner_type"] = info.not_send[0]
        _locate_field(match, sources)
        return match

    def explain(self, match: Match) -> Explanation:
        type_, pointer = match.fact("type"), match.fact("inner_type")
        struct = match.fact("pointer_struct")
        bare = _TYPE_NAME.search(re.sub(r"^(?:\w+::)+", "", type_)) if type_ else None
        holder = bare.group(0) if bare else None
        return prose.explanation(self.id, self.title, __name__, {
            **phrases.liveness(match), "name": phrases.culprit_name(match),
            "type": type_, "short": prose.short_type(type_) if type_ else None,
            "pointer": pointer, "field": match.fact("pointer_field"),
            "field_type": match.fact("pointer_field_type"),
            "field_line": match.fact("pointer_field_line"),
            "path": match.fact("field_path"),
            "struct": struct or holder, "holder": holder,
            "nested": bool(struct and holder and struct != holder),
            "marker": bool(match.fact("pointer_field_type")
                           and "PhantomData" in str(match.fact("pointer_field_type"))),
            "captured": match.fact("captured") == "true",
            "await_": phrases.await_phrase(match), "place": phrases.place_phrase(match),
            "future": phrases.future_phrase(match), "bound": phrases.bound_phrase(match),
        })

    def fixes(self, match: Match, sources: Sources) -> list[Fix]:
        """`scope-before-await` when the value is not used after the await. Never an
        `unsafe impl Send`: its soundness is a promise about the pointee only the author can
        make."""
        return rewrites.scope_fix(match, sources, preferred=True)


FAMILY = SendPointerFieldAcrossAwait()
