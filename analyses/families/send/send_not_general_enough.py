"""A future that must be `Send` fails rustc's higher-ranked check: "implementation of
`FnOnce` is not general enough" where no closure is handed to anything:
a future that must be `Send` (spawned, boxed as `dyn Future + Send`, passed to a `Send`
bound) stores a closure that takes a reference and returns a future, typically
`stream::iter(items.iter()).map(|x| fetch(x)).buffered(n)`.

To prove the outer future `Send`, rustc looks at the types it stores with their lifetimes
made higher-ranked, and then needs the closure to work "for any two lifetimes `'0` and `'1`"
of its argument and of the future it returns, which it cannot show: a known limitation of the
compiler (rust-lang/rust#102211), not a bug in the code. The same root shows up as
"implementation of `Send` is not general enough" and the code-less "higher-ranked lifetime
error": a future holding a borrow inside a generic type (an associated type with a lifetime)
across an await; recognised when rustc's text or the call (an `async fn`'s future, an async
block) ties them to a future. Not this family:
the ordinary not-general-enough closure passed to an `Fn(&T)` bound ("for some specific
lifetime"), which `hrtb-not-general-enough` explains.

Facts: `trait`, `future_fn` (the async fn whose future is handed over), `needed_type` (the
type rustc wanted `Send` for with any lifetime), `borrow`/`borrow_line` (a `&x` argument of
a call that future awaits), `arg_type` (the closure's argument, `&String`), `returns` ("a
future" / "an async block"), `spawn_line` and `spawn` (the call that requires `Send`), from
the source the closure (`closure_line`, `closure`, `combinator`: the method it is passed
to), the fn that builds it (`builder`), and `iter_arg` (the `X` of `stream::iter(X).map(…)`,
for the fix).
"""

from __future__ import annotations

import re
from typing import ClassVar

import tree_sitter

from borrowlens.analyses.diagnostics.model import Diagnostic, Span
from borrowlens.analyses.explain import prose
from borrowlens.analyses.explain.model import Explanation
from borrowlens.analyses.families.base import FactValue, Family, Match, Related
from borrowlens.analyses.families.traits import analysis as common
from borrowlens.analyses.fixes.edits import Fix
from borrowlens.analyses.fixes.source_file import SourceFile, one_fix
from borrowlens.analyses.rust import locate, syntax
from borrowlens.analyses.rust.sources import Sources

_MESSAGE = re.compile(r"implementation of `(?:[\w:]*::)?(?P<trait>FnOnce|FnMut|Fn|Send|Sync)` "
                      r"is not general enough|^higher-ranked lifetime error")
_SIGNATURE = re.compile(r"closure with signature `fn\((?P<args>.*?)\) -> (?P<ret>.+?)` must "
                        r"implement `[^`]+`, for any two lifetimes")
_FUTURE = re.compile(r"Future<|^\{async (?:block|closure)")
_ASYNC_CONTEXT = re.compile(r"Future|\{async |could not prove `.*: (?:Send|Sync)`")
_STREAM_ITER = re.compile(r"^(?:(?:futures::)?stream::)?iter$|::iter$")
_LIFETIME = re.compile(r"'\w+\s*")
_WOULD_HAVE = re.compile(r"`(?:Send|Sync)` would have to be implemented for the type "
                         r"`(?P<type>[^`]+)`, for any lifetime")

FIX_ID = "collect-futures-first"


def _closure(parsed: syntax.Parsed, ret: str, args: int, file: str,
             near: tree_sitter.Node | None) -> tree_sitter.Node | None:
    """The closure rustc means: the one around the async block its signature names, else the
    first closure with `args` parameters passed to a method and returning a call or an
    `async` block, searched in the fn around the error first, then in the whole file."""
    place = common.placeholder_place(ret, "async block", file)
    if place is not None:
        node = locate.node_at(parsed, place.line, place.column)
        found = syntax.enclosing(node, "closure_expression") if node is not None else None
        if found is not None:
            return found
    scopes = [s for s in (locate.enclosing_function(near) if near is not None else None,
                          parsed.root) if s is not None]
    for scope in scopes:
        for node in locate.walk(scope):
            if node.type != "closure_expression":
                continue
            params = node.child_by_field_name("parameters")
            body = node.child_by_field_name("body")
            count = len(params.named_children) if params is not None else -1
            if body is None or count != args or node.parent is None \
                    or node.parent.type != "arguments":
                continue
            if body.type in ("call_expression", "async_block") or (
                    body.type == "block" and "async" in parsed.node_text(body)):
                return node
    return None


def _callee(span: Span, sources: Sources) -> str | None:
    """`tokio::spawn` for a span on `tokio::spawn(…)`: the called path as written."""
    found = locate.at(span, sources)
    call = syntax.enclosing(found.node, "call_expression") if found is not None else None
    function = call.child_by_field_name("function") if call is not None else None
    if found is None or function is None or function.type not in ("identifier",
                                                                   "scoped_identifier"):
        return None
    return found.parsed.node_text(function)


