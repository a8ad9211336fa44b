""""Your code, annotated": the user's own lines with numbered markers for the story the
compiler tells, then the change as a before/after taken from the preferred fix.

The markers are the places rustc labelled (the squiggle, its secondary spans, the notes that
point at code) and the places the family located (`related`), numbered in source order:

    15 │     let shared = Rc::new(ids);   ①
    16 │     …
    17 │     save(total).await;           ②

    - ① `shared` is declared here
    - ② still alive at this `.await`

Lines are cited only when the file is readable and the line exists; a marker whose line cannot
be read is left out rather than shown empty. `numbered` is the one list of numbered markers:
the annotated code prints it, and the language server sends it to editors (server/enrichment.py)
to show beside the same lines. The before/after is the fix's own diff, limited
to the changed lines and one line of context, so what the reader sees is what the fix writes.

Where the user's code is not known (`borrowlens explain E0597`), the family's own example
takes its place, told the same way: the code that gets the error, then the change as a diff.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass

from borrowlens.analyses.diagnostics.limits import MAX_LINE, cut
from borrowlens.analyses.diagnostics.model import Span
from borrowlens.analyses.explain.model import Example
from borrowlens.analyses.fixes.edits import EditError, Fix, apply
from borrowlens.analyses.rust.sources import Sources, line_count, split_lines

NUMBERS = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
CONTEXT = 1
# A story longer than this is no longer read as one; the explanation's text carries the rest.
MAX_MARKERS = 6
MAX_DIFF_LINES = 16


@dataclass(frozen=True)
class Marker:
    """One place in the story: the span (the first one given for its line) and what happens
    there."""

    span: Span
    message: str

    @property
    def file(self) -> str:
        return self.span.file

    @property
    def line(self) -> int:
        return self.span.line_start


def markers(places: Iterable[tuple[Span, str]]) -> list[Marker]:
    """Places (span, message) as markers in source order, one per line (the first message
    given for a line wins, rustc's own labels come first), messages trimmed."""
    seen: dict[tuple[str, int], Marker] = {}
    for span, message in places:
        text = " ".join(message.split())
        key = (span.file, span.line_start)
        if text and key not in seen:
            seen[key] = Marker(span, text)
    ordered = sorted(seen.values(), key=lambda m: (m.file, m.line))
    return ordered[:MAX_MARKERS]


def numbered(places: Iterable[tuple[Span, str]], sources: Sources) -> list[tuple[str, Marker]]:
    """The markers that can be shown (their line is readable), each with its number ("①"),
    numbered across files in story order."""
    counts: dict[str, int | None] = {}
    out: list[tuple[str, Marker]] = []
    for marker in markers(places):
        if marker.file not in counts:
            text = sources.text(marker.file)
            counts[marker.file] = None if text is None else line_count(text)
        count = counts[marker.file]
        if count is not None and 0 < marker.line <= count:
            out.append((NUMBERS[len(out)], marker))
    return out


def _code_block(file: str, lines: list[str], numbers: dict[int, str]) -> list[str]:
    """The lines around the numbered ones (line number -> its marker), in a code block."""
    wanted: set[int] = set()
    for line in numbers:
        wanted.update(range(line - CONTEXT, line + CONTEXT + 1))
    shown = sorted(n for n in wanted if 1 <= n <= len(lines))
    width = len(str(shown[-1]))
    # A line is shown up to MAX_LINE characters: the others are padded to the longest.
    lines = [cut(line.rstrip(), MAX_LINE) for line in lines]
    text_width = max(len(lines[n - 1]) for n in shown)
    out = [f"`{file}`", "", "```text"]
    previous = None
    for number in shown:
        if previous is not None and number > previous + 1:
            out.append(f"{'':>{width}} │ …")
        source = lines[number - 1].rstrip()
        mark = numbers.get(number)
        row = f"{number:>{width}} │ {source}"
        if mark:
            row = f"{number:>{width}} │ {source:<{text_width}}  {mark}"
        out.append(row.rstrip())
        previous = number
    out.append("```")
    return out


def annotated(places: Iterable[tuple[Span, str]], sources: Sources) -> str | None:
    """The annotated code for the story's places, or None when no place can be shown."""
    shown = numbered(places, sources)
    if not shown:
        return None
    by_file: dict[str, dict[int, str]] = {}
    for label, marker in shown:
        by_file.setdefault(marker.file, {})[marker.line] = label
    out: list[str] = []
    for file, numbers in by_file.items():
        text = sources.text(file)
        assert text is not None
        out += [*_code_block(file, split_lines(text), numbers), ""]
    out += [f"- {label} {marker.message}" for label, marker in shown]
    return "\n".join(out)


def before_after(fix: Fix | None, sources: Sources) -> str | None:
    """The fix's change as a small diff of the user's own lines, or None."""
    if fix is None:
        return None
    out: list[str] = []
    for file in fix.files():
        before = sources.text(file)
        if before is None:
            return None
        try:
            after = apply(before, [e for e in fix.edits if e.file == file])
        except EditError:
            return None
        rows = _diff_rows(before, after)
        if rows:
            out += [f"`{file}`", "", "```diff", *rows, "```", ""]
    return "\n".join(out).rstrip() or None


def _diff_rows(before: str, after: str) -> list[str]:
    """The changed lines with CONTEXT lines around them, as the rows of a diff block."""
    hunks = list(difflib.unified_diff(split_lines(before), split_lines(after),
                                      lineterm="", n=CONTEXT))[2:]
    # Hunks are separated by "…" instead of their "@@" headers (line numbers of a unified
    # diff mean nothing to a reader of the explanation).
    rows = [" …" if row.startswith("@@") else row for row in hunks][1:]
    if len(rows) > MAX_DIFF_LINES:
        rows = [*rows[:MAX_DIFF_LINES], " …"]
    return rows


def example(example: Example) -> str:
    """The family's own example, for an explanation without the user's code: the code that
    gets the error, what changes, and the change as a diff."""
    return "\n".join(["### Example", "", "```rust", example.before, "```", "",
                      example.change, "", "```diff", *_diff_rows(example.before, example.after),
                      "```"])
