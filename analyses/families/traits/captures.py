"""Which binding a closure handed to a thread captures, and where it comes from.

Read from the source for `thread_spawn_not_send`: the closure's body names a binding whose
declaration (followed through copies: `Arc::clone(&x)`, `x.clone()`, `Arc::new(x)`, a channel
end, a struct field) has the type rustc says is not `Send`/`Sync`; then that binding's own
declaration, the one it is copied from and the `let` that creates the shared value.
"""

from __future__ import annotations

import re

import tree_sitter

from borrowlens.analyses.families.base import FactValue
from borrowlens.analyses.rust import items as rustsyntax
from borrowlens.analyses.rust import syntax

_CHANNEL = re.compile(r"\b(?:sync_)?channel\s*(?:::<[^>]*>)?\s*\(")
# Calls whose first argument is the value they hand on: `Arc::clone(&x)`, `Arc::new(x)`.
_WRAPPER = re.compile(r"(?:::clone|\b(?:Arc|Rc|Box|Mutex|RwLock)::new)$")
_MADE = re.compile(r"^(?:[\w:]*::)?(?:Rc|Arc)::new\(")
_FORMAT_ARG = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(?:[:}])")


def head_pattern(heads: list[str]) -> re.Pattern[str]:
    parts = []
    for head in heads:
        if head.startswith("*"):
            parts.append(re.escape(head) + r"\b|\b(?:as_mut_ptr|null_mut|as_ptr|into_raw)\b")
        else:
            parts.append(r"(?<![A-Za-z0-9_])" + re.escape(head) + r"\b")
    return re.compile("|".join(parts))


class Resolver:
    """Finds which captured binding of a closure carries the offending type."""

    def __init__(self, parsed: syntax.Parsed, pattern: re.Pattern[str]) -> None:
        self.parsed = parsed
        self.pattern = pattern

    def captured(self, closure: tree_sitter.Node) -> str | None:
        """The binding (or `binding.field`) of `closure` (or of an `async` block) whose
        declaration carries the type, or None."""
        body = closure.child_by_field_name("body") or next(
            (c for c in closure.named_children if c.type == "block"), None)
        if body is None:
            return None
        seen: list[tuple[str, tree_sitter.Node]] = []
        for node in self._walk(body):
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

    def origin(self, name: str, closure: tree_sitter.Node) -> dict[str, FactValue]:
        """Where the captured `name` comes from: its own declaration (`decl_line`); when it
        is a copy (`Arc::clone(&x)`, `x.clone()`, `self.x.clone()`), the declaration it is
        copied from (`origin`, `origin_line`; a struct field for `self.x`); and the `let`
        that wraps it in its shared pointer, `let x = Rc::new(…)` (`made_line`)."""
        head = name.split(".", maxsplit=1)[0]
        declaration = self._declaration(head, closure.start_byte, closure)
        if declaration is None:
            return {}
        facts: dict[str, FactValue] = {"decl_line": self.parsed.start(declaration)[0]}
        for _ in range(4):
            value = declaration.child_by_field_name("value")
            if value is not None and "made_line" not in facts and \
                    _MADE.match(self.parsed.node_text(value)):
                facts["made_line"] = self.parsed.start(declaration)[0]
            source = self._source_of(value) if value is not None else None
            if source is None or source.type not in ("identifier", "field_expression"):
                break
            if source.type == "field_expression":
                field = source.child_by_field_name("field")
                found = self._field(self.parsed.node_text(field)) if field is not None else None
                if found is not None:
                    facts.update(origin=self.parsed.node_text(source),
                                 origin_line=self.parsed.start(found)[0])
                break
            earlier = self._declaration(self.parsed.node_text(source), declaration.start_byte,
                                        declaration)
            if earlier is None:
                break
            declaration = earlier
            facts.update(origin=self.parsed.node_text(source),
                         origin_line=self.parsed.start(earlier)[0])
        return facts

    def _field(self, field: str) -> tree_sitter.Node | None:
        for node in rustsyntax.field_declarations(self.parsed.root):
            name = node.child_by_field_name("name")
            if name is not None and self.parsed.node_text(name) == field:
                return node
        return None

    def _walk(self, node: tree_sitter.Node) -> list[tree_sitter.Node]:
        out: list[tree_sitter.Node] = []
        stack = [node]
        while stack:
            current = stack.pop()
            out.append(current)
            stack.extend(reversed(current.children))
        return out

    def _declaration(self, name: str, before: int,
                     user: tree_sitter.Node) -> tree_sitter.Node | None:
        """The latest declaration of `name` before byte `before` whose scope holds `user`."""
        function = syntax.enclosing(user, "function_item") or self.parsed.root
        best: tree_sitter.Node | None = None
        for node in self._walk(function):
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
                   for n in self._walk(pattern))

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
        for node in rustsyntax.field_declarations(self.parsed.root):
            name = node.child_by_field_name("name")
            kind = node.child_by_field_name("type")
            if name is not None and kind is not None and \
                    self.parsed.node_text(name) == field and \
                    self.pattern.search(self.parsed.node_text(kind)):
                return True
        return False
