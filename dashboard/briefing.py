"""The Briefing: an A4 Word document for the current filters that a 领导 can use as it is — title, 编制单位
and date, a scope paragraph (agencies covered, missing, the like-for-like panel), headline figures with
like-for-like changes, captioned charts, key findings summarised per kind with counts and the worst cases,
the definitions, page numbers. Pure of Streamlit (takes a query runner)."""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, RGBColor

from dashboard import charts, exports
from dashboard import queries as Q
from dashboard.docx_layout import a4 as _a4
from dashboard.docx_layout import caption as _caption
from dashboard.docx_layout import cjk_font as _cjk_font
from dashboard.docx_layout import page_numbers as _page_numbers
from dashboard.docx_layout import save as _save
from dashboard.filters import Filters
from dashboard.i18n import RULES, t
from dashboard.i18n import name as tname
from etl import metrics as M
from etl.checks.categories import CATEGORIES

HEADLINE = Q.HEADLINE
CHART_METRICS = (("new_received",), ("disclosure_rate", "withholding_rate", "unavailable_rate"),
                 ("review_rate", "litigation_rate"), ("correction_rate",))
WORST_SHOWN = 3  # worst cases named per kind of finding


def _fmt(key: str, v: float | None) -> str:
    from dashboard.ui import fmt_metric  # the same formatting as the screen

    return fmt_metric(key, v)


def _known(v, as_type=str) -> str:
    """A value as printed; — for an unknown one (never None or nan in a document)."""
    return "—" if v is None or (isinstance(v, float) and pd.isna(v)) or v is pd.NA else str(as_type(v))


def scope(run: Q.Run, f: Filters, year: int) -> dict:
    """What the briefing covers: agencies with a report for `year`, those that reported the year before but
    not this year, and the like-for-like panel."""
    where, params = f.where(years=False)
    df = run(f"""SELECT count(DISTINCT agency_id) FILTER (WHERE year = ?) AS n_now,
                        count(DISTINCT agency_id) FILTER (WHERE year = ?) AS n_prev,
                        count(DISTINCT agency_id) FILTER (WHERE year = ? AND agency_id IN
                            (SELECT agency_id FROM report_metrics WHERE year = ?)) AS n_both,
                        count(*) FILTER (WHERE year = ?) AS n_reports
                 FROM report_metrics m WHERE {where}""", [year, year - 1, year - 1, year, year, *params])
    r = df.iloc[0]
    return {"year": year, "agencies": int(r["n_now"]), "prev": int(r["n_prev"]), "panel": int(r["n_both"]),
            "missing": int(r["n_prev"]) - int(r["n_both"]), "reports": int(r["n_reports"])}


