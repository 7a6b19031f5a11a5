"""One build at a time per warehouse: an advisory lock file beside it.

flock is released by the kernel when the holder dies, so a killed build never leaves a stale lock; while a
build holds it, every temp file of another build is known to be dead and may be removed.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path


class Busy(Exception):
    """Another build holds the warehouse's lock for longer than the caller would wait."""


def lock_path(db: Path) -> Path:
    return db.with_name(db.name + ".lock")


def _holder(fd: int) -> str:
    with contextlib.suppress(OSError, ValueError):
        os.lseek(fd, 0, os.SEEK_SET)
        return os.read(fd, 64).decode().strip()
    return ""


@contextlib.contextmanager
def build_lock(db: Path, wait: float = 600.0, quiet: bool = False) -> Iterator[None]:
    """Hold the warehouse's build lock, waiting up to `wait` seconds for another build to finish."""
    fd = os.open(lock_path(db), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + wait
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                pid = _holder(fd)
                if time.monotonic() >= deadline:
                    raise Busy(f"another build (pid {pid or '?'}) is writing {db}; "
                               f"run again when it has finished") from None
                if not told and not quiet:
                    print(f"build: waiting for another build (pid {pid or '?'}) to finish writing {db}",
                          file=sys.stderr, flush=True)
                    told = True
                time.sleep(0.2)
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
