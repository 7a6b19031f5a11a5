"""Marts for the dashboard, materialized at build time (one scan of the cells table, not one per query).

- report_metrics: one row per ACTIVE report: who and when (agency, region, level, year, template, the
  tables' formats, published_on, deadline, is_late, n_fail, n_uncertain, has_fail …) and one column per
  measure of etl.metrics, generated from the registry.
- outcomes_long: one row per active report × outcome row of table 3 (total column, no totals rows).
- applicants_long: one row per active report × applicant column of table 3's new_received row; the cell's
  `value` keeps its warehouse name (cells.value), as in the other long marts.
- review_long: one row per active report × table 4 block × result (no total).
- t2_long: one row per active report × table 2 cell, stored in (row, column) order so a query for one
  cell reads only its row groups (a scan of all cells is seconds at 1M reports).

A sum over cells is NULL (not 0) when any input is empty/na/text or absent: SQL's `+` propagates NULL.

Measure columns are named by one rule: after the canonical keys they read, `[t2_]<subject>[_<column>]`.
- subject: a row key (`new_received`, `review`), an outcome group of etl.formats (`withheld`, `other`), or a
  named set of rows (`litigation` = both litigation blocks of table 4, `all` = all three blocks,
  `requests_to_handle` = new_received + carried_over, `granted_or_partly`); report counts are
  `<what>_reports` (`reports`, `late_reports`, `failed_reports`); a report field read alone keeps its
  name (`proactive_items`).
- column: a column key (`review_total`, `all_pending`) or `decided` (total − pending); left out where the
  subject has one quantity: table 3's measures all read its total column, table 2's 2021 rows with one
  column (`t2_licensing` = its decisions, `t2_admin_fees` = its amount in 万元).
- table 2's measures carry the prefix `t2_` (its row keys name matters, not counts), with
  normative_documents shortened to `normative`.
"""

from __future__ import annotations

import re

import duckdb

from etl import formats as F
from etl import metrics as M
from etl.checks.categories import ACCUSATION

_IDENT = re.compile(r"^[a-z_][a-z0-9_]*$")
_KEY = re.compile(r"^[a-z0-9_]+$")

# SQL of each report field a measure may read (etl.metrics.FIELDS), over reports r and findings counts f.
FIELD_SQL: dict[str, str] = {
    "proactive_items": "r.proactive_items",
    "is_late": "CAST(r.is_late AS INTEGER)",
    "has_fail": "CAST(coalesce(f.n_fail, 0) > 0 AS INTEGER)",
    "has_figure_error": "CAST(coalesce(f.n_fail_figures, 0) > 0 AS INTEGER)",
    "report": "1",
}


def _check_registry() -> None:
    """Every name and key that reaches SQL below is a plain identifier; every field has its SQL."""
    M.check()
    for ms in M.MEASURES:
        if not _IDENT.match(ms.name):
            raise RuntimeError(f"measure name {ms.name!r} is not an identifier")
        for s in ms.sources:
            if s in M.FIELDS:
                if s not in FIELD_SQL:
                    raise RuntimeError(f"field {s!r} has no SQL")
            elif not all(_KEY.match(p) for p in M.Term(1, s).addr):
                raise RuntimeError(f"cell {s!r} is not a canonical address")


def _cells() -> list[str]:
    """Every cell some measure reads, in registry order."""
    return list(dict.fromkeys(s for ms in M.MEASURES for s in ms.sources if s not in M.FIELDS))


def _term_sql(t: M.Term) -> str:
    return FIELD_SQL[t.source] if not t.is_cell else f'p."{t.source}"'


def _terms_sql(terms: tuple[M.Term, ...]) -> str:
    out = ""
    for i, t in enumerate(terms):
        op = (" - " if t.sign < 0 else " + ") if i else ("-" if t.sign < 0 else "")
        out += op + _term_sql(t)
    return f"({out})"


