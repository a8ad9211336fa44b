"""The editor configuration snippets `borrowlens doctor --editor NAME` prints, and which editor
`doctor` is running in.

The snippets are the fenced code blocks of the pages docs/editors/<name>.md, each under the
heading of its section. The docs are not installed with the package, so the blocks are
shipped as package data, `editor_snippets.json`, written from the pages by `scripts/gen-docs`
(`python -m borrowlens.cli.editors`); tests/unit/test_editor_snippets.py fails when a page and
the shipped blocks differ, or when a page is added or removed without regenerating them.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from borrowlens.analyses.rust.sources import split_lines

PAGES = Path("docs/editors")
DATA = "editor_snippets.json"
# The editors the issue names, offered by `--editor` even before their page exists here.
KNOWN = ("coc-nvim", "emacs", "helix", "neovim", "vim", "vscode", "zed")

_FENCE = re.compile(r"^ {0,3}(?P<fence>`{3,}|~{3,})\s*(?P<info>[^`\s]*)")
_HEADING = re.compile(r"^ {0,3}(?P<level>#{1,6})\s+(?P<text>.*?)\s*#*\s*$")
_COMMENT = {"lua": "--", "elisp": ";;", "emacs-lisp": ";;", "lisp": ";;", "vim": '"',
            "json": "//", "jsonc": "//", "javascript": "//", "typescript": "//"}


@dataclass(frozen=True)
class Snippet:
    """One fenced block: the section it is under, its info string's language, its text."""

    section: str
    language: str
    code: str


@dataclass(frozen=True)
class Page:
    """docs/editors/<name>.md as doctor needs it."""

    name: str
    title: str
    snippets: tuple[Snippet, ...]

    @property
    def path(self) -> str:
        return f"{PAGES.as_posix()}/{self.name}.md"

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "title": self.title, "page": self.path,
                "snippets": [asdict(s) for s in self.snippets]}


def extract(name: str, markdown: str) -> Page:
    """The page's title (its `#` heading without "borrowlens in") and every fenced block."""
    title = name
    section = ""
    snippets: list[Snippet] = []
    lines = split_lines(markdown)
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        opened = _FENCE.match(line)
        if opened is None:
            heading = _HEADING.match(line)
            if heading is not None:
                text = heading.group("text")
                if heading.group("level") == "#":
                    title = re.sub(r"^borrowlens in\s+", "", text)
                section = text if heading.group("level") != "#" else title
            continue
        fence = opened.group("fence")
        body: list[str] = []
        while index < len(lines) and not lines[index].lstrip().startswith(fence):
            body.append(lines[index])
            index += 1
        index += 1  # the closing fence
        snippets.append(Snippet(section or title, opened.group("info"),
                                "\n".join(body) + "\n"))
    return Page(name, title, tuple(snippets))


def from_docs(root: Path) -> dict[str, Page]:
    """Every page of ROOT/docs/editors, by name."""
    return {path.stem: extract(path.stem, path.read_text(encoding="utf-8"))
            for path in sorted((root / PAGES).glob("*.md"))}


def serialise(pages: Mapping[str, Page]) -> str:
    return json.dumps({name: page.to_json() for name, page in sorted(pages.items())},
                      indent=2, ensure_ascii=False) + "\n"


def shipped() -> dict[str, Page]:
    """The pages' blocks as installed with borrowlens."""
    text = (resources.files("borrowlens.cli") / DATA).read_text(encoding="utf-8")
    return {name: Page(name, entry["title"], tuple(Snippet(**s) for s in entry["snippets"]))
            for name, entry in json.loads(text).items()}


def names() -> list[str]:
    """What `--editor` accepts: the editors named in the issue, and every shipped page."""
    return sorted({*KNOWN, *shipped()})


def render(page: Page) -> str:
    """The snippets as text to paste: one block as it is; several (a page's alternatives:
    plugins, client set-ups) numbered, each under a comment in its own language naming its
    section."""
    if len(page.snippets) == 1:
        return page.snippets[0].code
    first = _COMMENT.get(page.snippets[0].language, "#")
    parts = [f"{first} {page.title}: {len(page.snippets)} ways, from {page.path}; "
             "use the one that fits your setup.\n"]
    for number, snippet in enumerate(page.snippets, start=1):
        comment = _COMMENT.get(snippet.language, "#")
        parts.append(f"{comment} {number}. {snippet.section}\n{snippet.code}")
    return "\n".join(parts)


