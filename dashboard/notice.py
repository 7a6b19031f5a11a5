"""The 通报: a circular in the official-document form of GB/T 9704-2012 — 标题, 主送机关, 正文 (the year's
reporting in figures, the agencies with problems, one row per agency with its problems merged, 整改要求 with a
time limit), 落款 and 成文日期 — on A4 with the standard's margins and 22 lines of 28 characters, page numbers
"— 1 —" outside (odd pages right, even pages left), in the fonts an office has (方正小标宋简体, 仿宋_GB2312,
黑体) or, where this machine lacks them, Noto CJK. The wording is the office's to edit (`Wording`); nothing in
it speaks of the app. The same list goes to Excel (`frame`). Pure of Streamlit (takes a query runner)."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from dashboard import queries as Q
from dashboard.docx_layout import column_widths, field, save
from dashboard.filters import Filters
from dashboard.i18n import t

MATTERS = ("missing", "late", "content", "figures")

# GB/T 9704-2012: 天头 37 mm, 订口 28 mm, 版心 156 × 225 mm on A4; 22 lines of 28 characters in 三号 (16 pt)
TOP, LEFT, TEXT_W, TEXT_H = Mm(37), Mm(28), Mm(156), Mm(225)
BODY_PT, TITLE_PT, PAGE_PT, TABLE_PT = 16, 22, 14, 12
LINE = Pt(225 / 25.4 * 72 / 22)  # 28.95 pt: 22 lines fill the text block
# the font an office has for each part, then the fallback this machine may have instead
FONTS = {"title": ("方正小标宋简体", "Noto Serif CJK SC"), "body": ("仿宋_GB2312", "Noto Serif CJK SC"),
         "heading": ("黑体", "Noto Sans CJK SC"), "page": ("宋体", "Noto Serif CJK SC")}


@dataclass(frozen=True)
class Wording:
    """The parts of the 通报 an office words itself (each prefilled by `wording`)."""

    title: str
    recipients: str  # 主送机关, ending in ：
    opening: str  # the paragraph before 一、
    rectify: str  # 整改要求: what the agencies are to do, with the time limit
    issuer: str  # 落款
    date: str  # 成文日期, as printed: 2024年4月10日


def cn_date(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def wording(lang: str, year: int, issuer: str = "", today: dt.date | None = None, days: int = 30) -> Wording:
    """The default wording for `year`'s 通报; the time limit `days` after today."""
    today = today or dt.date.today()
    due = today + dt.timedelta(days=days)
    due_s = cn_date(due) if lang == "zh" else due.isoformat()
    return Wording(t("notice_title", lang, year=year), t("notice_recipients", lang),
                   t("notice_opening", lang, year=year), t("notice_rectify", lang, due=due_s),
                   issuer or t("notice_issuer", lang), cn_date(today) if lang == "zh" else today.isoformat())


def _place(*parts: object) -> str:
    return " ".join(str(v) for v in parts if isinstance(v, str) and v) or "—"


def region(r) -> str:
    return _place(r.province, r.city, r.county)


def regions(df: pd.DataFrame) -> list[str]:
    """region() of every row, from plain lists: iterating rows of Arrow-backed columns is ~20 µs a row."""
    return [_place(*p) for p in zip(df["province"].tolist(), df["city"].tolist(), df["county"].tolist(),
                                    strict=True)]


def list_note(run: Q.Run, lang: str, year: int, outside: int) -> str:
    """What the 应报 count rests on (for the page): the loaded 应报名单 or the default rule, and any reports of
    listed agencies outside their listed years."""
    info = Q.expected_list(run)
    if not info["n"]:
        return t("expected_none", lang)
    files = "、".join(sorted({"/".join(Path(p).parts[-2:]) for p in info["sources"]}))
    note = t("expected_loaded", lang, n=info["n"], files=files)
    if outside:
        note += ("" if lang == "zh" else " ") + t("expected_outside", lang, n=outside, year=year)
    return note


