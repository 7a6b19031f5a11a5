"""Streamlit pieces every page uses: the per-run context, charts and tables with their downloads, notes."""

from __future__ import annotations

import re
import string
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from streamlit.logger import get_logger
from streamlit.runtime.scriptrunner_utils.exceptions import RerunException, StopException

from dashboard import db, exports, i18n
from dashboard import queries as Q
from dashboard.filters import Filters
from dashboard.i18n import t
from etl import metrics as M

log = get_logger("dashboard")  # Streamlit's console format and --logger.level: the server log


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
    def pooled(self) -> str:
        """The years a pooled table or figure sums ("2019–2023 合计"), or the one year; "" when unbounded."""
        y0, y1 = self.filters.year_from, self.filters.year_to
        if y0 is None or y1 is None:
            return ""
        if y0 == y1:
            return f"{y0} 年" if self.lang == "zh" else str(y0)
        return f"{y0}–{y1} 合计" if self.lang == "zh" else f"{y0}–{y1} combined"

    def pooled_title(self, title: str) -> str:
        """`title` naming the years its figures sum: for a table or chart that pools the years in view."""
        return f"{title} · {self.pooled}" if self.pooled else title

    @property
    def subtitle(self) -> str:
        return f"{self.filters.describe(self.lang)} · {t('data_date', self.lang)} {self.data_date}"


def context() -> Context | None:
    """The context app.py computed for this run; None when there is no warehouse."""
    return st.session_state.get("_ctx")


_MD_PUNCT = frozenset(string.punctuation)  # every ASCII punctuation character, all escapable in CommonMark
WORD_JOINER = "\u2060"
# Streamlit's Markdown rewrites some text *after* backslash escapes are decoded: GFM autolink literals
# (http://, www., a@b.c), the :streamlit: logo, typographic arrows (->, <=, --). An invisible word joiner
# splits those sequences so they stay plain text.
_REWRITTEN = re.compile(r"(?<=:)(?=//)|(?<=www)(?=\.)|(?<=@)|(?<=:)(?=streamlit:)|(?<=[-<>~])(?=[->=])",
                        re.IGNORECASE)
_SPACE = re.compile(r"[ \t\r\n\f\v]+")


def escape_md(s: str) -> str:
    """`s` as literal text inside any Streamlit Markdown element (title, caption, st.info, labels…).

    Whitespace runs become one space (a newline could start a new block; HTML shows one space anyway),
    every ASCII punctuation character is backslash-escaped (no emphasis, link, image, HTML, directive,
    `$` math or `:icon:` shortcode can start) and autolinks and other post-parse rewrites are broken.
    """
    s = _REWRITTEN.sub(WORD_JOINER, _SPACE.sub(" ", str(s)))
    return "".join("\\" + ch if ch in _MD_PUNCT else ch for ch in s)


def url_note(keys: list[str], lang: str) -> None:
    """The short note that URL parameters were ignored (`keys` are our own parameter names, not user text)."""
    if keys:
        sep = "、" if lang == "zh" else ", "
        st.warning(t("bad_param" if len(keys) == 1 else "bad_params", lang, keys=sep.join(keys)),
                   icon=":material/link_off:")


def guarded(body: Callable[[], None], where: str) -> None:
    """Run `body` (a page); an unexpected exception is logged with its traceback on the server and the reader
    sees a plain message in the interface language, never the traceback (paths, SQL, report text)."""
    try:
        body()
    except (StopException, RerunException):
        raise  # st.stop(), st.rerun(), st.switch_page(): Streamlit's control flow, not errors
    except Exception:
        log.exception("dashboard page %r failed", where)
        lang = st.session_state.get("f_lang")
        st.error(t("page_failed", lang if lang in i18n.LANGS else "zh"), icon=":material/error:")


# Streamlit prints its file uploader's button and hint in English with no option to change them. In Chinese
# the English words are hidden (visibility, so they are not in the page's text either) and Chinese shown in
# their place by CSS; the uploader's own label states the file kinds and size limit in the reader's language.
_UPLOADER_ZH = """<style>
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p,
[data-testid="stFileUploaderDropzoneInstructions"] span {visibility: hidden; font-size: 0;}
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p::after
  {content: "%s"; visibility: visible; font-size: 0.875rem;}
[data-testid="stFileUploaderDropzoneInstructions"] span::after
  {content: "%s"; visibility: visible; font-size: 0.875rem;}
</style>"""


def uploader_words(lang: str) -> None:
    """Chinese words on Streamlit's file uploaders (see _UPLOADER_ZH); English needs nothing."""
    if lang == "zh":
        st.html(_UPLOADER_ZH % (t("upload_button", "zh"), t("upload_drop", "zh")))


def slug(text: str) -> str:
    return re.sub(r"[^0-9A-Za-z_\-]+", "_", text).strip("_") or "chart"


