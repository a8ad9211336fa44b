"""E0521: a reference parameter (often `&self`) escapes the function through something that
needs `'static` or a longer lifetime: `thread::spawn`, `tokio::spawn`, a field or collection
that outlives the call.

The facts are the escaping parameter, the function it belongs to and the call it escapes
through.
"""

from __future__ import annotations

import re

from borrowlens.analyses.diagnostics.model import Diagnostic
from borrowlens.analyses.explain.model import Explanation, Link
from borrowlens.analyses.families.base import FactValue, Family, Match, Related
from borrowlens.analyses.families.borrows import analysis as common
from borrowlens.analyses.fixes import spawn
from borrowlens.analyses.fixes.edits import Fix
from borrowlens.analyses.fixes.source_file import SourceFile
from borrowlens.analyses.rust import locate
from borrowlens.analyses.rust.sources import Sources

_MESSAGE = re.compile(r"borrowed data escapes outside of (?P<where>function|method|closure|"
                      r"associated function)")


class BorrowedDataEscapes(Family):
    id = "borrowed-data-escapes"
    title = "Borrowed data escapes the function"
    codes = ("E0521",)

    def match(self, diagnostic: Diagnostic, sources: Sources) -> Match | None:
        found = _MESSAGE.search(diagnostic.message)
        if found is None and diagnostic.code != "E0521":
            return None
        facts: dict[str, FactValue] = {}
        related: list[Related] = []
        facts["scope"] = found.group("where") if found else "function"
        for pattern in (r"`([^`]+)` escapes the [\w ]+? body",
                        r"`([^`]+)` is a reference that is only valid in the",
                        r"`([^`]+)` declared here, outside of the"):
            param = diagnostic.find(pattern)
            if param is not None:
                facts["variable"] = param.group(1)
                break
        outside = diagnostic.find(r"`([^`]+)` declared here, outside of the")
        if outside is not None and outside.group(1) != facts.get("variable"):
            facts["container"] = outside.group(1)
        declared = common.secondary(diagnostic, r"is a reference that is only valid in the")
        if declared is not None:
            related.append(Related(declared, "this reference only lives for the call: "
                                             "take owned data or an `Arc` instead"))
        primary = diagnostic.primary
        if primary is not None:
            facts["escape_line"] = primary.line_start
            function = locate.function_name_at(primary, sources)
            if function:
                facts["function"] = function
            body = common.span_text(primary, sources) or ""
            fields = list(dict.fromkeys(re.findall(r"\bself\.(\w+)\b(?!\s*(?:::<[^>]*>)?\()",
                                                   body)))
            if fields:
                facts["self_fields"] = fields
            if re.search(r"\bself\.\w+\s*(?:::<[^>]*>)?\(", body):
                facts["self_methods"] = "yes"
            via = common.call_at(primary, sources)
            if via:
                facts["escapes_via"] = via
        static = diagnostic.find(r"must outlive `'static`")
        if static is not None:
            facts["needs"] = "'static"
        return Match(family=self, diagnostic=diagnostic, facts=facts, related=related)

    def explain(self, match: Match) -> Explanation:
        variable = match.code("variable", "a reference parameter")
        name = match.fact("variable") or "value"
        function = match.code("function", f"the {match.fact('scope') or 'function'}")
        via = match.fact("escapes_via")
        through = (f"`{via}`" if via else
                   "something longer-lived (a spawned task, a thread, a container)")
        line = match.line("escape_line")
        spawn_like = bool(via and "spawn" in via)
        is_self = name == "self"
        fields = match.facts.get("self_fields")
        field = fields[0] if isinstance(fields, list) and fields else "data"
        arc_self = (
            "keep the object in an `Arc` and give the method a `self: &Arc<Self>` "
            "receiver, then move `Arc::clone(self)` into the task so it owns a share of "
            "the whole object"
        )
        container = match.fact("container")
        if container and not spawn_like:
            item = f"self.{field}" if is_self and field != "data" else name
            preferred = (
                f"`{container}` outlives the call, so it cannot hold a borrow of {variable}. "
                f"Either store owned values in it (make it hold `String`s / `Vec`s and push "
                f"`{item}.to_owned()` or `.clone()`), or tie the lifetimes together so the "
                f"borrow is allowed: `fn {match.fact('function') or 'f'}<'a>(…: &'a …, "
                f"{container}: &mut Vec<&'a …>)` instead of `'static`."
            )
        elif is_self and match.fact("self_methods"):
            preferred = (
                f"The task calls methods on `self`, so it needs the whole object: {arc_self}."
                f"\n\nIf it only needs some fields, clone those before spawning instead "
                f"(`let {field} = self.{field}.clone();`) and move the copies in."
            )
        elif is_self:
            preferred = (
                f"Clone what the task needs out of `self` before spawning and move those "
                f"owned values in: `let {field} = self.{field}.clone();`, then use `{field}` "
                f"inside a `move` closure or `async move` block. If the whole object is "
                f"needed, {arc_self}."
            )
        else:
            preferred = (
                f"Give the task its own copy: `let {name} = {name}.to_owned();` before "
                f"{through} and move that in (`to_owned()` turns a `&str` into a `String`, a "
                "`&[T]` into a `Vec<T>`). Better still, change the parameter to take owned "
                "data (`String`, `Vec<T>`, `Arc<T>`) so callers that already own it pay "
                "nothing."
            )
        return Explanation(
            family=self.id,
            title=self.title,
            tldr=common.sentence(
                f"{variable} is a reference that only lives during the call to {function}, "
                  f"but {through}{line} keeps it longer; move owned data (a clone or an "
                  "`Arc`) in instead."),
            what=common.sentence(
                f"{variable} is borrowed by {function} from its caller, and that borrow is "
                f"only guaranteed to be valid until {function} returns. "
                f"{common.sentence(through)}{line} "
                "takes it and needs it to live longer — "
                + ("for `'static`, because the spawned work may run after the call has "
                   "finished." if spawn_like else
                   "for `'static`, which no borrowed parameter can promise."
                   if match.fact("needs") else
                   "for a lifetime longer than the call.")
            ),
            why=(
                "Inside a function, a reference parameter has a lifetime chosen by the "
                "caller: the function knows only that it outlives the call, nothing more. "
                "Handing it to a thread, a spawned task or a longer-lived container would "
                "let it be used after the caller has freed or changed the data, so the "
                "borrow checker reports that the borrowed data escapes.\n\n"
                "`spawn` functions require `F: 'static` because a detached task is not tied "
                "to any stack frame; no borrowed parameter can promise that."
            ),
            fix=(
                f"{preferred}\n\n"
                "If the work must finish before the function returns, don't detach it: "
                "`std::thread::scope` (threads) or awaiting the future directly instead of "
                "spawning it lets the borrow stay a borrow. For containers that keep the "
                "reference, add a lifetime parameter tying the container to the data "
                "(`fn add<'a>(list: &mut Vec<&'a str>, item: &'a str)`), or store owned "
                "values.\n\n"
                "A quick fix is offered when the escaping parameter is a `&str`, `&[T]`, "
                "`&String`, `&Vec<T>` or `&Path` of plain data captured by a `move` task and "
                "not used after it: it copies it into an owned value just before the spawn "
                "(`let name = name.to_owned();`). A borrowed `self`, or a parameter still "
                "needed afterwards, needs one of the design changes above (an `Arc`, cloning "
                "the fields the task reads, a scoped thread), so nothing is offered there."
            ),
            rule=(
                "A reference parameter cannot leave the function it was lent to. Anything "
                "that outlives the call — a spawned task, a thread, a long-lived collection "
                "— needs owned data or a shared owner (`Arc`)."
            ),
            links=(
                Link("Error index: E0521", "https://doc.rust-lang.org/error_codes/E0521.html"),
                Link("tokio::spawn", "https://docs.rs/tokio/latest/tokio/task/fn.spawn.html"),
                Link("std::thread::scope", "https://doc.rust-lang.org/std/thread/fn.scope.html"),
            ),
        )

    def fixes(self, match: Match, sources: Sources) -> list[Fix]:
        """An owned copy of a slice/str parameter made just before a `move` spawn."""
        diagnostic = match.diagnostic
        variable = match.fact("variable")
        primary = diagnostic.primary if diagnostic is not None else None
        if primary is None or not variable or variable == "self":
            return []
        file = SourceFile.load(sources, primary.file)
        node = file.node_for_span(primary) if file is not None else None
        if file is None or node is None:
            return []
        fix = spawn.own_parameter_copy(file, node, variable)
        return [fix] if fix is not None else []


FAMILY = BorrowedDataEscapes()
