"""The 通报: an A4 Word document of one year's annual-report publication — a title, the scope, 应报/已报
and the rates by region, then the agencies that did not publish, published late, or printed figures that
fail the checks, each with the cells concerned in printed labels. Pure of Streamlit (takes a query runner)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import RGBColor

from dashboard import queries as Q
from dashboard.docx_layout import a4, caption, cjk_font, column_widths, page_numbers, save
from dashboard.filters import Filters
from dashboard.i18n import t

MATTERS = ("missing", "late", "figures")


def _place(*parts: object) -> str:
    return " ".join(str(v) for v in parts if isinstance(v, str) and v) or "—"


def region(r) -> str:
    return _place(r.province, r.city, r.county)


def regions(df: pd.DataFrame) -> list[str]:
    """region() of every row, from plain lists: iterating rows of Arrow-backed columns is ~20 µs a row."""
    return [_place(*p) for p in zip(df["province"].tolist(), df["city"].tolist(), df["county"].tolist(),
                                    strict=True)]


def list_note(run: Q.Run, lang: str, year: int, outside: int) -> str:
    """What the 应报 count rests on: the loaded 应报名单 (how many agencies, which files) or the default rule,
    and any reports of listed agencies outside their listed years."""
    info = Q.expected_list(run)
    if not info["n"]:
        return t("expected_none", lang)
    files = "、".join(sorted({"/".join(Path(p).parts[-2:]) for p in info["sources"]}))
    note = t("expected_loaded", lang, n=info["n"], files=files)
    if outside:
        note += ("" if lang == "zh" else " ") + t("expected_outside", lang, n=outside, year=year)
    return note


def build(run: Q.Run, f: Filters, year: int, data_date: str, issuer: str = "", today: dt.date | None = None,
          sample: bool = False, exclude: Sequence[str] = ()) -> bytes:
    """`exclude`: finding ids left out of the lists (dismissed in review, dashboard.casework.dismissed)."""
    lang = f.lang
    doc = Document()
    a4(doc)
    cjk_font(doc)
    page_numbers(doc, lang)
    head = doc.add_heading(t("notice_title", lang, year=year), level=0)
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    made = (today or dt.date.today()).isoformat()
    doc.add_paragraph(t("briefing_byline", lang, issuer=issuer or t("briefing_no_issuer", lang), date=made,
                        data_date=data_date)).alignment = WD_ALIGN_PARAGRAPH.CENTER
    if sample:
        doc.add_paragraph(t("sample_note", lang)).runs[0].bold = True
    due = Q.reporting(run, f, year)
    total = Q.reporting_by_region(due, "province")
    all_row = total[total["grp"] == "__all__"].iloc[0] if not total.empty else None
    doc.add_heading(t("notice_scope_head", lang), level=1)
    if all_row is None or not int(all_row["expected"]):
        doc.add_paragraph(t("no_match", lang))
        return save(doc)
    doc.add_paragraph(t("notice_scope", lang, year=year, filters=f.describe(lang), expected=int(all_row["expected"]),
                        reported=int(all_row["reported"]), on_time=int(all_row["on_time"]), late=int(all_row["late"]),
                        missing=int(all_row["missing"]), undated=int(all_row["undated"]),
                        rate=f"{all_row['reported_rate']:.1%}"))
    note = doc.add_paragraph().add_run(list_note(run, lang, year, int(all_row["outside"])))
    if not Q.expected_list(run)["n"]:  # who did not publish is unknown without a list: said in red
        note.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
        note.bold = True
    by = total[total["grp"] != "__all__"]
    tbl = doc.add_table(rows=1, cols=7)
    tbl.style = "Light Grid Accent 1"
    cols = ("province", "n_expected", "n_published", "n_on_time", "n_late", "n_unreported", "reported_rate")
    for cell, key in zip(tbl.rows[0].cells, cols, strict=True):
        cell.text = t(key, lang)
    for r in by.itertuples():
        row = tbl.add_row().cells
        for cell, v in zip(row, (r.grp, r.expected, r.reported, r.on_time, r.late, r.missing,
                                 f"{r.reported_rate:.1%}"), strict=True):
            cell.text = str(v)
    caption(doc, t("notice_table_caption", lang, year=year))

    items = Q.notice_list(run, f, year, exclude)
    n_tables = 1
    for matter in MATTERS:
        part = items[items["matter"] == matter]
        doc.add_heading(t(f"notice_part_{matter}", lang, n=part["agency"].nunique()), level=1)
        if part.empty:
            doc.add_paragraph(t("briefing_none", lang))
            continue
        table = doc.add_table(rows=1, cols=3)
        table.style = "Light Grid Accent 1"
        for cell, key in zip(table.rows[0].cells, ("agency", "region", "notice_detail"), strict=True):
            cell.text = t(key, lang)
        for r in part.itertuples():
            row = table.add_row().cells
            row[0].text, row[1].text, row[2].text = r.agency, region(r), str(r.message)
        column_widths(table, (4.2, 3.6, 7.6))  # the 15.4 cm between A4 margins of 2.8 cm
        n_tables += 1
        caption(doc, t(f"notice_caption_{matter}", lang, i=n_tables, year=year))
    return save(doc)


def frame(run: Q.Run, f: Filters, year: int, exclude: Sequence[str] = ()) -> pd.DataFrame:
    """The 通报 list as a table for the screen and the Excel export (printed labels only), less `exclude`."""
    items = Q.notice_list(run, f, year, exclude)
    return pd.DataFrame({t("agency", f.lang): items["agency"],
                         t("region", f.lang): regions(items),
                         t("notice_matter", f.lang): items["matter"].map(lambda m: t(f"notice_matter_{m}", f.lang)),
                         t("notice_detail", f.lang): items["message"]})
