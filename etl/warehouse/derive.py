"""Steps after loading that need every report at once: agencies, the active report of each agency-year,
deadlines. (Each report's completeness, `n_missing_cells`, is counted when it is loaded: etl.completeness.)"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import duckdb

from etl.warehouse import deadlines
from etl.warehouse.agencies import Resolver
from etl.warehouse.expected import Expected


def resolve_agencies(con: duckdb.DuckDBPyConnection, resolver: Resolver, expected: Sequence[Expected] = ()) -> None:
    """Fill agencies and reports.agency_id from the printed names and the folders they were found in, and
    expected_reporters from the 应报名单: a listed agency that never published still gets its agencies row."""
    import pandas as pd  # here, not at the top: a no-change rebuild never pays for it

    names = con.execute("""SELECT agency_name, source_dir, bool_or(coalesce(is_sample, FALSE))
                           FROM reports WHERE agency_name IS NOT NULL GROUP BY 1, 2""").fetchall()
    # a listed name resolves like a printed one (folder None: its place comes from the name or the list)
    listed = [(e.name, None, False) for e in expected]
    resolved = resolver.resolve([(n, d) for n, d, _ in names + listed])
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
    rows = []
    for e in expected:
        r = resolved[(e.name, None)]
        if r.agency_id not in by_id:  # never published: named as the list names it
            by_id[r.agency_id] = r
            printed[r.agency_id].append(e.name)
        rows.append((r.agency_id, e.name, e.from_year, e.to_year, e.source))
    if rows:
        # two names on the list for one agency: the widest range (an open bound wins)
        con.execute("CREATE TEMP TABLE expected_in (agency_id VARCHAR, name VARCHAR, from_year INTEGER, "
                    "to_year INTEGER, source VARCHAR)")
        con.executemany("INSERT INTO expected_in VALUES (?, ?, ?, ?, ?)", rows)
        con.execute("""INSERT INTO expected_reporters
                       SELECT agency_id, min(name), CASE WHEN bool_or(from_year IS NULL) THEN NULL ELSE min(from_year) END,
                              CASE WHEN bool_or(to_year IS NULL) THEN NULL ELSE max(to_year) END, min(source)
                       FROM expected_in GROUP BY agency_id""")
        con.execute("DROP TABLE expected_in")
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


def run(con: duckdb.DuckDBPyConnection, resolver: Resolver, expected: Sequence[Expected] = (),
        deadline_rules: list[deadlines.Rule] | None = None) -> None:
    resolve_agencies(con, resolver, expected)
    choose_active(con)
    # by the law of the report's year and the agency's kind (etl/warehouse/deadlines.py)
    deadlines.apply(con, deadlines.rules() if deadline_rules is None else deadline_rules)
