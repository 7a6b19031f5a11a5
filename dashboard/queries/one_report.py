"""One report: its row, cells, findings and the same agency's other years."""

from __future__ import annotations

import pandas as pd

from dashboard.filters import Filters
from dashboard.queries.sql import (
    ACCUSE,
    Run,
    message_sql,
)

# --- one report ------------------------------------------------------------------------------------------

def report_choices(run: Run, f: Filters, limit: int = 2000) -> pd.DataFrame:
    where, params = f.where()
    return run(f"SELECT m.report_id, m.agency_name AS agency, m.year FROM report_metrics m WHERE {where} "
               f"ORDER BY agency, year DESC LIMIT {int(limit)}", params)


def report(run: Run, report_id: str) -> pd.DataFrame:
    return run("""SELECT r.*, a.name AS agency, a.province, a.city, a.county, a.level, a.kind AS agency_kind,
                         a.sector FROM reports r LEFT JOIN agencies a USING (agency_id) WHERE r.report_id = ?""",
               [report_id])


CELL_FIELDS = ("tbl", "row_key", "col_key", "value", "raw", "kind", "placed", "read", "ocr_conf")


def report_cells(run: Run, report_id: str) -> pd.DataFrame:
    """The report's cells with how each was placed and read; a column the warehouse does not have yet
    (built before cells carried it: schema < 4 for `placed`, < 6 for `read`) is NULL throughout, so a stale
    file still shows its tables until it is rebuilt."""
    df = run("SELECT * FROM cells WHERE report_id = ?", [report_id])
    for col in ("placed", "read", "ocr_conf"):
        if col not in df.columns:
            df = df.assign(**{col: None})
    return df[list(CELL_FIELDS)]


def report_findings(run: Run, report_id: str, lang: str = "zh") -> pd.DataFrame:
    return run(f"SELECT rule, severity, status, responsibility, {message_sql(lang)} AS message, expected, actual, "
               "cells, finding_id FROM findings fi WHERE report_id = ? ORDER BY severity, rule", [report_id])


def agency_reports(run: Run, agency_id: str) -> pd.DataFrame:
    return run(f"""SELECT r.report_id, r.year, r.template, r.published_on, r.is_late, r.is_active, r.n_problems,
                         (SELECT count(*) FROM findings fi WHERE fi.report_id = r.report_id AND {ACCUSE})
                         AS n_fail
                  FROM reports r WHERE r.agency_id = ? ORDER BY r.year DESC""", [agency_id])
