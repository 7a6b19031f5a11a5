"""What every rule family shares: the rule tables in DuckDB, number formatting, appending findings."""

from __future__ import annotations

import duckdb

from etl.checks import definitions


def register(con: duckdb.DuckDBPyConnection) -> None:
    """Temp tables of the table-driven rule definitions, and the SQL helpers the rules use."""
    con.execute("SET enable_progress_bar = false")
    frames = {
        "chk_terms": definitions.terms_frame(),
        "chk_rules": definitions.rules_frame(),
        "chk_expected": definitions.expected_frame(),
        "chk_narrative": definitions.narrative_frame(),
        "chk_cross": definitions.cross_year_frame(),
    }
    for name, df in frames.items():
        con.register(f"{name}_df", df)
        con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM {name}_df")
        con.unregister(f"{name}_df")
    # a number as a person writes it: 12, not 12.0
    con.execute("""CREATE OR REPLACE TEMP MACRO fnum(x) AS CASE WHEN x IS NULL THEN '—'
                   WHEN x = round(x) AND abs(x) < 1e15 THEN CAST(CAST(x AS BIGINT) AS VARCHAR)
                   ELSE CAST(round(x, 4) AS VARCHAR) END""")
    # table formats per report, the grain identities are evaluated at (table 4 is the same in both formats)
    con.execute("""CREATE OR REPLACE TEMP TABLE chk_rep_fmt AS
        SELECT report_id, 't2' AS tbl, t2_format AS fmt FROM reports WHERE t2_format IN ('2021', '2019')
        UNION ALL SELECT report_id, 't3', t3_format FROM reports WHERE t3_format IN ('2021', '2019')
        UNION ALL SELECT report_id, 't4', '2021' FROM reports WHERE t4_format IS NOT NULL""")


def insert(con: duckdb.DuckDBPyConnection, select_sql: str, params: list | None = None) -> None:
    """Append the rows of a SELECT (report_id, agency_id, year, rule, status, severity, cells VARCHAR[],
    expected, actual, message) to findings, with a stable finding_id."""
    con.execute(f"""
        INSERT INTO findings
        SELECT substr(md5(concat_ws('|', rule, coalesce(report_id, ''), coalesce(agency_id, ''),
                                    coalesce(CAST(year AS VARCHAR), ''), array_to_string(cells, ','), message)), 1, 16),
               report_id, agency_id, year, rule, status, severity, to_json(cells), expected, actual, message
        FROM ({select_sql})""", params or [])
