"""The Briefing: a Word document for the current filters — headline figures, the main charts as images,
the top findings and the definitions used. Pure of Streamlit (takes a query runner)."""

from __future__ import annotations

import io

import pandas as pd
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

from dashboard import charts, exports
from dashboard import queries as Q
from dashboard.filters import Filters
from dashboard.i18n import RULES, SEVERITIES, t
from dashboard.i18n import name as tname
from etl import metrics as M

HEADLINE = Q.HEADLINE
CHART_METRICS = (("new_received",), ("disclosure_rate", "withholding_rate", "unavailable_rate"),
                 ("review_rate", "litigation_rate"), ("correction_rate",))


def _fmt(key: str, v: float | None) -> str:
    from dashboard.ui import fmt_metric  # the same formatting as the screen

    return fmt_metric(key, v)


def _cjk_font(doc: Document) -> None:
    st = doc.styles["Normal"]
    st.font.name = "Noto Sans CJK SC"
    st.font.size = Pt(10.5)
    st.element.rPr.rFonts.set(qn("w:eastAsia"), "Noto Sans CJK SC")


def build(run: Q.Run, f: Filters, data_date: str, with_charts: bool = True) -> bytes:
    lang = f.lang
    doc = Document()
    _cjk_font(doc)
    doc.add_heading(t("briefing_title", lang), level=0)
    p = doc.add_paragraph(f"{f.describe(lang)} · {t('data_date', lang)} {data_date}")
    p.runs[0].font.color.rgb = RGBColor(0x66, 0x66, 0x66)
    counts = Q.counts(run, f).iloc[0]
    if int(counts["n_sample"]):
        doc.add_paragraph(t("sample_note", lang)).runs[0].bold = True

    yearly = Q.yearly(run, f)
    head = Q.headline(yearly)
    doc.add_heading(t("headline", lang), level=1)
    if head:
        year = head[0]["year"]
        tbl = doc.add_table(rows=1, cols=4)
        tbl.style = "Light Grid Accent 1"
        for cell, text in zip(tbl.rows[0].cells, (t("metric", lang), str(year), t("vs_prev", lang),
                                                  t("denominator", lang)), strict=True):
            cell.text = text
        from dashboard.ui import fmt_delta, metric_label

        for h in head:
            row = tbl.add_row().cells
            row[0].text = metric_label(h["key"], lang)
            row[1].text = _fmt(h["key"], h["value"])
            row[2].text = fmt_delta(h["key"], h["delta"], lang) or "—"
            den = h.get("den")
            row[3].text = "" if den is None or pd.isna(den) else f"{den:,.0f}"
    else:
        doc.add_paragraph(t("no_match", lang))

    if with_charts and not yearly.empty:
        sub = f"{f.describe(lang)} · {t('data_date', lang)} {data_date}"
        shown = yearly[yearly["year"] >= (f.year_from or yearly["year"].min())]
        for names in CHART_METRICS:
            fig = charts.metric_by_year(shown, names, lang, " / ".join(M.get(n).label(lang) for n in names), sub)
            try:
                png = exports.figure_bytes(fig, "png")
            except exports.ExportUnavailable as e:  # the briefing still goes out, saying why it has no chart
                doc.add_paragraph(str(e))
                break
            doc.add_picture(io.BytesIO(png), width=Pt(460))
            doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER

    doc.add_heading(t("findings", lang), level=1)
    fl = Q.findings_list(run, f, limit=15)
    if fl.empty:
        doc.add_paragraph("—")
    for r in fl.itertuples():
        doc.add_paragraph(f"[{tname(SEVERITIES, r.severity, lang)}] {r.agency} {r.year} · "
                          f"{tname(RULES, r.rule, lang)}: {r.message}", style="List Bullet")

    doc.add_heading(t("page_glossary", lang), level=1)
    for name in dict.fromkeys((*HEADLINE, *(n for ns in CHART_METRICS for n in ns))):
        m = M.get(name)
        para = doc.add_paragraph(style="List Bullet")
        para.add_run(m.label(lang)).bold = True
        para.add_run(f"：{m.definition(lang)}" if lang == "zh" else f": {m.definition(lang)}")
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
