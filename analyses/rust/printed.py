"""Rust as rustc prints it in messages: type lists split at their top-level commas, types
with their lifetimes dropped (to compare shapes), place expressions without their derefs; and
whether a type as written spells a `dyn Trait` with no lifetime of its own.

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


# A trait object with no lifetime of its own (`dyn Fn(&str)`, `dyn Handler + Send`): in a
# `Box`, an `Arc` or a `'static` reference its lifetime defaults to `'static`.
_DYN = re.compile(r"\bdyn\b")


def dyn_without_lifetime(text: str) -> bool:
    """True when the type spells a `dyn Trait` with no lifetime bound of its own."""
    for found in _DYN.finditer(text):
        rest = text[found.end():]
        depth = 0
        own = ""
        for char in rest:
            if char in "<([":
                depth += 1
            elif char in ">)]":
                if depth == 0:
                    break
                depth -= 1
            elif char == "," and depth == 0:
                break
            own += char
        if not re.search(r"\+\s*'(?!static\b)\w+", own):
            return True
    return False
