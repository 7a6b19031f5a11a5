"""HTML reader: encodings, span expansion, Word-pasted markup, layout tables, metadata, speed."""

from __future__ import annotations

import pytest
from helpers import T3_ROWS, peak_memory, report_page

from etl.document import Paragraph, ReadError, Table
from etl.readers.html import decode_html, read_html
from etl.values import EMPTY, NUMBER, parse_cell


def page(body: str, head: str = "") -> str:
    return f"<html><head>{head}</head><body>{body}</body></html>"


def only_table(doc) -> Table:
    tables = doc.tables()
    assert len(tables) == 1, tables
    return tables[0]


def test_rowspan_colspan_expand_to_exact_grid():
    html = page("""<table>
      <tr><td rowspan="2">A</td><td colspan="2">B</td><td rowspan="3">C</td></tr>
      <tr><td>b1</td><td>b2</td></tr>
      <tr><td colspan="3">D</td></tr>
      <tr><td>1</td><td>2</td><td>3</td><td>4</td></tr>
    </table>""")
    t = only_table(read_html(html.encode()))
    assert t.grid is True
    assert t.rows == [
        ["A", "B", "B", "C"],
        ["A", "b1", "b2", "C"],
        ["D", "D", "D", "C"],
        ["1", "2", "3", "4"],
    ]


def test_header_and_data_rows_with_different_colspans():
    # 3-column label (colspan=3) above, 1+2 label columns below: both rows cover the same 5 positions
    html = page("""<table>
      <tr><td colspan="3">申请人情况</td><td>自然人</td><td>总计</td></tr>
      <tr><td rowspan="2">三、本年度办理结果</td><td colspan="2">（一）予以公开</td><td>5</td><td>5</td></tr>
      <tr><td>（三）不予公开</td><td>1.属于国家秘密</td><td>0</td><td>0</td></tr>
    </table>""")
    t = only_table(read_html(html.encode()))
    assert t.rows == [
        ["申请人情况", "申请人情况", "申请人情况", "自然人", "总计"],
        ["三、本年度办理结果", "（一）予以公开", "（一）予以公开", "5", "5"],
        ["三、本年度办理结果", "（三）不予公开", "1.属于国家秘密", "0", "0"],
    ]


def test_rowspan_past_the_end_of_a_short_row():
    html = page("""<table><tr><td>a</td><td>b</td><td rowspan="2">c</td></tr><tr><td>d</td></tr></table>""")
    t = only_table(read_html(html.encode()))
    # the second row has one own cell; position 1 is a real hole, position 2 is covered by "c"
    assert t.rows == [["a", "b", "c"], ["d", "", "c"]]


def test_nbsp_and_whitespace_cells_are_empty_not_zero():
    html = page("<table><tr><td>行政许可</td><td>&nbsp;</td><td> \u3000 </td><td>0</td><td>/</td></tr></table>")
    t = only_table(read_html(html.encode()))
    assert t.rows == [["行政许可", "", "", "0", "/"]]
    assert [parse_cell(c).kind for c in t.rows[0][1:3]] == [EMPTY, EMPTY]


def test_word_pasted_spans_split_number():
    cell = ("<td width=57 style='border:solid windowtext 1.0pt'><p class=MsoNormal align=center>"
            "<span lang=EN-US style='font-size:10.5pt'><font face=宋体>3</font></span>"
            "<span lang=EN-US style='font-size:10.5pt'>119<o:p></o:p></span></p></td>")
    html = page(f"<table><tr><td>一、本年新收政府信息公开申请数量</td>{cell}</tr></table>")
    t = only_table(read_html(html.encode()))
    assert t.rows == [["一、本年新收政府信息公开申请数量", "3119"]]
    assert parse_cell(t.rows[0][1]).value == 3119


def test_br_inside_cells():
    html = page("<table><tr><td>商业<br>企业</td><td>12<br>34</td><td>法律服务<br/>\n机构</td></tr></table>")
    t = only_table(read_html(html.encode()))
    # CJK label wrapped by <br> joins up; digit runs separated by <br> stay apart
    assert t.rows == [["商业企业", "12\n34", "法律服务机构"]]


