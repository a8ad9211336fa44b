"""Audit of recognition over rustc's own UI tests (issue 11), fetched by hand into a folder.

    .venv/bin/python -m bench.ui_audit.real DIR [--json FILE] [--verbose]

DIR holds `tests/ui/**/*.rs` files of rust-lang/rust, downloaded for measurement only (they
are not part of this repository; README.md says how they were fetched). Each file is compiled
alone by the installed rustc the way `audit.py` compiles its cases, honouring the test's
`//@ edition:` (or `--edition` in `compile-flags`) and compiled as a binary when it has a
`fn main`. Tests rustc stable cannot reproduce are skipped and counted: `#![feature]`, `-Z`
flags, auxiliary crates, revisions. Every error is classified by the registry; in scope are
the kinds of `audit.IN_SCOPE` plus the thread-safety, dyn-compatibility and recursion errors
the families also explain (`EXTRA_IN_SCOPE`).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

from bench.ui_audit.audit import IN_SCOPE, Outcome, audit_case

# Which E0277 are the families' own: the auto traits of threads and pinning.
_AUTO_TRAIT = re.compile(r"cannot be (?:sent|shared) between threads safely|cannot be unpinned")
EXTRA_IN_SCOPE = frozenset({
    "E0038", "E0733", "E0277 Send/Sync/Unpin", "future cannot be sent between threads safely",
    "future cannot be shared between threads safely",
})
_SKIP = re.compile(r"#!\[feature|//@\s*(?:aux-build|aux-crate|revisions|proc-macro)|//@.*\s-Z|"
                   r"//@\s*(?:needs-|only-|ignore-test)")
_EDITION = re.compile(r"//@?\s*(?:edition:\s*(\d{4})|compile-flags:.*--edition[= ](\d{4}))")


def in_scope(kind: str) -> bool:
    return kind in IN_SCOPE or kind in EXTRA_IN_SCOPE


def skip_reason(text: str) -> str | None:
    found = _SKIP.search(text)
    return found.group(0) if found else None


def compile_options(text: str) -> tuple[str, str]:
    """(edition, crate type): the test's own edition (2015, rustc's default, when it names
    none) and `bin` when it has a `fn main`."""
    found = _EDITION.search(text)
    edition = (found.group(1) or found.group(2)) if found else "2015"
    return edition, "bin" if re.search(r"^\s*(?:pub\s+)?fn main\s*\(", text, re.M) else "lib"


def refine(outcome: Outcome, message: str) -> Outcome:
    if outcome.kind == "E0277" and _AUTO_TRAIT.search(message):
        return replace(outcome, kind="E0277 Send/Sync/Unpin")
    return outcome


def audit_dir(root: Path) -> tuple[list[Outcome], Counter[str]]:
    skipped: Counter[str] = Counter()
    todo: list[tuple[Path, str, str]] = []
    for path in sorted(root.rglob("*.rs")):
        text = path.read_text()
        reason = skip_reason(text)
        if reason:
            skipped[reason.strip()] += 1
            continue
        todo.append((path, *compile_options(text)))
    with tempfile.TemporaryDirectory(prefix="borrowlens-ui-real-") as scratch, \
            ThreadPoolExecutor(max_workers=2) as pool:
        results = pool.map(lambda t: audit_case(t[0], Path(scratch), root=root, edition=t[1],
                                                crate_type=t[2]), todo)
        outcomes = [refine(o, o.message) for batch in results for o in batch]
    return outcomes, skipped


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ui_audit.real")
    parser.add_argument("root", type=Path)
    parser.add_argument("--json", type=Path, help="write every outcome here")
    parser.add_argument("--verbose", action="store_true", help="list every error")
    args = parser.parse_args(argv)
    outcomes, skipped = audit_dir(args.root)
    files = {o.case for o in outcomes}
    inside = [o for o in outcomes if in_scope(o.kind)]
    outside = [o for o in outcomes if not in_scope(o.kind)]
    totals = Counter(o.kind for o in outcomes)
    taken = Counter(o.kind for o in outcomes if o.family)
    for kind in sorted(totals, key=lambda k: (not in_scope(k), k)):
        print(f"{'in ' if in_scope(kind) else 'out'} {taken[kind]:4} / {totals[kind]:4}  {kind}")
    print(f"files with errors: {len(files)}; skipped: {sum(skipped.values())} {dict(skipped)}")
    print(f"in scope recognised: {sum(1 for o in inside if o.family)} / {len(inside)}")
    print(f"out of scope claimed: {sum(1 for o in outside if o.family)} / {len(outside)}")
    for o in outcomes:
        wrong = in_scope(o.kind) != bool(o.family)
        if wrong or args.verbose:
            mark = "MISSED" if in_scope(o.kind) and not o.family else \
                "CLAIMED" if wrong else "ok"
            print(f"{mark:8} {o.case}:{o.line} [{o.kind}] {o.message!r} -> {o.family}")
    if args.json:
        args.json.write_text(json.dumps([o.__dict__ | {"in_scope": in_scope(o.kind)}
                                         for o in outcomes], indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
