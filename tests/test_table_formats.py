"""Each table's format is decided once, by the extractor, and every later stage uses that one value.

The reproduction: a 2021 table 2 (本年制发件数 header) that also prints a local 政府集中采购 row names both
formats' labels. It is still a 2021 table 2, so its T2-stock rule runs, and the report's missing count is the
2021 table 2's gaps plus a whole absent table 3 — not table 4's 15 cells only.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from etl import formats as F
from etl.completeness import n_missing_cells
from etl.parse import parse_file
from etl.warehouse.build import build


def _row(*cells: str) -> list[str]:
    return ["\t" + c for c in cells] + [""]


def _report_text() -> str:
    out = ["样例市样例测绘局2022年政府信息公开工作年度报告", "发布日期：2023-01-20", "一、总体情况", "本局依法公开政府信息。",
           "二、主动公开政府信息情况"]
    out += _row("第二十条第（一）项")
    out += _row("信息内容", "本年制发件数", "本年废止件数", "现行有效件数")
    out += _row("规章", "0", "0", "0")
    out += _row("行政规范性文件", "5", "0", "1")  # issued 5 > in force 1 + repealed 0: T2-stock fails
    out += _row("第二十条第（五）项")
    out += _row("信息内容", "本年处理决定数量")
    out += _row("行政许可", "12")
    out += _row("第二十条第（六）项")
    out += _row("信息内容", "本年处理决定数量")
    out += _row("行政处罚", "3")
    out += _row("行政强制", "0")
    out += _row("第二十条第（八）项")
    out += _row("信息内容", "本年收费金额（单位：万元）")
    out += _row("行政事业性收费", "0")
    out += _row("第二十条第（九）项")  # a local row the 2021 form does not print
    out += _row("信息内容", "采购项目数量", "采购总金额")
    out += _row("政府集中采购", "2", "30")
    out += ["四、政府信息公开行政复议、行政诉讼情况"]
    out += _row("行政复议", "行政诉讼")
    out += _row("未经复议直接起诉", "复议后起诉")
    out += _row(*(["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 3))
    out += _row(*(["0"] * 15))
    out += ["五、存在的主要问题及改进情况", "无。", "六、其他需要报告的事项", "无。"]
    return "\n".join(out) + "\n"


def test_both_formats_labels_give_one_format(tmp_path: Path) -> None:
    path = tmp_path / "report.txt"
    path.write_text(_report_text(), encoding="utf-8")
    r = parse_file(path)
    assert r.table_formats == {"t2": "2021", "t4": "2021"}
    assert r.template == "2021"
    assert r.value("t2", "normative_documents", "issued") == 5
    assert r.value("t2", "procurement", "projects") == 2  # the local row's printed numbers are kept
    assert "t3" in r.missing
    # 2021 table 2 prints 13 cells, all here; table 3 (2021: 25 rows x 7) is absent; table 4 complete
    assert n_missing_cells(r) == len(F.table_cells("t3", "2021")) == 175

    db = tmp_path / "w.duckdb"
    build([tmp_path], db)
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT t2_format, t3_format, t4_format, n_missing_cells FROM reports").fetchone() == (
        "2021", None, "2021", 175)
    stock = con.execute("""SELECT cells, expected, actual FROM findings
                           WHERE rule = 'T2-stock' AND status = 'fail'""").fetchall()
    assert stock == [('["t2.normative_documents.issued","t2.normative_documents.in_force",'
                      '"t2.normative_documents.repealed"]', 5.0, 1.0)]


def test_decide_format() -> None:
    assert F.decide_format({"2021": 4, "2019": 2}, 2022) == "2021"
    assert F.decide_format({"2021": 2, "2019": 2}, 2020) == "2019"  # a tie goes to the year's format
    assert F.decide_format({"2021": 2, "2019": 2}, None) == "2021"
    assert F.decide_format({}, 2020) is None
    assert [F.format_for_year(y) for y in (2018, 2019, 2020, 2021, 2030, None)] == [
        "legacy", "2019", "2019", "2021", "2021", None]
