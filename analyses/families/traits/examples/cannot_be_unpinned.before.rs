use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

pub fn is_done<F: Future>(work: F, cx: &mut Context<'_>) -> bool {
    let mut work = work;
    matches!(Pin::new(&mut work).poll(cx), Poll::Ready(_))
}
