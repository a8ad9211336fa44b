"""The files of one `fix` round: written together and undone together.

A file is never rewritten in place: the new text goes to a temporary file beside it (same
directory, so same filesystem), takes the original's mode, reaches the disk, and is renamed
over the original — at every moment the file holds either its old text or its new one. A
round keeps each file's bytes from before; when a write fails half-way (disk full, read-only
mount) or the round is abandoned (a signal, a failed check), `restore` puts them all back.
Stopping signals are held off while files are written or restored (`interrupts.deferred`).
Files the user made read-only are not for `fix` to change: `read_only` says so beforehand.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

from borrowlens.cli import interrupts


class WriteError(Exception):
    """A file of the round could not be written; the message names it and says why."""


class RestoreError(WriteError):
    """Files of the round could not be put back; the message names them."""


def write_file(path: Path, data: bytes) -> None:
    """Replaces the file's content atomically, keeping its mode (and owner, when allowed).

    A symbolic link stays one: the file it points to is replaced.
    """
    target = Path(os.path.realpath(path))
    status = target.stat()
    handle, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.",
                                    suffix=".borrowlens")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, stat.S_IMODE(status.st_mode))
        if hasattr(os, "chown"):
            with contextlib.suppress(OSError):  # only the owner's group, or root, may
                os.chown(temp, status.st_uid, status.st_gid)
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def read_only(path: Path) -> bool:
    """Whether the user has made the file read-only (no write permission for anyone, or
    none for us)."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return False  # reading it fails first, with its own message
    return not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) \
        or not os.access(path, os.W_OK)


class Round:
    """What one round wrote, with each file's bytes from before."""

    def __init__(self) -> None:
        self.before: dict[Path, bytes] = {}

    def write(self, texts: dict[Path, str]) -> None:
        """Writes every file, or raises WriteError (the files already written stay recorded
        for `restore`)."""
        with interrupts.deferred():
            for path, text in texts.items():
                try:
                    original = path.read_bytes()
                    write_file(path, text.encode("utf-8"))
                except OSError as error:
                    raise WriteError(f"could not write {path}: "
                                     f"{error.strerror or error}") from error
                self.before.setdefault(path, original)

    def restore(self) -> None:
        """Puts every file back as it was; RestoreError naming those that could not be."""
        failed: list[str] = []
        with interrupts.deferred():
            for path, data in self.before.items():
                try:
                    write_file(path, data)
                except OSError as error:
                    failed.append(f"{path} ({error.strerror or error})")
            restored = len(self.before) - len(failed)
            self.before.clear()
        if failed:
            raise RestoreError(f"could not restore {', '.join(failed)}; "
                             f"{restored} other file(s) of the round were restored")
