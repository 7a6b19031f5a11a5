"""Groups side by side over the years, and the table builder: the compare and builder pages."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from dashboard.filters import Filters
from dashboard.queries.panels import stated_panel
from dashboard.queries.sql import (
    DIMENSIONS,
    Run,
    metrics_sql,
)

# --- compare ---------------------------------------------------------------------------------------------

def compare_choices(run: Run, f: Filters, dim: str, limit: int = 500) -> list[str]:
    where, params = f.where()
    df = run(f"SELECT {DIMENSIONS[dim]} AS v, count(*) AS n FROM report_metrics m WHERE {where} "
             f"GROUP BY 1 HAVING v IS NOT NULL ORDER BY n DESC, v LIMIT {int(limit)}", params)
    return df["v"].tolist()


def compare_series(run: Run, f: Filters, dim: str, values: Sequence[str], metric: str) -> pd.DataFrame:
    where, params = f.where()
    marks = ", ".join("?" * len(values))
    return run(f"SELECT m.year, {DIMENSIONS[dim]} AS grp, count(*) AS n_reports, {metrics_sql([metric])} "
               f"FROM report_metrics m WHERE {where} AND {DIMENSIONS[dim]} IN ({marks}) GROUP BY 1, 2 ORDER BY 1, 2",
               [*params, *values])


# --- the table builder ----------------------------------------------------------------------------------

def builder(run: Run, f: Filters, dim: str, years: Sequence[int], names: Sequence[str],
            panel: bool = True) -> pd.DataFrame:
    """One row per group (DIMENSIONS[dim], or everything for "all"; a group with no value as NULL) and year,
    and for each metric its value with the numerator and denominator sums behind it (ratio of sums, blanks
    never 0), the reports counted (`<metric>__n`) and their agencies (`<metric>__agencies`). With `panel`
    and more than one year, each metric over its own panel: the agencies that stated it in every year."""
    ys = sorted({int(y) for y in years})
    if not ys or not names:
        return pd.DataFrame()
    grp = "'__all__'" if dim == "all" else DIMENSIONS[dim]
    out: pd.DataFrame | None = None
    for n in names:
        d = stated_panel(run, f, n, ys, grp, panel=panel and len(ys) > 1, keep_null=True)
        if d.empty:
            continue
        d = d.drop(columns="n_reports").rename(columns={"n_agencies": f"{n}__agencies"})
        out = d if out is None else out.merge(d, on=["grp", "year"], how="outer")
    return pd.DataFrame() if out is None else out.sort_values(["grp", "year"], na_position="last",
                                                              ignore_index=True)