def chart(fig: go.Figure, key: str, ctx: Context) -> None:
    """The figure on screen, with server-side PNG and SVG downloads of the very same figure."""
    name = slug(key)
    st.plotly_chart(fig, key=f"chart_{key}", config={
        "displaylogo": False, "toImageButtonOptions": {"format": "png", "filename": name, "scale": 2}})
    row = st.container(horizontal=True)
    sample = ctx.n_sample > 0  # files leaving the app say they hold generated data
    row.download_button(t("download_png", ctx.lang), lambda: exports.figure_bytes(fig, "png", sample), f"{name}.png",
                       "image/png", key=f"png_{key}", on_click="ignore", icon=":material/image:")
    row.download_button(t("download_svg", ctx.lang), lambda: exports.figure_bytes(fig, "svg", sample), f"{name}.svg",
                       "image/svg+xml", key=f"svg_{key}", on_click="ignore", icon=":material/draw:")


def page_title(title: str) -> None:
    """The page's title; tables exported before the first section take it as their title."""
    st.session_state["_section"] = title
    st.title(title)


def section(title: str, ctx: Context | None = None) -> None:
    """A section heading; the tables exported under it take it as their title. With `ctx`, the heading says
    which years its figures sum (a table over several years is never read as one year's)."""
    if ctx is not None:
        title = ctx.pooled_title(title)
    st.session_state["_section"] = title
    st.subheader(title)


def table(df: pd.DataFrame, key: str, ctx: Context, column_config: dict | None = None, height: int | None = None,
          show: pd.DataFrame | None = None, title: str = "") -> None:
    """A table with CSV and Excel downloads of `df` (`show` is what the screen displays, when different)."""
    if df.empty and (show is None or show.empty):
        st.caption(t("no_rows", ctx.lang))  # not an empty grid that says "empty"
        return
    df, show = relabel(df, ctx.lang), None if show is None else relabel(show, ctx.lang)
    kw = {"height": height} if height else {}
    shown = df if show is None else show
    st.dataframe(shown, key=f"df_{key}", hide_index=True,
                 column_config=number_config(shown) | (column_config or {}), **kw)
    downloads(df, key, ctx, title=title)


def number_config(df: pd.DataFrame) -> dict:
    """Screen formats: a column headed by a metric's label (either language) as the metric's unit (a share in
    percent, a rate per 100 with two decimals, a count with thousands separators); any other column of whole
    numbers, years aside, with thousands separators; other columns as they are."""
    by_label = {m.label(lang): m for m in M.METRICS for lang in ("zh", "en")}
    years = {t("year", lang) for lang in ("zh", "en")}
    out = {}
    for c in df.columns:
        if not pd.api.types.is_numeric_dtype(df[c]) or pd.api.types.is_bool_dtype(df[c]):
            continue
        m = by_label.get(str(c))
        if m is not None:
            fmt = "percent" if m.is_share else "%.2f" if m.is_rate else "localized"
            out[c] = st.column_config.NumberColumn(format=fmt)
        elif str(c) not in years and _whole(df[c]):
            out[c] = st.column_config.NumberColumn(format="localized")
    return out


def _whole(s: pd.Series) -> bool:
    v = s.dropna()
    return pd.api.types.is_integer_dtype(s) or bool(len(v) and (v == v.round()).all())


def _share_columns(df: pd.DataFrame) -> tuple[str, ...]:
    """Columns holding a share (0–1) by their header: a share metric's label in either language."""
    labels = {m.label(lang) for m in M.METRICS if m.is_share for lang in ("zh", "en")}
    return tuple(c for c in df.columns if str(c) in labels)


