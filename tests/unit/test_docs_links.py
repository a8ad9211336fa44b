"""The documentation holds together: every relative link in README.md and docs/**/*.md points
to a file that exists (and, with a `#fragment` into a markdown file, to a heading it has), and
the README stays a short front page (the reference lives in docs/).

Links are read from the markdown text outside fenced code blocks and inline code spans;
anchors follow GitHub's heading slugs (lower case, punctuation dropped, spaces to hyphens, a
`-N` suffix for repeated headings).
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
README_MAX_LINES = 200
PAGES = sorted([README, *(ROOT / "docs").rglob("*.md")])

FENCE = re.compile(r"^ {0,3}(```|~~~)")
INLINE_CODE = re.compile(r"(`+).+?\1")
LINK = re.compile(r"\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HEADING = re.compile(r"^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$")
EXTERNAL = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)


def prose_lines(text: str) -> list[str]:
    """The lines outside fenced code blocks."""
    lines: list[str] = []
    fence: str | None = None
    for line in text.split("\n"):
        opened = FENCE.match(line)
        if fence is None and opened:
            fence = opened.group(1)
        elif fence is not None and line.lstrip().startswith(fence):
            fence = None
        elif fence is None:
            lines.append(line)
    return lines


def links(page: Path) -> list[str]:
    found: list[str] = []
    for line in prose_lines(page.read_text(encoding="utf-8")):
        found.extend(LINK.findall(INLINE_CODE.sub("", line)))
    return found


def anchors(page: Path) -> set[str]:
    """The fragment ids GitHub gives the page's headings."""
    seen: Counter[str] = Counter()
    ids: set[str] = set()
    for line in prose_lines(page.read_text(encoding="utf-8")):
        heading = HEADING.match(line)
        if heading is None:
            continue
        slug = re.sub(r"[^\w\- ]", "", heading.group(1).lower()).replace(" ", "-")
        ids.add(f"{slug}-{seen[slug]}" if seen[slug] else slug)
        seen[slug] += 1
    return ids


def test_the_pages_are_found() -> None:
    names = {p.relative_to(ROOT).as_posix() for p in PAGES}
    assert {"README.md", "docs/cli.md", "docs/editors/neovim.md"} <= names


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_relative_links_point_to_existing_files(page: Path) -> None:
    broken: list[str] = []
    for target in links(page):
        if EXTERNAL.match(target):
            continue
        path_part, _, fragment = target.partition("#")
        destination = (page.parent / path_part).resolve() if path_part else page
        if not destination.exists():
            broken.append(f"{target}: no such file")
        elif fragment and destination.suffix == ".md" and fragment not in anchors(destination):
            broken.append(f"{target}: no heading #{fragment} in {destination.name}")
    assert not broken, f"{page.relative_to(ROOT)}: broken links:\n" + "\n".join(broken)


def test_readme_stays_short() -> None:
    count = README.read_text(encoding="utf-8").count("\n")  # as `wc -l` counts
    assert count <= README_MAX_LINES, (
        f"README.md has {count} lines (at most {README_MAX_LINES}): move reference material "
        "to docs/ and link to it")
