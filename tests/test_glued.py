"""Glued tables (every cell run into the next, as web-crawler copies save some pages): etl.extract.glued.

Fixtures are written here with invented figures; the real crawler copies in ../shared/samples are only
read, by the last test.
"""

from __future__ import annotations

import json

import pytest

from etl import formats as F
from etl.extract.glued import extract_glued, is_glued

HEAD3 = ("三、收到和处理政府信息公开申请情况（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
         "申请人情况自然人法人或其他组织总计 商业企业科研机构社会公益组织法律服务机构其他")
HEAD4 = ("四、政府信息公开行政复议、行政诉讼情况 行政复议行政诉讼结果维持结果纠正其他结果尚未审结总计"
         "未经复议直接起诉复议后起诉结果维持结果纠正其他结果尚未审结总计结果维持结果纠正其他结果尚未审结总计")
T2_2021 = ("二、主动公开政府信息情况 第二十条第（一）项信息内容本年制发件数本年废止件数现行有效件数规章 000"
           "行政规范性文件584062第二十条第（五）项信息内容本年处理决定数量行政许可1375 第二十条第（六）项信息内容 "
           "本年处理决定数量行政处罚406行政强制7第二十条第（八）项信息内容 本年收费金额（单位：万元）行政事业性收费318.25")


def t3_2021(new="382010344", granted="151010219", third_party="0000000", needs_creation="0000000",
            total="342010340") -> str:
    """A 2021 table 3 glued the crawler's way. Defaults: a consistent table with a single reading."""
    return (
        HEAD3 + f"一、本年新收政府信息公开申请数量{new}二、上年结转政府信息公开申请数量2000002"
        f"三、本年度办理结果（一）予以公开{granted}（二）部分公开（区分处理的，只计这一情形，不计其他情形）300000 3"
        "（三）不予公开1.属于国家秘密00000002.其他法律行政法规禁止公开00000003.危及“三安全一稳定”1000001"
        f"4.保护第三方合法权益{third_party}5.属于三类内部事务信息00000006.属于四类过程性信息2000002"
        "7.属于行政执法案卷00000008.属于行政查询事项0000000（四）无法提供1.本机关不掌握相关政府信息91000111"
        f"2.没有现成信息需要另行制作{needs_creation}3.补正后申请内容仍不明确1000001（五）不予处理1.信访举报投诉类申请2000002"
        "2.重复申请00000003.要求提供公开出版物00000004.无正当理由大量反复申请0000000"
        "5.要求行政机关确认或重新出具已获取信息0000000（六）其他处理"
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请1000001"
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请00000003.其他0000000"
        f"（七）总计{total}四、结转下年度继续办理6000006 "
    )


REPORT_2021 = (
    "标题: 样例县样例局2022年政府信息公开工作年度报告 一、总体情况 本年度主动公开政府信息216条，"
    "因政府信息公开申请被申请行政复议3件。" + T2_2021 + t3_2021() + HEAD4 + "21003120011300000"
    + "五、存在的主要问题及改进情况 一是公开内容还不够全面。"
)

T3_2019 = (
    HEAD3 + "一、本年新收政府信息公开申请数量12 0 1 0 0 013二、上年结转政府信息公开申请数量1000001"
    "三、本年度办理结果（一）予以公开6010007（二）部分公开（区分处理的，只计这一情形，不计其他情形）0000000"
    "（三）不予公开1.属于国家秘密00000002.其他法律行政法规禁止公开00000003.危及“三安全一稳定”0000000"
    "4.保护第三方合法权益00000005.属于三类内部事务信息00000006.属于四类过程性信息1000001"
    "7.属于行政执法案卷00000008.属于行政查询事项0000000三、本年度办理结果（四）无法提供"
    "1.本机关不掌握相关政府信息30000032.没有现成信息需要另行制作00000003.补正后申请内容仍不明确0000000"
    "（五）不予处理1.信访举报投诉类申请00000002.重复申请10000013.要求提供公开出版物0000000"
    "4.无正当理由大量反复申请00000005.要求行政机关确认或重新出具已获取信息0000000"
    "（六）其他处理1 0 0 0 0 01（七）总计12 0 1 0 0 0 13四、结转下年度继续办理 1 0 0 0 00 1 "
)


