""""future cannot be sent between threads safely" where the culprit is the future of an
`async fn` declared in a trait (native async fn in traits, Rust 1.75+): code generic over
`T: Trait` awaits `t.method()` inside something that must be `Send` (`tokio::spawn`), and
the trait never promised that its method's future is `Send`.

Specific on purpose (the general future-not-send family shares the message): claimed only
when rustc's help names the trait method ("`Send` can be made part of the associated
future's guarantees for all implementations of `Trait::method`") or, failing that, when the
awaited expression calls an `async fn` that a trait in the sources declares. Facts: `trait`,
`method`, `spawn`, `await_line`, `decl_line`.
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
from borrowlens.analyses.fixes import new_code, use_lines
from borrowlens.analyses.fixes.edits import Fix, TextEdit
from borrowlens.analyses.fixes.source_file import SourceFile, make_fix
from borrowlens.analyses.rust import items, locate, syntax
from borrowlens.analyses.rust.sources import Sources

_MESSAGE = re.compile(r"future cannot be sent between threads safely|"
                      r"`impl (?:[\w:]*::)?Future<.*>` cannot be sent between threads safely")
_GUARANTEE = re.compile(r"`Send` can be made part of the associated future's guarantees for "
                        r"all implementations of `(?P<path>[^`]+)`")
_AWAITS = re.compile(r"awaits another future which is not `Send`|await occurs here on type")
_IMPL_FUTURE = re.compile(r"is not implemented for `(?:[\w:]*::)?impl (?:[\w:]*::)?Future")


def _split(path: str) -> tuple[str, str] | None:
    plain = common.strip_path(path, keep=2)
    parts = plain.split("::")
    if len(parts) != 2:
        return None
    return parts[0].split("<", 1)[0], parts[1]


def _from_source(diagnostic: Diagnostic, await_span: Span | None,
                 sources: Sources) -> tuple[str, str] | None:
    """(trait, method) when the awaited expression calls a trait's `async fn`."""
    found = locate.at(await_span, sources)
    if found is None or await_span is None:
        return None
    parsed = found.parsed
    start = parsed.byte_offset(await_span.line_start, await_span.column_start)
    end = parsed.byte_offset(await_span.line_end, await_span.column_end)
    awaited = parsed.data[start:end].decode("utf-8", errors="replace")
    for trait, methods in common.async_trait_methods(parsed).items():
        for method in methods:
            if re.search(r"\.\s*" + re.escape(method) + r"\s*(?:::<[^>]*>)?\s*\(", awaited):
                return trait, method
    return None


def _signature(trait: str, method: str, files: list[str], sources: Sources) -> str | None:
    """The trait method rewritten the way rustc's help suggests:
    `fn m(&self, …) -> impl std::future::Future<Output = T> + Send;`."""
    for file in files:
        text = sources.text(file)
        if text is None:
            continue
        parsed = syntax.parse(text)
        for name, node in items.named_items(parsed, "trait_item"):
            body = node.child_by_field_name("body")
            if body is None or name != trait:
                continue
            for item in body.named_children:
                item_name = item.child_by_field_name("name")
                if item_name is None or parsed.node_text(item_name) != method:
                    continue
                parts = {key: item.child_by_field_name(key) for key in
                         ("type_parameters", "parameters", "return_type")}
                params = parts["parameters"]
                if params is None:
                    return None
                generics = parts["type_parameters"]
                ret = parts["return_type"]
                output = parsed.node_text(ret) if ret is not None else "()"
                where = next((c for c in item.named_children if c.type == "where_clause"), None)
                text_out = (f"fn {method}"
                            f"{parsed.node_text(generics) if generics is not None else ''}"
                            f"{parsed.node_text(params)} -> impl std::future::Future<Output = "
                            f"{output}> + Send"
                            f"{' ' + parsed.node_text(where) if where is not None else ''};")
                return " ".join(text_out.split())
    return None


