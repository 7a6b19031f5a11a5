"""Rankings: the fairness rules, one set for agencies, regions and peer groups alike (applied in SQL by
dashboard.queries.rankings.ranked, so a national ranking never leaves the database), and the pure functions that
read a ranked frame: which way it runs, its caption, band words, the worst few, a change's colour.

- Direction: the metric's (etl.metrics.Direction). Higher-better ranks the highest first, lower-better the
  lowest; a metric with no direction is listed largest first, with no bands and no "worst".
- Minimum base: a rate whose denominator is below the minimum is not ranked (listed apart), so a figure
  resting on three cases cannot top or tail a list. A count has no base to fall short of.
- Ties: competition ranking — tied units share a rank and the next rank is skipped (1, 1, 3).
- Bands: quarters of the ranked units of a group by rank (band 1 holds the best ranks; tied units share a
  band); a group of fewer than BANDS ranked units is not banded.
"""

from __future__ import annotations

import pandas as pd

from dashboard.i18n import t
from etl import metrics as M

MIN_DENOMINATOR = 10  # a rate over fewer cases than this is listed as "too few to rank"
BANDS = 4  # 分档: quarters within the group


def ascending(metric: M.Metric) -> bool:
    """Whether rank 1 is the lowest value: only for a lower-is-better metric (no direction: largest first)."""
    return metric.direction == M.Direction.LOWER


def worst(ranked: pd.DataFrame, n: int, metric: M.Metric) -> pd.DataFrame:
    """The `n` ranked units with the worst ranks (ties at the cut kept), worst first; empty for a metric with
    no direction (there is no worst) — the caller says so."""
    r = ranked[ranked["rankable"]]
    if r.empty or n <= 0 or not metric.has_direction:
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
