"""Records each fixture crate's compiler messages into its `rustc.json`.

Usage (from tests/):  ../.venv/bin/python -m support.record [FAMILY[/CASE] ...]
Rewrites the recordings of the named fixtures (all when none is named) from the real rustc.
Read the result before committing: a recording is an input to the unit tests, not an
expectation of them.
"""

from __future__ import annotations

import json
import sys

from .fixtures import cases, run_cargo_check


def main(argv: list[str]) -> int:
    selected = [c for c in cases()
                if not argv or c.family in argv or c.id in argv]
    if not selected:
        print("no fixture matches", argv, file=sys.stderr)
        return 2
    messages = run_cargo_check([c.package for c in selected], locked=False)
    for case in selected:
        found = messages.get(case.package, [])
        kept = [{"reason": m["reason"], "message": m["message"]} for m in found]
        text = "".join(json.dumps(m, sort_keys=True) + "\n" for m in kept)
        (case.path / "rustc.json").write_text(text, encoding="utf-8")
        errors = [m["message"]["message"] for m in found if m["message"]["level"] == "error"]
        print(f"{case.id}: {len(errors)} error(s): {errors}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
