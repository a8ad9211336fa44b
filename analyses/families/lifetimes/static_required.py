"""Code-less "lifetime may not live long enough" where the code demands `'static` and the
source shows where: borrowed data meets a `'static` requirement written elsewhere.

rustc reports the place where the requirement fails ("coercion requires that `'1` must
outlive `'static`", "argument…", "type annotation…", "this usage…", "assignment…",
"returning this value…"); the cause is a written type: a `Box<dyn Fn…>` whose trait object
has the implicit `'static` (a hook registry's field, a callee's parameter, a returned trait
object), a callee's `T: 'static` / `F: Fn() + 'static` bound or where clause, a `let x:
&'static T` annotation, a struct's `&'static` field, the declared type of the place assigned
to. E0521 ("borrowed data escapes") is taken over only when the callee is in the crate and
its bound demands `'static`; a spawn from a library stays borrowed-data-escapes'. Facts: what
rustc says requires it, the cause (`file:line`) and its text, the borrowed parameter, the
enclosing function.
"""

from __future__ import annotations

import re
from typing import ClassVar

from borrowlens.analyses.diagnostics.model import Diagnostic, Span
from borrowlens.analyses.explain import prose
from borrowlens.analyses.explain.model import Explanation
from borrowlens.analyses.families.base import FactValue, Family, Match, Related
from borrowlens.analyses.families.borrows.analysis import secondary, span_text
from borrowlens.analyses.families.borrows.fnmut_escape import CAPTURED_NOTE, captured_in
from borrowlens.analyses.families.lifetimes import analysis as common
from borrowlens.analyses.families.lifetimes import static_causes, static_written
from borrowlens.analyses.families.lifetimes.callback_not_higher_ranked import drop_lifetime
from borrowlens.analyses.fixes import signatures
from borrowlens.analyses.fixes.edits import Fix, TextEdit
from borrowlens.analyses.fixes.source_file import SourceFile, one_fix
from borrowlens.analyses.rust import items, locate, syntax
from borrowlens.analyses.rust.sources import Sources

_REQUIRES = re.compile(r"(?P<what>coercion|cast|type annotation|this usage|assignment|argument|"
                       r"returning this value) requires that `(?P<short>'[^`]+)` must outlive "
                       r"`'static`")
# The bare label of a call whose turbofish names a borrowed type (`check::<&'a T>()`).
_BARE = re.compile(r"^requires that `(?P<short>'[^`]+)` must outlive `'static`")
# E0521 ("borrowed data escapes outside of function") through a callee's `'static` bound.
_ESCAPES = re.compile(r"borrowed data escapes outside of (?:function|method|closure|"
                      r"associated function)")
_ONLY_VALID = re.compile(r"`(?P<name>[^`]+)` is a reference that is only valid in the")
_IMPL_STATIC = (r"this has an implicit `'static` lifetime requirement|the used `impl` has a "
                r"`'static` requirement")
_RELAX = r"consider relaxing the implicit `'static` requirement"
_CALL = re.compile(r"let's call the lifetime of this reference `(?P<lt>'\d+)`")
_DYN_HELP = r"to declare that the trait object captures data"
_BODY = re.compile(r"lifetime `'\d+` represents this closure's body")

# What each cause asks for, said to the user at the cause (the hover of `related`).
_AT_CAUSE = {
    "dyn": "this trait object has no lifetime of its own, so it means `+ 'static`",
    "bound": "this bound demands `'static`",
    "annotation": "this annotation demands `'static`",
    "field": "this field only holds `'static` data",
    "place": "this place is declared to hold `'static` data",
}


