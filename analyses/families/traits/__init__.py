"""Families of trait bounds other than a future's `Send`: threads, `Unpin`, async fn in traits."""
