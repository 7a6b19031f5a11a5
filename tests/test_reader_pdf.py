"""PDF reader: generated PDFs (ruled and unruled tables, page breaks, blanks, scans, encryption,
damage) and the real Huaian report when ../shared is present."""

from __future__ import annotations

from pathlib import Path

import pymupdf
import pytest
from helpers import PDF_T3_HEAD, PDF_T3_ROWS, pdf_image_only, pdf_report

from etl.document import Paragraph, ReadError
from etl.readers.pdf import read_pdf

HUAIAN = Path(__file__).resolve().parents[2] / "shared" / "samples" / "huaian-city-2024.pdf"


def test_generated_pdf_has_an_extractable_text_layer():
    text = "".join(p.get_text() for p in pymupdf.open(stream=pdf_report(), filetype="pdf"))
    assert "一、本年新收政府信息公开申请数量" in text and "3119" in text


def test_ruled_table_across_two_pages_with_blank_cell_and_vertical_label():
    doc = read_pdf(pdf_report(rows_on_first_page=4))
    assert doc.kind == "pdf" and doc.pages == 2
    tables = doc.tables()
    assert len(tables) == 1, [t.rows for t in tables]  # the page-2 part joins the page-1 part
    t = tables[0]
    assert t.grid is False and t.page == 1
    expected = [PDF_T3_HEAD]
    for label, values in PDF_T3_ROWS:
        expected.append([label, *values])
    # the vertically written label merged over rows (一)…(二) on page 1 is one cell of the row it starts
    expected[3] = ["办理结果", *expected[3]]
    assert t.rows == expected
    assert t.rows[2] == ["二、上年结转政府信息公开申请数量", "34", "", "34"]  # blank stays a blank cell


def test_page_furniture_is_removed_and_prose_kept_in_order():
    doc = read_pdf(pdf_report())
    paras = doc.paragraphs()
    assert paras == [
        "示例局2024年政府信息公开工作年度报告",
        "一、总体情况",
        "本年共受理政府信息公开申请3119件，答复3050件。",
        "三、收到和处理政府信息公开申请情况",
        "五、存在的主要问题及改进情况",
        "主要问题是解读不够通俗。",
    ]
    # the running header repeated on every page and the "- N -" numbers are gone
    assert not any("信息公开专栏" in p or p.startswith("- ") for p in paras)
    kinds = [type(b).__name__ for b in doc.blocks]
    assert kinds == ["Paragraph"] * 4 + ["Table"] + ["Paragraph"] * 2
    assert [b.page for b in doc.blocks if isinstance(b, Paragraph)] == [1, 1, 1, 1, 2, 2]


def test_unruled_table_rows_are_grouped_by_line():
    doc = read_pdf(pdf_report(ruled=False))
    t = doc.tables()[0]
    assert t.grid is False
    assert t.rows[0] == ["一、本年新收政府信息公开申请数量", "3119", "53", "3172"]
    assert [r[0] for r in t.rows] == [label for label, _ in PDF_T3_ROWS]
    # without rulings a blank cell leaves no trace: the row is shorter, never padded with a zero
    assert t.rows[1] == ["二、上年结转政府信息公开申请数量", "34", "34"]


def test_scanned_like_pdf_raises_no_text_layer():
    with pytest.raises(ReadError, match=r"^no readable text \(no text layer, and OCR found none\): 3 pages, no extractable text$") as e:
        read_pdf(pdf_image_only(pages=3))
    assert e.value.code == "no_text" and e.value.detail == "3 pages, no extractable text"


def test_encrypted_pdf_raises_clear_error():
    src = pymupdf.open(stream=pdf_report(), filetype="pdf")
    data = src.tobytes(encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="secret", owner_pw="owner")
    with pytest.raises(ReadError, match=r"^encrypted file \(password required\)$") as e:
        read_pdf(data)
    assert e.value.code == "encrypted"


def test_pdf_with_owner_password_only_is_readable():
    src = pymupdf.open(stream=pdf_report(), filetype="pdf")
    data = src.tobytes(encryption=pymupdf.PDF_ENCRYPT_AES_256, owner_pw="owner", permissions=0)
    assert "（七）总计" in [r[0] for r in read_pdf(data).tables()[0].rows]


@pytest.mark.parametrize("keep", [0.5, 0.2, 0.03])
def test_truncated_pdf_raises_corrupt(keep):
    data = pdf_report()
    with pytest.raises(ReadError, match="^damaged file, cannot be read: PDF structure damaged") as e:
        read_pdf(data[: int(len(data) * keep)])
    assert e.value.code == "corrupt"


def test_slightly_truncated_pdf_is_read_with_a_problem():
    data = pdf_report()
    doc = read_pdf(data[: int(len(data) * 0.9)])  # only the xref table is lost; MuPDF rebuilds it
    assert [p["code"] for p in doc.problems] == ["damaged_file"]
    assert doc.tables()[0].rows[1][1] == "3119"


def test_garbage_after_pdf_header_raises_corrupt():
    with pytest.raises(ReadError, match="^damaged file, cannot be read: PDF structure damaged") as e:
        read_pdf(b"%PDF-1.4\n" + bytes(range(256)) * 8)
    assert e.value.code == "corrupt"