def test_word_cell_paragraphs_keep_breaks_and_drop_hidden_runs():
    # Word cells hold <p> runs; the reader takes a <p> of plain spans in one pass, so a hidden span or a
    # <br> inside one must still send it through the element walk.
    cell = '<td><p class=MsoNormal><span lang=EN-US style="font-size:10.5pt">{}</span></p>{}</td>'
    html = page("<table><tr>"
                + cell.format("12", "")
                + cell.format('3<span style="display:none">9</span>4', "")
                + cell.format("56", "<p class=MsoNormal><span>78</span></p>")
                + cell.format("1<br>2", "")
                + "</tr></table>")
    t = only_table(read_html(html.encode()))
    assert t.rows == [["12", "34", "56\n78", "1\n2"]]


def test_word_source_line_wrap_inside_cjk_text_is_dropped():
    html = page("<p>本机关全年主动公开\n政府信息229条，\n  收到申请12件。</p>")
    assert read_html(html.encode()).paragraphs() == ["本机关全年主动公开政府信息229条，收到申请12件。"]


def test_gbk_page_without_charset_declaration():
    # 镕 and 堃 are GBK but not GB2312: a strict gb2312 decoder would fail on them
    text = page("<p>朱镕基、王堃：行政许可</p><table><tr><td>总计</td><td>7</td></tr></table>")
    data = text.encode("gbk")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    doc = read_html(data)
    assert doc.paragraphs() == ["朱镕基、王堃：行政许可"]
    assert only_table(doc).rows == [["总计", "7"]]
    assert doc.meta["encoding"] == "gb18030"


def test_gb2312_declared_page():
    head = '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
    data = page("<p>二、主动公开政府信息情况（堃）</p>", head).encode("gbk")
    doc = read_html(data)
    assert doc.paragraphs() == ["二、主动公开政府信息情况（堃）"]


def test_utf8_page_with_wrong_gb2312_declaration():
    head = '<meta charset="gb2312">'
    data = page("<p>三、收到和处理政府信息公开申请情况</p>", head).encode("utf-8")
    text, enc = decode_html(data)
    assert enc == "utf-8"
    assert read_html(data).paragraphs() == ["三、收到和处理政府信息公开申请情况"]


def test_declared_big5_page_uses_the_declaration():
    head = '<meta charset="big5">'
    data = page("<p>政府資訊公開</p>", head).encode("big5")
    assert read_html(data).paragraphs() == ["政府資訊公開"]


def test_page_cut_mid_character_still_decodes():
    data = "<html><body><p>行政复议</p><p>诉讼".encode()[:-2]  # a stored copy cut inside 讼
    doc = read_html(data)
    assert doc.meta["encoding"] == "utf-8"  # not mistaken for GB18030 because of the broken tail
    assert doc.paragraphs() == ["行政复议", "诉\ufffd"]


def test_paragraphs_in_order_with_tables_and_noise_skipped():
    html = page("""<nav>首页 政务公开</nav><div class="breadcrumb">当前位置：首页</div>
      <div id="zoom"><p>一、总体情况</p><div>第一段。<br>第二段。</div>
      <table><tr><td>规章</td><td>1</td></tr></table>
      <ul><li>条目甲</li><li>条目乙</li></ul><h2>二、小标题</h2></div>
      <script>var s = "<p>脚本</p>";</script><style>p { color: red }</style>
      <div style="display: none">隐藏</div><div class="footer">版权所有</div>""")
    doc = read_html(html.encode())
    kinds = [(type(b).__name__, b.text if isinstance(b, Paragraph) else b.rows) for b in doc.blocks]
    assert kinds == [
        ("Paragraph", "一、总体情况"),
        ("Paragraph", "第一段。"),
        ("Paragraph", "第二段。"),
        ("Table", [["规章", "1"]]),
        ("Paragraph", "条目甲"),
        ("Paragraph", "条目乙"),
        ("Paragraph", "二、小标题"),
    ]


