"""Like for like, as pure functions of the frames queries.stated_panel returns (one row per group and year:
the metric's value, __num, __den, __n, n_agencies): the change between two years two ways, the points on a
small base, the words for a set of years. A panel for a figure is the agencies that STATED it in every year
compared (queries.stated): an agency that reported but left the figure blank one year is not in it."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from etl import metrics as M


def years_words(years: Sequence[int], lang: str = "zh") -> str:
    """2019–2024 for a run of years, else the years listed; "2023 年" / "2023" for one."""
    ys = sorted({int(y) for y in years})
    if not ys:
        return ""
    if len(ys) == 1:
        return f"{ys[0]} 年" if lang == "zh" else str(ys[0])
    if ys == list(range(ys[0], ys[-1] + 1)):
        return f"{ys[0]}–{ys[-1]} 年" if lang == "zh" else f"{ys[0]}–{ys[-1]}"
    return ("、".join(map(str, ys)) + " 年") if lang == "zh" else ", ".join(map(str, ys))


def _at(ser: pd.DataFrame, metric: str, year: int) -> pd.Series:
    part = ser[ser["year"] == year]
    return part.set_index("grp")[metric] if not part.empty else pd.Series(dtype=float)


def change(panel: pd.DataFrame, every: pd.DataFrame, metric: str, y0: int, y1: int) -> pd.DataFrame:
    """Per group, the metric in `y0` and `y1` and the change between them over `panel` (like for like) and
    over `every` report (which also moves when agencies start or stop stating the figure). Columns: grp,
    v0, v1, change (panel), n_panel (agencies in the panel in y1), a0, a1, change_all."""
    groups = sorted(set(every.get("grp", pd.Series(dtype=object))) | set(panel.get("grp", pd.Series(dtype=object))))
    out = pd.DataFrame({"grp": groups})
    if panel.empty:
        out = out.assign(v0=float("nan"), v1=float("nan"), n_panel=pd.NA)
    else:
        n = panel[panel["year"] == y1].set_index("grp")["n_agencies"]
        out = out.assign(v0=out["grp"].map(_at(panel, metric, y0)), v1=out["grp"].map(_at(panel, metric, y1)),
                         n_panel=out["grp"].map(n).astype("Int64"))
    out = out.assign(a0=out["grp"].map(_at(every, metric, y0)) if not every.empty else float("nan"),
                     a1=out["grp"].map(_at(every, metric, y1)) if not every.empty else float("nan"))
    out = out.astype({"v0": float, "v1": float, "a0": float, "a1": float})
    out["change"] = out["v1"] - out["v0"]
    out["change_all"] = out["a1"] - out["a0"]
    return out[["grp", "v0", "v1", "change", "n_panel", "a0", "a1", "change_all"]]


def low_base(ser: pd.DataFrame, metric: M.Metric, min_base: float) -> pd.DataFrame:
    """The points of a rate whose denominator is below `min_base` (none for a count): grp, year, den."""
    if not metric.is_rate or ser.empty:
        return pd.DataFrame(columns=["grp", "year", "den"])
    den = ser[f"{metric.name}__den"]
    low = ser[den.notna() & (den < min_base)]
    return pd.DataFrame({"grp": low["grp"], "year": low["year"], "den": low[f"{metric.name}__den"]})
