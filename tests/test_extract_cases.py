"""Label variants, formats and cell semantics, on small reports written here (pipe-row text)."""

from __future__ import annotations

from etl import formats as F
from etl.parse import parse_file


def _parse(tmp_path, text: str, name: str = "r.txt"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return parse_file(p)


T3_HEAD_2019 = """三、收到和处理政府信息公开申请情况
（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和） | 申请人情况 | ||||||
自然人 | 法人或其他组织 | 总计 ||||
商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 ||
"""

REPORT_2019 = """样例甲市样例局2020年政府信息公开工作年度报告
一、总体情况
本年度主动公开政府信息58条。
二、主动公开政府信息情况
| 第二十条第（一）项 | |||
| 信息内容 | 本年新 制作数量 | 本年新 公开数量 | 对外公开总数量 |
| 规章 | 0 | 0 | 0 |
| 规范性文件 | 8 | 8 | ２１ |
| 第二十条第（五）项 | |||
| 信息内容 | 上一年项目数量 | 本年增\\减 | 处理决定数量 |
| 行政许可 | 92 | 增98 | 1,234 |
| 其他对外管理服务事项 | 5 | 减3 | 0 |
| 第二十条第（六）项 | |||
| 信息内容 | 上一年项目数量 | 本年增/减 | 处理决定数量 |
| 行政处罚 | 0 | 增 | 25 |
| 行政强制 | 3 | +19 | / |
| 第二十条第（八）项 | |||
| 信息内容 | 上一年项目数量 | 本年增/减 | |
| 行政事业性收费 | 4 | -2 | |
| 第二十条第（九）项 | |||
| 信息内容 | 采购项目数量 | 采购总金额 | |
| 政府集中采购 | 9 | 976.81万元 | |
| 其他主动公开文件 | 12 | 3 | |
""" + T3_HEAD_2019 + "\n".join(
    f"{label} | {' | '.join(vals)}" for label, vals in [
        ("一、本年新收政府信息公开申请数量", ["", "", "", "", "", "", "0"]),
        ("二、上年结转政府信息公开申请数量", ["1", "0", "0", "0", "0", "0", "1"]),
        ("三、本年度办理结果 | （一）予以公开", ["1", "0", "0", "0", "0", "0", "1"]),
        ("（六）其他处理", ["0", "0", "0", "0", "0", "0", "0"]),
    ]) + "\n"


def test_2019_format_blank_signed_and_amounts(tmp_path):
    r = _parse(tmp_path, REPORT_2019)
    assert (r.year, r.template, r.agency) == (2020, "2019", "样例甲市样例局")
    v = r.value
    assert v("t2", "normative_documents", "total_published") == 21  # full-width digits
    assert v("t2", "licensing", "change") == 98
    assert v("t2", "licensing", "decisions") == 1234
    assert v("t2", "other_services", "change") == -3
    assert v("t2", "coercion", "change") == 19
    assert v("t2", "admin_fees", "change") == -2
    assert v("t2", "procurement", "amount_yuan") == 9768100
    bare = r.cell("t2", "punishment", "change")
    assert (bare.kind, bare.value, bare.raw) == ("text", None, "增")
    slash = r.cell("t2", "coercion", "decisions")
    assert (slash.kind, slash.value) == ("na", None)
    blanks = [c for c in r.cells if c.table == "t3" and c.row == "new_received" and c.kind == "empty"]
    assert len(blanks) == 6 and r.value("t3", "new_received", "total") == 0
    assert v("t3", "other_total_2019", "total") == 0
    assert [e.label for e in r.extra_rows] == ["其他主动公开文件"]
    assert not any(c.row == "其他主动公开文件" for c in r.cells)
    assert any(p.code == "text_cell" and p.where == "t2.punishment.change" for p in r.problems)


def test_unit_in_header_and_unknown_unit(tmp_path):
    text = REPORT_2019.replace("976.81万元", "251000").replace("采购总金额 |", "采购总金额（元） |")
    r = _parse(tmp_path, text)
    assert r.value("t2", "procurement", "amount_yuan") == 251000
    assert not any(p.code == "unit_unknown" for p in r.problems)
    r = _parse(tmp_path, REPORT_2019.replace("976.81万元", "251000"))
    assert r.value("t2", "procurement", "amount_yuan") == 251000
    assert any(p.code == "unit_unknown" and p.where == "t2.procurement.amount_yuan" for p in r.problems)


def test_total_first_column_order(tmp_path):
    text = """样例乙县样例委2022年政府信息公开工作年度报告
三、收到和处理政府信息公开申请情况
申请人情况 | | | | | | |
总计 | 自然人 | 法人或其他组织 | | | |
商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 |
一、本年新收政府信息公开申请数量 | 10 | 6 | 1 | 0 | 2 | 0 | 1
"""
    r = _parse(tmp_path, text)
    got = {c.col: c.value for c in r.cells if c.row == "new_received"}
    assert got == {"total": 10, "natural_person": 6, "commercial": 1, "research": 0, "social_welfare": 2,
                   "legal_services": 0, "other_org": 1}


def test_mixed_formats_and_truncation(tmp_path):
    # 2019 table 2 under a 2022 report, table 3 in the 2021 rows, cut off after the 其他处理 rows
    t3_rows = "\n".join(f"{label} | {' | '.join(['1'] * 6 + ['6'])}" for label in [
        "一、本年新收政府信息公开申请数量", "二、上年结转政府信息公开申请数量", "（一）予以公开",
        "（六）其他处理 | 1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "3.其他"])
    text = REPORT_2019.split("三、收到")[0].replace("2020年", "2022年") + T3_HEAD_2019 + t3_rows + "\n"
    r = _parse(tmp_path, text)
    assert r.year == 2022
    assert r.template == "mixed" and r.table_formats == {"t2": "2019", "t3": "2021"}
    assert r.value("t3", "other_other", "total") == 6
    assert "t4" in r.missing and "t3.carried_forward" in r.missing and "t3.partially_granted" in r.missing
    assert "chapter:problems" in r.missing
    codes = {p.code for p in r.problems}
    assert {"missing_table", "incomplete_table"} <= codes


def test_legacy_prose_report(tmp_path):
    text = """样例丙乡2012年政府信息公开年度报告
一、概述
本乡认真贯彻条例。
二、主动公开政府信息的情况
截至2012年12月，主动公开政府信息615条，其中新增94条。
三、依申请公开情况
本年度共受理政府信息公开申请3件，均已按时答复。
"""
    r = _parse(tmp_path, text)
    assert (r.year, r.template, r.agency) == (2012, "legacy", "样例丙乡")
    assert r.cells == [] and r.missing == []
    assert r.narrative["proactive_items"] == 615
    assert r.narrative["requests_received"] == 3


def test_every_canonical_key_is_reachable_from_its_printed_label():
    from etl.extract.tables import match_key

    for table, rows in F.ROWS.items():
        for k in rows:
            if k.key in ("other_other", "total_processed"):
                continue  # matched by position (3.其他 after 2.…; （七）总计), see test_text_renderings
            assert match_key(rows, F.norm(k.zh)) == k.key, (table, k.key)


def test_headings_after_tables_and_renumbered_chapters(tmp_path):
    """Tables are found by their labels: a heading printed after its table, or renumbered, changes nothing."""
    t3 = "\n".join(f"{label} | {' | '.join(['2'] * 6 + ['12'])}" for label in [
        "一、本年新收政府信息公开申请数量", "二、上年结转政府信息公开申请数量"])
    text = f"""样例丁区样例办2023年政府信息公开工作年度报告
一、总体情况
本年度主动公开政府信息7条。
| 第二十条第（一）项 | | | |
| 信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |
| 规章 | 0 | 0 | 4 |
三、主动公开政府信息情况
{t3}
五、收到和处理政府信息公开申请情况
六、政府信息公开行政复议、行政诉讼情况
| 1 | 0 | 0 | 0 | 1 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
"""
    r = _parse(tmp_path, text)
    assert r.value("t2", "regulations", "in_force") == 4
    assert r.value("t3", "carried_over", "total") == 12
    assert r.value("t4", "review", "total") == 1
    assert not r.extra_rows


def test_short_stream_row_is_left_out_not_shifted(tmp_path):
    """PDF text cannot show a blank cell: a row with 6 of 7 values is reported, never shifted left."""
    text = """样例戊县样例局2023年政府信息公开工作年度报告
三、收到和处理政府信息公开申请情况
申请人情况
自然人
法人或其他组织
总计
商业企业
科研机构
社会公益组织
法律服务机构
其他
一、本年新收政府信息公开申请数量 5 1 0 0 0 6
二、上年结转政府信息公开申请数量 1 0 0 0 0 0 1
三、本年度办理结果
（一）予以公开 4 1 0 0
"""
    r = _parse(tmp_path, text)
    assert r.cell("t3", "new_received", "natural_person") is None
    assert "t3.new_received" in r.missing
    assert any(p.code == "ambiguous_row" and p.where == "t3.new_received" for p in r.problems)
    assert r.value("t3", "carried_over", "total") == 1
    # the last row is cut off by the end of the text: what is there is kept, in order
    assert r.value("t3", "granted", "commercial") == 1 and r.cell("t3", "granted", "total") is None


def test_breadcrumb_is_not_the_title():
    from etl.extract.metadata import find_title

    lines = ["首页", "政府信息公开>政府信息公开年报", "样例己市样例局2023年政府信息公开工作年度报告"]
    assert find_title(lines) == ("样例己市样例局2023年政府信息公开工作年度报告", 2023, "样例己市样例局")
