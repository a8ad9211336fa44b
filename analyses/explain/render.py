"""Renders an Explanation: hover markdown (short), the explain view (full), terminal text.

The short form is the TL;DR, then the first paragraph of "what", of "the fix" and of the
caveat: enough to act on without scrolling. The full form has all four parts with headings,
the caveat, and the links.
"""

from __future__ import annotations

import re
import textwrap

from borrowlens.analyses.explain.model import Explanation

SECTIONS = (
    ("what", "What the compiler is telling you"),
    ("why", "Why"),
    ("fix", "The fix"),
    ("rule", "The general rule"),
)


def first_paragraph(text: str) -> str:
    return text.strip().split("\n\n", 1)[0].strip()


def markdown(explanation: Explanation, *, full: bool) -> str:
    """Markdown for LSP hover (`full=False`) or the explain view / JSON (`full=True`)."""
    parts = [f"**{explanation.title}** — {explanation.tldr}"]
    if not full:
        parts.append(first_paragraph(explanation.what))
        parts.append(f"**Fix:** {first_paragraph(explanation.fix)}")
        if explanation.caveat:
            parts.append(f"_Note:_ {first_paragraph(explanation.caveat)}")
        return "\n\n".join(parts)
    for attribute, heading in SECTIONS:
        parts.append(f"### {heading}\n\n{getattr(explanation, attribute).strip()}")
    if explanation.caveat:
        parts.append(f"### When the compiler is stricter than it needs to be\n\n"
                     f"{explanation.caveat.strip()}")
    if explanation.links:
        parts.append("### Read more\n\n" + "\n".join(
            f"- [{link.title}]({link.url})" for link in explanation.links))
    return "\n\n".join(parts)


# --- terminal ---------------------------------------------------------------------------------

_BOLD, _DIM, _CYAN, _GREEN, _RESET = "\x1b[1m", "\x1b[2m", "\x1b[36m", "\x1b[32m", "\x1b[0m"
_CODE = re.compile(r"`([^`]+)`")
_STRONG = re.compile(r"\*\*([^*]+)\*\*")
_LINK = re.compile(r"\[([^\]]+)\]\(([^)]+)\)")


def _inline(text: str, color: bool) -> str:
    text = _LINK.sub(lambda m: f"{m.group(1)} <{m.group(2)}>", text)
    if not color:
        return _STRONG.sub(r"\1", text)
    text = _STRONG.sub(lambda m: f"{_BOLD}{m.group(1)}{_RESET}", text)
    return _CODE.sub(lambda m: f"{_CYAN}`{m.group(1)}`{_RESET}", text)


def _block(text: str, color: bool, indent: str, width: int) -> list[str]:
    """Wraps prose paragraphs, keeps fenced code blocks and list items as written."""
    out: list[str] = []
    in_code = False
    for paragraph in re.split(r"\n\s*\n", text.strip()):
        lines = paragraph.splitlines()
        if (lines and lines[0].lstrip().startswith("```")) or in_code:
            for line in lines:
                if line.lstrip().startswith("```"):
                    in_code = not in_code
                    continue
                out.append(indent + "    " + (f"{_DIM}{line}{_RESET}" if color else line))
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


def terminal(explanation: Explanation, *, full: bool, color: bool, width: int = 88) -> str:
    """Plain text (ANSI colour optional) for the CLI, shaped to sit under rustc's output."""
    head = f"{explanation.title}: {explanation.tldr}"
    label = f"{_GREEN}{_BOLD}borrowlens{_RESET}" if color else "borrowlens"
    lines = [f"{label}: {_inline(head, color)}"]
    indent = "  "
    if not full:
        lines += _block(first_paragraph(explanation.what), color, indent, width)
        fix = "Fix: " + first_paragraph(explanation.fix)
        lines += _block(fix, color, indent, width)
        if explanation.caveat:
            lines += _block("Note: " + first_paragraph(explanation.caveat), color, indent, width)
        lines.append(f"{indent}(full explanation: borrowlens explain {explanation.family})")
        return "\n".join(lines).rstrip() + "\n"
    lines.append("")
    sections = [*SECTIONS]
    for attribute, heading in sections:
        lines.append(f"{_BOLD}{heading}{_RESET}" if color else heading)
        lines += _block(getattr(explanation, attribute), color, indent, width)
    if explanation.caveat:
        heading = "When the compiler is stricter than it needs to be"
        lines.append(f"{_BOLD}{heading}{_RESET}" if color else heading)
        lines += _block(explanation.caveat, color, indent, width)
    if explanation.links:
        lines.append(f"{_BOLD}Read more{_RESET}" if color else "Read more")
        lines += [f"{indent}- {link.title}: {link.url}" for link in explanation.links]
    return "\n".join(lines).rstrip() + "\n"
