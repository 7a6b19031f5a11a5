"""`etl build --engine dask [--scheduler tcp://HOST:PORT]`: the parse map on a Dask distributed cluster.

Each file is parsed by etl.warehouse.task.parse_task, which writes the file's Parquet part into the build's
work folder and returns the local pool's small result tuple; a Dask task runs it over a few files
(FILES_PER_TASK; a PDF or image, which may need OCR, alone); the build's single writer loads the parts. Without --scheduler the build starts a LocalCluster of `--jobs` worker processes
(one thread each) bound to 127.0.0.1 with no dashboard, and nothing leaves the machine; a scheduler address
is contacted only when given. A remote cluster's workers must have this package installed and see the
report files and the warehouse's folder at the same paths (a shared file system).

A worker that dies mid-build (killed, its machine lost) has its tasks run again on the others by the
scheduler; a task run twice writes the same part under the same name, so nothing is lost or doubled. A task
whose workers keep dying (Dask gives up after `distributed.scheduler.allowed-failures`) is recorded as
`crashed`, like a pool worker that died, and retried by the next build.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
from collections.abc import Iterable, Iterator

from etl.filekinds import SCAN_EXTENSIONS
from etl.warehouse.files import Found
from etl.warehouse.workers import Limits, hash_limited, part_path, sha_of

CONNECT_SECONDS = 30  # how long to wait for a given scheduler before the build stops with a message
# Files a task: Dask costs the build process ~5 ms of CPU a task (its scheduler and client), as much as a
# text report's whole parse, so born-digital files go a few to a task; a possible scan (PDF, image: seconds
# a page of OCR) goes alone, so that the cluster balances them one by one.
FILES_PER_TASK = 8


class SchedulerError(Exception):
    """The --scheduler given cannot be reached."""


def dask_setup(worker) -> None:
    """Run by each worker of the build's LocalCluster as it starts (`preload`): it dies with the build."""
    from etl.parent_death import die_with_parent

    die_with_parent()


def _local_cluster(workers: int):
    from distributed import LocalCluster

    return LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                        dashboard_address=None, memory_limit=0,  # the task bounds its own memory
                        silence_logs=logging.ERROR, preload=[__name__])


def _client(scheduler: str | None, workers: int, stack: contextlib.ExitStack):
    from distributed import Client

    if scheduler is None:
        cluster = stack.enter_context(_local_cluster(workers))
        return stack.enter_context(Client(cluster))
    try:
        return stack.enter_context(Client(scheduler, timeout=CONNECT_SECONDS))
    except (OSError, TimeoutError, ValueError) as e:  # ValueError: not an address
        raise SchedulerError(f"cannot reach the Dask scheduler {scheduler} ({type(e).__name__}: {e}); start it "
                             f"(`dask scheduler`, then `dask worker {scheduler}` on each machine) or build "
                             f"without --scheduler") from None


def _unchanged_here(todo: list[tuple[int, Found]], known: frozenset[str],
                    limits: Limits) -> Iterator[tuple]:
    """Yield the results of files read and hashed here (known content, unreadable files); return the others.
    Reading and hashing release the GIL, so a few threads keep the disk busy; a no-change rebuild then costs
    what the local pool's does, instead of a cluster's start-up and a task a file."""
    from concurrent.futures import ThreadPoolExecutor

    left = []
    with ThreadPoolExecutor(4) as pool:
        for start in range(0, len(todo), 1000):  # a chunk at a time: map() holds a future per item
            chunk = todo[start:start + 1000]
            for (i, f), (sha, code, detail) in zip(chunk, pool.map(lambda t: hash_limited(t[1].path, limits), chunk),
                                                   strict=True):
                if sha in known:
                    yield ("known", f.display, sha)
                elif sha is None:
                    yield ("err", f.display, None, code, detail)
                else:
                    left.append((i, f))
    return left


def _batches(todo: list[tuple[int, Found]]) -> Iterator[tuple[int, list[tuple[int, Found]]]]:
    """(number, files) of each task: possible scans alone, other files FILES_PER_TASK together."""
    batch: list[tuple[int, Found]] = []
    n = 0
    for item in todo:
        if item[1].path.lower().endswith(SCAN_EXTENSIONS):
            yield n, [item]
            n += 1
            continue
        batch.append(item)
        if len(batch) == FILES_PER_TASK:
            yield n, batch
            n, batch = n + 1, []
    if batch:
        yield n, batch


def parse_files(files: Iterable[Found], known: frozenset[str], workers: int, limits: Limits,
                work: str | os.PathLike, scheduler: str | None = None) -> Iterator[tuple]:
    """Parse every file on the cluster, yielding the result tuples as tasks finish (in no fixed order)."""
    from distributed import as_completed

    from etl.warehouse.task import parse_tasks

    todo = list(enumerate(files))
    if known:  # a rebuild: only files whose content changed go to the cluster, which is not started for none
        todo = yield from _unchanged_here(todo, known, limits)
    if not todo:
        return
    with contextlib.ExitStack() as stack:
        client = _client(scheduler, max(1, min(workers, len(todo))), stack)
        threads = sum(client.nthreads().values()) or 1
        window = max(16, threads * 4)  # tasks in flight: bounds the futures held for a 1M-file build
        run = secrets.token_hex(4)  # task keys unique to this build on a shared scheduler
        pending: dict[str, list[Found]] = {}
        batches = iter(_batches(todo))
        queue = as_completed()

        def top_up() -> None:
            for n, batch in batches:
                items = [(f.path, f.display, part_path(work, i)) for i, f in batch]
                fut = client.submit(parse_tasks, items, frozenset(), limits, key=f"parse-{run}-{n}", pure=False)
                pending[fut.key] = [f for _, f in batch]
                queue.add(fut)
                if len(pending) >= window:
                    break

        top_up()
        for fut in queue:
            batch = pending.pop(fut.key)
            try:
                results = fut.result()
            except Exception as e:  # KilledWorker (its workers kept dying), a result that could not come back
                results = [("err", f.display, sha_of(f.path, limits), "crashed", type(e).__name__) for f in batch]
            fut.release()  # its result is in hand: the cluster may forget it (and never recompute it)
            yield from results
            top_up()
