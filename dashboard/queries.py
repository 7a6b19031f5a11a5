"""Every SQL query the dashboard runs, as functions of (run, Filters) -> DataFrame.

`run(sql, params)` executes parameterised SQL (dashboard.db.query in the app, a plain connection in tests).
Filter values are always `?` parameters. Column names in f-strings come only from etl.metrics, etl.formats
or the fixed tables below, never from user input. Rates are ratio-of-sums over the reports where both the
numerator and the denominator are known (a blank is never 0), as etl/metrics.py prescribes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

import pandas as pd

from dashboard import rankings as R
from dashboard.filters import Filters
from etl import formats as F
from etl import metrics as M
from etl.checks.categories import accusation

# a finding that may be counted against an agency: a certain failure of the report itself (never our reading)
ACCUSE = accusation("fi")

Run = Callable[[str, Sequence], pd.DataFrame]

_IDENT = re.compile(r"^[a-z_][a-z0-9_]*$")
DIMENSIONS = {"province": "m.province", "city": "m.city", "level": "m.level", "kind": "m.kind",
              "sector": "m.sector", "agency": "m.agency_name", "peer": "m.level || '/' || m.kind"}
HEADLINE = ("new_received", "disclosure_rate", "review_rate", "litigation_rate", "correction_rate")
# shown after the headline figures, in every yearly frame: two kinds that never overlap (etl/checks/categories.py)
QUALITY = ("share_figure_errors", "share_late")


def _col(name: str) -> str:
    if not _IDENT.match(name):  # registry names only; a typo must fail loudly, not reach SQL
        raise ValueError(f"not a column name: {name!r}")
    return name


def metric_sql(metric: M.Metric, m: str = "m", suffix: str = "") -> str:
    """SELECT items for one metric: value, numerator sum, denominator sum, reports counted. A metric `of_view`
    divides by the denominator summed over every group of the query (a window over the groups)."""
    num = f"{m}.{_col(metric.numerator)}"
    name = _col(metric.name) + suffix
    if metric.denominator is None:
        return (f"SUM({num}) AS {name}, SUM({num}) AS {name}__num, NULL::DOUBLE AS {name}__den, "
                f"count({num}) AS {name}__n")
    den = f"{m}.{_col(metric.denominator)}"
    ok = f"{num} IS NOT NULL AND {den} IS NOT NULL"
    den_sum = f"SUM({den}) FILTER (WHERE {ok})"
    if metric.of_view:
        den_sum = f"SUM({den_sum}) OVER ()"
    return (f"SUM({num}) FILTER (WHERE {ok}) * {int(metric.per)} / NULLIF({den_sum}, 0) "
            f"AS {name}, SUM({num}) FILTER (WHERE {ok}) AS {name}__num, "
            f"{den_sum} AS {name}__den, count(*) FILTER (WHERE {ok}) AS {name}__n")


def _metrics_sql(names: Iterable[str]) -> str:
    return ", ".join(metric_sql(M.get(n)) for n in names)


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
    sql = (f"SELECT m.year, count(*) AS n_reports, {_metrics_sql(names)} "
           f"FROM report_metrics m WHERE {where} GROUP BY m.year ORDER BY m.year")
    return run(sql, params)


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
    SELECT m.year, count(*) AS n_reports, (SELECT count(*) FROM panel) AS n_panel, {_metrics_sql(names)}
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


def by_dimension(run: Run, f: Filters, dim: str, names: Sequence[str], limit: int = 30) -> pd.DataFrame:
    expr = DIMENSIONS[dim]
    where, params = f.where()
    first = _col(names[0])
    return run(f"SELECT {expr} AS grp, count(*) AS n_reports, {_metrics_sql(names)} FROM report_metrics m "
               f"WHERE {where} GROUP BY 1 ORDER BY {first} DESC NULLS LAST LIMIT {int(limit)}", params)


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


# --- requests --------------------------------------------------------------------------------------------

def outcomes(run: Run, f: Filters) -> pd.DataFrame:
    """Σ of each outcome group, plus carried_forward and the requests to handle (new + carried over)."""
    where, params = f.where()
    return run(f"""
    SELECT o.outcome_group AS grp, sum(o.value) AS value FROM outcomes_long o JOIN report_metrics m USING (report_id)
    WHERE {where} GROUP BY 1
    UNION ALL SELECT 'carried_forward', sum(m.carried_forward) FROM report_metrics m WHERE {where}
    UNION ALL SELECT 'new_received', sum(m.new_received) FROM report_metrics m WHERE {where}
    UNION ALL SELECT 'carried_over', sum(m.carried_over) FROM report_metrics m WHERE {where}""",
               params * 4)


def applicants(run: Run, f: Filters) -> pd.DataFrame:
    where, params = f.where()
    return run(f"SELECT a.applicant, sum(a.value) AS value FROM applicants_long a "
               f"JOIN report_metrics m USING (report_id) WHERE {where} GROUP BY 1 ORDER BY 2 DESC", params)


def rates(run: Run, f: Filters, names: Sequence[str]) -> pd.DataFrame:
    """One row per metric: value, numerator Σ, denominator Σ, reports counted."""
    where, params = f.where()
    row = run(f"SELECT {_metrics_sql(names)} FROM report_metrics m WHERE {where}", params).iloc[0]
    return pd.DataFrame([{"metric": n, "value": row[n], "num": row[f"{n}__num"], "den": row[f"{n}__den"],
                          "n": row[f"{n}__n"]} for n in names])


TOP_AGENCIES = ("new_received", "new_received_share", "disclosure_rate")


def top_agencies(run: Run, f: Filters, limit: int = 15) -> pd.DataFrame:
    """The agencies with the most new requests: their count, share of the view's total, disclosure rate."""
    where, params = f.where()
    return run(f"""
    SELECT m.agency_name AS agency, m.agency_id, {_metrics_sql(TOP_AGENCIES)}
    FROM report_metrics m WHERE {where} GROUP BY 1, 2 ORDER BY {_col(TOP_AGENCIES[0])} DESC NULLS LAST
    LIMIT {int(limit)}""", params)


