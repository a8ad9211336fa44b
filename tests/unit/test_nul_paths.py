"""A NUL byte in a path (a `%00` in an editor's URI, a `\u0000` in a file name cargo printed)
is a file that cannot exist: read as missing, never a ValueError out of the server or CLI."""

from __future__ import annotations

from pathlib import Path

from borrowlens.analyses.diagnostics.rustc_json import problem
from borrowlens.server.disk import DiskSources, canonical
from borrowlens.server.session import Session


def test_reading_a_nul_path_finds_nothing(tmp_path: Path) -> None:
    assert DiskSources(tmp_path).text("src/lib\0.rs") is None
    assert Session().text("/tmp/lib\0.rs") is None
    assert canonical("/tmp/a\0b") == "/tmp/a\0b"


def test_a_published_diagnostic_in_a_nul_path_is_survived(tmp_path: Path) -> None:
    session = Session()
    uri = (tmp_path / "lib.rs").as_uri().replace("lib.rs", "li%00b.rs")
    diagnostic = {"range": {"start": {"line": 0, "character": 0},
                            "end": {"line": 0, "character": 1}},
                  "severity": 1, "source": "rustc", "message": "future cannot be sent "
                  "between threads safely", "data": {"rendered": "error: x\n --> a\0b:1:1\n"}}
    session.enrich({"uri": uri, "diagnostics": [diagnostic]})
    assert session.code_actions(uri, diagnostic["range"]) == []


def test_rustc_never_names_a_file_with_a_nul_byte() -> None:
    span = {"file_name": "src/lib\0.rs", "line_start": 1, "line_end": 1,
            "column_start": 1, "column_end": 2, "is_primary": True}
    assert problem({"level": "error", "message": "m", "spans": [span]}) == \
        "a span's file name contains a NUL byte"
