"""The floor a forwarding proxy can reach in Python: the smallest threaded relay of LSP frames.

    python bench/floor_relay.py COMMAND [ARGS...]

Starts COMMAND and relays frames both ways, one thread per direction: `os.read` into a
buffer, the `Content-Length` header parsed, each whole frame written on with `os.write`.
No validation, no interception, no fault handling. `bench/cases.py` times it next to the
server alone and behind borrowlens, in the same run (issue 15), so what borrowlens' proxy adds
above this floor is its own.

Only the standard library, and nothing from borrowlens: it must not pay for what it measures.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading


def _write(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def relay(source: int, target: int) -> None:
    buffer = bytearray()
    while chunk := os.read(source, 1 << 16):
        buffer += chunk
        while (end := buffer.find(b"\r\n\r\n")) >= 0:
            length = 0
            for line in bytes(buffer[:end]).split(b"\r\n"):
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            size = end + 4 + length
            if len(buffer) < size:
                break
            _write(target, bytes(buffer[:size]))
            del buffer[:size]


def main(argv: list[str]) -> int:
    child = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)
    assert child.stdin is not None and child.stdout is not None
    threading.Thread(target=relay, args=(child.stdout.fileno(), 1), daemon=True).start()
    relay(0, child.stdin.fileno())
    child.stdin.close()
    return child.wait()


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
