"""The diagnostic model and its readers: rustc's JSON, rust-analyzer's LSP shape, text pasted
from a terminal."""
