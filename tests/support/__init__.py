"""Shared helpers for the test suite (fixture crates, real cargo runs, LSP shaping)."""
