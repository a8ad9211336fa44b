"""Rust as rustc prints it in messages: type lists split at their top-level commas, types
with their lifetimes dropped (to compare shapes), place expressions without their derefs.

Plain text in, plain text out: nothing here parses a file.
"""

from __future__ import annotations

import re


def split_top_level(text: str, brackets: str = "<([") -> list[str]:
    """`A, B<C, D>` → [`A`, ` B<C, D>`]: `text` cut at the commas outside brackets. The
    pieces are not stripped and none is dropped (`""` gives `[""]`); `brackets` lists the
    opening ones (each closes with its partner among `>)]`)."""
    closing = {"<": ">", "(": ")", "[": "]"}
    closers = "".join(closing[b] for b in brackets)
    parts, depth, current = [], 0, ""
    for char in text:
        if char in brackets:
            depth += 1
        elif char in closers:
            depth -= 1
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return parts


def strip_lifetimes(text: str) -> str:
    """A type with its lifetimes and binders removed, to compare shapes: `&'a _` → `&_`."""
    text = re.sub(r"for<[^>]*>\s*", "", text)
    text = re.sub(r"\{[^}]*\}", "", text)
    text = re.sub(r"'\w+\s*,?\s*", "", text)
    text = re.sub(r"<\s*>", "", text)
    return re.sub(r"\s+", " ", text).strip()


def strip_derefs(name: str) -> str:
    """`*cache` → `cache`, `(*self).items` → `self.items`."""
    name = re.sub(r"\(\*+([^()]*)\)", r"\1", name.strip())
    return name.lstrip("*&").strip()
