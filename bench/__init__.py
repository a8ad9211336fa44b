"""Benchmarks of the language server proxy's cost against rust-analyzer alone (run by hand:
`.venv/bin/python -m bench.run`; see bench/README.md)."""
