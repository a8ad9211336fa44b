"""No fix writes a pattern another family explains as a bug (issue 13's harm rules), over every
fixture's fixes: a `&'a mut T<'a>` (the mutable borrow as long as its data), an outlives bound
between two lifetimes the user already had (it may force them equal where callers relied on
the stronger one), and a `'static` removed from a return type (callers may rely on it)."""

from __future__ import annotations

from collections import Counter

import pytest

from borrowlens.analyses.families.offers import offered_fixes
from borrowlens.analyses.families.registry import classify
from borrowlens.analyses.fixes.edits import Fix
from borrowlens.analyses.rust import items, locate, syntax
from support.fixcheck import fixed_files
from support.fixtures import Case, cases, target

# Fixes that break a rule today, with why they are kept for now (owned by other families);
# the test fails when one of them stops breaking it, so the list cannot go stale.
KNOWN: dict[tuple[str, str, str], str] = {
    ("mut-ref-invariance/push-token", "add-lifetime-bound", "outlives"):
        "rustc's own `'line: 'buf` suggestion, guarded against implying the reverse "
        "relation; issue 13 asks for it to go",
    ("lifetime-not-tied/named-fallback", "add-lifetime-bound", "outlives"):
        "rustc's own `'d: 'h` suggestion (no reverse relation, so nothing is forced equal)",
    ("lifetime-not-tied/store-shorter", "add-lifetime-bound", "outlives"):
        "rustc's own `'tok: 'src` suggestion (no reverse relation, so nothing is forced equal)",
    ("lifetime-not-tied/named-tuple-pattern", "add-lifetime-bound", "outlives"):
        "rustc's own `'line: 'out` suggestion (no reverse relation, so nothing is forced "
        "equal)",
    ("lifetime-not-tied/closure-push-named", "add-lifetime-bound", "outlives"):
        "rustc's own `'more: 'doc` suggestion (no reverse relation, so nothing is forced equal)",
    ("lifetime-not-tied/private-label-helper", "tie-to-input", "static-return"):
        "a private fn whose result is only used in place: no caller can rely on `'static` "
        "(a public fn, or one whose result is kept, gets no such fix: static-from-param)",
    ("hrtb-not-general-enough/fn-pointer-table", "generalise-fn", "static-return"):
        "`fn(&'static str) -> &'static str` made generic for a higher-ranked fn pointer; "
        "callers relying on the `'static` result are to be checked by its owner",
}


def _offered(case: Case) -> list[Fix]:
    sources = case.sources()
    match = classify(target(case, case.recorded()), sources)
    return offered_fixes(match, sources) if match is not None else []


FIXES = [(case, fix) for case in cases() if case.expect["family"] for fix in _offered(case)]


def _same_lifetime_mut(text: str) -> Counter[str]:
    """`&'a mut T` whose `T` mentions `'a` again, by their text."""
    parsed = syntax.parse(text)
    found: Counter[str] = Counter()
    for node in locate.walk(parsed.root, named=True):
        if node.type not in ("reference_type", "self_parameter") or \
                not any(c.type == "mutable_specifier" for c in node.children):
            continue
        lifetime = next((c for c in node.children if c.type == "lifetime"), None)
        if lifetime is None or parsed.node_text(lifetime) == "'static":
            continue
        name = parsed.node_text(lifetime)
        inner = node.child_by_field_name("type")
        mentioned = [parsed.node_text(lt) for lt in items.lifetimes(inner)] \
            if inner is not None else []
        if node.type == "self_parameter":
            # `&'a mut self` inside `impl<'a> T<'a>`: `Self` mentions `'a`.
            impl = syntax.enclosing(node, "impl_item")
            target_type = impl.child_by_field_name("type") if impl is not None else None
            mentioned = [parsed.node_text(lt) for lt in items.lifetimes(target_type)] \
                if target_type is not None else []
        if name in mentioned:
            found[" ".join(parsed.node_text(node).split())] += 1
    return found


def _outlives_bounds(text: str) -> Counter[tuple[str, str]]:
    """Every `'a: 'b` written (in generics or a where clause)."""
    parsed = syntax.parse(text)
    found: Counter[tuple[str, str]] = Counter()
    for node in locate.walk(parsed.root, named=True):
        if node.type in ("lifetime_parameter", "where_predicate"):
            left = node.child_by_field_name("name" if node.type == "lifetime_parameter"
                                            else "left")
            bounds = node.child_by_field_name("bounds")
            if left is None or left.type != "lifetime" or bounds is None:
                continue
            for bound in bounds.named_children:
                if bound.type == "lifetime":
                    found[(parsed.node_text(left), parsed.node_text(bound))] += 1
    return found


def _static_returns(text: str) -> dict[str, int]:
    """Each fn's count of `'static` in its return type, by name."""
    parsed = syntax.parse(text)
    counts: dict[str, int] = {}
    for name, function in items.named_items(parsed, "function_item"):
        returned = function.child_by_field_name("return_type")
        if returned is not None:
            counts[name] = counts.get(name, 0) + sum(
                parsed.node_text(lt) == "'static" for lt in items.lifetimes(returned))
    return counts


def _broken_rules(case: Case, fix: Fix) -> set[str]:
    sources = case.sources()
    broken: set[str] = set()
    for file, after in fixed_files(case, fix).items():
        before = sources.text(file) or ""
        if _same_lifetime_mut(after) - _same_lifetime_mut(before):
            broken.add("same-lifetime-mut")
        had = {syntax.parse(before).node_text(lt) for lt in
               items.lifetimes(syntax.parse(before).root)}
        if any(a in had and b in had and a != b and "'static" not in (a, b)
               for a, b in _outlives_bounds(after) - _outlives_bounds(before)):
            broken.add("outlives")
        then, now = _static_returns(before), _static_returns(after)
        if any(now.get(name, 0) < count for name, count in then.items()):
            broken.add("static-return")
    return broken


@pytest.mark.parametrize(("case", "fix"), FIXES, ids=lambda v: getattr(v, "id", ""))
def test_fix_writes_no_known_bug_pattern(case: Case, fix: Fix) -> None:
    broken = _broken_rules(case, fix)
    for rule in list(broken):
        if (case.id, fix.id, rule) in KNOWN:
            broken.discard(rule)
    assert not broken, f"{case.id}: {fix.id} breaks {sorted(broken)}"


@pytest.mark.parametrize("key", sorted(KNOWN), ids="/".join)
def test_known_exceptions_still_hold(key: tuple[str, str, str]) -> None:
    case_id, fix_id, rule = key
    found = [(c, f) for c, f in FIXES if c.id == case_id and f.id == fix_id]
    assert found and rule in _broken_rules(*found[0]), f"{key} no longer breaks {rule}: drop it"


def test_the_rules_see_the_patterns() -> None:
    assert _same_lifetime_mut("fn f<'a>(v: &'a mut Vec<&'a str>) {}")
    assert _same_lifetime_mut("impl<'a> T<'a> { fn f(&'a mut self) {} }")
    assert not _same_lifetime_mut("fn f<'a>(v: &mut Vec<&'a str>) {}")
    assert _outlives_bounds("fn f<'a: 'b, 'b>() {}") == Counter({("'a", "'b"): 1})
    assert _outlives_bounds("fn f<'a, 'b>() where 'a: 'b {}") == Counter({("'a", "'b"): 1})
    assert _static_returns("fn f() -> &'static str { \"\" }") == {"f": 1}
