"""Where a build's per-file parse runs: the engine seam of etl.warehouse.build.

- `local` (the default): a process pool on this machine (etl.warehouse.workers, pebble), `--jobs` workers.
- `dask`: a Dask distributed cluster (etl.warehouse.dask_engine): a LocalCluster of `--jobs` workers, or
  the cluster whose scheduler `--scheduler tcp://HOST:PORT` names.

Every engine yields the result tuples of etl.warehouse.workers with each parsed file as a part
(etl.warehouse.parts), which the build's one writer loads without handling single cells: a cluster task
writes a Parquet part into the build's work folder and sends back its path, a local pool worker sends the
part's Arrow bytes (cheaper than a file on one machine). The task an engine
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

        return workers.parse_files(files, known, jobs, limits, arrow=True)
    if engine == "dask":
        from etl.warehouse import dask_engine

        return dask_engine.parse_files(files, known, jobs, limits, work, scheduler)
    raise ValueError(f"unknown engine {engine!r}; one of {', '.join(ENGINES)}")