def rows(res, table: str = "t3") -> dict[str, list]:
    """Placed values by row, in column order."""
    out: dict[str, list] = {}
    for c in res.cells:
        if c.table == table:
            out.setdefault(c.row, []).append(c.value)
    return out


def problem(res, where: str):
    return next((p for p in res.problems if p.where == where), None)


# --- table 3 -----------------------------------------------------------------------------------------


def test_full_2021_table3_unique_reading():
    res = extract_glued(REPORT_2021)
    t3 = rows(res)
    assert set(t3) == set(F.T3_ROWS_2021)  # every row placed
    assert t3["new_received"] == [38, 2, 0, 1, 0, 3, 44]
    assert t3["carried_over"] == [2, 0, 0, 0, 0, 0, 2]
    # "151010219" has three row-consistent readings; only 15/1/0/1/0/2/19 fits the column identities
    assert t3["granted"] == [15, 1, 0, 1, 0, 2, 19]
    assert t3["unavailable_not_held"] == [9, 1, 0, 0, 0, 1, 11]
    assert t3["other_no_correction"] == [1, 0, 0, 0, 0, 0, 1]
    assert t3["other_other"] == [0] * 7
    assert t3["total_processed"] == [34, 2, 0, 1, 0, 3, 40]
    assert t3["carried_forward"] == [6, 0, 0, 0, 0, 0, 6]
    assert res.formats["t3"] == {"2021"}
    assert res.tables == {"t2", "t3", "t4"}
    assert not [p for p in res.problems if p.where and p.where.startswith("t3")]
    granted = [c for c in res.cells if c.row == "granted"]
    assert [c.col for c in granted] == list(F.T3_COL_KEYS)
    assert {c.placed for c in granted} == {"arithmetic"}
    assert (granted[0].raw, granted[0].kind, granted[2].raw, granted[2].kind) == ("15", "number", "0", "zero")
    assert is_glued(REPORT_2021)


def test_row_with_two_readings_is_left_out_rest_placed():
    # These two rows can trade readings (0/0/0/1/0/10/11 + 0/0/0/10/1/1/12 = 0/0/0/10/1/0/11 + 0/0/0/1/0/11/12),
    # so every identity holds either way: both are left out, everything else is placed.
    res = extract_glued(t3_2021(new="38201211467", third_party="000101011", needs_creation="000101112",
                                total="34201211463"))
    t3 = rows(res)
    assert "withheld_third_party" not in t3 and "unavailable_needs_creation" not in t3
    assert len(t3) == len(F.T3_ROWS_2021) - 2
    assert t3["new_received"] == [38, 2, 0, 12, 1, 14, 67]  # three readings of its own; the sums pick one
    assert t3["total_processed"] == [34, 2, 0, 12, 1, 14, 63]
    assert t3["granted"] == [15, 1, 0, 1, 0, 2, 19]
    p = problem(res, "t3.withheld_third_party")
    assert p is not None and p.code == "ambiguous_split"
    assert "保护第三方合法权益" in p.message
    assert "0/0/0/1/0/10/11" in p.message and "0/0/0/10/1/0/11" in p.message
    assert problem(res, "t3.unavailable_needs_creation").code == "ambiguous_split"


def test_inconsistent_table_falls_back_to_rows_unique_on_their_own():
    # 予以公开 misprinted as 16 … 20: no combination satisfies T3-outcomes, so only rows whose run has a single
    # reading under their own sum are placed; the misprinted row has three and is left out.
    res = extract_glued(t3_2021(granted="161010220"))
    t3 = rows(res)
    assert "granted" not in t3
    assert len(t3) == len(F.T3_ROWS_2021) - 1
    assert t3["new_received"] == [38, 2, 0, 1, 0, 3, 44]
    assert t3["total_processed"] == [34, 2, 0, 1, 0, 3, 40]
    assert t3["withheld_process_info"] == [2, 0, 0, 0, 0, 0, 2]
    assert problem(res, "t3").code == "glued_inconsistent"
    p = problem(res, "t3.granted")
    assert p.code == "ambiguous_split" and "1/6/1/0/10/2/20" in p.message


