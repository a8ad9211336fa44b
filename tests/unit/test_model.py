"""The normalised diagnostic: rustc JSON, rust-analyzer's LSP shape, positions, pasted text."""

from __future__ import annotations

import json
from typing import Any

import pytest

from borrowlens.analyses.diagnostics.lsp import (
    LspContext,
    column_to_units,
    from_lsp,
    group_lsp,
    is_hint_copy,
    units_to_column,
)
from borrowlens.analyses.diagnostics.model import in_dependency
from borrowlens.analyses.diagnostics.pasted import from_rendered, pasted_files
from borrowlens.analyses.diagnostics.rustc_json import from_cargo_messages, from_rustc
from support.lsp_shape import to_lsp


def _span(line: int, col: int, end: int, label: str | None, primary: bool,
          file: str = "src/lib.rs") -> dict[str, Any]:
    return {"file_name": file, "line_start": line, "line_end": line, "column_start": col,
            "column_end": end, "byte_start": 0, "byte_end": 0, "is_primary": primary,
            "label": label, "text": [], "suggested_replacement": None,
            "suggestion_applicability": None, "expansion": None}


SEND_ERROR: dict[str, Any] = {
    "message": "future cannot be sent between threads safely",
    "code": None, "level": "error", "rendered": "error: future cannot be sent…",
    "spans": [_span(20, 18, 31, "future returned by `run` is not `Send`", True)],
    "children": [
        {"message": "within `impl Future<Output = ()>`, the trait `Send` is not implemented "
                    "for `Rc<u8>`", "level": "help", "spans": [], "children": [],
         "code": None, "rendered": None},
        {"message": "future is not `Send` as this value is used across an await",
         "level": "note", "code": None, "rendered": None, "children": [],
         "spans": [_span(7, 13, 18, "await occurs here, with `value` maybe used later", True),
                   _span(5, 9, 14, "has type `Rc<u8>` which is not `Send`", False)]},
    ],
}


def test_from_rustc_keeps_code_spans_and_children() -> None:
    diagnostic = from_rustc({**SEND_ERROR, "code": {"code": "E0277", "explanation": None}})
    assert diagnostic.code == "E0277"
    assert diagnostic.primary is not None and diagnostic.primary.line_start == 20
    assert [c.level for c in diagnostic.children] == ["help", "note"]
    found = diagnostic.span_labelled(r"has type `([^`]+)`")
    assert found is not None and found[1].group(1) == "Rc<u8>" and found[0].line_start == 5


def test_cargo_stream_skips_artifacts_summaries_and_noise() -> None:
    lines = [
        "Compiling foo v0.1.0",
        json.dumps({"reason": "compiler-artifact", "target": {}}),
        json.dumps({"reason": "compiler-message", "message": SEND_ERROR}),
        json.dumps({"reason": "compiler-message", "message": {
            "message": "aborting due to 1 previous error", "level": "error", "spans": [],
            "children": [], "code": None, "rendered": ""}}),
        "{not json",
    ]
    diagnostics = from_cargo_messages(lines)
    assert [d.message for d in diagnostics] == [SEND_ERROR["message"]]


def test_rust_analyzer_shape_is_grouped_and_read_back() -> None:
    published = to_lsp(SEND_ERROR, root=__import__("pathlib").Path("/ws"))
    raw = [diagnostic for _, diagnostic in published]
    # one parent plus one hint for the spanned child note
    assert len(raw) == 2 and is_hint_copy(raw[1]) and not is_hint_copy(raw[0])
    groups = group_lsp(raw)
    assert len(groups) == 1 and len(groups[0][1]) == 1
    context = LspContext(resolve_uri=lambda uri: uri.removeprefix("file:///ws/"))
    diagnostic = from_lsp(groups[0][0], "file:///ws/src/lib.rs", context, tuple(groups[0][1]))
    assert diagnostic.message == "future cannot be sent between threads safely"
    assert diagnostic.primary is not None and diagnostic.primary.line_start == 20
    assert diagnostic.primary.file == "src/lib.rs"
    # the spanless help arrives as an extra message line, the spanned note as related info
    assert diagnostic.find(r"not implemented for `Rc<u8>`") is not None
    related = diagnostic.span_labelled(r"^future is not `Send`")
    assert related is not None and related[0].line_start == 7
    assert len(diagnostic.hints) == 1


def test_hint_without_parent_in_batch_is_kept() -> None:
    orphan = {"range": {"start": {"line": 1, "character": 0},
                        "end": {"line": 1, "character": 3}},
              "severity": 4, "message": "note",
              "relatedInformation": [{"location": {"uri": "file:///x", "range": {
                  "start": {"line": 9, "character": 0}, "end": {"line": 9, "character": 1}}},
                  "message": "original diagnostic"}]}
    assert group_lsp([orphan]) == [(orphan, [])]


@pytest.mark.parametrize(("text", "units", "encoding", "column"), [
    ("let é = 1;", 6, "utf-16", 6),
    ("let é = 1;", 7, "utf-8", 6),
    ("// 😀 x", 6, "utf-16", 5),
    ("// 😀 x", 8, "utf-8", 5),
    ("// 😀 x", 5, "utf-32", 5),
    ("ab", 5, "utf-16", 5),
])
def test_position_encodings_round_trip(text: str, units: int, encoding: str,
                                       column: int) -> None:
    assert units_to_column(text, units, encoding) == column
    assert column_to_units(text, column, encoding) == units


