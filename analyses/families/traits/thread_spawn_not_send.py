"""E0277: a closure handed to a thread (`thread::spawn`, `Builder::spawn`, a scoped spawn,
`spawn_blocking`, rayon …) captures a value that is not `Send` (or shares one that is not
`Sync`): `Rc`, `RefCell`, `Cell`, raw pointers.

Futures are not this family: "future cannot be sent between threads safely" belongs to the
async families, and a type that is itself a `dyn Future` is left alone. Facts: `type` (the
offending type as rustc prints it), `trait` ("Send" or "Sync"), `spawn` (the function whose
bound asked for it), `variable` (the captured binding, found in the closure's body), `via`
(the wrapper that carried a non-`Sync` type, such as `Arc<RefCell<…>>`), `closure_line`.
"""

from __future__ import annotations

import re
from typing import ClassVar

import tree_sitter

from borrowlens.analyses.diagnostics.model import Diagnostic
from borrowlens.analyses.explain import prose
from borrowlens.analyses.explain.model import Explanation
from borrowlens.analyses.families.base import FactValue, Family, Match, Related
from borrowlens.analyses.families.traits import analysis as common
from borrowlens.analyses.fixes.edits import Fix
from borrowlens.analyses.fixes.rc_to_arc import offers as rc_offers
from borrowlens.analyses.rust import items, locate, syntax
from borrowlens.analyses.rust.sources import Sources

_MESSAGE = re.compile(r"^`(?P<type>.+)` cannot be (?P<how>sent|shared) between threads safely")
_NOT_IMPL = re.compile(r"the trait `(?:[\w:]*::)?(?P<trait>Send|Sync)` is not implemented "
                       r"for `(?P<type>[^`]+)`")
_VIA = re.compile(r"required for `(?P<via>[^`]+)` to implement `(?:[\w:]*::)?Send`")
_WITHIN_TYPE = re.compile(r"required because it appears within the type `(?P<outer>[^`]+)`")
_FUTURE_CONTEXT = re.compile(r"\{async (?:block|fn body|closure body)@|used within this `async")
_LEAD_PATH = re.compile(r"^(?:[a-z_][a-z0-9_]*::)+")
_CHANNEL = re.compile(r"\b(?:sync_)?channel\s*(?:::<[^>]*>)?\s*\(")
# Calls whose first argument is the value they hand on: `Arc::clone(&x)`, `Arc::new(x)`.
_WRAPPER = re.compile(r"(?:::clone|\b(?:Arc|Rc|Box|Mutex|RwLock)::new)$")
_FORMAT_ARG = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(?:[:}])")

def type_head(type_text: str) -> str:
    """`std::rc::Rc<RefCell<T>>` -> `Rc`; `&Cell<u8>` -> `Cell`; `*mut u8` -> `*mut`."""
    text = type_text.strip()
    text = re.sub(r"^&(?:'\w+\s+)?(?:mut\s+)?", "", text)
    if text.startswith("*mut") or text.startswith("*const"):
        return text.split()[0]
    text = _LEAD_PATH.sub("", text)
    found = re.match(r"[A-Za-z_][A-Za-z0-9_]*", text)
    return found.group(0) if found else text


def _head_pattern(heads: list[str]) -> re.Pattern[str]:
    parts = []
    for head in heads:
        if head.startswith("*"):
            parts.append(re.escape(head) + r"\b|\b(?:as_mut_ptr|null_mut|as_ptr|into_raw)\b")
        else:
            parts.append(r"(?<![A-Za-z0-9_])" + re.escape(head) + r"\b")
    return re.compile("|".join(parts))


