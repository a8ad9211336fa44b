"""Phrases and template slots the non-`Send` families share, from a Match's facts: the
culprit's name, the await, the future and the bound that wants it `Send`, why the culprit is
alive at the await (`liveness`), the slots of the two guard families (`guard_slots`), and the
thread-safe twin of a single-threaded type (`thread_safe_type`).
"""

from __future__ import annotations

import re

from borrowlens.analyses.families.base import Match


def culprit_name(match: Match, fallback: str = "the value") -> str:
    """`name`, the temporary `expr`, or the fallback phrase."""
    variable = match.fact("variable")
    if variable:
        return f"`{variable}`"
    expression = match.fact("expression")
    if expression:
        return f"the temporary `{expression}`"
    return fallback


def type_phrase(match: Match, fallback: str) -> str:
    """'an `Rc<…>`'-style phrase for the culprit's type, or the fallback."""
    value = match.fact("type")
    return f"a `{value}`" if value else fallback


def await_phrase(match: Match) -> str:
    line = match.fact("await_line")
    return f"the `.await` on line {line}" if line else "an `.await`"


def future_phrase(match: Match) -> str:
    function = match.fact("function")
    if function:
        return f"the future returned by `{function}`"
    return "the future"


def inside_phrase(match: Match) -> str:
    """' (inside `f`)' when the culprit lives in another fn than the one spawned."""
    where = match.fact("await_function")
    if where and where != match.fact("function"):
        return f" (inside `{where}`)"
    return ""


def bound_phrase(match: Match) -> str:
    """Who requires the future to be `Send`: the bound rustc names, the coercion to a
    `dyn Future + Send`, or the `impl Future + Send` return type it is reported on."""
    spawn, cast, written = match.fact("spawn"), match.fact("cast_to"), match.fact("send_return")
    if spawn:
        return f"`{spawn}` requires its future to be `Send`"
    if cast:
        return f"the coercion to `{cast}` requires the future to be `Send`"
    if written:
        return f"the return type `{written}` promises a `Send` future"
    return "something (a `spawn`, or a `Send` bound you wrote) requires the future to be `Send`"


def spawned(match: Match) -> bool:
    """The bound that asked for `Send` is a spawn function's (`tokio::spawn`,
    `thread::spawn` …), not an `assert_send`, a trait's bound or a cast."""
    spawn = match.fact("spawn")
    return bool(spawn and re.search(r"(?:^|::)spawn\w*$", spawn))


def _made(match: Match) -> str:
    """How the culprit came to be: a temporary is created, a binding declared."""
    return "created" if match.fact("temporary") == "true" else "declared"


def decl_phrase(match: Match) -> str:
    line = match.fact("decl_line")
    return f" ({_made(match)} on line {line})" if line else ""


def place_phrase(match: Match) -> str:
    """' (inside `f`, declared on line N)', either part alone, or nothing."""
    parts = []
    where = match.fact("await_function")
    if where and where != match.fact("function"):
        parts.append(f"inside `{where}`")
    line = match.fact("decl_line")
    if line:
        parts.append(f"{_made(match)} on line {line}")
    return f" ({', '.join(parts)})" if parts else ""


_CELL_OF_INT = re.compile(r"^(?:[\w:]*::)?Cell<(?P<int>[iu](?:8|16|32|64|size)|bool)>$")


