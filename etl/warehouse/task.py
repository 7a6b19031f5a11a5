"""The parse task for any engine: a pure function of one file that bounds its own time and memory.

`parse_task(path, display, part, known, limits)` reads and hashes the file where it runs; unless its content
is already in the warehouse (`known`), the bytes go to the calling thread's sandbox, a child process
(`python -m etl.warehouse.task`) that parses under an address-space limit and writes the file's Parquet part;
the task waits up to the file's time limit (etl.warehouse.workers.Limits, the local pool's own) and kills the
sandbox past it. So no engine (Dask, Ray, Spark: none has per-task timeouts) needs limits of its own, and a
hostile file costs a sandbox, never the engine's worker. It returns the local pool's result tuples.

The sandbox outlives the task: what a parse loads once (the parser's imports, the OCR engine, cached per
process by etl.readers.ocr.engine) is loaded once per worker thread, and again only after a timeout or a
crash. It dies with the thread that started it (etl.parent_death) and when its input closes.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import select
import signal
import subprocess
import sys
import threading
import time

from etl.warehouse.workers import Limits, read_unknown

_HEADER = 8  # bytes of the little-endian length before each message
_local = threading.local()


def parse_task(path: str, display: str, part: str, known: frozenset[str] | set[str], limits: Limits) -> tuple:
    """The result tuple of one file (etl.warehouse.workers): ("part", …) with its rows in the Parquet part at
    `part`, ("known", …), or ("err", …) with the reason, a timeout or the memory limit included."""
    done, data, sha = read_unknown(path, display, limits.file_mb, known)
    if done:
        return done
    box = getattr(_local, "sandbox", None)
    if box is None or box.limits != limits:
        if box is not None:
            box.close()
        box = _local.sandbox = Sandbox(limits)
    return box.run(display, data, sha, part, limits.seconds_for(path))


def parse_tasks(batch: list[tuple[str, str, str]], known: frozenset[str] | set[str], limits: Limits) -> list[tuple]:
    """parse_task over a few files (path, display, part): an engine's cost per task (Dask's scheduler and
    client: ~5 ms of the build process's CPU) is then paid once for all of them. Each file keeps its own
    limits, and a batch run twice writes the same parts."""
    return [parse_task(path, display, part, known, limits) for path, display, part in batch]


class Sandbox:
    """A child process that parses one file at a time, sent to it over a pipe."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.proc: subprocess.Popen | None = None

    def _start(self) -> subprocess.Popen:
        # its own session: a timeout kills the whole group, including anything a reader started
        return subprocess.Popen([sys.executable, "-m", "etl.warehouse.task", str(os.getpid()),
                                 str(self.limits.memory_mb)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                start_new_session=True)

    def run(self, shown: str, data: bytes, sha: str, part: str, timeout: float) -> tuple:
        if self.proc is None or self.proc.poll() is not None:
            self.proc = self._start()
        proc = self.proc
        msg = pickle.dumps((shown, data, sha, part), protocol=pickle.HIGHEST_PROTOCOL)
        deadline = time.monotonic() + timeout
        try:
            proc.stdin.write(len(msg).to_bytes(_HEADER, "little") + msg)
            proc.stdin.flush()
            n = int.from_bytes(_read(proc.stdout.fileno(), _HEADER, deadline), "little")
            return pickle.loads(_read(proc.stdout.fileno(), n, deadline))
        except TimeoutError:
            self.close()
            return ("err", shown, sha, "timeout", f"limit {timeout:g} s")
        except (EOFError, BrokenPipeError, pickle.UnpicklingError):
            rc = self.close()
            # killed by the kernel (an address-space limit hit in C code, the OOM killer) or a native crash
            return ("err", shown, sha, "memory" if rc in (-9, 137) else "crashed", f"exit code {rc}")

    def close(self) -> int | None:
        """End the sandbox (and anything it started); its exit code."""
        proc, self.proc = self.proc, None
        if proc is None:
            return None
        with contextlib.suppress(ProcessLookupError, PermissionError):
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
        for f in (proc.stdin, proc.stdout):
            with contextlib.suppress(OSError):
                f.close()
        return proc.wait()


def _read(fd: int, n: int, deadline: float) -> bytes:
    """Exactly n bytes from fd before the deadline (TimeoutError), or EOFError when the writer is gone."""
    chunks, left = [], n
    while left:
        wait = deadline - time.monotonic()
        if wait <= 0 or not select.select([fd], [], [], wait)[0]:
            raise TimeoutError
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _serve(parent: int, memory_mb: int) -> int:
    """The sandbox's loop: a file in, its result out, until the input closes."""
    from etl.parent_death import die_with_parent
    from etl.warehouse.workers import cap_memory, parse_data

    die_with_parent(parent)
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # what a library prints goes to stderr, never into the results
    inp = sys.stdin.buffer
    cap_memory(memory_mb)
    while len(header := inp.read(_HEADER)) == _HEADER:
        shown, data, sha, part = pickle.loads(inp.read(int.from_bytes(header, "little")))
        try:
            res = parse_data(shown, data, sha, part, memory_mb)
        except MemoryError:
            res = ("err", shown, sha, "memory", f"limit {memory_mb} MB")
        except Exception as e:  # e.g. the part could not be written
            res = ("err", shown, sha, "crashed", type(e).__name__)
        del data
        payload = pickle.dumps(res, protocol=pickle.HIGHEST_PROTOCOL)
        out.write(len(payload).to_bytes(_HEADER, "little") + payload)
        out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(_serve(int(sys.argv[1]), int(sys.argv[2])))
