"""Branches of the borrow families' explanation templates (`families/borrows/*.md`) that no
fixture and no generic explanation reaches. Each case gives the facts of one branch and the part
of the explanation that branch writes, as the families wrote it before their prose moved into
templates (a paragraph index, or None for the whole section)."""

from __future__ import annotations

import pytest

from borrowlens.analyses.families.base import FactValue, Match
from borrowlens.analyses.families.registry import family_by_id

CASES = [
    # --- borrowed-data-escapes -------------------------------------------------------------------
    # A longer-lived container (not a spawn): store owned values, or tie the lifetimes.
    pytest.param("borrowed-data-escapes",
                 {"scope": "method", "variable": "self", "function": "register",
                  "self_fields": ["names"], "container": "registry",
                  "escapes_via": "registry.push", "escape_line": 9},
                 "fix", 0, (
                     "`registry` outlives the call, so it cannot hold a borrow of `self`. Either "
                     "store owned values in it (make it hold `String`s / `Vec`s and push "
                     "`self.names.to_owned()` or `.clone()`), or tie the lifetimes together so "
                     "the borrow is allowed: `fn register<'a>(…: &'a …, registry: &mut Vec<&'a "
                     "…>)` instead of `'static`."),
                 id="escapes-into-a-container-self-field"),
    # The container branch for a plain parameter, with no function name known.
    pytest.param("borrowed-data-escapes",
                 {"scope": "function", "variable": "item", "container": "list"},
                 "fix", 0, (
                     "`list` outlives the call, so it cannot hold a borrow of `item`. Either "
                     "store owned values in it (make it hold `String`s / `Vec`s and push "
                     "`item.to_owned()` or `.clone()`), or tie the lifetimes together so the "
                     "borrow is allowed: `fn f<'a>(…: &'a …, list: &mut Vec<&'a …>)` instead of "
                     "`'static`."),
                 id="escapes-into-a-container-plain-parameter"),
    # A `self` whose fields are read but no method called: clone the fields.
    pytest.param("borrowed-data-escapes",
                 {"scope": "method", "variable": "self", "function": "run",
                  "self_fields": ["jobs"], "escapes_via": "thread::spawn", "needs": "'static"},
                 "fix", 0, (
                     "Clone what the task needs out of `self` before spawning and move those "
                     "owned values in: `let jobs = self.jobs.clone();`, then use `jobs` inside a "
                     "`move` closure or `async move` block. If the whole object is needed, keep "
                     "the object in an `Arc` and give the method a `self: &Arc<Self>` receiver, "
                     "then move `Arc::clone(self)` into the task so it owns a share of the whole "
                     "object."),
                 id="escapes-self-without-method-calls"),
    # `'static` demanded by something that is not a spawn.
    pytest.param("borrowed-data-escapes",
                 {"scope": "closure", "variable": "name", "escapes_via": "self.handlers.push",
                  "needs": "'static", "escape_line": 4},
                 "what", None, (
                     "`name` is borrowed by the closure from its caller, and that borrow is only "
                     "guaranteed to be valid until the closure returns. `self.handlers.push` on "
                     "line 4 takes it and needs it to live longer — for `'static`, which no "
                     "borrowed parameter can promise."),
                 id="escapes-static-without-spawn"),
    # --- closure-may-outlive ---------------------------------------------------------------------
    # An async block whose variable is used again later: clone it into a block around `async move`.
    pytest.param("closure-may-outlive",
                 {"variable": "name", "kind": "async block", "closure_line": 5,
                  "required_by": "tokio::spawn", "used_after_line": 9},
                 "fix", 0, (
                     "`name` is still used on line 9, after the async block, so moving it would "
                     'just trade this error for "use of moved value". Give the async block its '
                     "own copy: wrap it in a block that clones first, `{ let name = "
                     "name.clone(); async move { … } }`, so the clone is what moves in and the "
                     "original stays usable. (If `name` is `Copy`, such as an integer, `move` "
                     "copies it and no clone is needed.)"),
                 id="async-block-used-again-later"),
]


@pytest.mark.parametrize(("family_id", "facts", "section", "paragraph", "expected"), CASES)
def test_branch_text(family_id: str, facts: dict[str, FactValue], section: str,
                     paragraph: int | None, expected: str) -> None:
    family = family_by_id(family_id)
    assert family is not None
    text = getattr(family.explain(Match(family=family, diagnostic=None, facts=facts)), section)
    assert (text if paragraph is None else text.split("\n\n")[paragraph]) == expected