def merged(run: Q.Run, f: Filters, year: int, dismissed: Iterable[str] = ()) -> pd.DataFrame:
    """One row per agency with a problem to notify: agency, region, `problems` (numbered, one line per matter:
    the matter, then its findings' words), `matters` (their codes). Dismissed findings are left out."""
    items = Q.notice_list(run, f, year)
    drop = set(dismissed)
    if drop:
        items = items[~items["finding_id"].isin(drop)]
    rows = []
    sep = "；" if f.lang == "zh" else "; "
    for aid, g in items.groupby("agency_id", sort=False):
        lines = []
        matters = [m for m in MATTERS if m in set(g["matter"])]
        for i, m in enumerate(matters, start=1):
            label = t(f"notice_matter_{m}", f.lang)
            msgs = [str(x) for x in g.loc[g["matter"] == m, "message"].tolist()]
            lines.append(f"{i}. {label}" if m == "missing" else
                         f"{i}. {label}{'：' if f.lang == 'zh' else ': '}{sep.join(msgs)}")
        first = g.iloc[0]
        rows.append({"agency_id": aid, "agency": first["agency"], "region": region(first),
                     "problems": "\n".join(lines), "matters": matters,
                     "order": min(MATTERS.index(m) for m in matters)})
    out = pd.DataFrame(rows, columns=["agency_id", "agency", "region", "problems", "matters", "order"])
    return out.sort_values(["order", "region", "agency"], kind="stable").drop(columns="order").reset_index(drop=True)


def frame(run: Q.Run, f: Filters, year: int, dismissed: Iterable[str] = ()) -> pd.DataFrame:
    """The 通报 list as it is printed, for the screen and the Excel list: 序号, 单位, 地区, 存在问题."""
    m = merged(run, f, year, dismissed)
    return pd.DataFrame({t("notice_no", f.lang): range(1, len(m) + 1), t("notice_agency", f.lang): m["agency"],
                         t("region", f.lang): m["region"], t("notice_problems", f.lang): m["problems"]})


# --- fonts --------------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def installed_fonts() -> frozenset[str] | None:
    """The font families this machine has (fontconfig), or None where it cannot tell (no fc-list: a Windows
    office PC, which has the office fonts)."""
    fc = shutil.which("fc-list")
    if fc is None:
        return None
    try:
        out = subprocess.run([fc, ":", "family"], capture_output=True, text=True, timeout=20, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return frozenset(name.strip() for line in out.splitlines() for name in line.split(","))


def fonts(have: frozenset[str] | None = None) -> dict[str, str]:
    """Each part's font: the office's where this machine has it (or cannot tell), else the fallback."""
    have = installed_fonts() if have is None else have
    return {part: office if have is None or office in have else fallback
            for part, (office, fallback) in FONTS.items()}


def _run_font(run, name: str, size: float, bold: bool = False) -> None:
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = name
    rpr = run._r.get_or_add_rPr()
    rpr.get_or_add_rFonts().set(qn("w:eastAsia"), name)


def _para(doc, text: str, font: str, size: float = BODY_PT, *, indent: bool = True, bold: bool = False,
          align=WD_ALIGN_PARAGRAPH.JUSTIFY, right_chars: float = 0):
    p = doc.add_paragraph()
    pf = p.paragraph_format
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = LINE
    pf.space_before = pf.space_after = Pt(0)
    pf.first_line_indent = Pt(2 * size) if indent else None
    if right_chars:
        pf.right_indent = Pt(right_chars * size)
    p.alignment = align
    _run_font(p.add_run(text), font, size, bold)
    return p


def _page_footer(footer, font: str, align) -> None:
    """— 1 —: 4号 Arabic numerals with a dash either side, one character in from the outside edge."""
    p = footer.paragraphs[0]
    p.alignment = align
    if align == WD_ALIGN_PARAGRAPH.RIGHT:
        p.paragraph_format.right_indent = Pt(PAGE_PT)
    else:
        p.paragraph_format.left_indent = Pt(PAGE_PT)
    _run_font(p.add_run("— "), font, PAGE_PT)
    field(p, "PAGE")
    for r in p.runs[1:]:
        _run_font(r, font, PAGE_PT)
    _run_font(p.add_run(" —"), font, PAGE_PT)


def _layout(doc, f: dict[str, str]) -> None:
    s = doc.sections[0]
    s.page_width, s.page_height = Mm(210), Mm(297)
    s.top_margin, s.left_margin = TOP, LEFT
    s.right_margin = Mm(210) - LEFT - TEXT_W
    s.bottom_margin = Mm(297) - TOP - TEXT_H
    s.footer_distance = Mm(28) - Mm(7)  # the number sits 7 mm below the text block
    doc.settings.odd_and_even_pages_header_footer = True
    _page_footer(s.footer, f["page"], WD_ALIGN_PARAGRAPH.RIGHT)
    _page_footer(s.even_page_footer, f["page"], WD_ALIGN_PARAGRAPH.LEFT)
    normal = doc.styles["Normal"]
    normal.font.name = f["body"]
    normal.font.size = Pt(BODY_PT)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), f["body"])


