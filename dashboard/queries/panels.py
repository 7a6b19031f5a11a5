"""Like for like: the figures of the agencies that reported (or stated a figure) in every year compared,
beside all reports."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from dashboard.filters import Filters
from dashboard.queries.overview import yearly
from dashboard.queries.sql import (
    HEADLINE,
    QUALITY,
    Run,
    metric_sql,
    metrics_sql,
    stated,
)
from etl import metrics as M


def panel_years(run: Run, f: Filters, years: Sequence[int], names: Sequence[str] = M.GROUPABLE) -> pd.DataFrame:
    """Like for like: the metrics of each year in `years` over the panel of agencies (under the filters)
    with an active report in every one of them. Columns as yearly(), plus n_panel (agencies in the panel)."""
    ys = sorted({int(y) for y in years})
    if not ys:
        return pd.DataFrame()
    where, params = f.where(years=False)
    names = tuple(dict.fromkeys((*names, *QUALITY)))
    marks = ", ".join("?" * len(ys))
    # the panel from two narrow columns, then the figures of its reports (a CTE of whole report_metrics rows
    # is materialized: half a second at 1M reports)
    return run(f"""
    WITH panel AS (SELECT m.agency_id FROM report_metrics m WHERE {where} AND m.year IN ({marks})
                   GROUP BY 1 HAVING count(DISTINCT m.year) = {len(ys)})
    SELECT m.year, count(*) AS n_reports, (SELECT count(*) FROM panel) AS n_panel, {metrics_sql(names)}
    FROM report_metrics m WHERE {where} AND m.year IN ({marks}) AND m.agency_id IN (SELECT agency_id FROM panel)
    GROUP BY m.year ORDER BY m.year""", [*params, *ys, *params, *ys])


def like_for_like(run: Run, f: Filters, year: int, names: Sequence[str] = HEADLINE) -> dict:
    """The headline change from `year` - 1 to `year` counted two ways: over the agencies that reported in
    both years (the panel: the figure to quote) and over all reports (which also moves when agencies start
    or stop reporting). {"panel": n agencies, "all": (reports year-1, reports year), "rows": [...]}."""
    allr = yearly(run, f.with_years(year, year), names)
    pan = panel_years(run, f, [year - 1, year], names)
    cur_all = allr[allr["year"] == year]
    prev_all = allr[allr["year"] == year - 1]

    def get(df: pd.DataFrame, y: int, k: str) -> float | None:
        row = df[df["year"] == y] if not df.empty else df
        return None if row.empty or pd.isna(row.iloc[0][k]) else float(row.iloc[0][k])

    rows = []
    for key in ("n_reports", *names, *QUALITY):
        a0, a1 = get(prev_all, year - 1, key), get(cur_all, year, key)
        p0, p1 = get(pan, year - 1, key), get(pan, year, key)
        rows.append({"key": key, "year": year, "value": a1, "panel_prev": p0, "panel_value": p1,
                     "delta": None if p0 is None or p1 is None else p1 - p0,
                     "delta_all": None if a0 is None or a1 is None else a1 - a0,
                     "num": None if cur_all.empty else cur_all.iloc[0].get(f"{key}__num"),
                     "den": None if cur_all.empty else cur_all.iloc[0].get(f"{key}__den")})
    n_panel = 0 if pan.empty else int(pan["n_panel"].iloc[0])
    n_all = (0 if prev_all.empty else int(prev_all.iloc[0]["n_reports"]),
             0 if cur_all.empty else int(cur_all.iloc[0]["n_reports"]))
    return {"panel": n_panel, "all": n_all, "rows": rows}


def years_in_view(run: Run, f: Filters) -> list[int]:
    where, params = f.where()
    return [int(y) for y in run(f"SELECT DISTINCT m.year FROM report_metrics m WHERE {where} ORDER BY 1",
                                params)["year"]]


def stated_panel(run: Run, f: Filters, metric: str, years: Sequence[int], group: str = "'__all__'",
                 values: Sequence[str] = (), panel: bool = True, keep_null: bool = False) -> pd.DataFrame:
    """One metric per group and year in `years` (the filters' own years ignored). With `panel` (like for
    like), only the agencies under the filters that STATED the figure (stated()) in every one of `years`,
    so a line moves only when what those agencies reported moved; else all reports. `group` is an SQL
    expression from DIMENSIONS or RANK_UNITS (a group with no value is left out unless `keep_null`),
    `values` the groups to keep (all when empty). Columns: grp, year, n_agencies, n_reports, the metric's value, __num, __den, __n."""
    ys = sorted({int(y) for y in years})
    mt = M.get(metric)
    if not ys or mt.of_view:
        return pd.DataFrame()
    where, params = f.where(years=False)
    keep = f" AND ({group}) IN ({', '.join('?' * len(values))})" if values else ""
    known = "" if keep_null else f" AND ({group}) IS NOT NULL"
    base = f"{where} AND m.year IN ({', '.join('?' * len(ys))}){known}{keep}"
    bp = [*params, *ys, *values]
    pan, pp = "", []
    if panel:
        pan = (f" AND m.agency_id IN (SELECT m.agency_id FROM report_metrics m WHERE {base} AND {stated(mt)} "
               f"GROUP BY 1 HAVING count(DISTINCT m.year) = {len(ys)})")
        pp = bp
    return run(f"SELECT {group} AS grp, m.year, count(DISTINCT m.agency_id) AS n_agencies, count(*) AS n_reports, "
               f"{metric_sql(mt)} FROM report_metrics m WHERE {base}{pan} GROUP BY 1, 2 ORDER BY 1, 2", [*bp, *pp])
