"""Branches of the lifetimes families' prose templates that no fixture and no generic form
reaches. Each test builds a Match with the facts of one branch and checks the sections that
branch changes against the text the f-string explanations produced before the templates, so
every branch of every template is rendered at least once by the unit tests."""

from __future__ import annotations

from borrowlens.analyses.explain.model import Explanation
from borrowlens.analyses.families.base import FactValue, Family, Match
from borrowlens.analyses.families.lifetimes import hidden_type_captures_lifetime as hidden
from borrowlens.analyses.families.lifetimes import lifetime_not_tied as not_tied
from borrowlens.analyses.families.lifetimes import param_may_not_live_long_enough as param


def explain(family: Family, **facts: FactValue) -> Explanation:
    return family.explain(Match(family=family, diagnostic=None, facts=dict(facts)))


def test_param_trait_method_storing_a_trait_object() -> None:
    """A trait method that boxes (not spawns) its generic value: owned data goes into the
    stored value."""
    explanation = explain(param.FAMILY, param="T", required="'static", use_line=3, bound_site=4,
                          required_by="Box::new", function="f", trait_method="yes")
    assert explanation.fix == (
        "`f` implements a trait method, and an impl may not ask more of `T` than the trait's "
        "declaration does: add `+ 'static` to `T`'s bounds in the trait's declaration of the "
        "method (and then in every impl). If the trait belongs to another crate, that bound "
        "cannot be added: move owned data (`Arc<…>`, clones) into the stored value instead of "
        "`T` itself, or use a scoped API.\n\n"
        "Add `+ 'static` to `T`'s bounds on line 4 (rustc suggests exactly this): `T: … + "
        "'static`. Callers can still pass owned values and `Arc`s; they just cannot pass types "
        "that hold short-lived references, which the trait object could not use safely "
        "anyway.\n\n"
        "If callers need to store borrowing types, thread a lifetime through instead: declare "
        "`'a`, bound `T: 'a`, and make the trait object `dyn Trait + 'a` (e.g. `Box<dyn Trait "
        "+ 'a>` in the struct that holds it, which then becomes generic over `'a`)."
    )


def test_hidden_type_use_list_without_a_known_lifetime() -> None:
    """The `impl` already has a `use<…>` list but rustc named no lifetime: "the lifetime"."""
    explanation = explain(hidden.FAMILY, function="f", signature_line=3,
                          impl_trait="impl Iterator<Item = u8> + use<>")
    assert explanation.tldr == (
        "`f` returns `impl Iterator<Item = u8> + use<>`, but the value it really returns "
        "borrows from one of its reference inputs; add the lifetime to its `use<…>` list: "
        "`use<'a>` to the return type on line 3."
    )
    assert explanation.fix.split("\n\n")[0] == (
        "Declare the capture: add the lifetime to its `use<…>` list: `use<'a>` to the return "
        "type of `f`, e.g. `impl Iterator<Item = u8> + use<'a>`. This is precise capturing "
        "(stable since Rust 1.82) and is what rustc suggests; it states exactly which borrows "
        "the result keeps."
    )


def test_not_tied_storing_between_anonymous_lifetimes() -> None:
    """Stored (not returned) data between two of rustc's numbered lifetimes, with neither the
    function nor the parameter known: the fallback phrases open sentences capitalised, and the
    fix can only say to name the lifetime in both places."""
    explanation = explain(not_tied.FAMILY, action="assignment", lifetimes=["'1", "'2"],
                          required="'2")
    assert explanation.what == (
        "The function puts a reference derived from a parameter into a place whose type "
        "requires data valid for the lifetime the signature promises. A parameter is only "
        "known to live for the duration of the call (or for its own, unrelated lifetime), so "
        "the stored reference could dangle. rustc's `'1`, `'2` are its names for lifetimes the "
        "code leaves anonymous."
    )
    assert explanation.fix.split("\n\n")[0] == (
        "Give a parameter the lifetime the lifetime the signature promises the destination "
        "needs by naming it in both places; callers then have to pass data that lives at least "
        "that long."
    )