# --- reconsideration and litigation ----------------------------------------------------------------------

def review_results(run: Run, f: Filters) -> pd.DataFrame:
    where, params = f.where()
    return run(f"SELECT r.block, r.result, sum(r.value) AS value FROM review_long r JOIN report_metrics m "
               f"USING (report_id) WHERE {where} GROUP BY 1, 2 ORDER BY 1, 2", params)


def by_agency(run: Run, f: Filters, names: Sequence[str], order: str, limit: int = 50,
              having: str = "TRUE") -> pd.DataFrame:
    where, params = f.where()
    return run(f"SELECT m.agency_name AS agency, m.agency_id, count(*) AS n_reports, {_metrics_sql(names)} "
               f"FROM report_metrics m WHERE {where} GROUP BY 1, 2 HAVING {having} "
               f"ORDER BY {_col(order)} DESC NULLS LAST LIMIT {int(limit)}", params)


def corrected_agencies(run: Run, f: Filters, limit: int = 200) -> pd.DataFrame:
    return by_agency(run, f, ["correction_rate", "review_correction_rate", "litigation_correction_rate"],
                     "correction_rate__num", limit, having="sum(m.all_corrected) > 0")


# --- compare ---------------------------------------------------------------------------------------------

def compare_choices(run: Run, f: Filters, dim: str, limit: int = 500) -> list[str]:
    where, params = f.where()
    df = run(f"SELECT {DIMENSIONS[dim]} AS v, count(*) AS n FROM report_metrics m WHERE {where} "
             f"GROUP BY 1 HAVING v IS NOT NULL ORDER BY n DESC, v LIMIT {int(limit)}", params)
    return df["v"].tolist()


def compare_series(run: Run, f: Filters, dim: str, values: Sequence[str], metric: str) -> pd.DataFrame:
    where, params = f.where()
    marks = ", ".join("?" * len(values))
    return run(f"SELECT m.year, {DIMENSIONS[dim]} AS grp, count(*) AS n_reports, {_metrics_sql([metric])} "
               f"FROM report_metrics m WHERE {where} AND {DIMENSIONS[dim]} IN ({marks}) GROUP BY 1, 2 ORDER BY 1, 2",
               [*params, *values])


# Who an agency is ranked against: its peer group (same level and kind), optionally in its province too.
RANK_SCOPES: dict[str, tuple[str, ...]] = {"peer": ("level", "kind"), "peer_province": ("level", "kind", "province"),
                                           "all": ()}
MIN_DENOMINATOR = R.MIN_DENOMINATOR  # a rate over fewer cases than this is listed as "too few to rank"
BANDS = R.BANDS  # 分档: quartiles within the group


