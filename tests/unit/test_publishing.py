"""server/publishing.py: publishDiagnostics enriched on the worker thread, in per-file order,
a newer publish for a file superseding an unfinished older one; what the worker runs never
holds up the thread that submits."""

from __future__ import annotations

import threading
import time
from typing import Any, cast

from borrowlens.server.interception import Interceptor
from borrowlens.server.publishing import Publisher, Worker
from borrowlens.server.wire import Frame, encode, loads


class SlowInterceptor:
    """Enriches by tagging the params; the first publish of `slow_uri` waits for `release`."""

    def __init__(self, slow_uri: str) -> None:
        self.slow_uri = slow_uri
        self.release = threading.Event()
        self.started = threading.Event()
        self.seen: list[tuple[str, int]] = []

    def publish(self, params: dict[str, Any]) -> dict[str, Any]:
        self.seen.append((params["uri"], params["version"]))
        if params["uri"] == self.slow_uri and not self.started.is_set():
            self.started.set()
            assert self.release.wait(10)
        return {**params, "enriched": True}


def frame(uri: str, version: int) -> Frame:
    return Frame.of(encode({"jsonrpc": "2.0", "method": "textDocument/publishDiagnostics",
                            "params": {"uri": uri, "diagnostics": [], "version": version}}))


def test_order_per_file_supersession_and_a_free_reader() -> None:
    intercept = SlowInterceptor("file:///a.rs")
    sent: list[dict[str, Any]] = []

    def send(data: bytes) -> None:
        sent.append(loads(data.partition(b"\r\n\r\n")[2])["params"])

    worker = Worker()
    publisher = Publisher(lambda: cast(Interceptor, intercept), worker, send)
    publisher.submit(frame("file:///a.rs", 1), "file:///a.rs")
    assert intercept.started.wait(10)
    # The submitting thread is free while the worker is busy: more publishes come in.
    publisher.submit(frame("file:///b.rs", 1), "file:///b.rs")
    publisher.submit(frame("file:///a.rs", 2), "file:///a.rs")
    publisher.submit(frame("file:///b.rs", 2), "file:///b.rs")
    publisher.submit(frame("file:///a.rs", 3), "file:///a.rs")
    time.sleep(0.05)
    assert sent == []  # the one worker is still on a.rs v1
    intercept.release.set()
    assert worker.drain(10)
    worker.stop()
    # a.rs v1 finished after newer ones came: dropped; v2 dropped before it started.
    assert [(p["uri"], p["version"]) for p in sent] == [("file:///b.rs", 2),
                                                        ("file:///a.rs", 3)]
    assert all(p["enriched"] for p in sent)
    assert ("file:///a.rs", 2) not in intercept.seen and ("file:///b.rs", 1) not in intercept.seen


def test_a_failing_job_does_not_stop_the_worker() -> None:
    worker = Worker()
    ran: list[int] = []

    def fail() -> None:
        raise RuntimeError("boom")

    worker.submit(fail)
    worker.submit(lambda: ran.append(1))
    assert worker.drain(10)
    worker.stop()
    assert ran == [1]
