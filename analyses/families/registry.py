"""Finds the family modules, orders them by what refines what, and classifies diagnostics.

Classifying reads the triggers from `triggers.py` (generated from the families' declarations
by scripts/gen-docs, in the order computed here) and imports a family's module only when its
trigger fits a diagnostic: most runs meet a few families, and importing all of them (their
regexes, queries and fix builders) cost more than the rest of a `borrowlens check`.
"""

from __future__ import annotations

import heapq
import importlib
import pkgutil
import re
from collections.abc import Iterable, Iterator
from functools import cache

from borrowlens.analyses import families as families_package
from borrowlens.analyses.diagnostics.limits import bounded
from borrowlens.analyses.diagnostics.model import Diagnostic
from borrowlens.analyses.families.base import Family, Match, one_classification
from borrowlens.analyses.families.triggers import TRIGGERS
from borrowlens.analyses.rust.sources import NoSources, Sources

# Modules of the families package that hold no family: the declarations, this registry, the
# docs generated from them, and the shared analysis of a group package.
_NOT_FAMILIES = {"base", "registry", "catalogue", "analysis", "story", "triggers"}


@cache
def all_families() -> tuple[Family, ...]:
    """Every family, each before the families it refines, otherwise by id."""
    found: list[Family] = []
    prefix = f"{families_package.__name__}."
    for info in pkgutil.walk_packages(families_package.__path__, prefix):
        leaf = info.name.rsplit(".", 1)[-1]
        if info.ispkg or leaf.startswith("_") or leaf in _NOT_FAMILIES:
            continue
        module = importlib.import_module(info.name)
        family = getattr(module, "FAMILY", None)
        if isinstance(family, Family):
            found.append(family)
    return refinement_order(found)


def refinement_order(families: Iterable[Family]) -> tuple[Family, ...]:
    """The families in the order `classify` tries them: a topological sort of the `refines`
    edges (a refinement before the family it refines), the smallest id first among those free
    to go. Unknown or duplicate ids and cycles are errors: the order must be total and
    explainable from the declarations alone."""
    by_id: dict[str, Family] = {}
    for family in families:
        if family.id in by_id:
            raise RuntimeError(f"duplicate family id: {family.id}")
        by_id[family.id] = family
    unknown = sorted({f"{f.id} -> {general}" for f in by_id.values() for general in f.refines
                      if general not in by_id or general == f.id})
    if unknown:
        raise RuntimeError(f"`refines` names no other family: {unknown}")
    # How many refinements of each family are still to be placed before it.
    pending = dict.fromkeys(by_id, 0)
    for family in by_id.values():
        for general in set(family.refines):
            pending[general] += 1
    ready = [family_id for family_id, count in pending.items() if count == 0]
    heapq.heapify(ready)
    ordered: list[Family] = []
    while ready:
        family = by_id[heapq.heappop(ready)]
        ordered.append(family)
        for general in set(family.refines):
            pending[general] -= 1
            if pending[general] == 0:
                heapq.heappush(ready, general)
    if len(ordered) != len(by_id):
        stuck = sorted(family_id for family_id, count in pending.items() if count)
        raise RuntimeError(f"`refines` has a cycle through {stuck}")
    return tuple(ordered)


def generalisations(family: Family) -> set[str]:
    """Ids of every family `family` refines, directly or through another refinement."""
    seen: set[str] = set()
    todo = list(family.refines)
    while todo:
        general = todo.pop()
        if general not in seen:
            seen.add(general)
            found = family_by_id(general)
            todo.extend(found.refines if found is not None else ())
    return seen


def family_by_id(family_id: str) -> Family | None:
    return next((f for f in all_families() if f.id == family_id), None)


