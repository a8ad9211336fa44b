"""What an error family is: a matcher, facts, an explanation and (later) fixes.

A family module defines one subclass of `Family` and exposes an instance as the module-level
`FAMILY`; `registry` discovers the modules of this package, so adding a family never means
editing a shared list.
"""

from __future__ import annotations

import functools
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import ClassVar, TypeVar, cast

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
    # The trigger, plain data `classify` checks before it runs `match`: a diagnostic fits when
    # its code is one of `codes`, or a regex of `messages` finds its headline, or a regex of
    # `notes` finds its headline, a label or a child note. `match` runs only for a fit, so the
    # trigger must let through all that `match` accepts, from producers that drop the code too
    # (a test holds it to the fixtures). `codes` also lists the family under
    # `borrowlens explain E0597`.
    codes: ClassVar[tuple[str, ...]] = ()
    messages: ClassVar[tuple[str, ...]] = ()
    notes: ClassVar[tuple[str, ...]] = ()
    # Ids of the more general families this one must be tried before: a diagnostic both can
    # claim is the refinement's (like a lint's `implies`/`overrides`). The registry orders the
    # families by these edges, ties by id; a test fails when two families can match one
    # diagnostic and neither refines the other.
    refines: ClassVar[tuple[str, ...]] = ()
    # Every fix `fixes` can ever offer: its id, a literal, and one line saying what it does
    # (the README's fixes table and docs/families/ show it). A test holds the fixtures to the
    # ids: each offered id declared here, each declared id offered by some fixture.
    fix_docs: ClassVar[dict[str, str]] = {}
    # For a family with no fix: the choices its explanation lays out instead, as one phrase.
    design_choices: ClassVar[str] = ""
    # Why a case may recommend a change (the hover's "Fix:") without offering a fix; a test
    # over every fixture holds a recommended change without a fix id to one of these. A family
    # whose changes are all decisions for the user says why in `no_fix_reason`; one whose
    # change is mechanical except in some shapes names each shape by the fact its matcher
    # sets for it (`fact`, or `fact=value`), with the reason
    # (`{"callers_rely": "callers may rely on the `'static` result: their decision"}`).
    no_fix_reason: ClassVar[str] = ""
    no_fix_when: ClassVar[dict[str, str]] = {}
    # The family's minimal example lives beside the module, `examples/<module>.before.rs` and
    # `.after.rs` (explain/prose.py `example_files`); a test compiles both with this edition
    # (tokio, futures and async-trait are available as in the fixtures).
    example_edition: ClassVar[str] = "2021"

    @property
    def fix_ids(self) -> tuple[str, ...]:
        """Every fix id the family can offer, in the order `fix_docs` declares them."""
        return tuple(self.fix_docs)

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


# --- analyses shared by a group of families -----------------------------------------------------

Analysis = TypeVar("Analysis")

# The results of shared analyses during one `classify` call (None outside one).
_SHARED: ContextVar[dict[tuple[object, int, int], object] | None] = ContextVar(
    "borrowlens_shared_analyses", default=None)


def shared_analysis(
        analyse: Callable[[Diagnostic, Sources], Analysis]
) -> Callable[[Diagnostic, Sources], Analysis]:
    """Marks the analysis a group of families shares (send/analysis.py `analyse`): while the
    registry classifies one diagnostic it runs once, and every further family of the group
    gets that same result, which it must copy before changing. Outside a classification it
    simply runs."""

    @functools.wraps(analyse)
    def once(diagnostic: Diagnostic, sources: Sources) -> Analysis:
        memo = _SHARED.get()
        if memo is None:
            return analyse(diagnostic, sources)
        # Identities are safe keys: the classification holds both objects while the memo lives.
        key = (analyse, id(diagnostic), id(sources))
        if key not in memo:
            memo[key] = analyse(diagnostic, sources)
        return cast(Analysis, memo[key])

    return once


@contextmanager
def one_classification() -> Iterator[None]:
    """The scope in which shared analyses are run once: one diagnostic's classification."""
    token = _SHARED.set({})
    try:
        yield
    finally:
        _SHARED.reset(token)
