"""Parquet parts: one per parsed file, written by whichever worker parsed it, loaded by the build's one writer.

A part is a single row: the file's `reports` row (etl.warehouse.load.REPORT_COLUMNS, typed as the Batch
types them) and its `cells` as a list of structs. Workers on any engine (the local pool, a Dask cluster)
write parts under the build's work folder, so the main process never unpickles rows; the build then
inserts batches of parts with DuckDB's read_parquet, in the same transaction-free temp warehouse that is
swapped in atomically at the end. A part is written under a temporary name and renamed, so a worker killed
mid-write, or a task run twice (a Dask retry), never leaves a half part to be read.
"""

from __future__ import annotations

import contextlib
import functools
import os
import secrets
from pathlib import Path

import duckdb

from etl.warehouse.load import CELL_COLUMNS, REPORT_COLUMNS, arrow_types


@functools.cache
def schema():
    """A part's Arrow schema: the reports columns, then `cells`, a list of structs of the cells columns."""
    import pyarrow as pa

    cell_types, report_types = arrow_types()
    cell = pa.struct([pa.field(n, t) for n, t in zip(CELL_COLUMNS, cell_types, strict=True)])
    return pa.schema([pa.field(c, report_types.get(c, pa.string())) for c in REPORT_COLUMNS]
                     + [pa.field("cells", pa.list_(cell))])


def write(path: str | os.PathLike, row: dict, cells: list[tuple]) -> None:
    """Write one file's rows as the part at `path` (atomically: temp name, then rename)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    sch = schema()
    arrays = [pa.array([row[c]], type=sch.field(c).type) for c in REPORT_COLUMNS]
    columns = list(zip(*cells, strict=True)) or [()] * len(CELL_COLUMNS)
    cell_struct = sch.field("cells").type.value_type
    structs = pa.StructArray.from_arrays([pa.array(v, type=f.type) for v, f in zip(columns, cell_struct, strict=True)],
                                         fields=list(cell_struct))
    arrays.append(pa.ListArray.from_arrays(pa.array([0, len(cells)], pa.int32()), structs))
    tmp = f"{path}.tmp-{secrets.token_hex(4)}"
    try:
        # a part lives for seconds: no compression, statistics or dictionaries, which cost more than they save
        pq.write_table(pa.Table.from_arrays(arrays, schema=sch), tmp, compression="none",
                       write_statistics=False, use_dictionary=False)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.remove(tmp)
        raise


def insert(con: duckdb.DuckDBPyConnection, paths: list[str]) -> None:
    """Insert the parts' reports and cells into the warehouse being built."""
    if not paths:
        return
    con.execute(f"INSERT INTO reports ({', '.join(REPORT_COLUMNS)}) "
                f"SELECT {', '.join(REPORT_COLUMNS)} FROM read_parquet(?)", [paths])
    con.execute(f"INSERT INTO cells ({', '.join(CELL_COLUMNS)}) "
                f"SELECT {', '.join('c.' + c for c in CELL_COLUMNS)} "
                f"FROM (SELECT unnest(cells) AS c FROM read_parquet(?))", [paths])


class Loader:
    """Parts waiting to be inserted, in batches, each part removed once it is in the warehouse (so the work
    folder holds at most a batch and the parts in flight)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, size: int = 1000) -> None:
        self.con, self.size, self.paths, self.n = con, size, [], 0

    def add(self, path: str) -> None:
        self.paths.append(path)
        self.n += 1
        if len(self.paths) >= self.size:
            self.flush()

    def flush(self) -> None:
        insert(self.con, self.paths)
        for p in self.paths:
            discard(p)
        self.paths = []


def discard(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.remove(path)


def work_dir(db: Path, tag: str) -> Path:
    """The build's work folder for parts, beside its temp warehouse (a remote cluster's workers must see
    it at the same path)."""
    d = db.with_name(f"{db.name}.work-{tag}")
    d.mkdir()
    return d


def remove_stale(db: Path) -> None:
    """Work folders of builds that died: called with the build lock held."""
    import shutil

    for d in db.parent.glob(f"{db.name}.work-*"):
        shutil.rmtree(d, ignore_errors=True)
