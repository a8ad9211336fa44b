"""Which fixes can share a round of `borrowlens fix`, and the files they make together.

A round applies the fixes of every error it can at once: on a large file with hundreds of
errors, one fix per file per round would mean hundreds of `cargo check`s. Fixes go together
when their edits are independent: no two edits of different fixes overlap or touch (the order
of two insertions at one point would be a guess), and no two add the same `use` line in
different places (the second would be a duplicate import). Identical edits — two fixes adding
the same `use` line at the same place — are made once. What does not fit waits for the next
round, which sees the result of this one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from borrowlens.analyses.fixes.edits import EditError, Fix, TextEdit, validated
from borrowlens.analyses.rust.sources import Sources, is_lossy

Position = tuple[int, int]


def _bounds(edit: TextEdit) -> tuple[Position, Position]:
    return (edit.line_start, edit.column_start), (edit.line_end, edit.column_end)


def _touch(a: TextEdit, b: TextEdit) -> bool:
    """Whether two edits of one file overlap or meet (where their order would matter)."""
    (a0, a1), (b0, b1) = _bounds(a), _bounds(b)
    return a0 <= b1 and b0 <= a1


def _added_uses(edit: TextEdit) -> set[str]:
    return {line.strip() for line in edit.new_text.split("\n")
            if line.strip().startswith(("use ", "pub use "))}


class Batch:
    """The fixes taken for one round, with the edits they claim in each file (keyed by
    `resolve`: the same file may be named two ways). `per_file`: at most one fix per file,
    the cautious plan a round falls back to when everything at once made things worse."""

    def __init__(self, resolve: Callable[[str], str], *, per_file: bool = False) -> None:
        self.resolve = resolve
        self.per_file = per_file
        self.claimed: dict[str, list[TextEdit]] = {}

    def fits(self, fix: Fix) -> bool:
        """Whether the fix is independent of those taken so far."""
        for edit in fix.edits:
            taken = self.claimed.get(self.resolve(edit.file), [])
            if self.per_file and taken:
                return False
            for other in taken:
                if other != edit and (_touch(edit, other)
                                      or _added_uses(edit) & _added_uses(other)):
                    return False
        return True

    def take(self, fix: Fix) -> bool:
        """Takes the fix when it fits; False (not taken: next round) otherwise."""
        if not self.fits(fix):
            return False
        for edit in fix.edits:
            self.claimed.setdefault(self.resolve(edit.file), []).append(edit)
        return True


@dataclass
class Combined:
    """What a batch of fixes makes: the new text of each file, and which fixes are in it."""

    texts: dict[Path, str] = field(default_factory=dict)
    kept: list[int] = field(default_factory=list)  # indices into the fixes given
    # A fix that cannot be applied even alone, and why (it is not to be tried again).
    broken: list[tuple[int, str]] = field(default_factory=list)
    # Fine alone, not together with those kept: the next round.
    postponed: list[int] = field(default_factory=list)


def _texts(fixes: Sequence[Fix], sources: Sources,
           resolve: Callable[[str], Path]) -> dict[Path, str]:
    """The files the fixes make together (every edit once, however many fixes make it);
    EditError when some file does not take them."""
    names: dict[Path, str] = {}
    edits: dict[Path, dict[TextEdit, None]] = {}
    for fix in fixes:
        for edit in fix.edits:
            path = resolve(edit.file)
            names.setdefault(path, edit.file)
            edits.setdefault(path, {})[edit] = None
    texts: dict[Path, str] = {}
    for path, name in names.items():
        text = sources.text(name)
        if text is None or is_lossy(sources, name):
            raise EditError(f"{name} cannot be read as UTF-8")
        texts[path] = validated(text, list(edits[path]))
    return texts


def combine(fixes: Sequence[Fix], sources: Sources,
            resolve: Callable[[str], Path]) -> Combined:
    """The files the fixes (a fitting batch) make together, each re-parsed.

    Usually all of them at once; when that fails (an edit that breaks the parse, a file that
    cannot be read), fixes are added one by one so that each is judged alone and with those
    before it.
    """
    try:
        return Combined(texts=_texts(fixes, sources, resolve), kept=list(range(len(fixes))))
    except EditError:
        pass
    combined = Combined()
    for index, fix in enumerate(fixes):
        try:
            _texts([fix], sources, resolve)
        except EditError as error:
            combined.broken.append((index, str(error)))
            continue
        try:
            texts = _texts([fixes[i] for i in [*combined.kept, index]], sources, resolve)
        except EditError:
            combined.postponed.append(index)
            continue
        combined.texts = texts
        combined.kept.append(index)
    return combined
