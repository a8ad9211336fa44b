use std::future::Future;
use std::task::{Context, Poll};

pub fn is_done<F: Future>(work: F, cx: &mut Context<'_>) -> bool {
    let mut work = std::pin::pin!(work);
    matches!(work.as_mut().poll(cx), Poll::Ready(_))
}
