"""E0597: a borrow outlives the value it points into.

Two shapes share the code. In the plain one a reference is stored somewhere (a struct, an
outer variable, a collection) that is still used after the value's scope has ended. In the
`'static` one an API demands `'static` — `thread::spawn`, `tokio::spawn`, a `Box<dyn Fn>`,
a `&'static` annotation — and a reference to a local can never satisfy it. The facts are the
variable, where it is borrowed and dropped, what demands `'static` and, when the source shows
it, the variable's type.
"""

from __future__ import annotations

import re
from typing import ClassVar

from borrowlens.analyses.diagnostics.model import Diagnostic, Span
from borrowlens.analyses.explain import prose
from borrowlens.analyses.explain.model import Explanation
from borrowlens.analyses.families.base import FactValue, Family, Match, Related
from borrowlens.analyses.families.borrows import analysis as common
from borrowlens.analyses.fixes import owned, spawn
from borrowlens.analyses.fixes.edits import Fix
from borrowlens.analyses.fixes.source_file import SourceFile
from borrowlens.analyses.rust import items as rustitems
from borrowlens.analyses.rust import syntax
from borrowlens.analyses.rust.sources import Sources

_MESSAGE = re.compile(r"`([^`]+)` does not live long enough|borrowed value does not live long "
                      r"enough")
# A type parameter's name (`T`, `Item`): rustc's code-less "`T` does not live long enough" is
# the higher-ranked `T: 'a` for every `'a`, which only `T: 'static` meets, not a local's scope.
TYPE_PARAMETER = re.compile(r"[A-Z][A-Za-z0-9_]*")
_STATIC = (r"^(?P<what>argument|cast|type annotation|assignment|returning this value|"
           r"coercion|this usage|[\w ]+?) requires that `(?P<var>[^`]+)` is borrowed for "
           r"`'static`")


# `let view: &[String] = &paths;`: the reference the error's borrow is stored in.
_REFERENCE = re.compile(r"\s*let\s+(?:mut\s+)?(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*(?::[^=;]*)?="
                        r"\s*&\s*(?:mut\s+)?(?P<of>[A-Za-z_][\w.]*)\s*;\s*$")


def _display(value: str) -> str:
    """Inline code for an API or type, plain words for a phrase."""
    return value if " " in value and "<" not in value else prose.code(value)


