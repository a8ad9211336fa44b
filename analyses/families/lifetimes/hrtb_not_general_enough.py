"""Higher-ranked bounds: a closure, fn or impl that works for one lifetime where any is needed.

Three ways rustc reports it:
* "implementation of `Fn`/`FnOnce`/`FnMut`/`Trait` is not general enough", with notes "… must
  implement `Fn<(&'1 X,)>`, for any lifetime `'1`… but it actually implements `Fn<(&'2 X,)>`,
  for some specific lifetime `'2`";
* E0308 "one type is more general than the other" (a fn pointer or boxed closure whose
  signature was pinned to one lifetime, where `for<'a> fn(&'a T)` is expected);
* "lifetime may not live long enough" inside a closure that returns a reference derived from
  its argument ("return type of closure is &'2 str").
Most often the culprit is a closure stored in a `let` before being passed on: its signature is
inferred without the expected bound and settles on one specific lifetime. Facts: the trait,
the closure's binding and line, the expected and found signatures when rustc prints them.
"""

from __future__ import annotations

import re

import tree_sitter

from borrowlens.analyses.diagnostics.model import Diagnostic, Span
from borrowlens.analyses.explain.model import Explanation, Link
from borrowlens.analyses.families.base import FactValue, Family, Match, Related
from borrowlens.analyses.families.lifetimes import analysis as common
from borrowlens.analyses.fixes import hrtb
from borrowlens.analyses.fixes.edits import Fix
from borrowlens.analyses.fixes.source_file import SourceFile, one_fix
from borrowlens.analyses.rust import items, locate, printed, syntax
from borrowlens.analyses.rust.sources import Sources, line_of

_MESSAGE = re.compile(r"implementation of `(?P<trait>[^`]+)` is not general enough")
_MUST = re.compile(r"(?:(?P<closure>closure) with signature )?`(?P<subject>.+?)` must implement "
                   r"`(?P<expected>.+?)`, for any (?:lifetime|two lifetimes)")
_ACTUAL = re.compile(r"but (?:it actually implements `(?P<found>.+?)`|`(?P<found2>.+?)` is "
                     r"actually implemented for the type `(?P<for_type>.+?)`)")
_EXPECTED_308 = re.compile(r"expected (?:fn pointer|reference|closure|trait object|struct|enum|"
                           r"fn item|type|[a-z ]+?) `(?P<ty>.+)`")
_FOUND_308 = re.compile(r"found (?:fn pointer|reference|closure|trait object|struct|enum|"
                        r"fn item|type|[a-z ]+?) `(?P<ty>.+)`")
_MORE_GENERAL = re.compile(r"one type is more general than the other")
_CLOSURE_RETURN = re.compile(r"return type of closure is|returning this value requires that "
                             r"`'\d+` must outlive `'\d+`")
_FN_TRAITS = ("Fn", "FnMut", "FnOnce")


def _closure_at(span: Span | None, sources: Sources) -> tuple[tree_sitter.Node,
                                                               locate.Located] | None:
    located = locate.at(span, sources)
    if located is None:
        return None
    closure = syntax.enclosing(located.node, "closure_expression")
    return (closure, located) if closure is not None else None


def _argument_closure(span: Span | None, sources: Sources
                      ) -> tuple[tree_sitter.Node, str | None, locate.Located] | None:
    """The closure passed in the call under `span`: inline, or a `let` binding's closure."""
    located = locate.at(span, sources)
    if located is None or span is None:
        return None
    start = located.parsed.byte_offset(span.line_start, span.column_start)
    end = located.parsed.byte_offset(span.line_end, span.column_end)
    node = locate.covering(located.parsed, span)
    if node is None:
        return None
    calls = [n for n in locate.walk(node, named=True)
             if n.type in ("call_expression", "macro_invocation")]
    scope = locate.enclosing_function(node)
    for call in calls or [node]:
        arguments = call.child_by_field_name("arguments") or call
        for argument in arguments.named_children:
            if argument.type == "closure_expression":
                return argument, None, located
            if argument.type == "identifier" and scope is not None:
                name = located.text(argument)
                closure = common.closure_bound_to(name, scope, located)
                if closure is not None:
                    return closure, name, located
    # Inside a macro's arguments (`println!("{:?}", run(xs, rule))`) tree-sitter only sees a
    # token tree, so look at every identifier the span covers instead of call arguments.
    if scope is not None:
        for identifier in locate.walk(node, named=True):
            if identifier.type != "identifier" or not start <= identifier.start_byte < end:
                continue
            name = located.text(identifier)
            closure = common.closure_bound_to(name, scope, located)
            if closure is not None:
                return closure, name, located
    return None


