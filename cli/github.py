"""`borrowlens check --format github`: GitHub Actions workflow commands on stdout.

The runner turns each `::error` / `::warning` / `::notice` line into an annotation on the
commit and the pull request's diff. A recognised error is titled with its family and says its
TL;DR (then rustc's own headline); anything else says rustc's message, so no error goes
unannotated. When `$GITHUB_STEP_SUMMARY` names a file, as it does in every step of a job,
the full explanations of the recognised errors are appended to it in markdown: the run's
summary page shows them.

Paths are relative to `reporting.report_root`: `$GITHUB_WORKSPACE` (the checkout GitHub
resolves `file=` against) when the crate lies in it, else the cargo workspace root.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from borrowlens.analyses.diagnostics.model import Span
from borrowlens.analyses.families.offers import offered_fixes
from borrowlens.cli.reporting import (
    Context,
    Seen,
    Tally,
    absolute_path,
    full_explanation,
    headline,
    relative_path,
)

Property = tuple[str, str | int]


def escape_data(text: str) -> str:
    """A command's message as GitHub reads it back (its toolkit's `escapeData`)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A property value: `:` and `,` would end it early (the toolkit's `escapeProperty`)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def workflow_command(kind: str, message: str, properties: Sequence[Property] = ()) -> str:
    """`::KIND key=value,…::MESSAGE`, escaped."""
    listed = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties)
    return f"::{kind}{' ' + listed if listed else ''}::{escape_data(message)}"


def command_kind(level: str) -> str:
    """rustc's level as a workflow command: `error` (also "error: internal compiler error"),
    `warning`, or `notice` for the rest (notes and help on their own)."""
    if level.startswith("error"):
        return "error"
    return "warning" if level == "warning" else "notice"


def shown_path(span: Span, context: Context) -> str:
    """The span's file relative to the report root, else absolute (another crate's)."""
    return relative_path(span.file, context) or str(absolute_path(span.file, context))


def place(span: Span, context: Context) -> list[Property]:
    """`file`, `line`, `col`, `endLine`, `endColumn` for a span."""
    file = shown_path(span, context)
    if span.line_start != span.line_end:
        # GitHub takes columns only on an annotation of one line.
        return [("file", file), ("line", span.line_start), ("endLine", span.line_end)]
    # GitHub's end column is the last character's (it defaults to the start column); rustc's
    # is the one after the span.
    last = max(span.column_start, span.column_end - 1)
    return [("file", file), ("line", span.line_start), ("col", span.column_start),
            ("endLine", span.line_end), ("endColumn", last)]


class Annotations:
    """Prints one workflow command per diagnostic; appends the explanations to the step
    summary at the end."""

    def __init__(self, context: Context) -> None:
        self.context = context
        self.explanations: list[str] = []

    def show(self, seen: Seen) -> None:
        diagnostic, match = seen.diagnostic, seen.match
        primary = diagnostic.primary
        where = place(primary, self.context) if primary is not None else []
        if match is None:
            title = f"rustc {diagnostic.level}" + (
                f" {diagnostic.code}" if diagnostic.code else "")
            message = diagnostic.message
        else:
            explanation = match.family.explain(match)
            title = explanation.title
            message = f"{explanation.tldr}\n{headline(diagnostic)}"
            fixes = offered_fixes(match, self.context.sources)
            heading = (f"`{shown_path(primary, self.context)}:{primary.line_start}:"
                       f"{primary.column_start}`" if primary is not None else explanation.title)
            self.explanations.append(
                f"## {heading}\n\n{full_explanation(match, self.context.sources, fixes)}")
        print(workflow_command(command_kind(diagnostic.level), message,
                               [*where, ("title", title)]), flush=True)

    def finish(self, tally: Tally) -> None:
        print(tally.summary(), file=sys.stderr)
        summary = os.environ.get("GITHUB_STEP_SUMMARY")
        if not summary or not self.explanations:
            return
        text = "\n\n".join([f"## borrowlens check\n\n{tally.summary()}", *self.explanations])
        try:
            with open(summary, "a", encoding="utf-8") as out:
                out.write(text + "\n\n")
        except OSError as error:
            # The annotations are out already; a summary that cannot be written is no reason
            # to fail the step differently.
            print(f"borrowlens: could not append to $GITHUB_STEP_SUMMARY ({error})",
                  file=sys.stderr)
