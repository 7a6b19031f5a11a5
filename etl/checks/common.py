"""What every rule family shares: the rule tables in DuckDB, cell addresses, number formatting, Chinese cell
names, appending findings (their wording from etl.checks.messages)."""

from __future__ import annotations

import duckdb

from etl import formats as F
from etl.checks import definitions
from etl.checks import labels as L
from etl.checks import messages as M


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
    # a cell's address, "t3.granted.total": the SQL twin of str(etl.formats.Addr)
    con.execute("CREATE OR REPLACE TEMP MACRO addr(t, r, c) AS t || '.' || r || '.' || c")
    # Chinese names of cells, tables and chapters, looked up in SQL by address (a map: no join per list)
    con.register("chk_addr_df", L.addr_frame())
    con.execute("SET VARIABLE chk_addr_zh = (SELECT map(list(addr), list(zh)) FROM chk_addr_df)")
    con.execute("SET VARIABLE chk_addr_en = (SELECT map(list(addr), list(en)) FROM chk_addr_df)")
    con.unregister("chk_addr_df")
    # English names the same way, for message_en
    con.execute("CREATE OR REPLACE TEMP MACRO cen(a) AS coalesce(getvariable('chk_addr_en')[a], a)")
    con.execute("""CREATE OR REPLACE TEMP MACRO cens(xs, sep) AS
                   array_to_string(list_transform(xs, lambda x: cen(x)), sep)""")
    for var, table in (("chk_narr_en", L.NARRATIVE_EN), ("chk_kind_en", L.KIND_EN)):
        con.execute(f"SET VARIABLE {var} = MAP(?::VARCHAR[], ?::VARCHAR[])", [list(table), list(table.values())])
    con.execute("CREATE OR REPLACE TEMP MACRO ken(k) AS coalesce(getvariable('chk_kind_en')[k], k)")
    con.execute("CREATE OR REPLACE TEMP MACRO czh(a) AS coalesce(getvariable('chk_addr_zh')[a], a)")
    con.execute("""CREATE OR REPLACE TEMP MACRO czhs(xs, sep) AS
                   array_to_string(list_transform(xs, lambda x: czh(x)), sep)""")
    for var, table in (("chk_kind_zh", L.KIND_ZH), ("chk_narr_zh", L.NARRATIVE_ZH), ("chk_tmpl_zh", L.TEMPLATE_ZH)):
        con.execute(f"SET VARIABLE {var} = MAP(?::VARCHAR[], ?::VARCHAR[])", [list(table), list(table.values())])
    con.execute("CREATE OR REPLACE TEMP MACRO kzh(k) AS coalesce(getvariable('chk_kind_zh')[k], k)")
    con.execute("CREATE OR REPLACE TEMP MACRO tzh(k) AS coalesce(getvariable('chk_tmpl_zh')[k], k)")
    # a number as a person writes it: 12, not 12.0
    con.execute("""CREATE OR REPLACE TEMP MACRO fnum(x) AS CASE WHEN x IS NULL THEN '—'
                   WHEN x = round(x) AND abs(x) < 1e15 THEN CAST(CAST(x AS BIGINT) AS VARCHAR)
                   ELSE CAST(round(x, 4) AS VARCHAR) END""")
    # the template a report for a year is due in (etl.formats.format_for_year, as SQL over its constants)
    due = " ".join(f"WHEN y >= {int(first)} THEN '{fmt.value}'"
                   for fmt, first in sorted(F.FORMAT_FROM_YEAR.items(), key=lambda x: -x[1]))
    con.execute(f"CREATE OR REPLACE TEMP MACRO due_format(y) AS CASE {due} ELSE '{F.LEGACY}' END")
    # each printed table in its format (decided once by the extractor): the grain identities are evaluated at
    con.execute("""CREATE OR REPLACE TEMP TABLE chk_rep_fmt AS
        SELECT report_id, 't2' AS tbl, t2_format AS fmt FROM reports WHERE t2_format IS NOT NULL
        UNION ALL SELECT report_id, 't3', t3_format FROM reports WHERE t3_format IS NOT NULL
        UNION ALL SELECT report_id, 't4', t4_format FROM reports WHERE t4_format IS NOT NULL""")


def insert(con: duckdb.DuckDBPyConnection, select_sql: str, params: list | dict | None = None, *,
           messages: str, responsibility: str = "'source'") -> None:
    """Append the rows of a SELECT (report_id, agency_id, year, rule, status, severity, cells VARCHAR[],
    expected, actual, and the placeholder columns — plus `variant` if it has several — of message key
    `messages`) to findings, worded from that key's templates. `responsibility` is a SQL expression over
    those columns (a constant by default: the report's own).

    finding_id is what the finding is about, not how it is worded: md5 of rule | report_id | agency_id |
    year | cells (JSON). Within a rule, a report's findings never share a cells list (one per group, cell,
    figure or kind of gap), so this is unique; run_all verifies it."""
    con.execute(f"""
        INSERT INTO findings (finding_id, report_id, agency_id, year, rule, status, responsibility, severity, cells,
                              expected, actual, message, message_en)
        SELECT substr(md5(concat_ws('|', rule, coalesce(report_id, ''), coalesce(agency_id, ''),
                                    coalesce(CAST(year AS VARCHAR), ''), CAST(to_json(cells) AS VARCHAR))), 1, 16),
               report_id, agency_id, year, rule, status, {responsibility}, severity, to_json(cells), expected,
               actual, {M.sql(messages)}
        FROM ({select_sql}) AS f""", params or [])