def test_glued_next_label_ordinal_is_not_a_cell():
    res = extract_glued(REPORT_2021)
    t3 = rows(res)
    # "…国家秘密00000002.其他法律…": the 2 is the next label's ordinal
    assert t3["withheld_state_secret"] == [0] * 7
    assert t3["withheld_prohibited_by_law"] == [0] * 7
    # "…属于四类过程性信息20000027.属于行政执法案卷…" and "…仍不明确1000001（五）…"
    assert t3["withheld_process_info"] == [2, 0, 0, 0, 0, 0, 2]
    assert t3["unavailable_unclear"] == [1, 0, 0, 0, 0, 0, 1]
    # "…91000111" then "2.没有现成…": not 9/1/0/0/0/1/112
    assert t3["unavailable_not_held"] == [9, 1, 0, 0, 0, 1, 11]
    # a sub-row whose label is misprinted still loses its ordinal when another row label follows shortly
    text = REPORT_2021.replace("其他法律行政法规禁止公开", "其他法律行政止公开")
    assert rows(extract_glued(text))["withheld_state_secret"] == [0] * 7


def test_spaces_inside_runs_are_cell_boundaries():
    res = extract_glued(T3_2019)
    t3 = rows(res)
    # "300000 3"-style runs: a space always separates two cells, glued digits may be one or several
    assert t3["new_received"] == [12, 0, 1, 0, 0, 0, 13]  # "12 0 1 0 0 013"
    assert t3["carried_forward"] == [1, 0, 0, 0, 0, 0, 1]  # " 1 0 0 0 00 1"
    total = [c for c in res.cells if c.row == "total_processed"]
    assert [c.value for c in total] == [12, 0, 1, 0, 0, 0, 13]
    assert {c.placed for c in total} == {"header"}  # the spaces alone gave its seven cells
    assert rows(extract_glued(REPORT_2021))["partially_granted"] == [3, 0, 0, 0, 0, 0, 3]  # "300000 3"
    # "000101011" alone reads two ways; a space after "0001" leaves one
    assert "withheld_third_party" in rows(extract_glued(t3_2021(
        new="38201211467", third_party="0001 01011", needs_creation="000101112", total="34201211463")))


def test_2019_table3_with_single_other_row():
    res = extract_glued(T3_2019)
    t3 = rows(res)
    assert res.formats["t3"] == {"2019"}
    assert set(t3) == set(F.T3_ROWS_2019)
    assert t3["other_total_2019"] == [1, 0, 0, 0, 0, 0, 1]  # "（六）其他处理1 0 0 0 0 01"
    assert t3["unavailable_not_held"] == [3, 0, 0, 0, 0, 0, 3]  # after a repeated 三、本年度办理结果 heading
    assert t3["granted"] == [6, 0, 1, 0, 0, 0, 7]
    assert not set(F.OTHER_ROWS_2021) & set(t3)
    assert not res.problems


def test_a_run_that_would_explode_is_given_up_cleanly(monkeypatch):
    from etl.extract.glued import split

    text = t3_2021(granted="1" * 90)
    steps = [0]
    cut = split._cut  # the enumerator's recursive step, counted through the module's own name
    monkeypatch.setattr(split, "_cut", lambda *a, **k: steps.__setitem__(0, steps[0] + 1) or cut(*a, **k))
    res = extract_glued(text)
    # 90 ones cut into 7 cells could be enumerated about 6 × 10⁸ ways: the search stops far short of that
    assert 0 < steps[0] <= 10 * split._SPLIT_NODES_CAP, steps[0]
    assert "granted" not in rows(res)
    assert problem(res, "t3.granted").code == "ambiguous_split"
    assert rows(res)["new_received"] == [38, 2, 0, 1, 0, 3, 44]


