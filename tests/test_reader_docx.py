"""DOCX reader: documents built here with python-docx (merged cells, nested tables, breaks)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import docx
import pytest
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from helpers import peak_memory

from etl.document import Paragraph, ReadError
from etl.readers.docx import read_docx
from etl.values import EMPTY, parse_cell


def save(document) -> bytes:
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def t3_document():
    d = docx.Document()
    d.core_properties.title = "示例局2023年政府信息公开工作年度报告"
    d.core_properties.created = dt.datetime(2024, 1, 19, 8, 30)
    d.add_paragraph("发文机关：示例市示例局　　成文日期：2024年01月18日")
    d.add_paragraph("三、收到和处理政府信息公开申请情况")
    t = d.add_table(rows=5, cols=5)
    # header: 申请人情况 over 2 rows × 2 cols, 法人或其他组织 over 2 columns
    t.cell(0, 0).merge(t.cell(1, 1)).text = "申请人情况"
    t.cell(0, 2).merge(t.cell(1, 2)).text = "自然人"
    t.cell(0, 3).merge(t.cell(0, 4)).text = "法人或其他组织"
    t.cell(1, 3).text = "商业企业"
    t.cell(1, 4).text = "科研机构"
    # body: 三、本年度办理结果 merged vertically over two rows
    t.cell(2, 0).merge(t.cell(2, 1)).text = "一、本年新收政府信息公开申请数量"
    for c, v in zip((2, 3, 4), ("12", "3", "0"), strict=True):
        t.cell(2, c).text = v
    t.cell(3, 0).merge(t.cell(4, 0)).text = "三、本年度办理结果"
    t.cell(3, 1).text = "（一）予以公开"
    t.cell(4, 1).text = "（二）部分公开"
    for c, v in zip((2, 3, 4), ("7", "1", "\u3000"), strict=True):
        t.cell(3, c).text = v
    for c, v in zip((2, 3, 4), ("3119", "0", "0"), strict=True):
        t.cell(4, c).text = v
    d.add_paragraph("四、政府信息公开行政复议、行政诉讼情况")
    return d


def test_python_docx_row_cells_repeat_merged_cells_as_we_do():
    d = docx.Document(io.BytesIO(save(t3_document())))
    ours = read_docx(save(t3_document())).tables()[0].rows
    theirs = [[c.text.strip().replace("\u3000", "") for c in row.cells] for row in d.tables[0].rows]
    assert ours == theirs


def test_merged_cells_expand_to_full_grid():
    doc = read_docx(save(t3_document()))
    assert doc.kind == "docx"
    t = doc.tables()[0]
    assert t.grid is True
    assert t.rows == [
        ["申请人情况", "申请人情况", "自然人", "法人或其他组织", "法人或其他组织"],
        ["申请人情况", "申请人情况", "自然人", "商业企业", "科研机构"],
        ["一、本年新收政府信息公开申请数量", "一、本年新收政府信息公开申请数量", "12", "3", "0"],
        ["三、本年度办理结果", "（一）予以公开", "7", "1", ""],
        ["三、本年度办理结果", "（二）部分公开", "3119", "0", "0"],
    ]
    assert parse_cell(t.rows[3][4]).kind == EMPTY  # a full-width space is a blank, not a zero


def test_body_order_and_metadata():
    doc = read_docx(save(t3_document()))
    kinds = [b.text if isinstance(b, Paragraph) else "TABLE" for b in doc.blocks]
    assert kinds == ["发文机关：示例市示例局 成文日期：2024年01月18日", "三、收到和处理政府信息公开申请情况", "TABLE",
                     "四、政府信息公开行政复议、行政诉讼情况"]
    assert doc.meta["title"] == "示例局2023年政府信息公开工作年度报告"
    assert doc.meta["created"] == "2024-01-19"
    assert doc.meta["issuer"] == "示例市示例局"
    assert doc.meta["written"] == "2024年01月18日"
    assert "published" not in doc.meta


def test_line_breaks_tabs_nested_tables_and_grid_before():
    d = docx.Document()
    p = d.add_paragraph("第一行")
    p.add_run().add_break()
    p.add_run("第二行")
    outer = d.add_table(rows=2, cols=2)
    outer.cell(0, 0).text = "a"
    outer.cell(0, 1).text = "b"
    outer.cell(1, 0).text = "c"
    inner = outer.cell(1, 1).add_table(rows=1, cols=2)
    inner.cell(0, 0).text = "行政处罚"
    inner.cell(0, 1).text = "42"
    # a row that starts one grid column late (w:gridBefore): its first position is blank
    tr = outer.add_row()._tr
    tr.remove(tr.tc_lst[0])
    tr.insert(0, parse_xml(f'<w:trPr {nsdecls("w")}><w:gridBefore w:val="1"/></w:trPr>'))
    tr.tc_lst[0].clear_content()
    tr.tc_lst[0].append(parse_xml(f'<w:p {nsdecls("w")}><w:r><w:t>d</w:t></w:r></w:p>'))
    doc = read_docx(save(d))
    assert doc.paragraphs() == ["第一行", "第二行"]
    tables = doc.tables()
    assert [t.rows for t in tables] == [[["a", "b"], ["c", ""], ["", "d"]], [["行政处罚", "42"]]]


@pytest.mark.parametrize("data, detail", [
    (b"PK\x03\x04" + b"\x00" * 200, "ZIP archive damaged"),
    (b"not a zip at all", "ZIP archive damaged"),
])
def test_corrupt_docx_raises(data, detail):
    with pytest.raises(ReadError, match=f"^damaged file, cannot be read: {detail}$") as e:
        read_docx(data)
    assert e.value.code == "corrupt" and e.value.detail == detail


def test_zip_without_word_document_raises():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("hello.txt", "hi")
    with pytest.raises(ReadError, match="word/document.xml missing$") as e:
        read_docx(buf.getvalue())
    assert e.value.code == "corrupt"


def test_empty_document_raises():
    with pytest.raises(ReadError, match="without text") as e:
        read_docx(save(docx.Document()))
    assert e.value.code == "empty"



# --- limits and hostile packages ----------------------------------------------------------------------

def test_zip_bomb_is_refused_by_declared_size_without_inflating():
    from etl.sample.damaged import zip_bomb

    data = zip_bomb(save(t3_document()))
    assert len(data) < 4 * 1024 * 1024
    with peak_memory() as peak, pytest.raises(
            ReadError, match=r"^file over the size limit: limit 100 MB, word/document.xml") as e:
        read_docx(data)
    assert e.value.code == "too_large"
    assert peak.mb < 20, peak.mb  # the 100 MB part was never inflated


def test_zip_bomb_with_lying_headers_stops_at_the_stated_size():
    from etl.sample.damaged import zip_bomb

    data = zip_bomb(save(t3_document()), lying=True)
    with peak_memory() as peak, pytest.raises(ReadError) as e:
        read_docx(data)
    assert e.value.code == "corrupt"
    assert peak.mb < 20, peak.mb  # inflating stopped at the size the headers state


def test_body_over_the_limit_is_too_large(monkeypatch):
    import etl.readers.docx as reader

    monkeypatch.setattr(reader, "MAX_DOCX_XML_MB", 0)  # every body is now over the limit
    with pytest.raises(ReadError) as e:
        read_docx(save(t3_document()))
    assert e.value.code == "too_large"


def test_grid_span_bomb_is_refused():
    from etl.sample.damaged import grid_span_bomb

    with pytest.raises(ReadError, match="limit 200000 cells$") as e:
        read_docx(grid_span_bomb(save(t3_document())))
    assert e.value.code == "too_many_cells"


@pytest.mark.parametrize("make, detail", [
    ("billion_laughs", "XML entities expand too far"),
    ("deep_docx", "XML nested too deeply"),
])
def test_hostile_xml_is_corrupt(make, detail):
    import etl.sample.damaged as damaged

    with pytest.raises(ReadError) as e:
        read_docx(getattr(damaged, make)(save(t3_document())))
    assert (e.value.code, e.value.detail) == ("corrupt", detail)


def test_damaged_deflate_stream_is_corrupt():
    data = bytearray(save(t3_document()))
    z = zipfile.ZipFile(io.BytesIO(bytes(data)))
    info = z.getinfo("word/document.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start + 20:start + 60] = bytes(40)  # the header stays intact, the compressed body does not
    with pytest.raises(ReadError) as e:
        read_docx(bytes(data))
    assert e.value.code == "corrupt" and e.value.detail in ("compressed data damaged", "ZIP archive damaged")


def test_package_without_core_properties_still_reads():
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(save(t3_document()))) as src, zipfile.ZipFile(buf, "w") as dst:
        for name in src.namelist():
            if name != "docProps/core.xml":
                dst.writestr(name, src.read(name))
    doc = read_docx(buf.getvalue())
    assert "title" not in doc.meta and doc.tables()
