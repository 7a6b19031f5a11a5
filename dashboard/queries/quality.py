"""Findings, coverage and what the build could not read: the quality page."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from dashboard.filters import Filters
from dashboard.queries.sql import (
    ACCUSE,
    Run,
    message_sql,
)
from etl.identities import specs


def _findings_from(f: Filters) -> tuple[str, list]:
    """Findings joined to their agency (coverage findings have no report) under the filters (Filters.where:
    the agency's columns on `a`, the year the finding's, the report's columns on `m`)."""
    where, params = f.where(agency="a", year="fi.year", report_optional=True)
    # the report's figures (m) only when a filter reads them: the join is most of the cost at 1M reports
    join = " LEFT JOIN report_metrics m USING (report_id)" if f.reads_report() else ""
    return f"findings fi JOIN agencies a USING (agency_id){join} WHERE {where}", params


def findings_summary(run: Run, f: Filters) -> pd.DataFrame:
    frm, params = _findings_from(f)
    return run(f"SELECT fi.rule, fi.severity, fi.status, count(*) AS n FROM {frm} GROUP BY 1, 2, 3 "
               f"ORDER BY n DESC", params)


# The rules of the table identities (etl.identities, the one list the parser and the checks read): a report
# failing one prints, or was read as, a table that does not add up.
IDENTITY_RULES = tuple(dict.fromkeys(s.rule for s in specs()))


def identity_failures_by_read(run: Run, f: Filters) -> pd.DataFrame:
    """Per way of reading (reports.read_method): active reports, and those whose tables do not add up.

    Kept apart because the cause differs: a text-layer table that does not add up was printed so; an OCR'd
    one may also be misread (etl.extract.ocr_check corrects only a misread the table proves)."""
    where, params = f.where("m")
    rules = ", ".join("?" * len(IDENTITY_RULES))
    return run(f"""SELECT coalesce(m.read_method, 'text') AS read_method, count(*) AS n_reports,
                          count(*) FILTER (WHERE EXISTS (SELECT 1 FROM findings fi WHERE fi.report_id = m.report_id
                                           AND {ACCUSE} AND fi.rule IN ({rules}))) AS n_not_adding_up
                   FROM report_metrics m WHERE {where} GROUP BY 1 ORDER BY 1""", [*IDENTITY_RULES, *params])


def worst_agencies(run: Run, f: Filters, limit: int = 20) -> pd.DataFrame:
    """Agencies by failed checks of each kind (etl/checks/categories.py), errors in the figures first;
    `rules` is the list of rule codes (the page prints their labels)."""
    frm, params = _findings_from(f)
    return run(f"""SELECT a.name AS agency, fi.agency_id,
           count(*) FILTER (WHERE {ACCUSE} AND fi.category = 'figures') AS n_figures,
           count(*) FILTER (WHERE {ACCUSE} AND fi.category = 'process') AS n_process,
           count(*) FILTER (WHERE fi.category = 'review') AS n_review,
           list(DISTINCT fi.rule ORDER BY fi.rule) AS rules
    FROM {frm} GROUP BY 1, 2 ORDER BY n_figures DESC, n_process DESC, n_review DESC, agency
    LIMIT {int(limit)}""", params)


def findings_by_category(run: Run, f: Filters) -> pd.DataFrame:
    """Per kind of finding: findings, and distinct reports (or agency-years, for missing reports) concerned."""
    frm, params = _findings_from(f)
    return run(f"""SELECT fi.category, count(*) AS n_findings,
           count(DISTINCT coalesce(fi.report_id, fi.agency_id || '/' || CAST(fi.year AS VARCHAR))) AS n_reports
    FROM {frm} AND (({ACCUSE}) OR fi.category = 'review') GROUP BY 1""", params)


def reading_gaps(run: Run, f: Filters) -> pd.DataFrame:
    """Findings that are ours, not the reports' (etl.checks.categories.RESPONSIBILITIES: our reading, what was
    loaded), per whose and rule: how many, and the reports (or agency-years) they concern."""
    frm, params = _findings_from(f)
    return run(f"""SELECT fi.responsibility, fi.rule, count(*) AS n_findings,
           count(DISTINCT coalesce(fi.report_id, fi.agency_id || '/' || CAST(fi.year AS VARCHAR))) AS n_reports
    FROM {frm} AND fi.responsibility <> 'source' GROUP BY 1, 2 ORDER BY 1, n_findings DESC""", params)


def findings_list(run: Run, f: Filters, rules: Sequence[str] = (), limit: int = 1000) -> pd.DataFrame:
    frm, params = _findings_from(f)
    extra = ""
    if rules:
        extra = f" AND fi.rule IN ({', '.join('?' * len(rules))})"
        params = [*params, *rules]
    return run(f"""SELECT fi.finding_id, fi.report_id, a.name AS agency, fi.year, fi.rule, fi.severity, fi.status,
           fi.responsibility, {message_sql(f.lang)} AS message, fi.expected, fi.actual, fi.cells,
           ({ACCUSE}) AS accusation
    FROM {frm}{extra} ORDER BY CASE fi.severity WHEN 'error' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END,
           fi.year DESC, agency LIMIT {int(limit)}""", params)


def coverage(run: Run, f: Filters, limit: int = 40) -> pd.DataFrame:
    """Agency × year status (on_time, late, unknown, missing) for the agencies with the most gaps."""
    aw, ap = f.agency_where("a")
    yw, yp = f.with_years(f.year_from, f.year_to).where("m")
    return run(f"""
    WITH yrs AS (SELECT DISTINCT m.year FROM report_metrics m WHERE {yw}),
    ags AS (SELECT a.agency_id, a.name FROM agencies a WHERE {aw}),
    grid AS (
      SELECT ags.agency_id, ags.name AS agency, yrs.year,
             CASE WHEN r.report_id IS NOT NULL THEN (CASE WHEN r.is_late IS NULL THEN 'unknown'
                                                          WHEN r.is_late THEN 'late' ELSE 'on_time' END)
                  WHEN fi.status = 'fail' THEN 'missing' WHEN fi.status IS NOT NULL THEN 'not_loaded'
                  ELSE 'not_due' END AS status
      FROM ags CROSS JOIN yrs LEFT JOIN reports r ON r.agency_id = ags.agency_id AND r.year = yrs.year
           AND r.is_active
      -- the coverage check decides what was due (the 应报名单, or the sample corpus's own roster)
      LEFT JOIN findings fi ON fi.rule = 'coverage' AND fi.agency_id = ags.agency_id AND fi.year = yrs.year),
    worst AS (SELECT agency_id, count(*) FILTER (WHERE status IN ('missing', 'late')) AS bad FROM grid
              GROUP BY 1 ORDER BY bad DESC, agency_id LIMIT {int(limit)})
    SELECT grid.*, worst.bad FROM grid JOIN worst USING (agency_id) ORDER BY worst.bad DESC, agency, year""",
               [*yp, *ap])


def ingest_errors(run: Run, lang: str = "zh") -> pd.DataFrame:
    """Files that did not become reports, with the reason in the UI language (never raw exception text)."""
    col = "reason_zh" if lang == "zh" else "reason"  # a column name chosen from two constants, not user input
    return run(f"SELECT path, {col} AS reason, seen_at FROM ingest_errors ORDER BY seen_at DESC LIMIT 500", [])


def skipped(run: Run, lang: str = "zh") -> pd.DataFrame:
    """Files under the sources the build passed over on purpose (hidden, links, pipes, identical copies)."""
    col = "reason_zh" if lang == "zh" else "reason"
    return run(f"SELECT path, {col} AS reason FROM skipped ORDER BY path LIMIT 500", [])
