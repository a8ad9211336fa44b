"""Audit of recognition over small crates shaped like rustc's own UI tests (issue 11).

    .venv/bin/python -m bench.ui_audit [--json FILE] [--write-expected] [--verbose]

Each `cases/**/*.rs` is compiled alone by the installed rustc (`--edition 2021
--error-format=json --crate-type lib --emit=metadata`), and every error it reports is
classified by the registry, with the file's text as the source. An error is *in scope* when
its kind (its code, or its headline when it has none) is one of the lifetime and borrow
errors the families are for (`IN_SCOPE`); every other error must stay unclaimed. Printed:
per kind, how many errors were recognised (in scope) or claimed (out of scope), and each miss
and each wrong claim by file. `--write-expected` records which family took each error in
`expected.json`, the baseline `tests/integration/test_ui_audit.py` holds the registry to.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from borrowlens.analyses.diagnostics.model import Diagnostic
from borrowlens.analyses.diagnostics.rustc_json import from_cargo_messages
from borrowlens.analyses.families.registry import classify
from borrowlens.analyses.rust.sources import MappingSources

HERE = Path(__file__).resolve().parent
CASES = HERE / "cases"
EXPECTED = HERE / "expected.json"
_MORE_GENERAL = re.compile(r"one type is more general than the other")

# The kinds of error the families are for: rustc codes, and the headlines of code-less ones.
IN_SCOPE = frozenset({
    "E0597", "E0499", "E0502", "E0505", "E0515", "E0716", "E0521", "E0373", "E0700",
    "E0310", "E0309", "E0311", "E0477", "E0621", "E0733",
    "lifetime may not live long enough",
    "captured variable cannot escape `FnMut` closure body",
    "implementation of `…` is not general enough",
    "E0308 one type is more general than the other",
})


@dataclass(frozen=True)
class Outcome:
    """One error of one case file, and the family that took it (None: unclaimed)."""

    case: str
    kind: str
    line: int
    message: str
    family: str | None

    @property
    def in_scope(self) -> bool:
        return self.kind in IN_SCOPE


def kind_of(diagnostic: Diagnostic) -> str:
    """The code, or the headline with its own names folded (`FnOnce` → `…`). An E0308 that
    is a higher-ranked mismatch ("one type is more general than the other") is a kind of
    its own: the higher-ranked family is for it, not for other mismatched types."""
    if diagnostic.code == "E0308" and diagnostic.find(_MORE_GENERAL) is not None:
        return f"E0308 {_MORE_GENERAL.pattern}"
    if diagnostic.code:
        return diagnostic.code
    return re.sub(r"implementation of `[^`]+` is not general enough",
                  "implementation of `…` is not general enough", diagnostic.message)


def case_files() -> list[Path]:
    return sorted(CASES.rglob("*.rs"))


def audit_case(path: Path, scratch: Path, *, root: Path = CASES, edition: str = "2021",
               crate_type: str = "lib") -> list[Outcome]:
    """Compile one case and classify each error it reports."""
    name = path.relative_to(root).as_posix()
    proc = subprocess.run(
        ["rustc", "--edition", edition, "--error-format=json", "--crate-type", crate_type,
         "--emit=metadata", "--crate-name", "case", "--out-dir", str(scratch), path.name],
        cwd=path.parent, capture_output=True, text=True, check=False, timeout=120)
    lines = [json.dumps({"reason": "compiler-message", "message": json.loads(line)})
             for line in proc.stderr.split("\n") if line.startswith("{")]
    sources = MappingSources({path.name: path.read_text()})
    found: list[Outcome] = []
    for diagnostic in from_cargo_messages(lines):
        if diagnostic.level != "error":
            continue
        match = classify(diagnostic, sources)
        primary = diagnostic.primary
        found.append(Outcome(name, kind_of(diagnostic),
                             primary.line_start if primary is not None else 0,
                             diagnostic.message, match.family.id if match else None))
    return found


def audit() -> list[Outcome]:
    """Every case, compiled two at a time (the machine is shared)."""
    with tempfile.TemporaryDirectory(prefix="borrowlens-ui-audit-") as scratch, \
            ThreadPoolExecutor(max_workers=2) as pool:
        results = pool.map(lambda p: audit_case(p, Path(scratch)), case_files())
        return [outcome for outcomes in results for outcome in outcomes]


def table(outcomes: list[Outcome]) -> list[str]:
    """Per kind: recognised (in scope) or claimed (out of scope) / total."""
    totals = Counter(o.kind for o in outcomes)
    taken = Counter(o.kind for o in outcomes if o.family)
    rows = ["| kind | in scope | taken / total |", "| --- | --- | --- |"]
    for kind in sorted(totals, key=lambda k: (k not in IN_SCOPE, k)):
        rows.append(f"| {kind} | {'yes' if kind in IN_SCOPE else 'no'} | "
                    f"{taken[kind]} / {totals[kind]} |")
    inside = [o for o in outcomes if o.in_scope]
    outside = [o for o in outcomes if not o.in_scope]
    rows.append(f"| **in scope, recognised** | | {sum(1 for o in inside if o.family)} / "
                f"{len(inside)} |")
    rows.append(f"| **out of scope, claimed** | | {sum(1 for o in outside if o.family)} / "
                f"{len(outside)} |")
    return rows


def expected_record(outcomes: list[Outcome]) -> dict[str, list[list[object]]]:
    """case → [kind, line, family] per error, the baseline the test compares with."""
    record: dict[str, list[list[object]]] = {}
    for o in outcomes:
        record.setdefault(o.case, []).append([o.kind, o.line, o.family])
    return record


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ui_audit")
    parser.add_argument("--json", type=Path, help="write every outcome here")
    parser.add_argument("--write-expected", action="store_true",
                        help=f"record the outcomes as the baseline ({EXPECTED.name})")
    parser.add_argument("--verbose", action="store_true", help="list every error")
    args = parser.parse_args(argv)
    outcomes = audit()
    print("\n".join(table(outcomes)))
    print()
    for o in outcomes:
        wrong = (o.in_scope and not o.family) or (not o.in_scope and o.family)
        if wrong or args.verbose:
            mark = "MISSED" if o.in_scope and not o.family else \
                "CLAIMED" if wrong else "ok"
            print(f"{mark:8} {o.case}:{o.line} [{o.kind}] {o.message!r} -> {o.family}")
    if args.json:
        args.json.write_text(json.dumps([o.__dict__ | {"in_scope": o.in_scope}
                                         for o in outcomes], indent=1) + "\n")
    if args.write_expected:
        record = expected_record(outcomes)
        # One case a line, so a review of the baseline reads like the table.
        EXPECTED.write_text("{\n" + ",\n".join(f"{json.dumps(case)}: {json.dumps(record[case])}"
                                                for case in sorted(record)) + "\n}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