class _Resolver:
    """Finds which captured binding of a closure carries the offending type."""

    def __init__(self, parsed: syntax.Parsed, pattern: re.Pattern[str]) -> None:
        self.parsed = parsed
        self.pattern = pattern

    def captured(self, closure: tree_sitter.Node) -> str | None:
        body = closure.child_by_field_name("body")
        if body is None:
            return None
        seen: list[tuple[str, tree_sitter.Node]] = []
        for node in locate.walk(body):
            if node.type == "identifier":
                seen.append((self.parsed.node_text(node), node))
            elif node.type == "string_content" and syntax.enclosing(node, "token_tree"):
                for found in _FORMAT_ARG.finditer(self.parsed.node_text(node)):
                    seen.append((found.group(1), node))
        for name, node in seen:
            declaration = self._declaration(name, closure.start_byte, closure)
            if declaration is None:
                continue
            if self._carries(declaration, name, depth=0):
                return name
            parent = node.parent
            if parent is not None and parent.type == "field_expression" and \
                    parent.child_by_field_name("value") == node:
                field = parent.child_by_field_name("field")
                if field is not None and self._field_carries(self.parsed.node_text(field)):
                    return f"{name}.{self.parsed.node_text(field)}"
        return None

    def _declaration(self, name: str, before: int,
                     user: tree_sitter.Node) -> tree_sitter.Node | None:
        """The latest declaration of `name` before byte `before` whose scope holds `user`."""
        function = locate.enclosing_function(user) or self.parsed.root
        best: tree_sitter.Node | None = None
        for node in locate.walk(function):
            if node.start_byte >= before:
                continue
            if node.type in ("let_declaration", "parameter", "for_expression", "self_parameter"):
                if not self._declares(node, name):
                    continue
                scope = node.parent if node.type == "let_declaration" else node
                if node.type in ("parameter", "self_parameter"):
                    scope = syntax.enclosing(node, "function_item", "closure_expression") or node
                inside = scope is not None and \
                    scope.start_byte <= user.start_byte <= scope.end_byte
                if inside and (best is None or node.start_byte > best.start_byte):
                    best = node
        return best

    def _declares(self, node: tree_sitter.Node, name: str) -> bool:
        if node.type == "self_parameter":
            return name == "self"
        pattern = node.child_by_field_name("pattern")
        if pattern is None:
            return False
        return any(n.type == "identifier" and self.parsed.node_text(n) == name
                   for n in locate.walk(pattern))

    def _carries(self, declaration: tree_sitter.Node, name: str, depth: int) -> bool:
        if depth > 4:
            return False
        kind = declaration.type
        channel = self._channel_end(declaration, name)
        if channel is not None:
            return channel
        parts = []
        if kind in ("let_declaration", "parameter"):
            for key in ("type", "value"):
                child = declaration.child_by_field_name(key)
                if child is not None:
                    parts.append(child)
        if kind == "for_expression":
            value = declaration.child_by_field_name("value")
            if value is not None:
                parts.append(value)
        for part in parts:
            if self.pattern.search(self.parsed.node_text(part)):
                return True
        value = declaration.child_by_field_name("value")
        if value is None:
            return False
        source = self._source_of(value)
        if source is None:
            return False
        if source.type == "identifier":
            inner = self.parsed.node_text(source)
            earlier = self._declaration(inner, declaration.start_byte, declaration)
            return earlier is not None and self._carries(earlier, inner, depth + 1)
        if source.type == "field_expression":
            field = source.child_by_field_name("field")
            return field is not None and self._field_carries(self.parsed.node_text(field))
        return False

    def _channel_end(self, declaration: tree_sitter.Node, name: str) -> bool | None:
        """For `let (tx, rx) = mpsc::channel()`: whether `name` is the end the offending type
        names (the second for a `Receiver`, the first for a `Sender`); None for any other
        declaration."""
        pattern = declaration.child_by_field_name("pattern")
        value = declaration.child_by_field_name("value")
        if declaration.type != "let_declaration" or pattern is None or value is None or \
                pattern.type != "tuple_pattern" or len(pattern.named_children) != 2 or \
                not _CHANNEL.search(self.parsed.node_text(value)):
            return None
        receiving = bool(self.pattern.search("Receiver"))
        sending = bool(self.pattern.search("Sender") or self.pattern.search("SyncSender"))
        ends = [self.parsed.node_text(n) for n in pattern.named_children]
        return (receiving and ends[1] == name) or (sending and ends[0] == name)

    def _source_of(self, value: tree_sitter.Node) -> tree_sitter.Node | None:
        """The place a value is copied from: `x`, `&x`, `x.clone()`, `Arc::clone(&x)`."""
        node: tree_sitter.Node | None = value
        for _ in range(4):
            if node is None:
                return None
            if node.type in ("identifier", "field_expression"):
                return node
            if node.type == "reference_expression":
                node = node.child_by_field_name("value")
                continue
            if node.type == "call_expression":
                function = node.child_by_field_name("function")
                arguments = node.child_by_field_name("arguments")
                if function is not None and function.type == "field_expression":
                    method = function.child_by_field_name("field")
                    if method is not None and self.parsed.node_text(method) in (
                            "clone", "to_owned", "as_ref", "by_ref"):
                        node = function.child_by_field_name("value")
                        continue
                if function is not None and _WRAPPER.search(self.parsed.node_text(function)) \
                        and arguments is not None and arguments.named_child_count:
                    node = arguments.named_children[0]
                    continue
            return None
        return None

    def _field_carries(self, field: str) -> bool:
        for node in items.field_declarations(self.parsed.root):
            name = node.child_by_field_name("name")
            kind = node.child_by_field_name("type")
            if name is not None and kind is not None and \
                    self.parsed.node_text(name) == field and \
                    self.pattern.search(self.parsed.node_text(kind)):
                return True
        return False


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


class ThreadSpawnNotSend(Family):
    id = "thread-spawn-not-send"
    title = "Value captured by a thread is not Send/Sync"
    codes = ("E0277",)
    messages = (_MESSAGE.pattern,)
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
        head = _MESSAGE.match(diagnostic.message)
        if head is None:
            return None
        type_text = head.group("type")
        if "Future" in type_text or "{async" in type_text:
            return None
        text = diagnostic.all_text()
        if _FUTURE_CONTEXT.search(text) and "closure" not in text:
            return None
        facts: dict[str, FactValue] = {"type": type_text}
        not_impl = diagnostic.find(_NOT_IMPL)
        trait = not_impl.group("trait") if not_impl else (
            "Send" if head.group("how") == "sent" else "Sync")
        facts["trait"] = trait
        spawn = common.bound_in(diagnostic)
        if spawn:
            facts["spawn"] = spawn
        via = diagnostic.find(_VIA)
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
            variable = _Resolver(parsed, _head_pattern(heads)).captured(closure)
            if variable:
                facts["variable"] = variable
        used = diagnostic.span_labelled(r"used within this closure")
        if used is not None:
            related.append(Related(used[0], "the closure that captures it; everything it "
                                   f"captures must be {trait}"))
        return Match(family=self, diagnostic=diagnostic, facts=facts, related=related)

    def explain(self, match: Match) -> Explanation:
        type_text = match.fact("type")
        ty = match.code("type", "a captured value")
        variable = match.fact("variable")
        return prose.explanation(self.id, self.title, __name__, {
            "head": type_head(type_text) if type_text else "",
            "trait": match.fact("trait") or "Send", "ty": ty,
            "subject": f"`{variable}` ({ty})" if variable else ty,
            "spawn": match.code("spawn", "the spawn function"), "via": match.fact("via"),
            "closure_line": match.line("closure_line"), "receiver": variable or "rx",
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
