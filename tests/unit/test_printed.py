"""Rust as rustc prints it (`rust/printed.py`): type lists, lifetimes, derefs."""

from __future__ import annotations

import pytest

from borrowlens.analyses.rust import printed


@pytest.mark.parametrize(("text", "brackets", "expected"), [
    ("A, B<C, D>", "<([", ["A", " B<C, D>"]),
    ("(u8, u16), [T; 2], F<(A, B)>", "<([", ["(u8, u16)", " [T; 2]", " F<(A, B)>"]),
    ("a,,b,", "<([", ["a", "", "b", ""]),
    ("", "<([", [""]),
    ("Fn(A, B)", "<", ["Fn(A", " B)"]),
])
def test_split_top_level(text: str, brackets: str, expected: list[str]) -> None:
    assert printed.split_top_level(text, brackets) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("&'a str", "&str"),
    ("for<'a> fn(&'a Request) -> &'a str", "fn(&Request) -> &str"),
    ("Cache<'a, 'b, T>", "Cache<T>"),
])
def test_strip_lifetimes(text: str, expected: str) -> None:
    assert printed.strip_lifetimes(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("*cache", "cache"), ("(*self).items", "self.items"), ("&cache", "cache")])
def test_strip_derefs(text: str, expected: str) -> None:
    assert printed.strip_derefs(text) == expected
