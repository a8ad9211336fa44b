"""server/relay.py: frames written whole from several threads, and a large frame written on
as its bytes arrive."""

from __future__ import annotations

import os
import threading

from borrowlens.server.relay import Output, reader


def _pipe() -> tuple[Output, int]:
    read_end, write_end = os.pipe()
    return Output(os.fdopen(write_end, "wb", buffering=0)), read_end


def _all(fd: int) -> bytes:
    chunks = []
    while chunk := os.read(fd, 1 << 16):
        chunks.append(chunk)
    return b"".join(chunks)


def test_frames_from_several_threads_never_interleave() -> None:
    output, fd = _pipe()
    frames = [bytes([65 + n]) * 200_000 for n in range(4)]  # each larger than the pipe
    received: list[bytes] = []
    drain = threading.Thread(target=lambda: received.append(_all(fd)))
    drain.start()
    writers = [threading.Thread(target=output.send, args=(f,)) for f in frames]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()
    output.close()
    drain.join()
    data = received[0]
    assert sorted(data[i:i + 200_000] for i in range(0, len(data), 200_000)) == frames


def test_stream_writes_the_rest_and_returns_what_follows() -> None:
    output, fd = _pipe()
    source_read, source_write = os.pipe()
    os.write(source_write, b"3456" + b"NEXT")
    os.close(source_write)
    assert output.stream(b"012", 4, reader(source_read)) == b"NEXT"
    output.close()
    assert _all(fd) == b"0123456"
