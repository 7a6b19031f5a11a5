"""Marked findings against the warehouse: what a mark records of its finding, and after each build whether the
finding is still open.

A finding's id names its report (the file's sha256), so a report the agency republished has new ids for the
same problems. The follow-up therefore asks about the agency-year's active report now (etl.warehouse.derive),
by the problem (rule, agency, year, cells: etl.casework.store.PROBLEM_SQL):

- open: the active report (the same or a republished one) still has the problem; a finding without a report
  (a missing year) is still found;
- rectified: a different report is now the agency-year's active one and it does not have the problem (the
  agency republished a corrected report); a missing year that now has a report;
- withdrawn: the same report is still the active one but the finding is gone (a corrected reading — an
  override — or changed checks): the agency did nothing, so it is not "rectified";
- gone: the agency-year has no active report any more (its file was dropped), so nothing can be said.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb
import pandas as pd

from etl.casework.store import PROBLEM_SQL, SNAPSHOT_COLUMNS, Store, os_user


def snapshot(con: duckdb.DuckDBPyConnection, finding_ids: Sequence[str]) -> list[dict]:
    """What a mark keeps of each finding (SNAPSHOT_COLUMNS), from the warehouse; ids not found are left out."""
    if not finding_ids:
        return []
    cur = con.execute(f"""
        SELECT fi.finding_id, fi.rule, fi.status, fi.responsibility, fi.report_id, fi.agency_id, a.name AS agency,
               fi.year, CAST(fi.cells AS VARCHAR) AS cells, fi.message, fi.message_en, {PROBLEM_SQL} AS problem
        FROM findings fi LEFT JOIN agencies a USING (agency_id)
        WHERE list_contains(?::VARCHAR[], fi.finding_id)""", [list(finding_ids)])
    cols = [d[0] for d in cur.description]
    out = [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
    assert all(c in cols for c in SNAPSHOT_COLUMNS)
    return out


OUTCOME_SQL = f"""
WITH m AS (SELECT * FROM casework_marks),
f AS (SELECT finding_id, report_id, {PROBLEM_SQL} AS problem FROM findings),
act AS (SELECT agency_id, year, any_value(report_id) AS report_id FROM reports
        WHERE is_active AND agency_id IS NOT NULL AND year IS NOT NULL GROUP BY 1, 2)
SELECT m.finding_id,
  CASE
    WHEN m.report_id IS NULL THEN
      CASE WHEN EXISTS (SELECT 1 FROM f WHERE f.report_id IS NULL AND f.problem = m.problem) THEN 'open'
           WHEN a.report_id IS NOT NULL THEN 'rectified'
           ELSE 'gone' END
    WHEN a.report_id IS NULL THEN
      CASE WHEN EXISTS (SELECT 1 FROM f WHERE f.finding_id = m.finding_id) THEN 'open' ELSE 'gone' END
    WHEN EXISTS (SELECT 1 FROM f WHERE f.report_id = a.report_id
                                   AND (f.problem = m.problem OR f.finding_id = m.finding_id)) THEN 'open'
    WHEN a.report_id = m.report_id THEN 'withdrawn'
    ELSE 'rectified'
  END AS outcome
FROM m LEFT JOIN act a ON a.agency_id = m.agency_id AND a.year = m.year"""


def outcomes(con: duckdb.DuckDBPyConnection, marks: list[dict]) -> dict[str, str]:
    """finding_id -> follow-up outcome of each marked finding over the warehouse `con`."""
    if not marks:
        return {}
    df = pd.DataFrame([{k: m.get(k) for k in ("finding_id", "report_id", "agency_id", "year", "problem")}
                       for m in marks]).astype({"year": "Int64"})
    con.register("casework_marks", df)
    try:
        return dict(con.execute(OUTCOME_SQL).fetchall())
    finally:
        con.unregister("casework_marks")


def reconcile(db: Path | str, user: str | None = None) -> dict[str, int]:
    """After a build: record every marked finding's outcome in the store beside `db` (a change is logged).
    Returns how many marks are in each outcome, plus 'changed'. Nothing is created when there is no store."""
    store = Store.beside(db)
    if not store.exists():
        return {}
    marks = store.marks()
    if not marks:
        return {}
    with duckdb.connect(str(db), read_only=True) as con:
        found = outcomes(con, marks)
    changed = store.set_outcomes(found, user or os_user())
    counts: dict[str, int] = {}
    for o in found.values():
        counts[o] = counts.get(o, 0) + 1
    return {**counts, "changed": changed}
