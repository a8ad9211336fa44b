"""What an error family is: a matcher, facts, an explanation and (later) fixes.

A family module defines one subclass of `Family` and exposes an instance as the module-level
`FAMILY`; `registry` discovers the modules of this package, so adding a family never means
editing a shared list.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import ClassVar

from borrowlens.analyses.diagnostics.model import Diagnostic, Span
from borrowlens.analyses.explain.model import Explanation
from borrowlens.analyses.fixes.edits import Fix
from borrowlens.analyses.rust.sources import Sources

FactValue = str | int | list[str]


@dataclass(frozen=True)
class Related:
    """A place that matters more than the squiggle: the real culprit, the await, the bound."""

    span: Span
    message: str


@dataclass
class Match:
    """A diagnostic recognised as one family, with the facts pulled from it and the source.

    `diagnostic` is None for the generic form (`borrowlens explain E0597`): explanations must
    then read sensibly with no facts at all.
    """

    family: Family
    diagnostic: Diagnostic | None
    facts: dict[str, FactValue] = field(default_factory=dict)
    related: list[Related] = field(default_factory=list)

    def fact(self, key: str) -> str | None:
        value = self.facts.get(key)
        if value is None or isinstance(value, list):
            return None
        return str(value)

    def code(self, key: str, fallback: str) -> str:
        """The fact as inline code (`name`), or the fallback phrase when it is unknown."""
        value = self.fact(key)
        return f"`{value}`" if value else fallback

    def line(self, key: str, fallback: str = "") -> str:
        """' on line N' for a line-number fact, or the fallback."""
        value = self.fact(key)
        return f" on line {value}" if value else fallback


class Family(ABC):
    """One error family. Subclasses set the class attributes and implement match/explain."""

    id: ClassVar[str]
    title: ClassVar[str]
    # rustc error codes this family can come from; empty for the code-less messages.
    codes: ClassVar[tuple[str, ...]] = ()
    # Ids of the more general families this one must be tried before: a diagnostic both can
    # claim is the refinement's (like a lint's `implies`/`overrides`). The registry orders the
    # families by these edges, ties by id; a test fails when two families can match one
    # diagnostic and neither refines the other.
    refines: ClassVar[tuple[str, ...]] = ()
    # Every fix id `fixes` can ever offer, each a literal: the docs list them, and a test holds
    # the fixtures to them (each offered id declared, each declared id offered somewhere).
    fix_ids: ClassVar[tuple[str, ...]] = ()

    @abstractmethod
    def match(self, diagnostic: Diagnostic, sources: Sources) -> Match | None:
        """A Match when this diagnostic belongs to the family, else None."""

    @abstractmethod
    def explain(self, match: Match) -> Explanation:
        """The explanation, specialised with `match.facts` (which may be empty)."""

    def fixes(self, match: Match, sources: Sources) -> list[Fix]:
        """Code actions; one per real alternative, safest first and preferred."""
        return []

    def generic(self) -> Match:
        return Match(family=self, diagnostic=None)