def test_lsp_columns_are_converted_with_line_text() -> None:
    line = "    let naïve = Rc::new(1);"
    rng = {"start": {"line": 0, "character": 14}, "end": {"line": 0, "character": 20}}
    context = LspContext(resolve_uri=lambda uri: "a.rs", line_text=lambda path, n: line,
                         encoding="utf-8")
    span = context.span("file:///a.rs", rng, None, True)
    # 14 UTF-8 bytes = 13 scalar values ("ï" is two bytes): 1-based column 14
    assert span.column_start == 14


RENDERED = """error[E0597]: `config` does not live long enough
  --> src/main.rs:9:23
   |
8  |     let config = load();
   |         ------ binding `config` declared here
9  |     let name: &'static str = &config.name;
   |               ------------   ^^^^^^^^^^^^ borrowed value does not live long enough
   |               |
   |               type annotation requires that `config` is borrowed for `'static`
10 | }
   | - `config` dropped here while still borrowed
   = note: something spanless
"""


def test_pasted_rendered_text_is_read_back() -> None:
    diagnostic = from_rendered(RENDERED)
    assert diagnostic is not None
    assert diagnostic.code == "E0597"
    assert diagnostic.message == "`config` does not live long enough"
    assert diagnostic.primary is not None and diagnostic.primary.line_start == 9
    dropped = diagnostic.span_labelled(r"dropped here while still borrowed")
    assert dropped is not None and dropped[0].line_start == 10
    assert diagnostic.find(r"borrowed for `'static`") is not None
    assert diagnostic.find(r"something spanless") is not None


def test_pasted_code_or_message_alone() -> None:
    code_only = from_rendered("E0733")
    assert code_only is not None and code_only.code == "E0733" and code_only.message == ""
    message_only = from_rendered("future cannot be sent between threads safely")
    assert message_only is not None and message_only.code is None
    assert message_only.message.startswith("future cannot be sent")


@pytest.mark.parametrize(("path", "external"), [
    ("/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/tokio-1.54.1/src/join.rs", True),
    ("/home/me/.cargo/git/checkouts/somecrate-1234/abcd/src/lib.rs", True),
    ("/rustc/4eb161250e340c8f48f66e2b929ef4a5bed7c181/library/core/src/future/mod.rs", True),
    ("/home/me/.rustup/toolchains/stable-x86_64/lib/rustlib/src/rust/library/std/src/io.rs",
     True),
    ("/home/me/work/service/src/main.rs", False),
    ("src/main.rs", False),
])
def test_in_dependency_tells_other_crates_from_the_workspace(path: str, external: bool) -> None:
    """rust-analyzer publishes absolute paths for workspace files too: the location, not
    the form of the path, says whether a span is in another crate."""
    assert in_dependency(path) is external


def test_group_lsp_groups_by_range_with_odd_ranges_like_plain_ones() -> None:
    def rng(line: object) -> dict[str, object]:
        return {"start": {"line": line, "character": 1}, "end": {"line": line, "character": 2}}

    def hint(target: object) -> dict[str, object]:
        return {"severity": 4, "range": rng(9), "message": "h",
                "relatedInformation": [{"message": "original diagnostic",
                                        "location": {"uri": "u", "range": target}}]}

    first, second = {"severity": 1, "range": rng(1)}, {"severity": 1, "range": rng(1)}
    own_hint = {"severity": 4, "range": rng(2), "message": "not a copy"}
    odd = {"severity": 1, "range": {**rng(3), "extra": True}}
    a, b, c, lost = hint(rng(1)), hint(rng(2)), hint({**rng(3), "extra": True}), hint(rng(7))
    grouped = group_lsp([first, a, second, own_hint, b, odd, c, lost])
    # The first parent with the range takes the copy; a severity-4 diagnostic never does;
    # a copy without its parent stays on its own.
    assert grouped == [(first, [a]), (second, []), (own_hint, []), (odd, [c]), (b, []),
                       (lost, [])]


def test_pasted_columns_count_wide_characters_as_rustc_draws_them() -> None:
    # rustc draws two marker columns under a wide character; the span's columns count chars.
    pasted = from_rendered('error: x\n --> src/lib.rs:1:16\n  |\n'
                           '1 | let s = "日本語"; foo();\n'
                           '  |                   ^^^^^ here\n')
    assert pasted is not None
    here = pasted.span_labelled("here")
    assert here is not None
    assert (here[0].column_start, here[0].column_end) == (16, 21)


def test_a_suggestion_is_not_taken_for_the_users_code() -> None:
    text = ("error[E0310]: the parameter type `T` may not live long enough\n"
            " --> src/lib.rs:3:5\n  |\n3 |     spawn(task);\n  |     ^^^^^^^^^^^ here\n"
            "help: consider adding an explicit lifetime bound\n  |\n"
            "2 | fn run<T: 'static>(task: T) {\n  |         +++++++++\n")
    assert pasted_files(text) == {"src/lib.rs": "\n\n    spawn(task);\n"}
    pasted = from_rendered(text)
    assert pasted is not None
    assert [(c.level, c.message, c.spans) for c in pasted.children] == \
        [("help", "consider adding an explicit lifetime bound", ())]
