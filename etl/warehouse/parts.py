"""Parts: one parsed file's rows as one Arrow row, made by whichever worker parsed it, loaded by the build's writer.

A part is a single row: the file's `reports` row (etl.warehouse.load.REPORT_COLUMNS, typed as the Batch
types them) and its `cells` as a list of structs. A Dask task writes it as a Parquet file under the build's
work folder (under a temporary name, then renamed, so a worker killed mid-write, or a task run twice,
never leaves a half part); a local pool worker sends it back as Arrow IPC bytes (a Parquet file costs a
worker 1–2 ms, the bytes ~0.3 ms). Either way the build's main process does no work per cell: it inserts
batches of parts with one vectorised statement per table into the temp warehouse that is swapped in at
the end.
"""

from __future__ import annotations

import contextlib
import functools
import os
import secrets
from pathlib import Path

import duckdb

from etl.warehouse.load import CELL_COLUMNS, CHAPTER_TEXTS, REPORT_COLUMNS, arrow_types

CHAPTER_FIELDS = ("chapter", "heading", "text")  # a chapter_texts row, but its report_id


@functools.cache
def schema():
    """A part's Arrow schema: the reports columns, then `cells`, a list of structs of the cells columns, and
    `chapter_texts`, the report's chapter texts (the content checks compare them)."""
    import pyarrow as pa

    cell_types, report_types = arrow_types()
    cell = pa.struct([pa.field(n, t) for n, t in zip(CELL_COLUMNS, cell_types, strict=True)])
    return pa.schema([pa.field(c, report_types.get(c, pa.string())) for c in REPORT_COLUMNS]
                     + [pa.field("cells", pa.list_(cell)),
                        pa.field("chapter_texts", pa.list_(pa.struct([pa.field(n, pa.string()) for n in CHAPTER_FIELDS])))])


def table(row: dict, cells: list[tuple]):
    """One file's rows as a one-row Arrow table of the part schema."""
    import pyarrow as pa

    sch = schema()
    arrays = [pa.array([row[c]], type=sch.field(c).type) for c in REPORT_COLUMNS]
    columns = list(zip(*cells, strict=True)) or [()] * len(CELL_COLUMNS)
    cell_struct = sch.field("cells").type.value_type
    structs = pa.StructArray.from_arrays([pa.array(v, type=f.type) for v, f in zip(columns, cell_struct, strict=True)],
                                         fields=list(cell_struct))
    arrays.append(pa.ListArray.from_arrays(pa.array([0, len(cells)], pa.int32()), structs))
    texts = row.get(CHAPTER_TEXTS) or {}
    chapter_struct = sch.field("chapter_texts").type.value_type
    rows = [(k, h, v) for k, (h, v) in texts.items()]
    chapter_cols = list(zip(*rows, strict=True)) or [()] * len(CHAPTER_FIELDS)
    chapters = pa.StructArray.from_arrays([pa.array(v, type=pa.string()) for v in chapter_cols],
                                          fields=list(chapter_struct))
    arrays.append(pa.ListArray.from_arrays(pa.array([0, len(rows)], pa.int32()), chapters))
    return pa.Table.from_arrays(arrays, schema=sch)


def write(path: str | os.PathLike, row: dict, cells: list[tuple]) -> None:
    """Write one file's rows as the Parquet part at `path` (atomically: temp name, then rename)."""
    import pyarrow.parquet as pq

    tmp = f"{path}.tmp-{secrets.token_hex(4)}"
    try:
        # a part lives for seconds: no compression, statistics or dictionaries, which cost more than they save
        pq.write_table(table(row, cells), tmp, compression="none", write_statistics=False, use_dictionary=False)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.remove(tmp)
        raise


def to_bytes(row: dict, cells: list[tuple]) -> bytes:
    """One file's rows as Arrow IPC stream bytes (a local pool worker's answer)."""
    import pyarrow as pa

    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, schema()) as w:
        w.write_table(table(row, cells))
    return sink.getvalue().to_pybytes()


def _insert(con: duckdb.DuckDBPyConnection, source: str, params: list) -> None:
    con.execute(f"INSERT INTO reports ({', '.join(REPORT_COLUMNS)}) "
                f"SELECT {', '.join(REPORT_COLUMNS)} FROM {source}", params)
    con.execute(f"INSERT INTO cells ({', '.join(CELL_COLUMNS)}) "
                f"SELECT {', '.join('c.' + c for c in CELL_COLUMNS)} "
                f"FROM (SELECT unnest(cells) AS c FROM {source})", params)
    con.execute(f"INSERT INTO chapter_texts (report_id, {', '.join(CHAPTER_FIELDS)}) "
                f"SELECT report_id, {', '.join('h.' + c for c in CHAPTER_FIELDS)} "
                f"FROM (SELECT report_id, unnest(chapter_texts) AS h FROM {source})", params)


def insert(con: duckdb.DuckDBPyConnection, paths: list[str]) -> None:
    """Insert the Parquet parts' reports and cells into the warehouse being built."""
    if paths:
        _insert(con, "read_parquet(?)", [paths])


def insert_bytes(con: duckdb.DuckDBPyConnection, blobs: list[bytes]) -> None:
    """Insert parts sent as Arrow IPC bytes."""
    import pyarrow as pa

    if not blobs:
        return
    batches = [b for blob in blobs for b in pa.ipc.open_stream(blob)]
    # one chunk: DuckDB scans a table of a thousand one-row chunks ten times slower
    con.register("parts_batch", pa.Table.from_batches(batches, schema=schema()).combine_chunks())
    try:
        _insert(con, "parts_batch", [])
    finally:
        con.unregister("parts_batch")


class Loader:
    """Parts waiting to be inserted, in batches: Parquet parts (removed once they are in the warehouse, so
    the work folder holds at most a batch and the parts in flight) and IPC parts (held in memory)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, size: int = 1000) -> None:
        self.con, self.size = con, size
        self.paths: list[str] = []
        self.blobs: list[bytes] = []

    def add(self, path: str) -> None:
        self.paths.append(path)
        if len(self.paths) >= self.size:
            self.flush()

    def add_bytes(self, blob: bytes) -> None:
        self.blobs.append(blob)
        if len(self.blobs) >= self.size:
            self.flush()

    def flush(self) -> None:
        insert(self.con, self.paths)
        for p in self.paths:
            discard(p)
        self.paths = []
        insert_bytes(self.con, self.blobs)
        self.blobs = []


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
