"""Rankings: pure functions of a DataFrame (no Streamlit, no SQL), one set of fairness rules for agencies,
regions and peer groups alike.

- Direction: the metric's (etl.metrics.Direction). Higher-better ranks the highest first, lower-better the
  lowest; a metric with no direction is listed largest first, with no bands and no "worst".
- Minimum base: a rate whose denominator is below the minimum is not ranked (listed apart), so a figure
  resting on three cases cannot top or tail a list. A count has no base to fall short of.
- Ties: competition ranking — tied units share a rank and the next rank is skipped (1, 1, 3).
- Bands: quarters of the ranked units of a group by rank (band 1 holds the best ranks; tied units share a
  band); a group of fewer than BANDS ranked units is not banded.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from dashboard.i18n import t
from etl import metrics as M

MIN_DENOMINATOR = 10  # a rate over fewer cases than this is listed as "too few to rank"
BANDS = 4  # 分档: quarters within the group


def ascending(metric: M.Metric) -> bool:
    """Whether rank 1 is the lowest value: only for a lower-is-better metric (no direction: largest first)."""
    return metric.direction == M.Direction.LOWER


def rank(df: pd.DataFrame, metric: M.Metric, min_den: float = MIN_DENOMINATOR, by: Sequence[str] = (),
         value: str = "value", den: str = "den") -> pd.DataFrame:
    """`df` (one row per unit, `value` and, for a rate, its denominator `den`) with `rankable`, `rank`
    (competition ranking within the groups of columns `by`, in the metric's direction), `n_ranked` (ranked
    units in the group) and `band` (nullable ints; NULL where not ranked, not banded or no direction).
    A unit with no value is dropped. Sorted by group, ranked first, then rank."""
    d = df[df[value].notna()].copy().reset_index(drop=True)
    floor = float(min_den) if metric.is_rate else 0.0
    d["rankable"] = (d[den].isna() | (d[den] >= floor)).astype(bool) if metric.is_rate else True
    keys = list(by)
    shown = d[value].where(d["rankable"])  # a unit under the base takes no rank and displaces nobody
    asc = ascending(metric)
    if keys:
        groups = [d[k] for k in keys]
        d["rank"] = shown.groupby(groups, dropna=False).rank(method="min", ascending=asc)
        d["n_ranked"] = d["rankable"].groupby(groups, dropna=False).transform("sum")
    else:
        d["rank"] = shown.rank(method="min", ascending=asc)
        d["n_ranked"] = int(d["rankable"].sum())
    d["rank"] = d["rank"].astype("Int64")
    d["n_ranked"] = d["n_ranked"].astype("Int64")
    d["band"] = band(d["rank"], d["n_ranked"], metric)
    order = [*keys, "rankable", "rank"]
    return d.sort_values(order, ascending=[True] * len(keys) + [False, True], na_position="last",
                         kind="stable").reset_index(drop=True)


def band(ranks: pd.Series, n_ranked: pd.Series, metric: M.Metric) -> pd.Series:
    """1 + floor(BANDS × (rank − 1) / n): band 1 the best quarter by rank; NULL where unranked, in a group
    under BANDS, or for a metric with no direction (a band would say better or worse)."""
    r = ranks.astype("Float64")
    n = n_ranked.astype("Float64")
    b = 1 + np.floor(BANDS * (r - 1) / n)
    ok = r.notna() & (n >= BANDS) & metric.has_direction
    return b.where(ok).astype("Int64")


def worst(ranked: pd.DataFrame, n: int) -> pd.DataFrame:
    """The `n` ranked units with the worst ranks (ties at the cut kept), worst first; empty for a metric with
    no direction (there is no worst) — the caller says so."""
    r = ranked[ranked["rankable"]]
    if r.empty or n <= 0:
        return r.iloc[0:0]
    cut = r["rank"].sort_values(ascending=False).iloc[min(n, len(r)) - 1]
    return r[r["rank"] >= cut].sort_values("rank", ascending=False, kind="stable")


def caption(metric: M.Metric, lang: str = "zh") -> str:
    """Which way the ranking runs and what rank 1 and band 1 mean, in words."""
    return t(f"rank_dir_{metric.direction.value}", lang, metric=metric.label(lang),
             words=M.direction_words(metric.direction, lang))


def band_label(b: object, n_ranked: object, metric: M.Metric, lang: str = "zh") -> str:
    if not metric.has_direction:
        return t("band_no_direction", lang)
    if b is None or pd.isna(b):
        return t("band_none", lang) if n_ranked is None or pd.isna(n_ranked) or n_ranked < BANDS else "—"
    return t(f"band_{int(b)}", lang)


def delta_color(metric: M.Metric | None) -> str:
    """st.metric's delta colour: green for good news in the metric's direction, grey for a metric with no
    direction (a rise in requests or lawsuits is no verdict); a count of reports ("normal") is not a metric."""
    if metric is None:
        return "normal"
    return {M.Direction.HIGHER: "normal", M.Direction.LOWER: "inverse", M.Direction.NEITHER: "off"}[metric.direction]
