"""Proactive disclosure (table 2 and the items published): the proactive page."""

from __future__ import annotations

import pandas as pd

from dashboard.filters import Filters
from dashboard.queries.sql import (
    Run,
)
from etl import formats as F

# --- proactive disclosure --------------------------------------------------------------------------------

def t2_measures() -> list[tuple[str, str, tuple[str, ...]]]:
    """(row, col, forms printing it) of every table 2 cell, 2021 form first; shared cells listed once."""
    seen: dict[tuple[str, str], list[str]] = {}
    for fmt in F.FORMATS:
        for r, cols in F.T2_FORMATS[fmt].layout.items():
            for c in cols:
                seen.setdefault((r, c), []).append(fmt)
    return [(r, c, tuple(forms)) for (r, c), forms in seen.items()]


def t2_by_year(run: Run, f: Filters, row: str, col: str, panel: bool = False) -> pd.DataFrame:
    """Σ of one table 2 cell by year and by the form the report's table 2 is printed in (reports.t2_format).
    With `panel`, like for like: only the agencies that stated the cell (a value, not blank or "/") in every
    year in view in which any report states it (a cell of one form only is compared over that form's years).
    `n_agencies`: the agencies behind each point."""
    where, params = f.where()
    cell = f"c.row_key = ? AND c.col_key = ? AND {where}"
    cp = [row, col, *params]
    pan, pp = "", []
    if panel:
        pan = (f" AND m.agency_id IN (SELECT m.agency_id FROM t2_long c JOIN report_metrics m USING (report_id) "
               f"WHERE {cell} AND c.value IS NOT NULL GROUP BY 1 HAVING count(DISTINCT m.year) = "
               f"(SELECT count(DISTINCT m.year) FROM t2_long c JOIN report_metrics m USING (report_id) "
               f"WHERE {cell} AND c.value IS NOT NULL))")
        pp = [*cp, *cp]
    sql = f"""
    SELECT m.year, m.t2_format AS form, sum(c.value) AS value, count(c.value) AS n_reports,
           count(*) - count(c.value) AS n_blank, count(DISTINCT m.agency_id) AS n_agencies
    FROM t2_long c JOIN report_metrics m USING (report_id)
    WHERE {cell}{pan}
    GROUP BY 1, 2 ORDER BY 1, 2"""
    return run(sql, [*cp, *pp])


def proactive_by_year(run: Run, f: Filters, panel: bool = False) -> pd.DataFrame:
    """Items proactively published per year: the total, the reports stating it, all reports, the median per
    report and the agencies. With `panel`, like for like: only the agencies that stated the figure in every
    year in view (the chart and the table of the page read this one frame, so they count the same reports)."""
    where, params = f.where()
    pan, pp = "", []
    if panel:
        pan = (f" AND m.agency_id IN (SELECT m.agency_id FROM report_metrics m WHERE {where} AND "
               f"m.proactive_items IS NOT NULL GROUP BY 1 HAVING count(DISTINCT m.year) = "
               f"(SELECT count(DISTINCT m.year) FROM report_metrics m WHERE {where}))")
        pp = [*params, *params]
    # the total depends on which reports state the figure: show how many do, and the median per report
    return run(f"SELECT m.year, sum(m.proactive_items) AS proactive_items, count(m.proactive_items) AS n_stated, "
               f"count(*) AS n_reports, median(m.proactive_items) AS median_items, "
               f"count(DISTINCT m.agency_id) AS n_agencies "
               f"FROM report_metrics m WHERE {where}{pan} GROUP BY 1 ORDER BY 1", [*params, *pp])
