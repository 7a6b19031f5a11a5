"""Whose a finding is and how sure: a cell we could not read, a deadline no law gives, a year nobody loaded are
ours or unknown — never a failure charged to the agency — while a true failure of the report stays one.

Reports are written by the test (invented agencies, figures from helpers.clean_values); the warehouse is
built from them the way a build does (load → finish), so every rule runs as it does for users."""

from __future__ import annotations

import json
import random
from pathlib import Path

import duckdb
import pandas as pd
from helpers import clean_values

from dashboard import queries as Q
from dashboard.filters import Filters
from etl.checks.categories import ACCUSATION
from etl.model import Cell, Problem, Report, Source
from etl.warehouse import deadlines, load, schema
from etl.warehouse.agencies import Resolver
from etl.warehouse.build import finish


def _report(agency: str, year: int, published: str | None, seed: int = 1, drop_row: str | None = None,
            problems: list[Problem] | None = None, narrative: dict | None = None,
            evidence: dict | None = None) -> Report:
    values = clean_values(random.Random(seed))
    cells = [Cell(t, r, c, v, str(v), "zero" if v == 0 else "number") for (t, r, c), v in values.items()
             if v is not None and not (t == "t2" and r == drop_row)]
    rep = Report(source=Source(f"/reports/{agency}-{year}.txt", f"{agency}{year}{seed}".encode().hex()[:64], "text"),
                 agency=agency, year=year, published_on=published, template="2021",
                 table_formats={"t2": "2021", "t3": "2021", "t4": "2021"}, title=f"{agency}{year}年报",
                 cells=cells, problems=problems or [], narrative=narrative or {},
                 # every chapter printed, with some words in it (an empty problems chapter is a finding of its own)
                 chapters={k: "本章内容按规定格式编写，详见原文。" for k in ("overview", "proactive", "requests",
                                                              "review_litigation", "problems", "other")})
    if evidence is not None:
        rep.narrative_evidence = evidence  # the sentence each prose fact was read from
    return rep


def _warehouse(tmp_path: Path, reports: list[Report], rules: list[deadlines.Rule] | None = None,
               listed: list | None = None) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    schema.create(con)
    load.load_reports(con, reports)
    finish(con, Resolver(), listed or (), deadline_rules=rules)
    return con


def _findings(con: duckdb.DuckDBPyConnection, rule: str) -> pd.DataFrame:
    return con.execute("SELECT f.*, r.agency_name FROM findings f LEFT JOIN reports r USING (report_id) "
                       "WHERE rule = ?", [rule]).df()


# --- 1. our reading gaps are ours ---------------------------------------------------------------------------

def test_cells_we_could_not_read_are_a_reading_gap_not_cells_the_agency_failed_to_print(tmp_path: Path) -> None:
    gap = Problem("ambiguous_split", "t2.normative_documents: glued run '777': more than one reading",
                  "t2.normative_documents")
    con = _warehouse(tmp_path, [
        _report("示例市交通运输局", 2022, "2023-01-10", drop_row="normative_documents", problems=[gap]),
        _report("示例市商务局", 2022, "2023-01-10", seed=2, drop_row="normative_documents"),
    ])
    f = _findings(con, "completeness")
    ours = f[f["agency_name"] == "示例市交通运输局"]
    assert len(ours) == 1
    row = ours.iloc[0]
    assert (row["status"], row["responsibility"]) == ("uncertain", "reading")
    assert row["message"].startswith("3个单元格未能识读（原文数字粘连") and "未印出" not in row["message"]
    assert sorted(json.loads(row["cells"])) == sorted(f"t2.normative_documents.{c}"
                                                      for c in ("issued", "repealed", "in_force"))
    # the same three cells with no reading problem: the table truly lacks them, the report's own failure
    theirs = f[f["agency_name"] == "示例市商务局"].iloc[0]
    assert (theirs["status"], theirs["responsibility"]) == ("fail", "source") and "未印出" in theirs["message"]
    # only the report's own failure is an accusation: counted in the report's figures, not ours
    n_fail = dict(con.execute("SELECT r.agency_name, m.n_fail FROM report_metrics m JOIN reports r USING "
                              "(report_id)").fetchall())
    assert n_fail == {"示例市交通运输局": 0, "示例市商务局": 1}


def test_a_table_finding_resting_on_a_reading_in_doubt_is_ours_and_uncertain(tmp_path: Path) -> None:
    rep = _report("示例市教育局", 2022, "2023-01-10")
    bad = next(c for c in rep.cells if (c.table, c.row, c.col) == ("t3", "granted", "total"))
    bad.value = float(bad.value) + 7  # read wrong: the identities fail …
    rep.problems.append(Problem("unproven", "t3.granted.total: readings disagree", "t3.granted.total"))
    con = _warehouse(tmp_path, [rep])
    ident = con.execute(f"SELECT count(*) FILTER (WHERE {ACCUSATION}), count(*) FILTER (WHERE responsibility = "
                        "'reading' AND status = 'uncertain') FROM findings WHERE rule LIKE 'T3-%'").fetchone()
    assert ident[0] == 0 and ident[1] >= 2  # … and say our reading, not the source, is in doubt
    msg = con.execute("SELECT message FROM findings WHERE rule = 'T3-outcomes'").fetchone()[0]
    assert "本工具识读存疑" in msg


