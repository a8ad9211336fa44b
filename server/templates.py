"""Keeps the explanations' compiled templates between processes, in borrowlens' cache.

Jinja2 compiles a template to Python on first use: the few templates a `borrowlens check`
run renders cost it more than the rest of its analysis. Jinja2's own bytecode cache stores
each compiled template under a hash of its name and path and reloads it only while the
template's source is unchanged (its checksum is stored with it), so an edited template is
compiled again. Files are written to a temporary name and renamed, so concurrent runs do not
read half a file. The pure layer renders (`analyses/explain/prose.py`); where the files go is
decided here.
"""

from __future__ import annotations

import logging
from functools import cache

import jinja2

from borrowlens.analyses.explain import prose
from borrowlens.server.discovery import cache_dir

log = logging.getLogger("borrowlens")


@cache
def keep_compiled() -> None:
    """From now on, compiled templates are read from and written to the cache (once per
    process; a cache that cannot be created leaves templates compiled in memory only)."""
    directory = cache_dir() / "templates"
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        log.info("compiled templates are not kept: %s", error)
        return
    prose.keep_compiled(jinja2.FileSystemBytecodeCache(str(directory)))
