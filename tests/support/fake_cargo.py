#!/usr/bin/env python3
"""A stand-in for cargo whose `check` never ends, for tests that borrowlens leaves no process
behind (run as `$CARGO` through a wrapper script; only the standard library).

* `locate-project … --manifest-path M` prints M: the package is its own workspace;
* `check …` records its pid (`cargo.pid`) and what its stdin is (`stdin.txt`, the target of
  /proc/self/fd/0) in `$FAKE_CARGO_DIR`, starts a `sleep` in its own process group as rustc
  would be (`grandchild.pid`), then sleeps until killed;
* anything else fails.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path


def main(argv: list[str]) -> int:
    state = Path(os.environ["FAKE_CARGO_DIR"])
    if argv[:1] == ["locate-project"]:
        print(argv[argv.index("--manifest-path") + 1])
        return 0
    if argv[:1] != ["check"]:
        print(f"fake cargo: unexpected {argv}", file=sys.stderr)
        return 1
    (state / "stdin.txt").write_text(os.readlink("/proc/self/fd/0"), encoding="utf-8")
    sleeper = subprocess.Popen(["sleep", "600"], stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    (state / "grandchild.pid").write_text(str(sleeper.pid), encoding="ascii")
    # Written last: once it exists, the whole group is running.
    (state / "cargo.pid").write_text(str(os.getpid()), encoding="ascii")
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
