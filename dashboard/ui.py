"""Streamlit pieces every page uses: the per-run context, charts and tables with their downloads, notes."""

from __future__ import annotations

import html
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


# Headline cards: four to a row where there is room, two (or one) where there is not — each at least CARD_MIN
# wide — and a value that wraps rather than being cut to "56.…" (Streamlit ends a long value with an ellipsis).
CARD_MIN = "15rem"
_CARDS = """<style>
.st-key-%(key)s {flex-wrap: wrap;}
.st-key-%(key)s > div {flex: 1 1 calc(25%% - 1rem) !important; min-width: %(min)s !important;
  align-self: stretch !important;}
.st-key-%(key)s [data-testid="stMetric"] {height: 100%%;}
.st-key-%(key)s [data-testid="stMetricValue"], .st-key-%(key)s [data-testid="stMetricValue"] * {
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important;}
.st-key-%(key)s [data-testid="stMetricLabel"] * {white-space: normal !important;}
</style>"""


def cards(key: str = "headline_cards"):
    """A row of metric cards that wraps (see _CARDS); add cards with .metric(…)."""
    st.html(_CARDS % {"key": key, "min": CARD_MIN})
    return st.container(horizontal=True, key=key, gap="small")


def uploader_words(lang: str) -> None:
    """Chinese words on Streamlit's file uploaders (see _UPLOADER_ZH); English needs nothing."""
    if lang == "zh":
        st.html(_UPLOADER_ZH % (t("upload_button", "zh"), t("upload_drop", "zh")))


MISSING = exports.MISSING  # an unknown value on screen and in files: never None or nan
YEAR_FORMAT = "%d"  # a year: 2023, never 2,023


def scope_words(ctx: Context, years: tuple[int | None, int | None] | None = None) -> tuple[str, str]:
    """(whom, years) a file covers, in the reader's language: the place or agency searched for (else all
    agencies) and the years (`years`, else the filters')."""
    f = ctx.filters
    searched = (f"名称含{f.agency}" if ctx.lang == "zh" else f"names with {f.agency}") if f.agency else ""
    whom = " ".join(v for v in (f.province, f.city, f.county) if v) or searched
    whom = whom or ("全部机关" if ctx.lang == "zh" else "All agencies")
    y0, y1 = years or (f.year_from, f.year_to)
    if y0 is None and y1 is None:
        return whom, ""
    span = str(y0 or y1) if y0 == y1 or y1 is None or y0 is None else f"{y0}-{y1}"
    return whom, (f"{span}年" if ctx.lang == "zh" else span)


def unique_name(name: str) -> str:
    """`name`, or `name` numbered when this run of the page already offers a file of that name."""
    used = st.session_state.setdefault("_file_names", set())
    stem, dot, ext = name.rpartition(".")
    n, out = 1, name
    while out in used:
        n += 1
        out = f"{stem}_{n}{dot}{ext}"
    used.add(out)
    return out


def file_name(ctx: Context, what: str, ext: str, years: tuple[int | None, int | None] | None = None,
              whom: str | None = None) -> str:
    """What the file holds, whose and which years, in the reader's language (exports.file_name makes it safe)."""
    scope_whom, span = scope_words(ctx, years)
    if span and span.removesuffix("年") in what:  # "2023年度通报名单" already says its year
        span = ""
    return unique_name(exports.file_name([what, scope_whom if whom is None else whom, span], ext))


def _plain_title(fig: go.Figure) -> str:
    """A figure's title without its subtitle and markup: what a chart file is named after."""
    text = str(fig.layout.title.text or "")
    text = re.split(r"<br\s*/?>|<sup>", text, maxsplit=1)[0]
    return html.unescape(re.sub(r"<[^>]+>", "", text)).strip()


def chart(fig: go.Figure, key: str, ctx: Context) -> None:
    """The figure on screen, with server-side PNG and SVG downloads of the very same figure, named after its
    title and scope in the reader's language."""
    title = _plain_title(fig) or t("app_title", ctx.lang)
    png, svg = file_name(ctx, title, "png"), file_name(ctx, title, "svg")
    st.plotly_chart(fig, key=f"chart_{key}", config={
        "displaylogo": False, "toImageButtonOptions": {"format": "png", "filename": png[:-4], "scale": 2}})
    row = st.container(horizontal=True)
    sample = ctx.n_sample > 0  # a chart of the view draws the generated data in it: the file says so
    row.download_button(t("download_png", ctx.lang), lambda: exports.figure_bytes(fig, "png", sample), png,
                        "image/png", key=f"png_{key}", on_click="ignore", icon=":material/image:")
    row.download_button(t("download_svg", ctx.lang), lambda: exports.figure_bytes(fig, "svg", sample), svg,
                        "image/svg+xml", key=f"svg_{key}", on_click="ignore", icon=":material/draw:")