def thread_safe_type(type_: str) -> str | None:
    """The thread-safe twin of a single-threaded type, or None when there is no one obvious
    twin: `Rc<RefCell<T>>` (or `Rc<Cell<T>>`) -> `Arc<Mutex<T>>`, `Rc<T>` -> `Arc<T>`,
    `rc::Weak<T>` -> `std::sync::Weak<T>`, `Arc<RefCell<T>>` -> `Arc<Mutex<T>>`,
    `RefCell<T>` -> `Mutex<T>`, `Cell<u64>` -> `AtomicU64`, `Rc<Cell<u64>>` ->
    `Arc<AtomicU64>`."""
    cell = _CELL_OF_INT.match(type_.strip())
    if cell:
        return "Atomic" + cell.group("int").capitalize()
    shared = re.fullmatch(r"(?:(?:std|alloc)::rc::)?Rc<\s*(?P<cell>[\w:]*Cell<[^<>]+>)\s*>",
                          type_.strip())
    if shared and _CELL_OF_INT.match(shared.group("cell")):
        # A shared counter or flag: an atomic needs no lock.
        return f"Arc<{thread_safe_type(shared.group('cell'))}>"
    out = re.sub(r"(?:(?:std|alloc)::rc::)?Rc<(?:(?:std|core)::cell::)?(?:RefCell|Cell)<",
                 "Arc<Mutex<", type_)
    out = re.sub(r"(?:(?:std|alloc)::rc::)?Rc<", "Arc<", out)
    out = re.sub(r"(?:(?:std|alloc)::)?rc::Weak<|^Weak<", "std::sync::Weak<", out)
    out = re.sub(r"^((?:[\w:]*::)?Arc<)(?:(?:std|core)::cell::)?RefCell<", r"\1Mutex<", out)
    out = re.sub(r"^(?:(?:std|core)::cell::)?RefCell<", "Mutex<", out)
    return out if out != type_ else None


def known(flag: str | None) -> bool | None:
    """A "true"/"false" fact as a bool, None when it is unknown."""
    return None if flag is None else flag == "true"


def liveness(match: Match) -> dict[str, object]:
    """The slots every template of the group uses to say why the culprit is alive at the
    await: `decl_line`, `await_line`, `function` and `spawn` (bare, or None), `spawned` (the
    bound is a spawn function's), `owner` (the
    fn whose future holds the culprit, or None), `param` (a
    parameter of the async fn), `used_after` (True, False, or None when unknown),
    `used_after_line`, and `loop_use` (that use is earlier in a loop around the await)."""
    await_line, used = match.fact("await_line"), match.fact("used_after_line")
    return {
        "decl_line": match.fact("decl_line"), "await_line": await_line,
        "function": match.fact("function"), "spawn": match.fact("spawn"),
        "spawned": spawned(match), "owner": match.fact("function") or match.fact("await_function"),
        "param": match.fact("param") == "true",
        "used_after": known(match.fact("used_after_await")), "used_after_line": used,
        "loop_use": bool(used and await_line and int(used) < int(await_line)),
    }


# The methods of std collections that return an `Option<&T>` borrowed from the collection: a
# `match`/`if let` head calling one through a guard keeps borrowing from it.
_BORROWING_HEAD = re.compile(r"\.(?:get|first|last|front|back|peek)\([^()]*\)$")


def guard_slots(match: Match, *, lock: bool) -> dict[str, object]:
    """The slots the two guard families (`lock`: a Mutex/RwLock guard, else a RefCell
    borrow) share with `send/_guard_hover.md`: the guard's name and source, the head of the
    `match`/`if let`/`while let` holding a temporary guard (`head`, its `value`, and
    `hoisted`: the value as it must be taken out, `.cloned()` when it borrows from the
    guard), and whether the code already calls `drop` on it."""
    source = match.fact("guard_source")
    value = match.fact("scrutinee_value")
    return {
        **liveness(match),
        "name": culprit_name(match, "the lock guard" if lock else "the borrow guard"),
        "variable": match.fact("variable"), "source": source,
        "named": bool(match.fact("variable") or match.fact("expression")),
        "head": match.fact("scrutinee"), "head_value": value,
        "hoisted": (f"{value}.cloned()" if value and _BORROWING_HEAD.search(value)
                    else value),
        "dropped": match.fact("dropped_before_await") == "true",
        "await_": await_phrase(match), "future": future_phrase(match),
        "bound": bound_phrase(match), "place": place_phrase(match),
    }
