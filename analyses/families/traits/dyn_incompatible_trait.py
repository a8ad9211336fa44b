"""E0038 "the trait `X` is not dyn compatible" for the reasons other than `async fn`: a generic
method, a method with no `self`, `Self` in a parameter or as the return type, an `impl Trait`
return, an associated const, or `Self: Sized` as a supertrait.

rustc names the reason in a label on the offending item ("...because method `visit` has generic
type parameters"); rust-analyzer keeps only the first such place and the "consider moving `x`
to another trait" hints, so the reason is also read from the trait's source with tree-sitter.
`async-trait-dyn-incompatible` refines this family (an `async fn` is one more reason, with
its own designs). Facts: `trait`, `item` (the first offending item), `reason` (`generic`,
`no_self`, `self_param`, `self_return`, `impl_trait`, `const`, `sized`), `items` (every
offending item when there are several), `use_line` (where `dyn` is written) or `made_line`
(where a value becomes the trait object, for rustc's further reports), `decl_line` (the
offending item), `implementors` (the types rustc lists), `called_line` (a call of the
offending method, which excludes the `where Self: Sized` fix).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

import tree_sitter

from borrowlens.analyses.diagnostics.model import Diagnostic, Span
from borrowlens.analyses.explain import prose
from borrowlens.analyses.explain.model import Explanation
from borrowlens.analyses.families.base import FactValue, Family, Match, Related
from borrowlens.analyses.families.borrows.analysis import node_span
from borrowlens.analyses.families.traits import analysis as common
from borrowlens.analyses.fixes.edits import Fix, TextEdit
from borrowlens.analyses.fixes.source_file import SourceFile, one_fix
from borrowlens.analyses.rust import items, locate, syntax
from borrowlens.analyses.rust.sources import Sources

Node = tree_sitter.Node

MESSAGE = re.compile(r"the trait `(?P<trait>[^`]+)` (?:is not dyn compatible|cannot be made "
                      r"into an object)")


def headline_trait(diagnostic: Diagnostic) -> str | None:
    """The trait an E0038 headline names (without its path and generic arguments), or None
    for any other diagnostic; both dyn-incompatibility families start from it."""
    if diagnostic.code not in (None, "E0038"):
        return None
    head = MESSAGE.search(diagnostic.message)
    return common.strip_path(head.group("trait"), keep=1).split("<", 1)[0] if head else None

# rustc's labels on the offending items, by reason.
_REASONS = (
    ("generic", re.compile(r"because method `(?P<item>\w+)` has generic type parameters")),
    ("no_self", re.compile(r"because associated function `(?P<item>\w+)` has no `self` "
                           r"parameter")),
    ("self_param", re.compile(r"because method `(?P<item>\w+)` references the `Self` type in "
                              r"this parameter")),
    ("self_return", re.compile(r"because method `(?P<item>\w+)` references the `Self` type "
                               r"in its return type")),
    ("impl_trait", re.compile(r"because method `(?P<item>\w+)` references an `impl Trait` "
                              r"type in its return type")),
    ("const", re.compile(r"because it contains (?:this )?associated `?const`? `(?P<item>\w+)`")),
    ("sized", re.compile(r"because it requires `Self: Sized`")),
    ("async", re.compile(r"because method `(?P<item>\w+)` is `async`")),
    # A supertrait or bound that names `Self` (`trait Shape: PartialEq`, `type U: Eq<Self>`).
    ("self_bound", re.compile(r"because it uses `Self` as a type parameter")),
)
MOVE_HINT = re.compile(r"consider moving `(?P<item>\w+)` to another trait")
_VTABLE = r"dyn compatible it needs to allow building"
_ONLY_TYPE = re.compile(r"only type `(?P<type>[^`]+)` implements `")
_LISTED = re.compile(r"the following types implement `[^`]+`:(?P<list>(?:\n\s+\S.*)+)")
_LISTED_LINE = re.compile(r"^\s{2,}(?P<type>[A-Za-z_][\w:<>, ]*)$")
# The reasons a `where Self: Sized` on the item removes from the vtable.
# Supertraits whose default type parameter is `Self` (rust-analyzer's shape keeps only the span).
_SELF_BOUND = re.compile(r"(?:PartialEq|Eq|PartialOrd|Ord|Add|Sub|Mul|Div|Rem)(?:<Self>)?|"
                         r".*\bSelf\b.*")
EXCLUDABLE = ("generic", "no_self", "self_param", "self_return", "impl_trait")
_SELF = re.compile(r"\bSelf\b(?!\s*::)")


@dataclass(frozen=True)
class Offender:
    """An item of the trait that keeps it from being dyn compatible, and why."""

    name: str
    reason: str
    span: Span | None


def _trait_node(parsed: syntax.Parsed, trait: str) -> Node | None:
    return next((node for name, node in items.named_items(parsed, "trait_item")
                 if name == trait), None)


def _members(parsed: syntax.Parsed, trait: Node) -> dict[str, Node]:
    body = trait.child_by_field_name("body")
    out: dict[str, Node] = {}
    for item in body.named_children if body is not None else ():
        name = item.child_by_field_name("name")
        if name is not None:
            out.setdefault(parsed.node_text(name), item)
    return out


def source_reason(parsed: syntax.Parsed, item: Node) -> str | None:
    """Why a trait member keeps its trait from being dyn compatible, read from its source
    (None: it does not, e.g. it already says `where Self: Sized`)."""
    text = parsed.node_text
    if item.type == "const_item":
        return "const"
    if item.type not in ("function_signature_item", "function_item"):
        return None
    where = item.child_by_field_name("where_clause") or next(
        (c for c in item.children if c.type == "where_clause"), None)
    if where is not None and re.search(r"\bSelf\s*:\s*(?:\?\s*)?Sized\b", text(where)):
        return None
    modifiers = next((c for c in item.children if c.type == "function_modifiers"), None)
    if modifiers is not None and "async" in text(modifiers).split():
        return "async"
    generics = item.child_by_field_name("type_parameters")
    if generics is not None and any(c.type != "lifetime_parameter"
                                    for c in generics.named_children):
        return "generic"
    parameters = item.child_by_field_name("parameters")
    params = parameters.named_children if parameters is not None else []
    if not any(p.type == "self_parameter" for p in params):
        return "no_self"
    if any(p.type == "parameter" and _SELF.search(text(p)) for p in params):
        return "self_param"
    returned = item.child_by_field_name("return_type")
    if returned is not None and _SELF.search(text(returned)):
        return "self_return"
    if returned is not None and text(returned).lstrip().startswith("impl "):
        return "impl_trait"
    return None


def _vtable_span(diagnostic: Diagnostic) -> Span | None:
    """Where the "for a trait to be dyn compatible…" note points: a label through
    rust-analyzer, a child note with the offending item's span in rustc's JSON."""
    return next((span for span, _ in diagnostic.find_all(_VTABLE) if span is not None), None)


def _trait_source(diagnostic: Diagnostic, sources: Sources, trait: str
                  ) -> tuple[SourceFile, dict[str, Node]] | None:
    """The file (among those the diagnostic names) that declares `trait`, with its members."""
    for path in common.known_files(diagnostic, sources):
        file = SourceFile.load(sources, path)
        node = _trait_node(file.parsed, trait) if file is not None else None
        if file is not None and node is not None:
            return file, _members(file.parsed, node)
    return None


def _offenders(diagnostic: Diagnostic, members: dict[str, Node],
               parsed: syntax.Parsed | None) -> list[Offender]:
    found: dict[str, Offender] = {}
    for reason, regex in _REASONS:
        for span, hit in diagnostic.find_all(regex):
            name = hit.group("item") if "item" in regex.groupindex else \
                _spanned(span) if reason == "self_bound" else "Sized"
            found.setdefault(name, Offender(name, reason, span))
    # rust-analyzer's shape: the hints name the items, the source says why.
    vtable = _vtable_span(diagnostic)
    named = [hit.group("item") for _, hit in diagnostic.find_all(MOVE_HINT)]
    if parsed is not None and vtable is not None:
        node = locate.node_at(parsed, vtable.line_start, vtable.column_start)
        if node is not None and parsed.node_text(node) == "Sized" and syntax.enclosing(
                node, "trait_bounds") is not None:
            found.setdefault("Sized", Offender("Sized", "sized", vtable))
        spanned = parsed.node_text(node) if node is not None and syntax.enclosing(
            node, "trait_bounds") is not None else ""
        if spanned and _SELF_BOUND.fullmatch(spanned):
            found.setdefault(spanned, Offender(spanned, "self_bound", vtable))
        owner = syntax.enclosing(node, "function_signature_item", "function_item",
                                 "const_item") if node is not None else None
        owner_name = owner.child_by_field_name("name") if owner is not None else None
        if owner_name is not None:
            named.insert(0, parsed.node_text(owner_name))
    for name in named:
        item = members.get(name)
        why = source_reason(parsed, item) if parsed is not None and item else None
        if why is not None and name not in found:
            found[name] = Offender(name, why, vtable if not found else None)
    # In the trait's order, as rustc labels them (its labels come grouped by reason here).
    return sorted(found.values(), key=lambda o: o.span.line_start if o.span else 1 << 30)


def _spanned(span: Span | None) -> str:
    """The text a one-line label spans (the bound naming `Self`), or `Self`."""
    if span is None or not span.text or span.line_start != span.line_end:
        return "Self"
    return span.text[0][span.column_start - 1:span.column_end - 1].strip() or "Self"


def _implementors(diagnostic: Diagnostic) -> list[str]:
    only = diagnostic.find(_ONLY_TYPE)
    if only is not None:
        return [only.group("type")]
    listed = diagnostic.find(_LISTED)
    if listed is not None:
        return [m.group("type") for line in listed.group("list").split("\n")
                if (m := _LISTED_LINE.match(line))]
    # rust-analyzer: each listed type is a note of its own.
    notes = [n.message for n in diagnostic.notes()]
    for index, message in enumerate(notes):
        if message.startswith("the following types implement"):
            return [m.group("type") for line in notes[index + 1:]
                    if (m := _LISTED_LINE.match(line))]
    return []


def method_calls(file: SourceFile, trait: str, method: str) -> list[Node]:
    """Calls of `method` that may go through the trait object: `x.method(…)` and
    `Trait::method(…)`."""
    found = []
    for node in file.walk():
        if node.type == "field_expression":
            field = node.child_by_field_name("field")
            if field is not None and file.node_text(field) == method and \
                    node.parent is not None and node.parent.type in ("call_expression",
                                                                     "generic_function"):
                found.append(node)
        elif node.type == "scoped_identifier" and \
                file.node_text(node).replace(" ", "") == f"{trait}::{method}":
            found.append(node)
    return found


def _writes_dyn(diagnostic: Diagnostic, sources: Sources) -> bool:
    """Whether the primary span's code spells `dyn` (true too when it cannot be read)."""
    primary = diagnostic.primary
    file = SourceFile.load(sources, primary.file) if primary is not None else None
    if primary is None or file is None:
        return True
    start = file.byte_at(primary.line_start, primary.column_start)
    end = file.byte_at(primary.line_end, primary.column_end)
    return re.search(rb"\bdyn\b", file.parsed.data[start:end]) is not None


