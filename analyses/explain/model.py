"""The explanation of one recognised diagnostic, already specialised with the user's names."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Link:
    """A documentation link shown after an explanation."""

    title: str
    url: str


@dataclass(frozen=True)
class Explanation:
    """The four-part explanation, already specialised with the user's names.

    Each part is markdown. Its first paragraph must stand on its own: the hover (short form)
    shows only first paragraphs. `tldr` is one line. `caveat` notes where the compiler
    over-approximates and the workaround.
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
