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
    ## example   one sentence: what the family's example changes (see below)
    ## background  the general background of this kind of error, for the `teach` depth

The family code computes the slots (`{{ name }}`, `{% if captured %}`) and nothing else.
Templates render with `StrictUndefined`: a slot the family did not fill is an error, never an
empty string; a slot that is known to be missing is passed as None and the template words
around it. Passages shared by a group live in `_name.md` files of the group package and are
pulled in with `{% include "send/_local_executor.md" %}`.

Each family has a minimal example written for the project, beside the module in
`examples/`: `send/send_rc_across_await.py` → `send/examples/send_rc_across_await.before.rs`
(gets the error) and `….after.rs` (the smallest change that fixes its cause); the `example`
section says in one sentence what changed. A test compiles both with the real rustc. The
`background` of a group is one shared passage, `{% include "send/_background.md" %}`.

Writers wrap lines where they like: the lines of a paragraph are joined with one space (lists
keep one line per item, fenced code is kept as written), so a conditional may stand on lines
of its own inside a paragraph. A line holding only a block tag (`{% if %}`, `{% include %}`)
vanishes with its line break; a tag that ends a line of text takes that line break too, so a
block tag either stands alone on its line or sits inside a line that goes on after it.

A publish carries only the title and TL;DR of each recognised diagnostic: within
`summary_only`, `explanation` renders the prose file cut after its tldr section (the
`{% set %}` lines before the first section stay with it), and the hover renders the rest
when it is shown.

Jinja2 rather than `string.Template` or f-strings: the explanations need conditionals and
shared passages, and its strict mode turns a missing fact into an error in the tests.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache, lru_cache
from pathlib import Path

import jinja2

from borrowlens.analyses.explain.model import Example, Explanation, Link
from borrowlens.analyses.rust.sources import split_lines

# The family modules and their prose files live in the families package, a layer above this
# one: found by name and by place, never imported.
_FAMILIES = "borrowlens.analyses.families"

