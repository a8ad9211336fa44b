"""Families of lifetime relations: elision, `impl Trait` captures, higher-ranked bounds,
invariance, outlives requirements."""
