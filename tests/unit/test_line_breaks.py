"""Lines are counted the way rustc, rust-analyzer and tree-sitter count them: at `\\n` only.

Python's `str.splitlines()` also breaks at a form feed, `\\v`, `\\x1c`-`\\x1e`, NEL, U+2028,
U+2029 and a lone `\\r`; one such character in a comment used to shift every line after it,
so fixes landed a line early or vanished. These tests put each of them in a comment at the end
of line 1 of every file of every fixture (nothing moves: no line or column of any span changes)
and expect exactly the fixes of the plain crate; the proxy's copy of an open document must
stay the editor's text through incremental changes below such a character; and no source
under analyses/, server/ or cli/ may split lines any other way than `split_lines`.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from borrowlens.analyses.families.offers import offered_fixes
from borrowlens.analyses.families.registry import classify
from borrowlens.analyses.fixes.edits import apply
from borrowlens.analyses.rust.sources import MappingSources, split_lines
from borrowlens.server.documents import Documents
from support.fixcheck import case_fixes
from support.fixtures import Case, cases, target

ROOT = Path(__file__).resolve().parents[2]

# Every character `str.splitlines()` breaks at besides `\n` and `\r\n`.
BREAKERS = {"form-feed": "\x0c", "vtab": "\x0b", "fs": "\x1c", "gs": "\x1d", "rs": "\x1e",
            "nel": "\x85", "line-sep": "\u2028", "para-sep": "\u2029", "lone-cr": "\r"}

FIX_CASES = [c for c in cases() if (c.expect.get("fixes") or {}).get("offered")]


def _with_comment(text: str, char: str) -> str:
    """`text` with `// page<char>break` at the end of its first line."""
    first, newline, rest = text.partition("\n")
    end = "\r" if first.endswith("\r") else ""
    return f"{first.removesuffix(end)} // page{char}break{end}{newline}{rest}"


def test_split_lines_counts_only_newlines() -> None:
    text = "a\x0cb\x0bc\x1cd\x1de\x1ef\x85g\u2028h\u2029i\rj\r\nk\nl"
    assert split_lines(text) == ["a\x0cb\x0bc\x1cd\x1de\x1ef\x85g\u2028h\u2029i\rj", "k", "l"]
    assert split_lines("a\nb\n", keepends=True) == ["a\n", "b\n"]
    assert split_lines("a\r\nb\x0cc", keepends=True) == ["a\r\n", "b\x0cc"]
    assert split_lines("", keepends=True) == []


@pytest.mark.parametrize("char", BREAKERS.values(), ids=BREAKERS.keys())
@pytest.mark.parametrize("case", FIX_CASES, ids=lambda c: c.id)
def test_fixes_unmoved_by_a_line_break_character_in_a_comment(case: Case, char: str) -> None:
    plain = case.sources()
    files = {path: _with_comment(text, char) for path, text in plain._files.items()}
    sources = MappingSources(files)
    diagnostic = target(case, case.recorded())
    match = classify(diagnostic, sources)
    assert match is not None, f"{case.id}: not recognised with {char!r} on line 1"
    fixes = offered_fixes(match, sources)
    expected = case_fixes(case)
    assert [f.id for f in fixes] == [f.id for f in expected]
    for got, want in zip(fixes, expected, strict=True):
        # Same places; an edit that itself covers line 1's end carries the comment along.
        for file in want.files():
            after = apply(files[file], [e for e in got.edits if e.file == file])
            plain_after = apply(plain._files[file], [e for e in want.edits if e.file == file])
            assert split_lines(after)[1:] == split_lines(plain_after)[1:], (
                f"{case.id}/{want.id}: {file} differs below line 1")
        assert [(e.file, e.line_start, e.line_end) for e in got.edits] == \
            [(e.file, e.line_start, e.line_end) for e in want.edits]


def _lsp_change(documents: Documents, uri: str, line: int, character: int, text: str,
                version: int) -> None:
    documents.change({"textDocument": {"uri": uri, "version": version},
                      "contentChanges": [{"range": {
                          "start": {"line": line, "character": character},
                          "end": {"line": line, "character": character}},
                          "text": text}]})


def _editor_insert(text: str, line: int, character: int, new: str) -> str:
    """What an editor that counts lines at `\\n` (as rust-analyzer does) holds after the
    insertion (ASCII text, so characters are UTF-16 units)."""
    lines = split_lines(text, keepends=True)
    offset = sum(len(x) for x in lines[:line]) + character
    return text[:offset] + new + text[offset:]


@pytest.mark.parametrize("char", BREAKERS.values(), ids=BREAKERS.keys())
def test_did_change_below_a_line_break_character_keeps_the_editor_text(char: str) -> None:
    uri = "file:///w/src/lib.rs"
    text = f"// page{char}break\nfn a() {{}}\n\nfn b() {{\n    let x = 1;\n}}\n"
    documents = Documents()
    documents.open({"textDocument": {"uri": uri, "text": text, "version": 1,
                                     "languageId": "rust"}})
    editor = text
    for version, (line, character, new) in enumerate(
            [(4, 4, "let y = 2;\n    "), (1, 4, "_z"), (6, 1, "\nfn c() {}"),
             (0, 2, " page")], start=2):
        _lsp_change(documents, uri, line, character, new, version)
        editor = _editor_insert(editor, line, character, new)
        assert documents.text("/w/src/lib.rs") == editor
    line_text = documents.context().line_text
    assert line_text is not None and line_text("/w/src/lib.rs", 2) == "fn a_z() {}"
    assert documents.lsp_range("/w/src/lib.rs", 5, 5, 5, 7)["start"] == \
        {"line": 4, "character": 4}


SPLITLINES = re.compile(r"\bsplitlines\(")


def test_nothing_splits_lines_at_anything_but_newlines() -> None:
    found = [f"{path.relative_to(ROOT)}:{number}"
             for folder in ("analyses", "server", "cli")
             for path in sorted((ROOT / folder).rglob("*.py"))
             for number, line in enumerate(split_lines(path.read_text(encoding="utf-8")), 1)
             # Code, not a mention of it in `backticks` or a comment.
             if SPLITLINES.search(re.sub(r"`[^`]*`|#.*", "", line))]
    assert not found, f"use borrowlens.analyses.rust.sources.split_lines instead: {found}"