def page_title(title: str) -> str:
    """The page's title, returned: the title of the files exported before the page's first section."""
    st.session_state["_file_names"] = set()  # file names offered by this run of the page
    st.title(title)
    return title


def section(title: str, ctx: Context | None = None) -> str:
    """A section heading, returned as shown: the page passes it as the title of the files exported under
    it. With `ctx`, the heading says which years its figures sum (a table over several years is never read
    as one year's)."""
    if ctx is not None:
        title = ctx.pooled_title(title)
    st.subheader(title)
    return title


def table(df: pd.DataFrame, key: str, ctx: Context, *, title: str, column_config: dict | None = None,
          height: int | None = None, show: pd.DataFrame | None = None,
          years: tuple[int | None, int | None] | None = None, **download: object) -> None:
    """A table with CSV and Excel downloads of `df` (`show` is what the screen displays, when different).

    Number formats travel with the columns' keys, never found from a label: a column keyed by a registry
    metric (relabelled here) takes the metric's unit, the `year` key a plain year, a `column_config`
    NumberColumn its format (the page chose it from the metric); other numbers by their values. `years`
    names the years the table covers when it is not the filters' span and it has no year column; `download`
    passes the file's subtitle, name or sample flag to downloads(); `title` heads the Excel file (the
    section's heading, which the page passes)."""
    if df.empty and (show is None or show.empty):
        st.caption(t("no_rows", ctx.lang))  # not an empty grid that says "empty"
        return
    declared = metric_config(df, ctx.lang) | metric_config(show, ctx.lang) | (column_config or {})
    df, show = relabel(df, ctx.lang), None if show is None else relabel(show, ctx.lang)
    kw = {"height": height} if height else {}
    shown = df if show is None else show
    config = number_config(shown, declared) | declared
    st.dataframe(shown, key=f"df_{key}", hide_index=True, column_config=config, placeholder=MISSING, **kw)
    downloads(df, key, ctx, title=title, formats=screen_formats(number_config(df, declared) | declared),
              years=years, **download)  # type: ignore[arg-type]


def metric_config(df: pd.DataFrame | None, lang: str) -> dict:
    """Screen formats the columns' keys carry (a registry metric's unit, `year` a plain year), under the
    label relabel() gives them."""
    if df is None:
        return {}
    names = relabelling(df, lang)
    return {names.get(c, c): st.column_config.NumberColumn(format=f) for c in df.columns
            if (f := key_format(c, df[c])) is not None}


def key_format(key: object, s: pd.Series) -> str | None:
    """The screen format a column key carries: a metric's unit, a plain year (numbers only); else None."""
    if key in M.BY_NAME:
        return metric_format(str(key))
    if key == "year" and pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        return YEAR_FORMAT
    return None


def metric_format(name: str) -> str:
    """The screen format of a metric's unit: a share in percent, a rate with two decimals, a count whole."""
    m = M.get(name)
    return "percent" if m.is_share else "%.2f" if m.is_rate else "localized"


def number_config(df: pd.DataFrame, declared: dict | None = None) -> dict:
    """Screen formats of the numeric columns the page did not declare (nor their keys): a column of whole
    numbers with thousands separators, others as they are."""
    out = {}
    for c in df.columns:
        if c in (declared or {}) or not pd.api.types.is_numeric_dtype(df[c]) or pd.api.types.is_bool_dtype(df[c]):
            continue
        if _whole(df[c]):
            out[c] = st.column_config.NumberColumn(format="localized")
    return out


def _whole(s: pd.Series) -> bool:
    v = s.dropna()
    return pd.api.types.is_integer_dtype(s) or bool(len(v) and (v == v.round()).all())


def screen_formats(config: dict) -> dict[str, str]:
    """column -> the screen number format a column_config holds (NumberColumn only)."""
    out = {}
    for c, cfg in config.items():
        fmt = (cfg or {}).get("type_config", {}).get("format") if isinstance(cfg, dict) else None
        if fmt:
            out[c] = fmt
    return out