class DoesNotLiveLongEnough(Family):
    id = "does-not-live-long-enough"
    title = "Borrowed value does not live long enough"
    codes = ("E0597",)
    messages = (_MESSAGE.pattern,)
    fix_docs: ClassVar[dict[str, str]] = {
        "move-into-task": "an owned value goes into the spawned task when that is all it needs: "
            "the borrow (`let r = &x;`) moves inside the task",
        "clone-out-of-guard": "a block that returns a reference into a lock guard returns a "
            "clone (or copy) of the value instead, so the lock is released where it ends",
    }
    # Declaring a value further out moves it into another scope, with everything borrowed from
    # it: where it should live is the user's decision.
    no_fix_reason = ("the value has to live in an outer scope or be owned by its holder: "
                     "where it lives is the user's decision")
    no_fix_when: ClassVar[dict[str, str]] = {
        "workaround=own": "a call that keeps its argument needs owned or `'static` data: "
            "which one, and whether the API should keep it at all, is the user's decision",
        "loop_local": "each loop iteration makes a fresh value: storing it owned changes the "
            "holder's element type, which the user chooses",
        "workaround=arc": "the value is still needed after the hand-off, or a spawn runs on "
            "every iteration: sharing it through an `Arc` changes how it is owned",
        "workaround=scope": "the thread is joined before the function returns: turning it into "
            "a scoped thread restructures the code around the spawn",
        "guard_not_clone": "the value behind the lock guard is not visibly `Clone`: what to copy "
            "out of it, or whether to derive `Clone`, is the user's choice",
    }

    def match(self, diagnostic: Diagnostic, sources: Sources) -> Match | None:
        if diagnostic.code != "E0597" and not _MESSAGE.search(diagnostic.message):
            return None
        if common.is_overcapture(diagnostic):
            return None
        facts: dict[str, FactValue] = {}
        related: list[Related] = []
        named = re.search(r"`([^`]+)` does not live long enough", diagnostic.message)
        dropped = common.labelled(diagnostic, r"`([^`]+)` dropped here while still borrowed")
        variable = named.group(1) if named else (dropped[1].group(1) if dropped else None)
        if not diagnostic.code and dropped is None and named and TYPE_PARAMETER.fullmatch(
                named.group(1)):
            return None  # "`T` does not live long enough": a type needs `T: 'static`
        if variable:
            facts["variable"] = variable
        primary = diagnostic.primary
        if primary is not None:
            facts["borrow_line"] = primary.line_start
            stored = _REFERENCE.match(common.line_text(primary, sources) or "")
            if stored and variable and common.root_name(stored.group("of")) == variable:
                facts["reference"] = stored.group("name")
                facts["borrow_stmt"] = stored.group(0).strip()
        if dropped is not None:
            facts["dropped_line"] = dropped[0].line_start
            related.append(Related(dropped[0], "the value is dropped here, at the end of its "
                                               "scope, while the borrow is still needed"))
        declared = common.secondary(diagnostic, r"^binding `[^`]+` declared here")
        if declared is not None:
            facts["declared_line"] = declared.line_start
            kind = common.binding_type(declared, sources)
            if kind is None and variable and primary is not None:
                # Pasted text gives the label no column: a parameter is found by its name.
                parameter = common.parameter_span(primary, sources, variable)
                if parameter is not None and parameter.line_start == declared.line_start:
                    kind = common.binding_type(parameter, sources)
            if kind:
                facts["type"] = kind
        used = common.secondary(diagnostic, r"borrow later (used|captured|stored)")
        if used is not None:
            facts["use_line"] = used.line_start
            related.append(Related(used, "the borrow is still used here"))
            holder = common.root_name(common.span_text(used, sources) or "")
            if re.fullmatch(r"[a-z_][A-Za-z0-9_]*", holder) and holder != variable:
                facts["holder"] = holder
            if declared is not None and _declared_in_loop_ending_before(declared, sources,
                                                                        used.line_start):
                facts["loop_local"] = "yes"
        static = common.labelled(diagnostic, _STATIC)
        if static is None and "holder" not in facts:
            facts.update(_kept_by_call(diagnostic, sources, related))
        guarded = _guard_tail(diagnostic, sources, variable) if static is None else None
        if guarded is not None:
            facts["guard_value_type"] = guarded.value_type
            if guarded.owned:
                facts["owned_tail"] = guarded.owned
            else:
                facts["guard_not_clone"] = "yes"
        if static is not None:
            span, found = static
            what = found.group("what")
            callee = common.call_at(span, sources) if what == "argument" else None
            if what == "argument" and callee is None:
                callee = common.spawn_call_on_line(span, sources)
            facts["static_line"] = (common.call_line(span, sources) if callee
                                    else span.line_start)
            facts["static_by"] = callee or self._static_phrase(diagnostic, what)
            related.append(Related(span, "this demands `'static`: own the data instead of "
                                         "borrowing it"))
            if what in ("cast", "coercion"):
                demanded = _dyn_parameter(span, sources)
                if demanded is not None:
                    facts["bound_fn"], parameter = demanded
                    facts["bound_line"] = parameter.line_start
                    related.append(Related(parameter, "a `dyn` type without a lifetime means "
                                                      "`+ 'static` here"))
            task = common.span_text(span, sources) or ""
            if re.search(r"\basync\s+(?:move\s*)?\{", task):
                facts["task_kind"] = "async block"
            elif re.search(r"(?:\bmove\s*|[(,]\s*)\|", task):
                facts["task_kind"] = "closure"
            declared_line = declared.line_start if declared is not None else None
            if common.in_loop_outside(span, sources, declared_line):
                facts["in_loop"] = "yes"
            facts["workaround"] = self._workaround(diagnostic, sources, span, callee, variable)
            if facts["workaround"] == "move" and "in_loop" in facts:
                # Moved into a task made on every iteration, it would be gone by the second.
                facts["workaround"] = "arc"
            elif facts["workaround"] == "move" and "task_kind" not in facts and not (
                    callee and "spawn" in callee):
                # A plain call that keeps its argument (a registry, a global hook): nothing is
                # spawned, so there is no task to move into; the argument itself must own.
                facts["workaround"] = "own"
        return Match(family=self, diagnostic=diagnostic, facts=facts, related=related)

    @staticmethod
    def _static_phrase(diagnostic: Diagnostic, what: str) -> str:
        if what in ("cast", "coercion"):
            found = diagnostic.find(r"object lifetime defaults, `([^`]+)` actually means")
            if found:
                kind = re.sub(r"for<[^>]*>\s*|'[a-z_]\w*\s+", "", found.group(1))
                return kind
            return "the conversion to a `dyn` trait object"
        if what == "type annotation":
            return "the `'static` type annotation"
        return {"returning this value": "the returned value", "this usage": "this use",
                "argument": "this argument"}.get(what, f"this {what}")

    @staticmethod
    def _workaround(diagnostic: Diagnostic, sources: Sources, span: Span,
                    callee: str | None, variable: str | None) -> str:
        """Which of the three 'static workarounds fits: "scope", "arc" or "move"."""
        text = sources.text(span.file) or ""
        if callee and callee.endswith("thread::spawn") and ".join()" in text:
            return "scope"
        if variable and common.uses_after(span, sources, common.root_name(variable),
                                          "call_expression") is not None:
            return "arc"
        return "move"

    def explain(self, match: Match) -> Explanation:
        static_by = match.fact("static_by")
        by_kind = None if not static_by else "phrase" if " " in static_by and \
            "<" not in static_by else "type" if re.search(r"[<&]|\bdyn\b", static_by) else "call"
        type_ = match.fact("type")
        return prose.explanation(self.id, self.title, __name__, {
            "variable": match.fact("variable"),
            "type_": prose.short_type(type_) if type_ else None,
            "borrow_line": match.fact("borrow_line"), "dropped_line": match.fact("dropped_line"),
            "use_line": match.fact("use_line"), "static": bool(static_by),
            "by": _display(static_by) if static_by else None, "by_kind": by_kind,
            "static_line": match.fact("static_line"),
            "spawn_like": bool(static_by and by_kind == "call" and "spawn" in static_by),
            "task": match.fact("task_kind") or ("closure" if by_kind == "type" else "task"),
            "fits": match.fact("workaround") or "move", "in_loop": bool(match.fact("in_loop")),
            "reference": match.fact("reference"), "borrow_stmt": match.fact("borrow_stmt"),
            "holder": match.fact("holder"), "loop_local": bool(match.fact("loop_local")),
            "bound_fn": match.fact("bound_fn"), "bound_line": match.fact("bound_line"),
            "guard_value": match.fact("guard_value_type"), "owned_tail": match.fact("owned_tail"),
            "kept_in": match.fact("kept_in"), "kept_type": match.fact("kept_type"),
            "kept_by": match.fact("kept_by"), "declared_line": match.fact("declared_line"),
        })

    def fixes(self, match: Match, sources: Sources) -> list[Fix]:
        """A spawn handed `let r = &x;`: move that `let` into the task, so the task owns
        `x` — only when neither `x` nor `r` is used after the spawn and `x` is visibly an
        owned, `Send` value. Everything else needs a design choice the explanation lays out."""
        diagnostic = match.diagnostic
        variable = match.fact("variable")
        primary = diagnostic.primary if diagnostic is not None else None
        static = common.labelled(diagnostic, _STATIC) if diagnostic is not None else None
        if primary is not None and static is None and variable and match.fact("owned_tail"):
            file = SourceFile.load(sources, primary.file)
            borrow = file.node_for_span(primary) if file is not None else None
            found = owned.guard_tail(file, borrow, variable) if file and borrow else None
            fix = owned.guard_clone_out(file, found) if file and found else None
            return [fix] if fix is not None else []
        if primary is None or static is None or not variable or "." in variable:
            return []
        file = SourceFile.load(sources, primary.file)
        if file is None or static[0].file != primary.file:
            return []
        borrow = file.node_for_span(primary)
        static_at = file.node_for_span(static[0])
        if borrow is None or static_at is None:
            return []
        fix = spawn.move_borrow_into_task(file, borrow, static_at, variable,
                                          match.fact("type"))
        return [fix] if fix is not None else []


