"""`borrowlens check --format sarif`: one SARIF 2.1.0 log on stdout, for code scanning (GitHub's
upload-sarif action) and SARIF viewers.

* Rules: one per family, in the registry's order — its id, its title, its generic
  explanation as the help (markdown and plain text) — then one per rustc error code or lint
  met among the diagnostics borrowlens does not recognise (`rustc` for those without a code),
  so every result names a rule.
* Results: the level, the TL;DR and rustc's first line (rustc's message alone when
  unrecognised), the primary span relative to `%SRCROOT%` (`reporting.report_root`), the
  family's related places, and the fixes borrowlens offers as replacements.
* Columns count Unicode code points, as rustc's do (`run.columnKind`); ends are exclusive,
  as both count them.
* Links must be absolute URIs in SARIF. The rules' `helpUri` (`docs/families/<id>.md`) and
  the tool's `informationUri` (`README.md`) are made from the base URL where borrowlens'
  repository is published, given by `--docs-base` or `$BORROWLENS_DOCS_BASE`; without one
  they are left out (the help itself is in the log).
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any
from urllib.parse import quote, urlsplit

from borrowlens.analyses.diagnostics.model import Diagnostic, Span
from borrowlens.analyses.explain import render
from borrowlens.analyses.families import story
from borrowlens.analyses.families.base import Family
from borrowlens.analyses.families.offers import offered_fixes
from borrowlens.analyses.families.registry import all_families
from borrowlens.analyses.fixes.edits import Fix, TextEdit
from borrowlens.cli.arguments import DOCS_BASE_ENV
from borrowlens.cli.reporting import (
    Context,
    Seen,
    Tally,
    absolute_path,
    headline,
    relative_path,
)
from borrowlens.cli.terminal import CliError
from borrowlens.server import __version__

SCHEMA = ("https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/"
          "sarif-schema-2.1.0.json")
SRCROOT = "%SRCROOT%"
JsonObject = dict[str, Any]


def docs_base(given: str | None) -> str | None:
    """The base URL of borrowlens' published repository files, ending in `/`; None when
    neither `--docs-base` nor `$BORROWLENS_DOCS_BASE` gives one."""
    base = given or os.environ.get(DOCS_BASE_ENV)
    if not base:
        return None
    parts = urlsplit(base)
    if not parts.scheme or not (parts.netloc or parts.scheme == "file"):
        raise CliError(f"the docs base must be an absolute URL (like "
                       f"https://github.com/OWNER/borrowlens/blob/main/), not {base!r}")
    return base if base.endswith("/") else base + "/"


def rule_name(rule_id: str) -> str:
    """SARIF's `name` is an identifier: `send-rc-across-await` → `SendRcAcrossAwait`."""
    words = rule_id.replace("_", "-").split("-")
    return "".join(word[:1].upper() + word[1:] for word in words if word)


def family_rule(family: Family, base: str | None) -> JsonObject:
    explanation = family.explain(family.generic())
    example = story.example_story(explanation)
    rule: JsonObject = {
        "id": family.id,
        "name": rule_name(family.id),
        "shortDescription": {"text": family.title},
        "fullDescription": {"text": explanation.tldr},
        "help": {"text": render.terminal(explanation, full=True, color=False, story=example),
                 "markdown": render.markdown(explanation, full=True, story=example)},
        "defaultConfiguration": {"level": "error"},
        "properties": {"tags": ["rust", *family.codes]},
    }
    if base is not None:
        rule["helpUri"] = f"{base}docs/families/{quote(family.id)}.md"
    return rule


def rustc_rule(diagnostic: Diagnostic) -> JsonObject:
    """A rule for diagnostics borrowlens has no family for: rustc's code or lint, or `rustc`."""
    code = diagnostic.code
    if code is None:
        return {"id": "rustc", "name": "Rustc",
                "shortDescription": {"text": "rustc diagnostic without an error code"}}
    if code.startswith("E") and code[1:].isdigit():
        return {"id": code, "name": f"Rustc{code}",
                "shortDescription": {"text": f"rustc error {code}"},
                "helpUri": f"https://doc.rust-lang.org/error_codes/{code}.html"}
    return {"id": code, "name": rule_name(code),
            "shortDescription": {"text": f"rustc lint {code}"}}


