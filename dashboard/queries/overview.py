"""The sidebar's choices, the view's counts and the figures by year and by group (the overview page)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from dashboard.filters import Filters
from dashboard.queries.sql import (
    DIMENSIONS,
    QUALITY,
    Run,
    ident,
    metrics_sql,
)
from etl import metrics as M

# --- sidebar options -------------------------------------------------------------------------------------

def options(run: Run, kind: str, f: Filters) -> pd.DataFrame:
    if kind == "years":
        return run("SELECT min(year) AS lo, max(year) AS hi FROM report_metrics", [])
    col = {"prov": "province", "city": "city", "county": "county"}[kind]
    where, params = f.agency_where("m")
    return run(f"SELECT DISTINCT m.{col} AS v FROM report_metrics m WHERE {where} AND m.{col} IS NOT NULL "
               f"ORDER BY 1", params)


def build_info(run: Run) -> pd.DataFrame:
    return run("SELECT * FROM build_info LIMIT 1", [])


def counts(run: Run, f: Filters) -> pd.DataFrame:
    """Reports in view and how many of them are sample data."""
    where, params = f.where()
    return run(f"SELECT count(*) AS n, count(*) FILTER (WHERE m.is_sample) AS n_sample, max(m.year) AS last_year "
               f"FROM report_metrics m WHERE {where}", params)


# --- by year ---------------------------------------------------------------------------------------------

def yearly(run: Run, f: Filters, names: Sequence[str] = M.GROUPABLE) -> pd.DataFrame:
    """One row per year in range (plus the year before, for the change): reports, the QUALITY shares, metrics."""
    g = f.with_years(None if f.year_from is None else f.year_from - 1, f.year_to)
    where, params = g.where()
    names = tuple(dict.fromkeys((*names, *QUALITY)))
    sql = (f"SELECT m.year, count(*) AS n_reports, {metrics_sql(names)} "
           f"FROM report_metrics m WHERE {where} GROUP BY m.year ORDER BY m.year")
    return run(sql, params)


def by_dimension(run: Run, f: Filters, dim: str, names: Sequence[str], limit: int = 30) -> pd.DataFrame:
    expr = DIMENSIONS[dim]
    where, params = f.where()
    first = ident(names[0])
    return run(f"SELECT {expr} AS grp, count(*) AS n_reports, {metrics_sql(names)} FROM report_metrics m "
               f"WHERE {where} GROUP BY 1 ORDER BY {first} DESC NULLS LAST LIMIT {int(limit)}", params)