class StaticRequired(Family):
    id = "static-required"
    title = "Borrowed data where `'static` is required"
    codes = ()
    messages = (common.LIFETIME_MESSAGE.pattern, _ESCAPES.pattern)
    refines = ("lifetime-not-tied", "borrowed-data-escapes")
    # Owning the data, sharing it through an `Arc` or demanding `'static` of the caller each
    # change what the API accepts.
    no_fix_reason = ("owning the data, sharing it through an `Arc` or requiring `'static` of "
                     "the caller changes what the API accepts: the user's decision")
    fix_docs: ClassVar[dict[str, str]] = {
        "static-param": "a `&T` parameter borrowed by a `'static` hook or callback becomes "
            "`&'static T`",
        "dyn-captures-lifetime": "a returned trait object gets rustc's `+ '_`, so it may borrow "
            "from the argument",
        "drop-static-annotation": "a `&'static T` annotation on a local or a closure's return "
            "type becomes `&T`, inferred",
        "relax-impl-static": "`impl dyn Trait` becomes rustc's `impl dyn Trait + '_`, so its "
            "methods apply to borrowed trait objects too",
    }

    def match(self, diagnostic: Diagnostic, sources: Sources) -> Match | None:
        escapes = diagnostic.code == "E0521" or _ESCAPES.search(diagnostic.message) is not None
        if not escapes and (diagnostic.code
                            or not common.LIFETIME_MESSAGE.search(diagnostic.message)):
            return None
        requires = diagnostic.find(_REQUIRES)
        bare = diagnostic.find(_BARE) if requires is None and not escapes else None
        if requires is not None:
            what, short = requires.group("what"), requires.group("short")
        elif bare is not None:
            what, short = "type argument", bare.group("short")
        elif escapes or (diagnostic.find(CAPTURED_NOTE) is not None
                         and secondary(diagnostic, _BODY.pattern) is not None
                         and diagnostic.find(r"return type of closure") is None):
            # Through the LSP the primary's "argument requires…" label may be gone; E0521's
            # "escapes the … body here" is on the same call, and a closure's captured
            # reference passed on (not returned) can only be an argument.
            what, short = "argument", "'1"
        else:
            return None
        primary = diagnostic.primary
        cause = static_causes.find(what, primary, sources) or static_written.find(
            what, primary, sources)
        # Invariance is mut-ref-invariance's story, except through a `static`: whatever its
        # type's variance, it only ever holds `'static` data.
        if diagnostic.find(common.INVARIANCE) is not None and (
                cause is None or cause.site != "global"):
            return None
        # `impl dyn Trait { … }` applies to `dyn Trait + 'static` only (rustc's note, whose
        # labels rust-analyzer's shape may fold into the note's own message).
        implicit = common.help_span(diagnostic, _IMPL_STATIC)
        if escapes and implicit is not None:
            cause = static_causes.Cause("dyn", implicit, "impl", None, site="impl")
        if escapes and (what != "argument" or cause is None):
            return None  # E0521 is borrowed-data-escapes' unless a callee's bound is proven
        returned_dyn = common.suggestion(diagnostic, _DYN_HELP)
        # Without the source, rustc's help alone says the returned trait object is the cause.
        helped = diagnostic.find(_DYN_HELP) is not None and (
            primary is None or sources.text(primary.file) is None)
        if cause is None and what not in ("coercion", "cast") and not helped:
            return None
        # A coercion to `'static` is always into a trait object, and rustc's "to declare that
        # the trait object captures data" names the returned one: the family is known even
        # when the declaration that spells it is not in the text at hand.
        facts: dict[str, FactValue] = {"requirement": what, "lifetime": short,
                                       "kind": cause.kind if cause is not None else "dyn"}
        related: list[Related] = []
        if cause is None:
            callee = static_causes.call_path(primary, sources)
            if callee:
                facts["callee"] = callee
        if cause is not None:
            facts.update({"cause": f"{cause.span.file}:{cause.span.line_start}",
                          "cause_line": cause.span.line_start, "cause_text": cause.text})
            related.append(Related(cause.span, _AT_CAUSE[cause.kind]))
        if cause is not None and cause.owner:
            facts["cause_owner"] = cause.owner
        if cause is not None and cause.parameter:
            facts["cause_name"] = cause.parameter
        if cause is not None and cause.site in ("global", "impl"):
            facts["cause_site"] = cause.site
            if cause.site == "impl":
                facts["cause_text"] = _impl_header(cause.span, sources) or "impl dyn Trait"
        elif (cause is not None and cause.site) or (cause is None and helped):
            facts["cause_site"] = "return"
            if returned_dyn is not None and re.fullmatch(r"\s*\+\s*'\w+", returned_dyn[1]):
                facts["suggested_bound"] = returned_dyn[1].strip()
        source = _borrowed_parameter(diagnostic, short, primary, sources)
        if source:
            facts["source"] = source
        if primary is not None:
            facts["line"] = primary.line_start
            located = locate.at(primary, sources)
            if what == "assignment" and facts["kind"] != "annotation" and located is not None \
                    and syntax.enclosing(located.node, "closure_expression") is not None:
                facts["in_closure"] = "yes"
            boxed = span_text(primary, sources) or ""
            if source and "|" in boxed and re.search(rf"\b{re.escape(source)}\b", boxed):
                # A closure names the borrowed parameter: an owned copy moved in fixes it.
                facts["closure_captures"] = "yes"
            function = locate.function_name_at(primary, sources)
            if function:
                facts["function"] = function
        # `|| visit(data)` with a captured `data: &'static mut T`: the body reaches it through
        # the closure's own unique borrow, so it can only lend it for one call.
        body = secondary(diagnostic, _BODY.pattern) if what == "argument" else None
        if body is not None and primary is not None and diagnostic.find(CAPTURED_NOTE) and \
                not (span_text(body, sources) or "").startswith("move"):
            captured = captured_in(primary, body, sources)
            facts["through_capture"] = captured[0] if captured is not None else "yes"
        for span, label in diagnostic.labels():
            if not span.is_primary and _CALL.search(label):
                related.append(Related(span, "the borrowed data only lives this long"))
        return Match(family=self, diagnostic=diagnostic, facts=facts, related=related)

    def explain(self, match: Match) -> Explanation:
        kind = match.fact("kind") or "dyn"
        source = match.fact("source")
        captured = match.fact("through_capture")
        return prose.explanation(self.id, self.title, __name__, {
            # rustc's label for a turbofish has no word before "requires that".
            "kind": kind, "what": None if match.fact("requirement") == "type argument"
            else match.fact("requirement"),
            "cause_line": match.fact("cause_line"), "cause_text": match.fact("cause_text"),
            "owner": match.fact("cause_owner"), "name": match.fact("cause_name"),
            "src": f"`{source}`" if source else None, "bare": source or "data",
            "function": match.code("function", "the function"), "line": match.line("line"),
            "returning": match.fact("cause_site") == "return",
            "bound": match.fact("suggested_bound") or "+ '_",
            "unseen": match.diagnostic is not None and match.fact("cause") is None,
            "callee": match.fact("callee"),
            "global_": match.fact("cause_site") == "global",
            "impl_": match.fact("cause_site") == "impl",
            "in_closure": bool(match.fact("in_closure")),
            "closure_captures": bool(match.fact("closure_captures")),
            "receiver": match.fact("kind") == "bound" and match.fact("cause_name") == "self",
            "static_ref": kind == "bound" and match.fact("cause_name") != "self" and not captured
            and "&'static" in (match.fact("cause_text") or ""),
            "through_capture": bool(captured),
            "captured": f"`{captured}`" if captured and captured != "yes" else None,
        })

    def fixes(self, match: Match, sources: Sources) -> list[Fix]:
        """A returned `Box<dyn Trait>`: rustc's `+ '_`. Otherwise, when the borrowed data is
        an elided `&T` parameter of the fn: require `&'static T` there, the one signature edit
        that meets the requirement without redesigning the hook."""
        diagnostic = match.diagnostic
        primary = diagnostic.primary if diagnostic is not None else None
        source = match.fact("source")
        if diagnostic is None or primary is None:
            return []
        if match.fact("cause_site") == "impl":
            relax = common.suggestion(diagnostic, _RELAX)
            if relax is None or not re.fullmatch(r"\s*\+\s*'_", relax[1]):
                return []
            span = relax[0]
            return one_fix("relax-impl-static",
                           f"Let `{match.fact('cause_text')}` apply to borrowed trait objects "
                           "(`+ '_`)",
                           [TextEdit(span.file, span.line_start, span.column_start,
                                     span.line_end, span.column_end, relax[1])],
                           preferred=True)
        if match.fact("cause_site") == "return":
            hint = common.suggestion(diagnostic, _DYN_HELP)
            if hint is None or not re.fullmatch(r"\s*\+\s*'\w+", hint[1]):
                return []
            span, replacement = hint
            edit = TextEdit(span.file, span.line_start, span.column_start, span.line_end,
                            span.column_end, replacement)
            return one_fix("dyn-captures-lifetime",
                           "Let the returned trait object borrow from the argument "
                           f"(`{replacement.strip()}`)",
                           [edit], preferred=True)
        file = SourceFile.load(sources, primary.file)
        if match.fact("kind") == "annotation":
            return _drop_static(file, match) if file is not None else []
        node = file.node_for_span(primary) if file is not None else None
        function = locate.enclosing_function(node)
        if file is None or function is None or not source or source == "self" or \
                match.fact("kind") not in ("dyn", "bound", "field") or \
                signatures.in_trait_contract(function):
            return []
        parameter = signatures.parameter_named(file, function, source)
        kind = parameter.child_by_field_name("type") if parameter is not None else None
        if kind is None or kind.type != "reference_type" or items.lifetimes(kind) or \
                file.node_text(kind).startswith("&mut"):
            return []
        inner = file.node_text(kind)[1:].lstrip()
        return one_fix("static-param",
                       f"Require `&'static {inner}` for `{source}`",
                       [file.replace(kind, f"&'static {inner}")], preferred=True)


