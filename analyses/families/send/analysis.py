"""Shared analysis of rustc's "future cannot be sent between threads safely" diagnostics.

Every family of the non-`Send` future group (Rc, RefCell guards, Mutex guards, `&T` with a
non-`Sync` T, and the general fallback) reads the same diagnostic shape, so the reading lives
here once: which value is the culprit, its type, where it is declared, the `.await` it is held
across (or the capture), the bound that asked for `Send`, and which kind of culprit it is.

Labels are taken from the structured spans when the producer kept them (rustc JSON), and from
rustc's rendered text otherwise: rust-analyzer keeps only the primary span of each child note,
so the "has type `X`" and "`x` maybe used later" labels survive only in `rendered`.

What the source adds (a parameter or a local, used again after the await, the head of a
`match` holding a guard …) is read by `source.py`; the phrases the templates share are in
`phrases.py`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from borrowlens.analyses.diagnostics.model import RENDERED_ARROW, Diagnostic, Span
from borrowlens.analyses.families.base import FactValue, Family, Match, Related, shared_analysis
from borrowlens.analyses.families.send import source as reading
from borrowlens.analyses.rust.sources import Sources, split_lines

# --- recognising the diagnostic ---------------------------------------------------------------

_SEND_MESSAGE = re.compile(
    r"future cannot be sent between threads safely"
    r"|future (?:returned by `[^`]+`|created by async block) is not `Send`"
    r"|future is not `Send` as (?:this value is used across an await|it awaits another future)"
)
# The trigger every family of the group declares (`Family.notes`): rustc's wording anywhere in
# the diagnostic; `is_send_future_error` then decides.
NOTES = (_SEND_MESSAGE.pattern,)

# --- labels and notes -------------------------------------------------------------------------

_HAS_TYPE = re.compile(r"has type `(?P<type>.+?)` which is not `Send`"
                       r"(?:, because `(?P<referent>.+?)` is not `Sync`)?")
_AWAIT_VALUE = re.compile(r"await occurs here, with `(?P<expr>.+?)` maybe used later")
_AWAIT_FUTURE = re.compile(r"await occurs here on type `(?P<type>.+?)`, which is not `Send`")
_NOTE_ACROSS = re.compile(r"future is not `Send` as this value is used across an await")
_NOTE_AWAITS = re.compile(r"future is not `Send` as it awaits another future which is not `Send`")
_NOTE_CAPTURED = re.compile(r"captured value is not `Send`")
_RETURNED_BY = re.compile(r"future returned by `(?P<function>[^`]+)` is not `Send`")
_ASYNC_BLOCK = re.compile(r"future created by async block is not `Send`")
_BOUND = re.compile(r"required by a bound in `(?P<path>[^`]+)`")
_BOUND_LABEL = re.compile(r"required by this bound in `[^`]+`")
_CAST = re.compile(r"required for the cast from `[^`]+` to `(?P<to>[^`]+)`")
_SEND_RETURN = re.compile(r"^impl\b.*\bSend\b")
_NOT_SEND = re.compile(r"the trait `Send` is not implemented for `(?P<type>.+?)`(?:$|\s|,)",
                       re.MULTILINE)
_NOT_SYNC = re.compile(r"the trait `Sync` is not implemented for `(?P<type>.+?)`(?:$|\s|,)",
                       re.MULTILINE)

# --- culprit kinds ----------------------------------------------------------------------------

_PATH = r"(?:[A-Za-z_][A-Za-z0-9_]*::)*"
_MUTEX_GUARD = re.compile(
    rf"(?<![A-Za-z0-9_]){_PATH}(?:Mapped)?(?:Mutex|RwLockRead|RwLockWrite|ReentrantMutex|"
    rf"RwLockUpgradableRead)Guard<")
_REFCELL_GUARD = re.compile(rf"(?<![A-Za-z0-9_]){_PATH}(?:RefMut|Ref)<")
_RC = re.compile(rf"(?<![A-Za-z0-9_])(?:{_PATH}Rc<|(?:[A-Za-z_]+::)*rc::Weak<)")
_BARE_WEAK = re.compile(r"^Weak<")
_RAW_POINTER = re.compile(r"^\*(?:const|mut) ")
# What rustc names when an owned struct is not `Send` because of a pointer field: a raw
# pointer (also inside `PhantomData<*const ()>`, which rustc reports as the pointer) or a
# `NonNull`.
_POINTER = re.compile(r"^(?:\*(?:const|mut) |(?:[\w:]*::)?NonNull<)")
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

RC, REFCELL_GUARD, MUTEX_GUARD, SYNC_REF, POINTER_FIELD, OTHER = (
    "rc", "refcell-guard", "mutex-guard", "sync-ref", "pointer-field", "other")



@dataclass(frozen=True)
class Found:
    """A label or note text found in the diagnostic, with the place it points at if known."""

    span: Span | None
    groups: dict[str, str]


@dataclass
class SendInfo:
    """What a non-`Send` future diagnostic says, in the words the families need."""

    shape: str  # "across-await", "captured", "awaits-future" or "unknown"
    kind: str  # RC, REFCELL_GUARD, MUTEX_GUARD, SYNC_REF, POINTER_FIELD or OTHER
    facts: dict[str, FactValue] = field(default_factory=dict)
    related: list[Related] = field(default_factory=list)
    async_block: bool = False
    not_send: list[str] = field(default_factory=list)
    not_sync: list[str] = field(default_factory=list)


def is_send_future_error(diagnostic: Diagnostic) -> bool:
    if diagnostic.code == "E0277":
        return False
    if _SEND_MESSAGE.search(diagnostic.message):
        return True
    return diagnostic.find(_SEND_MESSAGE) is not None and "future" in diagnostic.message


# --- reading rustc's rendered text ------------------------------------------------------------

_RENDERED_SOURCE = re.compile(r"^\s*(?P<line>\d+)\s*\|")
_RENDERED_GUTTER = re.compile(r"^\s*\|")
_MARKERS = re.compile(r"[\^\-]+")


def _scalar_column(quoted: str, display: int) -> int:
    """The 1-based column (in characters) under 1-based display column `display` of the source
    line rustc quoted: rustc places its markers by display width, where a wide character (an
    emoji, a CJK ideograph) takes two columns and a combining mark none."""
    width = 0
    for index, char in enumerate(quoted):
        if width >= display - 1:
            return index + 1
        if unicodedata.combining(char):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return len(quoted) + 1 + max(display - 1 - width, 0)


def _rendered_label(diagnostic: Diagnostic, regex: re.Pattern[str]) -> Found | None:
    """The first label in rustc's rendered text matching `regex`, placed on the source line it
    annotates. Columns come from the marker under the source text when there is one."""
    rendered = diagnostic.rendered
    if not rendered:
        return None
    file: str | None = None
    line: int | None = None
    quoted = ""
    for text in split_lines(rendered):
        arrow = RENDERED_ARROW.match(text)
        if arrow:
            file, line = diagnostic.rendered_file(arrow.group("file")), None
            continue
        source = _RENDERED_SOURCE.match(text)
        if source:
            line, quoted = int(source.group("line")), text[source.end() + 1:]
            continue
        if not _RENDERED_GUTTER.match(text) or file is None or line is None:
            continue
        found = regex.search(text)
        if not found:
            continue
        gutter = text.index("|") + 2
        column, end = found.start() - gutter + 1, found.start() - gutter + 2
        before = text[:found.start()].rstrip()
        markers = _MARKERS.search(before[::-1])
        if markers and markers.start() == 0 and before.endswith(("^", "-")):
            width = markers.end()
            column, end = len(before) - width - gutter + 1, len(before) - gutter + 1
        column, end = _scalar_column(quoted, column), _scalar_column(quoted, end)
        span = Span(file=file, line_start=line, column_start=max(column, 1), line_end=line,
                    column_end=max(end, 2), label=found.group(0))
        return Found(span, {k: v for k, v in found.groupdict().items() if v is not None})
    return None


def _label(diagnostic: Diagnostic, regex: re.Pattern[str]) -> Found | None:
    """A label by its text: from the structured spans, else from the rendered text."""
    hit = diagnostic.span_labelled(regex)
    if hit is not None:
        span, found = hit
        return Found(span, {k: v for k, v in found.groupdict().items() if v is not None})
    return _rendered_label(diagnostic, regex)


def _noted_span(diagnostic: Diagnostic, regex: re.Pattern[str]) -> Span | None:
    """The span a child note points at, whichever way the producer delivered the note."""
    for span, _ in diagnostic.find_all(regex):
        if span is not None:
            return span
    return None


def _texts(diagnostic: Diagnostic) -> str:
    return "\n".join([diagnostic.all_text(), diagnostic.rendered or ""])


# --- classification ---------------------------------------------------------------------------


def kind_of(type_: str | None, not_send: list[str], not_sync: list[str]) -> str:
    """Which family a culprit belongs to, from its type and rustc's 'not implemented' notes."""
    value = (type_ or "").strip()
    if value:
        if _MUTEX_GUARD.search(value):
            return MUTEX_GUARD
        if _REFCELL_GUARD.search(value):
            return REFCELL_GUARD
        if value.startswith("&") and not value.startswith("&mut"):
            return RC if _RC.search(value) else SYNC_REF
        if _RAW_POINTER.match(value):
            return SYNC_REF
        if _RC.search(value) or _BARE_WEAK.match(value):
            return RC
    owned = bool(value) and not value.startswith(("&", "*"))
    for missing in not_send:
        if owned and _POINTER.match(missing):
            return POINTER_FIELD
        if _MUTEX_GUARD.search(missing):
            return MUTEX_GUARD
        if _REFCELL_GUARD.search(missing):
            return REFCELL_GUARD
        if _RC.search(missing) or _BARE_WEAK.match(missing):
            return RC
        if _RAW_POINTER.match(missing):
            return SYNC_REF
    if not_sync:
        # A RefCell guard holds a `&Cell<isize>` borrow flag: that is what rustc then reports.
        if not value and all(re.fullmatch(r"(?:[\w:]+::)?Cell<isize>", t) for t in not_sync):
            return REFCELL_GUARD
        return SYNC_REF
    return OTHER


