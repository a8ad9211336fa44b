"""The compiler's story of one recognised error, told on the user's own code: the places it
involves (from rustc's labels and notes and from the family's `related`) for the annotated
code of the full explanation, and the preferred fix's before/after; without the user's code,
the family's own example."""

from __future__ import annotations

from borrowlens.analyses.diagnostics.model import Span
from borrowlens.analyses.explain import annotate
from borrowlens.analyses.explain.model import Explanation
from borrowlens.analyses.families.base import Match
from borrowlens.analyses.fixes.edits import Fix
from borrowlens.analyses.rust.sources import Sources


def places(match: Match) -> list[tuple[Span, str]]:
    """Each place with what happens there: the family's own words first (it located the
    culprit), then rustc's span labels, then the notes that point at code."""
    out: list[tuple[Span, str]] = [(item.span, item.message) for item in match.related]
    diagnostic = match.diagnostic
    if diagnostic is None:
        return out
    out += [(span, span.label) for span in diagnostic.spans if span.label]
    for note in diagnostic.children:
        out += [(span, span.label or note.message) for span in note.spans]
    return out


def code_story(match: Match, sources: Sources, fixes: list[Fix]) -> str | None:
    """Markdown: "Your code, annotated" and, when a fix is offered, "The change"."""
    parts = []
    code = annotate.annotated(places(match), sources)
    if code:
        parts.append(f"### Your code, annotated\n\n{code}")
    preferred = next((fix for fix in fixes if fix.preferred), None)
    change = annotate.before_after(preferred, sources)
    if change:
        parts.append(f"### The change\n\n{change}")
    return "\n\n".join(parts) or None


def example_story(explanation: Explanation) -> str | None:
    """The family's own example, the story of an explanation made without the user's code
    (`borrowlens explain E0597`, the docs pages); None for a family without one."""
    return annotate.example(explanation.example) if explanation.example else None
