#!/usr/bin/env python3
"""A scripted stand-in for rust-analyzer, for fault-injection tests of borrowlens' proxy.

Only the standard library: it runs as the proxy's child, under any Python. It answers
`--version` like rust-analyzer (discovery requires "rust-analyzer …") and speaks LSP on stdio.
Faults are triggered by the client through custom requests, so a test decides exactly when a
fault happens and which messages precede it:

* `fake/echo` answers its params (in deliberately non-canonical JSON with an extra
  `Content-Type` header, so any re-serialisation by the proxy shows in a byte comparison);
* `fake/hold` is never answered (a request left pending when a fault strikes);
* `fake/crash` exits with status 3 without answering;
* `fake/garbage` writes a frame with a bad header (`{"kind": "header"}`) or a non-JSON body
  (`{"kind": "body"}`);
* `fake/stall` stops answering anything while staying alive;
* `fake/huge` answers a result of `{"bytes": N}` bytes (default 20 MB);
  `fake/hugeDiagnostics` first publishes about that many bytes of diagnostics;
* `fake/publish` publishes each of `{"publishes": [params…]}` as publishDiagnostics, back to
  back, then answers;
* `fake/stderr` writes `{"bytes": N}` bytes (default 10 MB) to stderr, then answers;
* `fake/askClient` sends the client a `workspace/configuration` request and answers with the
  client's response once it arrives;
* `textDocument/hover` answers a small hover; `shutdown`/`exit` behave as the spec says.

Start-up behaviour comes from the environment or from argv (`--fake-mode MODE`, which the
proxy passes through as an argument it does not know):

* mode `exit-after-initialize`: exit (status 0) right after answering `initialize`;
* mode `ignore-eof`: keep running after stdin closes (only a kill ends it);
* `FAKE_RA_GRANDCHILD=1`: start a long `sleep` in the same process group, like
  rust-analyzer's cargo and proc-macro children;
* `FAKE_RA_DIR=DIR`: record `pid`, `grandchild.pid`, every frame written to stdout
  (`sent.bin`), every frame read (`received.bin`) and each invocation's argv
  (`invocations.txt`), so a test can compare bytes and check that processes are gone.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, BinaryIO

VERSION = "rust-analyzer 0.0.0-fake"
STATE = Path(os.environ["FAKE_RA_DIR"]) if os.environ.get("FAKE_RA_DIR") else None
HUGE_DEFAULT = 20 * 1024 * 1024
STDERR_DEFAULT = 10 * 1024 * 1024


def record(name: str, data: bytes) -> None:
    if STATE is not None:
        with (STATE / name).open("ab") as file:
            file.write(data)


def mode_from(argv: list[str]) -> str:
    for index, arg in enumerate(argv):
        if arg == "--fake-mode" and index + 1 < len(argv):
            return argv[index + 1]
        if arg.startswith("--fake-mode="):
            return arg.split("=", 1)[1]
    return os.environ.get("FAKE_RA_MODE", "normal")


class Fake:
    """One LSP session on stdin/stdout."""

    def __init__(self, mode: str, stdin: BinaryIO, stdout: BinaryIO) -> None:
        self.mode = mode
        self.stdin = stdin
        self.stdout = stdout
        # Our requests to the client still unanswered: our id -> the client request to answer.
        self.asked: dict[str, Any] = {}
        self.next_ask = 0

    # --- output ---------------------------------------------------------------------------

    def write_raw(self, data: bytes) -> None:
        record("sent.bin", data)
        self.stdout.write(data)
        self.stdout.flush()

    def send(self, payload: Any, *, odd: bool = False) -> None:
        """A frame; `odd` uses spacing, escapes and headers borrowlens never produces."""
        if odd:
            body = json.dumps(payload, indent=1, ensure_ascii=True).encode("ascii")
            header = (b"Content-Length: %d\r\n"
                      b"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n"
                      % len(body))
        else:
            body = json.dumps(payload, separators=(",", ":")).encode("utf-8")
            header = b"Content-Length: %d\r\n\r\n" % len(body)
        self.write_raw(header + body)

    def reply(self, ident: Any, result: Any, *, odd: bool = False) -> None:
        self.send({"jsonrpc": "2.0", "id": ident, "result": result}, odd=odd)

    # --- input ----------------------------------------------------------------------------

    def read(self) -> dict[str, Any] | None:
        """The next message, or None at end of input."""
        length = None
        raw = bytearray()
        while True:
            line = self.stdin.readline()
            if not line:
                return None
            raw += line
            if line in (b"\r\n", b"\n"):
                if length is None:
                    continue
                break
            name, _, value = line.decode("ascii", "replace").partition(":")
            if name.strip().lower() == "content-length":
                length = int(value.strip())
        assert length is not None
        body = self.stdin.read(length)
        record("received.bin", bytes(raw) + body)
        message: dict[str, Any] = json.loads(body)
        return message

    # --- behaviour ------------------------------------------------------------------------

    def run(self) -> int:
        while True:
            message = self.read()
            if message is None:
                if self.mode == "ignore-eof":
                    stall()
                return 0
            method = message.get("method")
            if method is None:
                self.on_response(message)
            elif "id" in message:
                self.on_request(method, message["id"], message.get("params"))
            elif method == "exit":
                return 0
            elif method == "initialized":
                self.send({"jsonrpc": "2.0", "method": "window/logMessage",
                           "params": {"type": 3, "message": "fake: ready \u2713 \u00e9"}},
                          odd=True)

    def on_response(self, message: dict[str, Any]) -> None:
        ident = message.get("id")
        if isinstance(ident, str) and ident in self.asked:
            original = self.asked.pop(ident)
            self.reply(original, {"clientAnswered": message})

    def on_request(self, method: str, ident: Any, params: Any) -> None:
        options = params if isinstance(params, dict) else {}
        if method == "initialize":
            self.reply(ident, {"capabilities": {"hoverProvider": True, "textDocumentSync": 1},
                               "serverInfo": {"name": "fake-rust-analyzer",
                                              "version": "0.0.0-fake"}})
            if self.mode == "exit-after-initialize":
                sys.exit(0)
        elif method == "shutdown":
            self.reply(ident, None)
        elif method == "fake/echo":
            self.reply(ident, params, odd=True)
        elif method == "fake/hold":
            pass
        elif method == "fake/crash":
            self.send({"jsonrpc": "2.0", "method": "window/logMessage",
                       "params": {"type": 1, "message": "fake: crashing now"}}, odd=True)
            os._exit(3)
        elif method == "fake/garbage":
            if options.get("kind") == "header":
                self.write_raw(b"Content-Length: twelve\r\n\r\n{\"jsonrpc\":1}")
            else:
                self.write_raw(b"Content-Length: 9\r\n\r\nnot json!")
        elif method == "fake/stall":
            stall()
        elif method == "fake/huge":
            size = int(options.get("bytes", HUGE_DEFAULT))
            self.reply(ident, {"contents": {"kind": "markdown", "value": "x" * size}})
        elif method == "fake/hugeDiagnostics":
            self.huge_diagnostics(str(options.get("uri", "file:///fake/src/lib.rs")),
                                  int(options.get("bytes", HUGE_DEFAULT)))
            self.reply(ident, "published")
        elif method == "fake/publish":
            # Back to back, then the answer: what reaches the editor first shows whether the
            # answer waited for the publishes' enrichment.
            publishes = list(options.get("publishes") or ())
            for publish in publishes:
                self.send({"jsonrpc": "2.0", "method": "textDocument/publishDiagnostics",
                           "params": publish})
            self.reply(ident, {"published": len(publishes)})
        elif method == "fake/stderr":
            size = int(options.get("bytes", STDERR_DEFAULT))
            chunk = b"fake rust-analyzer log line, padding the stderr pipe\n" * 1024
            written = 0
            while written < size:
                piece = chunk[: size - written]
                sys.stderr.buffer.write(piece)
                written += len(piece)
            sys.stderr.buffer.flush()
            self.reply(ident, {"stderrBytes": written})
        elif method == "fake/askClient":
            self.next_ask += 1
            ask = f"fake-ask-{self.next_ask}"
            self.asked[ask] = ident
            self.send({"jsonrpc": "2.0", "id": ask, "method": "workspace/configuration",
                       "params": {"items": [{"section": "fake"}]}})
        elif method == "textDocument/hover":
            self.reply(ident, {"contents": {"kind": "markdown", "value": "fake hover"}})
        else:
            self.send({"jsonrpc": "2.0", "id": ident,
                       "error": {"code": -32601, "message": f"fake: no method {method}"}})

    def huge_diagnostics(self, uri: str, size: int) -> None:
        """At least `size` bytes of warnings (nothing borrowlens recognises)."""
        message = "fake warning " + "w" * 480
        count = size // len(message) + 1  # each diagnostic's JSON is larger still
        diagnostics = [{"range": {"start": {"line": i, "character": 0},
                                  "end": {"line": i, "character": 1}},
                        "severity": 2, "source": "fake", "code": "fake_lint",
                        "message": message} for i in range(count)]
        self.send({"jsonrpc": "2.0", "method": "textDocument/publishDiagnostics",
                   "params": {"uri": uri, "diagnostics": diagnostics}})


def stall() -> None:
    """Alive, silent, deaf: only a signal ends this."""
    while True:
        time.sleep(3600)


def main(argv: list[str]) -> int:
    if STATE is not None:
        with (STATE / "invocations.txt").open("a", encoding="utf-8") as file:
            file.write(json.dumps(argv) + "\n")
    if "--version" in argv or "-V" in argv:
        print(VERSION)
        return 0
    if STATE is not None:
        (STATE / "pid").write_text(str(os.getpid()), encoding="ascii")
    if os.environ.get("FAKE_RA_GRANDCHILD") == "1":
        # Same process group, holds our stderr like cargo does; stdout stays ours alone.
        sleeper = subprocess.Popen(["sleep", "600"], stdin=subprocess.DEVNULL,
                                   stdout=subprocess.DEVNULL)
        if STATE is not None:
            (STATE / "grandchild.pid").write_text(str(sleeper.pid), encoding="ascii")
    return Fake(mode_from(argv), sys.stdin.buffer, sys.stdout.buffer).run()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
