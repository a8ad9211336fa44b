"""Source navigation (`rust/locate.py`): the node at a span, the fn around it and its name,
walks in source order."""

from __future__ import annotations

from borrowlens.analyses.diagnostics.model import Span
from borrowlens.analyses.rust import locate
from borrowlens.analyses.rust.sources import MappingSources
from borrowlens.analyses.rust.syntax import parse

TEXT = ("trait T {\n    fn sig(&self);\n}\n\nimpl S {\n    fn method(&self) {\n"
        "        let f = async { work().await };\n    }\n}\n")


def _span(line: int, column: int, text: tuple[str, ...] = ()) -> Span:
    return Span(file="src/lib.rs", line_start=line, column_start=column, line_end=line,
                column_end=column + 1, text=text)


def test_node_at_a_line_the_file_does_not_have_is_none() -> None:
    parsed = parse(TEXT)
    assert locate.node_at(parsed, 9, 1) is not None
    assert locate.node_at(parsed, 10, 1) is None
    assert locate.node_at(parsed, 0, 1) is None


def test_past_indent_moves_a_column_one_span_onto_the_code() -> None:
    sources = MappingSources({"src/lib.rs": TEXT})
    plain = locate.at(_span(6, 1), sources)
    moved = locate.at(_span(6, 1), sources, past_indent=True)
    assert plain is not None and moved is not None
    assert locate.enclosing_function(plain.node) is None  # the impl's `{ … }`
    assert locate.name_of(moved.parsed, locate.enclosing_function(moved.node)) == "method"


def test_the_function_around_a_span() -> None:
    sources = MappingSources({"src/lib.rs": TEXT})
    assert locate.function_name_at(_span(7, 9), sources) == "method"
    assert locate.function_name_at(_span(2, 8), sources) is None
    assert locate.function_name_at(_span(2, 8), sources, signatures=True) == "sig"


def test_without_the_source_the_name_comes_from_the_quoted_line() -> None:
    span = _span(6, 5, text=("    fn method(&self) {",))
    assert locate.function_name_at(span, MappingSources({})) == "method"
    assert locate.function_name_at(_span(6, 5), MappingSources({})) is None


def test_an_async_block_can_stop_the_search_for_the_function() -> None:
    parsed = parse(TEXT)
    work = locate.identifiers(parsed, "work")[0]
    assert locate.enclosing_function(work) is not None
    assert locate.enclosing_function(work, stop_at=("async_block",)) is None


def test_walk_is_in_source_order_and_can_skip_subtrees() -> None:
    parsed = parse("fn f() { a(b); }\nfn g() {}\n")
    names = [parsed.node_text(n) for n in locate.walk(parsed.root, named=True)
             if n.type == "identifier"]
    assert names == ["f", "a", "b", "g"]
    shallow = [n.type for n in locate.walk(parsed.root, named=True,
                                            into=lambda n: n.type == "source_file")]
    assert shallow == ["source_file", "function_item", "function_item"]


def test_names_in_sees_format_captures_of_macros_only() -> None:
    parsed = parse('fn f() { println!("{x} {y:?}"); let s = "{z}"; }\n')
    names = {name for name, _ in locate.names_in(parsed, parsed.root)}
    assert {"x", "y", "s"} <= names
    assert "z" not in names
