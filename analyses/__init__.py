"""borrowlens' pure core: diagnostic in, recognised family, explanation and edits out.

Nothing in this package talks to an editor, spawns a process or touches the network; it reads
only its own data files (the tree-sitter queries). Callers hand it source text through a
`Sources` object.
"""
