"""Files that are not UTF-8 are read with replacement characters and never written from; a
UTF-8 file that really contains U+FFFD is an ordinary file (issue: it was never fixed)."""

from __future__ import annotations

from pathlib import Path

from borrowlens.analyses.fixes.source_file import SourceFile
from borrowlens.analyses.rust.sources import MappingSources, is_lossy
from borrowlens.server.disk import DiskSources
from borrowlens.server.documents import Documents


def test_invalid_utf8_is_lossy_and_not_loaded_for_fixes(tmp_path: Path) -> None:
    (tmp_path / "bad.rs").write_bytes(b"fn main() { let s = \"\xff\"; }\n")
    for sources in (DiskSources(tmp_path), Documents()):
        path = "bad.rs" if isinstance(sources, DiskSources) else str(tmp_path / "bad.rs")
        text = sources.text(path)
        assert text is not None and "\ufffd" in text
        assert is_lossy(sources, path)
        assert SourceFile.load(sources, path) is None


def test_a_real_replacement_character_is_fine(tmp_path: Path) -> None:
    (tmp_path / "ok.rs").write_text("fn main() { let s = \"\ufffd\"; }\n", encoding="utf-8")
    for sources in (DiskSources(tmp_path), Documents()):
        path = "ok.rs" if isinstance(sources, DiskSources) else str(tmp_path / "ok.rs")
        assert not is_lossy(sources, path) and sources.text(path) is not None
        assert SourceFile.load(sources, path) is not None


def test_sources_without_the_method_are_not_lossy() -> None:
    sources = MappingSources({"a.rs": "fn a() {}\n"})
    assert not is_lossy(sources, "a.rs")
