"""borrowlens' language server: the proxy in front of rust-analyzer, the standalone server, and
what they share (the session, the wire contract, framing, discovery, running cargo).

Everything here is glue: it finds files, runs cargo, talks to editors, and hands diagnostics
to the pure core in `borrowlens.analyses`. The terminal front door is `borrowlens.cli`.
"""

__version__ = "0.1.0"
