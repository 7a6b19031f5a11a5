"""PDF rendering with reportlab: CJK text (the standard STSong-Light CID font, which every PDF reader
displays and extracts as Unicode), tables with drawn grid lines and merged cells that break across pages,
and "- N -" page numbers."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from etl.sample.grid import place
from etl.sample.layout import Layout, Para, TableBlock

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))

_BODY = ParagraphStyle("body", fontName=FONT, fontSize=11, leading=17, firstLineIndent=22, wordWrap="CJK")
_STYLES = {
    "title": ParagraphStyle("title", fontName=FONT, fontSize=16, leading=24, alignment=TA_CENTER, wordWrap="CJK"),
    "heading": ParagraphStyle("heading", fontName=FONT, fontSize=12, leading=20, wordWrap="CJK"),
    "signature": ParagraphStyle("sig", fontName=FONT, fontSize=11, leading=17, alignment=TA_RIGHT),
    "date": ParagraphStyle("date", fontName=FONT, fontSize=11, leading=17, alignment=TA_RIGHT),
}
_CELL = ParagraphStyle("cell", fontName=FONT, fontSize=7.5, leading=9.5, alignment=TA_CENTER, wordWrap="CJK")
_WIDTH = A4[0] - 36 * mm
# Column widths (fractions of the text width) per table.
_COLS = {
    "t2": [0.34, 0.22, 0.22, 0.22],
    "t3": [0.07, 0.09, 0.2] + [0.0914] * 7,
    "t4": [1 / 15] * 15,
}


def _table(t: TableBlock) -> Table:
    anchors, _ = place(t)
    data: list[list[object]] = [[""] * t.ncols for _ in t.rows]
    style = [("GRID", (0, 0), (-1, -1), 0.6, colors.black), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
             ("LEFTPADDING", (0, 0), (-1, -1), 2), ("RIGHTPADDING", (0, 0), (-1, -1), 2)]
    for row in anchors:
        for p in row:
            data[p.row][p.col] = Paragraph(escape(p.td.text), _CELL) if p.td.text else ""
            if p.td.rowspan > 1 or p.td.colspan > 1:
                style.append(("SPAN", (p.col, p.row), (p.col + p.td.colspan - 1, p.row + p.td.rowspan - 1)))
    widths = [w * _WIDTH for w in _COLS[t.table]]
    return Table(data, colWidths=widths, style=TableStyle(style), splitByRow=1, splitInRow=0)


def _page_number(canvas, doc) -> None:
    canvas.saveState()
    canvas.setFont(FONT, 10)
    canvas.drawCentredString(A4[0] / 2, 12 * mm, f"- {doc.page} -")
    canvas.restoreState()


def render(lay: Layout) -> bytes:
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=20 * mm,
                            bottomMargin=22 * mm, title=lay.title, author=lay.agency,
                            creator="disclosure-reports sample generator", invariant=1)
    flow: list[object] = []
    for b in lay.blocks:
        if isinstance(b, TableBlock):
            flow += [_table(b), Spacer(1, 6)]
        else:
            assert isinstance(b, Para)
            flow.append(Paragraph(escape(b.text), _STYLES.get(b.role, _BODY)))
    doc.build(flow, onFirstPage=_page_number, onLaterPages=_page_number)
    return buf.getvalue()
