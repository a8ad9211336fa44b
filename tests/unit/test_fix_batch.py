"""Which fixes share a round of `borrowlens fix` (`cli/fix_batch`): independent edits go
together, identical ones are made once, clashing ones wait, and a batch that breaks the parse
is split so that each fix is judged alone."""

from __future__ import annotations

from pathlib import Path

from borrowlens.analyses.fixes.edits import Fix, TextEdit
from borrowlens.analyses.rust.sources import MappingSources
from borrowlens.cli.fix_batch import Batch, combine

SOURCE = "use std::rc::Rc;\n\nfn a() -> u32 { 1 }\n\nfn b() -> u32 { 2 }\n"
USE_ARC = TextEdit("lib.rs", 1, 1, 1, 17, "use std::sync::Arc;")


def _fix(*edits: TextEdit, name: str = "f") -> Fix:
    return Fix(name, True, edits, id=name)


def _in(line: int, start: int, end: int, text: str) -> TextEdit:
    return TextEdit("lib.rs", line, start, line, end, text)


def _batch(*, per_file: bool = False) -> Batch:
    return Batch(lambda file: f"/ws/{file}", per_file=per_file)


def test_independent_fixes_share_a_round_and_identical_edits_are_made_once() -> None:
    first = _fix(_in(3, 17, 18, "10"), USE_ARC, name="a")
    second = _fix(_in(5, 17, 18, "20"), USE_ARC, name="b")
    batch = _batch()
    assert batch.take(first) and batch.take(second)
    sources = MappingSources({"lib.rs": SOURCE})
    combined = combine([first, second], sources, lambda file: Path("/ws", file))
    assert combined.kept == [0, 1] and not combined.broken and not combined.postponed
    assert combined.texts == {Path("/ws/lib.rs"): "use std::sync::Arc;\n\nfn a() -> u32 { 10 }"
                                                  "\n\nfn b() -> u32 { 20 }\n"}


def test_clashing_fixes_wait_for_the_next_round() -> None:
    batch = _batch()
    assert batch.take(_fix(_in(3, 17, 18, "10")))
    assert not batch.take(_fix(_in(3, 12, 18, "u8 { 10")))  # overlaps
    assert not batch.take(_fix(_in(3, 18, 18, "0")))  # inserts where the first one ends
    other_place = _batch()
    assert other_place.take(_fix(_in(1, 1, 1, "use std::sync::Arc;\n")))
    # The same `use` line added somewhere else would be a duplicate import.
    assert not other_place.take(_fix(_in(2, 1, 1, "use std::sync::Arc;\n")))
    assert other_place.take(_fix(_in(5, 17, 18, "20")))


def test_one_fix_per_file_when_cautious() -> None:
    batch = _batch(per_file=True)
    assert batch.take(_fix(_in(3, 17, 18, "10")))
    assert not batch.take(_fix(_in(5, 17, 18, "20")))
    assert batch.take(_fix(TextEdit("main.rs", 1, 1, 1, 1, "//\n")))


def test_a_batch_that_does_not_apply_is_judged_fix_by_fix() -> None:
    sources = MappingSources({"lib.rs": SOURCE})
    fine = _fix(_in(3, 17, 18, "10"), name="fine")
    broken = _fix(_in(5, 15, 16, "{{"), name="broken")  # an unclosed brace, even alone
    unreadable = _fix(TextEdit("gone.rs", 1, 1, 1, 1, "x"), name="unreadable")
    clashing = _fix(_in(3, 12, 18, "u8 { 10"), name="clashing")  # fine alone, overlaps
    combined = combine([fine, broken, unreadable, clashing], sources,
                       lambda file: Path("/ws", file))
    assert combined.kept == [0]
    assert combined.broken == [(1, "the edit would leave the file with a syntax error"),
                               (2, "gone.rs cannot be read as UTF-8")]
    assert combined.postponed == [3]
    assert combined.texts == {Path("/ws/lib.rs"): SOURCE.replace("{ 1 }", "{ 10 }")}