def holds_sample(df: pd.DataFrame, ctx: Context) -> bool:
    """Whether exported rows include generated sample data: a table listing agencies by name holds sample
    rows when one of them is a sample agency; any other table (figures over the view) when the view has
    sample reports."""
    if not ctx.n_sample:
        return False
    if ctx.n_sample >= ctx.n_reports:
        return True
    names = dict(ctx.run("SELECT name, bool_or(coalesce(is_sample, FALSE)) AS s FROM "
                         "(SELECT name, is_sample FROM agencies UNION ALL "
                         " SELECT agency_name, is_sample FROM report_metrics) GROUP BY name", []).itertuples(
        index=False, name=None))
    text = {v for c in df.columns if df[c].dtype == object for v in df[c].tolist() if isinstance(v, str)}
    listed = [v for v in text if v in names]
    return any(names[v] for v in listed) if listed else True


def downloads(df: pd.DataFrame, key: str, ctx: Context, *, title: str, index: bool = False, note: str = "",
              formats: dict[str, str] | None = None, years: tuple[int | None, int | None] | None = None,
              subtitle: str = "", parts: list[str] | None = None, sample: bool | None = None,
              highlight: set[tuple[int, str]] = frozenset(), marks: dict[tuple[int, str], str] | None = None,
              legend: tuple[str, ...] = ()) -> None:
    """CSV and Excel buttons; the files are made only when clicked. Both leave out internal ids, print cell
    addresses as labels and keep text that could be a formula text. The Excel file opens with a title row
    (`title`: what the page calls the table, its section's heading; else the app's name), one line naming
    the scope actually exported (`subtitle`, else the filters with the years of the table's year column —
    the one `formats` declares a plain year —, `years`, or the filters' years) and the data date (then
    `note`), the sample-data note only when the rows hold generated data (`sample`, else holds_sample), then
    the table with each column in its unit (`formats`: column -> screen format, see exports.excel_format).
    Files are named after what they hold, whose and which years (`parts` overrides), in the reader's language."""
    title = title or t("app_title", ctx.lang)
    src = df.reset_index(names="") if index else df
    lang = ctx.lang
    screen = dict(formats or {})
    # the year column is the one the formats declare a plain year (the `year` key's, or the page's own)
    year_col = next((c for c in src.columns if screen.get(c) == YEAR_FORMAT
                     and pd.api.types.is_numeric_dtype(src[c])), None)
    if years is None and year_col is not None and src[year_col].notna().any():
        years = (int(src[year_col].min()), int(src[year_col].max()))
    if not subtitle:
        f = ctx.filters if years is None else ctx.filters.with_years(*years)
        subtitle = f"{f.describe(lang)} · {t('data_date', lang)} {ctx.data_date}"
    head = f"{subtitle} · {note}" if note else subtitle

    def out() -> pd.DataFrame:  # made when a button is clicked, not on every rerun of the page
        return exports.readable(src, lang)

    def xlsx() -> bytes:
        frame = out()
        fmts = {c: exports.excel_format(screen.get(c), frame[c]) for c in frame.columns}
        mark = t("sample_note", lang) if (holds_sample(frame, ctx) if sample is None else sample) else ""
        return exports.xlsx_bytes(frame, title, head, title, fmts, mark, marks, highlight, legend)

    csv_name = unique_name(exports.file_name(parts, "csv")) if parts else file_name(ctx, title, "csv", years)
    xlsx_name = unique_name(exports.file_name(parts, "xlsx")) if parts else file_name(ctx, title, "xlsx", years)
    row = st.container(horizontal=True)
    row.download_button(t("download_csv", lang), lambda: exports.csv_bytes(out()), csv_name, "text/csv",
                        key=f"csv_{key}", on_click="ignore", icon=":material/download:")
    row.download_button(t("download_xlsx", lang), xlsx, xlsx_name,
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        key=f"xlsx_{key}", on_click="ignore", icon=":material/table:")


COLUMN_KEYS = ("agency", "year", "rule", "severity", "status", "responsibility", "message", "n_fail", "n_error", "n_findings",
               "rules", "path", "reason", "seen_at", "expected", "actual", "n_reports")


def relabelling(df: pd.DataFrame, lang: str) -> dict:
    """key -> label of the column keys the queries return (and registry metrics' names) in `df`."""
    ren = {c: t(c, lang) for c in df.columns if c in COLUMN_KEYS}
    return ren | {c: M.get(c).label(lang) for c in df.columns if c in M.BY_NAME}


def relabel(df: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Column keys the queries return (and registry metrics' names), shown in the interface language."""
    ren = relabelling(df, lang)
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
