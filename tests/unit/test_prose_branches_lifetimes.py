"""Branches of the lifetimes families' prose templates that no fixture and no generic form
reaches. Each case holds the facts that reach one branch and the text that branch renders
(reviewed when the wording changes, as the snapshots are): together with the fixture and
generic snapshots, every branch of every lifetimes template is rendered and checked."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from borrowlens.analyses.families.base import FactValue, Family, Match
from borrowlens.analyses.families.lifetimes import hidden_type_captures_lifetime as hidden
from borrowlens.analyses.families.lifetimes import hrtb_not_general_enough as hrtb
from borrowlens.analyses.families.lifetimes import lifetime_not_tied as not_tied
from borrowlens.analyses.families.lifetimes import param_may_not_live_long_enough as param
from borrowlens.analyses.families.lifetimes import rpit_overcapture_2024 as rpit


@dataclass(frozen=True)
class Branch:
    """What reaches the branch, and the text it must render: per Explanation field, or per
    paragraph of one (`fix.0`: the fix's first paragraph) where the rest is checked elsewhere."""

    what: str
    family: Family
    facts: dict[str, FactValue]
    sections: dict[str, str]


BRANCHES = [
    Branch(
        "a trait method that boxes (not spawns) its value, no `dyn` found: owned data goes into "
        "the stored value, and the boxing call is not blamed",
        param.FAMILY, dict(param="T", required="'static", use_line=3, bound_line=4,
                           required_by="Box::new", function="f", trait_method="yes"),
        {
            "tldr": (
                "`T` may hold borrowed data, but its use on line 3 needs `'static`; bound it "
                "in the trait's `f` first."
            ),
            "hover": (
                "`T` is a generic parameter of `f`, and its bounds do not promise `T: 'static`, "
                "so a caller could choose a type that holds shorter borrows. On line 3 its "
                "values must stay valid for `'static`."
            ),
            "change": (
                "Add `+ 'static` to `T` in the trait's declaration of `f`, then in this impl on "
                "line 4: an impl may not ask for more than its trait."
            ),
            "fix": (
                "`f` implements a trait method, and an impl may not ask more of `T` than the "
                "trait's declaration does: add `+ 'static` to `T`'s bounds in the trait's "
                "declaration of the method, and then in every impl. If the trait belongs to "
                "another crate, that bound cannot be added: move owned data (`Arc<…>`, clones) "
                "into the stored value instead of `T` itself, or use a scoped API.\n\n"
                "Add `+ 'static` to `T`'s bounds on line 4 (rustc suggests exactly this): `T: … "
                "+ 'static`. Callers can still pass owned values and `Arc`s; they just cannot "
                "pass types that hold short-lived references, which the trait object could not "
                "use safely anyway.\n\n"
                "If callers need to store borrowing types, thread a lifetime through instead: "
                "declare `'a`, bound `T: 'a`, and make the trait object `dyn Trait + 'a`; a "
                "struct holding it then becomes generic over `'a`."
            ),
        },
    ),
    Branch(
        "a named lifetime with no `dyn` found and no bounds written: stored \"on line N\", and "
        "the change adds the bare bound",
        param.FAMILY, dict(param="T", required="'a", use_line=9, bound_line=5, function="keep"),
        {
            "tldr": "`T` must outlive `'a` to be stored on line 9; add `T: 'a` on line 5.",
            "hover": (
                "`T` is a generic parameter of `keep`, and its bounds do not promise `T: 'a`, so "
                "a caller could choose a type that holds shorter borrows. On line 9 its values "
                "must stay valid for `'a`."
            ),
            "change": "Add `T: 'a` to `T`'s bounds on line 5.",
            "fix.0": (
                "Add `T: 'a` on line 5, giving `T: … + 'a`, which is what rustc suggests: the "
                "value is stored where it must stay valid for `'a`, so the type must not contain "
                "shorter borrows."
            ),
        },
    ),
    Branch(
        "the `impl` has a `use<…>` list but no lifetime is known: \"that input's lifetime\"",
        hidden.FAMILY, dict(function="f", signature_line=3,
                            impl_trait="impl Iterator<Item = u8> + use<>"),
        {
            "tldr": (
                "`f`'s `impl Iterator` result borrows one of the function's reference inputs, "
                "but `use<>` leaves that input's lifetime out; write `use<'a>` on line 3."
            ),
            "hover": (
                "`f` returns `impl Iterator<Item = u8> + use<>` (line 3), but the value it "
                "returns borrows one of the function's reference inputs. Its `use<>` list says "
                "which lifetimes the result may hold, and that input's lifetime is not among "
                "them."
            ),
            "change": (
                "Write `use<'a>` in place of `use<>` in the return type on line 3, so the "
                "signature admits the borrow."
            ),
            "fix": (
                "Declare the capture in the return type of `f`: write `use<'a>` in place of "
                "`use<>`, e.g. `impl Iterator<Item = u8> + use<'a>`. This is precise capturing "
                "(stable since Rust 1.82); it states exactly which borrows the result keeps."
                "\n\n"
                "If the caller must not stay borrowed at all, make the returned value own its "
                "data instead (collect into a `Vec`, clone the strings) and keep the bounds as "
                "they are."
            ),
        },
    ),
    Branch(
        "stored data between two numbered lifetimes, no names known: the fallbacks open "
        "sentences capitalised, and the fix can only say to name the lifetime",
        not_tied.FAMILY, dict(action="assignment", lifetimes=["'1", "'2"], required="'2"),
        {
            "tldr": (
                "The function stores data borrowed from a parameter where the lifetime the "
                "signature promises is required; write that lifetime on that parameter's type "
                "too."
            ),
            "hover": (
                "The function stores data borrowed from a parameter in a place that must stay "
                "valid for the lifetime the signature promises, but that parameter may be "
                "borrowed only for the call."
            ),
            "change": (
                "Name the lifetime the destination needs and write it on that parameter's type "
                "as well, or store owned data instead of a reference."
            ),
            "what": (
                "The function puts a reference derived from a parameter into a place whose type "
                "requires data valid for the lifetime the signature promises. That parameter is "
                "only known to live for the duration of the call (or for its own, unrelated "
                "lifetime), so the stored reference could dangle. rustc's `'1`, `'2` are its "
                "names for lifetimes the code leaves anonymous."
            ),
            "fix.0": (
                "Name the lifetime the destination needs and write it on that parameter's type "
                "too, so the signature ties the two together; callers then have to pass data "
                "that lives at least that long."
            ),
        },
    ),
    Branch(
        "E0621 without the parameter's name: the fix writes `x` for it",
        not_tied.FAMILY, dict(explicit="true", action="returning", required="'a",
                              lifetimes=["'1", "'a"], function="f"),
        {
            "tldr": (
                "`f` returns data borrowed from a parameter as a reference, but that "
                "parameter's type has no `'a`; give it that lifetime."
            ),
            "hover": (
                "`f` promises a result valid for `'a`, but returns data borrowed from a "
                "parameter, whose type names no lifetime."
            ),
            "change": (
                "Write `'a` into that parameter's type, as rustc suggests; callers then pass "
                "data that lives for `'a`."
            ),
            "fix.0": (
                "Write the lifetime into that parameter's type, as rustc suggests: `x: &'a …`, "
                "so the result may borrow from it for `'a`; callers then have to pass data that "
                "lives that long."
            ),
        },
    ),
    Branch(
        "E0621 where the value is stored: the hover's main clause, rustc's typed parameter",
        not_tied.FAMILY, dict(explicit="true", action="assignment", required="'a",
                              lifetimes=["'1", "'a"], function="put", source="item",
                              suggested_type="&'a str", line=7, source_line=7,
                              signature_line=6),
        {
            "tldr": (
                "`put` stores data borrowed from `item` where `'a` is required; write `'a` on "
                "`item`'s type too."
            ),
            "hover": (
                "`put` stores data borrowed from `item` on line 7 in a place that must stay "
                "valid for `'a`, but `item` has a type that names no lifetime."
            ),
            "change": (
                "Write `item: &'a str` on line 6, as rustc suggests; callers then pass data that "
                "lives for `'a`."
            ),
            "fix.0": (
                "Write the lifetime into `item`'s type, as rustc suggests: `item: &'a str`, so "
                "the destination may borrow from it for `'a`; callers then have to pass data "
                "that lives that long."
            ),
        },
    ),
    Branch(
        "the trait form without the trait's name or the implemented signature",
        hrtb.FAMILY, dict(shape="trait"),
        {
            "tldr": (
                "The type implements the trait for one lifetime only, but the bound needs every "
                "lifetime."
            ),
            "hover": (
                "The impl is a promise about one lifetime, while the higher-ranked bound asks "
                "for all of them."
            ),
            "change": "Write the impl for every lifetime: `impl<'a> Trait<'a> for X`.",
            "what": (
                "The bound being checked is higher-ranked (`for<'a> …`): it asks for an "
                "implementation of the trait that holds for every lifetime. The existing impl "
                "for the type is written for one particular lifetime, so it cannot satisfy the "
                "bound."
            ),
            "why": (
                "A bound `T: for<'a> Trait<'a>` asks for one impl that holds whatever lifetime "
                "the caller of the generic code picks — including lifetimes of locals that code "
                "creates itself. \"Implemented for some lifetime\" is strictly weaker than "
                "\"implemented for every lifetime\", hence *not general enough*.\n\n"
                "An impl such as `impl Trait<'static> for X<'static>` is a promise about one "
                "lifetime only; the compiler will not stretch it to the others."
            ),
        },
    ),
    Branch(
        "the trait form for a type that owns its data: the impl alone is made generic",
        hrtb.FAMILY, dict(shape="trait", trait="Parse", implementor="Config", impl_line=4,
                          impl_header="impl Parse<'static> for Config", line=12,
                          bound_text="T: for<'a> Parse<'a>", bound_line=9, binder="'a",
                          consumer="load", generic_impl="impl<'a> Parse<'a> for Config"),
        {
            "tldr": (
                "`Config` implements `Parse` for one lifetime only, but `load`'s bound (line 9) "
                "needs every lifetime."
            ),
            "hover": (
                "The impl on line 4 (`impl Parse<'static> for Config`) is a promise about one "
                "lifetime, while `T: for<'a> Parse<'a>` on line 9 asks for all of them, so the "
                "call on line 12 fails."
            ),
            "change": (
                "Write the impl for every lifetime: `impl<'a> Parse<'a> for Config` on line 4."
            ),
            "fix.0": (
                "Write the impl for every lifetime: `impl<'a> Parse<'a> for Config` (or "
                "`impl<'a> Trait for &'a X`), so it covers whatever lifetime the bound picks."
            ),
        },
    ),
    Branch(
        "the fn form (an E0308 mismatch) when rustc did not name the fn item",
        hrtb.FAMILY, dict(shape="mismatch"),
        {
            "tldr": (
                "The function is written for one lifetime, but the caller needs a fn for every "
                "lifetime; elide its lifetimes."
            ),
            "hover": (
                "The function is written for one particular lifetime only, and the expected "
                "function pointer must accept a reference of any lifetime."
            ),
            "change": (
                "Elide the function's lifetimes (`fn f(x: &str) -> &str`) so it is generic over "
                "them."
            ),
            "what": (
                "The value passed must work for references of any lifetime — the expected type "
                "is higher-ranked (`for<'a> …`). The function has a signature pinned to one "
                "lifetime (often `'static` or a lifetime parameter of an outer item), so \"one "
                "type is more general than the other\"."
            ),
        },
    ),
    Branch(
        "the closure-return form for a closure no `let` names",
        hrtb.FAMILY, dict(shape="closure-return"),
        {
            "tldr": (
                "The closure returns a borrow of its argument, which a closure's own signature "
                "cannot state; inline it or make it a `fn`."
            ),
            "hover": (
                "The closure takes a reference and returns data borrowed from it, but a "
                "closure's return type gets a lifetime of its own, not tied to the argument's."
            ),
            "change": "Write it inline where it is used, or turn it into `fn name(x: &T) -> &T`.",
            "what": (
                "The closure takes a reference (`&T`) and returns data borrowed from it. The "
                "closure's argument and its return type were given separate lifetimes, and the "
                "body needs the argument's to outlive the result's — a relation the closure's "
                "inferred signature does not contain."
            ),
            "fix": (
                "Turn the closure into a small `fn` item (e.g. `fn name(x: &T) -> &T { … }`), "
                "whose elided signature ties the output to the input, and pass it by name.\n\n"
                "Or write the closure inline at the call, where the expected signature is known. "
                "To keep it in a variable, pass it through an identity helper that states the "
                "bound: `fn constrain<F: for<'a> Fn(&'a T) -> &'a T>(f: F) -> F { f }`."
            ),
        },
    ),
    Branch(
        "an edition-2024 capture whose body says neither owned nor borrowed, the value moved: "
        "both changes, conditionally",
        rpit.FAMILY, dict(function="rows", variable="db", holder="iter", call_line=7,
                          signature_line=3, code="E0505", later_line=9, conflict_line=8),
        {
            "tldr": (
                "In Rust 2024 `rows`'s `impl Trait` result borrows `db`; add `+ use<>` on line 3 "
                "if it owns its data."
            ),
            "hover": (
                "Under Rust 2024 capture rules `iter` (from `rows`, line 7) keeps `db` borrowed "
                "while it is in use (line 9), so `db` cannot be moved on line 8."
            ),
            "change": (
                "If `rows`'s result owns its data, add `+ use<>` to its return type on line 3; "
                "otherwise finish with `iter` before `db` is moved on line 8."
            ),
        },
    ),
]


@pytest.mark.parametrize("branch", BRANCHES, ids=lambda b: f"{b.family.id}: {b.what[:40]}")
def test_branch_renders_the_text_it_always_had(branch: Branch) -> None:
    explanation = branch.family.explain(Match(family=branch.family, diagnostic=None,
                                              facts=dict(branch.facts)))
    for key, text in branch.sections.items():
        field, _, paragraph = key.partition(".")
        rendered = str(getattr(explanation, field))
        if paragraph:
            rendered = rendered.split("\n\n")[int(paragraph)]
        assert rendered == text, key
