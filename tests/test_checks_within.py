"""Within-report and oversight rules, on a warehouse built from reports the test writes: each report breaks
one thing (or nothing), and the findings must name that rule and those cells, and nothing else fails."""

from __future__ import annotations

import json
import random
from pathlib import Path

import duckdb
import pytest
from helpers import clean_values, render_report, write

from etl import formats as F
from etl.warehouse.build import build

YEAR = 2022
PUBLISHED = "01-20"  # of the following year: before a department's 31 January deadline


def _broken(rng: random.Random) -> dict[str, dict]:
    """name -> {values, kwargs} for one report each; every agency is distinct (no cross-year pairs)."""
    cases: dict[str, dict] = {}

    def case(name: str, fmt: str = "2021", edit=None, **kw) -> None:
        v = clean_values(rng, fmt)
        if edit:
            edit(v)
        cases[name] = {"values": v, "fmt": fmt, **kw}

    case("clean2021")
    case("clean2019", fmt="2019", year=2020)
    case("balance", edit=lambda v: (v.__setitem__(("t3", "carried_forward", "natural_person"),
                                                   v["t3", "carried_forward", "natural_person"] + 2)))
    case("outcomes", edit=lambda v: v.__setitem__(("t3", "granted", "total"), v["t3", "granted", "total"] + 5))
    case("t4", edit=lambda v: v.__setitem__(("t4", "review", "total"), v["t4", "review", "total"] + 1))
    case("negative", edit=lambda v: v.__setitem__(("t2", "licensing", "decisions"), -3))
    case("stock", edit=lambda v: v.__setitem__(("t2", "regulations", "issued"),
                                               v["t2", "regulations", "in_force"] + v["t2", "regulations", "repealed"] + 4))
    case("blank", edit=lambda v: v.__setitem__(("t3", "granted", "research"), None))
    case("slash", edit=lambda v: v.__setitem__(("t4", "litigation_direct", "pending"), "/"))
    case("format", fmt="2019", year=2022)
    case("late", published="2023-03-15")
    case("undated", published=None)
    case("nochapter", drop_chapter="problems")
    case("text_ok", narrative_of=lambda v: f"本年度共收到政府信息公开申请{int(v['t3', 'new_received', 'total'] + v['t3', 'carried_over', 'total'])}件。")
    case("text_bad", narrative_of=lambda v: f"本年度共收到政府信息公开申请{int(v['t3', 'new_received', 'total']) + 40}件。")
    return cases


@pytest.fixture(scope="module")
def wh(tmp_path_factory: pytest.TempPathFactory) -> tuple[duckdb.DuckDBPyConnection, dict[str, dict]]:
    tmp = tmp_path_factory.mktemp("within")
    cases = _broken(random.Random(11))
    names = {}
    for i, (name, c) in enumerate(cases.items()):
        agency = f"样例市样例{'甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未'[i]}局"
        narrative = c["narrative_of"](c["values"]) if "narrative_of" in c else ""
        text = render_report(agency, c.get("year", YEAR), c["values"], c["fmt"], c["fmt"], narrative=narrative,
                      published=c.get("published", f"{c.get('year', YEAR) + 1}-{PUBLISHED}"), drop_chapter=c.get("drop_chapter"))
        write(tmp / "src", f"{name}.txt", text)
        names[name] = str(tmp / "src" / f"{name}.txt")
    db = tmp / "wh.duckdb"
    build([tmp / "src"], db, jobs=1, progress=False)
    con = duckdb.connect(str(db), read_only=True)
    yield con, names
    con.close()


def findings(wh, name: str) -> list[dict]:
    con, names = wh
    rows = con.execute("""SELECT f.rule, f.status, f.severity, f.cells, f.expected, f.actual, f.message,
                                 f.message_en
                          FROM findings f JOIN reports r USING (report_id) WHERE r.source_path = ?""",
                       [str(Path(names[name]).resolve())]).fetchall()
    return [{"rule": r[0], "status": r[1], "severity": r[2], "cells": json.loads(r[3]), "expected": r[4],
             "actual": r[5], "message": r[6], "message_en": r[7]} for r in rows]


def values_of(name: str) -> dict:
    """The figures the fixture wrote for one case (the cases are generated deterministically)."""
    return _broken(random.Random(11))[name]["values"]


