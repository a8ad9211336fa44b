"""E0277: a closure handed to a thread (`thread::spawn`, `Builder::spawn`, a scoped spawn,
`spawn_blocking`, rayon …) captures a value that is not `Send` (or shares one that is not
`Sync`): `Rc`, `RefCell`, `Cell`, raw pointers.

Futures are not this family: "future cannot be sent between threads safely" belongs to the
async families, and a type that is itself a `dyn Future` is left alone. Facts: `type` (the
offending type as rustc prints it), `trait` ("Send" or "Sync"), `spawn` (the function whose
bound asked for it), `variable` (the captured binding, found in the closure's body), `via`
(the wrapper that carried a non-`Sync` type, such as `Arc<RefCell<…>>`), `closure_line`;
from the source (`captures.py`): `decl_line`, `origin`/`origin_line`/`made_line` (where the
shared value comes from and is created), `in_loop` and `used_after_spawn` (the shape that
decides whether the thread could simply own the value).
"""

from __future__ import annotations

import re
from typing import ClassVar

import tree_sitter

from borrowlens.analyses.diagnostics.model import Diagnostic, Span
from borrowlens.analyses.explain import prose
from borrowlens.analyses.explain.model import Explanation
from borrowlens.analyses.families.base import FactValue, Family, Match, Related
from borrowlens.analyses.families.send import phrases
from borrowlens.analyses.families.traits import analysis as common
from borrowlens.analyses.families.traits import captures
from borrowlens.analyses.fixes.edits import Fix
from borrowlens.analyses.fixes.rc_to_arc import offers as rc_offers
from borrowlens.analyses.rust import items, locate, syntax
from borrowlens.analyses.rust.sources import Sources

MESSAGE = re.compile(r"^`(?P<type>.+)` cannot be (?P<how>sent|shared) between threads safely")
NOT_IMPL = re.compile(r"the trait `(?:[\w:]*::)?(?P<trait>Send|Sync)` is not implemented "
                       r"for `(?P<type>[^`]+)`")
VIA = re.compile(r"required for `(?P<via>[^`]+)` to implement `(?:[\w:]*::)?Send`")
_WITHIN_TYPE = re.compile(r"required because it appears within the type `(?P<outer>[^`]+)`")
_FUTURE_CONTEXT = re.compile(r"\{async (?:block|fn body|closure body)@|used within this `async")
_LEAD_PATH = re.compile(r"^(?:[a-z_][a-z0-9_]*::)+")
# Callees that hand their argument to another thread (std, scoped threads, tokio, rayon, pools).
_THREADED = re.compile(r"spawn|scope|thread|par_|rayon|execute|join|install|broadcast",
                       re.IGNORECASE)
_RESTRICT = re.compile(r"consider (?:further )?restricting type parameter `(?P<param>\w+)`")


def type_head(type_text: str) -> str:
    """`std::rc::Rc<RefCell<T>>` -> `Rc`; `&Cell<u8>` -> `Cell`; `*mut u8` -> `*mut`."""
    text = type_text.strip()
    text = re.sub(r"^&(?:'\w+\s+)?(?:mut\s+)?", "", text)
    if text.startswith("*mut") or text.startswith("*const"):
        return text.split()[0]
    text = _LEAD_PATH.sub("", text)
    found = re.match(r"[A-Za-z_][A-Za-z0-9_]*", text)
    return found.group(0) if found else text


def thread_safe_twin(type_text: str | None, via: str | None) -> tuple[str | None, str | None]:
    """(the type to change, its thread-safe twin or None) for a type rustc says is not
    `Send`/`Sync`, reached through `via` (`Arc<RefCell<T>>`, `&RefCell<T>`) or not."""
    head = type_head(type_text) if type_text else ""
    # A non-`Sync` cell reached through an `Arc` is fixed in the `Arc`'s type.
    carrier = via if head in ("RefCell", "Cell") and via and not via.startswith("&") \
        else type_text
    # Only the pointer and cell types have one obvious twin worth spelling out.
    twin = phrases.thread_safe_type(carrier) if carrier and head in ("Rc", "RefCell", "Cell") \
        else None
    return carrier, twin


def _closure(diagnostic: Diagnostic, sources: Sources,
             parsed: syntax.Parsed | None) -> tree_sitter.Node | None:
    if parsed is None:
        return None
    places: list[common.Place] = []
    file = common.user_place(diagnostic, sources)
    placeholder = common.placeholder_place(diagnostic.all_text(), "closure",
                                           file.file if file else None)
    if placeholder is not None:
        places.append(placeholder)
    used = diagnostic.span_labelled(r"used within this closure")
    if used is not None:
        places.append(common.span_place(used[0]))
    if file is not None:
        places.append(file)
    for place in places:
        node = locate.node_at(parsed, place.line, place.column)
        closure = syntax.enclosing(node, "closure_expression") if node else None
        if closure is not None:
            return closure
    return None