def _kept_by_call(diagnostic: Diagnostic, sources: Sources,
                  related: list[Related]) -> dict[str, FactValue]:
    """A call whose argument must be borrowed for the lifetime of another value's type
    (`cache.get_or_load(&key)` with `cache: &mut Cache<'1>`): the callee keeps the borrow in
    that value. `kept_in` (its name), `kept_type` (its type, lifetimes as `'_`), `kept_by`
    (the method or fn called); `related` points at that value's declaration."""
    argument = common.labelled(diagnostic, r"^argument requires that `[^`]+` is borrowed for "
                                           r"`('(?!static)\w+)`")
    if argument is None:
        return {}
    lifetime = argument[1].group(1)
    typed = next((s for s in diagnostic.spans if s.label and re.fullmatch(
        rf"has type `([^`]*{re.escape(lifetime)}\b[^`]*)`", s.label)), None)
    facts: dict[str, FactValue] = {}
    callee = common.call_at(argument[0], sources)
    if callee:
        facts["kept_by"] = callee.rsplit(".", 1)[-1].rsplit("::", 1)[-1]
    if typed is None or typed.label is None:
        return facts
    kind = re.fullmatch(r"has type `([^`]*)`", typed.label)
    name = common.span_text(typed, sources)
    base = re.search(r"[A-Za-z_]\w*", re.sub(r"^&\s*(?:'\w+\s+)?(?:mut\s+)?", "",
                                              kind.group(1))) if kind else None
    if (not name or not re.fullmatch(r"\w+", name)) and base is not None:
        # Pasted text gives the label no column: the parameter is found by its type.
        typed_as = re.search(rf"\b(\w+)\s*:\s*&?\s*(?:'\w+\s+)?(?:mut\s+)?"
                             rf"{re.escape(base.group(0))}\b",
                             common.line_text(typed, sources) or "")
        name = typed_as.group(1) if typed_as else None
    if not name or not re.fullmatch(r"\w+", name):
        return facts
    facts["kept_in"] = name
    if kind is not None:
        facts["kept_type"] = re.sub(r"'\w+", "'_", kind.group(1))
    related.append(Related(typed, f"`{name}` keeps the borrow: it must live as long as "
                                  f"`{name}`'s lifetime"))
    return facts