def build(run: Q.Run, f: Filters, data_date: str, with_charts: bool = True, issuer: str = "",
          today: dt.date | None = None) -> bytes:
    lang = f.lang
    doc = Document()
    _a4(doc)
    _cjk_font(doc)
    _page_numbers(doc, lang)
    doc.add_heading(t("briefing_title", lang), level=0)
    made = (today or dt.date.today()).isoformat()
    p = doc.add_paragraph(t("briefing_byline", lang, issuer=issuer or t("briefing_no_issuer", lang), date=made,
                            data_date=data_date))
    p.runs[0].font.color.rgb = RGBColor(0x66, 0x66, 0x66)
    counts = Q.counts(run, f).iloc[0]
    if int(counts["n_sample"]):
        doc.add_paragraph(t("sample_note", lang)).runs[0].bold = True

    yearly = Q.yearly(run, f)
    if yearly.empty:
        doc.add_paragraph(t("no_match", lang))
        return _save(doc)
    year = int(yearly["year"].max())
    sc = scope(run, f, year)
    doc.add_heading(t("briefing_scope_head", lang), level=1)
    doc.add_paragraph(t("briefing_scope", lang, filters=f.describe(lang), **sc, y0=year - 1))

    lfl = Q.like_for_like(run, f, year)
    doc.add_heading(f"{t('headline', lang)} · {year}", level=1)
    from dashboard.ui import fmt_delta, metric_label

    tbl = doc.add_table(rows=1, cols=5)
    tbl.style = "Light Grid Accent 1"
    heads = (t("metric", lang), t("briefing_col_all", lang, y=year), t("briefing_col_lfl", lang, y0=year - 1),
             t("briefing_col_lfl_change", lang, n=lfl["panel"]), t("briefing_col_all_change", lang))
    for cell, text in zip(tbl.rows[0].cells, heads, strict=True):
        cell.text = text
    for h in lfl["rows"]:
        row = tbl.add_row().cells
        row[0].text = metric_label(h["key"], lang)
        row[1].text = _fmt(h["key"], h["value"])
        row[2].text = _fmt(h["key"], h["panel_prev"]) if h["key"] != "n_reports" else "—"
        row[3].text = (fmt_delta(h["key"], h["delta"], lang) or "—") if h["key"] != "n_reports" else "—"
        row[4].text = fmt_delta(h["key"], h["delta_all"], lang) or "—"
    _caption(doc, t("briefing_table_caption", lang, y0=year - 1, y1=year, n=lfl["panel"]))

    if with_charts:
        y0 = int(f.year_from or yearly["year"].min())
        panel = Q.panel_years(run, f, list(range(y0, year + 1))) if year > y0 else pd.DataFrame()
        n_panel = 0 if panel.empty else int(panel["n_panel"].iloc[0])
        shown = panel if n_panel else yearly[yearly["year"] >= y0]
        basis = (t("lfl_trend_caption", lang, n=n_panel, y0=y0, y1=year) if n_panel
                 else t("lfl_trend_all", lang, y0=y0, y1=year))
        sample = int(counts["n_sample"]) > 0
        for i, names in enumerate(CHART_METRICS, start=1):
            title = " / ".join(M.get(n).label(lang) for n in names)
            fig = charts.metric_by_year(shown, names, lang, title, f"{f.describe(lang)} · {y0}–{year}")
            try:
                png = exports.figure_bytes(fig, "png", sample=sample)
            except exports.ExportUnavailable as e:  # the briefing still goes out, saying why it has no chart
                doc.add_paragraph(str(e))
                break
            doc.add_picture(io.BytesIO(png), width=Cm(15.4))
            doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
            _caption(doc, t("briefing_figure", lang, i=i, title=title, y0=y0, y1=year, basis=basis))

    doc.add_heading(t("briefing_findings", lang), level=1)
    by_cat = Q.findings_by_category(run, f).set_index("category")
    fl = Q.findings_list(run, f, limit=5000)
    from etl.checks.categories import CATEGORY_OF

    fl["category"] = fl["rule"].map(CATEGORY_OF)
    for key, (zh, en) in CATEGORIES.items():
        n_rep = int(by_cat["n_reports"].get(key, 0)) if not by_cat.empty else 0
        # only a certain failure of the report itself is named in a briefing (etl.checks.categories.ACCUSATION)
        part = fl[(fl["category"] == key) & (fl["accusation"] | (key == "review"))]
        doc.add_heading(zh if lang == "zh" else en, level=2)
        if part.empty:
            doc.add_paragraph(t("briefing_none", lang))
            continue
        rules = part["rule"].value_counts()
        top = "、".join(f"{tname(RULES, r, lang)} {n}" for r, n in rules.head(4).items()) if lang == "zh" else \
            ", ".join(f"{tname(RULES, r, lang)} {n}" for r, n in rules.head(4).items())
        doc.add_paragraph(t("briefing_cat_summary", lang, n=n_rep, findings=len(part), top=top))
        for r in part.head(WORST_SHOWN).itertuples():
            who = f"{_known(r.agency)} {_known(r.year, int)}".strip()
            colon = "：" if lang == "zh" else ": "
            doc.add_paragraph(f"{who} · {tname(RULES, r.rule, lang)}{colon}{_known(r.message)}", style="List Bullet")

    doc.add_heading(t("page_glossary", lang), level=1)
    for name in dict.fromkeys((*HEADLINE, *Q.QUALITY, *(n for ns in CHART_METRICS for n in ns))):
        m = M.get(name)
        para = doc.add_paragraph(style="List Bullet")
        para.add_run(m.label(lang)).bold = True
        para.add_run(f"：{m.definition(lang)}" if lang == "zh" else f": {m.definition(lang)}")
    return _save(doc)