def _future_argument(span: Span, sources: Sources) -> str | None:
    """The future handed to the call at `span`: the name of the `async fn` an argument calls
    (declared in the same file), "an async block", or None."""
    found = locate.at(span, sources)
    call = syntax.enclosing(found.node, "call_expression") if found is not None else None
    arguments = call.child_by_field_name("arguments") if call is not None else None
    if found is None or arguments is None:
        return None
    parsed = found.parsed
    async_fns = {locate.name_of(parsed, n) for n in locate.walk(parsed.root)
                 if n.type == "function_item"
                 and re.match(r"(?:pub(?:\([^)]*\))?\s+)?(?:const\s+)?async\b",
                              parsed.node_text(n))}
    for argument in arguments.named_children:
        if argument.type == "async_block":
            return "an async block"
        callee = argument.child_by_field_name("function") if argument.type == "call_expression" \
            else None
        name = parsed.node_text(callee).rsplit("::", 1)[-1] if callee is not None else None
        if name and name in async_fns:
            return name
    return None


def _awaited_borrow(parsed: syntax.Parsed, function: str,
                    ) -> tuple[str, tree_sitter.Node] | None:
    """In the `async fn` named `function`, the first `&x` argument of a call it awaits."""
    for item in locate.walk(parsed.root):
        if item.type != "function_item" or locate.name_of(parsed, item) != function:
            continue
        for node in locate.walk(item):
            if node.type != "await_expression" or not node.named_children:
                continue
            call = node.named_children[0]
            arguments = call.child_by_field_name("arguments") \
                if call.type == "call_expression" else None
            for argument in arguments.named_children if arguments is not None else []:
                if argument.type == "reference_expression":
                    return parsed.node_text(argument), argument
    return None


def _stream_iter(parsed: syntax.Parsed, closure: tree_sitter.Node) -> tree_sitter.Node | None:
    """The argument `X` of `stream::iter(X).map(closure)`, or None for any other shape."""
    arguments = closure.parent
    call = arguments.parent if arguments is not None else None
    callee = call.child_by_field_name("function") if call is not None else None
    if call is None or callee is None or callee.type != "field_expression":
        return None
    method = callee.child_by_field_name("field")
    receiver = callee.child_by_field_name("value")
    if method is None or parsed.node_text(method) != "map" or receiver is None \
            or receiver.type != "call_expression":
        return None
    function = receiver.child_by_field_name("function")
    args = receiver.child_by_field_name("arguments")
    if function is None or args is None or len(args.named_children) != 1 \
            or not _STREAM_ITER.search(parsed.node_text(function)):
        return None
    return args.named_children[0]


def _borrowing_iterator(text: str) -> str | None:
    """`X` as an iterator of references: `v.iter()` stays, `&path` becomes `path.iter()`;
    None for anything else (an owned `Vec` would change what the closure receives)."""
    if re.search(r"\.iter\(\)$", text):
        return text
    plain = re.fullmatch(r"&\s*(?P<path>[A-Za-z_][\w.]*)", text)
    return f"{plain.group('path')}.iter()" if plain else None


