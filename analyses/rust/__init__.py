"""Rust source access: the text of the user's files, tree-sitter parsing, the `.scm` queries and
the searches built on them."""