def _binding_name(closure: tree_sitter.Node, located: locate.Located) -> str | None:
    parent = closure.parent
    if parent is not None and parent.type == "let_declaration":
        pattern = parent.child_by_field_name("pattern")
        if pattern is not None:
            names = re.findall(r"[A-Za-z_]\w*", located.text(pattern))
            names = [n for n in names if n != "mut"]
            return names[-1] if names else None
    return None


def _first_arg_type(signature: str) -> str | None:
    """`fn(&'2 Request) -> usize` → `&Request`; `Fn<(&'1 str,)>` → `&str`."""
    found = re.search(r"\(\(?\s*(&[^,)]*)", signature)
    if found is None:
        return None
    return re.sub(r"'\w+\s+", "", found.group(1)).strip()


_FUTURE_MISMATCH = re.compile(r"(?:-> impl Future|opaque type `impl (?:for<[^>]*> )?Future)")
_FN_BOUND = re.compile(r"\b(?:Fn|FnMut|FnOnce)\((?P<args>[^)]*)\)\s*->\s*(?P<fut>\w+)")


def _async_fn_shape(diagnostic: Diagnostic, sources: Sources, facts: dict[str, FactValue],
                    requirement: Span | None) -> None:
    """An async fn (or a closure returning a future) passed where `F: Fn(&T) -> Fut` is
    required: the future borrows the argument, so no single `Fut` fits every lifetime."""
    if diagnostic.find(_FUTURE_MISMATCH) is None:
        return
    facts["shape"] = "async-fn"
    output = diagnostic.find(r"Future<Output = ([^>`]+)>")
    if output is not None:
        facts["output"] = output.group(1).strip()
    where_clause = diagnostic.span_labelled(r"doesn't satisfy where-clause")
    anchor = requirement or (where_clause[0] if where_clause else None)
    if anchor is not None:
        line = line_of(sources.text(anchor.file), anchor.line_start) or ""
        bound = _FN_BOUND.search(line)
        if bound is not None:
            facts["bound"] = bound.group(0)
            facts["bound_args"] = bound.group("args")
            facts["future_param"] = bound.group("fut")
    named = diagnostic.find(r"\{(\w+)\}` must implement")
    if named is not None and "fn_item" not in facts:
        facts["fn_item"] = named.group(1)
    if "fn_item" not in facts:
        primary = diagnostic.primary
        text = sources.text(primary.file) if primary is not None else None
        if primary is not None and text is not None:
            parsed = syntax.parse(text)
            async_fns = {name for name, node in items.named_items(parsed, "function_item")
                         if "async" in parsed.node_text(node).split("fn", 1)[0]}
            covered = (line_of(text, primary.line_start) or "")[
                primary.column_start - 1:primary.column_end - 1]
            for name in re.findall(r"\b(\w+)\b(?!\s*\()", covered):
                if name in async_fns:
                    facts["fn_item"] = name
                    break