def test_layout_table_flows_and_nested_data_table_is_its_own_block():
    inner = "<table><tr><td>行政处罚</td><td>42</td></tr><tr><td>行政强制</td><td>&nbsp;</td></tr></table>"
    html = page(f"""<table width="100%"><tr><td>站点标题</td></tr>
      <tr><td><p>一、总体情况</p><p>正文一段。</p>{inner}<p>五、存在的主要问题及改进情况</p></td></tr></table>""")
    doc = read_html(html.encode())
    assert doc.paragraphs() == ["站点标题", "一、总体情况", "正文一段。", "五、存在的主要问题及改进情况"]
    assert only_table(doc).rows == [["行政处罚", "42"], ["行政强制", ""]]
    # the inner table sits between the paragraphs around it
    order = [b.text if isinstance(b, Paragraph) else "TABLE" for b in doc.blocks]
    assert order.index("TABLE") == order.index("正文一段。") + 1


def test_data_table_with_a_small_table_in_a_cell():
    inner = "<table><tr><td>x</td><td>y</td></tr></table>"
    html = page(f"""<table>
      <tr><td>h1</td><td>h2</td><td>h3</td></tr>
      <tr><td>a</td><td>b {inner}</td><td>c</td></tr>
      <tr><td>d</td><td>e</td><td>f</td></tr>
      <tr><td>g</td><td>h</td><td>i</td></tr></table>""")
    tables = read_html(html.encode()).tables()
    assert [t.rows for t in tables] == [
        [["h1", "h2", "h3"], ["a", "b", "c"], ["d", "e", "f"], ["g", "h", "i"]],
        [["x", "y"]],
    ]


def test_metadata_from_head_and_labelled_fields():
    head = ('<title>某局2023年政府信息公开工作年度报告_某市人民政府</title>'
            '<meta name="ArticleTitle" content="某局2023年政府信息公开工作年度报告">'
            '<meta name="PubDate" content="2024-01-22 09:00">'
            '<meta name="ContentSource" content="某市人民政府办公室">'
            '<meta property="og:url" content="https://www.example.gov.cn/a/1.html">')
    body = ("<div>发布机构：某市某局&nbsp;&nbsp;公开日期：2024年01月20日成文日期：2024-01-18</div>"
            "<p>正文。</p>")
    doc = read_html(page(body, head).encode())
    assert doc.meta["title"] == "某局2023年政府信息公开工作年度报告"
    assert doc.meta["page_title"] == "某局2023年政府信息公开工作年度报告_某市人民政府"
    assert doc.meta["issuer"] == "某市某局"  # the printed label wins over the CMS meta tag
    assert doc.meta["published"] == "2024年01月20日"
    assert doc.meta["written"] == "2024-01-18"
    assert doc.meta["url"] == "https://www.example.gov.cn/a/1.html"


def test_metadata_from_an_index_table_and_head_fallbacks():
    head = ('<title>报告</title><meta name="PubDate" content="2024-02-01">'
            '<meta name="ContentSource" content="某区政府办"><link rel="canonical" href="https://x.gov.cn/r.html">')
    body = ("<table><tr><td>索引号：</td><td>000-2024-001</td><td>发文机关：</td><td>某区司法局</td></tr>"
            "<tr><td>成文日期</td><td>2024-01-10</td><td>主题分类</td><td>其他</td></tr></table><p>正文。</p>")
    doc = read_html(page(body, head).encode())
    assert doc.meta["issuer"] == "某区司法局"
    assert doc.meta["written"] == "2024-01-10"
    assert doc.meta["published"] == "2024-02-01"  # no printed date: the CMS meta
    assert doc.meta["url"] == "https://x.gov.cn/r.html"
    assert doc.meta["title"] == "报告"


def test_generated_report_page_reads_table_three_and_fields():
    doc = read_html(report_page(charset_meta="gb2312").encode("gb18030"))
    t = only_table(doc)
    assert t.rows[1][3:] == ["自然人", "法人或其他组织", "法人或其他组织", "法人或其他组织", "法人或其他组织",
                             "法人或其他组织", "总计"]
    assert t.rows[2][4:9] == ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
    for (label, values), row in zip(T3_ROWS, t.rows[3:], strict=True):
        assert row[:3] == [label] * 3
        assert [parse_cell(c).value for c in row[3:]] == values
        assert all(parse_cell(c).kind in (NUMBER, "zero") for c in row[3:])
    assert "首页" not in " ".join(doc.paragraphs())  # nav skipped
    assert not any("版权所有" in p for p in doc.paragraphs())  # footer skipped
    assert not any("广告" in p or "not text" in p for p in doc.paragraphs())  # scripts skipped
    assert doc.meta["issuer"] == "示例市示例局" and doc.meta["published"] == "2024-01-20"


