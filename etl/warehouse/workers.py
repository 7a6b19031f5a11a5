"""Parsing each file in a worker process with a time limit and a memory limit.

A damaged or hostile file (a ZIP part that inflates to gigabytes, tables of huge spans, a PDF MuPDF loops
on) must cost one entry in ingest_errors, never the build or the dashboard. The readers refuse what they
can recognise (etl.readers' own limits); this module bounds everything else: each file runs in a pebble
worker (a maintained process pool that kills and replaces a worker whose task overruns its timeout or
dies), under an address-space limit set in the worker, after a size check made before reading.

Results are tuples, cheap to pickle:
  ("ok", display, sha, report_row, cells) | ("arrow", display, sha, ipc_bytes) | ("part", display, sha, path)
  | ("known", display, sha) | ("err", display, sha, code, detail)
The build asks for "arrow": the rows as one Arrow IPC part (etl.warehouse.parts), which its main process
inserts without touching each cell (unpickling and converting rows cost it ~2 ms a report, as much CPU as a
fifth of a worker). A cluster task writes a Parquet part to a given path instead ("part").

A worker is forked by the build and dies with it (etl.parent_death): a build killed with -9 leaves no
parser behind. A file whose content is already in the warehouse ("known", by sha256) is answered without
importing the parser, so a no-change rebuild costs reading and hashing only.
"""

from __future__ import annotations

import concurrent.futures as cf
import hashlib
import multiprocessing as mp
import os
import resource
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from etl import settings
from etl.filekinds import SCAN_EXTENSIONS
from etl.parent_death import die_with_parent
from etl.warehouse.files import Found

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Per-file limits (docs/reference/limits.md is generated from these and their comments). Real annual reports are well inside all of them."""

    seconds: float = 120.0  # wall time to parse one file
    # wall time for a file that may need OCR (PDF, page images): seconds a page, up to MAX_OCR_PAGES pages
    ocr_seconds: float = 480.0
    memory_mb: int = 2048  # memory a worker may allocate beyond what it holds when it starts
    file_mb: int = 200  # bytes on disk

    def seconds_for(self, path: str) -> float:
        """The wall time one file may take: the OCR limit for a file that may hold scanned pages
        (etl.filekinds.SCAN_EXTENSIONS). The extension decides (before the file is read); a scan under
        another name gets the ordinary limit and, if OCR takes longer, a timeout with its reason."""
        return max(self.seconds, self.ocr_seconds) if path.lower().endswith(SCAN_EXTENSIONS) else self.seconds


DEFAULT_LIMITS = Limits()
_KNOWN: frozenset[str] = frozenset()
_LIMITS = DEFAULT_LIMITS
_CAPPED = False  # the parser is imported and the memory limit set (on the first file that needs parsing)
_ARROW = False  # answer parsed files with Arrow IPC parts instead of rows


def _vm_bytes() -> int:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _init_worker(known: frozenset[str], limits: Limits, parent: int | None = None, arrow: bool = False) -> None:
    global _KNOWN, _LIMITS, _CAPPED, _ARROW
    die_with_parent(parent)
    _KNOWN, _LIMITS, _CAPPED, _ARROW = known, limits, False, arrow


def cap_memory(memory_mb: int) -> None:
    """Import the parser, then limit this process's address space to what it holds plus `memory_mb`: the
    parser's own imports are not counted against a file's memory (they differ by caller)."""
    import etl.parse  # noqa: F401
    import etl.warehouse.load  # noqa: F401
    import etl.warehouse.parts  # noqa: F401

    base = _vm_bytes()
    if base:
        cap = base + memory_mb * MB
        # the soft limit only: the OCR engine, loaded on a worker's first scan, makes room for its own
        # libraries and caps again (etl.readers.ocr_engine._room_to_load); a file cannot raise it
        resource.setrlimit(resource.RLIMIT_AS, (cap, resource.getrlimit(resource.RLIMIT_AS)[1]))


def read_limited(path: str, limit_mb: int) -> tuple[bytes | None, str, str]:
    """(data, code, detail): the file's bytes, or None with the reason it was not read."""
    limit = limit_mb * MB
    try:
        size = os.stat(path).st_size
        if size > limit:
            return None, "too_large", f"limit {limit_mb} MB, file {size / MB:.0f} MB"
        with open(path, "rb") as f:
            # read what stat promised (f.read(n) reserves n bytes up front); a file still growing is
            # read on in chunks up to the limit
            data = f.read(size + 1)
            while len(data) <= limit and (chunk := f.read(MB)):
                data += chunk
    except OSError as e:
        return None, "unreadable", e.strerror or type(e).__name__
    if len(data) > limit:
        return None, "too_large", f"limit {limit_mb} MB"
    return data, "", ""


def read_unknown(path: str, shown: str, file_mb: int, known: frozenset[str] | set[str]) -> tuple[tuple | None,
                                                                                             bytes, str]:
    """(result, data, sha) of a file before parsing it: a result tuple when it need not be parsed ("err": not
    readable within `file_mb`; "known": these bytes were parsed before), else None with its bytes and hash."""
    data, code, detail = read_limited(path, file_mb)
    if data is None:
        return ("err", shown, None, code, detail), b"", ""
    sha = hashlib.sha256(data).hexdigest()
    if sha in known:
        return ("known", shown, sha), b"", sha
    return None, data, sha


def parse_one(path: str, shown: str) -> tuple:
    """Read, hash and (unless known) parse one file in a pool worker."""
    global _CAPPED
    done, data, sha = read_unknown(path, shown, _LIMITS.file_mb, _KNOWN)
    if done:
        return done
    if not _CAPPED:
        cap_memory(_LIMITS.memory_mb)
        _CAPPED = True
    return parse_data(shown, data, sha, "arrow" if _ARROW else None, _LIMITS.memory_mb)