def families_for_code(code: str) -> list[Family]:
    """Families that can come from a rustc code, the one most specific to it first: E0499 is
    above all a conflicting-borrows error, and only sometimes a 2024 over-capture."""
    code = code.upper()
    found = [f for f in all_families() if code in f.codes]
    ids = {f.id for f in found}
    # What a code means first: a family that only refines another one of the code's (a cause
    # proven from the source) comes after it, then the fewer codes the more specific. A
    # stable sort: otherwise the order `classify` tries them.
    return sorted(found, key=lambda f: (any(r in ids for r in f.refines), len(f.codes)))


@cache
def _triggers() -> tuple[tuple[str, frozenset[str], tuple[re.Pattern[str], ...],
                               tuple[re.Pattern[str], ...]], ...]:
    """Each family's module with its declared trigger compiled, in classify order."""
    return tuple((module, frozenset(codes), tuple(re.compile(p) for p in messages),
                  tuple(re.compile(p) for p in notes))
                 for module, codes, messages, notes in TRIGGERS)


@cache
def _any_trigger() -> tuple[frozenset[str], re.Pattern[str] | None, re.Pattern[str] | None]:
    """Every family's codes, and one regex for all message and one for all note triggers
    (None when the patterns cannot be joined, e.g. a backreference: then each is tried)."""
    return (frozenset(code for _, codes, _, _ in TRIGGERS for code in codes),
            _joined([p for _, _, messages, _ in TRIGGERS for p in messages]),
            _joined([p for _, _, _, notes in TRIGGERS for p in notes]))


@cache
def _family(module: str) -> Family:
    """The family a module declares (imported on first use)."""
    family = getattr(importlib.import_module(module), "FAMILY", None)
    if not isinstance(family, Family):
        raise RuntimeError(f"{module} declares no FAMILY: run scripts/gen-docs")
    return family


def _joined(patterns: list[str]) -> re.Pattern[str] | None:
    if any(re.search(r"\\[1-9]|\(\?P=|\(\?[aiLmsux]+\)", p) for p in patterns):
        return None
    try:
        return re.compile("|".join(f"(?:{p})" for p in patterns) or "(?!)")
    except re.error:
        return None


def prepare() -> None:
    """Compiles the families' triggers now rather than at the first diagnostic (the CLI
    does it while cargo runs)."""
    _any_trigger()
    _triggers()


def candidates(diagnostic: Diagnostic) -> list[Family]:
    """The families whose declared trigger fits the diagnostic, in the order `classify` tries
    them: a rustc code they list, or a message or note regex that finds its text."""
    return list(_fitting(diagnostic))


def _fitting(diagnostic: Diagnostic) -> Iterator[Family]:
    """`candidates`, one at a time: `classify` stops at the first family that matches, and
    the triggers of the families after it are not checked."""
    every_code, any_message, any_note = _any_trigger()
    # Most diagnostics (other codes, warnings, rust-analyzer's own) fit no trigger: a set
    # lookup and two searches say so, not a pass over every family.
    if (diagnostic.code not in every_code
            and any_message is not None and not any_message.search(diagnostic.message)
            and any_note is not None and diagnostic.find(any_note) is None):
        return
    for module, codes, messages, notes in _triggers():
        if (diagnostic.code in codes
                or any(regex.search(diagnostic.message) for regex in messages)
                or any(diagnostic.find(regex) is not None for regex in notes)):
            yield _family(module)


def classify(diagnostic: Diagnostic, sources: Sources | None = None) -> Match | None:
    """The family this diagnostic belongs to, or None: unrecognised ones pass untouched.

    Only errors are classified; warnings and notes never get an explanation. Only the
    families whose trigger fits are asked, and an analysis their group shares runs once.
    Families see the diagnostic cut to `diagnostics.limits` (so is the match's).
    """
    if diagnostic.level not in ("error", "error: internal compiler error"):
        return None
    diagnostic = bounded(diagnostic)
    view = sources if sources is not None else NoSources()
    with one_classification():
        for family in _fitting(diagnostic):
            found = family.match(diagnostic, view)
            if found is not None:
                return found
    return None
