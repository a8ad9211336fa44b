"""Writes the documentation rendered from the families' declarations (`analyses/families/
catalogue.py`: the README tables, docs/families/, and the trigger index
analyses/families/triggers.py) into a clone, or lists what is stale;
`scripts/gen-docs` runs it. The file I/O lives here so the core only renders text."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from borrowlens.analyses import families as families_package
from borrowlens.analyses.families.catalogue import (
    PAGES,
    README,
    TRIGGERS,
    family_page,
    index_page,
    readme,
    triggers_module,
)
from borrowlens.analyses.families.registry import all_families

# The clone's root: analyses/ is mapped onto `borrowlens.analyses`.
ROOT = Path(families_package.__file__).resolve().parents[2]


def generated(root: Path) -> dict[Path, str]:
    """Every generated file under `root` with the text it must have."""
    files = {root / README: readme((root / README).read_text(encoding="utf-8"))}
    files[root / PAGES / "README.md"] = index_page()
    files[root / TRIGGERS] = triggers_module()
    for family in all_families():
        files[root / PAGES / f"{family.id}.md"] = family_page(family)
    return files


def stale(root: Path) -> list[Path]:
    """Generated files that differ from what the code declares, are missing, or are pages
    of families that no longer exist."""
    wanted = generated(root)
    out = [path for path, text in wanted.items()
           if not path.exists() or path.read_text(encoding="utf-8") != text]
    pages = root / PAGES
    if pages.exists():
        out += [path for path in sorted(pages.glob("*.md")) if path not in wanted]
    return out


def write(root: Path) -> list[Path]:
    """Brings every generated file up to date; the files it changed or removed."""
    changed = stale(root)
    wanted = generated(root)
    for path in changed:
        if path in wanted:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(wanted[path], encoding="utf-8")
        else:
            path.unlink()
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="scripts/gen-docs",
        description="Writes the README tables and docs/families/ from the families' declarations.")
    parser.add_argument("--root", type=Path, default=ROOT, help="the clone (default: this one)")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; list the stale files and exit 1 if there are any")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    if args.check:
        found = stale(root)
        for path in found:
            print(f"stale: {path.relative_to(root)}", file=sys.stderr)
        return 1 if found else 0
    for path in write(root):
        print(f"{'wrote' if path.exists() else 'removed'} {path.relative_to(root)}")
    return 0




if __name__ == "__main__":
    raise SystemExit(main())