def parse_data(shown: str, data: bytes, sha: str, part: str | None, memory_mb: int) -> tuple:
    """Parse one file's bytes into a result tuple. `part`: None for the rows ("ok"), "arrow" for an Arrow
    IPC part ("arrow"), else the path of the Parquet part to write ("part"). The caller bounds time and
    memory (a pool worker, a sandbox process)."""
    from etl.document import ReadError
    from etl.parse import parse_file
    from etl.warehouse import load

    _pause_parsing()
    try:
        report = parse_file(shown, data)
    except ReadError as e:
        return ("err", shown, sha, getattr(e, "code", "corrupt"), getattr(e, "detail", ""))
    except MemoryError:
        return ("err", shown, sha, "memory", f"limit {memory_mb} MB")
    except RecursionError:
        return ("err", shown, sha, "corrupt", "structure nested too deeply")
    except Exception as e:  # a parser bug must not stop the build: recorded with its type for a bug report
        return ("err", shown, sha, "parser_error", type(e).__name__)
    if not report.cells and not report.chapters and not any(v is not None for v in report.narrative.values()):
        return ("err", shown, sha, "not_report", "")  # a title at most: truncated, or not an annual report
    row, cells = load.report_rows(report, sha, shown)
    if part is None:
        return ("ok", shown, sha, row, cells)
    from etl.warehouse import parts

    if part == "arrow":
        return ("arrow", shown, sha, parts.to_bytes(row, cells))
    parts.write(part, row, cells)
    return ("part", shown, sha, part)


def _pause_parsing() -> None:
    """Test hook: ETL_BUILD_PAUSE="parsing:SECONDS" makes every file's parse take that long, so a test can
    kill a build while its workers are busy (etl.warehouse.build.pause holds the other stages)."""
    for item in filter(None, settings.raw("build_pause").split(",")):
        name, _, secs = item.partition(":")
        if name == "parsing":
            import time

            time.sleep(float(secs or 1))


def hash_limited(path: str, limits: Limits) -> tuple[str | None, str, str]:
    """(sha256, code, detail) of a file read within the limits: a None hash with the reason it was not read."""
    data, code, detail = read_limited(path, limits.file_mb)
    return (None if data is None else hashlib.sha256(data).hexdigest()), code, detail


def sha_of(path: str, limits: Limits) -> str | None:
    """The file's sha256 for a result that lost it (its worker died), or None when it cannot be read."""
    return hash_limited(path, limits)[0]


def _context():
    # fork is cheap and shares the parent's imports. The dashboard never forks its threaded server
    # process: it runs builds and previews as `python -m etl` subprocesses.
    methods = mp.get_all_start_methods()
    return mp.get_context("fork" if "fork" in methods else methods[0])


def preload_parser() -> None:
    """Import the parser and its readers here, before the pool forks, so workers share them instead of
    each importing them (~0.4 s CPU a worker). Done when every file will be parsed (no known files): a
    no-change rebuild never imports the parser at all."""
    import pandas  # noqa: F401  (pyarrow imports it when it builds its first array: a part)
    import pyarrow  # noqa: F401

    import etl.parse  # noqa: F401
    import etl.readers.docx  # noqa: F401
    import etl.readers.html  # noqa: F401
    import etl.readers.pdf  # noqa: F401
    import etl.warehouse.load  # noqa: F401
    import etl.warehouse.parts  # noqa: F401


def part_path(work: str | os.PathLike, i: int) -> str:
    """Where the part of the i-th file of a build goes: one name per file, so a task run twice writes the
    same part, and two files of equal content write two parts (the build keeps the first)."""
    return os.path.join(work, f"{i:08d}.parquet")


def parse_files(files: Iterable[Found], known: frozenset[str], jobs: int,
                limits: Limits = DEFAULT_LIMITS, arrow: bool = False) -> Iterator[tuple]:
    """Parse every file in worker processes, yielding results as they finish (in no fixed order); with
    `arrow`, parsed files come back as ("arrow", …) parts instead of rows."""
    from pebble import ProcessExpired, ProcessPool

    files = list(files)
    if not files:
        return
    jobs = max(1, min(jobs, len(files)))
    if jobs > 1 and not known:
        preload_parser()
    window = jobs * 16  # tasks in flight: bounds the futures held for a 100k-file build
    with ProcessPool(max_workers=jobs, max_tasks=2000, initializer=_init_worker,
                     initargs=(known, limits, os.getpid(), arrow),
                     context=_context()) as pool:
        pending: dict[cf.Future, Found] = {}
        it = iter(files)

        def top_up() -> None:
            for f in it:
                pending[pool.schedule(parse_one, (f.path, f.display), timeout=limits.seconds_for(f.path))] = f
                if len(pending) >= window:
                    break

        top_up()
        while pending:
            done, _ = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
            for fut in done:
                f = pending.pop(fut)
                try:
                    yield fut.result()
                except TimeoutError:
                    yield ("err", f.display, sha_of(f.path, limits), "timeout", f"limit {limits.seconds_for(f.path):g} s")
                except ProcessExpired as e:
                    # killed by the kernel or a native crash; an address-space limit hit in C code ends here
                    code = "memory" if e.exitcode in (-9, 137) else "crashed"
                    yield ("err", f.display, sha_of(f.path, limits), code, f"exit code {e.exitcode}")
                except MemoryError:
                    yield ("err", f.display, sha_of(f.path, limits), "memory", f"limit {limits.memory_mb} MB")
                except Exception as e:  # e.g. a result that could not be sent back
                    yield ("err", f.display, sha_of(f.path, limits), "crashed", type(e).__name__)
            top_up()
