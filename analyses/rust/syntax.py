"""tree-sitter access for the families: parse Rust source, run the `.scm` queries, navigate.

Parsers and compiled queries are created once per process. Positions given to and returned by
these helpers use the model's convention (1-based lines, 1-based columns in Unicode scalar
values); tree-sitter itself counts bytes, which the helpers convert.
"""

from __future__ import annotations

import bisect
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache
from importlib import resources

import tree_sitter
import tree_sitter_rust


@cache
def language() -> tree_sitter.Language:
    return tree_sitter.Language(tree_sitter_rust.language())


# One parser per thread: a tree-sitter Parser is not safe to share, and the language server
# runs the core on a worker thread (enrichment) and on the fix verifier's.
_PARSERS = threading.local()


def _parser() -> tree_sitter.Parser:
    parser: tree_sitter.Parser | None = getattr(_PARSERS, "parser", None)
    if parser is None:
        parser = _PARSERS.parser = tree_sitter.Parser(language())
    return parser


@dataclass(frozen=True)
class Parsed:
    """A parsed file: its text, its UTF-8 bytes and its syntax tree."""

    text: str
    data: bytes
    tree: tree_sitter.Tree

    @property
    def root(self) -> tree_sitter.Node:
        return self.tree.root_node

    def node_text(self, node: tree_sitter.Node) -> str:
        return self.data[node.start_byte:node.end_byte].decode("utf-8", errors="replace")

    @cached_property
    def _line_starts(self) -> list[int]:
        """Byte offset at which each line starts (index 0 = line 1), computed once."""
        starts = [0]
        starts.extend(i + 1 for i, byte in enumerate(self.data) if byte == 0x0A)
        return starts

    @property
    def line_count(self) -> int:
        """How many lines the file has (a final line ending does not start another)."""
        if not self.data:
            return 0
        return len(self._line_starts) - (1 if self.data.endswith(b"\n") else 0)

    def line_text(self, line: int) -> str | None:
        """The 1-based line without its line ending, or None past the end."""
        if not 0 < line <= self.line_count:
            return None
        starts = self._line_starts
        end = starts[line] if line < len(starts) else len(self.data)
        raw = self.data[starts[line - 1]:end].decode("utf-8", errors="replace")
        return raw.removesuffix("\n").removesuffix("\r")

    def byte_offset(self, line: int, column: int) -> int:
        """Byte offset of a 1-based line / 1-based scalar column."""
        starts = self._line_starts
        if not 0 < line <= len(starts):
            return len(self.data) if line > len(starts) else 0
        begin = starts[line - 1]
        end = starts[line] if line < len(starts) else len(self.data)
        current = self.data[begin:end].decode("utf-8", errors="replace")
        return begin + len(current[: column - 1].encode("utf-8"))

    def position(self, byte: int) -> tuple[int, int]:
        """1-based (line, scalar column) of a byte offset."""
        index = bisect.bisect_right(self._line_starts, byte) - 1
        begin = self._line_starts[index]
        column = len(self.data[begin:byte].decode("utf-8", errors="replace")) + 1
        return index + 1, column

    def start(self, node: tree_sitter.Node) -> tuple[int, int]:
        return self.position(node.start_byte)

    def end(self, node: tree_sitter.Node) -> tuple[int, int]:
        return self.position(node.end_byte)

    def node_at(self, line: int, column: int, *, named: bool = True) -> tree_sitter.Node | None:
        """The smallest (named) node covering the position."""
        offset = self.byte_offset(line, column)
        if named:
            return self.root.named_descendant_for_byte_range(offset, offset)
        return self.root.descendant_for_byte_range(offset, offset)

    def has_errors(self) -> bool:
        return self.root.has_error


# How much work a parse may do, in tree-sitter's progress reports per byte of input (plus a
# floor for tiny inputs). Real code reports about one per hundred bytes; some garbage (a line
# of `-->` repeated 1 200 times) makes tree-sitter's error recovery cubic, a dozen reports per
# byte and seconds for 3.6 KB. Counting work rather than time keeps the result the same on a
# busy machine. A parse past the budget gives an empty tree: the file reads as holding no code.
PARSE_WORK_PER_BYTE = 1
PARSE_WORK_FLOOR = 1_000


@lru_cache(maxsize=64)
def parse(text: str) -> Parsed:
    data = text.encode("utf-8")
    budget = PARSE_WORK_FLOOR + PARSE_WORK_PER_BYTE * len(data)
    reports = 0

    def spent(_offset: int, _has_error: bool) -> bool:
        nonlocal reports
        reports += 1
        return reports > budget

    parser = _parser()
    try:
        tree = parser.parse(lambda at, _point: data[at:at + 65_536], progress_callback=spent)
    except ValueError:  # given up: tree-sitter's cancellation
        parser.reset()
        tree = parser.parse(b"")
    return Parsed(text=text, data=data, tree=tree)


@cache
def query(name: str) -> tree_sitter.Query:
    """The compiled query `analyses/rust/queries/<name>.scm`."""
    source = resources.files("borrowlens.analyses.rust").joinpath("queries", f"{name}.scm")
    return tree_sitter.Query(language(), source.read_text(encoding="utf-8"))


def _source_order(node: tree_sitter.Node) -> tuple[int, int]:
    """Sort key for source order as a pre-order walk sees it: by start, and of two nodes that
    start together the enclosing one first."""
    return node.start_byte, -node.end_byte


def captures(name: str, node: tree_sitter.Node) -> dict[str, list[tree_sitter.Node]]:
    """Captures of the named query under `node` (the node itself included), grouped by
    capture name, each list in source order (an enclosing node before what it holds)."""
    found = tree_sitter.QueryCursor(query(name)).captures(node)
    return {key: sorted(nodes, key=_source_order) for key, nodes in found.items()}


def captured(name: str, node: tree_sitter.Node, capture: str) -> list[tree_sitter.Node]:
    """The nodes of one capture of the named query under `node`, in source order."""
    return captures(name, node).get(capture, [])


def matches(name: str, node: tree_sitter.Node) -> list[dict[str, list[tree_sitter.Node]]]:
    """Each match of the named query under `node` as its own capture dict, in source order of
    the matches (by the first byte any capture covers, the widest first)."""
    found = [caps for _, caps in tree_sitter.QueryCursor(query(name)).matches(node)]

    def key(caps: dict[str, list[tree_sitter.Node]]) -> tuple[int, int]:
        nodes = [n for group in caps.values() for n in group]
        return min(n.start_byte for n in nodes), -max(n.end_byte for n in nodes)

    return sorted(found, key=key)


def ancestors(node: tree_sitter.Node) -> Iterator[tree_sitter.Node]:
    current = node.parent
    while current is not None:
        yield current
        current = current.parent


def enclosing(node: tree_sitter.Node, *kinds: str) -> tree_sitter.Node | None:
    """The nearest ancestor (or the node itself) of one of the given kinds."""
    if node.type in kinds:
        return node
    return next((a for a in ancestors(node) if a.type in kinds), None)