SECTIONS = ("tldr", "hover", "change", "what", "why", "fix", "rule", "caveat", "links",
            "example", "background")
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
    an `RwLock<T>`, a `MutexGuard<T>`."""
    spoken_vowel = type_[:1].upper() in "AEIOU" or type_.startswith(
        ("Rc<", "Rc ", "RwLock", "rc::"))
    return f"{'an' if spoken_vowel else 'a'} `{type_}`"


def cap(text: str) -> str:
    """The text with its first letter upper-cased (the rest untouched, unlike str.capitalize)."""
    return text[:1].upper() + text[1:]


# rustc's names for types a user never wrote: `{async block@src/x.rs:3:5: 3:15}`,
# `{closure@src/x.rs:3:5}`, `{async fn body of f()}` (which is what `impl Future` names).
_ANONYMOUS_TYPE = re.compile(r"\{(?P<kind>[a-z][a-z ]*)(?:@| of )[^{}]*\}")
_ANONYMOUS_NAMES = {"async fn body": "impl Future"}
_FUTURE_ARGS = re.compile(r"\b(?P<head>(?:impl|dyn) (?:for<[^>]*> )?Future)<")
_BINDER = re.compile(r"\b(?P<kind>impl|dyn) for<[^>]*> ")
_PATH_PREFIX = re.compile(r"(?<![\w:])(?:[A-Za-z_]\w*::)+(?=[A-Za-z_])")
_STATIC_BOUND = re.compile(r"\((dyn [^()]*?) \+ '(?:static|_)\)")


def _plain_arguments(text: str, start: int) -> bool:
    """Whether the generic arguments opening at `start` are short and flat (`<u64>`,
    `<String, u32>`): those are shown even at the depth limit, as rust-analyzer would."""
    end = text.find(">", start)
    inner = text[start + 1:end] if end != -1 else ""
    return bool(inner) and len(inner) <= 16 and not any(c in inner for c in "<(-")


def short_type(type_: str, depth: int = 1) -> str:
    """A compiler-printed type shortened the way rust-analyzer's inlay hints show it: generic
    arguments nested deeper than `depth` become `…` (`Rc<RefCell<HashMap<K, V>>>` →
    `Rc<RefCell<…>>`) unless they are short and flat (`Arc<Receiver<u64>>`), `impl Future<Output
    = T>` is `impl Future`, a closure or async block is named by its kind
    (`{async block@src/x.rs:3:5}` → `async block`), `(dyn Trait + 'static)` is `dyn Trait` and
    paths lose their module prefix (`std::slice::Iter` → `Iter`)."""
    text = _ANONYMOUS_TYPE.sub(
        lambda m: _ANONYMOUS_NAMES.get(m.group("kind"), m.group("kind")), type_.strip())
    text = _STATIC_BOUND.sub(r"\1", text)
    text = _BINDER.sub(lambda m: m.group("kind") + " ", text)
    found = _FUTURE_ARGS.search(text)
    while found is not None:
        close = _closing_bracket(text, found.end() - 1)
        text = text[: found.end() - 1] + text[close + 1:]
        found = _FUTURE_ARGS.search(text, found.start() + 1)
    text = _PATH_PREFIX.sub("", text)
    out: list[str] = []
    level = 0
    index = 0
    while index < len(text):
        char = text[index]
        if char == "<":
            if level >= depth and not (depth and _plain_arguments(text, index)):
                out.append("<…>")
                index = _closing_bracket(text, index) + 1
                continue
            level += 1
        elif char == ">" and text[index - 1: index] != "-":
            level -= 1
        out.append(char)
        index += 1
    return "".join(out)


def _closing_bracket(text: str, opening: int) -> int:
    """The index of the `>` that closes the `<` at `opening` (an arrow's `>` does not count);
    the end of the text when it is unbalanced."""
    level = 0
    for index in range(opening, len(text)):
        if text[index] == "<":
            level += 1
        elif text[index] == ">" and text[index - 1] != "-":
            level -= 1
            if level == 0:
                return index
    return len(text) - 1


def root() -> Path:
    """The families package's folder, where the prose files are."""
    return Path(__file__).resolve().parent.parent / "families"


# The name of a prose file cut after its tldr section: `send/x.md` + SUMMARY.
SUMMARY = "#tldr"


class _ProseLoader(jinja2.FileSystemLoader):
    """The prose files, and each one cut after its tldr section under its name + `SUMMARY`
    (what a publish renders: `summary_only`), compiled and cached like any template."""

    def get_source(self, environment: jinja2.Environment,
                   template: str) -> tuple[str, str, Callable[[], bool]]:
        name, summary, _ = template.partition(SUMMARY)
        source, filename, uptodate = super().get_source(environment, name)
        if not summary:
            return source, filename, uptodate
        headings = list(_HEADING.finditer(source))
        index = next((i for i, h in enumerate(headings) if h.group(1) == "tldr"), None)
        if index is None:
            raise jinja2.TemplateNotFound(template)
        end = headings[index + 1].start() if index + 1 < len(headings) else len(source)
        return source[:end], filename, uptodate


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=_ProseLoader(root()),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        # An included passage ends its paragraph where the include line ends.
        keep_trailing_newline=True,
    )
    env.filters.update(code=code, a_type=a_type, cap=cap, short_type=short_type)
    return env


def keep_compiled(cache: jinja2.BytecodeCache) -> None:
    """Compiled templates are kept in `cache` between processes (compiling one costs
    milliseconds, loading it from the cache a fraction); the glue chooses where, as this
    layer writes no files."""
    environment().bytecode_cache = cache


def template_name(module: str) -> str:
    """The prose file of a family module: `…families.send.send_rc_across_await` ->
    `send/send_rc_across_await.md`."""
    prefix = _FAMILIES + "."
    if not module.startswith(prefix):
        raise ProseError(f"{module} is not a family module")
    return module[len(prefix):].replace(".", "/") + ".md"


