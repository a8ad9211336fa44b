"""rustc's own suggestions (the replacements of a `help:` in its JSON) turned into edits.

rust-analyzer relays such a help only as a labelled related span, so a family that uses these
also reads that shape (see lifetime-not-tied) to offer the same fix from both producers.
"""

from __future__ import annotations

from borrowlens.analyses.diagnostics.model import Diagnostic
from borrowlens.analyses.fixes.edits import TextEdit


def rustc_suggestion_edits(diagnostic: Diagnostic, *,
                           contains: str = "",
                           applicability: tuple[str, ...] = ("MachineApplicable",
                                                             "MaybeIncorrect")
                           ) -> list[TextEdit]:
    """The edits of rustc's first `help:` whose message contains `contains` and whose
    suggestions all have an acceptable applicability."""
    for note in diagnostic.children:
        if not note.suggestions or contains not in note.message:
            continue
        if any(s.applicability not in applicability for s in note.suggestions):
            continue
        return [TextEdit(s.span.file, s.span.line_start, s.span.column_start,
                         s.span.line_end, s.span.column_end, s.replacement)
                for s in note.suggestions]
    return []
