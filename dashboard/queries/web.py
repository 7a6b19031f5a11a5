"""Publication on the web (etl collect): when each agency's report appeared online."""

from __future__ import annotations

import pandas as pd

from dashboard.queries.sql import (
    Run,
)

# --- publication on the web (etl collect) ---------------------------------------------------------------

WEB_STATUSES = ("on_time", "late", "missing", "not_due", "published_no_deadline", "unpublished_no_deadline")


def has_collections(run: Run) -> bool:
    """Whether the warehouse holds a collection (an older warehouse has no collect_* tables)."""
    try:
        return int(run("SELECT count(*) AS n FROM collect_agencies", [])["n"].iloc[0]) > 0
    except Exception:  # noqa: BLE001 (a warehouse from before schema 7: no collection to show)
        return False


def web_years(run: Run) -> list[int]:
    df = run("SELECT DISTINCT year FROM collect_publications WHERE year IS NOT NULL ORDER BY year DESC", [])
    return [int(y) for y in df["year"]]


def web_publication(run: Run, year: int, as_of) -> pd.DataFrame:
    """Per agency the collection expects (its SOURCES.csv), the state of its report for `year` on day
    `as_of`: on_time / late (published on the web after the deadline) / missing (not found online by that
    day, deadline passed) / not_due (not found yet, deadline still ahead) / published_no_deadline and
    unpublished_no_deadline (no rule gives the agency a deadline: lateness not judged). A report counts from the date
    its page states (published_on) or, with no date on the page or listing, from its first fetch. The
    deadline is the report's agency's when the report was parsed, else the one for the level and kind
    SOURCES.csv gives."""
    return run("""
    WITH pubs AS (
      SELECT p.*, coalesce(p.published_on, CAST(p.first_seen AS DATE)) AS seen_on,
             row_number() OVER (PARTITION BY p.agency ORDER BY p.published_on NULLS LAST, p.first_seen) AS rn
      FROM collect_publications p WHERE p.year = ?),
    ags AS (SELECT agency, min(make_date(? + 1, deadline_month, deadline_day)) AS due
            FROM collect_agencies GROUP BY agency),
    x AS (
      SELECT ags.agency, p.published_on, p.published_from, p.first_seen, p.seen_on,
             coalesce(r.deadline, ags.due) AS deadline, p.url, p.title, r.report_id
      FROM ags LEFT JOIN pubs p ON p.agency = ags.agency AND p.rn = 1
      LEFT JOIN reports r ON r.source_path = p.source_path)
    SELECT agency, published_on, published_from, first_seen, deadline, url, title, report_id,
           -- with no known deadline (its kind unknown, a township with no local rule) lateness is not judged
           CASE WHEN seen_on IS NOT NULL AND seen_on <= ? THEN
                     CASE WHEN deadline IS NULL THEN 'published_no_deadline'
                          WHEN published_on > deadline THEN 'late' ELSE 'on_time' END
                WHEN deadline IS NULL THEN 'unpublished_no_deadline'
                WHEN ? > deadline THEN 'missing' ELSE 'not_due' END AS status,
           CASE WHEN seen_on <= ? AND published_on > deadline THEN date_diff('day', deadline, published_on)
                END AS days_late
    FROM x
    ORDER BY CASE status WHEN 'missing' THEN 0 WHEN 'late' THEN 1 WHEN 'not_due' THEN 2 ELSE 3 END,
             days_late DESC NULLS LAST, agency""", [year, year, as_of, as_of, as_of])


def collect_failures(run: Run) -> pd.DataFrame:
    return run("SELECT agency, year, url, code, detail, fetched_at FROM collect_failures "
               "ORDER BY agency, year DESC NULLS LAST, url LIMIT 1000", [])
