"""Turning parsed reports into warehouse rows, and writing them in batches.

Parsing runs in worker processes; a worker sends back compact rows (a dict for `reports`, tuples for
`cells`) rather than the Report object, so little is pickled and the main process only appends.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from etl import formats as F
from etl.completeness import n_missing_cells
from etl.model import Report
from etl.reasons import wording
from etl.warehouse.schema import CHAPTER_TEXT_MAX

REPORT_COLUMNS = (
    "report_id", "agency_id", "agency_name", "year", "template", "t2_format", "t3_format", "t4_format",
    "published_on", "deadline", "is_late", "title", "source_path", "source_dir", "source_url", "sha256", "kind",
    "read_method", "problems", "n_problems", "missing", "chapters", "n_missing_cells", "is_active", "is_sample", "loaded_at",
    "proactive_items", "narrative", "narrative_evidence", "stated_on", "published_from", "page_url", "listing_url", "fetched_at",
)
CHAPTER_TEXTS = "chapter_texts"  # the key of a report row holding {chapter: (heading, text)}
CELL_COLUMNS = ("report_id", "tbl", "row_key", "col_key", "value", "raw", "kind", "placed", "is_total", "read",
                "ocr_conf")


@functools.cache
def arrow_types() -> tuple[tuple, dict]:
    """The Arrow types of the cells' columns (in CELL_COLUMNS order) and of the reports' non-string columns.
    pyarrow is imported here, not at the top: a no-change rebuild never builds an Arrow array."""
    import pyarrow as pa

    cells = (pa.string(), pa.string(), pa.string(), pa.string(), pa.float64(), pa.string(), pa.string(),
             pa.string(), pa.bool_(), pa.string(), pa.float64())
    reports = {"year": pa.int32(), "n_problems": pa.int32(), "n_missing_cells": pa.int32(),
               "is_late": pa.bool_(), "is_active": pa.bool_(), "is_sample": pa.bool_(),
               "proactive_items": pa.float64(), "published_on": pa.date32(), "deadline": pa.date32(),
               "loaded_at": pa.timestamp("us"), "stated_on": pa.date32(), "fetched_at": pa.timestamp("us")}
    return cells, reports


def is_total(tbl: str, row: str, col: str) -> bool:
    """A printed total: table 3's total column and total_processed row, table 4's total column."""
    return (tbl == "t3" and (col == "total" or row == "total_processed")) or (tbl == "t4" and col == "total")


def _date(s: str | None) -> dt.date | None:
    if not s:
        return None
    try:
        return dt.date.fromisoformat(s[:10])
    except ValueError:
        return None


def _number(x) -> float | None:
    return float(x) if isinstance(x, int | float) and not isinstance(x, bool) else None


def report_rows(report: Report, sha: str, path: str) -> tuple[dict, list[tuple]]:
    """The `reports` row and the `cells` rows of one parsed report. The row carries the chapters' texts under
    CHAPTER_TEXTS (not a column of `reports`: Batch writes them to `chapter_texts`)."""
    cells = [(sha, c.table, c.row, c.col, None if c.value is None else float(c.value), c.raw, c.kind,
              c.placed, is_total(c.table, c.row, c.col), c.read, c.conf) for c in report.cells]
    fmts = {t: report.table_formats.get(t) for t in F.TABLES}  # decided once, by the extractor
    narrative = {k: v for k, v in report.narrative.items() if v is not None}
    row = {
        "report_id": sha, "agency_id": None, "agency_name": report.agency, "year": report.year,
        "template": report.template, "t2_format": fmts["t2"], "t3_format": fmts["t3"], "t4_format": fmts["t4"],
        "published_on": _date(report.published_on), "deadline": None, "is_late": None, "title": report.title,
        "source_path": path, "source_dir": os.path.dirname(path), "source_url": report.meta.get("url"),
        "sha256": sha, "kind": report.source.kind, "read_method": report.source.read,
        "problems": json.dumps([p.__dict__ for p in report.problems], ensure_ascii=False),
        "n_problems": len(report.problems), "missing": json.dumps(report.missing, ensure_ascii=False),
        "chapters": json.dumps(sorted(report.chapters), ensure_ascii=False), "n_missing_cells": n_missing_cells(report),
        "is_active": None, "is_sample": report.meta.get("sample") == "1",
        "loaded_at": dt.datetime.now().replace(microsecond=0),
        "proactive_items": _number(report.narrative.get("proactive_items")),
        "narrative": json.dumps(narrative, ensure_ascii=False),
        # the sentence each fact was read from, and whether it is approximate (N余条): the text-vs-table
        # finding quotes it, and an approximate figure is not held against the table
        "narrative_evidence": json.dumps({k: v for k, v in getattr(report, "narrative_evidence", {}).items()
                                          if k in narrative}, ensure_ascii=False),
        # the date the report states; a collected file's web dates replace published_on at build time
        # (etl.warehouse.provenance), published_from says which date it holds
        "stated_on": _date(report.published_on), "published_from": "report" if report.published_on else None,
        "page_url": None, "listing_url": None, "fetched_at": None,
        CHAPTER_TEXTS: {k: (report.headings.get(k), (v or "")[:CHAPTER_TEXT_MAX]) for k, v in report.chapters.items()},
    }
    return row, cells


def sha256_file(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class Batch:
    """Rows waiting to be written; flushed every `size` reports to bound memory."""

    con: duckdb.DuckDBPyConnection
    size: int = 2000
    reports: list[dict] = field(default_factory=list)
    cells: list[tuple] = field(default_factory=list)
    chapters: list[tuple] = field(default_factory=list)
    errors: list[tuple] = field(default_factory=list)
    n_reports: int = 0
    n_errors: int = 0

    def add_report(self, row: dict, cells: list[tuple]) -> None:
        texts = row.pop(CHAPTER_TEXTS, None) or {}
        self.chapters.extend((row["report_id"], k, h, v) for k, (h, v) in texts.items())
        self.reports.append(row)
        self.cells.extend(cells)
        self.n_reports += 1
        if len(self.reports) >= self.size:
            self.flush()

    def add_error(self, path: str, sha: str | None, code: str, detail: str = "") -> None:
        zh, en = wording(code, detail)
        self.errors.append((path, sha, code, en, zh, dt.datetime.now().replace(microsecond=0)))
        self.n_errors += 1

    def flush(self) -> None:
        import pyarrow as pa

        cell_types, report_types = arrow_types()
        if self.reports:
            cols = {c: [r[c] for r in self.reports] for c in REPORT_COLUMNS}
            tbl = pa.table({c: pa.array(v, type=report_types.get(c, pa.string())) for c, v in cols.items()})
            self.con.register("batch_reports", tbl)
            self.con.execute(f"INSERT INTO reports ({', '.join(REPORT_COLUMNS)}) "
                             f"SELECT {', '.join(REPORT_COLUMNS)} FROM batch_reports")
            self.con.unregister("batch_reports")
            self.reports = []
        if self.cells:
            cols = list(zip(*self.cells, strict=True))
            tbl = pa.table({n: pa.array(v, type=t) for n, v, t in zip(CELL_COLUMNS, cols, cell_types, strict=True)})
            self.con.register("batch_cells", tbl)
            self.con.execute(f"INSERT INTO cells ({', '.join(CELL_COLUMNS)}) SELECT {', '.join(CELL_COLUMNS)} "
                             "FROM batch_cells")
            self.con.unregister("batch_cells")
            self.cells = []
        if self.chapters:
            cols = list(zip(*self.chapters, strict=True))
            tbl = pa.table({n: pa.array(v, type=pa.string())
                            for n, v in zip(("report_id", "chapter", "heading", "text"), cols, strict=True)})
            self.con.register("batch_chapters", tbl)
            self.con.execute("INSERT INTO chapter_texts (report_id, chapter, heading, text) "
                             "SELECT report_id, chapter, heading, text FROM batch_chapters")
            self.con.unregister("batch_chapters")
            self.chapters = []
        if self.errors:
            self.con.executemany("INSERT INTO ingest_errors VALUES (?, ?, ?, ?, ?, ?)", self.errors)
            self.errors = []


def load_reports(con: duckdb.DuckDBPyConnection, reports: list[Report]) -> None:
    """Load Report objects directly (tests, and callers that parsed already); report_id = source.sha256."""
    batch = Batch(con)
    for r in reports:
        row, cells = report_rows(r, r.source.sha256, str(Path(r.source.path)))
        batch.add_report(row, cells)
    batch.flush()
