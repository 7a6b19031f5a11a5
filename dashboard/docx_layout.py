"""Page layout shared by the Word documents the dashboard writes (the Briefing, the 通报): A4 with Chinese
margins, a CJK font, page numbers in the footer, figure and table captions."""

from __future__ import annotations

import io

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor


def cjk_font(doc: Document) -> None:
    st = doc.styles["Normal"]
    st.font.name = "Noto Sans CJK SC"
    st.font.size = Pt(10.5)
    st.element.rPr.rFonts.set(qn("w:eastAsia"), "Noto Sans CJK SC")


def a4(doc: Document) -> None:
    for s in doc.sections:
        s.page_width, s.page_height = Cm(21.0), Cm(29.7)
        s.top_margin = s.bottom_margin = Cm(2.54)
        s.left_margin = s.right_margin = Cm(2.8)


def field(paragraph, instr: str) -> None:
    """A Word field (PAGE, NUMPAGES) that Word and LibreOffice fill in when the page is laid out."""
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, instr), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        elif text == instr:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = f" {instr} "
        else:
            el = OxmlElement("w:t")
            el.text = text
        run._r.append(el)


def page_numbers(doc: Document, lang: str) -> None:
    p = doc.sections[0].footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if lang == "zh":
        p.add_run("第 ")
        field(p, "PAGE")
        p.add_run(" 页，共 ")
        field(p, "NUMPAGES")
        p.add_run(" 页")
    else:
        p.add_run("Page ")
        field(p, "PAGE")
        p.add_run(" of ")
        field(p, "NUMPAGES")


def column_widths(table, cm: tuple[float, ...]) -> None:
    """Fixed column widths (Word reads each cell's width; LibreOffice the grid's), so a long column such as
    a finding's details gets the room instead of three equal columns."""
    table.autofit = False
    for row in table.rows:
        for cell, w in zip(row.cells, cm, strict=True):
            cell.width = Cm(w)
    for col, w in zip(table.columns, cm, strict=True):
        col.width = Cm(w)


def caption(doc: Document, text: str) -> None:
    p = doc.add_paragraph(text)
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.runs[0].font.size = Pt(9)
    p.runs[0].font.color.rgb = RGBColor(0x44, 0x44, 0x44)


def save(doc: Document) -> bytes:
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
