"""Finds the family modules and classifies diagnostics against them."""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from borrowlens.analyses import families as families_package
from borrowlens.analyses.diagnostics.model import Diagnostic
from borrowlens.analyses.families.base import Family, Match
from borrowlens.analyses.rust.sources import NoSources, Sources

# Modules of the families package that hold no family: the declarations, this registry, and
# the shared analysis of a group package.
_NOT_FAMILIES = {"base", "registry", "analysis"}


@cache
def all_families() -> tuple[Family, ...]:
    """Every family, most specific (highest priority) first, then by id for stability."""
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
    ids = [family.id for family in found]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        raise RuntimeError(f"duplicate family ids: {sorted(duplicates)}")
    return tuple(sorted(found, key=lambda f: (-f.priority, f.id)))


def family_by_id(family_id: str) -> Family | None:
    return next((f for f in all_families() if f.id == family_id), None)


def families_for_code(code: str) -> list[Family]:
    """Families that can come from a rustc code, the one most specific to it first: E0499 is
    above all a conflicting-borrows error, and only sometimes a 2024 over-capture."""
    code = code.upper()
    found = [f for f in all_families() if code in f.codes]
    return sorted(found, key=lambda f: (len(f.codes), -f.priority, f.id))


def classify(diagnostic: Diagnostic, sources: Sources | None = None) -> Match | None:
    """The family this diagnostic belongs to, or None: unrecognised ones pass untouched.

    Only errors are classified; warnings and notes never get an explanation.
    """
    if diagnostic.level not in ("error", "error: internal compiler error"):
        return None
    view = sources if sources is not None else NoSources()
    for family in all_families():
        found = family.match(diagnostic, view)
        if found is not None:
            return found
    return None
