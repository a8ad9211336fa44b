"""Edits: applied by scalar columns, CRLF kept, overlaps and syntax breakage refused."""

from __future__ import annotations

import pytest

from borrowlens.analyses.fixes.edits import (
    EditError,
    Fix,
    TextEdit,
    apply,
    fix_applies_cleanly,
    validated,
)


def edit(line: int, col: int, end_line: int, end_col: int, text: str) -> TextEdit:
    return TextEdit("src/lib.rs", line, col, end_line, end_col, text)


def test_columns_count_scalar_values_not_bytes() -> None:
    source = 'fn f() { let s = "héllo"; let r = Rc::new(s); }\n'
    start = source.index("Rc") + 1
    out = apply(source, [edit(1, start, 1, start + 2, "Arc")])
    assert out == 'fn f() { let s = "héllo"; let r = Arc::new(s); }\n'


def test_astral_characters_before_the_edit() -> None:
    source = "// 😀\nlet x = Rc::new(1);\n"
    out = apply(source, [edit(2, 9, 2, 11, "Arc")])
    assert out == "// 😀\nlet x = Arc::new(1);\n"


def test_crlf_is_preserved_in_new_text() -> None:
    source = "fn a() {\r\n    b();\r\n}\r\n"
    out = apply(source, [edit(2, 5, 2, 9, "{\n        b();\n    }")])
    assert out == "fn a() {\r\n    {\r\n        b();\r\n    }\r\n}\r\n"


def test_several_edits_apply_against_the_original_positions() -> None:
    source = "use std::rc::Rc;\nfn f() { let a = Rc::new(1); }\n"
    out = apply(source, [edit(1, 5, 1, 16, "std::sync::Arc"), edit(2, 18, 2, 20, "Arc")])
    assert out == "use std::sync::Arc;\nfn f() { let a = Arc::new(1); }\n"


def test_overlapping_edits_are_refused() -> None:
    with pytest.raises(EditError):
        apply("abcdef\n", [edit(1, 1, 1, 4, "x"), edit(1, 3, 1, 5, "y")])


def test_out_of_range_is_refused() -> None:
    with pytest.raises(EditError):
        apply("abc\n", [edit(1, 9, 1, 10, "x")])
    with pytest.raises(EditError):
        apply("abc\n", [edit(7, 1, 7, 1, "x")])


def test_an_edit_that_breaks_the_syntax_is_refused() -> None:
    source = "fn f() {\n    let x = 1;\n}\n"
    with pytest.raises(EditError):
        validated(source, [edit(2, 5, 2, 8, "let {")])
    assert validated(source, [edit(2, 9, 2, 10, "y")]) == "fn f() {\n    let y = 1;\n}\n"


def test_fix_touching_unknown_file_is_not_offered() -> None:
    fix = Fix("t", True, (TextEdit("other.rs", 1, 1, 1, 1, "x"),))
    assert not fix_applies_cleanly(fix, {"src/lib.rs": "fn f() {}\n"})
