"""borrowlens' front doors: the command line today; the language server and proxy next.

Everything here is glue: it finds files, runs cargo, talks to terminals and editors, and hands
diagnostics to the pure core in `borrowlens.analyses`.
"""

__version__ = "0.1.0"