def _ranked(run: Run, f: Filters, metric: str, year: int, keys: dict[str, str], by: tuple[str, ...],
            min_den: float, limit: int, prev: bool = True) -> pd.DataFrame:
    """THE ranking (agencies and regions and peer groups alike; dashboard.rankings states the rules): one
    row per unit (`keys`: output column -> SQL expression; the first is the unit, a unit with no value is
    left out) with a value in `year`, ranked within the groups of columns `by`. In the metric's direction
    (R.ascending); ties share a rank and the next is skipped (SQL rank(): 1, 1, 3); a rate whose denominator
    is below `min_den` is not ranked (rankable false; rank, band NULL) and displaces nobody; band 1 + ⌊BANDS ×
    (rank − 1) / n_ranked⌋ for a group of at least BANDS ranked units and a metric with a direction. With
    `prev`, the unit's own value in year − 1 (`prev_value`) and `change`. `n_agencies`: the agencies behind
    each unit's figure (counted only for a unit other than the agency: a distinct count per agency is most
    of the cost at 1M reports)."""
    where, params = f.with_years(year - 1 if prev else year, year).where()
    mt = M.get(metric)
    col = _col(metric)
    names = [_col(k) for k in keys]
    sel = ", ".join(f"{expr} AS {_col(k)}" for k, expr in keys.items())
    grp = ", ".join(f"cur.{_col(c)}" for c in by) or "NULL"
    order = "ASC" if R.ascending(mt) else "DESC"
    floor = float(min_den) if mt.is_rate else 0.0
    banded = "TRUE" if mt.has_direction else "FALSE"
    unit = names[0]
    join = (f"LEFT JOIN (SELECT {unit}, {col} AS prev_value FROM v WHERE year = ?) prev USING ({unit})" if prev
            else "")
    prev_cols = "prev_value, cur.value - prev_value AS change," if prev else ""
    out = run(f"""
    WITH v AS (
      SELECT {sel}, {"1" if unit == "agency_id" else "count(DISTINCT m.agency_id)"} AS n_agencies, m.year,
             {metric_sql(mt)}
      FROM report_metrics m WHERE {where} AND ({keys[next(iter(keys))]}) IS NOT NULL
      GROUP BY {", ".join(str(i + 1) for i in range(len(keys)))}, m.year),
    cur AS (SELECT {", ".join(names)}, n_agencies, {col} AS value, {col}__num AS num, {col}__den AS den,
                   {col}__n AS n_reports, ({col}__den IS NULL OR {col}__den >= ?) AS rankable
            FROM v WHERE year = ? AND {col} IS NOT NULL),
    ranked AS (
      SELECT cur.*, {prev_cols}
             CASE WHEN rankable THEN rank() OVER (PARTITION BY {grp}, rankable ORDER BY cur.value {order}) END AS rank,
             -- a plain windowed sum: count(*) FILTER (…) OVER was seconds at 1M reports in DuckDB
             sum(rankable::INTEGER) OVER (PARTITION BY {grp})::BIGINT AS n_ranked
      FROM cur {join})
    SELECT *, CASE WHEN {banded} AND n_ranked >= {BANDS} THEN 1 + floor({BANDS} * (rank - 1) / n_ranked) END::BIGINT
              AS band
    FROM ranked ORDER BY {"".join(f"{c}, " for c in by)}rankable DESC, rank, {", ".join(names[1:2] + names[:1])}
    LIMIT {int(limit)}""", [*params, floor, year, *([year - 1] if prev else [])])
    return out.astype({"rank": "Int64", "band": "Int64", "n_ranked": "Int64", "rankable": bool})


def ranking(run: Run, f: Filters, metric: str, year: int, scope: str = "peer", min_den: float = MIN_DENOMINATOR,
            limit: int = 5000) -> pd.DataFrame:
    """Agencies on one metric in `year`, ranked within their group (RANK_SCOPES) by _ranked(); `change` is
    this year minus the agency's own previous year (NULL without one)."""
    keys = {"agency_id": "m.agency_id", "agency": "m.agency_name", "level": "m.level", "kind": "m.kind",
            "province": "m.province"}
    return _ranked(run, f, metric, year, keys, RANK_SCOPES[scope], min_den, limit)


# --- like for like and the ranking of regions and peer groups -------------------------------------------

