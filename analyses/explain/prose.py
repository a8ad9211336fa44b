"""Family prose: the markdown a writer edits, filled with the facts a family computes.

Each family module `x.py` keeps its explanation beside it in `x.md`, a Jinja2 template in
markdown with one section per part of the explanation:

    ## tldr      one line of at most 120 characters, the user's names, no type dumps
    ## hover     for the hover: what is wrong and where the culprit is (a sentence or two)
    ## change    for the hover: the change to make (one sentence)
    ## what      what the compiler is telling you
    ## why
    ## fix       the change to make, and the alternatives
    ## rule      the general rule
    ## caveat    optional: where the compiler over-approximates, and the workaround
    ## links     optional: `- [title](url)` lines

The family code computes the slots (`{{ name }}`, `{% if captured %}`) and nothing else.
Templates render with `StrictUndefined`: a slot the family did not fill is an error, never an
empty string; a slot that is known to be missing is passed as None and the template words
around it. Passages shared by a group live in `_name.md` files of the group package and are
pulled in with `{% include "send/_local_executor.md" %}`.

Writers wrap lines where they like: the lines of a paragraph are joined with one space (lists
keep one line per item, fenced code is kept as written), so a conditional may stand on lines
of its own inside a paragraph. A line holding only a block tag (`{% if %}`, `{% include %}`)
vanishes with its line break; a tag that ends a line of text takes that line break too, so a
block tag either stands alone on its line or sits inside a line that goes on after it.

Jinja2 rather than `string.Template` or f-strings: the explanations need conditionals and
shared passages, and its strict mode turns a missing fact into an error in the tests.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path

import jinja2

from borrowlens.analyses import families as families_package
from borrowlens.analyses.explain.model import Explanation, Link

SECTIONS = ("tldr", "hover", "change", "what", "why", "fix", "rule", "caveat", "links")
REQUIRED = ("tldr", "what", "why", "fix", "rule")
_HEADING = re.compile(r"^## (\w+)[ \t]*$", re.MULTILINE)
_LIST_ITEM = re.compile(r"^\s*(?:[-*]|\d+\.)\s")
_LINK = re.compile(r"^- \[(?P<title>[^\]]+)\]\((?P<url>[^)\s]+)\)$")


class ProseError(ValueError):
    """A family's prose file is malformed (a section missing or unknown, a bad link line)."""


def code(value: object) -> str:
    """`value` as inline code."""
    return f"`{value}`"


def a_type(type_: str) -> str:
    """`type_` as inline code after its indefinite article, as the name is spoken: an `Rc<T>`,
    an `RwLock<T>`, an `rc::Weak<T>`, a `MutexGuard<T>`."""
    spoken_vowel = type_[:1].upper() in "AEIOU" or type_.startswith(
        ("Rc<", "Rc ", "RwLock", "rc::"))
    return f"{'an' if spoken_vowel else 'a'} `{type_}`"


def cap(text: str) -> str:
    """The text with its first letter upper-cased (the rest untouched, unlike str.capitalize)."""
    return text[:1].upper() + text[1:]


# rustc's names for types a user never wrote: `{async block@src/x.rs:3:5: 3:15}`,
# `{async fn body of f()}`, `{closure@src/x.rs:3:5}`.
_COMPILER_TYPE = re.compile(r"\{(async block|async fn body|async closure|closure|coroutine)"
                            r"(?:@| of )[^{}]*\}")
_COMPILER_NAMES = {"async block": "async block", "async fn body": "impl Future",
                   "async closure": "async closure", "closure": "closure",
                   "coroutine": "coroutine"}
_IMPL_OR_DYN = re.compile(r"\b(impl|dyn) ([A-Za-z_][\w:]*)<")
_MODULE_PATH = re.compile(r"(?<![\w:])(?:[a-z_][a-z0-9_]*::)+(?=[A-Za-z_])")
_STATIC_BOUND = re.compile(r"\((dyn [^()]*?) \+ '(?:static|_)\)")


def _plain_arguments(text: str, start: int) -> bool:
    """Whether the generic arguments opening at `start` are short and flat (`<u64>`,
    `<String, u32>`): those are shown even at the depth limit, as rust-analyzer would."""
    end = text.find(">", start)
    inner = text[start + 1:end] if end != -1 else ""
    return bool(inner) and len(inner) <= 16 and not any(c in inner for c in "<(-")