class HrtbNotGeneralEnough(Family):
    id = "hrtb-not-general-enough"
    title = "Works for one lifetime, needed for all"
    codes = ("E0308",)
    priority = 10

    def match(self, diagnostic: Diagnostic, sources: Sources) -> Match | None:
        facts: dict[str, FactValue] = {}
        related: list[Related] = []
        primary = diagnostic.primary
        general = _MESSAGE.search(diagnostic.message)
        if general is not None:
            facts["trait"] = general.group("trait")
            must = diagnostic.find(_MUST)
            actual = diagnostic.find(_ACTUAL)
            if must is not None:
                facts["expected"] = must.group("expected")
                if must.group("closure"):
                    facts["closure_signature"] = must.group("subject")
                    facts["shape"] = "closure"
                elif must.group("subject").startswith(("fn(", "for<")):
                    facts["shape"] = "fn"
                    fn_name = re.search(r"\{(\w+)\}$", must.group("subject"))
                    if fn_name:
                        facts["fn_item"] = fn_name.group(1)
                else:
                    facts["shape"] = "trait"
                    facts["implementor"] = must.group("subject")
            if actual is not None:
                facts["found"] = actual.group("found") or actual.group("found2")
                if actual.group("for_type"):
                    facts["implementor"] = actual.group("for_type")
            if "shape" not in facts:
                facts["shape"] = "closure" if facts["trait"] in _FN_TRAITS else "trait"
        elif diagnostic.code == "E0308":
            expected = diagnostic.find(_EXPECTED_308)
            found = diagnostic.find(_FOUND_308)
            same_shape = (expected is not None and found is not None
                          and printed.strip_lifetimes(expected.group("ty"))
                          == printed.strip_lifetimes(found.group("ty")))
            if diagnostic.find(_MORE_GENERAL) is None and not same_shape:
                return None
            if expected is not None:
                facts["expected"] = expected.group("ty")
            if found is not None:
                facts["found"] = found.group("ty")
                fn_name = re.search(r"\{(\w+)\}$", found.group("ty"))
                if fn_name:
                    facts["fn_item"] = fn_name.group(1)
            facts["shape"] = "mismatch"
        elif (not diagnostic.code and common.LIFETIME_MESSAGE.search(diagnostic.message)
              and diagnostic.find(common.INVARIANCE) is None):
            closure = _closure_at(primary, sources)
            labelled = diagnostic.find(r"return type of closure is")
            if labelled is None and (closure is None
                                     or diagnostic.find(_CLOSURE_RETURN) is None):
                return None
            facts["shape"] = "closure-return"
            returned = diagnostic.find(r"return type of closure is (&\S*(?: mut)? ?\S+)")
            if returned is not None:
                facts["return_type"] = printed.strip_lifetimes(returned.group(1))
            if closure is not None:
                node, located = closure
                facts["closure_line"] = located.parsed.start(node)[0]
                name = _binding_name(node, located)
                if name:
                    facts["closure"] = name
                params = node.child_by_field_name("parameters")
                first = params.named_children[0] if params and params.named_children else None
                kind = first.child_by_field_name("type") if first is not None else None
                if kind is not None:
                    facts["param_type"] = located.text(kind)
            elif primary is not None:
                facts["closure_line"] = primary.line_start
        else:
            return None

        if facts.get("shape") in ("closure", "mismatch", "fn"):
            passed = _argument_closure(primary, sources)
            if passed is not None:
                node, name, located = passed
                facts["closure_line"] = located.parsed.start(node)[0]
                name = name or _binding_name(node, located)
                if name:
                    facts["closure"] = name
                if facts["shape"] == "mismatch":
                    facts["shape"] = "closure"
                params = node.child_by_field_name("parameters")
                first = params.named_children[0] if params and params.named_children else None
                kind = first.child_by_field_name("type") if first is not None else None
                if kind is not None and located.text(kind).startswith("&"):
                    # already annotated: the return type is what cannot be generalised
                    facts["param_type"] = located.text(kind)
                    facts["shape"] = "closure-return"
                start, end = located.parsed.start(node), located.parsed.end(node)
                if primary is not None:
                    related.append(Related(
                        Span(file=primary.file, line_start=start[0], column_start=start[1],
                             line_end=end[0], column_end=end[1]),
                        "this closure's signature was inferred for one specific lifetime"))
        signature = match_signature(facts)
        if signature and "param_type" not in facts:
            arg = _first_arg_type(signature)
            if arg:
                facts["param_type"] = arg
        requirement = common.help_span(diagnostic, r"lifetime requirement is introduced here")
        if requirement is not None:
            related.append(Related(requirement, "the higher-ranked bound is required here"))
            if "return_type" not in facts and requirement.line_start == requirement.line_end:
                # The requirement points at the bound's return type (`&'a str`): the type the
                # closure's result must have, lifetimes aside.
                line = line_of(sources.text(requirement.file), requirement.line_start)
                written = (line or "")[requirement.column_start - 1:requirement.column_end - 1]
                if written.startswith("&"):
                    facts["return_type"] = printed.strip_lifetimes(written)
        if primary is not None:
            facts["line"] = primary.line_start
        _async_fn_shape(diagnostic, sources, facts, requirement)
        return Match(family=self, diagnostic=diagnostic, facts=facts, related=related)

    def explain(self, match: Match) -> Explanation:
        shape = match.fact("shape") or "closure"
        trait = match.fact("trait")
        tr = f"`{trait}`" if trait else "the expected signature"
        closure = match.fact("closure")
        clo = f"`{closure}`" if closure else "the closure"
        closure_line = match.line("closure_line")
        line = match.line("line")
        param_type = match.fact("param_type") or "&T"
        expected, found = match.fact("expected"), match.fact("found")
        contrast = (f" (expected `{expected}`, found `{found}`)"
                    if expected and found else "")
        annotated = f"|arg: {param_type}|"
        ref_a = param_type.replace("&", "&'a ", 1)
        links = (
            Link("Rust Reference: higher-ranked trait bounds",
                 "https://doc.rust-lang.org/reference/trait-bounds.html"
                 "#higher-ranked-trait-bounds"),
            Link("The Rustonomicon: higher-rank trait bounds",
                 "https://doc.rust-lang.org/nomicon/hrtb.html"),
            Link("rust-lang/rust#58052: closure signatures are not inferred higher-ranked",
                 "https://github.com/rust-lang/rust/issues/58052"),
        )
        shown = param_type if param_type != "&_" else "&T"
        shown_a = shown.replace("&", "&'a ", 1)
        why_common = (
            f"A bound like `F: Fn({shown})` is shorthand for `F: for<'a> "
            f"Fn({shown_a})`: the callee may call `F` "
            "with references of *any* lifetime, including references to locals it creates "
            "itself. Only a value that is generic over that lifetime satisfies it. \"Works for "
            "some lifetime `'2`\" is strictly weaker than \"works for every lifetime `'1`\", "
            "hence *not general enough*."
        )
        if shape == "trait":
            implementor = match.code("implementor", "the type")
            return Explanation(
                family=self.id, title=self.title,
                tldr=(f"The code{line} needs {implementor} to implement {tr} for every "
                      f"lifetime, but the impl only covers one{contrast}; make the impl generic "
                      "over the lifetime."),
                what=(f"The bound being checked{line} is higher-ranked (`for<'a> …`): it asks "
                      f"for an implementation of {tr} that holds for every lifetime. The "
                      f"existing impl for {implementor} is written for one particular lifetime"
                      f"{' (`' + found + '`)' if found else ''}, so it cannot satisfy the bound."),
                why=(f"A bound `T: for<'a> {trait or 'Trait'}<'a>` asks for one impl that holds "
                     "whatever lifetime the caller of the generic code picks — including "
                     "lifetimes of locals that code creates itself. \"Implemented for some "
                     "lifetime\" is strictly weaker than \"implemented for every lifetime\", "
                     "hence *not general enough*.\n\nAn impl such as "
                     "`impl Trait<'static> for X<'static>` is "
                     "a promise about one lifetime only; the compiler will not stretch it to "
                     "the others."),
                fix=("Write the impl for every lifetime: `impl<'a> Trait<'a> for X<'a>` (or "
                     "`impl<'a> Trait for &'a X`), so it covers whatever lifetime the bound "
                     "picks.\n\nIf the impl really works for only one lifetime, relax the "
                     "consumer's bound instead: take a lifetime parameter (`T: Trait<'a>`) "
                     "rather than `for<'a> Trait<'a>`."),
                rule=("`for<'a>` bounds need impls that are generic over `'a`. An impl pinned "
                      "to `'static` or to one named lifetime never satisfies a higher-ranked "
                      "bound."),
                links=links,
            )
        if shape == "async-fn":
            return self._explain_async_fn(match, links)
        if shape == "closure-return":
            fn_name = match.fact("closure") or "name"
            return_type = match.fact("return_type") or param_type
            return Explanation(
                family=self.id, title=self.title,
                tldr=(f"{clo}{closure_line} returns a reference derived from its argument, but "
                      "a closure's return type gets its own lifetime; make it a `fn` item or "
                      "write the closure inline where it is used."),
                what=(f"{clo.capitalize() if not closure else clo}{closure_line} takes a "
                      f"reference (`{param_type}`) and returns data borrowed from it. The "
                      "closure's argument and its return type were given separate lifetimes, "
                      "and the body needs the argument's to outlive the result's — a relation "
                      "the closure's inferred signature does not contain."),
                why=("A `fn` item with elided lifetimes is generic: `fn f(x: &str) -> &str` "
                     "means `for<'a> fn(&'a str) -> &'a str`. Closures are not inferred that "
                     "way. An annotated argument `|x: &str|` becomes higher-ranked, but the "
                     "return type is inferred separately and gets an independent lifetime, so "
                     "the closure cannot promise that the result lives as long as the argument."
                     "\n\nWhen the closure is written directly in the call, the expected `Fn` "
                     "bound guides inference instead, which is why the same code often compiles "
                     "inline."),
                fix=(f"Turn {clo} into a small `fn` item (e.g. `fn {fn_name}(x: {param_type})"
                     f" -> {return_type} {{ … }}`), whose elided signature ties the output to "
                     "the input, and pass it by name.\n\n"
                     "Or write the closure inline at the call (`.map(|x| …)`), where the "
                     "expected signature is known. To keep it in a variable, pass it through an "
                     "identity helper that states the bound: `fn constrain<F: for<'a> "
                     f"Fn({ref_a}) -> {ref_a}>(f: F) -> F {{ f }}`."),
                rule=("A closure that returns a borrow of its argument cannot be inferred on "
                      "its own; give it a context that states the lifetime relation (a `fn` "
                      "item, an inline call, or a helper with a `for<'a>` bound)."),
                caveat=("This is a known limitation of closure signature inference (a "
                        "`for<'a> |x: &'a str| -> &'a str` closure binder exists only on "
                        "nightly); the workarounds above are the stable answer."),
                links=links,
            )
        if shape in ("fn", "mismatch") and not closure:
            fn_item = match.code("fn_item", "the function")
            fn_subject = fn_item if match.fact("fn_item") else "The function"
            return Explanation(
                family=self.id, title=self.title,
                tldr=(f"{fn_item}{line} is fixed to one specific lifetime, but a signature "
                      f"generic over every lifetime is expected{contrast}; make it generic "
                      "over the lifetime."),
                what=(f"The value passed{line} must work for references of any lifetime — the "
                      f"expected type is higher-ranked (`for<'a> …`). {fn_subject} "
                      "has a signature pinned to one lifetime (often `'static` or a lifetime "
                      "parameter of an outer item), so \"one type is more general than the "
                      "other\"."),
                why=(f"{why_common}\n\nA function written `fn f(x: &'static str) -> &'static "
                     "str` only accepts `'static` data, so it cannot stand in for a pointer "
                     "that promises to accept any borrow."),
                fix=(f"Make {fn_item}'s signature generic over the lifetime: elide it "
                     "(`fn f(x: &str) -> &str`) or name a fresh one (`fn f<'a>(x: &'a str) -> "
                     "&'a str`) instead of `'static` or an outer lifetime.\n\nIf it genuinely "
                     "needs `'static` data, the consumer's type must say so (e.g. `fn(&'static "
                     "str) -> &'static str`) — usually the wrong trade-off."),
                rule=("A `fn(&T)` pointer type or a `for<'a>` bound accepts only functions "
                      "generic over the lifetime. Keep helper signatures elided unless they "
                      "really need a specific lifetime."),
                links=links,
            )
        return Explanation(
            family=self.id, title=self.title,
            tldr=(f"{clo}{closure_line} was inferred for one specific lifetime, but {tr} is "
                  f"needed for every lifetime{line}; annotate its parameter (`{annotated}`) or "
                  "write it inline in the call."),
            what=(f"The call{line} needs a closure implementing {tr} for *any* lifetime of "
                  f"its reference argument. {clo.capitalize() if not closure else clo} was "
                  f"created{closure_line} before the compiler knew that, so its signature "
                  f"settled on one particular lifetime{contrast}. rustc's `'1` (\"for any\") "
                  "and `'2` (\"some specific\") are those two lifetimes."),
            why=(f"{why_common}\n\nA closure's signature is fixed where the closure is "
                 "written. If it is passed straight to a function with an `Fn(&T)` bound, the "
                 "compiler uses that bound and makes the closure higher-ranked. Stored in a "
                 "`let` first, with its parameter type left to inference, it is checked "
                 "without that context and the reference gets one inferred lifetime."),
            fix=(f"Annotate the closure's parameter with a reference type: `{annotated}` at "
                 f"{clo}{closure_line}. An explicit `&` in the parameter makes the closure "
                 "generic over that lifetime.\n\n"
                 f"Or move the closure into the call itself, so the expected {tr} bound "
                 "guides its inference. If it returns a reference derived from its argument, "
                 "annotating the parameter is not enough (the result still gets a lifetime of "
                 "its own): use a `fn` item, or pass the closure through an identity helper "
                 "whose bound is the `for<'a>` one — that is the quick fix offered then."),
            rule=("Closures that take references should either be written where they are "
                  "passed or have their reference parameters annotated; otherwise inference "
                  "picks one lifetime and `for<'a>` bounds reject them."),
            caveat=("This is a long-standing limitation of closure signature inference, not a "
                    "bug in your code: the compiler does not generalise a closure over "
                    "lifetimes unless the expected bound is visible where the closure is "
                    "written."),
            links=links,
        )


    def _explain_async_fn(self, match: Match, links: tuple[Link, ...]) -> Explanation:
        fn_item = match.code("fn_item", "the async fn")
        bound = match.code("bound", "`Fn(&T) -> Fut`")
        args = match.fact("bound_args") or "&T"
        output = match.fact("output") or "T"
        fut = match.code("future_param", "`Fut`")
        async_bound = f"AsyncFn({args}) -> {output}"
        named_args = args.replace("&", "&'a ", 1)
        passed = match.fact("fn_item") or "op"
        return Explanation(
            family=self.id, title=self.title,
            tldr=(f"{fn_item} returns a future that borrows its `{args}` argument, but the "
                  f"bound {bound} needs one future type {fut} for every borrow; bound it with "
                  f"`{async_bound}` instead."),
            what=(f"{fn_item} is passed where {bound} is required. Its future keeps the "
                  f"`{args}` it was called with, so the future's type is different for every "
                  f"lifetime of that borrow — while {fut} is a single type fixed by the "
                  "caller. No choice of it works for all lifetimes, which rustc reports as "
                  "\"not general enough\" or \"one type is more general than the other\"."),
            why=("Calling an `async fn` does not run it: it returns a state machine that "
                 "holds the arguments until it is awaited. When an argument is a reference, "
                 "the future's type carries that reference's lifetime, so `for<'a> Fn(&'a T) "
                 "-> Fut` would need `Fut` to depend on `'a`. A type parameter cannot: it is "
                 "chosen once, outside the `for<'a>`.\n\n"
                 "The error lands on the call, but the call is fine; the bound is what cannot "
                 "express \"a future that borrows the argument\"."),
            fix=(f"Replace the pair of bounds with an async closure bound: "
                 f"`F: {async_bound}` (stable since Rust 1.85), drop the {fut} parameter, and "
                 f"keep calling `op(…).await`; {fn_item} can be passed as it is.\n\n"
                 "Before 1.85, or to store the operation as a trait object, return a boxed "
                 f"future tied to the borrow: `F: for<'a> Fn({named_args}) -> "
                 f"Pin<Box<dyn Future<Output = {output}> + Send + 'a>>` and pass "
                 f"`|x| Box::pin({passed}(x))`. Or make the operation "
                 "take owned data (an `Arc` or a clone) so its future borrows nothing."),
            rule=("A generic future type cannot depend on a borrow of the closure's argument. "
                  "When the future borrows its input, use an `AsyncFn` bound or a boxed future "
                  "whose type names the lifetime."),
            caveat=("rustc points at the call site and may report the same problem two or "
                    "three times (once per obligation); all of them go away with the bound "
                    "change."),
            links=(*links, Link("Rust Reference: async closures",
                                "https://doc.rust-lang.org/reference/expressions/closure-expr.html#async-closures")),
        )

    def fixes(self, match: Match, sources: Sources) -> list[Fix]:
        """Per shape: annotate a stored closure's reference parameters; pass a closure that
        returns a borrow of its argument through a `for<'a>` identity helper; rewrite an
        `Fn(&T) -> Fut` bound in the user's crate as `AsyncFn(&T) -> U`; drop `'static`
        from a private fn passed as a `fn(&T) -> &U` pointer. Trait impls pinned to one
        lifetime get no edit: the consumer's bound or the types need redesigning."""
        diagnostic = match.diagnostic
        primary = diagnostic.primary if diagnostic is not None else None
        if diagnostic is None or primary is None:
            return []
        shape = match.fact("shape")
        if shape == "async-fn":
            return self._async_fn_fix(match, diagnostic, sources)
        file = SourceFile.load(sources, primary.file)
        if file is None:
            return []
        if shape == "closure":
            passed = _argument_closure(primary, sources)
            signature = match.fact("closure_signature")
            closure = _same_node(file, passed[0]) if passed is not None else None
            if closure is None or not signature:
                return []
            edits = hrtb.annotate_parameters(file, closure, signature)
            if edits:
                types = sorted({e.new_text.removeprefix(": ") for e in edits})
                name = match.code("closure", "the closure")
                return one_fix("annotate-param",
                               f"Annotate the parameter of {name}: `{', '.join(types)}`",
                               edits, preferred=True)
            parts = hrtb.signature_parts(signature)
            if parts is None or len(parts[0]) != 1:
                return []
            return self._constrain(match, file, closure, printed.strip_lifetimes(parts[0][0]),
                                   printed.strip_lifetimes(parts[1]))
        if shape == "closure-return":
            found = _closure_at(primary, sources) or (
                (passed[0], passed[2]) if (passed := _argument_closure(primary, sources))
                else None)
            closure = _same_node(file, found[0]) if found is not None else None
            param_type, return_type = match.fact("param_type"), match.fact("return_type")
            if closure is None or not param_type or not return_type:
                return []
            return self._constrain(match, file, closure, param_type, return_type)
        fn_item, found_type = match.fact("fn_item"), match.fact("found") or ""
        if shape in ("fn", "mismatch") and fn_item and "'static" in found_type:
            return one_fix("generalise-fn",
                           f"Make `{fn_item}` generic over the lifetime (drop `'static`)",
                           hrtb.unpin_static_fn(file, fn_item), preferred=True)
        return []

    def _constrain(self, match: Match, file: SourceFile, closure: tree_sitter.Node,
                   param_type: str, return_type: str) -> list[Fix]:
        edits = hrtb.constrain_closure(file, closure, param_type, return_type)
        name = match.code("closure", "the closure")
        return one_fix("constrain-closure",
                       f"Pass {name} through a `for<'a> Fn({param_type}) -> {return_type}` "
                       "helper", edits, preferred=True)

    def _async_fn_fix(self, match: Match, diagnostic: Diagnostic,
                      sources: Sources) -> list[Fix]:
        future_param = match.fact("future_param")
        requirement = common.help_span(diagnostic, r"lifetime requirement is introduced here")
        where_clause = diagnostic.span_labelled(r"doesn't satisfy where-clause")
        anchor = requirement or (where_clause[0] if where_clause else None)
        if anchor is None or not future_param:
            return []
        file = SourceFile.load(sources, anchor.file)
        node = file.node_for_span(anchor) if file is not None else None
        function = locate.enclosing_function(node, signatures=True)
        if file is None or function is None or function.type != "function_item":
            return []
        rewritten = hrtb.async_fn_bound(file, function, future_param)
        if rewritten is None:
            return []
        edits, bound = rewritten
        return one_fix("async-fn-bound", f"Bound the operation with `{bound}` instead of "
                       f"`{future_param}`", edits, preferred=True)


def _same_node(file: SourceFile, node: tree_sitter.Node) -> tree_sitter.Node | None:
    """The node with the same range in `file`'s own tree."""
    found = file.root.descendant_for_byte_range(node.start_byte, node.end_byte)
    while found is not None and found.type != node.type:
        found = found.parent
    return found


def match_signature(facts: dict[str, FactValue]) -> str | None:
    for key in ("closure_signature", "expected"):
        value = facts.get(key)
        if isinstance(value, str) and "&" in value:
            return value
    return None


FAMILY = HrtbNotGeneralEnough()