class SendNotGeneralEnough(Family):
    id = "send-not-general-enough"
    title = "A Send future is not general enough over a lifetime"
    codes = ()
    messages = (_MESSAGE.pattern,)
    refines = ("hrtb-not-general-enough",)
    fix_docs: ClassVar[dict[str, str]] = {
        FIX_ID: "`stream::iter(xs.iter()).map(|x| f(x))` becomes "
            "`stream::iter(xs.iter().map(|x| f(x)).collect::<Vec<_>>())`: the futures are "
            "built up front and the stream holds no closure",
    }
    no_fix_reason = (
        "the closure is not the argument of `stream::iter(…).map`, or the borrow is an "
        "argument whose callee may need it borrowed: which owned values to pass instead "
        "depends on the code around it")

    def match(self, diagnostic: Diagnostic, sources: Sources) -> Match | None:
        head = _MESSAGE.search(diagnostic.message)
        if head is None:
            return None
        text = "\n".join([diagnostic.all_text(), diagnostic.rendered or ""])
        signature = _SIGNATURE.search(text)
        trait = head.group("trait")
        primary = diagnostic.primary
        future = _future_argument(primary, sources) if primary is not None else None
        if trait in ("FnOnce", "FnMut", "Fn"):
            if signature is None or not _FUTURE.search(signature.group("ret")):
                return None
        elif not _ASYNC_CONTEXT.search(text) and future is None:
            return None
        facts: dict[str, FactValue] = {"trait": trait or "higher-ranked"}
        related: list[Related] = []
        if future is not None and future != "an async block":
            facts["future_fn"] = future
            located = locate.at(primary, sources) if primary is not None else None
            borrow = _awaited_borrow(located.parsed, future) if located is not None else None
            if borrow is not None and primary is not None and located is not None:
                written, node = borrow
                (line, column), (end_line, end_column) = (located.parsed.start(node),
                                                          located.parsed.end(node))
                facts.update(borrow=written, borrow_line=line)
                related.append(Related(Span(primary.file, line, column, end_line, end_column),
                                       f"`{written}` is kept inside the awaited future, which "
                                       "must be `Send` for any lifetime of this borrow"))
        needed = _WOULD_HAVE.search(text)
        if needed:
            facts["needed_type"] = _LIFETIME.sub("", needed.group("type"))
        if primary is not None:
            facts["spawn_line"] = primary.line_start
            called = _callee(primary, sources)
            if called:
                facts["spawn"] = called
        if signature is not None:
            args = [a.strip() for a in re.split(r",\s*(?![^<]*>)", signature.group("args"))
                    if a.strip()]
            if len(args) == 1:
                facts["arg_type"] = _LIFETIME.sub("", args[0])
            facts["returns"] = ("an async block" if signature.group("ret").startswith("{async")
                                else "a future")
            found = locate.at(primary, sources) if primary is not None else None
            text_of = sources.text(primary.file) if primary is not None else None
            parsed = found.parsed if found is not None else (
                syntax.parse(text_of) if text_of is not None else None)
            closure = _closure(parsed, signature.group("ret"), len(args), primary.file,
                               found.node if found else None) \
                if parsed is not None and primary is not None else None
            if closure is not None and parsed is not None and primary is not None:
                (line, column), (end_line, end_column) = parsed.start(closure), parsed.end(closure)
                facts["closure_line"] = line
                closure_text = parsed.node_text(closure)
                if "\n" not in closure_text:
                    facts["closure"] = closure_text
                call = closure.parent.parent if closure.parent is not None else None
                callee = call.child_by_field_name("function") if call is not None else None
                method = callee.child_by_field_name("field") if callee is not None \
                    and callee.type == "field_expression" else None
                if method is not None:
                    facts["combinator"] = parsed.node_text(method)
                builder = locate.name_of(parsed, locate.enclosing_function(closure))
                if builder:
                    facts["builder"] = builder
                iterated = _stream_iter(parsed, closure)
                if iterated is not None:
                    facts["iter_arg"] = parsed.node_text(iterated)
                related.append(Related(Span(primary.file, line, column, end_line, end_column),
                                       "this closure takes a reference and returns a future; "
                                       "the future that stores it must be `Send`"))
        return Match(family=self, diagnostic=diagnostic, facts=facts, related=related)

    def explain(self, match: Match) -> Explanation:
        iter_arg = match.fact("iter_arg")
        return prose.explanation(self.id, self.title, __name__, {
            "trait": match.fact("trait"), "arg_type": match.fact("arg_type"),
            "returns": match.fact("returns"), "spawn": match.fact("spawn"),
            "spawn_line": match.fact("spawn_line"), "closure": match.fact("closure"),
            "closure_line": match.fact("closure_line"),
            "combinator": match.fact("combinator"), "builder": match.fact("builder"),
            "iter_arg": iter_arg, "future_fn": match.fact("future_fn"),
            "needed_type": match.fact("needed_type"), "borrow": match.fact("borrow"),
            "borrow_line": match.fact("borrow_line"),
            "iterated": _borrowing_iterator(iter_arg) if iter_arg else None,
        })

    def fixes(self, match: Match, sources: Sources) -> list[Fix]:
        """`collect-futures-first` for `stream::iter(X).map(closure)` where `X` iterates
        references (`v.iter()`, `&v`): the closure maps the iterator instead, and the stream
        is built from the collected futures, so it stores no closure."""
        line, iter_arg = match.fact("closure_line"), match.fact("iter_arg")
        diagnostic = match.diagnostic
        primary = diagnostic.primary if diagnostic is not None else None
        iterated = _borrowing_iterator(iter_arg) if iter_arg else None
        if primary is None or line is None or iterated is None:
            return []
        file = SourceFile.load(sources, primary.file)
        if file is None:
            return []
        closure = next((n for n in file.walk() if n.type == "closure_expression"
                        and file.parsed.start(n)[0] == int(line)), None)
        argument = _stream_iter(file.parsed, closure) if closure is not None else None
        call = closure.parent.parent if closure is not None and closure.parent else None
        if closure is None or argument is None or call is None:
            return []
        stream_call = call.child_by_field_name("function")
        receiver = stream_call.child_by_field_name("value") if stream_call else None
        function = receiver.child_by_field_name("function") if receiver else None
        if function is None:
            return []
        rewritten = (f"{file.node_text(function)}({iterated}.map({file.node_text(closure)})"
                     ".collect::<Vec<_>>())")
        return one_fix(FIX_ID, "Build the futures first: collect "
                       f"`{iterated}.map(…)` into a `Vec` before the stream",
                       [file.replace(call, rewritten)], preferred=True)


FAMILY = SendNotGeneralEnough()