def _cell_text(cell, text: str, font: str, bold: bool = False, center: bool = False) -> None:
    cell.text = ""
    lines = str(text).split("\n")
    for i, line in enumerate(lines):
        p = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
        p.paragraph_format.space_before = p.paragraph_format.space_after = Pt(0)
        p.paragraph_format.line_spacing = 1.15
        if center:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run_font(p.add_run(line), font, TABLE_PT, bold)


def _table(doc, header: list[str], rows: list[list[str]], widths_mm: list[float], font: str) -> None:
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for cell, h in zip(table.rows[0].cells, header, strict=True):
        _cell_text(cell, h, font, bold=True, center=True)
    for r in rows:
        cells = table.add_row().cells
        for j, (cell, v) in enumerate(zip(cells, r, strict=True)):
            _cell_text(cell, v, font, center=j < len(r) - 1 and len(str(v)) <= 4)
    column_widths(table, tuple(w / 10 for w in widths_mm))
    # the header row repeats on every page the table runs over; no row is cut in two by a page break
    for i, row in enumerate(table.rows):
        trpr = row._tr.get_or_add_trPr()
        for tag in ("w:cantSplit", "w:tblHeader") if i == 0 else ("w:cantSplit",):
            el = OxmlElement(tag)
            el.set(qn("w:val"), "true")
            trpr.append(el)


def build(run: Q.Run, f: Filters, year: int, words: Wording, sample: bool = False, dismissed: Iterable[str] = (),
          have: frozenset[str] | None = None) -> bytes:
    """The .docx bytes of the 通报 for `year` over the agencies the filters select."""
    lang = f.lang
    fo = fonts(have)
    doc = Document()
    _layout(doc, fo)
    # 方正小标宋 is a heavy face: its stand-in is printed bold
    title = _para(doc, words.title, fo["title"], TITLE_PT, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER,
                  bold=fo["title"] != FONTS["title"][0])
    title.paragraph_format.line_spacing = Pt(TITLE_PT * 1.5)
    _para(doc, "", fo["body"], indent=False)  # a blank line between 标题 and 主送机关
    if sample:
        _para(doc, t("notice_sample", lang), fo["heading"], indent=False)
    _para(doc, words.recipients, fo["body"], indent=False)
    _para(doc, words.opening, fo["body"])

    due = Q.reporting(run, f, year)
    by = Q.reporting_by_region(due, "province")
    total = by[by["grp"] == "__all__"]
    _para(doc, t("notice_part_overview", lang), fo["heading"])
    if total.empty or not int(total.iloc[0]["expected"]):
        _para(doc, t("notice_nothing", lang, year=year), fo["body"])
    else:
        a = total.iloc[0]
        text = t("notice_scope", lang, year=year, expected=int(a["expected"]), reported=int(a["reported"]),
                 rate=f"{a['reported_rate']:.1%}", on_time=int(a["on_time"]), late=int(a["late"]),
                 undated=int(a["undated"]), missing=int(a["missing"]))
        if not Q.expected_list(run)["n"]:
            text += t("notice_scope_no_list", lang)
        _para(doc, text, fo["body"])
        per = by[by["grp"] != "__all__"]
        if len(per) > 1:
            _table(doc, [t(k, lang) for k in ("province", "n_expected", "n_published", "n_on_time", "n_late",
                                               "n_unreported", "reported_rate")],
                   [[str(r.grp), str(r.expected), str(r.reported), str(r.on_time), str(r.late), str(r.missing),
                     f"{r.reported_rate:.1%}"] for r in per.itertuples()],
                   [40, 18, 18, 18, 18, 18, 26], fo["body"])

    listed = merged(run, f, year, dismissed)
    _para(doc, t("notice_part_problems", lang), fo["heading"])
    if listed.empty:
        _para(doc, t("notice_none", lang), fo["body"])
    else:
        _para(doc, t("notice_problems_intro", lang, n=len(listed)), fo["body"])
        _table(doc, [t("notice_no", lang), t("notice_agency", lang), t("notice_problems", lang)],
               [[str(i), r.agency, r.problems] for i, r in enumerate(listed.itertuples(), start=1)],
               [14, 42, 100], fo["body"])
    _para(doc, t("notice_part_rectify", lang), fo["heading"])
    for text in filter(None, (x.strip() for x in words.rectify.split("\n"))):
        _para(doc, text, fo["body"])
    _para(doc, "", fo["body"], indent=False)
    _para(doc, "", fo["body"], indent=False)
    _para(doc, words.issuer, fo["body"], indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT, right_chars=4)
    _para(doc, words.date, fo["body"], indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT, right_chars=4)
    return save(doc)
