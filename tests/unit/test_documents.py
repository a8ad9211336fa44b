"""server/documents.py: the editor's changes applied in each position encoding, and file URIs
converted as VS Code (and pygls, which the proxy no longer imports) convert them."""

from __future__ import annotations

from typing import Any

import pytest

from borrowlens.server.documents import Document, path_to_uri, uri_to_path


def _change(start: tuple[int, int], end: tuple[int, int], text: str) -> dict[str, Any]:
    return {"range": {"start": {"line": start[0], "character": start[1]},
                      "end": {"line": end[0], "character": end[1]}}, "text": text}


@pytest.mark.parametrize(("encoding", "column"), [("utf-16", 4), ("utf-8", 6), ("utf-32", 3)])
def test_a_column_after_an_astral_character_in_each_encoding(encoding: str,
                                                             column: int) -> None:
    document = Document("a\U0001F600b = 1;\r\nnext\n", 1)
    document.apply(_change((0, column), (0, column), "X"), encoding)
    assert document.source == "a\U0001F600bX = 1;\r\nnext\n"


def test_ranges_past_a_line_or_the_text_end_clamp_to_them() -> None:
    document = Document("ab\r\ncd", 1)
    document.apply(_change((0, 99), (1, 0), "+"), "utf-16")  # joins the lines, CRLF and all
    assert document.source == "ab+cd"
    document.apply(_change((5, 0), (7, 3), "!"), "utf-16")
    assert document.source == "ab+cd!"
    document.apply({"text": "whole"}, "utf-16")
    assert document.source == "whole"


def test_lines_end_only_at_newlines() -> None:
    document = Document("a\x0cb\u2028c\nd", 1)
    document.apply(_change((1, 0), (1, 1), "D"), "utf-16")
    assert document.source == "a\x0cb\u2028c\nD"


# A path, its URI, and the path read back from the URI (a drive letter in lower case).
PATHS = [
    ("/home/me/a b/c#d.rs", "file:///home/me/a%20b/c%23d.rs", "/home/me/a b/c#d.rs"),
    ("/tmp/\u00e9.rs", "file:///tmp/%C3%A9.rs", "/tmp/\u00e9.rs"),
    ("//server/share/x.rs", "file://server/share/x.rs", "//server/share/x.rs"),
    ("/C:/src/main.rs", "file:///c:/src/main.rs", "c:/src/main.rs"),
]


def test_paths_and_uris() -> None:
    assert [path_to_uri(path) for path, _, _ in PATHS] == [uri for _, uri, _ in PATHS]
    assert [uri_to_path(uri) for _, uri, _ in PATHS] == [back for _, _, back in PATHS]


def test_a_uri_that_is_not_a_file_stays_as_it_is() -> None:
    assert uri_to_path("untitled:Untitled-1") == "untitled:Untitled-1"
    assert uri_to_path("file:///C%3A/x.rs") == "c:/x.rs"
