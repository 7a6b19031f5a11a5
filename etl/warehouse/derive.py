"""Steps after loading that need every report at once: agencies, completeness counts, the active report of
each agency-year, deadlines."""

from __future__ import annotations

from collections import defaultdict

import duckdb
import pandas as pd

from etl.checks import definitions
from etl.warehouse.agencies import Resolver


def resolve_agencies(con: duckdb.DuckDBPyConnection, resolver: Resolver) -> None:
    """Fill agencies and reports.agency_id from the printed names and the folders they were found in."""
    names = con.execute("""SELECT agency_name, source_dir, bool_or(coalesce(is_sample, FALSE))
                           FROM reports WHERE agency_name IS NOT NULL GROUP BY 1, 2""").fetchall()
    resolved = resolver.resolve([(n, d) for n, d, _ in names])
    printed: dict[str, list[str]] = defaultdict(list)
    sample: dict[str, bool] = defaultdict(bool)
    by_id = {}
    mapping = []
    for name, folder, is_sample in names:
        r = resolved[(name, folder)]
        by_id[r.agency_id] = r
        printed[r.agency_id].append(name)
        sample[r.agency_id] |= bool(is_sample)
        mapping.append((name, folder, r.agency_id))
    agencies = pd.DataFrame([resolver.describe(by_id[a], printed[a], sample[a]) for a in by_id],
                            columns=["agency_id", "name", "identity", "province", "city", "county", "level", "kind",
                                     "sector", "is_sample", "region_source", "deadline_month", "deadline_day"])
    con.register("agencies_df", agencies)
    con.execute("INSERT INTO agencies SELECT * FROM agencies_df")
    con.unregister("agencies_df")
    m = pd.DataFrame(mapping, columns=["agency_name", "source_dir", "agency_id"])
    con.register("agency_map", m)
    con.execute("""UPDATE reports SET agency_id = m.agency_id FROM agency_map m
                   WHERE reports.agency_name = m.agency_name AND reports.source_dir = m.source_dir""")
    con.unregister("agency_map")
    # a sample agency makes its reports sample data too (reference CSV or 样例 names)
    con.execute("""UPDATE reports SET is_sample = TRUE FROM agencies a
                   WHERE reports.agency_id = a.agency_id AND a.is_sample AND NOT coalesce(reports.is_sample, FALSE)""")


def count_missing_cells(con: duckdb.DuckDBPyConnection) -> None:
    """n_missing_cells: expected cells of each table's format that are absent or empty; a whole table absent
    counts as all its cells, so a report lacking table 4 is less complete than one with a few blanks."""
    con.register("expected_df", definitions.expected_frame())
    con.execute("""
        CREATE OR REPLACE TEMP TABLE missing_counts AS
        WITH fmt AS (
            SELECT report_id, coalesce(t3_format, t2_format, CASE WHEN template IN ('2021', '2019') THEN template
                                                             ELSE '2021' END) AS base, t2_format, t3_format
            FROM reports
        ), want AS (  -- per report and table: how many cells its format prints
            SELECT f.report_id, t.tbl, CASE t.tbl WHEN 't2' THEN coalesce(f.t2_format, f.base)
                                                  WHEN 't3' THEN coalesce(f.t3_format, f.base) ELSE '2021' END AS fmt
            FROM fmt f CROSS JOIN (SELECT unnest(['t2', 't3', 't4']) AS tbl) t
        ), n AS (SELECT tbl, fmt, count(*) AS n_expected FROM expected_df GROUP BY ALL),
        have AS (
            SELECT c.report_id, c.tbl, count(*) AS n_have, count(*) FILTER (WHERE c.kind = 'empty') AS n_empty
            FROM cells c JOIN want w ON w.report_id = c.report_id AND w.tbl = c.tbl
            JOIN expected_df e ON e.tbl = c.tbl AND e.fmt = w.fmt AND e.row_key = c.row_key AND e.col_key = c.col_key
            GROUP BY ALL
        )
        SELECT w.report_id, sum(n.n_expected - coalesce(h.n_have, 0) + coalesce(h.n_empty, 0))::INTEGER AS n
        FROM want w JOIN n USING (tbl, fmt) LEFT JOIN have h USING (report_id, tbl) GROUP BY 1""")
    con.execute("""UPDATE reports SET n_missing_cells = n.n FROM missing_counts n
                   WHERE reports.report_id = n.report_id""")
    con.unregister("expected_df")


def choose_active(con: duckdb.DuckDBPyConnection) -> None:
    """One active report per agency-year: the most complete (fewest missing cells), then fewest problems,
    then latest published_on, then sha256 order. A report without agency or year cannot be placed: inactive."""
    con.execute("""
        CREATE OR REPLACE TEMP TABLE ranked AS
        SELECT report_id, row_number() OVER (
            PARTITION BY agency_id, year
            ORDER BY n_missing_cells, n_problems, published_on DESC NULLS LAST, sha256) AS rn
        FROM reports WHERE agency_id IS NOT NULL AND year IS NOT NULL""")
    con.execute("UPDATE reports SET is_active = FALSE")
    con.execute("UPDATE reports SET is_active = TRUE FROM ranked WHERE reports.report_id = ranked.report_id "
                "AND ranked.rn = 1")


def deadlines(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("""
        UPDATE reports SET deadline = make_date(reports.year + 1, a.deadline_month, a.deadline_day),
                           is_late = CASE WHEN reports.published_on IS NULL THEN NULL
                                          ELSE reports.published_on > make_date(reports.year + 1, a.deadline_month,
                                                                                a.deadline_day) END
        FROM agencies a WHERE reports.agency_id = a.agency_id AND reports.year IS NOT NULL""")


def run(con: duckdb.DuckDBPyConnection, resolver: Resolver) -> None:
    resolve_agencies(con, resolver)
    count_missing_cells(con)
    choose_active(con)
    deadlines(con)
