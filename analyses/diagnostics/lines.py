"""Counting lines the way rustc, rust-analyzer and tree-sitter do: at `\\n` only.

The one line splitter of borrowlens, here in the lowest layer so that pasted and rendered
compiler output can use it too; everything above imports it as
`borrowlens.analyses.rust.sources.split_lines`.
"""

from __future__ import annotations

from functools import lru_cache


def split_lines(text: str, *, keepends: bool = False) -> list[str]:
    r"""The lines of `text` as rustc, rust-analyzer and tree-sitter count them: split at `\n`
    only (a `\r` before it belongs to the line ending). `str.splitlines()` also breaks at form
    feeds, `\v`, `\x1c`-`\x1e`, NEL, U+2028/U+2029 and a lone `\r`, which would shift every
    line after one of them; nothing in borrowlens splits source text any other way.

    Without `keepends`, a text ending in `\n` has an empty last line (the one the cursor is on
    past the final newline), and "" is one empty line. With `keepends`, the lines keep their
    endings and join back into `text`: no empty last line, none at all for "".
    """
    if keepends:
        lines = [line + "\n" for line in text.split("\n")]
        lines[-1] = lines[-1][:-1]
        return lines if lines[-1] else lines[:-1]
    return [line[:-1] if line.endswith("\r") else line for line in text.split("\n")]


@lru_cache(maxsize=32)
def line_count(text: str) -> int:
    """`len(split_lines(text))` without building the lines: a count of `\n`, in C, and
    remembered for the last texts (the markers of every diagnostic of a publish ask it of
    the same file; a `str` keeps its hash, so asking again costs a lookup)."""
    return text.count("\n") + 1
