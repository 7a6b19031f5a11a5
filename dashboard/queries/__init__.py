"""Every SQL query the dashboard runs, as functions of (run, Filters) -> DataFrame, one module per page or
concept: sql (the pieces every query uses), overview, panels (like for like), proactive, requests, review,
compare (and the table builder), rankings, quality, one_report, web (publication online), notice.

`run(sql, params)` executes parameterised SQL (dashboard.db.query in the app, a plain connection in tests).
The filters become SQL in one place, Filters.where (dashboard.filters): their values are always `?`
parameters. Column names in f-strings come only from etl.metrics, etl.formats or the fixed tables of these
modules, never from user input. Rates are ratio-of-sums over the reports where both the numerator and the
denominator are known (a blank is never 0), as etl/metrics.py prescribes. The names below are the ones pages,
tests and benches import (`from dashboard import queries as Q`).
"""

from __future__ import annotations

from dashboard.queries.compare import builder, compare_choices, compare_series
from dashboard.queries.notice import expected_list, notice_list, reporting, reporting_by_region
from dashboard.queries.one_report import (
    CELL_FIELDS,
    agency_reports,
    report,
    report_cells,
    report_choices,
    report_findings,
)
from dashboard.queries.overview import build_info, by_dimension, counts, options, yearly
from dashboard.queries.panels import like_for_like, panel_years, stated_panel, years_in_view
from dashboard.queries.proactive import proactive_by_year, t2_by_year, t2_measures
from dashboard.queries.quality import (
    IDENTITY_RULES,
    coverage,
    findings_by_category,
    findings_list,
    findings_summary,
    identity_failures_by_read,
    ingest_errors,
    reading_gaps,
    skipped,
    worst_agencies,
)
from dashboard.queries.rankings import (
    BANDS,
    MIN_DENOMINATOR,
    RANK_SCOPES,
    RANK_UNITS,
    ranking,
    unit_ranking,
)
from dashboard.queries.requests import TOP_AGENCIES, applicants, outcomes, rates, top_agencies
from dashboard.queries.review import by_agency, corrected_agencies, review_results
from dashboard.queries.sql import (
    ACCUSE,
    DIMENSIONS,
    HEADLINE,
    QUALITY,
    Run,
    ident,
    message_sql,
    metric_sql,
    metrics_sql,
    stated,
)
from dashboard.queries.web import WEB_STATUSES, collect_failures, has_collections, web_publication, web_years

__all__ = [
    "ACCUSE", "BANDS", "CELL_FIELDS", "DIMENSIONS", "HEADLINE", "IDENTITY_RULES", "MIN_DENOMINATOR",
    "QUALITY", "RANK_SCOPES", "RANK_UNITS", "Run", "TOP_AGENCIES", "WEB_STATUSES",
    "agency_reports", "applicants", "build_info", "builder", "by_agency", "by_dimension", "collect_failures",
    "compare_choices", "compare_series", "corrected_agencies", "counts", "coverage", "expected_list",
    "findings_by_category", "findings_list", "findings_summary", "has_collections", "ident",
    "identity_failures_by_read", "ingest_errors", "like_for_like", "message_sql", "metric_sql", "metrics_sql",
    "notice_list", "options", "outcomes", "panel_years", "proactive_by_year", "ranking", "rates",
    "reading_gaps", "report", "report_cells", "report_choices", "report_findings", "reporting",
    "reporting_by_region", "review_results", "skipped", "stated", "stated_panel", "t2_by_year", "t2_measures",
    "top_agencies", "unit_ranking", "web_publication", "web_years", "worst_agencies", "yearly",
    "years_in_view",
]
