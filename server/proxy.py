"""The proxy: borrowlens on stdio in front of a real rust-analyzer child.

Every frame is forwarded as the exact bytes it arrived as, except the few the proxy changes
(`interception.py` says which and how: enriched diagnostics, merged hover and code actions,
the explain command and borrowlens' settings answered or taken out here). Payloads the proxy
changes are plain dicts: lsprotocol's typed model would drop rust-analyzer's extensions
(hover actions, code action groups, snippet edits).

Threads, not an event loop (issue 15: asyncio's streams were three quarters of the proxy's
CPU): one thread reads the editor and one rust-analyzer (`relay.py`), each framing with a
header parse and reading a frame's kind from its first bytes (`wire.peek`); what the proxy
does not change is written to the other side, whole, as it came, from the reading thread.
Everything that runs the core (enrichment, the merges, the explain command) runs on the one
worker thread (`publishing.py`). rust-analyzer is started first (`discovery.spawn`), before
the proxy's own modules load; `initialize` is forwarded and answered without the session,
whose modules the worker loads once rust-analyzer has answered it (while it loads the
workspace). The main thread waits for the session's end: a thread reporting it, a stall, or
a signal.

When rust-analyzer exits, crashes, sends a broken frame or stalls, every pending request
gets an error response, the editor gets one `window/showMessage`, the child is killed, and
the proxy exits with status 1 so the editor restarts the pair (a clean restart beats
replaying half-known state into a new child).
"""

from __future__ import annotations

import contextlib
import logging
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import Any, BinaryIO

from . import ending
from .framing import Framer, FramingError, editor_frames
from .interception import INTERCEPTED, MERGED, advertised, without_settings
from .protocol import EXPLAIN_COMMAND
from .publishing import LazySession, Publisher, Worker
from .relay import Output, reader, relay_stderr, start
from .signals import on_signals
from .wire import (
    PUBLISH,
    Frame,
    answer_id,
    claim_stdout,
    editor_message,
    encode,
    peek,
    published_uri,
)

log = logging.getLogger("borrowlens")

# JSON-RPC error codes.
INTERNAL_ERROR = -32603
# The worker holds the GIL while it classifies: a frame arriving meanwhile waits for the
# switch interval (5 ms by default) before a reading thread can forward it.
SWITCH_INTERVAL = 0.0005
# A frame still arriving with this many bytes to come is written on as it arrives, once its
# first bytes say what it is.
STREAM_FROM = 1 << 16
PEEK_BYTES = 1024


