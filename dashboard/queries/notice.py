"""The reporting rate and the 通报 list: the notice page."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from dashboard.filters import Filters
from dashboard.queries.sql import (
    ACCUSE,
    Run,
    message_sql,
)

# --- reporting rate and the 通报 list ---------------------------------------------------------------------

def reporting(run: Run, f: Filters, year: int) -> pd.DataFrame:
    """Per agency with a report for `year` or found missing by the coverage check (etl/checks/oversight.py
    decides which years an agency owes, from the 应报名单 where it lists the agency): status on_time / late /
    undated / missing, days late, its region, and `due`: whether the year is one it owes (FALSE only for a
    report from a listed agency outside its listed years). Agency filters apply; the year is the one asked."""
    aw, ap = f.agency_where("a")
    return run(f"""
    WITH due AS (
      SELECT r.agency_id, r.report_id, CASE WHEN r.is_late IS NULL THEN 'undated' WHEN r.is_late THEN 'late'
                                            ELSE 'on_time' END AS status,
             r.published_on, r.deadline, date_diff('day', r.deadline, r.published_on) AS days,
             e.agency_id IS NULL OR (coalesce(e.from_year <= r.year, TRUE) AND coalesce(e.to_year >= r.year, TRUE))
                 AS due
      FROM reports r LEFT JOIN expected_reporters e USING (agency_id) WHERE r.is_active AND r.year = ?
      UNION ALL
      SELECT fi.agency_id, NULL, 'missing', NULL, NULL, NULL, TRUE
      FROM findings fi WHERE fi.rule = 'coverage' AND fi.year = ? AND {ACCUSE})
    SELECT a.name AS agency, a.province, a.city, a.county, a.level, a.kind, due.status, due.published_on,
           due.deadline, CASE WHEN due.status = 'late' THEN due.days END AS days_late, due.report_id, due.due,
           a.agency_id IN (SELECT agency_id FROM expected_reporters) AS listed
    FROM due JOIN agencies a USING (agency_id) WHERE {aw}
    ORDER BY a.province NULLS LAST, a.city NULLS LAST, a.name""", [year, year, *ap])


def expected_list(run: Run) -> dict:
    """The 应报名单 loaded into the warehouse: how many agencies it names, and from which files."""
    df = run("SELECT count(*) AS n, list(DISTINCT source ORDER BY source) AS sources FROM expected_reporters", [])
    n = int(df["n"].iloc[0]) if not df.empty else 0
    return {"n": n, "sources": list(df["sources"].iloc[0]) if n else []}


def reporting_by_region(df: pd.DataFrame, by: str) -> pd.DataFrame:
    """应报 / 已报 / 按时 / 逾期 / 日期不明 / 未报 and the rates, per value of `by` (province, city) and in all, over
    the agency-years due; `outside`: reports from listed agencies for a year outside their listed range."""
    d = df.assign(grp=df[by].fillna("—") if by in df else "—")
    if "due" not in d:
        d = d.assign(due=True)
    rows = []
    for grp, g in [*d.groupby("grp", sort=True), ("__all__", d)]:
        outside = int((~g["due"].astype(bool)).sum())
        g = g[g["due"].astype(bool)]
        n = len(g)
        c = g["status"].value_counts()
        reported = n - int(c.get("missing", 0))
        rows.append({"grp": grp, "expected": n, "reported": reported, "on_time": int(c.get("on_time", 0)),
                     "late": int(c.get("late", 0)), "undated": int(c.get("undated", 0)),
                     "missing": int(c.get("missing", 0)), "reported_rate": reported / n if n else None,
                     # 按时报送率 over the reports whose timeliness is known: an unknown publication date or
                     # deadline is out of the denominator, never counted as late
                     "on_time_rate": int(c.get("on_time", 0)) / judged if (judged := int(c.get("on_time", 0))
                                                                              + int(c.get("late", 0))) else None,
                     "outside": outside})
    return pd.DataFrame(rows)


def notice_list(run: Run, f: Filters, year: int, exclude: Sequence[str] = ()) -> pd.DataFrame:
    """The 通报 list for `year`: agencies that did not publish, published late, whose report is incomplete,
    in the wrong format, misnumbered or copied (雷同) ('content': the other 'process' rules but a duplicate
    file), or whose figures fail a check (etl/checks/categories.py 'figures'), one row per finding, with the
    finding's words (cells by their printed labels) in the reader's language. `exclude`: finding ids left out
    (the dismissed ones, from the review store: dashboard.casework.dismissed)."""
    aw, ap = f.agency_where("a")
    return run(f"""
    SELECT a.agency_id, a.name AS agency, a.province, a.city, a.county,
           CASE WHEN fi.rule = 'coverage' THEN 'missing' WHEN fi.rule = 'timeliness' THEN 'late'
                WHEN fi.category = 'figures' THEN 'figures' ELSE 'content' END AS matter,
           {message_sql(f.lang)} AS message, fi.actual, fi.report_id, fi.rule, fi.finding_id
    FROM findings fi JOIN agencies a USING (agency_id)
    LEFT JOIN reports r ON r.report_id = fi.report_id
    WHERE fi.year = ? AND {ACCUSE} AND fi.category IN ('figures', 'process') AND fi.rule <> 'duplicate'
          AND (fi.report_id IS NULL OR r.is_active) AND {aw} AND NOT list_contains(?::VARCHAR[], fi.finding_id)
    ORDER BY CASE matter WHEN 'missing' THEN 0 WHEN 'late' THEN 1 WHEN 'content' THEN 2 ELSE 3 END,
             a.province NULLS LAST, a.city NULLS LAST, a.name, fi.rule""", [year, *ap, list(exclude)])
