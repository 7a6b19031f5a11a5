"""THE ranking of agencies, regions and peer groups (dashboard.rankings states the rules)."""

from __future__ import annotations

import pandas as pd

from dashboard import rankings as R
from dashboard.filters import Filters
from dashboard.queries.panels import stated_panel
from dashboard.queries.sql import (
    DIMENSIONS,
    Run,
    ident,
    metric_sql,
)
from etl import metrics as M

# Who an agency is ranked against: its peer group (same level and kind), optionally in its province too.
RANK_SCOPES: dict[str, tuple[str, ...]] = {"peer": ("level", "kind"), "peer_province": ("level", "kind", "province"),
                                           "all": ()}
MIN_DENOMINATOR = R.MIN_DENOMINATOR  # a rate over fewer cases than this is listed as "too few to rank"
BANDS = R.BANDS  # 分档: quartiles within the group


def ranked(run: Run, f: Filters, metric: str, year: int, keys: dict[str, str], by: tuple[str, ...],
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
    col = ident(metric)
    names = [ident(k) for k in keys]
    sel = ", ".join(f"{expr} AS {ident(k)}" for k, expr in keys.items())
    grp = ", ".join(f"cur.{ident(c)}" for c in by) or "NULL"
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
    """Agencies on one metric in `year`, ranked within their group (RANK_SCOPES) by ranked(); `change` is
    this year minus the agency's own previous year (NULL without one)."""
    keys = {"agency_id": "m.agency_id", "agency": "m.agency_name", "level": "m.level", "kind": "m.kind",
            "province": "m.province"}
    return ranked(run, f, metric, year, keys, RANK_SCOPES[scope], min_den, limit)


# --- like for like and the ranking of regions and peer groups -------------------------------------------

# A region or peer group as one key: a city is named with its province, a county with both (names repeat
# across the country); NULL where the agency has none (a provincial department has no city).
RANK_UNITS = {
    "province": "m.province",
    "city": "CASE WHEN m.city IS NOT NULL THEN concat_ws(' · ', m.province, m.city) END",
    "county": "CASE WHEN m.county IS NOT NULL THEN concat_ws(' · ', m.province, m.city, m.county) END",
    "peer": DIMENSIONS["peer"],
}


def unit_ranking(run: Run, f: Filters, unit: str, metric: str, year: int,
                 min_den: float = MIN_DENOMINATOR) -> pd.DataFrame:
    """Regions or peer groups (RANK_UNITS) on one metric in `year`, ranked as agencies are (ranked): `value`
    over all their reports that year (ratio of sums), with `num`, `den`, `n_reports` (counted) and
    `n_agencies`; the change like for like (stated_panel over year − 1 and year: `prev_value`,
    `panel_value`, `n_panel` agencies, `change`). Agency filters apply; the year is the one asked."""
    col = ident(metric)
    out = ranked(run, f, metric, year, {"grp": RANK_UNITS[unit]}, (), min_den, 10_000, prev=False)
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
