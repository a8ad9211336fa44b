"""How a proxy session ends (`proxy.py` runs it): the first end its threads report, or a
stall; every request still waiting answered with an error and the editor told once when
rust-analyzer failed; rust-analyzer's whole process group killed, always.

A stall: rust-analyzer has sent nothing for `BORROWLENS_STALL_TIMEOUT` seconds (default 120)
while a request waits for it; a quiet server with nothing pending is not stalled.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import subprocess
import threading
import time
from typing import TYPE_CHECKING, Any

from borrowlens.server.signals import kill_group
from borrowlens.server.wire import encode

if TYPE_CHECKING:
    from borrowlens.server.proxy import Proxy

log = logging.getLogger("borrowlens")

# JSON-RPC's RequestFailed (LSP): what a request gets when rust-analyzer has gone.
REQUEST_FAILED = -32803


def _stall_seconds() -> float:
    try:
        return float(os.environ.get("BORROWLENS_STALL_TIMEOUT", "120"))
    except ValueError:
        return 120.0


def wait(proxy: Proxy) -> tuple[str, Any]:
    """The first end of the session the threads report, or a stall: rust-analyzer has
    owed an answer for too long without a sign of life."""
    limit = _stall_seconds()
    waiting_since: float | None = None
    while True:
        try:
            return proxy.events.get(timeout=min(1.0, limit / 4))
        except queue.Empty:
            pass
        if not proxy.pending:
            waiting_since = None
            continue
        now = time.monotonic()
        waiting_since = waiting_since or now
        quiet = now - max(proxy.last_from_child, waiting_since)
        if quiet > limit:
            return ("stall", f"rust-analyzer has not answered for {int(quiet)} s "
                             f"({len(proxy.pending)} request(s) waiting)")


def _fail(proxy: Proxy, reason: str) -> None:
    with proxy.pending_lock:
        proxy.failed = True
        pending = list(proxy.pending.items())
        proxy.pending.clear()
    for ident, (method, _) in pending:
        proxy.reply_error(ident, REQUEST_FAILED,
                          f"{reason}; borrowlens could not complete {method}")
    if not proxy.shutdown_requested:
        proxy.output.send(encode({"jsonrpc": "2.0", "method": "window/showMessage",
                                 "params": {"type": 1, "message": (
                                     f"borrowlens: {reason}. The language server is "
                                     "exiting so the editor can restart it.")}}))


def end(proxy: Proxy, kind: str, detail: Any, child: threading.Thread) -> int:
    """Ends the session the way `kind` says; the exit status."""
    if kind == "signal":
        # rust-analyzer's whole group ends with borrowlens.
        stop_child(proxy, grace=0.5)
        return 128 + int(detail)
    if kind == "editor":
        # `exit` from the editor, or the editor went away.
        clean = proxy.exit_requested and proxy.shutdown_requested
        stop_child(proxy, grace=2.0 if clean else 0.5)
        # Let rust-analyzer's last words (a shutdown response) reach the editor.
        child.join(1.0)
        return 0 if clean else 1
    reason = str(detail)
    if kind == "child" and proxy.shutdown_requested and not proxy.pending:
        reason = ""
    if reason:
        if kind == "child" and proxy.child_eof:
            # Its output ends a moment before its exit status is known: wait for the
            # status so the message can name it.
            with contextlib.suppress(subprocess.TimeoutExpired):
                proxy.child.wait(1.0)
        code = proxy.child.returncode
        if code is not None and code != 0:
            reason += f" with status {code}"
        log.error("borrowlens: %s", reason)
        with contextlib.suppress(OSError):  # an editor that has gone hears nothing
            _fail(proxy, reason)
    stop_child(proxy, grace=0.5)
    return 1 if reason else 0


def stop_child(proxy: Proxy, grace: float) -> int:
    """Closes rust-analyzer's stdin, gives it `grace` seconds to exit, then kills its process
    group; its exit status."""
    child = proxy.child
    with contextlib.suppress(OSError):
        proxy.to_child.close()
    status: int | None = None
    with contextlib.suppress(subprocess.TimeoutExpired):
        status = child.wait(grace)
    # Also after rust-analyzer itself has ended: its children (cargo check, proc-macro
    # servers) share its process group and would otherwise be orphaned.
    kill_group(child.pid)
    return status if status is not None else child.wait()
