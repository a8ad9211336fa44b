"""The standalone server's stdio: pygls' protocol fed by borrowlens' own framing.

pygls 2.1.1 reads stdio itself (`pygls.io_.run_async`, started by `start_io`), and one bad
header from the editor is the end of the session: it takes a header line only when it is
exactly `Content-Length: N\\r\\n`, so after `Content-Length: abc` with a body, a header ended
by a bare `\\n` or binary garbage with no line end, the next frame's header is read glued to
the bytes before it, never matches, and neither does any later one (the server hangs,
`shutdown` included); and it reads the announced length in one call, so
`Content-Length: 999999999999` ends the process with MemoryError. A body that is not JSON, or
a request it cannot structure, gets no answer.

So the standalone server does not call `start_io`. A thread reads stdin (blocking reads, as
pygls did: stdin and stdout may be one file description, which must not be made
non-blocking) and frames it with the proxy's `framing.Framer` and its guarantees (a bounded
length and header, resync at the next `Content-Length`, whatever is skipped logged), handing
the frames to the event loop; a message that is not valid JSON-RPC gets the error the spec
prescribes, as in the proxy; and every valid message goes to pygls'
`JsonRPCProtocol.handle_message`, as pygls' own loop hands it over. pygls writes its replies
through its usual stdout writer.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from typing import BinaryIO

from pygls.exceptions import JsonRpcException
from pygls.io_ import StdoutWriter
from pygls.lsp.server import LanguageServer
from pygls.protocol import JsonRPCProtocol

from borrowlens.server.framing import Framer, editor_frames
from borrowlens.server.relay import reader
from borrowlens.server.wire import Frame, editor_message, error_frame

log = logging.getLogger("borrowlens")


def _pump(fd: int, frames: asyncio.Queue[Frame | None],
          loop: asyncio.AbstractEventLoop) -> None:
    """Frames what arrives on `fd` on a daemon thread and hands each frame to the loop, then
    None at the end of the stream."""
    def hand(frame: Frame | None) -> bool:
        try:
            loop.call_soon_threadsafe(frames.put_nowait, frame)
        except RuntimeError:
            return False  # the loop has closed: the server is exiting
        return True

    def run() -> None:
        for frame in editor_frames(Framer(resync=True), reader(fd)):
            if not hand(frame):
                return
        hand(None)

    threading.Thread(target=run, name="borrowlens-stdin", daemon=True).start()


def _dispatch(protocol: JsonRPCProtocol, writer: StdoutWriter, frame: Frame) -> int | None:
    """Hands one frame to pygls; the exit status once the editor's `exit` has been handled."""
    # pygls cannot route a message without `"jsonrpc": "2.0"`: its handle_message raises.
    message, answer = editor_message(frame, jsonrpc=True)
    if message is None:
        if answer is not None:
            writer.write(answer)
        return None
    try:
        structured = protocol.structure_message(message)
    except JsonRpcException as error:  # params lsprotocol cannot read (pygls logged why)
        if "method" in message and "id" in message:
            writer.write(error_frame(message["id"], error.code, error.message))
        return None
    try:
        protocol.handle_message(structured)
    except SystemExit as end:  # pygls' `exit` handler: 0 after `shutdown`, else 1
        return end.code if isinstance(end.code, int) else 1
    except Exception:
        log.exception("borrowlens failed on a message from the editor: %r", frame.body[:200])
    return None


async def serve(server: LanguageServer, stdin: BinaryIO, stdout: BinaryIO) -> int:
    """Serves the editor on `stdin`/`stdout` until `exit` (status 0 after `shutdown`, else 1)
    or until stdin ends without one (status 1)."""
    frames: asyncio.Queue[Frame | None] = asyncio.Queue()
    _pump(stdin.fileno(), frames, asyncio.get_running_loop())
    writer = StdoutWriter(stdout)
    server.protocol.set_writer(writer)
    try:
        while True:
            frame = await frames.get()
            if frame is None:
                log.error("the editor closed borrowlens' stdin without `exit`")
                return 1
            status = _dispatch(server.protocol, writer, frame)
            if status is not None:
                return status
    finally:
        with contextlib.suppress(Exception):
            server.shutdown()  # type: ignore[no-untyped-call]  # its thread pool, if started