class Proxy:
    """One editor session relayed to one rust-analyzer process."""

    def __init__(self, child: subprocess.Popen[bytes], stdin: BinaryIO,
                 stdout: BinaryIO) -> None:
        # rust-analyzer, started on pipes by discovery.spawn.
        self.child = child
        assert child.stdin is not None
        self.to_child = Output(child.stdin)
        self.stdin = stdin
        self.output = Output(stdout)
        self.worker = Worker()
        self.session = LazySession(self.worker)
        self.publisher = Publisher(self.session.get, self.worker, self.output.send)
        # Requests from the editor still waiting for rust-analyzer: id -> (method, params).
        self.pending: dict[Any, tuple[str, Any]] = {}
        self.pending_lock = threading.Lock()
        # How the session ends, from the threads: (kind, detail).
        self.events: queue.SimpleQueue[tuple[str, Any]] = queue.SimpleQueue()
        self.shutdown_requested = False
        self.exit_requested = False
        self.failed = False
        self.child_eof = False
        self.last_from_child = 0.0

    # --- the session ----------------------------------------------------------------------

    # --- writing --------------------------------------------------------------------------

    def _to_child(self, data: bytes) -> None:
        # Once rust-analyzer has gone, its reader reports the end of the session.
        with contextlib.suppress(OSError):
            self.to_child.send(data)

    def _reply(self, ident: Any, result: Any) -> None:
        self.output.send(encode({"jsonrpc": "2.0", "id": ident, "result": result}))

    def reply_error(self, ident: Any, code: int, message: str) -> None:
        self.output.send(encode({"jsonrpc": "2.0", "id": ident,
                                 "error": {"code": code, "message": message}}))

    def _fail_request(self, frame: Frame) -> None:
        """Answers a request from the editor that borrowlens failed on before forwarding it."""
        with contextlib.suppress(ValueError):
            message = frame.json()
            ident = answer_id(message)
            if ident is not None and "method" in message and ident not in self.pending:
                self.reply_error(ident, INTERNAL_ERROR,
                                  "borrowlens failed on this request (see its log)")

    def _track(self, ident: Any, method: str, params: Any) -> None:
        with self.pending_lock:
            self.pending[ident] = (method, params)

    def _untrack(self, ident: Any) -> tuple[str, Any] | None:
        with self.pending_lock:
            return self.pending.pop(ident, None)

    # --- editor -> rust-analyzer ----------------------------------------------------------

    def _from_editor(self, frame: Frame) -> None:
        # rust-analyzer exits on a frame it cannot parse as a message: such frames end here,
        # answered with the error JSON-RPC prescribes (none for a response).
        message, rejection = editor_message(frame)
        if message is None:
            if rejection is not None:
                self.output.send(rejection)
            return
        method = message.get("method")
        ident = message.get("id")
        params = message.get("params")
        if method is None:  # a response to a rust-analyzer request
            self._to_child(frame.raw)
            return
        if method == "shutdown":
            self.shutdown_requested = True
        if (method == "workspace/executeCommand" and ident is not None
                and isinstance(params, dict) and params.get("command") == EXPLAIN_COMMAND):
            # It runs the core: on the worker (after the enrichment of what was published
            # before it), answered when done; the editor's next messages go on meanwhile.
            self.worker.submit(lambda: self._answer_on_worker(method, ident, params))
            return
        if method in INTERCEPTED:
            try:
                answer = self.session.get().request(method, ident, params)
                if answer is not None:
                    self._reply(ident, answer.result)
                    return
            except Exception:
                log.exception("borrowlens failed handling %s; forwarding it unchanged", method)
        if ident is not None:
            self._track(ident, method, params)
        if method == "initialize" and isinstance(params, dict):
            self.session.then(lambda intercept: intercept.initialize(params))
            stripped = without_settings(params)
            if stripped is not None:
                self._to_child(encode({**message, "params": stripped}))
                return
        self._to_child(frame.raw)
        if method == "exit":
            self.exit_requested = True

    def _answer_on_worker(self, method: str, ident: Any, params: Any) -> None:
        try:
            answer = self.session.get().request(method, ident, params)
        except Exception:
            log.exception("borrowlens failed handling %s", method)
            answer = None
        with contextlib.suppress(OSError):
            if answer is None:
                self.reply_error(ident, INTERNAL_ERROR,
                                  "borrowlens failed on this request (see its log)")
            else:
                self._reply(ident, answer.result)

    # --- rust-analyzer -> editor ----------------------------------------------------------

    def _from_child(self, frame: Frame) -> None:
        # Most frames are forwarded as they came, known from their first bytes alone; only
        # what the proxy may change (or what the scan cannot read) is decoded.
        head = peek(frame.raw, frame.start)
        if head is not None and head.ident is None:  # a notification
            if head.method == PUBLISH:
                uri = published_uri(frame.raw, frame.start)
                if uri is not None:
                    self.publisher.submit(frame, uri)
                    return
                self._decoded_from_child(frame)
                return
            self.output.send(frame.raw)
            return
        if head is not None and head.method is None:  # a response
            request = self._untrack(head.ident)
            if request is not None and request[0] in MERGED:
                self._response(frame, *request)
                return
            self.output.send(frame.raw)
            return
        if head is not None:  # a request to the editor
            self.output.send(frame.raw)
            return
        self._decoded_from_child(frame)

    def _decoded_from_child(self, frame: Frame) -> None:
        """A frame the scan of its first bytes could not read (or a publish whose URI it
        could not find): decoded, and handled as the scan would have."""
        try:
            message = frame.json()
        except ValueError:
            raise FramingError("rust-analyzer sent a frame that is not JSON") from None
        if not isinstance(message, dict):
            self.output.send(frame.raw)
            return
        method = message.get("method")
        if method is None and "id" in message:
            request = self._untrack(message["id"])
            if request is not None and request[0] in MERGED:
                self._response(frame, *request)
                return
        elif method == PUBLISH and isinstance(message.get("params"), dict) \
                and isinstance(message["params"].get("uri"), str):
            self.publisher.submit(frame, message["params"]["uri"])
            return
        self.output.send(frame.raw)

    def _response(self, frame: Frame, method: str, params: Any) -> None:
        """A response to a request whose result borrowlens may merge into."""
        if method == "initialize":
            self.output.send(self._initialized(frame))
            self.session.start()
            return
        intercept = self.session.ready()  # nothing is recognised before there is one
        if intercept is not None and intercept.may_merge(method, params):
            # The merge runs the core: on the worker, so forwarding goes on meanwhile.
            self.worker.submit(lambda: self._merge_on_worker(frame, method, params))
        else:
            self.output.send(frame.raw)

    def _initialized(self, frame: Frame) -> bytes:
        """rust-analyzer's `initialize` answer with borrowlens' command advertised; it needs no
        session (the encoding reaches the session when there is one)."""
        try:
            message = frame.json()
        except ValueError:
            return frame.raw
        result = message.get("result") if isinstance(message, dict) else None
        if not isinstance(result, dict):
            return frame.raw
        self.session.then(lambda intercept: intercept.initialized(result))
        return encode({**message, "result": advertised(result)})

    def _merge_on_worker(self, frame: Frame, method: str, params: Any) -> None:
        try:
            data = self._merged(frame, method, params)
        except Exception:
            log.exception("borrowlens could not merge the %s response", method)
            data = frame.raw
        with contextlib.suppress(OSError):
            self.output.send(data)

    def _merged(self, frame: Frame, method: str, params: Any) -> bytes:
        try:
            message = frame.json()
        except ValueError:
            return frame.raw
        if not isinstance(message, dict) or "result" not in message:
            return frame.raw
        changed = self.session.get().response(method, params, message["result"])
        return frame.raw if changed is None else encode({**message, "result": changed})

    # --- the threads ----------------------------------------------------------------------

    def _editor_loop(self) -> None:
        try:
            for frame in editor_frames(Framer(resync=True), reader(self.stdin.fileno())):
                try:
                    self._from_editor(frame)
                except OSError:
                    raise  # the editor or rust-analyzer has gone: the session is over
                except Exception:
                    # borrowlens' own bug must not end the editor's session: drop the
                    # message, and answer it if it was a request nobody else will answer.
                    log.exception("borrowlens failed on a message from the editor; dropped "
                                  "it: %r", frame.body[:200])
                    self._fail_request(frame)
                if self.exit_requested:
                    break
        except OSError as error:
            log.debug("the editor has gone: %s", error)
        self.events.put(("editor", None))

    def _child_loop(self) -> None:
        assert self.child.stdout is not None
        framer = Framer()
        read = reader(self.child.stdout.fileno())
        try:
            while chunk := read():
                framer.feed(chunk)
                while (frame := framer.next()) is not None:
                    self.last_from_child = time.monotonic()
                    try:
                        self._from_child(frame)
                    except FramingError as error:
                        self.events.put(("child", str(error)))
                        return
                    except OSError:
                        raise
                    except Exception:
                        log.exception("borrowlens failed on a message from rust-analyzer; "
                                      "forwarding it unchanged")
                        self.output.send(frame.raw)
                self._stream_through(framer, read)
            self.child_eof = True
            framer.end()
        except FramingError as error:
            self.events.put(("child", f"rust-analyzer sent a broken message ({error})"))
            return
        except OSError as error:  # the editor's pipe has closed
            log.exception("borrowlens: the proxy failed")
            self.events.put(("child", f"the borrowlens proxy failed ({error})"))
            return
        self.events.put(("child", "rust-analyzer exited"))

    def _stream_through(self, framer: Framer, read: Callable[[], bytes]) -> None:
        """A large frame the proxy does not change goes to the editor as it arrives, not once
        it all has: the editor reads its start while rust-analyzer still writes its end."""
        arriving = framer.arriving(PEEK_BYTES)
        if arriving is None or arriving[2] < STREAM_FROM:
            return
        first, start, rest = arriving
        head = peek(first, start)
        if head is None or head.method == PUBLISH:
            return
        if head.method is None:  # a response: the proxy may merge into it
            with self.pending_lock:
                request = self.pending.get(head.ident)
                if request is not None and request[0] in MERGED:
                    return
                self.pending.pop(head.ident, None)
        self.last_from_child = time.monotonic()
        framer.feed(self.output.stream(framer.take_arrived(), rest, read))

    def run(self) -> int:
        assert self.child.stderr is not None
        sys.setswitchinterval(SWITCH_INTERVAL)
        restore = on_signals(lambda signum: self.events.put(("signal", signum)))
        try:
            errors = self.child.stderr.fileno()
            stderr = start("stderr", lambda: relay_stderr(errors))
            child = start("from-rust-analyzer", self._child_loop)
            start("from-editor", self._editor_loop)
            kind, detail = ending.wait(self)
            status = ending.end(self, kind, detail, child)
            if kind != "signal":
                self.worker.drain(1.0)  # publishes and merges still on the worker
                stderr.join(1.0)
            self.worker.stop()
            return status
        finally:
            restore()

# glibc's mallopt parameter for the number of malloc arenas.
M_ARENA_MAX = -8


def _one_malloc_arena() -> None:
    """glibc gives each thread that allocates an arena of its own: with the proxy's reading
    threads and its worker, the resident set climbed from 32 to 35 MiB over a long session
    before it levelled off (and a soak test saw +6 %). One arena keeps it flat; the threads
    allocate little, so they rarely contend for it. Not glibc (musl, macOS): nothing to do."""
    import ctypes  # noqa: PLC0415  (only the proxy needs it)
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return
    mallopt(M_ARENA_MAX, 1)


def serve(child: subprocess.Popen[bytes]) -> int:
    """Runs the proxy between this process' stdio and rust-analyzer (started by
    discovery.spawn) until the session ends; the exit status."""
    _one_malloc_arena()
    proxy = Proxy(child, sys.stdin.buffer, claim_stdout())
    try:
        return proxy.run()
    except KeyboardInterrupt:
        return 130