def _impl_header(span: Span, sources: Sources) -> str | None:
    """`impl dyn Shape` for the span of its self type."""
    located = locate.at(span, sources)
    impl = syntax.enclosing(located.node, "impl_item") if located is not None else None
    kind = impl.child_by_field_name("type") if impl is not None else None
    return f"impl {located.text(kind)}" if located is not None and kind is not None else None


def _drop_static(file: SourceFile, match: Match) -> list[Fix]:
    """`let x: &'static T = …` / `|…| -> &'static T` → `&T`: the one `'static` of the
    annotation, when it sits directly on a reference."""
    text, line = match.fact("cause_text"), match.fact("cause_line")
    if not text or not line or text.count("'static") != 1:
        return []
    for node in file.walk():
        if node.type not in ("let_declaration", "closure_expression") or \
                file.parsed.start(node)[0] > int(line) or file.parsed.end(node)[0] < int(line):
            continue
        kind = node.child_by_field_name("type" if node.type == "let_declaration"
                                        else "return_type")
        if kind is None or file.node_text(kind) != text or kind.type != "reference_type":
            continue
        lifetime = next((c for c in kind.named_children if c.type == "lifetime"), None)
        if lifetime is None or file.node_text(lifetime) != "'static":
            return []
        return one_fix("drop-static-annotation",
                       f"Drop `'static` from `{text}` and let the lifetime be inferred",
                       [drop_lifetime(file, lifetime)], preferred=True)
    return []


def _borrowed_parameter(diagnostic: Diagnostic, lifetime: str, primary: Span | None,
                        sources: Sources) -> str | None:
    """The parameter whose type carries the short lifetime: rustc's `'1` label, or the one
    parameter of the fn whose written type names `'a`."""
    for span, label in diagnostic.labels():
        found = _CALL.search(label)
        if found and found.group("lt") == lifetime:
            return common.parameter_name(span, sources)
    only = diagnostic.find(_ONLY_VALID)
    if only is not None:
        return only.group("name")
    enclosing = locate.function_at(primary, sources)
    parameters = enclosing.node.child_by_field_name("parameters") if enclosing else None
    if enclosing is None or parameters is None or lifetime.strip("'").isdigit():
        return None
    named = [p for p in parameters.named_children if p.type == "parameter" and any(
        enclosing.text(lt) == lifetime for lt in items.lifetimes(p))]
    pattern = named[0].child_by_field_name("pattern") if len(named) == 1 else None
    return enclosing.text(pattern) if pattern is not None and pattern.type == "identifier" \
        else None


FAMILY = StaticRequired()