# --- table 4 -----------------------------------------------------------------------------------------


def test_table4_fifteen_value_run():
    res = extract_glued(REPORT_2021)
    t4 = rows(res, "t4")
    assert t4 == {"review": [2, 1, 0, 0, 3], "litigation_direct": [12, 0, 0, 1, 13],
                  "litigation_after_review": [0, 0, 0, 0, 0]}
    assert {c.placed for c in res.cells if c.table == "t4"} == {"arithmetic"}
    assert [c.col for c in res.cells if c.row == "review"] == list(F.T4_COL_KEYS)


def test_table4_block_with_two_readings_is_left_out():
    # direct: 1/0/0/10/11 or 10/0/1/0/11 — both blocks sum; the other blocks agree in every reading
    res = extract_glued(HEAD4 + "21003100101100011五、存在的主要问题")
    t4 = rows(res, "t4")
    assert t4 == {"review": [2, 1, 0, 0, 3], "litigation_after_review": [0, 0, 0, 1, 1]}
    p = problem(res, "t4.litigation_direct")
    assert p.code == "ambiguous_split" and "1/0/0/10/11" in p.message and "10/0/1/0/11" in p.message


def test_table4_inconsistent_run_falls_back_to_unique_split():
    # 15 single digits: one split only, although the last block does not add up (0+0+0+0 ≠ 1)
    res = extract_glued(HEAD4 + "100011000100001五、存在的主要问题")
    assert rows(res, "t4")["litigation_after_review"] == [0, 0, 0, 0, 1]
    assert rows(res, "t4")["review"] == [1, 0, 0, 0, 1]
    assert problem(res, "t4").code == "glued_inconsistent"


# --- table 2 -----------------------------------------------------------------------------------------


def test_table2_rows():
    res = extract_glued(T2_2021)
    t2 = {(c.row, c.col): c for c in res.cells}
    assert res.formats["t2"] == {"2021"}
    # single-column rows take the whole run
    assert (t2["licensing", "decisions"].value, t2["licensing", "decisions"].placed) == (1375, "header")
    assert t2["punishment", "decisions"].value == 406
    assert t2["coercion", "decisions"].value == 7
    fee = t2["admin_fees", "amount_10k_yuan"]
    assert (fee.value, fee.raw, fee.kind, fee.placed) == (318.25, "318.25", "number", "header")
    # "000": the only split into three numbers without leading zeros
    assert [t2["regulations", c].value for c in ("issued", "repealed", "in_force")] == [0, 0, 0]
    assert t2["regulations", "issued"].placed == "arithmetic"
    assert t2["regulations", "issued"].kind == "zero"
    # "584062" splits many ways and table 2 has no sum to choose by (issued ≤ in_force + repealed is soft)
    assert not [k for k in t2 if k[0] == "normative_documents"]
    p = problem(res, "t2.normative_documents")
    assert p.code == "ambiguous_split" and "5/8/4062" in p.message
    assert not [p for p in res.problems if p.where != "t2.normative_documents"]


def test_table2_2019_signed_change_and_amount_with_unit():
    text = ("二、主动公开政府信息情况第二十条第（一）项信息内容本年新制作数量本年新公开数量对外公开总数量规章000"
            "规范性文件3 3 40第二十条第（五）项信息内容上一年项目数量本年增/减处理决定数量行政许可54+3 260"
            "第二十条第（九）项信息内容采购项目数量采购总金额政府集中采购0 0元三、收到和处理政府信息公开申请情况")
    res = extract_glued(text)
    t2 = {(c.row, c.col): c.value for c in res.cells}
    assert res.formats["t2"] == {"2019"}
    assert [t2["normative_documents", c] for c in ("new_made", "new_published", "total_published")] == [3, 3, 40]
    assert [t2["licensing", c] for c in ("prev_items", "change", "decisions")] == [54, 3, 260]
    assert (t2["procurement", "projects"], t2["procurement", "amount_yuan"]) == (0, 0)


# --- detection ---------------------------------------------------------------------------------------


