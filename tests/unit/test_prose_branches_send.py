"""Branches of the send/, traits/ and recursive-async prose templates that no fixture and no
generic explanation reaches (captured values, awaits without a type, rare heads …).

Each case builds a Match with the facts of that branch and compares one part of the
explanation with the text the family's f-string code produced before it moved into its
markdown template: the conversion must not change a byte.
"""

from __future__ import annotations

import pytest

from borrowlens.analyses.families.base import FactValue, Match
from borrowlens.analyses.families.registry import family_by_id

CASES: list[tuple[str, dict[str, FactValue], str, str]] = [
    # future-not-send: a captured value of a type that is only itself not `Send`.
    ("future-not-send",
     {"variable": "err", "type": "Session", "captured": "true", "decl_line": 9,
      "spawn": "tokio::spawn"},
     "tldr",
     "`err` (`Session`) is captured by a future that must be `Send`; make it `Send` or end its "
     "scope before the await."),
    ("future-not-send",
     {"variable": "err", "type": "Session", "captured": "true", "decl_line": 9,
      "spawn": "tokio::spawn"},
     "what",
     "`err` is a `Session`, which is not `Send`, and the future captures it (declared on line "
     "9). So the future is not `Send`, and `tokio::spawn` requires its future to be `Send`.\n\n"
     "The error lands on the spawn, but the culprit is the value rustc names in the note — "
     "that is the line to change."),
    # future-not-send: an awaited future whose type rustc did not print.
    ("future-not-send", {"awaited": "fetch()", "await_line": 12}, "what",
     "At the `.await` on line 12, the future awaits `fetch()`, and that future is not `Send`. "
     "While awaiting, the outer future stores the inner one, so it is not `Send` either, and "
     "something (a `spawn`, or a `Send` bound you wrote) requires the future to be `Send`.\n\n"
     "The problem is in the awaited future's type, not at the spawn site."),
]


@pytest.mark.parametrize(("family_id", "facts", "part", "expected"), CASES,
                         ids=[f"{case[0]}:{case[2]}:{n}" for n, case in enumerate(CASES)])
def test_branch_renders_as_before(family_id: str, facts: dict[str, FactValue], part: str,
                                  expected: str) -> None:
    family = family_by_id(family_id)
    assert family is not None
    explanation = family.explain(Match(family=family, diagnostic=None, facts=facts))
    assert getattr(explanation, part) == expected
