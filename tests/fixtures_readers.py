"""Generated inputs for the reader tests: report-like HTML pages, written here, not copied from anywhere.

The page mimics what government CMS pages look like (site chrome, a labelled field line, Word-pasted
paragraphs with nested span/font/o:p tags, a table with rowspans/colspans) with made-up figures.
"""

from __future__ import annotations

T3_ROWS = [
    ("一、本年新收政府信息公开申请数量", [12, 3, 0, 0, 1, 0, 16]),
    ("二、上年结转政府信息公开申请数量", [2, 0, 0, 0, 0, 0, 2]),
    ("（一）予以公开", [7, 1, 0, 0, 1, 0, 9]),
    ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", [3, 0, 0, 0, 0, 0, 3]),
    ("（七）总计", [10, 1, 0, 0, 1, 0, 12]),
    ("四、结转下年度继续办理", [4, 2, 0, 0, 0, 0, 6]),
]


def word_span(text: str) -> str:
    """Word-pasted inline markup around a text, with the text split over two spans."""
    half = len(text) // 2
    return (f"<span lang=EN-US style='font-size:12.0pt;font-family:仿宋_GB2312'><font face=仿宋>{text[:half]}"
            f"</font></span><span style='mso-bidi-font-size:10.5pt'>{text[half:]}<o:p></o:p></span>")


def report_page(paragraphs: int = 60, charset_meta: str | None = "utf-8") -> str:
    """A report page of roughly `paragraphs` × 0.9 KB of markup plus one table 3."""
    head = f'<meta http-equiv="Content-Type" content="text/html; charset={charset_meta}">' if charset_meta else ""
    body = [
        '<div class="nav"><a href="/">首页</a> &gt; <a href="/zwgk">政务公开</a></div>',
        '<div class="info">发布机构：示例市示例局&nbsp;&nbsp;发布日期：2024-01-20&nbsp;成文日期：2024-01-18</div>',
        '<div id="zoom">',
        '<p class=MsoNormal align=center><b><span>示例局2023年政府信息公开工作年度报告</span></b></p>',
        "<p>一、总体情况</p>",
    ]
    for i in range(paragraphs):
        body.append(f"<p class=MsoNormal style='text-indent:32.0pt;line-height:28.0pt'>"
                    f"{word_span(f'第{i}段：本机关坚持以公开为常态、不公开为例外，全年主动公开政府信息{i * 7}条，')}"
                    f"{word_span('持续推进决策、执行、管理、服务、结果公开，回应社会关切，')}"
                    f"{word_span('不断提升政务公开质量和实效。')}</p>")
    body.append("<p>三、收到和处理政府信息公开申请情况</p>")
    rows = ['<table class=MsoNormalTable border=1 cellspacing=0 cellpadding=0>',
            "<tr><td colspan=3 rowspan=3>（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）</td>"
            "<td colspan=7>申请人情况</td></tr>",
            "<tr><td rowspan=2>自然人</td><td colspan=5>法人或其他组织</td><td rowspan=2>总计</td></tr>",
            "<tr><td>商业<br>企业</td><td>科研<br>机构</td><td>社会公益组织</td><td>法律服务机构</td><td>其他</td></tr>"]
    for label, values in T3_ROWS:
        cells = "".join(f"<td><p class=MsoNormal align=center>{word_span(str(v))}</p></td>" for v in values)
        rows.append(f"<tr><td colspan=3>{word_span(label)}</td>{cells}</tr>")
    rows.append("</table>")
    body.extend(rows)
    body.append("<p>五、存在的主要问题及改进情况</p></div>")
    body.append('<div class="footer">版权所有：示例市人民政府 网站标识码：0000000000</div>')
    return (f"<!DOCTYPE html><html><head>{head}<title>示例局2023年政府信息公开工作年度报告_示例市人民政府</title>"
            '<meta name="ArticleTitle" content="示例局2023年政府信息公开工作年度报告">'
            '<meta name="PubDate" content="2024-01-20 09:30">'
            '<meta name="ContentSource" content="示例市示例局">'
            '<link rel="canonical" href="https://www.example.gov.cn/zwgk/2024/01/report.html">'
            "<script>var x = '<p>not text</p>';</script><style>p{margin:0}</style></head>"
            f"<body>{''.join(body)}<script>document.write('广告');</script></body></html>")


# --- PDF ---------------------------------------------------------------------------------------------