def example_files(module: str) -> tuple[Path, Path]:
    """The family's example, before and after: `…families.send.send_rc_across_await` ->
    `send/examples/send_rc_across_await.before.rs` and `.after.rs` under `root()`."""
    folder, _, stem = template_name(module).removesuffix(".md").rpartition("/")
    examples = root() / folder / "examples" if folder else root() / "examples"
    return examples / f"{stem}.before.rs", examples / f"{stem}.after.rs"


@cache
def _example_code(module: str) -> tuple[str, str] | None:
    # Read once per process: every explanation of the family carries the example.
    before, after = example_files(module)
    if not before.is_file() or not after.is_file():
        return None
    return (before.read_text(encoding="utf-8").rstrip("\n"),
            after.read_text(encoding="utf-8").rstrip("\n"))


def example(module: str, change: str | None) -> Example | None:
    """The family's example with the sentence on what changed, None when it has none."""
    code = _example_code(module)
    if change is None or code is None:
        return None
    return Example(before=code[0], after=code[1], change=change)


@lru_cache(maxsize=1024)
def reflow(text: str) -> str:
    """Joins the lines of each paragraph (see the module docstring); lists and code stay.
    Remembered: most sections of a family (why, rule, links, background) render the same
    text for every diagnostic, and a publish may hold hundreds of one family's."""
    out: list[str] = []
    in_code = False
    for block in re.split(r"\n[ \t]*\n", text.strip()):
        lines = split_lines(block)
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
    for line in split_lines(text):
        found = _LINK.match(line.strip())
        if found is None:
            raise ProseError(f"{name}: not a link line: {line!r}")
        out.append(Link(found.group("title"), found.group("url")))
    return tuple(out)


# Set while only the title and TL;DR are wanted (`summary_only`).
_SUMMARY: ContextVar[bool] = ContextVar("borrowlens_summary_only", default=False)


@contextmanager
def summary_only() -> Iterator[None]:
    """Within it, `explanation` renders only the TL;DR of a prose file (the other parts are
    empty): a publish carries the title and TL;DR of every recognised diagnostic, and the
    whole explanation is rendered when it is shown."""
    token = _SUMMARY.set(True)
    try:
        yield
    finally:
        _SUMMARY.reset(token)


@cache
def _summary_template(name: str) -> jinja2.Template | None:
    """The prose file up to the end of its tldr section (the `{% set %}` lines before the
    first section, any section before it); None when it cannot be cut there (a block that
    spans the cut): the whole file is rendered then."""
    try:
        return environment().get_template(name + SUMMARY)
    except (jinja2.TemplateSyntaxError, jinja2.TemplateNotFound):
        return None


def explanation(family_id: str, title: str, module: str,
                slots: Mapping[str, object]) -> Explanation:
    """The family's explanation: its prose file rendered with `slots` (only its TL;DR
    within `summary_only`)."""
    name = template_name(module)
    summary = _summary_template(name) if _SUMMARY.get() else None
    if summary is not None:
        rendered = summary.render(**slots)
        headings = list(_HEADING.finditer(rendered))  # an include may add sections after it
        tldr = next((reflow(rendered[h.end():headings[i + 1].start() if i + 1 < len(headings)
                                     else len(rendered)])
                     for i, h in enumerate(headings) if h.group(1) == "tldr"), "")
        return Explanation(family=family_id, title=title, tldr=tldr, what="", why="",
                           fix="", rule="")
    rendered = environment().get_template(name).render(**slots)
    parts = sections(rendered, name)
    return Explanation(
        family=family_id, title=title, tldr=parts["tldr"], what=parts["what"],
        why=parts["why"], fix=parts["fix"], rule=parts["rule"],
        caveat=parts.get("caveat") or None,
        links=links(parts["links"], name) if parts.get("links") else (),
        hover=parts.get("hover") or None, change=parts.get("change") or None,
        background=parts.get("background") or None,
        example=example(module, parts.get("example") or None))