def test_typical_page_reads_its_paragraphs_and_table():
    # speed target (< 5 ms per page on an idle core) measured by bench/parse.py, not asserted here
    data = report_page(paragraphs=60).encode("utf-8")
    assert 40_000 < len(data) < 90_000
    doc = read_html(data)
    assert sum("本机关坚持以公开为常态" in p for p in doc.paragraphs()) == 60
    labels = [row[0] for t in doc.tables() for row in t.rows]
    assert all(label in labels for label, _ in T3_ROWS)


@pytest.mark.parametrize("data", [b"", b"   \n", b"<html><body><script>x()</script></body></html>"])
def test_pages_without_text_raise_read_error(data):
    with pytest.raises(ReadError) as e:
        read_html(data)
    assert e.value.code == "empty"


# --- picking the reader by content (etl.readers.sniff / read_document) --------------------------------

def _write(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("name", ["report.shtml", "report.htm", "report", "index.jsp"])
def test_html_is_read_as_html_whatever_the_name(tmp_path, name):
    from etl.readers import read_document, sniff

    data = page("<p>一、总体情况</p><table><tr><td>规章</td><td>0</td></tr></table>").encode("gb18030")
    assert sniff(data, name) == "html"
    doc = read_document(_write(tmp_path, name, data))
    assert doc.kind == "html"
    assert doc.paragraphs() == ["一、总体情况"] and doc.tables()[0].rows == [["规章", "0"]]


def test_shtml_whose_markup_starts_late_is_html_by_extension(tmp_path):
    from etl.readers import read_document, sniff

    data = ("<!-- " + "站点模板说明 " * 800 + "-->\n<html><body><p>正文</p></body></html>").encode()
    assert b"<html" not in data[:4096]
    assert sniff(data, "a.shtml") == "html"
    assert read_document(_write(tmp_path, "a.shtml", data)).paragraphs() == ["正文"]


def test_pdf_named_txt_is_read_as_pdf(tmp_path):
    from helpers import pdf_report

    from etl.readers import read_document, sniff

    data = pdf_report()
    assert sniff(data, "report.txt") == "pdf"
    doc = read_document(_write(tmp_path, "report.txt", data))
    assert doc.kind == "pdf" and "3119" in doc.tables()[0].rows[1]


def test_docx_without_extension_is_read_as_docx(tmp_path):
    import io

    import docx

    from etl.readers import read_document

    d = docx.Document()
    d.add_paragraph("六、其他需要报告的事项")
    buf = io.BytesIO()
    d.save(buf)
    doc = read_document(_write(tmp_path, "download", buf.getvalue()))
    assert doc.kind == "docx" and doc.paragraphs() == ["六、其他需要报告的事项"]


@pytest.mark.parametrize("data", [b"", b"  \r\n\t "])
def test_empty_file_raises(tmp_path, data):
    from etl.readers import read_document

    with pytest.raises(ReadError, match="^empty file$") as e:
        read_document(_write(tmp_path, "x.html", data))
    assert e.value.code == "empty" and e.value.detail == ""


def test_zip_that_is_not_a_docx_raises(tmp_path):
    import io
    import zipfile

    from etl.readers import read_document

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("data.csv", "a,b\n1,2\n")
    with pytest.raises(ReadError, match="ZIP archive that is not a Word .docx") as e:
        read_document(_write(tmp_path, "report.zip", buf.getvalue()))
    assert e.value.code == "unsupported"


def test_oversized_colspan_is_clipped_to_the_table_width():
    html = page('<table><tr><th colspan="999">表二</th></tr><tr><td>a</td><td>b</td></tr>'
                '<tr><td>c</td><td>d</td></tr></table>')
    assert only_table(read_html(html.encode())).rows == [["表二", "表二"], ["a", "b"], ["c", "d"]]


def test_two_column_layout_table_without_nesting_flows_as_text():
    body = "".join(f"<p>第{i}段，本机关依法依规做好政府信息公开工作，持续提升公开质量。</p>" for i in range(20))
    html = page(f"<table><tr><td>栏目导航</td><td>{body}</td></tr></table>")
    doc = read_html(html.encode())
    assert doc.tables() == []
    assert doc.paragraphs()[:2] == ["栏目导航", "第0段，本机关依法依规做好政府信息公开工作，持续提升公开质量。"]
    assert len(doc.paragraphs()) == 21


# --- limits and reason codes --------------------------------------------------------------------------

def test_spans_are_clamped_as_the_html_standard_does():
    from lxml import etree

    from etl.readers.html import _span, table_grid
    from etl.readers.limits import MAX_COLSPAN, MAX_ROWSPAN

    assert (MAX_COLSPAN, MAX_ROWSPAN) == (1000, 65534)
    root = etree.fromstring(page('<table><tr><td colspan="5000" rowspan="99999">a</td></tr>'
                                 '<tr></tr><tr><td>b</td></tr></table>'), etree.HTMLParser())
    rows = [[(td, _span(td.get("colspan"), MAX_COLSPAN)) for td in tr] for tr in root.iter("tr")]
    grid = table_grid(rows)
    # 1000 columns; the rowspan reaches the table's last row, so "b" comes after it
    assert grid == [["a"] * 1000, ["a"] * 1000, ["a"] * 1000 + ["b"]]


def test_span_bomb_is_refused_before_it_expands():
    from etl.sample.damaged import span_bomb_html

    data = span_bomb_html()
    assert len(data) < 25_000
    with peak_memory() as peak, pytest.raises(
            ReadError, match=r"^tables expand to more cells than the limit: limit 200000 cells$") as e:
        read_html(data)
    assert e.value.code == "too_many_cells"
    assert peak.mb < 20, peak.mb  # 200,000 cells and more were never built


def test_cell_limit_counts_all_tables_of_a_page():
    table = "<table>" + "".join("<tr>" + "<td>1</td>" * 100 + "</tr>" for _ in range(1100)) + "</table>"
    assert len(read_html(page(table).encode()).tables()) == 1  # 110,000 cells
    with pytest.raises(ReadError) as e:
        read_html(page(table * 2).encode())  # 220,000: each table alone is under the limit
    assert e.value.code == "too_many_cells"


def test_html_over_the_size_limit_is_refused_before_decoding():
    data = page("<p>" + "正文" * (4 * 1024 * 1024) + "</p>").encode()
    with pytest.raises(ReadError, match=r"^file over the size limit: limit 20 MB, file 25 MB$") as e:
        read_html(data)
    assert e.value.code == "too_large"


def test_big5_page_without_charset_is_decoded_as_big5():
    html = page("<p>二、主動公開政府資訊情況</p><table><tr><td>規章</td><td>0</td></tr></table>")
    text, enc = decode_html(html.encode("cp950"))
    assert enc == "cp950" and "主動公開政府資訊情況" in text


def test_gbk_page_is_not_mistaken_for_big5():
    html = page("<p>二、主动公开政府信息情况</p><table><tr><td>规章</td><td>0</td></tr></table>")
    assert decode_html(html.encode("gbk")) == (html, "gb18030")


def test_page_of_images_has_no_text_layer():
    with pytest.raises(ReadError) as e:
        read_html(page('<img src="p1.png"><img src="p2.png">').encode())
    assert e.value.code == "no_text"


@pytest.mark.parametrize("data, code, detail", [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "unsupported",
     "an OLE container with no Word document in it (not a .doc)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600) + "Workbook".encode("utf-16-le"), "unsupported",
     "legacy binary Excel workbook (.xls), not a Word document"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600) + "EncryptedPackage".encode("utf-16-le"), "encrypted",
     "password-protected Word/Excel file"),
    (b"PK\x03\x04" + bytes(100), "corrupt", "ZIP archive damaged"),
])
def test_sniffed_kinds_that_cannot_be_read(data, code, detail):
    from etl.readers import sniff

    with pytest.raises(ReadError) as e:
        sniff(data, "report.doc")
    assert (e.value.code, e.value.detail) == (code, detail)


def test_word_package_without_its_body_is_corrupt():
    import io
    import zipfile

    from etl.readers import sniff

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("word/styles.xml", "<styles/>")
    with pytest.raises(ReadError, match="word/document.xml missing$") as e:
        sniff(buf.getvalue(), "report.docx")
    assert e.value.code == "corrupt"