PDF_T3_HEAD = ["申请人情况", "自然人", "商业企业", "总计"]
# (label, cells); "" is a blank cell printed as nothing at all
PDF_T3_ROWS = [
    ("一、本年新收政府信息公开申请数量", ["3119", "53", "3172"]),
    ("二、上年结转政府信息公开申请数量", ["34", "", "34"]),
    ("（一）予以公开", ["1288", "21", "1309"]),
    ("（二）部分公开", ["447", "7", "454"]),
    ("（三）不予公开", ["2", "0", "2"]),
    ("（七）总计", ["2932", "53", "2985"]),
    ("四、结转下年度继续办理", ["103", "0", "103"]),
]


def pdf_report(rows_on_first_page: int = 4, ruled: bool = True) -> bytes:
    """A two-page PDF: running header, prose, a table 3 broken across the pages, "- N -" page numbers.

    The ruled table is drawn line by line: header "申请人情况" spans the two label columns; the rows
    (一)…(三) sit beside a label merged vertically over them and written one character per line, which
    runs across the page break (blank on page 2); the other rows' labels span both label columns.
    """
    import io

    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(595, 842))
    cols = [60, 100, 330, 400, 470, 540]  # x of the vertical rules: 5 columns
    row_h = 30
    merged_rows = {"（一）予以公开", "（二）部分公开", "（三）不予公开"}

    def furniture(n: int) -> None:
        c.setFont("STSong-Light", 9)
        c.drawString(60, 802, "示例市人民政府信息公开专栏")
        c.drawString(280, 40, f"- {n} -")
        c.setFont("STSong-Light", 10)

    def row(y: float, label: str, values: list[str], first_of_merge: bool) -> float:
        merged = label in merged_rows
        c.line(cols[1] if merged and not first_of_merge else cols[0], y, cols[-1], y)
        for x in cols:
            if x != cols[1] or merged:
                c.line(x, y, x, y - row_h)
        c.drawString((cols[1] if merged else cols[0]) + 4, y - 19, label)
        for x, text in zip(cols[2:5], values, strict=True):
            if text:
                c.drawString(x + 4, y - 19, text)
        return y - row_h

    furniture(1)
    c.setFont("STSong-Light", 16)
    c.drawString(150, 760, "示例局2024年政府信息公开工作年度报告")
    c.setFont("STSong-Light", 10)
    c.drawString(80, 720, "一、总体情况")
    c.drawString(60, 700, "本年共受理政府信息公开申请3119件，答复3050件。")
    c.drawString(80, 680, "三、收到和处理政府信息公开申请情况")
    y = 660.0
    if ruled:
        c.line(cols[0], y, cols[-1], y)
        for x in (cols[0], *cols[2:]):
            c.line(x, y, x, y - row_h)
        for x, text in zip((cols[0], *cols[2:5]), PDF_T3_HEAD, strict=True):
            c.drawString(x + 4, y - 19, text)
        y -= row_h
        page_rows = [PDF_T3_ROWS[:rows_on_first_page], PDF_T3_ROWS[rows_on_first_page:]]
        for page, rows in enumerate(page_rows):
            if page == 1:
                c.line(cols[0], y, cols[-1], y)
                c.showPage()
                furniture(2)
                y = 780.0
            first = True
            for label, values in rows:
                if label in merged_rows and first and page == 0:
                    for i, ch in enumerate("办理结果"):  # the merged label, one character per line
                        c.drawString(cols[0] + 15, y - 14 - i * 13, ch)
                y = row(y, label, values, first_of_merge=first)
                first = label not in merged_rows
        c.line(cols[0], y, cols[-1], y)
    else:
        for label, values in PDF_T3_ROWS:
            for x, text in zip((60, 330, 400, 470), [label, *values], strict=True):
                if text:
                    c.drawString(x, y, text)
            y -= 22
        c.showPage()
        furniture(2)
        y = 780.0
    c.drawString(80, y - 40, "五、存在的主要问题及改进情况")
    c.drawString(60, y - 60, "主要问题是解读不够通俗。")
    c.save()
    return buf.getvalue()


def pdf_image_only(pages: int = 2) -> bytes:
    """Pages carrying only graphics (as a scanner's output carries only images): no text layer."""
    import io

    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(595, 842))
    for _ in range(pages):
        c.setFillGray(0.4)
        c.rect(50, 50, 495, 742, fill=1, stroke=0)
        for i in range(40):
            c.setFillGray(0.1)
            c.rect(70, 760 - i * 17, 400 - (i * 37) % 200, 9, fill=1, stroke=0)
        c.showPage()
    c.save()
    return buf.getvalue()