def _huaian() -> bytes:
    if not HUAIAN.exists():
        pytest.skip(f"shared sample not present: {HUAIAN} (the ../shared checkout is absent)")
    return HUAIAN.read_bytes()


def test_huaian_real_report():
    doc = read_pdf(_huaian())
    assert doc.pages == 6
    cells = [c for t in doc.tables() for row in t.rows for c in row]
    lines = doc.paragraphs()
    for value in ("3119", "3050", "96171.6"):
        assert value in cells
    assert "一、本年新收政府信息公开申请数量" in cells
    assert "三、本年度办理结果" in cells  # written one character per line inside its merged cell
    assert not any(p.strip() in ("- 4 -", "- 1 -") for p in lines + cells)
    assert "一、总体情况" in lines and "六、其他需要报告的事项" in lines
    # table 3 breaks across pages 4-5 and is read as one table
    t3 = next(t for t in doc.tables() if "一、本年新收政府信息公开申请数量" in t.rows[3])
    labels = [r[0] for r in t3.rows]
    assert t3.page == 4 and "四、结转下年度继续办理" in labels
    new_received = t3.rows[labels.index("一、本年新收政府信息公开申请数量")]
    assert new_received[1:] == ["3001", "53", "0", "0", "61", "4", "3119"]
    assert t3.rows[labels.index("四、结转下年度继续办理")][1:] == ["103", "0", "0", "0", "0", "0", "103"]


def test_text_in_a_drawn_box_is_text_not_a_table():
    import io

    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(595, 842))
    c.setFont("STSong-Light", 11)
    c.rect(60, 600, 470, 80)  # a framed note
    c.drawString(70, 655, "说明：本报告所列数据统计期限自2023年1月1日至12月31日。")
    c.drawString(70, 635, "如对本报告有疑问，请与本机关联系。")
    c.save()
    doc = read_pdf(buf.getvalue())
    assert doc.tables() == []
    assert doc.paragraphs() == ["说明：本报告所列数据统计期限自2023年1月1日至12月31日。", "如对本报告有疑问，请与本机关联系。"]


_GRID_XS = [60.0, 200.0, 300.0, 400.0]
_GRID_YS = [700.0, 680.0, 660.0, 640.0]  # reportlab's y grows upwards: the first row is at the top
_GRID_ROWS = [["项目", "数量", "备注"], ["申请", "12", ""], ["答复", "10", "5"]]


def _ruled_grid_pdf(style: str) -> bytes:
    """A 3×3 table with one blank cell whose rules are drawn in one of the ways real PDFs draw them."""
    import io

    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(595, 842))
    xs, ys = _GRID_XS, _GRID_YS
    if style == "cell rectangles":  # every cell stroked as its own rectangle
        for i in range(3):
            for j in range(3):
                c.rect(xs[j], ys[i + 1], xs[j + 1] - xs[j], ys[i] - ys[i + 1], stroke=1, fill=0)
    elif style == "filled bars":  # borders as thin filled rectangles (office suites' export)
        for y in ys:
            c.rect(xs[0], y - 0.4, xs[-1] - xs[0], 0.8, stroke=0, fill=1)
        for x in xs:
            c.rect(x - 0.4, ys[-1], 0.8, ys[0] - ys[-1], stroke=0, fill=1)
        c.setFillColorRGB(1, 1, 1)  # a white bar down the middle column is no rule (it would split it)
        c.rect(250 - 0.4, ys[-1], 0.8, ys[0] - ys[-1], stroke=0, fill=1)
        c.setFillColorRGB(0, 0, 0)
    else:  # one path with every rule and a diagonal in the corner cell: MuPDF reports it as one box
        p = c.beginPath()
        for y in ys:
            p.moveTo(xs[0], y)
            p.lineTo(xs[-1], y)
        for x in xs:
            p.moveTo(x, ys[0])
            p.lineTo(x, ys[-1])
        p.moveTo(xs[0], ys[0])
        p.lineTo(xs[1], ys[1])
        c.drawPath(p, stroke=1, fill=0)
    c.setFont("STSong-Light", 10)
    for i, row in enumerate(_GRID_ROWS):
        for j, text in enumerate(row):
            c.drawString(xs[j] + 5, ys[i + 1] + 6, text)
    c.save()
    return buf.getvalue()


@pytest.mark.parametrize(("style", "second_pass"), [("cell rectangles", False), ("filled bars", False),
                                                    ("path with a diagonal", True)])
def test_ruled_table_from_each_way_of_drawing_rules(style, second_pass, monkeypatch):
    import etl.readers.pdf as pdf_reader

    passes = []
    drawn = pdf_reader._drawn_segments
    monkeypatch.setattr(pdf_reader, "_drawn_segments", lambda page: passes.append(page) or drawn(page))
    doc = read_pdf(_ruled_grid_pdf(style))
    assert [t.rows for t in doc.tables()] == [_GRID_ROWS]
    # boxes collected by the text pass suffice unless a path mixes rules with a diagonal
    assert bool(passes) is second_pass


def test_pdf_over_the_page_limit_is_refused_before_reading_pages():
    src = pymupdf.open()
    for _ in range(1001):
        src.new_page()
    with pytest.raises(ReadError, match=r"^more pages than the limit: limit 1000, file has 1001$") as e:
        read_pdf(src.tobytes())
    assert e.value.code == "too_many_pages"