def short_type(type_: str, depth: int = 1) -> str:
    """A type as rust-analyzer's inlay hints show it: no module paths, generic arguments
    nested deeper than `depth` levels as `…`, `impl Trait`/`dyn Trait` without their
    arguments, rustc's placeholders named: `std::rc::Rc<RefCell<HashMap<K, V>>>` ->
    `Rc<RefCell<…>>`, `impl Future<Output = u8>` -> `impl Future`,
    `{async block@src/x.rs:3:5: 3:15}` -> `async block`."""
    text = _COMPILER_TYPE.sub(lambda m: _COMPILER_NAMES[m.group(1)], type_.strip())
    text = _STATIC_BOUND.sub(r"\1", text)
    text = _MODULE_PATH.sub("", text)
    out: list[str] = []
    level = 0
    limit = depth
    # The level at which an `impl`/`dyn` trait's arguments began: they are dropped whole.
    hidden: int | None = None
    for index, char in enumerate(text):
        shown = hidden is None and level <= limit
        if char == "<":
            trait = _IMPL_OR_DYN.search(text, 0, index + 1)
            if shown and trait is not None and trait.end() == index + 1:
                hidden = level
            elif shown and level == limit and _plain_arguments(text, index):
                limit += 1
                out.append("<")
            elif shown:
                out.append("<…" if level == limit else "<")
            level += 1
        elif char == ">" and text[index - 1:index] != "-":
            level -= 1
            if hidden == level:
                hidden = None
            elif hidden is None and level <= limit:
                out.append(">")
            limit = max(depth, min(limit, level))
        elif shown:
            out.append(char)
    return "".join(out)


def root() -> Path:
    return Path(families_package.__file__).resolve().parent


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(root()),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        # An included passage ends its paragraph where the include line ends.
        keep_trailing_newline=True,
    )
    env.filters.update(code=code, a_type=a_type, cap=cap, short_type=short_type)
    return env


def template_name(module: str) -> str:
    """The prose file of a family module: `…families.send.send_rc_across_await` ->
    `send/send_rc_across_await.md`."""
    prefix = families_package.__name__ + "."
    if not module.startswith(prefix):
        raise ProseError(f"{module} is not a family module")
    return module[len(prefix):].replace(".", "/") + ".md"


def reflow(text: str) -> str:
    """Joins the lines of each paragraph (see the module docstring); lists and code stay."""
    out: list[str] = []
    in_code = False
    for block in re.split(r"\n[ \t]*\n", text.strip()):
        lines = block.split("\n")
        if in_code or lines[0].lstrip().startswith("```"):
            out.append(block)
            if sum(line.lstrip().startswith("```") for line in lines) % 2 == 1:
                in_code = not in_code
            continue
        if _LIST_ITEM.match(lines[0]):
            items: list[str] = []
            for line in lines:
                if _LIST_ITEM.match(line) or not items:
                    items.append(line.rstrip())
                else:
                    items[-1] += " " + line.strip()
            out.append("\n".join(items))
            continue
        out.append(" ".join(line.strip() for line in lines if line.strip()))
    return "\n\n".join(part for part in out if part)


def sections(rendered: str, name: str) -> dict[str, str]:
    """The sections of a rendered prose file, each reflowed."""
    found: dict[str, str] = {}
    headings = list(_HEADING.finditer(rendered))
    if rendered[: headings[0].start() if headings else len(rendered)].strip():
        raise ProseError(f"{name}: text before the first section")
    for index, heading in enumerate(headings):
        key = heading.group(1)
        if key not in SECTIONS or key in found:
            raise ProseError(f"{name}: unknown or repeated section {key!r}")
        end = headings[index + 1].start() if index + 1 < len(headings) else len(rendered)
        found[key] = reflow(rendered[heading.end():end])
    missing = [key for key in REQUIRED if not found.get(key)]
    if missing:
        raise ProseError(f"{name}: sections missing or empty: {missing}")
    if "\n" in found["tldr"]:
        raise ProseError(f"{name}: the tldr must be one line")
    return found


def links(text: str, name: str) -> tuple[Link, ...]:
    out = []
    for line in text.split("\n"):
        found = _LINK.match(line.strip())
        if found is None:
            raise ProseError(f"{name}: not a link line: {line!r}")
        out.append(Link(found.group("title"), found.group("url")))
    return tuple(out)


def explanation(family_id: str, title: str, module: str,
                slots: Mapping[str, object]) -> Explanation:
    """The family's explanation: its prose file rendered with `slots`."""
    name = template_name(module)
    rendered = environment().get_template(name).render(**slots)
    parts = sections(rendered, name)
    return Explanation(
        family=family_id, title=title, tldr=parts["tldr"], what=parts["what"],
        why=parts["why"], fix=parts["fix"], rule=parts["rule"],
        caveat=parts.get("caveat") or None,
        links=links(parts["links"], name) if parts.get("links") else (),
        hover=parts.get("hover") or None, change=parts.get("change") or None)