class AsyncTraitFutureNotSend(Family):
    id = "async-trait-future-not-send"
    title = "Trait async fn future is not known to be Send"
    codes = ()
    messages = (_MESSAGE.pattern,)
    refines = ("future-not-send",)
    fix_docs: ClassVar[dict[str, str]] = {
        "send-future-in-trait": "the trait method becomes `fn …(…) -> impl Future<Output = T> + "
            "Send`",
        "send-future-everywhere": "the same, and its implementations are written out as `async "
            "move` blocks",
    }

    def match(self, diagnostic: Diagnostic, sources: Sources) -> Match | None:
        if not _MESSAGE.search(diagnostic.message):
            return None
        await_hit = diagnostic.span_labelled(r"await occurs here on type|awaits another future")
        await_span = await_hit[0] if await_hit else None
        guarantee = diagnostic.find_all(_GUARANTEE)
        named = _split(guarantee[0][1].group("path")) if guarantee else None
        decl = guarantee[0][0] if guarantee else None
        if named is None:
            if not (diagnostic.find(_AWAITS) and diagnostic.find(_IMPL_FUTURE)):
                return None
            named = _from_source(diagnostic, await_span, sources)
            if named is None:
                return None
        trait, method = named
        facts: dict[str, FactValue] = {"trait": trait, "method": method}
        spawn = common.bound_in(diagnostic)
        if spawn:
            facts["spawn"] = spawn
        related: list[Related] = []
        if await_span is not None:
            facts["await_line"] = await_span.line_start
            related.append(Related(await_span, f"awaits `{method}`'s future, which is not "
                                   "known to be `Send`"))
        signature = _signature(trait, method, common.known_files(diagnostic, sources), sources)
        if signature:
            facts["signature"] = signature
        if decl is not None and sources.text(decl.file) is not None:
            facts["decl_line"] = decl.line_start
            related.append(Related(decl, f"declare `{method}` as returning `impl Future<…> + "
                                   "Send` here"))
        return Match(family=self, diagnostic=diagnostic, facts=facts, related=related)

    def explain(self, match: Match) -> Explanation:
        trait, method = match.fact("trait"), match.fact("method")
        return prose.explanation(self.id, self.title, __name__, {
            "trait": match.code("trait", "the trait"), "t": trait or "Trait",
            "method": f"`{trait}::{method}`" if trait and method else "the trait's `async fn`",
            "m": method or "method", "spawn": match.code("spawn", "a spawned task"),
            "spawned": bool(match.fact("spawn")),
            "await_line": match.line("await_line"), "decl_line": match.line("decl_line"),
            "signature": match.fact("signature"),
        })

    def fixes(self, match: Match, sources: Sources) -> list[Fix]:
        """Declare the trait method as `fn m(…) -> impl Future<Output = T> + Send` (the
        implementations' `async fn`s still satisfy it); as an alternative, also write each
        implementation in the known files out as `fn … { async move { … } }`."""
        trait, method = match.fact("trait"), match.fact("method")
        if match.diagnostic is None or not trait or not method:
            return []
        files = [f for path in common.known_files(match.diagnostic, sources)
                 if (f := SourceFile.load(sources, path)) is not None]
        declared = [(file, item) for file in files
                    for item in _methods(file, trait, method, in_trait=True)]
        if len(declared) != 1:
            return []
        file, item = declared[0]
        trait_edits = _desugar(file, item, sources)
        if trait_edits is None:
            return []
        impl_edits: list[TextEdit] = []
        for other in files:
            for impl_item in _methods(other, trait, method, in_trait=False):
                edits = _desugar(other, impl_item, sources)
                if edits is None:
                    return [fix for fix in [self._trait_fix(trait, method, trait_edits)]
                            if fix is not None]
                impl_edits.extend(edits)
        fixes = [self._trait_fix(trait, method, trait_edits)]
        if impl_edits:
            fixes.append(make_fix(
                "send-future-everywhere",
                f"Require a `Send` future for `{trait}::{method}` and write its "
                "implementations out as `async move` blocks", [*trait_edits, *impl_edits]))
        return [fix for fix in fixes if fix is not None]

    @staticmethod
    def _trait_fix(trait: str, method: str, edits: list[TextEdit]) -> Fix | None:
        return make_fix("send-future-in-trait",
                        f"Require a `Send` future for `{trait}::{method}` in the trait",
                        edits, preferred=True)


def _methods(file: SourceFile, trait: str, method: str, *,
             in_trait: bool) -> list[tree_sitter.Node]:
    """The `async fn method` items of the trait (in_trait) or of its impls in the file."""
    out = []
    for node in file.walk():
        if in_trait and node.type == "trait_item":
            name = node.child_by_field_name("name")
            if name is None or file.node_text(name) != trait:
                continue
        elif not in_trait and node.type == "impl_item":
            name = node.child_by_field_name("trait")
            if name is None or re.sub(r"<.*", "", file.node_text(name)).rsplit(
                    "::", 1)[-1] != trait:
                continue
        else:
            continue
        body = node.child_by_field_name("body")
        for item in body.named_children if body is not None else ():
            item_name = item.child_by_field_name("name")
            if item.type in ("function_item", "function_signature_item") and \
                    item_name is not None and file.node_text(item_name) == method:
                out.append(item)
    return out


def _desugar(file: SourceFile, item: tree_sitter.Node,
             sources: Sources) -> list[TextEdit] | None:
    """`async fn m(…) -> T` rewritten as `fn m(…) -> impl Future<Output = T> + Send`, with
    a body (if any) wrapped in `async move { … }`; None when the item is not that shape."""
    modifiers = next((c for c in item.children if c.type == "function_modifiers"), None)
    fn_keyword = next((c for c in item.children if c.type == "fn"), None)
    params = item.child_by_field_name("parameters")
    if modifiers is None or fn_keyword is None or params is None or \
            file.node_text(modifiers).split() != ["async"]:
        return None
    future = ("Future" if use_lines.imports_name(file, "Future", "std::future::Future",
                                          use_lines.module_scope(item))
              else "std::future::Future")
    returns = item.child_by_field_name("return_type")
    edits = [file.edit_bytes(modifiers.start_byte, fn_keyword.start_byte, "")]
    if returns is not None:
        edits.append(file.replace(returns, f"impl {future}<Output = "
                                           f"{file.node_text(returns)}> + Send"))
    else:
        edits.append(file.insert_after(params, f" -> impl {future}<Output = ()> + Send"))
    body = item.child_by_field_name("body")
    if body is not None:
        if new_code.has_multiline_string(file, body):
            return None
        base = file.indent_of(item)
        unit = file.indent_unit()
        inner = new_code.reindent_tail(file.node_text(body), unit)
        edits.append(file.replace(body, f"{{\n{base}{unit}async move {inner}\n{base}}}"))
    return edits


FAMILY = AsyncTraitFutureNotSend()