def downloads(df: pd.DataFrame, key: str, ctx: Context, index: bool = False, note: str = "", title: str = "") -> None:
    """CSV and Excel buttons; the files are made only when clicked. Both leave out internal ids and print
    cell addresses as labels; the Excel file opens with a title row (`title`, else the table's key made
    readable), the filters and data date (followed by `note`), and the sample-data note when generated data
    is in view."""
    name = slug(key)
    title = title or st.session_state.get("_section") or t("app_title", ctx.lang)
    src = df.reset_index(names="") if index else df
    lang = ctx.lang

    def out() -> pd.DataFrame:  # made when a button is clicked, not on every rerun of the page
        return exports.readable(src, lang)

    head = f"{ctx.subtitle} · {note}" if note else ctx.subtitle
    sample = t("sample_note", ctx.lang) if ctx.n_sample else ""
    row = st.container(horizontal=True)
    row.download_button(t("download_csv", ctx.lang), lambda: exports.csv_bytes(out()), f"{name}.csv", "text/csv",
                        key=f"csv_{key}", on_click="ignore", icon=":material/download:")
    row.download_button(t("download_xlsx", ctx.lang),
                        lambda: exports.xlsx_bytes(frame := out(), name, head, title, _share_columns(frame), sample),
                        f"{name}.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        key=f"xlsx_{key}", on_click="ignore", icon=":material/table:")


COLUMN_KEYS = ("agency", "year", "rule", "severity", "status", "responsibility", "message", "n_fail", "n_error", "n_findings",
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
    """A figure as shown: a share as a percentage, a rate per 100 with two decimals, a count whole. Driven by
    the metric's per/denominator; a name that is no metric (the report count) is a count."""
    if value is None or pd.isna(value):
        return "—"
    m = M.BY_NAME.get(name)
    if m is None or not m.is_rate:
        return f"{value:,.0f}"
    return f"{value:.1%}" if m.is_share else f"{value:.2f}"


def fmt_delta(name: str, delta: float | None, lang: str) -> str | None:
    if delta is None or pd.isna(delta):
        return None
    m = M.BY_NAME.get(name)
    if m is not None and m.is_share:
        shown = f"{delta * 100:+.1f} {'个百分点' if lang == 'zh' else 'pp'}"
    else:
        shown = f"{delta:+,.2f}" if m is not None and m.is_rate else f"{delta:+,.0f}"
    # no change at the precision shown is no change: no sign, so no arrow up or down
    return shown[1:] if is_no_change(shown) else shown


def is_no_change(shown: str | None) -> bool:
    """Whether a formatted change rounds to zero ("+0.0 个百分点", "-0.00", "+0")."""
    return bool(shown) and not any(ch in "123456789" for ch in shown.split(" ")[0])


def metric_label(name: str, lang: str) -> str:
    if name in M.BY_NAME:
        return M.get(name).label(lang)
    return t({"n_reports": "reports_loaded"}.get(name, name), lang)


def rate_unit(name: str, lang: str) -> str:
    """What a rate's number counts: "%" for a share, "每百件申请" for a rate per 100 requests."""
    m = M.get(name)
    if m.is_share:
        return "%"
    per = f"{m.per:g}"
    return f"每{'百' if m.per == 100 else per}件" if lang == "zh" else f"per {per}"


def rates_frame(df: pd.DataFrame, lang: str) -> pd.DataFrame:
    """queries.rates output with labels: metric, rate as a number in its unit (a share in percent, not a
    fraction, so one column holds every rate), numerator, denominator and what they are."""
    rows = []
    for r in df.itertuples():
        m = M.get(r.metric)
        value = None if r.value is None or pd.isna(r.value) else round(float(r.value) * (100 if m.is_share else 1), 2)
        rows.append({t("metric", lang): m.label(lang), t("rate", lang): value, t("unit", lang): rate_unit(r.metric, lang),
                     t("numerator", lang): r.num, t("denominator", lang): r.den, t("n_reports", lang): r.n,
                     t("definition", lang): m.definition(lang)})
    return pd.DataFrame(rows)


def report_link(report_id: str | None, lang: str) -> str | None:
    if report_id is None or pd.isna(report_id) or not report_id:  # coverage findings have no report
        return None
    return f"report?report={quote(str(report_id), safe='')}" + ("&lang=en" if lang == "en" else "")


__all__ = ["Context", "chart", "context", "escape_md", "fmt_delta", "fmt_metric", "guarded", "nothing_matches",
           "table", "url_note"]


def dimension_labels(dim: str, lang: str) -> dict[str, str]:
    """Display names for the values of a grouping dimension (level, kind and sector keys are codes)."""
    from dashboard import i18n

    table = {"level": i18n.LEVELS, "kind": i18n.KINDS, "sector": i18n.SECTORS}.get(dim)
    if table is None:
        return {}
    return {k: i18n.name(table, k, lang) for k in table}


def trend_frame(ctx: Context, yearly: pd.DataFrame, names: list[str], key: str) -> pd.DataFrame:
    """The rows a trend chart draws: like for like by default (the agencies under the filters that reported
    in every year drawn, so a line moves only when what they did moved, not when agencies start or stop
    reporting), with a toggle to all reports; a caption says which basis and, for the panel, its size."""
    shown = yearly[yearly["year"] >= (ctx.filters.year_from or yearly["year"].min())]
    if shown.empty:
        return shown
    y0, y1 = int(shown["year"].min()), int(shown["year"].max())
    if st.toggle(t("lfl_toggle", ctx.lang), value=True, key=key) and y1 > y0:
        panel = Q.panel_years(ctx.run, ctx.filters, list(range(y0, y1 + 1)), names)
        n_panel = 0 if panel.empty else int(panel["n_panel"].iloc[0])
        if n_panel:
            st.caption(t("lfl_trend_caption", ctx.lang, n=n_panel, y0=y0, y1=y1))
            return panel
        st.caption(t("lfl_trend_none", ctx.lang, y0=y0, y1=y1))
    else:
        st.caption(t("lfl_trend_all", ctx.lang, y0=y0, y1=y1))
    return shown
