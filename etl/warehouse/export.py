"""`python -m etl export [--db FILE] (--parquet DIR | --csv DIR)`

Parquet: cells, reports, findings and report_metrics, each a folder partitioned by year (DIR/cells/year=2022/…).
CSV: one file per table and mart (DIR/reports.csv …), UTF-8 with a header.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb

from etl.warehouse.build import DEFAULT_DB

# table -> query giving it a year column to partition by (cells take the year of their report)
PARQUET = {
    "reports": "SELECT * FROM reports",
    "cells": "SELECT c.*, r.year FROM cells c JOIN reports r USING (report_id)",
    "findings": "SELECT * FROM findings",
    "report_metrics": "SELECT * FROM report_metrics",
}
CSV = ("agencies", "reports", "cells", "findings", "ingest_errors", "skipped", "build_info", "report_metrics",
       "outcomes_long", "applicants_long", "review_long", "t2_long")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", default=DEFAULT_DB, help=f"warehouse file (default {DEFAULT_DB})")
    p.add_argument("--parquet", metavar="DIR", help="write Parquet folders partitioned by year")
    p.add_argument("--csv", metavar="DIR", help="write one CSV file per table")


def export_parquet(con: duckdb.DuckDBPyConnection, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, query in PARQUET.items():
        target = out / name
        con.sql(query).write_parquet(str(target), partition_by=["year"], overwrite=True)
        written.append(target)
    return written


def export_csv(con: duckdb.DuckDBPyConnection, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name in CSV:
        target = out / f"{name}.csv"
        con.table(name).write_csv(str(target), header=True)
        written.append(target)
    return written


def run(args: argparse.Namespace) -> int:
    if not args.parquet and not args.csv:
        print("export: give --parquet DIR and/or --csv DIR", file=sys.stderr)
        return 2
    db = Path(args.db)
    if not db.is_file():
        print(f"export: no warehouse at {db} (run `python -m etl build` first)", file=sys.stderr)
        return 2
    with duckdb.connect(str(db), read_only=True) as con:
        if args.parquet:
            for p in export_parquet(con, Path(args.parquet)):
                print(f"wrote {p}/")
        if args.csv:
            for p in export_csv(con, Path(args.csv)):
                print(f"wrote {p}")
    return 0
