"""Word (.docx) rendering with python-docx: real merged cells for the spans of the official forms."""

from __future__ import annotations

import io

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt

from etl.sample.grid import place
from etl.sample.layout import Layout, Para, TableBlock


def _font(run, size: float, bold: bool = False) -> None:
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = "SimSun"
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")


def _table(doc, t: TableBlock) -> None:
    """Build the w:tbl directly (gridSpan / vMerge): python-docx's cell.merge is far too slow in bulk."""
    _, grid = place(t)
    tbl = OxmlElement("w:tbl")
    pr = OxmlElement("w:tblPr")
    style = OxmlElement("w:tblStyle")
    style.set(qn("w:val"), "TableGrid")
    pr.append(style)
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        e = OxmlElement(f"w:{side}")
        for k, v in (("val", "single"), ("sz", "4"), ("space", "0"), ("color", "000000")):
            e.set(qn(f"w:{k}"), v)
        borders.append(e)
    pr.append(borders)
    tbl.append(pr)
    tbl_grid = OxmlElement("w:tblGrid")
    for _ in range(t.ncols):
        col = OxmlElement("w:gridCol")
        col.set(qn("w:w"), str(9000 // t.ncols))
        tbl_grid.append(col)
    tbl.append(tbl_grid)
    for r, row in enumerate(grid):
        tr = OxmlElement("w:tr")
        c = 0
        while c < t.ncols:
            p = row[c]
            assert p is not None, "tables are rectangular"
            tc = OxmlElement("w:tc")
            tc_pr = OxmlElement("w:tcPr")
            if p.td.colspan > 1:
                span = OxmlElement("w:gridSpan")
                span.set(qn("w:val"), str(p.td.colspan))
                tc_pr.append(span)
            if p.td.rowspan > 1:
                vm = OxmlElement("w:vMerge")
                if p.row == r:
                    vm.set(qn("w:val"), "restart")
                tc_pr.append(vm)
            tc.append(tc_pr)
            para = OxmlElement("w:p")
            ppr = OxmlElement("w:pPr")
            jc = OxmlElement("w:jc")
            jc.set(qn("w:val"), "center")
            ppr.append(jc)
            para.append(ppr)
            if p.row == r and p.td.text:
                run = OxmlElement("w:r")
                rpr = OxmlElement("w:rPr")
                fonts = OxmlElement("w:rFonts")
                fonts.set(qn("w:eastAsia"), "宋体")
                rpr.append(fonts)
                sz = OxmlElement("w:sz")
                sz.set(qn("w:val"), "18")
                rpr.append(sz)
                run.append(rpr)
                text = OxmlElement("w:t")
                text.text = p.td.text
                run.append(text)
                para.append(run)
            tc.append(para)
            tr.append(tc)
            c += p.td.colspan
        tbl.append(tr)
    body = doc.element.body
    body.insert(len(body) - 1, tbl)  # before the final w:sectPr


def render(lay: Layout) -> bytes:
    doc = Document()
    doc.core_properties.title = lay.title
    doc.core_properties.comments = "disclosure-reports sample generator"
    for b in lay.blocks:
        if isinstance(b, TableBlock):
            _table(doc, b)
            continue
        assert isinstance(b, Para)
        para = doc.add_paragraph()
        if b.role == "title":
            para.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _font(para.add_run(b.text), 18, bold=True)
        elif b.role in ("signature", "date"):
            para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            _font(para.add_run(b.text), 14)
        else:
            _font(para.add_run(b.text), 14, bold=b.role == "heading")
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