# --- 2. deadlines by the law of the year and the agency's kind ------------------------------------------------

def test_deadline_follows_the_regulation_of_the_report_year_and_the_kind() -> None:
    table = deadlines.rules()
    d = lambda y, kind: deadlines.deadline(table, y, None, kind, None, None)  # noqa: E731
    # 2008 regulation (art. 31): every agency 31 March, whatever its kind — even one we cannot type
    assert (d(2018, "department").month, d(2018, "department").day) == (3, 31)
    assert (d(2015, None).month, d(2015, None).day) == (3, 31)
    # 2019 regulation (art. 49): departments 31 January, governments 31 March; no date for townships
    assert (d(2019, "department").month, d(2019, "department").day) == (1, 31)
    assert (d(2023, "government").month, d(2023, "government").day) == (3, 31)
    assert d(2023, "township") is None and d(2023, None) is None
    assert "第四十九条" in d(2021, "department").basis and "第三十一条" in d(2018, "department").basis


def test_lateness_is_judged_only_where_the_law_gives_a_deadline(tmp_path: Path) -> None:
    con = _warehouse(tmp_path, [
        _report("示例市交通运输局", 2018, "2019-02-20"),           # 2008 regulation: due 3-31, on time
        _report("示例市交通运输局", 2021, "2022-02-10", seed=2),   # department, 2019 regulation: 10 days late
        _report("示例县某某镇人民政府", 2021, "2022-03-20", seed=3),  # township: no national date
        _report("示例市人民政府", 2021, None, seed=4),               # government, date unknown
    ])
    f = _findings(con, "timeliness").set_index("agency_name")
    late = con.execute("SELECT agency_name, r.year, status, message FROM findings JOIN reports r USING (report_id) "
                       "WHERE rule = 'timeliness' AND status = 'fail'").fetchall()
    assert [(a, y) for a, y, _, _ in late] == [("示例市交通运输局", 2021)]
    assert "共 10 天" in late[0][3] and "2019年条例第四十九条" in late[0][3]
    township = f.loc["示例县某某镇人民政府"]
    assert township["status"] == "uncertain" and "无法比较" in township["message"]
    assert f.loc["示例市人民政府"]["status"] == "uncertain"
    assert con.execute("SELECT is_late, deadline FROM reports WHERE agency_name = '示例县某某镇人民政府'"
                       ).fetchone() == (None, None)


def test_on_time_rate_leaves_reports_whose_timeliness_is_unknown_out_of_its_denominator() -> None:
    due = pd.DataFrame({"province": ["甲", "甲", "甲"], "status": ["on_time", "undated", "undated"]})
    row = Q.reporting_by_region(due, "province").set_index("grp").loc["__all__"]
    assert row["on_time_rate"] == 1.0 and row["reported_rate"] == 1.0
    only_undated = Q.reporting_by_region(due[due["status"] == "undated"], "province").set_index("grp")
    assert pd.isna(only_undated.loc["__all__", "on_time_rate"])  # not 0 %: nothing could be judged


# --- 4. coverage without a roster ----------------------------------------------------------------------------

def _sql_run(con: duckdb.DuckDBPyConnection):
    return lambda sql, params: con.execute(sql, list(params)).df()


def test_a_year_not_loaded_without_a_list_is_not_loaded_not_unpublished(tmp_path: Path) -> None:
    con = _warehouse(tmp_path, [_report("示例市商务局", 2019, "2020-01-10"),
                                _report("示例市商务局", 2021, "2022-01-10", seed=2)])
    cov = _findings(con, "coverage")
    assert cov["year"].tolist() == [2020]
    assert (cov.iloc[0]["status"], cov.iloc[0]["responsibility"]) == ("uncertain", "corpus")
    assert "未载入" in cov.iloc[0]["message"]
    run = _sql_run(con)
    f = Filters(lang="zh")
    assert Q.notice_list(run, f, 2020).empty  # no 通报 entry
    assert "missing" not in set(Q.reporting(run, f, 2020)["status"])


