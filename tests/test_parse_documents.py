"""The fixture report as an HTML page (merged cells, Word markup, GBK) and as a DOCX gives the same cells."""

from __future__ import annotations

import helpers as R
import pytest

from etl.parse import parse_file


def _check(r) -> None:
    assert (r.agency, r.year, r.template) == ("样例测试县样例局", 2023, "2021")
    assert {(c.row, c.col): c.value for c in r.cells if c.table == "t2"} == R.T2_EXPECTED
    assert {(c.row, c.col): c.value for c in r.cells if c.table == "t3"} == R.t3_expected()
    assert r.cell("t3", *R.BLANK_CELL).kind == "empty"
    assert [r.value("t4", b, c) for b in ("review", "litigation_direct", "litigation_after_review")
            for c in ("upheld", "corrected", "other", "pending", "total")] == [int(v) for v in R.T4_VALUES]
    assert r.narrative["proactive_items"] == 1234
    assert r.missing == []


@pytest.mark.parametrize(("encoding", "declare", "name"), [
    ("utf-8", "utf-8", "report.html"),
    ("gbk", None, "report.shtml"),  # GBK without any declaration: detected, not assumed
    ("gb18030", "gb2312", "report"),  # no extension, declared gb2312
])
def test_html_report(tmp_path, encoding, declare, name):
    path = tmp_path / name
    path.write_bytes(R.render_html(encoding, declare))
    r = parse_file(path)
    assert r.source.kind == "html"
    _check(r)
    assert r.published_on == "2024-01-15"


def test_docx_report(tmp_path):
    path = tmp_path / "report.docx"
    R.render_docx(path)
    r = parse_file(path)
    assert r.source.kind == "docx"
    _check(r)
