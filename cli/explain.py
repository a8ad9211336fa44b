"""`borrowlens explain`: the full explanation of an error family, found by error code, family
id, or a rustc message pasted as text; `--list` lists the families (`--format markdown` is
the table README.md embeds). Without the user's code (a code or a family id) the family's own
example stands where the annotated code would; `--depth teach` adds the background."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from borrowlens.analyses.diagnostics.pasted import from_rendered, pasted_files
from borrowlens.analyses.explain import render
from borrowlens.analyses.families import story
from borrowlens.analyses.families.base import Match
from borrowlens.analyses.families.registry import (
    all_families,
    classify,
    families_for_code,
    family_by_id,
)
from borrowlens.analyses.rust.sources import MappingSources, Sources
from borrowlens.cli.terminal import EXIT_OK, CliError, print_error, use_color
from borrowlens.server.disk import DiskSources


def _pasted_sources(query: str) -> tuple[Sources, list[str]]:
    """The crate's files when the pasted message names files that are here on disk (so a
    cause in another file, a callee's signature, is found as `check` finds it), else only
    the lines the message quotes; and the files it names that are not here."""
    quoted = pasted_files(query)
    disk = DiskSources(Path.cwd())
    named = [path for path in quoted if path != "<pasted>"]
    missing = [path for path in named if not disk.resolve(path).is_file()]
    if named and not missing:
        return disk, []
    return MappingSources(quoted), missing


def run_explain(args: argparse.Namespace) -> int:
    color = use_color(args.color, sys.stdout)
    if args.list and args.format == "markdown":
        from borrowlens.analyses.families.catalogue import (  # noqa: PLC0415  (only --list)
            families_table,
        )
        print(families_table())
        return EXIT_OK
    if args.list:
        width = max(len(f.id) for f in all_families())
        for family in sorted(all_families(), key=lambda f: f.id):
            codes = ", ".join(family.codes) or "(no code)"
            print(f"{family.id:<{width}}  {codes:<14}  {family.title}")
        return EXIT_OK
    if not args.query:
        raise CliError("explain needs an error code (E0597), a family id "
                       "(see --list) or a pasted rustc message")
    query = " ".join(args.query).strip()
    matches: list[Match] = []
    named = family_by_id(query)
    if named is not None:
        matches = [named.generic()]
    elif query.upper().startswith("E") and query[1:].isdigit():
        matches = [f.generic() for f in families_for_code(query)]
        if not matches:
            print_error(f"borrowlens has no explanation for {query.upper()}; "
                    f"`rustc --explain {query.upper()}` has the compiler's own", color)
            return 1
    else:
        diagnostic = from_rendered(query)
        sources, missing = _pasted_sources(query)
        match = classify(diagnostic, sources) if diagnostic else None
        if match is not None and missing:
            # Said, not hidden: a cause in a signature the text does not quote cannot be
            # found, so the explanation may be the symptom's more general one.
            print(f"note: read only the lines the message quotes: {missing[0]} is not under "
                  f"{Path.cwd()}; run this from the crate's directory to read its code too",
                  file=sys.stderr)
        if match is None:
            print_error("that message is not one of the error families borrowlens knows "
                    "(borrowlens explain --list shows them)", color)
            return 1
        matches = [match]
    # One explanation: the family the query means first. Other families of the same code are
    # named, not rendered without facts (a generic text per family would read as padding).
    explanation = matches[0].family.explain(matches[0])
    example = story.example_story(explanation) if matches[0].diagnostic is None else None
    teach = args.depth == "teach"
    others = [m.family for m in matches[1:]]
    if args.format == "markdown":
        print(render.markdown(explanation, full=True, story=example, teach=teach))
        if others:
            print("\n### Also reported with this code\n")
            for family in others:
                print(f"- **{family.title}**: `borrowlens explain {family.id}`")
    else:
        sys.stdout.write(render.terminal(explanation, full=True, color=color, story=example,
                                         teach=teach))
        if others:
            print("\nAlso reported with this code:")
            for family in others:
                print(f"  {family.title}: borrowlens explain {family.id}")
    return EXIT_OK
