"""The proxy's side towards the editor: frames written to stdout in order, without a thread
hop when stdout is a pipe (as editors start a language server), and flushed before exit."""

from __future__ import annotations

import asyncio
from typing import BinaryIO


class EditorOutput:
    """Writes frames to the editor."""

    def __init__(self, stdout: BinaryIO) -> None:
        self.stdout = stdout
        self.lock = asyncio.Lock()
        # Non-blocking writer on stdout when it is a pipe: a frame is written at once, in
        # order, with no thread hop (bench/: the thread hop was most of the proxy's
        # per-message cost). None: blocking writes in a thread.
        self.writer: asyncio.StreamWriter | None = None

    async def send(self, data: bytes) -> None:
        if self.writer is not None:
            self.writer.write(data)
            # Waits only while the editor is not reading; raises once its pipe has closed.
            await self.writer.drain()
            return
        async with self.lock:
            await asyncio.to_thread(self._write, data)

    async def connect(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            transport, protocol = await loop.connect_write_pipe(
                asyncio.streams.FlowControlMixin, self.stdout)
        except (ValueError, OSError):
            return  # a regular file: not a pipe, socket or terminal
        self.writer = asyncio.StreamWriter(transport, protocol, None, loop)

    async def flush(self, timeout: float) -> None:
        """Lets frames still queued for the editor (the last answers) go out before exit."""
        if self.writer is None:
            return
        transport = self.writer.transport
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while (transport.get_write_buffer_size() and not transport.is_closing()
               and loop.time() < deadline):
            await asyncio.sleep(0.01)

    def _write(self, data: bytes) -> None:
        self.stdout.write(data)
        self.stdout.flush()
