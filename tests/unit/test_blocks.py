"""Statement-level edits (`fixes/blocks.py`): a run of statements into a block, in the file's
own indentation and line endings; statements alone on their lines."""

from __future__ import annotations

from borrowlens.analyses.fixes.blocks import alone_on_lines, wrap_in_block
from borrowlens.analyses.fixes.edits import apply
from borrowlens.analyses.fixes.source_file import SourceFile
from borrowlens.analyses.rust.syntax import parse


def test_wrap_in_block_keeps_crlf_and_indentation() -> None:
    text = "fn f() {\r\n\tlet a = 1;\r\n\tlet b = a;\r\n\tg(b);\r\n}\r\n"
    file = SourceFile("f.rs", parse(text))
    body = file.root.named_children[0].child_by_field_name("body")
    assert body is not None
    statements = body.named_children
    edit = wrap_in_block(file, statements[0], statements[1])
    out = apply(text, [edit])
    assert out == "fn f() {\r\n\t{\r\n\t\tlet a = 1;\r\n\t\tlet b = a;\r\n\t}\r\n\tg(b);\r\n}\r\n"


def test_alone_on_lines_allows_a_trailing_comment_only_when_asked() -> None:
    file = SourceFile("f.rs", parse("fn f() {\n    let a = 1; // one\n    let b = 2; g(b);\n}\n"))
    body = file.root.named_children[0].child_by_field_name("body")
    assert body is not None
    first, second, third = body.named_children[0], body.named_children[2], \
        body.named_children[3]
    assert not alone_on_lines(file, first)
    assert alone_on_lines(file, first, comment_after=True)
    assert not alone_on_lines(file, second, comment_after=True)
    assert alone_on_lines(file, second, third)