# A region or peer group as one key: a city is named with its province, a county with both (names repeat
# across the country); NULL where the agency has none (a provincial department has no city).
RANK_UNITS = {
    "province": "m.province",
    "city": "CASE WHEN m.city IS NOT NULL THEN concat_ws(' · ', m.province, m.city) END",
    "county": "CASE WHEN m.county IS NOT NULL THEN concat_ws(' · ', m.province, m.city, m.county) END",
    "peer": DIMENSIONS["peer"],
}


def years_in_view(run: Run, f: Filters) -> list[int]:
    where, params = f.where()
    return [int(y) for y in run(f"SELECT DISTINCT m.year FROM report_metrics m WHERE {where} ORDER BY 1",
                                params)["year"]]


def stated(metric: M.Metric, m: str = "m") -> str:
    """SQL: the report states the metric's figure (its numerator and, for a rate, its denominator known)."""
    cols = [c for c in (metric.numerator, metric.denominator) if c]
    return " AND ".join(f"{m}.{_col(c)} IS NOT NULL" for c in cols)


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


def unit_ranking(run: Run, f: Filters, unit: str, metric: str, year: int,
                 min_den: float = MIN_DENOMINATOR) -> pd.DataFrame:
    """Regions or peer groups (RANK_UNITS) on one metric in `year`, ranked as agencies are (_ranked): `value`
    over all their reports that year (ratio of sums), with `num`, `den`, `n_reports` (counted) and
    `n_agencies`; the change like for like (stated_panel over year − 1 and year: `prev_value`,
    `panel_value`, `n_panel` agencies, `change`). Agency filters apply; the year is the one asked."""
    col = _col(metric)
    out = _ranked(run, f, metric, year, {"grp": RANK_UNITS[unit]}, (), min_den, 10_000, prev=False)
    pair = stated_panel(run, f, metric, [year - 1, year], RANK_UNITS[unit], panel=True)
    lfl = pd.DataFrame(columns=["grp", "prev_value", "panel_value", "n_panel"])
    if not pair.empty:
        before = pair[pair["year"] == year - 1].set_index("grp")[col].rename("prev_value")
        now = pair[pair["year"] == year].set_index("grp")
        lfl = pd.concat([before, now[col].rename("panel_value"), now["n_agencies"].rename("n_panel")],
                        axis=1).reset_index(names="grp")
    out = out.merge(lfl, on="grp", how="left")
    out = out.astype({"prev_value": float, "panel_value": float, "n_panel": "Int64"})
    out["change"] = out["panel_value"] - out["prev_value"]
    return out


# --- compliance and data quality -------------------------------------------------------------------------

def _findings_from(f: Filters) -> tuple[str, list]:
    """Findings joined to their agency (coverage findings have no report) under the filters."""
    aw, ap = f.agency_where("a")
    conds, params = [aw], list(ap)
    if f.year_from is not None:
        conds.append("fi.year >= ?")
        params.append(f.year_from)
    if f.year_to is not None:
        conds.append("fi.year <= ?")
        params.append(f.year_to)
    if f.templates:
        conds.append(f"m.template IN ({', '.join('?' * len(f.templates))})")
        params.extend(f.templates)
    if f.reads:
        conds.append(f"m.read_method IN ({', '.join('?' * len(f.reads))})")
        params.extend(f.reads)
    if not f.include_failed:
        conds.append("NOT coalesce(m.has_figure_error, FALSE)")
    # the report's figures (m) only when a filter reads them: the join is most of the cost at 1M reports
    by_report = bool(f.templates or f.reads or not f.include_failed)
    join = " LEFT JOIN report_metrics m USING (report_id)" if by_report else ""
    return f"findings fi JOIN agencies a USING (agency_id){join} WHERE {' AND '.join(conds)}", params


def findings_summary(run: Run, f: Filters) -> pd.DataFrame:
    frm, params = _findings_from(f)
    return run(f"SELECT fi.rule, fi.severity, fi.status, count(*) AS n FROM {frm} GROUP BY 1, 2, 3 "
               f"ORDER BY n DESC", params)


# The table identities (etl.checks.definitions): a report failing one prints, or was read as, a table that
# does not add up.
IDENTITY_RULES = ("T3-balance", "T3-outcomes", "T3-columns", "T4-sums", "T2-stock")


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


def message_sql(lang: str, alias: str = "fi") -> str:
    """The finding text in the reader's language, as column `message`: findings store Chinese in `message`
    and English in `message_en` (NULL in a warehouse written before it existed: then the Chinese shows)."""
    return f"coalesce({alias}.message_en, {alias}.message)" if lang == "en" else f"{alias}.message"


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