def test_with_a_list_a_listed_year_with_no_report_is_missing(tmp_path: Path) -> None:
    from etl.warehouse.expected import parse

    listed = parse("name,from_year,to_year\n示例市商务局,2019,2021\n示例市文化局,2020,2021\n".encode(), "expected.csv")
    con = _warehouse(tmp_path, [_report("示例市商务局", 2019, "2020-01-10"),
                                _report("示例市商务局", 2021, "2022-01-10", seed=2)], listed=listed)
    got = sorted(con.execute("SELECT a.name, f.year, f.status FROM findings f JOIN agencies a USING (agency_id) "
                             "WHERE f.rule = 'coverage'").fetchall())
    assert got == [("示例市商务局", 2020, "fail"), ("示例市文化局", 2020, "fail"), ("示例市文化局", 2021, "fail")]
    n = Q.notice_list(_sql_run(con), Filters(lang="zh"), 2020)
    assert sorted(n["agency"]) == ["示例市商务局", "示例市文化局"]


# --- 5. the prose fact keeps its sentence; an approximate one is not held against the table -----------------

def test_text_vs_table_quotes_the_sentence_and_leaves_approximate_figures_alone(tmp_path: Path) -> None:
    a = _report("示例市民政局", 2022, "2023-01-10", narrative={"requests_received": 9999},
                evidence={"requests_received": {"sentence": "全年共收到政府信息公开申请9999件", "approx": False}})
    b = _report("示例市水利局", 2022, "2023-01-10", seed=2, narrative={"requests_received": 9999},
                evidence={"requests_received": {"sentence": "全年收到申请9999余件", "approx": True}})
    con = _warehouse(tmp_path, [a, b])
    f = _findings(con, "text-vs-table")
    assert f["agency_name"].tolist() == ["示例市民政局"]
    assert "原文：“全年共收到政府信息公开申请9999件”" in f.iloc[0]["message"]


def test_no_finding_of_ours_is_ever_a_failure(tmp_path: Path) -> None:
    gap = Problem("ambiguous_split", "glued", "t2.regulations")
    con = _warehouse(tmp_path, [_report("示例市交通运输局", 2019, "2020-01-10", drop_row="regulations",
                                        problems=[gap]),
                                _report("示例市交通运输局", 2022, "2023-02-20", seed=2)])
    assert con.execute("SELECT count(*) FROM findings WHERE status = 'fail' AND responsibility <> 'source'"
                       ).fetchone()[0] == 0
    assert set(con.execute("SELECT DISTINCT responsibility FROM findings").df()["responsibility"]) \
        >= {"reading", "corpus", "source"}


def test_prose_is_not_compared_with_a_table_the_report_does_not_print(tmp_path: Path) -> None:
    old = Report(source=Source("/reports/old.txt", "ab" * 32, "text"), agency="示例市人民政府", year=2017,
                 published_on="2018-03-01", template="legacy", narrative={"requests_received": 0, "review_total": 0},
                 narrative_evidence={"requests_received": {"sentence": "全年未收到政府信息公开申请", "approx": False}})
    con = _warehouse(tmp_path, [old])
    assert con.execute("SELECT count(*) FROM findings WHERE rule = 'text-vs-table'").fetchone()[0] == 0


def test_cells_a_scan_lacks_are_ours_to_check_not_unprinted(tmp_path: Path) -> None:
    scan = _report("示例市卫生健康委员会", 2022, "2023-01-10", drop_row="licensing")
    scan.source.read = "ocr"
    for c in scan.cells:
        c.read, c.conf = "ocr", 0.97
    con = _warehouse(tmp_path, [scan])
    row = con.execute("SELECT status, responsibility, message FROM findings WHERE rule = 'completeness'").fetchone()
    assert row[:2] == ("uncertain", "reading") and "扫描件中未识别出" in row[2]


def test_the_parser_says_cells_it_could_not_read_were_printed_not_cut_off() -> None:
    from etl.extract import _missing

    rep = _report("示例市交通运输局", 2022, "2023-01-10", drop_row="normative_documents",
                  problems=[Problem("ambiguous_split", "glued", "t2.normative_documents")])
    _missing(rep, [])
    note = next(p.message for p in rep.problems if p.code == "incomplete_table")
    assert "printed but not read" in note and "truncated" not in note


def test_a_local_deadline_table_takes_chinese_words_and_names_a_bad_line(tmp_path: Path) -> None:
    import pytest

    from etl.warehouse.reference import ReferenceDataError

    p = tmp_path / "deadlines.csv"
    p.write_text("# 示例省的规定\nfrom_year,to_year,level,kind,province,city,month,day,basis\n"
                 "2019,,乡镇,乡镇政府,示例省,,2,28,示例省规定\n", encoding="utf-8")
    (rule,) = deadlines.read(p)
    assert (rule.level, rule.kind, rule.month, rule.day) == ("township", "township", 2, 28)
    p.write_text(p.read_text(encoding="utf-8") + "2019,,,部门,示例省,,2,30,x\n", encoding="utf-8")
    with pytest.raises(ReferenceDataError, match="line 4"):
        deadlines.read(p)
