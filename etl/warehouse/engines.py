"""Where a build's per-file parse runs: the engine seam of etl.warehouse.build.

- `local` (the default): a process pool on this machine (etl.warehouse.workers, pebble), `--jobs` workers.
- `dask`: a Dask distributed cluster (etl.warehouse.dask_engine): a LocalCluster of `--jobs` workers, or
  the cluster whose scheduler `--scheduler tcp://HOST:PORT` names.

Every engine yields the result tuples of etl.warehouse.workers, which the build's one writer loads. A cluster
writes each parsed file as a Parquet part into the build's work folder (etl.warehouse.parts) and sends back
its path; the local pool sends the rows themselves, which costs its workers less (writing a part: ~1–2 ms a
file) than the main process spends receiving them (~0.5 ms a report, bench/build.py). The task an engine
runs must stay a function of the file alone (etl.warehouse.task.parse_task), so another engine (Ray, Spark)
only has to map it over the files.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from etl.warehouse.files import Found
from etl.warehouse.workers import Limits

ENGINES = ("local", "dask")
DEFAULT_ENGINE = "local"


def parse_files(engine: str, files: list[Found], known: frozenset[str], jobs: int, limits: Limits,
                work: str | os.PathLike, scheduler: str | None = None) -> Iterator[tuple]:
    if scheduler is not None and engine != "dask":
        raise ValueError("--scheduler needs --engine dask")
    if engine == "local":
        from etl.warehouse import workers

        return workers.parse_files(files, known, jobs, limits)
    if engine == "dask":
        from etl.warehouse import dask_engine

        return dask_engine.parse_files(files, known, jobs, limits, work, scheduler)
    raise ValueError(f"unknown engine {engine!r}; one of {', '.join(ENGINES)}")