# --- the analysis -----------------------------------------------------------------------------


@shared_analysis
def analyse(diagnostic: Diagnostic, sources: Sources) -> SendInfo | None:
    """Facts of a non-`Send` future diagnostic, or None for any other diagnostic. Shared:
    every family of the group asks, the first one's call does the work."""
    if not is_send_future_error(diagnostic):
        return None
    facts: dict[str, FactValue] = {}
    related: list[Related] = []
    everything = _texts(diagnostic)
    not_send = list(dict.fromkeys(m.group("type") for m in _NOT_SEND.finditer(everything)))
    not_sync = list(dict.fromkeys(m.group("type") for m in _NOT_SYNC.finditer(everything)))

    captured = _NOTE_CAPTURED.search(everything) is not None
    awaits_future = _NOTE_AWAITS.search(everything) is not None
    shape = ("captured" if captured else "awaits-future" if awaits_future
             else "across-await" if _NOTE_ACROSS.search(everything) else "unknown")

    # The function (or async block) whose future is not Send.
    returned = _label(diagnostic, _RETURNED_BY)
    async_block = _label(diagnostic, _ASYNC_BLOCK) is not None
    if returned is not None:
        facts["function"] = returned.groups["function"]
    elif not async_block and diagnostic.primary is not None:
        name = reading.called_function(diagnostic.primary, sources)
        if name:
            facts["function"] = name

    # The culprit's type and where it is declared or captured.
    has_type = _label(diagnostic, _HAS_TYPE)
    exact_type = diagnostic.span_labelled(_HAS_TYPE)
    culprit: Span | None = (exact_type[0] if exact_type
                            else _noted_span(diagnostic, _NOTE_CAPTURED) if captured
                            else has_type.span if has_type else None)
    if has_type is not None:
        facts["type"] = has_type.groups["type"]
        if "referent" in has_type.groups:
            facts["referent"] = has_type.groups["referent"]

    await_span: Span | None = None
    if shape == "awaits-future":
        awaited = _label(diagnostic, _AWAIT_FUTURE)
        exact = diagnostic.span_labelled(_AWAIT_FUTURE)
        await_span = (exact[0] if exact else _noted_span(diagnostic, _NOTE_AWAITS)
                      or (awaited.span if awaited else None))
        if awaited is not None:
            facts["type"] = awaited.groups["type"]
        if await_span is not None:
            expression = reading.span_text(await_span, sources)
            if expression:
                facts["awaited"] = expression
    else:
        value = _label(diagnostic, _AWAIT_VALUE)
        exact = diagnostic.span_labelled(_AWAIT_VALUE)
        await_span = (exact[0] if exact else _noted_span(diagnostic, _NOTE_ACROSS)
                      or (value.span if value else None))
        if value is not None:
            expression = re.sub(r"^(?:ref\s+)?(?:mut\s+)?", "", value.groups["expr"])
            if _IDENT.match(expression):
                facts["variable"] = expression
            else:
                facts["expression"] = expression
                facts["temporary"] = "true"

    if captured:
        facts["captured"] = "true"
        capture = culprit
        if capture is not None:
            name = reading.span_text(capture, sources)
            if name and _IDENT.match(name):
                facts["variable"] = name
            facts["capture_line"] = capture.line_start
            declared = reading.declaration_line(str(facts.get("variable", "")), capture,
                                                sources) if "variable" in facts else None
            facts["decl_line"] = declared or capture.line_start
            if declared and declared != capture.line_start:
                related.append(Related(reading.name_span(str(facts["variable"]), declared,
                                                         capture, sources),
                                       f"{_who(facts)} is declared here, then captured by "
                                       "the future"))
            related.append(Related(capture, _capture_message(facts)))
    elif culprit is not None and shape != "awaits-future":
        facts["decl_line"] = culprit.line_start
        if isinstance(facts.get("variable"), str):
            facts.update(reading.binding_facts(str(facts["variable"]), culprit, await_span,
                                               sources))
        related.append(Related(culprit, _declaration_message(facts)))

    if await_span is not None:
        facts["await_line"] = await_span.line_start
        related.append(Related(await_span, _await_message(facts, shape)))
        where = reading.enclosing_function(await_span, sources)
        if where:
            facts["await_function"] = where

    kind = kind_of(str(facts["type"]) if "type" in facts else None, not_send, not_sync)
    if shape == "awaits-future":
        kind = OTHER

    if kind in (MUTEX_GUARD, REFCELL_GUARD) and culprit is not None:
        temporary = facts.get("temporary") == "true"
        source = reading.guard_source(culprit, sources, temporary)
        if source:
            facts["guard_source"] = source
        if temporary:
            head = reading.scrutinee(culprit, sources)
            if head:
                facts["scrutinee"] = head[0]
                if head[1] and "\n" not in head[1]:
                    facts["scrutinee_value"] = head[1]
    variable = facts.get("variable")
    if isinstance(variable, str) and culprit is not None and await_span is not None \
            and not captured and reading.dropped_between(
                variable, culprit.line_start, await_span.line_start, culprit.file, sources):
        facts["dropped_before_await"] = "true"

    bounds = [(span, found) for span, found in diagnostic.find_all(_BOUND)]
    if bounds:
        facts["spawn"] = bounds[0][1].group("path")
    elif (cast := diagnostic.find(_CAST)) is not None:
        facts["cast_to"] = cast.group("to")
    elif diagnostic.primary is not None:
        # `fn f() -> impl Future<Output = T> + Send`: rustc puts the error on that type.
        written = reading.span_text(diagnostic.primary, sources)
        if written and _SEND_RETURN.match(written):
            facts["send_return"] = written
    bound_span = next((span for span, _ in bounds if span is not None), None)
    if bound_span is None:
        labelled = diagnostic.span_labelled(_BOUND_LABEL)
        bound_span = labelled[0] if labelled else None
    if bound_span is not None:
        related.append(Related(bound_span, f"`{facts.get('spawn', 'this bound')}` is what "
                                           "requires the future to be `Send`"))
    if not_send and not_send[0] != facts.get("type"):
        facts["inner_type"] = not_send[0]
    if not_sync:
        facts["not_sync"] = not_sync[0]
    return SendInfo(shape=shape, kind=kind, facts=facts, related=related,
                    async_block=async_block, not_send=not_send, not_sync=not_sync)


def _who(facts: dict[str, FactValue]) -> str:
    if "variable" in facts:
        return f"`{facts['variable']}`"
    if "expression" in facts:
        return f"the temporary `{facts['expression']}`"
    return "this value"


def _declaration_message(facts: dict[str, FactValue]) -> str:
    type_ = f" (`{facts['type']}`, not `Send`)" if "type" in facts else ""
    if facts.get("param") == "true":
        return f"{_who(facts)}{type_} is a parameter: the future holds it from start to end"
    return f"{_who(facts)}{type_} is created here and is still alive at the await"


def _capture_message(facts: dict[str, FactValue]) -> str:
    type_ = f" (`{facts['type']}`, not `Send`)" if "type" in facts else ""
    return f"{_who(facts)}{type_} is captured by the future here"


def _await_message(facts: dict[str, FactValue], shape: str) -> str:
    if shape == "awaits-future":
        return "this await stores a future that is not `Send` inside this one"
    return f"the future is suspended here while {_who(facts)} is still alive"


def build_match(family: Family, diagnostic: Diagnostic, info: SendInfo) -> Match:
    return Match(family=family, diagnostic=diagnostic, facts=dict(info.facts),
                 related=list(info.related))

