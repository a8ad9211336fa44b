"""The explanation of one recognised diagnostic, already specialised with the user's names."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Link:
    """A documentation link shown after an explanation."""

    title: str
    url: str


@dataclass(frozen=True)
class Example:
    """A family's minimal example, written for the project: code that gets the error, the
    same code with the smallest change that fixes its cause, and one sentence saying what
    changed (markdown)."""

    before: str
    after: str
    change: str


@dataclass(frozen=True)
class Explanation:
    """The four-part explanation, already specialised with the user's names.

    Each part is markdown. `tldr` is one line. `caveat` notes where the compiler
    over-approximates and the workaround. `hover` (what is wrong and where the culprit is) and
    `change` (the change to make) are the hover's body, a sentence or two each; without them
    the hover falls back to the first sentences of `what` and `fix`. `background` is the
    general background of the family's kind of error, for the `teach` depth; `example` is
    the family's own example, shown where the user's code is not known (`borrowlens explain
    E0597`).
    """

    family: str
    title: str
    tldr: str
    what: str
    why: str
    fix: str
    rule: str
    caveat: str | None = None
    links: tuple[Link, ...] = ()
    hover: str | None = None
    change: str | None = None
    background: str | None = None
    example: Example | None = None
