"""Pure layer: `pinned_field.box_pin_field` rewrites a future field only when every use of it
in the file is one it understands (the fixtures prove the rewrite with the real compiler)."""

from __future__ import annotations

from borrowlens.analyses.fixes.edits import apply
from borrowlens.analyses.fixes.pinned_field import box_pin_field
from borrowlens.analyses.fixes.source_file import SourceFile
from borrowlens.analyses.rust.sources import MappingSources

_SOURCE = """\
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

pub struct Logged<F> {
    VIS inner: F,
}

impl<F> Logged<F> {
    pub fn new(inner: F) -> Self {
        BUILD
    }
}

impl<F: Future> Future for Logged<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        POLL
    }
}
"""


def _rewrite(build: str = "Logged { inner }", poll: str = "Pin::new(&mut self.inner).poll(cx)",
             vis: str = "") -> str | None:
    text = (_SOURCE.replace("BUILD", build).replace("POLL", poll)
            .replace("VIS ", f"{vis} " if vis else ""))
    file = SourceFile.load(MappingSources({"src/lib.rs": text}), "src/lib.rs")
    assert file is not None
    line = next(n for n, row in enumerate(text.split("\n"), 1) if "self.inner" in row
                and "poll" in row)
    edits = box_pin_field(file, "self.inner", line)
    return apply(text, edits) if edits is not None else None


def test_field_type_builder_poll_and_receiver_are_rewritten() -> None:
    rewritten = _rewrite()
    assert rewritten is not None
    assert "    inner: Pin<Box<F>>,\n" in rewritten
    assert "Logged { inner: Box::pin(inner) }" in rewritten
    assert "        self.inner.as_mut().poll(cx)\n" in rewritten
    # `self.inner` through `Pin<&mut Self>` needs a mutable binding of `self`.
    assert "fn poll(mut self: Pin<&mut Self>," in rewritten


def test_a_field_initializer_with_a_value_is_wrapped() -> None:
    rewritten = _rewrite(build="Self { inner: async_work(inner) }", poll="self.inner.poll(cx)")
    assert rewritten is not None
    assert "Self { inner: Box::pin(async_work(inner)) }" in rewritten
    assert "self.inner.as_mut().poll(cx)" in rewritten


def test_a_public_field_is_left_alone() -> None:
    assert _rewrite(vis="pub") is None


def test_a_struct_built_from_a_base_is_left_alone() -> None:
    assert _rewrite(build="Logged { inner, ..todo!() }") is None


def test_any_other_use_of_the_field_is_left_alone() -> None:
    poll = "let _ = &self.inner; Pin::new(&mut self.inner).poll(cx)"
    assert _rewrite(poll=poll) is None


def test_a_struct_never_built_in_the_file_is_left_alone() -> None:
    assert _rewrite(build="todo!()") is None