def row(tbl: str, key: str) -> str:
    return F.label(tbl, "row", key)


def col(tbl: str, key: str) -> str:
    return F.label(tbl, "col", key)


def fails(wh, name: str) -> set[str]:
    return {f["rule"] for f in findings(wh, name) if f["status"] == "fail"}


def test_every_report_loaded(wh) -> None:
    con, names = wh
    assert con.execute("SELECT count(*) FROM reports").fetchone()[0] == len(names)
    assert con.execute("SELECT count(*) FROM ingest_errors").fetchone()[0] == 0


@pytest.mark.parametrize("name", ["clean2021", "clean2019", "text_ok"])
def test_clean_reports_have_no_finding(wh, name: str) -> None:
    assert findings(wh, name) == []


def test_t3_balance_names_the_column(wh) -> None:
    f = [x for x in findings(wh, "balance") if x["rule"] == "T3-balance"]
    assert len(f) == 1 and f[0]["status"] == "fail" and f[0]["severity"] == "error"
    assert "t3.carried_forward.natural_person" in f[0]["cells"]
    assert f[0]["expected"] + 2 == f[0]["actual"]  # parts (new + carried over) vs printed (+2)
    # the row total no longer adds up either; nothing else fails
    assert fails(wh, "balance") == {"T3-balance", "T3-columns"}


def test_t3_balance_message_in_chinese_names_printed_labels(wh) -> None:
    f = next(x for x in findings(wh, "balance") if x["rule"] == "T3-balance")
    v = values_of("balance")
    parts = v["t3", "new_received", "natural_person"] + v["t3", "carried_over", "natural_person"]
    printed = v["t3", "total_processed", "natural_person"] + v["t3", "carried_forward", "natural_person"]
    assert (f["expected"], f["actual"]) == (parts, printed)
    assert f["message"] == (
        f"表三「{col('t3', 'natural_person')}」列：「{row('t3', 'total_processed')}」+「{row('t3', 'carried_forward')}」"
        f"应为 {int(parts)}（「{row('t3', 'new_received')}」+「{row('t3', 'carried_over')}」），实为 {int(printed)}")
    # English names the cells by the form's English labels, never by keys
    assert f["message_en"].startswith(f'Table 3 column "{F.label("t3", "col", "natural_person", "en")}": '
                                      f'"{F.label("t3", "row", "total_processed", "en")}" + ')


def test_t3_outcomes_and_columns(wh) -> None:
    f = {x["rule"]: x for x in findings(wh, "outcomes") if x["status"] == "fail"}
    assert set(f) == {"T3-outcomes", "T3-columns"}
    assert "t3.granted.total" in f["T3-outcomes"]["cells"]
    assert f["T3-outcomes"]["expected"] == f["T3-outcomes"]["actual"] + 5
    assert f["T3-columns"]["cells"][-1] == "t3.granted.total"
    o = f["T3-outcomes"]
    rows = F.T3_OUTCOME_ROWS_2021
    last = f"{F.T3_GROUPS['other'][0]}·{row('t3', rows[-1])}"  # "3.其他" named with its group heading
    assert o["message"] == (f"表三「{col('t3', 'total')}」列：「{row('t3', 'total_processed')}」应为 {int(o['expected'])}"
                            f"（「{row('t3', rows[0])}」至「{last}」共{len(rows)}行之和），实为 {int(o['actual'])}")


def test_t4_sums(wh) -> None:
    f = [x for x in findings(wh, "t4") if x["status"] == "fail"]
    assert [x["rule"] for x in f] == ["T4-sums"]
    assert "t4.review.total" in f[0]["cells"] and f[0]["actual"] == f[0]["expected"] + 1


def test_non_negative(wh) -> None:
    f = [x for x in findings(wh, "negative") if x["status"] == "fail"]
    assert [(x["rule"], x["cells"], x["actual"]) for x in f] == [("non-negative", ["t2.licensing.decisions"], -3)]
    assert f[0]["message"] == (f"表二「{row('t2', 'licensing')}」{col('t2', 'decisions')}列为 -3（原文“-3”）："
                               "数量不能为负数")


