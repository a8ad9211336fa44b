"""What `borrowlens check` prints for each diagnostic cargo reports: rustc's text and the
explanation (`human`), one JSON object per line (`json`, with `--verify` each fix proven),
GitHub Actions workflow commands (`github`), or one SARIF log (`sarif`); and `see`, which
recognises a diagnostic and counts it.

`cli/check.py` imports this once cargo is running: the analyses load while cargo works.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from borrowlens.analyses.diagnostics.rustc_json import from_rustc
from borrowlens.analyses.explain import render
from borrowlens.analyses.families import story
from borrowlens.analyses.families.offers import offered_fixes
from borrowlens.analyses.families.registry import classify, prepare
from borrowlens.cli.check import find_cargo
from borrowlens.cli.reporting import (
    Context,
    Output,
    Seen,
    Tally,
    full_explanation,
    report_root,
)
from borrowlens.server import templates
from borrowlens.server.cargo import Workspace
from borrowlens.server.disk import DiskSources


def _json_record(seen: Seen, context: Context) -> dict[str, Any]:
    diagnostic, match = seen.diagnostic, seen.match
    primary = diagnostic.primary
    root = context.workspace.root
    record: dict[str, Any] = {
        "level": diagnostic.level,
        "code": diagnostic.code,
        "message": diagnostic.message,
        "file": str(root / primary.file) if primary else None,
        "line": primary.line_start if primary else None,
        "column": primary.column_start if primary else None,
        "end_line": primary.line_end if primary else None,
        "end_column": primary.column_end if primary else None,
        "family": None, "title": None, "summary": None, "explanation": None,
        "short_explanation": None, "facts": {}, "related": [], "fixes": [],
    }
    if match is not None:
        explanation = match.family.explain(match)
        fixes = offered_fixes(match, context.sources)
        record.update({
            "family": match.family.id,
            "title": explanation.title,
            "summary": explanation.tldr,
            "explanation": full_explanation(match, context.sources, fixes),
            "short_explanation": render.markdown(explanation, full=False),
            "facts": match.facts,
            "related": [{"file": str(root / r.span.file), "line": r.span.line_start,
                         "column": r.span.column_start, "message": r.message}
                        for r in match.related],
            "fixes": [fix.to_json() for fix in fixes],
        })
    return record


class JsonLines:
    """`--format json`: one object per diagnostic per line, nothing else on stdout. With
    `--verify` the records are held until cargo is done, then each fix is proven on a copy of
    the workspace (`verified` in each fix) before they are printed."""

    def __init__(self, context: Context) -> None:
        self.context = context
        verifying = bool(getattr(context.args, "verify", False))
        self.held: list[tuple[Seen, dict[str, Any]]] | None = [] if verifying else None

    def show(self, seen: Seen) -> None:
        record = _json_record(seen, self.context)
        if self.held is not None:
            self.held.append((seen, record))
        else:
            print(json.dumps(record), flush=True)

    def finish(self, tally: Tally) -> None:
        del tally
        if self.held is None:
            return
        context = self.context
        from borrowlens.server import verify  # noqa: PLC0415  (lazy: only with --verify)
        verify.prune()
        errors = [s.diagnostic for s, _ in self.held
                  if s.diagnostic.level == "error" and s.diagnostic.spans]
        for seen, record in self.held:
            if seen.match is not None and seen.diagnostic.level == "error":
                fixes = offered_fixes(seen.match, context.sources)
                for fix, shown in zip(fixes, record["fixes"], strict=True):
                    shown["verified"] = verify.proves(
                        find_cargo(), context.workspace, errors, seen.diagnostic, fix,
                        context.sources.text, context.args.cargo_args)
            print(json.dumps(record), flush=True)


class Human:
    """`--format human`: rustc's own text, each recognised error's explanation after it, and
    the summary line on stderr."""

    def __init__(self, context: Context) -> None:
        self.context = context

    def show(self, seen: Seen) -> None:
        args, color, sources = self.context.args, self.context.color, self.context.sources
        # rustc's own text as cargo gave it (coloured when asked); the model holds it plain.
        shown = seen.raw.get("rendered") or seen.diagnostic.message
        sys.stdout.write(str(shown).rstrip("\n") + "\n")
        match = seen.match
        if match is not None and args.explain != "none":
            full = args.explain in ("full", "teach")
            told = (story.code_story(match, sources, offered_fixes(match, sources))
                    if full else None)
            text = render.terminal(match.family.explain(match), full=full, color=color,
                                   story=told, teach=args.explain == "teach")
            sys.stdout.write(text)
        sys.stdout.write("\n")
        sys.stdout.flush()

    def finish(self, tally: Tally) -> None:
        print(tally.summary(), file=sys.stderr)


def see(raw: dict[str, Any], sources: DiskSources, tally: Tally) -> Seen | None:
    """The diagnostic to report (None for summary lines), recognised and counted."""
    diagnostic = from_rustc(raw)
    if not diagnostic.spans and diagnostic.level != "error":
        return None  # "N warnings emitted" and the like
    if not diagnostic.spans and diagnostic.message.startswith("aborting due to"):
        return None
    match = classify(diagnostic, sources)
    if diagnostic.level == "error":
        tally.errors += 1
    if match is not None:
        tally.explained += 1
        if match.family.id not in tally.families:
            tally.families.append(match.family.id)
    return Seen(raw, diagnostic, match)


def output_for(context: Context) -> Output:
    chosen = context.args.format
    if chosen == "json":
        return JsonLines(context)
    # The formats a run does not use are not imported (`check` loads while cargo runs).
    if chosen == "github":
        from borrowlens.cli import github  # noqa: PLC0415
        return github.Annotations(context)
    if chosen == "sarif":
        from borrowlens.cli import sarif  # noqa: PLC0415
        return sarif.SarifLog(context)
    return Human(context)


class Session:
    """One run's reporting: the workspace's sources, the chosen output and the tally. Made
    while cargo checks, it readies what the first diagnostic needs (the families and their
    triggers, compiled templates kept between runs) so that cargo's time covers it."""

    def __init__(self, args: argparse.Namespace, workspace: Workspace, color: bool) -> None:
        self.sources = DiskSources(workspace.root)
        context = Context(args, workspace, self.sources, color, report_root(workspace.root))
        self.output = output_for(context)
        self.tally = Tally()
        templates.keep_compiled()
        prepare()

    def show(self, raw: dict[str, Any]) -> None:
        """A rustc diagnostic of the workspace, as cargo reported it."""
        seen = see(raw, self.sources, self.tally)
        if seen is not None:
            self.output.show(seen)

    def finish(self) -> Tally:
        self.output.finish(self.tally)
        return self.tally