# --- which editor is this? ----------------------------------------------------------------------

# Set by an editor in the shells of its own terminal: the surest sign.
_TERMINAL_MARKS = (("NVIM", None, "neovim"), ("NVIM_LISTEN_ADDRESS", None, "neovim"),
                   ("INSIDE_EMACS", None, "emacs"), ("TERM_PROGRAM", "vscode", "vscode"),
                   ("ZED_TERM", None, "zed"), ("VIM_TERMINAL", None, "vim"))
# The command in $VISUAL / $EDITOR.
_COMMANDS = {"nvim": "neovim", "neovim": "neovim", "nvim-qt": "neovim",
             "vim": "vim", "vi": "vim", "gvim": "vim", "mvim": "vim", "vim.basic": "vim",
             "emacs": "emacs", "emacsclient": "emacs", "hx": "helix", "helix": "helix",
             "zed": "zed", "zeditor": "zed", "code": "vscode", "code-insiders": "vscode",
             "codium": "vscode"}
SOURCES = ("$NVIM", "$INSIDE_EMACS", "$TERM_PROGRAM", "$ZED_TERM", "$VIM_TERMINAL", "$VISUAL",
           "$EDITOR")


def detect(environ: Mapping[str, str]) -> tuple[str, str] | None:
    """The editor borrowlens seems to run under, and the variable that says so."""
    for variable, value, editor in _TERMINAL_MARKS:
        found = environ.get(variable)
        if found and (value is None or found == value):
            return editor, f"${variable}"
    for variable in ("VISUAL", "EDITOR"):
        words = environ.get(variable, "").split()
        command = _COMMANDS.get(Path(words[0]).name.removesuffix(".exe")) if words else None
        if command is not None:
            return command, f"${variable}={environ[variable]}"
    return None


def with_page(detected: tuple[str, str] | None) -> tuple[str, str, Page | None] | None:
    """The detected editor, why, and its shipped page (None when it has none)."""
    if detected is None:
        return None
    editor, reason = detected
    return editor, reason, shipped().get(editor)


def report_text(found: tuple[str, str, Page | None] | None) -> str:
    """What `doctor` adds after its report: the editor it runs in and that editor's
    configuration, or where it looked."""
    listed = ", ".join(sorted(shipped()))
    if found is None:
        return (f"editor: none detected (from {', '.join(SOURCES)}); "
                f"`borrowlens doctor --editor NAME` prints the configuration for one of: "
                f"{listed}\n")
    editor, reason, page = found
    if page is None:
        return (f"editor: {editor} (from {reason}), which has no configuration page in this "
                f"borrowlens; these have one: {listed}\n")
    return (f"editor: {page.title} (from {reason}); its configuration, from {page.path}:\n\n"
            f"{render(page)}")


def report_json(found: tuple[str, str, Page | None] | None) -> dict[str, Any] | None:
    if found is None:
        return None
    editor, reason, page = found
    described = page.to_json() if page is not None else {
        "name": editor, "title": None, "page": None, "snippets": []}
    return {**described, "detected_from": reason}


# --- the generator (scripts/gen-docs) -----------------------------------------------------------

def stale(root: Path) -> bool:
    target = root / "cli" / DATA
    return not target.exists() or target.read_text(encoding="utf-8") != serialise(
        from_docs(root))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="scripts/gen-docs",
        description=f"Writes cli/{DATA} from the fenced blocks of {PAGES.as_posix()}/*.md.")
    parser.add_argument("--root", type=Path, required=True, help="the clone")
    parser.add_argument("--check", action="store_true",
                        help=f"write nothing; exit 1 if cli/{DATA} is stale")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    if args.check:
        if stale(root):
            print(f"stale: cli/{DATA}", file=sys.stderr)
            return 1
        return 0
    if stale(root):
        (root / "cli" / DATA).write_text(serialise(from_docs(root)), encoding="utf-8")
        print(f"wrote cli/{DATA}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