_LOOPS = ("for_expression", "while_expression", "loop_expression")


def _declared_field(parsed: syntax.Parsed, name: str, type_text: str) -> dict[str, FactValue]:
    """A captured `x.field` whose struct (in the same file) declares `field` with the type
    rustc names: where to make the type thread-safe (`origin_field`, `origin_line`)."""
    wanted = re.sub(r"\s+", "", type_text)
    for _, struct in items.named_items(parsed, "struct_item"):
        for node in items.field_declarations(struct):
            field, kind = node.child_by_field_name("name"), node.child_by_field_name("type")
            if field is not None and kind is not None and parsed.node_text(field) == name \
                    and re.sub(r"\s+", "", parsed.node_text(kind)) == wanted:
                return {"origin_field": name, "origin_line": parsed.start(node)[0]}
    return {}


def _shape(parsed: syntax.Parsed, closure: tree_sitter.Node, variable: str,
           origin: dict[str, FactValue]) -> dict[str, FactValue]:
    """The origin facts, plus the shape of the spawn: `in_loop` (the closure is created
    inside a loop, so each turn needs its own copy) and `used_after_spawn` (the value, or the
    one it is copied from, is used again after the closure in the same fn: the thread cannot
    simply take it over)."""
    facts = dict(origin)
    if "." in variable:
        facts.pop("decl_line", None)  # the line declares `x`, not `x.field`
    function = syntax.enclosing(closure, "function_item")
    if function is None:
        return facts
    if any(a.type in _LOOPS and a.start_byte >= function.start_byte
           for a in syntax.ancestors(closure)):
        facts["in_loop"] = "true"
    names = {variable.split(".", maxsplit=1)[0], str(origin.get("origin", variable)).split(".")[0]}
    stack = [function]
    while stack:
        node = stack.pop()
        if node.end_byte <= closure.end_byte:
            continue
        if node.type in ("identifier", "self") and node.start_byte >= closure.end_byte \
                and parsed.node_text(node) in names:
            facts["used_after_spawn"] = "true"
            break
        stack.extend(node.children)
    return facts


def _span(parsed: syntax.Parsed, file: str, node: tree_sitter.Node) -> Span:
    (line, column), (end_line, end_column) = parsed.start(node), parsed.end(node)
    return Span(file, line, column, end_line, end_column)