def _guard_tail(diagnostic: Diagnostic, sources: Sources,
                variable: str | None) -> owned.GuardTail | None:
    """The block tail `&guard[i]` the borrow sits in, when the dropped value is a lock guard."""
    primary = diagnostic.primary
    if primary is None or not variable or not re.fullmatch(r"\w+", variable):
        return None
    file = SourceFile.load(sources, primary.file)
    borrow = file.node_for_span(primary) if file is not None else None
    return owned.guard_tail(file, borrow, variable) if file and borrow else None


def _declared_in_loop_ending_before(declared: Span, sources: Sources, line: int) -> bool:
    """True when the binding is declared inside a loop body that ends before `line`: each
    iteration makes a fresh value, so declaring it further out cannot help."""
    text = sources.text(declared.file)
    if text is None:
        return False
    parsed = syntax.parse(text)
    node = parsed.node_at(declared.line_start, declared.column_start)
    loop = syntax.enclosing(node, "for_expression", "while_expression",
                            "loop_expression") if node is not None else None
    return loop is not None and parsed.end(loop)[0] < line


def _dyn_parameter(span: Span, sources: Sources) -> tuple[str, Span] | None:
    """For a value converted to a `dyn` type as the argument of a call (`router.add(Box::new(
    …))`): the called fn's name and its parameter whose type spells the `dyn`, when that fn
    is in the same file. That signature is where the implicit `+ 'static` comes from."""
    text = sources.text(span.file)
    if text is None:
        return None
    parsed = syntax.parse(text)
    node = parsed.node_at(span.line_start, span.column_start)
    arguments = syntax.enclosing(node, "arguments") if node is not None else None
    call = arguments.parent if arguments is not None else None
    function = call.child_by_field_name("function") if call is not None else None
    if function is None:
        return None
    name = re.sub(r"^.*(?:\.|::)", "", parsed.node_text(function))
    for found, item in rustitems.named_items(parsed, "function_item"):
        parameters = item.child_by_field_name("parameters")
        if parameters is None or found != name:
            continue
        for parameter in parameters.named_children:
            kind = parameter.child_by_field_name("type")
            if kind is not None and "dyn " in parsed.node_text(kind):
                return name, common.node_span(parsed, parameter, span.file)
    return None


FAMILY = DoesNotLiveLongEnough()
