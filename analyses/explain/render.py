"""Renders an Explanation: hover markdown (short), the explain view (full), terminal text.

The short form is the TL;DR, what is wrong and where, and the change to make, within
`HOVER_LINES` lines at `HOVER_WIDTH` columns: read without scrolling. The full form has all
four parts with headings, the caveat, and the links. The teaching form (`teach=True`) is the
full form with the general background of the family's kind of error before the links.
"""

from __future__ import annotations

import dataclasses
import re
import textwrap
from typing import Any

from borrowlens.analyses.diagnostics.limits import cut
from borrowlens.analyses.explain.model import Explanation
from borrowlens.analyses.rust.sources import split_lines

SECTIONS = (
    ("what", "What the compiler is telling you"),
    ("why", "Why"),
    ("fix", "The fix"),
    ("rule", "The general rule"),
)


# A hover is read without scrolling: at most 8 lines at 100 columns. VS Code's extension adds
# its "Open the full explanation" link as one more line, so borrowlens' part gets 7.
HOVER_WIDTH = 100
HOVER_LINES = 7
# What the renderer reads of one part of an explanation (a part quotes the user's code, which
# may be one 10 MB line): wrapping is linear in it. A hover shows at most HOVER_LINES lines of
# HOVER_WIDTH columns, so its paragraphs are shortened from a few times that, not from the
# whole text (`_fit` re-wraps the paragraph for each word it drops).
MAX_PART = 20_000
_MAX_HOVER_PARAGRAPH = 10 * HOVER_LINES * HOVER_WIDTH
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z`(\[])")
_ABBREVIATIONS = ("e.g.", "i.e.", "etc.", "vs.")


def first_paragraph(text: str) -> str:
    return text.strip().split("\n\n", 1)[0].strip()


def sentences(text: str) -> list[str]:
    """The sentences of a paragraph (a full stop, then a capital, a backtick or a bracket;
    not after an abbreviation such as "e.g.")."""
    out: list[str] = []
    for part in _SENTENCE_END.split(text.strip()):
        if out and out[-1].endswith(_ABBREVIATIONS):
            out[-1] += " " + part
        elif part:
            out.append(part)
    return out


def rendered_lines(text: str, width: int = HOVER_WIDTH) -> int:
    """How many lines `text` takes when wrapped at `width` columns (blank lines not counted;
    markdown markers counted as characters, which only overestimates)."""
    return sum(max(1, len(textwrap.wrap(line, width)))
               for line in split_lines(text) if line.strip())


def _fit(parts: list[list[str]], budget: int) -> list[str]:
    """Paragraphs made of sentences, shortened to `budget` lines: the last sentence of the
    longest paragraph goes first (every paragraph keeps one), then words from the end."""
    def total() -> int:
        return sum(rendered_lines(" ".join(p)) for p in parts)
    while total() > budget:
        longest = max((p for p in parts if len(p) > 1), key=lambda p: len(" ".join(p)),
                      default=None)
        if longest is None:
            break
        longest.pop()
    while total() > budget:
        longest = max(parts, key=lambda p: len(" ".join(p)))
        words = " ".join(longest).split(" ")
        if len(words) <= 4:
            break
        longest[:] = [" ".join(words[: len(words) - 3]).rstrip(",;:") + " …"]
    return [" ".join(p) for p in parts]


def bounded(explanation: Explanation) -> Explanation:
    """`explanation` with every part cut to `MAX_PART` characters."""
    parts = {f.name: getattr(explanation, f.name) for f in dataclasses.fields(explanation)}
    long: dict[str, Any] = {name: cut(value, MAX_PART) for name, value in parts.items()
                            if isinstance(value, str) and len(value) > MAX_PART}
    return dataclasses.replace(explanation, **long) if long else explanation


def hover_parts(explanation: Explanation) -> tuple[str, str, str]:
    """The hover's three paragraphs: title and TL;DR, what is wrong and where, the change."""
    explanation = bounded(explanation)
    head = f"**{explanation.title}** — {explanation.tldr}"
    what = sentences(cut(explanation.hover or first_paragraph(explanation.what),
                         _MAX_HOVER_PARAGRAPH))
    change = sentences(cut(explanation.change or first_paragraph(explanation.fix),
                           _MAX_HOVER_PARAGRAPH))
    if not explanation.hover:
        what = what[:2]
    if not explanation.change:
        change = change[:1]
    # The label rides on the first sentence, so fitting never leaves a bare "Fix:".
    fix = [f"**Fix:** {change[0]}", *change[1:]] if change else ["**Fix:**"]
    body = _fit([what, fix], HOVER_LINES - rendered_lines(head))
    return head, body[0], body[1]


BACKGROUND = "Background"
CAVEAT = "When the compiler is stricter than it needs to be"


def markdown(explanation: Explanation, *, full: bool, story: str | None = None,
             teach: bool = False) -> str:
    """Markdown for LSP hover (`full=False`) or the explain view / JSON (`full=True`, and
    `teach=True` for the background too).

    `story` (the user's code annotated, and the change; `families.story.code_story`, or the
    family's example) follows "What the compiler is telling you" in the full form."""
    if not full:
        return "\n\n".join(hover_parts(explanation))
    explanation = bounded(explanation)
    story = cut(story, MAX_PART) if story is not None else None
    parts = [f"**{explanation.title}** — {explanation.tldr}"]
    for attribute, heading in SECTIONS:
        parts.append(f"### {heading}\n\n{getattr(explanation, attribute).strip()}")
        if attribute == "what" and story:
            parts.append(story.strip())
    if explanation.caveat:
        parts.append(f"### {CAVEAT}\n\n{explanation.caveat.strip()}")
    if teach and explanation.background:
        parts.append(f"### {BACKGROUND}\n\n{explanation.background.strip()}")
    if explanation.links:
        parts.append("### Read more\n\n" + "\n".join(
            f"- [{link.title}]({link.url})" for link in explanation.links))
    return "\n\n".join(parts)


# --- terminal ---------------------------------------------------------------------------------

_BOLD, _DIM, _CYAN, _GREEN, _RESET = "\x1b[1m", "\x1b[2m", "\x1b[36m", "\x1b[32m", "\x1b[0m"
_RED = "\x1b[31m"
_CODE = re.compile(r"`([^`]+)`")
_STRONG = re.compile(r"\*\*([^*]+)\*\*")
_LINK = re.compile(r"\[([^\[\]]+)\]\(([^()\s]+)\)")  # no nesting: linear on `[[[…`


def _inline(text: str, color: bool) -> str:
    text = _LINK.sub(lambda m: f"{m.group(1)} <{m.group(2)}>", text)
    if not color:
        return _STRONG.sub(r"\1", text)
    text = _STRONG.sub(lambda m: f"{_BOLD}{m.group(1)}{_RESET}", text)
    return _CODE.sub(lambda m: f"{_CYAN}`{m.group(1)}`{_RESET}", text)


def _code_line(line: str, color: bool, diff: bool) -> str:
    """A line of a code block: dimmed, or in a diff red when removed and green when added."""
    if not color:
        return line
    shade = {"-": _RED, "+": _GREEN}.get(line[:1], _DIM) if diff else _DIM
    return f"{shade}{line}{_RESET}"


def _block(text: str, color: bool, indent: str, width: int) -> list[str]:
    """Wraps prose paragraphs, keeps fenced code blocks and list items as written."""
    out: list[str] = []
    in_code = in_diff = False
    for paragraph in re.split(r"\n\s*\n", text.strip()):
        lines = split_lines(paragraph)
        if (lines and lines[0].lstrip().startswith("```")) or in_code:
            for line in lines:
                if line.lstrip().startswith("```"):
                    in_code = not in_code
                    in_diff = in_code and line.strip() == "```diff"
                    continue
                out.append(indent + "    " + _code_line(line, color, in_diff))
            out.append("")
            continue
        if all(re.match(r"\s*([-*]|\d+\.) ", line) or line.startswith("  ") for line in lines):
            for line in lines:
                wrapped = textwrap.wrap(line.strip(), width=width - len(indent) - 2,
                                        subsequent_indent="  ")
                out.extend(indent + _inline(w, color) for w in wrapped)
            out.append("")
            continue
        joined = " ".join(line.strip() for line in lines)
        for line in textwrap.wrap(joined, width=width - len(indent)):
            out.append(indent + _inline(line, color))
        out.append("")
    return out


def _story_lines(story: str, color: bool, indent: str, width: int) -> list[str]:
    """The story's markdown (`### Heading` sections of prose and fenced code) as terminal
    lines under the same headings as the other sections."""
    out: list[str] = []
    for section in re.split(r"^### ", story.strip(), flags=re.MULTILINE):
        if not section.strip():
            continue
        heading, _, body = section.partition("\n")
        out.append(f"{_BOLD}{heading}{_RESET}" if color else heading)
        out += _block(body, color, indent, width)
    return out


def terminal(explanation: Explanation, *, full: bool, color: bool, width: int = 88,
             story: str | None = None, teach: bool = False) -> str:
    """Plain text (ANSI colour optional) for the CLI, shaped to sit under rustc's output;
    `full` and `teach` as for `markdown`."""
    explanation = bounded(explanation)
    story = cut(story, MAX_PART) if story is not None else None
    head = f"{explanation.title}: {explanation.tldr}"
    label = f"{_GREEN}{_BOLD}borrowlens{_RESET}" if color else "borrowlens"
    lines = [f"{label}: {_inline(head, color)}"]
    indent = "  "
    if not full:
        _, what, change = hover_parts(explanation)
        lines += _block(what, color, indent, width)
        lines += _block(change.replace("**Fix:**", "Fix:", 1), color, indent, width)
        lines.append(f"{indent}(full explanation: borrowlens explain {explanation.family})")
        return "\n".join(lines).rstrip() + "\n"
    lines.append("")
    sections = [*SECTIONS]
    for attribute, heading in sections:
        lines.append(f"{_BOLD}{heading}{_RESET}" if color else heading)
        lines += _block(getattr(explanation, attribute), color, indent, width)
        if attribute == "what" and story:
            lines += _story_lines(story, color, indent, width)
    extra = [(CAVEAT, explanation.caveat),
             (BACKGROUND, explanation.background if teach else None)]
    for heading, text in extra:
        if text:
            lines.append(f"{_BOLD}{heading}{_RESET}" if color else heading)
            lines += _block(text, color, indent, width)
    if explanation.links:
        lines.append(f"{_BOLD}Read more{_RESET}" if color else "Read more")
        lines += [f"{indent}- {link.title}: {link.url}" for link in explanation.links]
    return "\n".join(lines).rstrip() + "\n"