def sarif_level(level: str) -> str:
    if level.startswith("error"):
        return "error"
    return "warning" if level == "warning" else "note"


def artifact(file: str, context: Context) -> JsonObject:
    """A file as cargo names it: relative to `%SRCROOT%`, or an absolute `file:` URI."""
    relative = relative_path(file, context)
    if relative is None:
        return {"uri": absolute_path(file, context).as_uri()}
    return {"uri": quote(relative), "uriBaseId": SRCROOT}


def region(line_start: int, column_start: int, line_end: int, column_end: int) -> JsonObject:
    return {"startLine": line_start, "startColumn": column_start,
            "endLine": line_end, "endColumn": column_end}


def span_location(span: Span, context: Context) -> JsonObject:
    return {"physicalLocation": {
        "artifactLocation": artifact(span.file, context),
        "region": region(span.line_start, span.column_start, span.line_end, span.column_end)}}


def _replacement(edit: TextEdit) -> JsonObject:
    return {"deletedRegion": region(edit.line_start, edit.column_start, edit.line_end,
                                    edit.column_end),
            "insertedContent": {"text": edit.new_text}}


def sarif_fix(fix: Fix, context: Context) -> JsonObject:
    """A fix as SARIF replacements, grouped by file in the order the edits name them."""
    by_file: dict[str, list[TextEdit]] = {}
    for edit in fix.edits:
        by_file.setdefault(edit.file, []).append(edit)
    return {"description": {"text": fix.title},
            "artifactChanges": [{"artifactLocation": artifact(file, context),
                                 "replacements": [_replacement(e) for e in edits]}
                                for file, edits in by_file.items()]}


class SarifLog:
    """Gathers the results and prints the whole log once cargo is done."""

    def __init__(self, context: Context) -> None:
        self.context = context
        self.base = docs_base(getattr(context.args, "docs_base", None))
        self.rules = [family_rule(family, self.base) for family in all_families()]
        self.index = {rule["id"]: i for i, rule in enumerate(self.rules)}
        self.results: list[JsonObject] = []

    def _rule_index(self, seen: Seen) -> tuple[str, int]:
        if seen.match is not None:
            rule_id = seen.match.family.id
        else:
            rule = rustc_rule(seen.diagnostic)
            rule_id = rule["id"]
            if rule_id not in self.index:
                self.index[rule_id] = len(self.rules)
                self.rules.append(rule)
        return rule_id, self.index[rule_id]

    def show(self, seen: Seen) -> None:
        diagnostic, match = seen.diagnostic, seen.match
        rule_id, index = self._rule_index(seen)
        text = diagnostic.message
        if match is not None:
            text = f"{match.family.explain(match).tldr}\n{headline(diagnostic)}"
        result: JsonObject = {"ruleId": rule_id, "ruleIndex": index,
                              "level": sarif_level(diagnostic.level), "message": {"text": text}}
        if diagnostic.primary is not None:
            result["locations"] = [span_location(diagnostic.primary, self.context)]
        if match is not None and match.related:
            result["relatedLocations"] = [
                {"id": number, **span_location(related.span, self.context),
                 "message": {"text": related.message}}
                for number, related in enumerate(match.related, start=1)]
        fixes = offered_fixes(match, self.context.sources) if match is not None else []
        if fixes:
            result["fixes"] = [sarif_fix(fix, self.context) for fix in fixes]
        if diagnostic.code is not None and match is not None:
            result["properties"] = {"rustcCode": diagnostic.code}
        self.results.append(result)

    def log(self) -> JsonObject:
        driver: JsonObject = {"name": "borrowlens", "version": __version__,
                              "semanticVersion": __version__}
        if self.base is not None:
            driver["informationUri"] = f"{self.base}README.md"
        driver["rules"] = self.rules
        root = self.context.root.as_uri().rstrip("/") + "/"
        return {"$schema": SCHEMA, "version": "2.1.0", "runs": [{
            "tool": {"driver": driver},
            "originalUriBaseIds": {SRCROOT: {"uri": root}},
            "columnKind": "unicodeCodePoints",
            "results": self.results,
        }]}

    def finish(self, tally: Tally) -> None:
        sys.stdout.write(json.dumps(self.log(), indent=2, ensure_ascii=False) + "\n")
        sys.stdout.flush()
        print(tally.summary(), file=sys.stderr)
