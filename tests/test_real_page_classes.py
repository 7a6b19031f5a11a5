"""The failure classes real pages showed, each on a small page written here (never text from the samples).

Every test asserts where each printed value lands and how it was placed (Cell.placed); a value the page
does not let us place must be absent with a problem, never put in a neighbouring cell.
"""

from __future__ import annotations

from etl.parse import parse_file


def _parse(tmp_path, text: str, name: str = "r.txt"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return parse_file(p)


def _cells(report, table: str = "t2") -> dict[tuple[str, str], tuple[object, str]]:
    return {(c.row, c.col): (c.value, c.placed) for c in report.cells if c.table == table}


def _codes(report) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for p in report.problems:
        out.setdefault(p.code, []).append(p.where or "")
    return out


HEAD = "样例丙县样例局2020年政府信息公开工作年度报告\n一、总体情况\n本年度主动公开政府信息12条。\n二、主动公开政府信息情况\n"


def test_header_cut_short_maps_by_position_never_to_the_one_named_column(tmp_path):
    # class 1: "本年新 | 本年新 | 对外公开总数量", one cell per line (rendering d)
    page = HEAD + "\n".join([
        "第二十条第(一)项 | |", "信息内容 |", "本年新 |", "本年新 |", "对外公开总数量 | |",
        "规章 |", "3 |", "1 |", "7 | |", "规范性文件 |", "4 |", "2 |", "9 | |",
        "第二十条第(五)项 | |", "信息内容 |", "上一年项目数量 |", "本年增/减 |", "处理决定数量 | |",
        "行政许可 |", "11 |", "+2 |", "40 | |", "",
    ]) + "\n三、收到和处理政府信息公开申请情况\n说明文字。\n"
    cells = _cells(_parse(tmp_path, page))
    assert cells[("regulations", "new_made")] == (3, "position")
    assert cells[("regulations", "new_published")] == (1, "position")
    assert cells[("regulations", "total_published")] == (7, "position")
    assert cells[("normative_documents", "total_published")] == (9, "position")
    assert cells[("licensing", "prev_items")] == (11, "header")
    assert cells[("licensing", "change")] == (2, "header")  # "0 |"-style trailing pipes are furniture


def test_header_wrapped_over_two_cells_is_joined(tmp_path):
    # class 1: "本年新" + "制作数量" on two lines (rendering b, blank line between cells)
    lines = ["第二十条第(一)项", "信息内容", "本年新", "制作数量", "本年新", "公开数量", "对外公开总数量",
             "规章", "5", "6", "8"]
    page = HEAD + "\n\n".join(lines) + "\n\n三、收到和处理政府信息公开申请情况\n"
    cells = _cells(_parse(tmp_path, page))
    assert cells[("regulations", "new_made")] == (5, "header")
    assert cells[("regulations", "new_published")] == (6, "header")
    assert cells[("regulations", "total_published")] == (8, "header")


def test_dropped_header_uses_official_order_only_where_the_count_says_which(tmp_path):
    # a page that dropped item (五)'s header: licensing printed 3 values under item (一)'s header words
    lines = ["第二十条第(一)项", "信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量",
             "规范性文件", "第二十条第(五)项", "行政许可", "6", "减3", "3",
             "第二十条第(九)项", "采购项目数量", "采购总金额", "政府集中采购", "2", "1.5万元"]
    r = _parse(tmp_path, HEAD + "\n".join(lines) + "\n三、收到和处理政府信息公开申请情况\n")
    cells = _cells(r)
    assert cells[("licensing", "prev_items")] == (6, "official_order")
    assert cells[("licensing", "change")] == (-3, "official_order")
    assert cells[("licensing", "decisions")] == (3, "official_order")
    assert cells[("procurement", "amount_yuan")] == (15000, "header")
    assert not any(row == "licensing" and col in ("new_made", "new_published", "total_published")
                   for row, col in cells)


def test_header_glued_to_its_label_and_label_glued_to_its_value(tmp_path):
    # class 2: a PDF converter's Markdown: header words glued to 信息内容, "行政许可 97" on its own line
    page = "\n".join([
        "样例丁市样例委员会2024年政府信息公开工作年度报告", "一、总体情况", "概述。",
        "二、主动公开政府信息情况", "第二十条第（五）项", "信息内容本年处理决定数量", "行政许可 97",
        "第二十条第（六）项", "信息内容本年处理决定数量", "行政处罚 5", "行政强制 0",
        "第二十条第（八）项", "信息内容本年收费金额（单位：万元）", "行政事业性收费 1.25",
        "## 表二", "| 信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |", "|---|---|---|---|",
        "| 规章 | 0 | 0 | 0 |", "| 规范性文件 | 13 | 1 | 50 |", "",
        "三、收到和处理政府信息公开申请情况", "说明。",
    ])
    cells = _cells(_parse(tmp_path, page, "r.md"))
    assert cells[("licensing", "decisions")] == (97, "header")
    assert cells[("punishment", "decisions")] == (5, "header")
    assert cells[("admin_fees", "amount_10k_yuan")] == (1.25, "header")
    assert cells[("normative_documents", "in_force")] == (50, "header")  # the |---| rule row is no header


def test_narrative_clause_naming_a_row_is_not_a_table_row(tmp_path):
    page = "\n".join([
        "样例丁市样例委员会2024年政府信息公开工作年度报告", "一、总体情况",
        "申请中同意公开答复 9 件，部分公开答复 0 件，不予公开答复 2", "二、主动公开政府信息情况",
        "| 信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |", "| 规章 | 0 | 0 | 0 |",
    ])
    r = _parse(tmp_path, page, "r.md")
    assert not [c for c in r.cells if c.table == "t3"]


T3_2021_HEAD = """三、收到和处理政府信息公开申请情况
| （本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和） | 申请人情况 | ||||||
| 自然人 | 法人或其他组织 | 总计 ||||
| 商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 ||
"""


def test_2021_table_2_with_single_other_row_table_3_is_mixed(tmp_path):
    # class 4: 2021 table 2, but table 3 prints （六）其他处理 as one row (the 2019 table 3)
    rows_2019 = [
        ("一、本年新收政府信息公开申请数量", [5, 1, 0, 0, 0, 0, 6]),
        ("二、上年结转政府信息公开申请数量", [0] * 7),
        ("三、本年度办理结果 | （一）予以公开", [3, 1, 0, 0, 0, 0, 4]),
        ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", [1, 0, 0, 0, 0, 0, 1]),
        ("（三）不予公开 | 1.属于国家秘密", [0] * 7), ("2.其他法律行政法规禁止公开", [0] * 7),
        ("3.危及“三安全一稳定”", [0] * 7), ("4.保护第三方合法权益", [0] * 7), ("5.属于三类内部事务信息", [0] * 7),
        ("6.属于四类过程性信息", [0] * 7), ("7.属于行政执法案卷", [0] * 7), ("8.属于行政查询事项", [0] * 7),
        ("（四）无法提供 | 1.本机关不掌握相关政府信息", [1, 0, 0, 0, 0, 0, 1]),
        ("2.没有现成信息需要另行制作", [0] * 7), ("3.补正后申请内容仍不明确", [0] * 7),
        ("（五）不予处理 | 1.信访举报投诉类申请", [0] * 7), ("2.重复申请", [0] * 7), ("3.要求提供公开出版物", [0] * 7),
        ("4.无正当理由大量反复申请", [0] * 7), ("5.要求行政机关确认或重新出具已获取信息", [0] * 7),
        ("（六）其他处理", [0] * 7), ("（七）总计", [5, 1, 0, 0, 0, 0, 6]), ("四、结转下年度继续办理", [0] * 7),
    ]
    t3 = "".join(f"| {label} | {' | '.join(map(str, v))} |\n" for label, v in rows_2019)
    page = ("样例戊区人民政府2023年政府信息公开工作年度报告\n一、总体情况\n概述。\n二、主动公开政府信息情况\n"
            "| 第二十条第（一）项 | |||\n| 信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |\n"
            "| 规章 | 0 | 0 | 0 |\n| 规范性文件 | 2 | 0 | 9 |\n" + T3_2021_HEAD + t3)
    r = _parse(tmp_path, page)
    assert r.template == "mixed" and r.table_formats == {"t2": "2021", "t3": "2019"}
    t3c = _cells(r, "t3")
    assert t3c[("other_total_2019", "total")] == (0, "header")
    assert t3c[("total_processed", "natural_person")] == (5, "header")
    assert not any(row in ("other_no_correction", "other_unpaid_fee", "other_other") for row, _ in t3c)


def test_misprinted_label_in_its_official_place_is_read_and_said(tmp_path):
    # class 5: "2.其他法律行政止公开" (characters lost); a label close to two official ones is not guessed
    body = ("| 1.属于国家秘密 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |\n| 2.其他法律行政止公开 | 2 | 0 | 0 | 0 | 0 | 0 | 2 |\n"
            "| 3.危及“三安全一稳定” | 0 | 0 | 0 | 0 | 0 | 0 | 0 |\n")
    page = ("样例戊区人民政府2023年政府信息公开工作年度报告\n" + T3_2021_HEAD
            + "| 一、本年新收政府信息公开申请数量 | 2 | 0 | 0 | 0 | 0 | 0 | 2 |\n"
            + "| （三）不予公开 | " + body.lstrip("| "))
    r = _parse(tmp_path, page)
    t3c = _cells(r, "t3")
    assert t3c[("withheld_prohibited_by_law", "natural_person")] == (2, "header")
    assert "t3.withheld_prohibited_by_law" in _codes(r)["label_misprint"]
    # the same damaged label out of its official position is not matched
    moved = page.replace("| 2.其他法律行政止公开 | 2 | 0 | 0 | 0 | 0 | 0 | 2 |\n", "").replace(
        "| 3.危及“三安全一稳定” | 0 | 0 | 0 | 0 | 0 | 0 | 0 |\n",
        "| 3.危及“三安全一稳定” | 0 | 0 | 0 | 0 | 0 | 0 | 0 |\n| 2.其他法律行政止公开 | 2 | 0 | 0 | 0 | 0 | 0 | 2 |\n")
    r2 = _parse(tmp_path, moved, "moved.txt")
    assert ("withheld_prohibited_by_law", "natural_person") not in _cells(r2, "t3")


def test_html_row_cells_that_do_not_line_up_with_the_header_grid(tmp_path):
    # class 6: header cells span two grid columns; each row has exactly one cell per header cell
    html = """<html><body><p>样例己县样例局2020年政府信息公开工作年度报告</p><p>二、主动公开政府信息情况</p>
    <table>
    <tr><td colspan="4">第二十条第（一）项</td></tr>
    <tr><td>信息内容</td><td colspan="2">本年新制作数量</td><td>本年新公开数量</td><td>对外公开总数量</td></tr>
    <tr><td>规章</td><td>4</td><td>5</td><td>6</td></tr>
    <tr><td>规范性文件</td><td>7</td><td>8</td><td>12</td></tr>
    <tr><td colspan="4">第二十条第（五）项</td></tr>
    <tr><td>信息内容</td><td>上一年项目数量</td><td>本年增/减</td><td>处理决定数量</td></tr>
    <tr><td colspan="2">行政许可</td><td>10</td><td>-1</td><td>30</td></tr>
    </table><p>三、收到和处理政府信息公开申请情况</p></body></html>"""
    cells = _cells(_parse(tmp_path, html, "r.html"))
    assert cells[("regulations", "new_made")] == (4, "header")
    assert cells[("regulations", "new_published")] == (5, "header")
    assert cells[("normative_documents", "total_published")] == (12, "header")
    assert cells[("licensing", "prev_items")] == (10, "header")
    assert cells[("licensing", "decisions")] == (30, "header")


def test_unlabelled_rows_placed_by_position_only_when_counts_agree(tmp_path):
    # a PDF converter printed some rows' values without their labels (labels elsewhere as loose text)
    rows = [("一、本年新收政府信息公开申请数量", "3 | 0 | 0 | 0 | 0 | 0 | 3"),
            ("二、上年结转政府信息公开申请数量", "0 | 0 | 0 | 0 | 0 | 0 | 0"),
            ("（一）予以公开", "1 | 0 | 0 | 0 | 0 | 0 | 1"), (None, "2 | 0 | 0 | 0 | 0 | 0 | 2"),
            ("1.属于国家秘密", "0 | 0 | 0 | 0 | 0 | 0 | 0")]
    body = "".join(f"| {lab} | {v} |\n" if lab else f"| {v} |\n" for lab, v in rows)
    page = "样例庚市样例局2022年政府信息公开工作年度报告\n" + T3_2021_HEAD + body
    r = _parse(tmp_path, page)
    t3c = _cells(r, "t3")
    assert t3c[("partially_granted", "natural_person")] == (2, "position")
    assert t3c[("partially_granted", "total")] == (2, "position")
    # two value rows where one row belongs: neither is placed
    two = page.replace("| 2 | 0 | 0 | 0 | 0 | 0 | 2 |\n", "| 2 | 0 | 0 | 0 | 0 | 0 | 2 |\n| 1 | 0 | 0 | 0 | 0 | 0 | 1 |\n")
    r2 = _parse(tmp_path, two, "two.txt")
    assert not any(row == "partially_granted" for row, _ in _cells(r2, "t3"))
    assert "t3.granted" in _codes(r2)["ambiguous_row"]


def test_table_3_column_order_from_a_garbled_header_and_from_arithmetic(tmp_path):
    # PDF text scatters 法人或其他组织 into the note above 自然人: that is no reason to read the applicant
    # columns in another order (no sum could tell), so the official order stands
    garbled = ("样例辛县样例局2021年政府信息公开工作年度报告\n三、收到和处理政府信息公开申请情况\n"
               "| 申请人情况（本列数据的勾稽关系为：第一项加第二项法人或其他组织之和，等于第三项加第四项之和） |\n"
               "| 自然人总计 |\n| 商业企科研机社会公法律服 | 其他 |\n"
               "| 一、本年新收政府信息公开申请数量 | 7 | 1 | 0 | 0 | 0 | 2 | 10 |\n"
               "| 二、上年结转政府信息公开申请数量 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |\n")
    t3c = _cells(_parse(tmp_path, garbled), "t3")
    assert t3c[("new_received", "natural_person")] == (7, "official_order")
    assert t3c[("new_received", "other_org")] == (2, "official_order")
    assert t3c[("new_received", "total")] == (10, "official_order")
    # 总计 printed first under a header that cannot be read: T3-columns holds only in that order
    first = garbled.replace("| 7 | 1 | 0 | 0 | 0 | 2 | 10 |", "| 10 | 7 | 1 | 0 | 0 | 0 | 2 |").replace(
        "| 0 | 0 | 0 | 0 | 0 | 0 | 0 |", "| 3 | 3 | 0 | 0 | 0 | 0 | 0 |")
    r = _parse(tmp_path, first, "first.txt")
    t3c = _cells(r, "t3")
    assert t3c[("new_received", "total")] == (10, "arithmetic")
    assert t3c[("new_received", "natural_person")] == (7, "arithmetic")
    assert t3c[("carried_over", "natural_person")] == (3, "arithmetic")
    assert "t3" in _codes(r)["column_order"]