class ThreadSpawnNotSend(Family):
    id = "thread-spawn-not-send"
    title = "Value captured by a thread is not Send/Sync"
    codes = ("E0277",)
    messages = (MESSAGE.pattern,)
    fix_docs: ClassVar[dict[str, str]] = {
        "rc-to-arc": "the captured `Rc` becomes `Arc` (`Rc<RefCell<T>>` becomes `Arc<Mutex<T>>`), "
            "with the values it flows into and their `use` lines",
        "rc-to-arc-rwlock": "`Rc<RefCell<T>>` becomes `Arc<RwLock<T>>` instead",
        "refcell-to-mutex": "the `RefCell` of an `Arc<RefCell<T>>` or a shared `&RefCell<T>` "
            "becomes a `Mutex`",
        "refcell-to-rwlock": "the same with an `RwLock`",
    }
    # Where this family offers no fix, the explanation lays out a design decision.
    no_fix_reason = (
        "the value the thread needs is not `Send` by design (a `Cell`, a receiver "
        "shared with the caller): a thread-safe replacement or a different hand-off is "
        "the user's choice")

    def match(self, diagnostic: Diagnostic, sources: Sources) -> Match | None:
        if diagnostic.code not in (None, "E0277"):
            return None
        head = MESSAGE.match(diagnostic.message)
        if head is None:
            return None
        type_text = head.group("type")
        if "Future" in type_text or "{async" in type_text:
            return None
        text = diagnostic.all_text()
        if _FUTURE_CONTEXT.search(text) and "closure" not in text:
            return None
        facts: dict[str, FactValue] = {"type": type_text}
        not_impl = diagnostic.find(NOT_IMPL)
        trait = not_impl.group("trait") if not_impl else (
            "Send" if head.group("how") == "sent" else "Sync")
        facts["trait"] = trait
        spawn = common.bound_in(diagnostic)
        if spawn:
            facts["spawn"] = spawn
        via = diagnostic.find(VIA)
        if via and via.group("via") != type_text:
            facts["via"] = via.group("via")
        related: list[Related] = []
        place = common.user_place(diagnostic, sources)
        parsed = common.parsed_at(place, sources)
        closure = _closure(diagnostic, sources, parsed)
        if closure is not None and parsed is not None:
            facts["closure_line"] = parsed.start(closure)[0]
            heads = [type_head(type_text)]
            heads += [type_head(m.group("outer")) for _, m in diagnostic.find_all(_WITHIN_TYPE)
                      if not m.group("outer").startswith(("{", "("))]
            resolver = captures.Resolver(parsed, captures.head_pattern(heads))
            variable = resolver.captured(closure)
            if variable:
                facts["variable"] = variable
                facts.update(_shape(parsed, closure, variable, resolver.origin(variable,
                                                                               closure)))
                if "." in variable and "origin_field" not in facts and type_text:
                    facts.update(_declared_field(parsed, variable.rsplit(".", 1)[1],
                                                 type_text))
        used = diagnostic.span_labelled(r"used within this closure")
        # No closure and a callee that is no spawn: only a bound (`fn check<T: Send>()`, an
        # impl's `T: Send`) asks for it, and no thread is in sight.
        if closure is None and used is None and not _THREADED.search(spawn or ""):
            facts["shape"] = "bound"
            restrict = diagnostic.find(_RESTRICT)
            if restrict is not None:
                facts["restrict"] = restrict.group("param")
            if not_impl is not None:  # `&dyn T` is not `Send` because `dyn T` is not `Sync`
                facts["type"] = not_impl.group("type")
            bound = diagnostic.span_labelled(r"required by this bound")
            if bound is not None:
                related.append(Related(bound[0], f"this bound asks for `{trait}`"))
            elif diagnostic.primary is not None:
                related.append(Related(diagnostic.primary, f"`{trait}` is required here"))
        elif spawn and not _THREADED.search(spawn):
            facts["threaded"] = "no"  # a closure a plain fn's `F: Send` bound asks for
        if used is not None:
            related.append(Related(used[0], "the closure that captures it; everything it "
                                   f"captures must be {trait}"))
        elif closure is not None and parsed is not None and place is not None:
            related.append(Related(_span(parsed, place.file, closure), "this closure runs on "
                                   f"another thread, so everything it captures must be {trait}"))
        for key, message in (("made_line", "the shared value is created here: make it "
                                           "thread-safe here"),
                             ("origin_line", "the captured value comes from here"),
                             ("decl_line", "the captured value is declared here")):
            line = facts.get(key)
            if isinstance(line, int) and place is not None:
                related.insert(0, Related(Span(place.file, line, 1, line, 2), message))
                break
        return Match(family=self, diagnostic=diagnostic, facts=facts, related=related)

    def explain(self, match: Match) -> Explanation:
        type_text = match.fact("type")
        ty = match.code("type", "a captured value")
        variable = match.fact("variable")
        via = match.fact("via")
        head = type_head(type_text) if type_text else ""
        carrier, twin = thread_safe_twin(type_text, via)
        origin = match.fact("origin")
        return prose.explanation(self.id, self.title, __name__, {
            "head": head, "trait": match.fact("trait") or "Send", "ty": ty, "type": type_text,
            "subject": f"`{variable}` ({ty})" if variable else ty,
            "spawn": match.code("spawn", "a spawn function"), "via": via,
            "closure_line": match.line("closure_line"), "receiver": variable or "rx",
            "name": f"`{variable}`" if variable else None,
            "short_ty": prose.short_type(type_text) if type_text else None,
            "spawned": bool(match.fact("spawn")),
            "via_head": type_head(via) if via and not via.startswith("&") else None,
            "twin": twin, "twin_short": prose.short_type(twin) if twin else None,
            "carrier": f"`{carrier}`" if carrier else ty,
            "at": match.fact("closure_line"), "decl_line": match.fact("decl_line"),
            "made_line": match.fact("made_line"), "origin_line": match.fact("origin_line"),
            "origin_field": match.fact("origin_field") or (
                origin.rsplit(".", 1)[1] if origin and "." in origin else None),
            "in_loop": match.fact("in_loop") == "true",
            "used_after": match.fact("used_after_spawn") == "true",
            "located": bool(variable and match.fact("closure_line")),
            "bound_only": match.fact("shape") == "bound", "restrict": match.fact("restrict"),
            "owner": match.code("spawn", "the impl or item it is used with"),
            "unthreaded": match.fact("threaded") == "no",
        })

    def fixes(self, match: Match, sources: Sources) -> list[Fix]:
        """`Rc` → `Arc` (`rc-to-arc`), and a `RefCell` inside → `Mutex` (preferred) or
        `RwLock` (`rc-to-arc-rwlock`; `refcell-to-mutex`/`refcell-to-rwlock` when the
        pointer is already an `Arc` or the cell is borrowed directly). `Cell`, raw pointers
        and channel ends get no fix: their replacements change the code that uses them."""
        if match.diagnostic is None:
            return []
        place = common.user_place(match.diagnostic, sources)
        variable, type_text = match.fact("variable"), match.fact("type")
        line = match.fact("closure_line")
        if place is None or not variable or not type_text or line is None:
            return []
        return rc_offers.thread_fixes(sources, path=place.file, line=int(line),
                                      variable=variable, type_text=type_text,
                                      via=match.fact("via"))


FAMILY = ThreadSpawnNotSend()
