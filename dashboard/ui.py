"""Streamlit pieces every page uses: the per-run context, charts and tables with their downloads, notes."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import db, exports
from dashboard.filters import Filters
from dashboard.i18n import t
from etl import metrics as M


@dataclass
class Context:
    filters: Filters
    lang: str
    data_date: str
    n_reports: int = 0
    n_sample: int = 0

    def run(self, sql: str, params) -> pd.DataFrame:
        return db.query(sql, params)

    @property
    def subtitle(self) -> str:
        return f"{self.filters.describe(self.lang)} · {t('data_date', self.lang)} {self.data_date}"


def context() -> Context | None:
    """The context app.py computed for this run; None when there is no warehouse."""
    return st.session_state.get("_ctx")


def slug(text: str) -> str:
    return re.sub(r"[^0-9A-Za-z_\-]+", "_", text).strip("_") or "chart"


def chart(fig: go.Figure, key: str, ctx: Context) -> None:
    """The figure on screen, with server-side PNG and SVG downloads of the very same figure."""
    name = slug(key)
    st.plotly_chart(fig, key=f"chart_{key}", config={
        "displaylogo": False, "toImageButtonOptions": {"format": "png", "filename": name, "scale": 2}})
    row = st.container(horizontal=True)
    row.download_button(t("download_png", ctx.lang), lambda: exports.figure_bytes(fig, "png"), f"{name}.png",
                       "image/png", key=f"png_{key}", on_click="ignore", icon=":material/image:")
    row.download_button(t("download_svg", ctx.lang), lambda: exports.figure_bytes(fig, "svg"), f"{name}.svg",
                       "image/svg+xml", key=f"svg_{key}", on_click="ignore", icon=":material/draw:")


def table(df: pd.DataFrame, key: str, ctx: Context, column_config: dict | None = None, height: int | None = None,
          show: pd.DataFrame | None = None) -> None:
    """A table with CSV and Excel downloads of `df` (`show` is what the screen displays, when different)."""
    df, show = relabel(df, ctx.lang), None if show is None else relabel(show, ctx.lang)
    kw = {"height": height} if height else {}
    st.dataframe(df if show is None else show, key=f"df_{key}", hide_index=True, column_config=column_config, **kw)
    downloads(df, key, ctx)


def downloads(df: pd.DataFrame, key: str, ctx: Context, index: bool = False, note: str = "") -> None:
    """CSV and Excel buttons; the files are made only when clicked. The Excel file's first row describes the
    filters, followed by `note` when given (e.g. what the marks in the table mean)."""
    name = slug(key)
    out = df.reset_index(names="") if index else df
    head = f"{ctx.subtitle} · {note}" if note else ctx.subtitle
    row = st.container(horizontal=True)
    row.download_button(t("download_csv", ctx.lang), lambda: exports.csv_bytes(out), f"{name}.csv", "text/csv",
                        key=f"csv_{key}", on_click="ignore", icon=":material/download:")
    row.download_button(t("download_xlsx", ctx.lang), lambda: exports.xlsx_bytes(out, name, head),
                        f"{name}.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        key=f"xlsx_{key}", on_click="ignore", icon=":material/table:")


COLUMN_KEYS = ("agency", "year", "rule", "severity", "status", "message", "n_fail", "n_error", "n_findings",
               "rules", "path", "reason", "seen_at", "expected", "actual", "n_reports")


def relabel(df: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Column keys the queries return, shown in the interface language."""
    ren = {c: t(c, lang) for c in df.columns if c in COLUMN_KEYS}
    return df.rename(columns=ren) if ren else df


def nothing_matches(ctx: Context) -> bool:
    """Show the empty state and return True when the filters leave no report."""
    if ctx.n_reports == 0:
        st.info(t("no_match", ctx.lang), icon=":material/filter_alt_off:")
        return True
    return False


def fmt_metric(name: str, value: float | None) -> str:
    if value is None or pd.isna(value):
        return "—"
    if name in ("share_failed", "share_late"):
        return f"{value:.1%}"
    m = M.BY_NAME.get(name)
    if m is None or not m.is_rate:
        return f"{value:,.0f}"
    return f"{value:.1%}" if m.per == 1 else f"{value:.2f}"


def fmt_delta(name: str, delta: float | None, lang: str) -> str | None:
    if delta is None or pd.isna(delta):
        return None
    m = M.BY_NAME.get(name)
    pct = name in ("share_failed", "share_late") or (m is not None and m.is_rate and m.per == 1)
    if pct:
        return f"{delta * 100:+.1f} {'个百分点' if lang == 'zh' else 'pp'}"
    return f"{delta:+,.2f}" if m is not None and m.is_rate else f"{delta:+,.0f}"


def metric_label(name: str, lang: str) -> str:
    if name in M.BY_NAME:
        return M.get(name).label(lang)
    return t({"n_reports": "reports_loaded"}.get(name, name), lang)


def rates_frame(df: pd.DataFrame, lang: str) -> pd.DataFrame:
    """queries.rates output with labels: metric, rate, numerator, denominator and what they are."""
    rows = []
    for r in df.itertuples():
        m = M.get(r.metric)
        rows.append({t("metric", lang): m.label(lang), t("rate", lang): fmt_metric(r.metric, r.value),
                     t("numerator", lang): r.num, t("denominator", lang): r.den, t("n_reports", lang): r.n,
                     t("definition", lang): m.definition(lang)})
    return pd.DataFrame(rows)


def report_link(report_id: str | None, lang: str) -> str | None:
    if report_id is None or pd.isna(report_id) or not report_id:  # coverage findings have no report
        return None
    return f"report?report={report_id}" + ("&lang=en" if lang == "en" else "")


__all__ = ["Context", "chart", "context", "fmt_delta", "fmt_metric", "nothing_matches", "table"]


def dimension_labels(dim: str, lang: str) -> dict[str, str]:
    """Display names for the values of a grouping dimension (level, kind and sector keys are codes)."""
    from dashboard import i18n

    table = {"level": i18n.LEVELS, "kind": i18n.KINDS, "sector": i18n.SECTORS}.get(dim)
    if table is None:
        return {}
    return {k: i18n.name(table, k, lang) for k in table}