def measure_sql(ms: M.Measure) -> str:
    """The SQL of one measure: its terms, chosen by the format of table `by` when they differ (else NULL)."""
    if ms.by is None:
        return _terms_sql(ms.terms_for(None) or ())
    whens = " ".join(f"WHEN '{F.Format(fmt).value}' THEN {_terms_sql(ts)}" for fmt, ts in ms.terms.items())
    return f"CASE r.{ms.by}_format {whens} END"


def build(con: duckdb.DuckDBPyConnection) -> None:
    _check_registry()
    picks = ",\n".join(  # keys come from etl.formats via the registry, never from input
        f"max(value) FILTER (WHERE tbl = '{a.table}' AND row_key = '{a.row}' AND col_key = '{a.col}') AS \"{a}\""
        for a in map(F.Addr.parse, _cells()))
    measures = ",\n".join(f"{measure_sql(ms)} AS {ms.name}" for ms in M.MEASURES)
    con.execute(f"""
        CREATE OR REPLACE TABLE report_metrics AS
        WITH p AS (
            SELECT report_id, {picks}
            FROM cells WHERE report_id IN (SELECT report_id FROM reports WHERE is_active)
            GROUP BY report_id
        ), f AS (
            SELECT report_id, count(*) FILTER (WHERE {ACCUSATION}) AS n_fail,
                   count(*) FILTER (WHERE {ACCUSATION} AND category = 'figures') AS n_fail_figures,
                   count(*) FILTER (WHERE status = 'uncertain') AS n_uncertain
            FROM findings WHERE report_id IS NOT NULL GROUP BY report_id
        )
        SELECT r.report_id, r.agency_id, r.agency_name, a.province, a.city, a.county, a.level, a.kind, a.sector,
               coalesce(r.is_sample, FALSE) OR coalesce(a.is_sample, FALSE) AS is_sample, r.year, r.template,
               r.t2_format, r.t3_format, r.t4_format, r.read_method, r.published_on, r.deadline, r.is_late,
               {measures},
               coalesce(f.n_fail, 0) AS n_fail, coalesce(f.n_uncertain, 0) AS n_uncertain,
               coalesce(f.n_fail, 0) > 0 AS has_fail,
               coalesce(f.n_fail_figures, 0) AS n_fail_figures, coalesce(f.n_fail_figures, 0) > 0 AS has_figure_error
        FROM reports r LEFT JOIN p USING (report_id) LEFT JOIN agencies a USING (agency_id)
        LEFT JOIN f USING (report_id)
        WHERE r.is_active""")
    # each outcome row's group (both formats' rows), from etl.formats: two parallel lists, zipped by unnest
    con.execute("""
        CREATE OR REPLACE TABLE outcomes_long AS
        WITH g AS (SELECT unnest(?::VARCHAR[]) AS row_key, unnest(?::VARCHAR[]) AS outcome_group)
        SELECT c.report_id, r.agency_id, r.year, g.outcome_group, c.row_key AS outcome, c.value
        FROM cells c JOIN reports r USING (report_id) JOIN g USING (row_key)
        WHERE r.is_active AND c.tbl = 't3' AND c.col_key = 'total'""",
                [list(F.GROUP_OF_ROW), list(F.GROUP_OF_ROW.values())])
    con.execute("""
        CREATE OR REPLACE TABLE applicants_long AS
        SELECT c.report_id, r.agency_id, r.year, c.col_key AS applicant, c.value
        FROM cells c JOIN reports r USING (report_id)
        WHERE r.is_active AND c.tbl = 't3' AND c.row_key = 'new_received' AND c.col_key <> 'total'""")
    con.execute("""
        CREATE OR REPLACE TABLE review_long AS
        SELECT c.report_id, r.agency_id, r.year, c.row_key AS block, c.col_key AS result, c.value
        FROM cells c JOIN reports r USING (report_id)
        WHERE r.is_active AND c.tbl = 't4' AND c.col_key <> 'total'""")
    con.execute("""
        CREATE OR REPLACE TABLE t2_long AS
        SELECT c.report_id, r.agency_id, r.year, c.row_key, c.col_key, c.value
        FROM cells c JOIN reports r USING (report_id)
        WHERE r.is_active AND c.tbl = 't2' ORDER BY c.row_key, c.col_key, c.report_id""")