def test_is_glued_only_for_glued_renderings():
    assert is_glued(t3_2021())
    assert is_glued(T2_2021 + HEAD4 + "21003120011300000")
    per_line = "\n".join(["一、本年新收政府信息公开申请数量", "5", "0", "0", "0", "0", "0", "5",
                          "二、上年结转政府信息公开申请数量", "0", "0", "0", "0", "0", "0", "0",
                          "（一）予以公开", "3", "0", "0", "0", "0", "0", "3"])
    assert not is_glued(per_line)
    assert not is_glued("一、本年新收政府信息公开申请数量 5 0 0 0 0 0 5")
    assert not is_glued("本年度共收到政府信息公开申请12件，办结11件，行政复议1件，行政诉讼0件。")


# --- the real crawler copies (read, never copied) ----------------------------------------------------


@pytest.mark.parametrize("stem", ["fujian-pingtan-2019", "fujian-pingtan-2021"])
def test_real_crawler_copies(shared_samples, stem):
    reports = shared_samples / "reports"
    text = (reports / f"{stem}.txt").read_text(encoding="utf-8")
    exp = json.loads((reports / f"{stem}.expected.json").read_text(encoding="utf-8"))
    want = {("t2", r, c): v for r, cols in exp.get("t2", {}).items() for c, v in cols.items()}
    want |= {("t3", r, c): v for r, vals in exp["t3"].items() for c, v in zip(exp["t3_cols"], vals, strict=True)}
    want |= {("t4", r, c): v for r, vals in exp["t4"].items() for c, v in zip(exp["t4_cols"], vals, strict=True)}
    assert is_glued(text)
    res = extract_glued(text)
    got = {(c.table, c.row, c.col): c.value for c in res.cells}
    assert {k: v for k, v in got.items() if k not in want or v != pytest.approx(want[k])} == {}  # nothing wrong
    assert [k for k in want if k not in got] == []  # nothing a person reads is left out
    assert res.formats["t3"] == {exp["template"]}


@pytest.mark.parametrize("broken", [False, True])
def test_parse_file_reads_glued_pages_on_one_line_or_broken_over_lines(tmp_path, broken):
    """End to end (reader, walker, glued reader): the crawler's one-line page, and the same page with a
    line break before each row label (as other crawlers save it)."""
    import re

    from etl.parse import parse_file

    text = REPORT_2021
    if broken:
        text = re.sub(r"(?=(?:[一二三四]、|（[一二三四五六七]）|\d\.)[\u4e00-\u9fff])", "\n", text)
    p = tmp_path / "crawled.txt"
    p.write_text(text, encoding="utf-8")
    r = parse_file(p)
    got = {(c.table, c.row): [] for c in r.cells}
    for c in r.cells:
        got[(c.table, c.row)].append(c.value)
    assert got[("t3", "granted")] == [15, 1, 0, 1, 0, 2, 19]
    assert got[("t3", "total_processed")] == [34, 2, 0, 1, 0, 3, 40]
    assert got[("t2", "licensing")] == [1375]
    assert ("t2", "normative_documents") not in got  # "584062": more than one reading
    assert any(p.code == "ambiguous_split" and p.where == "t2.normative_documents" for p in r.problems)
    assert r.template == "2021" and r.year == 2022
    assert {c.placed for c in r.cells if c.table == "t3"} == {"arithmetic"}


def test_glued_page_chapters_are_cut_at_their_headings(tmp_path):
    from etl.parse import parse_file

    p = tmp_path / "crawled.txt"
    p.write_text(REPORT_2021, encoding="utf-8")
    r = parse_file(p)
    assert r.chapters["overview"].startswith("一、总体情况")
    assert r.chapters["problems"].startswith("五、存在的主要问题及改进情况")
    # the row 四、结转下年度继续办理 is no chapter heading: chapter 4 starts at its own heading
    assert r.chapters["review_litigation"].startswith("四、政府信息公开行政复议")
    assert not [m for m in r.missing if m.startswith("chapter:") and m != "chapter:other"]
    assert r.narrative["proactive_items"] == 216