class DynIncompatibleTrait(Family):
    id = "dyn-incompatible-trait"
    title = "Trait that cannot be used as dyn Trait"
    codes = ("E0038",)
    messages = (MESSAGE.pattern,)
    fix_docs: ClassVar[dict[str, str]] = {
        "exclude-from-dyn": "`where Self: Sized` on the offending method: it leaves the vtable "
                            "and stays callable on concrete types",
    }
    no_fix_when: ClassVar[dict[str, str]] = {
        "called_line": "the method is called through the trait object, so excluding it "
                       "from the vtable breaks that call: a redesign is the user's choice",
        "reason=const": "an associated const cannot be excluded from the vtable: moving it "
                        "or turning it into a method changes every implementation",
        "reason=sized": "dropping the `Sized` supertrait changes what every default method "
                        "may do: a decision for the trait's author",
        "reason=self_bound": "moving a bound that names `Self` to a second trait changes what "
                             "every user of the trait may rely on: the trait's author decides",
    }

    def match(self, diagnostic: Diagnostic, sources: Sources) -> Match | None:
        trait = headline_trait(diagnostic)
        if trait is None:
            return None
        declared = _trait_source(diagnostic, sources, trait)
        offenders = _offenders(diagnostic, declared[1] if declared else {},
                               declared[0].parsed if declared else None)
        if not offenders:
            return None
        first = offenders[0]
        facts: dict[str, FactValue] = {"trait": trait, "item": first.name,
                                       "reason": first.reason}
        if len(offenders) > 1:
            facts["items"] = [o.name for o in offenders]
            facts["reasons"] = [o.reason for o in offenders]
        implementors = _implementors(diagnostic)
        if implementors:
            facts["implementors"] = implementors
        place = common.user_place(diagnostic, sources)
        if place is not None:
            # rustc also reports each place a value is made into the trait object
            # (`Some(Box::new(x))`), where no `dyn` is written.
            facts["use_line" if _writes_dyn(diagnostic, sources) else "made_line"] = place.line
        related: list[Related] = []
        if first.span is not None:
            facts["decl_line"] = first.span.line_start
            related.append(Related(first.span, f"`{first.name}` keeps `{trait}` out of "
                                   "`dyn`: this is what to change"))
        if place is not None and first.reason in EXCLUDABLE:
            file = SourceFile.load(sources, place.file)
            calls = method_calls(file, trait, first.name) if file is not None else []
            if file is not None and calls:
                facts["called_line"] = file.parsed.start(calls[0])[0]
                related.append(Related(node_span(file.parsed, calls[0], file.path),
                                       f"`{first.name}` is called here"))
        return Match(family=self, diagnostic=diagnostic, facts=facts, related=related)

    def explain(self, match: Match) -> Explanation:
        items_fact = match.facts.get("items")
        implementors = match.facts.get("implementors")
        return prose.explanation(self.id, self.title, __name__, {
            "trait": match.code("trait", "the trait"), "t": match.fact("trait") or "Trait",
            "item": match.code("item", "one of its methods"),
            "m": match.fact("item") or "method",
            "reason": match.fact("reason"),
            "others": [f"`{name}`" for name in items_fact[1:]]
            if isinstance(items_fact, list) else [],
            "others_excludable": all(r in EXCLUDABLE for r in reasons)
            if isinstance(reasons := match.facts.get("reasons"), list) else False,
            "use_line": match.line("use_line"), "made_line": match.fact("made_line"),
            "decl_line": match.line("decl_line"),
            "called_line": match.fact("called_line"),
            "implementors": [f"`{name}`" for name in implementors]
            if isinstance(implementors, list) else [],
        })

    def fixes(self, match: Match, sources: Sources) -> list[Fix]:
        """`where Self: Sized` on every offending method, when each of them can take it and
        none is called where the trait object could be the receiver."""
        if match.diagnostic is None or match.fact("called_line"):
            return []
        trait = match.fact("trait")
        declared = _trait_source(match.diagnostic, sources, trait) if trait else None
        if trait is None or declared is None:
            return []
        file, members = declared
        listed = match.facts.get("items")
        names = listed if isinstance(listed, list) else [match.fact("item") or ""]
        edits: list[TextEdit] = []
        for name in names:
            item = members.get(name)
            if item is None or source_reason(file.parsed, item) not in EXCLUDABLE or \
                    method_calls(file, trait, name):
                return []
            edits.append(_where_sized(file, item))
        listed = " and ".join(f"`{name}`" for name in names)
        title = f"Exclude {listed} from `dyn {trait}` with `where Self: Sized`"
        return one_fix("exclude-from-dyn", title, edits, preferred=True)


def _where_sized(file: SourceFile, item: Node) -> TextEdit:
    """`where Self: Sized` added to a trait method's signature (to its where clause if any)."""
    where = next((c for c in item.children if c.type == "where_clause"), None)
    if where is not None:
        joiner = " " if file.node_text(where).rstrip().endswith(",") else ", "
        return file.insert_after(where, f"{joiner}Self: Sized")
    anchor = item.child_by_field_name("return_type") or item.child_by_field_name("parameters")
    assert anchor is not None
    return file.insert_after(anchor, " where Self: Sized")


FAMILY = DynIncompatibleTrait()
