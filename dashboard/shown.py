"""Tables as the screen shows them: each number in its metric's unit, a change signed, an unknown value as
"—" (Streamlit's grid prints a null as "None"). The data underneath stays numeric, so columns still sort
as numbers and the CSV/Excel downloads hold the numbers themselves."""

from __future__ import annotations

import re
from collections.abc import Mapping

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from dashboard import ui
from etl import metrics as M

DASH = "—"
COUNT = "{:,.0f}"
YEAR = "{:d}"  # a year column: plain (2023), and the files' year span


def value_format(metric: M.Metric) -> str:
    """A figure of the metric: a share in percent, a rate per 100 with two decimals, a count whole."""
    return "{:.1%}" if metric.is_share else "{:,.2f}" if metric.is_rate else COUNT


def change_format(metric: M.Metric) -> str:
    """A change of the metric, signed: a share's in percentage points (the column holds points)."""
    return "{:+.1f}" if metric.is_share else "{:+,.2f}" if metric.is_rate else "{:+,.0f}"


def styled(df: pd.DataFrame, formats: Mapping[str, str]) -> Styler:
    """`df` with `formats` (column -> str.format pattern) and every missing value shown as "—"."""
    # a year is whole whatever its column's dtype (a float column after a merge): "{:d}" would refuse 2023.0
    fmts = {c: (lambda v: f"{int(v)}") if f == YEAR else f for c, f in formats.items() if c in df.columns}
    return df.style.format(na_rep=DASH).format(fmts, na_rep=DASH)


def screen_format(pattern: str) -> str | None:
    """A str.format pattern of this module as the screen format the exports read (exports.excel_format):
    "{:.1%}" → "percent", "{:+,.2f}" → "%+.2f", YEAR → a plain year; None for any other."""
    if pattern == YEAR:
        return ui.YEAR_FORMAT
    m = re.fullmatch(r"\{:(\+?),?\.(\d)([f%])\}", pattern)
    if not m:
        return None
    return "percent" if m.group(3) == "%" else f"%{m.group(1)}.{m.group(2)}f"


def table(df: pd.DataFrame, key: str, ctx: ui.Context, formats: Mapping[str, str], *, title: str,
          **download: object) -> None:
    """ui.table's screen and downloads, with styled() on screen; the files take the same number formats."""
    if df.empty:
        ui.table(df, key, ctx, title=title)  # its own "no rows" note
        return
    st.dataframe(styled(df, formats), key=f"df_{key}", hide_index=True)
    excel = {c: f for c, f in ((c, screen_format(p)) for c, p in formats.items()) if f}
    ui.downloads(df, key, ctx, title=title, formats=excel, **download)