def test_t2_stock(wh) -> None:
    f = [x for x in findings(wh, "stock") if x["status"] == "fail"]
    assert [x["rule"] for x in f] == ["T2-stock"]
    assert f[0]["cells"] == ["t2.regulations.issued", "t2.regulations.in_force", "t2.regulations.repealed"]
    assert f[0]["expected"] == f[0]["actual"] + 4


def test_blank_cell_is_uncertain_never_fail_or_zero(wh) -> None:
    f = findings(wh, "blank")
    assert fails(wh, "blank") == set()
    unc = {x["rule"] for x in f if x["status"] == "uncertain"}
    # the blank sits in the granted row: its column sum and row sum cannot be checked
    assert {"T3-outcomes", "T3-columns", "completeness"} <= unc
    comp = [x for x in f if x["rule"] == "completeness"]
    assert comp[0]["cells"] == ["t3.granted.research"]
    assert comp[0]["message"] == f"1个单元格空白：表三「{row('t3', 'granted')}」{col('t3', 'research')}列"
    con, names = wh
    v = con.execute("""SELECT value, cells.kind FROM cells JOIN reports USING (report_id) WHERE source_path = ?
                       AND tbl = 't3' AND row_key = 'granted' AND col_key = 'research'""",
                    [str(Path(names["blank"]).resolve())]).fetchone()
    assert v == (None, "empty")


def test_slash_cell_is_uncertain(wh) -> None:
    assert fails(wh, "slash") == set()
    f = [x for x in findings(wh, "slash") if x["rule"] == "T4-sums"]
    assert f[0]["status"] == "uncertain" and (
        f'Table 4 "{F.label("t4", "row", "litigation_direct", "en")}" × "{F.label("t4", "col", "pending", "en")}" '
        'printed "/" or "-"') in f[0]["message_en"]
    assert f[0]["message"] == (f"表四「{row('t4', 'litigation_direct')}」行无法核对："
                               f"表四「{row('t4', 'litigation_direct')}」{col('t4', 'pending')}列填“/”或“-”")


def test_format_vs_year(wh) -> None:
    assert fails(wh, "format") == {"format-vs-year"}
    f = findings(wh, "format")[0]
    assert "2021" in f["message_en"]
    assert f["message"] == f"2022年度报告应使用{F.TEMPLATE_LABELS['2021'][0]}，实为{F.TEMPLATE_LABELS['2019'][0]}"


def test_timeliness(wh) -> None:
    late = [x for x in findings(wh, "late") if x["rule"] == "timeliness"]
    assert late[0]["status"] == "fail" and late[0]["actual"] == 43  # 31 Jan → 15 Mar 2023
    assert late[0]["message"] == "2023-03-15 发布，晚于截止日期 2023-01-31（2019年条例第四十九条）共 43 天"
    assert late[0]["message_en"] == ("published 2023-03-15, 43 day(s) after the deadline 2023-01-31 "
                                     "(2019年条例第四十九条)")
    undated = [x for x in findings(wh, "undated") if x["rule"] == "timeliness"]
    assert undated[0]["status"] == "uncertain"
    assert undated[0]["message"] == "发布日期不明（截止日期 2023-01-31，2019年条例第四十九条）"


def test_missing_chapter(wh) -> None:
    f = [x for x in findings(wh, "nochapter") if x["status"] == "fail"]
    assert [(x["rule"], x["cells"]) for x in f] == [("completeness", ["chapter:problems"])]
    assert f[0]["message"] == f"未找到章节：「{dict((k, zh) for k, zh, _ in F.CHAPTERS)['problems']}」"


def test_text_vs_table(wh) -> None:
    f = [x for x in findings(wh, "text_bad") if x["status"] == "fail"]
    assert [x["rule"] for x in f] == ["text-vs-table"]
    assert f[0]["expected"] == f[0]["actual"] + 40


def test_metrics_mart_keeps_unknown_figures_null(wh) -> None:
    con, names = wh
    row = con.execute("""SELECT litigation_pending, all_pending, litigation_total, review_pending
                         FROM report_metrics m JOIN reports r USING (report_id) WHERE r.source_path = ?""",
                      [str(Path(names["slash"]).resolve())]).fetchone()
    assert row[0] is None and row[1] is None  # "/" is unknown, never 0
    assert row[2] is not None and row[3] is not None
    n = con.execute("SELECT count(*) FROM report_metrics").fetchone()[0]
    assert n == len(names)  # one agency per report: every report is active
