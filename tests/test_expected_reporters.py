"""The expected-reporters list (应报名单, etl/warehouse/expected.py): read strictly, it decides which years a listed
agency owes (even one that never published), the 应报/已报 figures count listed agencies only in their years,
agencies not on it keep the default rule, and a bad list stops the build with the old warehouse intact."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import duckdb
import pytest
from helpers import clean_values, render_report, write

from etl.warehouse import expected
from etl.warehouse.build import build

sys.path.insert(0, str(Path(__file__).parent / "dashboard"))
from dash_helpers import sql_runner  # noqa: E402

from dashboard import notice  # noqa: E402
from dashboard import queries as Q  # noqa: E402
from dashboard.filters import Filters  # noqa: E402

FINANCE, COMMERCE, EDUCATION = "江苏省某市财政局", "江苏省某市商务局", "江苏省某市教育局"


def test_parse_reads_chinese_headers_gbk_comments_and_merges_ranges():
    text = ("# 应报名单\n机关名称,起始年度,截止年度,层级\n"
            f"{FINANCE},2022年,,city\n{COMMERCE},2020,2021\n{COMMERCE},2019,2020\n{EDUCATION},,2023年度\n")
    rows = {e.name: e for e in expected.parse(text.encode("gb18030"), "list.csv")}
    assert (rows[FINANCE].from_year, rows[FINANCE].to_year, rows[FINANCE].level) == (2022, None, "city")
    assert (rows[COMMERCE].from_year, rows[COMMERCE].to_year) == (2019, 2021)  # the widest of its two rows
    assert (rows[EDUCATION].from_year, rows[EDUCATION].to_year) == (None, 2023)
    assert rows[FINANCE].reference_row()["level"] == "city" and rows[COMMERCE].reference_row() is None


@pytest.mark.parametrize("text, en, zh", [
    ("agency_code,from_year\nx,2020\n", "no name column", "缺少机关名称列"),
    ("name,from_year\nA局,2020\nB局,二〇二〇\n", "list.csv line 3: “二〇二〇” is not a year", "list.csv 第 3 行"),
    ("name,from_year,to_year\nA局,2023,2021\n", "line 2: the range ends (2021) before it starts (2023)", "早于"),
    ("name,from_year\n,2020\n", "line 2: no agency name", "没有机关名称"),
    ("# only a comment\n", "no rows", "没有数据行"),
])
def test_a_bad_list_is_an_error_naming_the_line(text, en, zh):
    with pytest.raises(expected.ExpectedListError) as e:
        expected.parse(text.encode(), "list.csv")
    assert en in str(e.value) and zh in e.value.words("zh")


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    rng = random.Random(7)
    real = tmp_path_factory.mktemp("expected") / "real"
    for y in (2021, 2022, 2023):
        write(real / "a", f"{y}.txt", render_report(FINANCE, y, clean_values(rng)))
    write(real / "b", "2021.txt", render_report(COMMERCE, 2021, clean_values(rng)))
    return real


def _coverage(db: Path) -> set[tuple[str, int]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return set(con.execute("SELECT a.name, f.year FROM findings f JOIN agencies a USING (agency_id) "
                               "WHERE f.rule = 'coverage'").fetchall())


def test_the_list_decides_the_years_owed(folder: Path, tmp_path: Path):
    db = tmp_path / "wh.duckdb"
    build([folder], db, jobs=1, progress=False)
    # no list: each agency from its first report to the latest real year (2023)
    assert _coverage(db) == {(COMMERCE, 2022), (COMMERCE, 2023)}

    # the finance bureau is due from 2022 only; the education bureau, never published, every year of the data
    (folder / "expected.csv").write_text(f"name,from_year,to_year\n{FINANCE},2022,\n{EDUCATION},,\n", encoding="utf-8")
    try:
        build([folder], db, jobs=1, progress=False)
        assert _coverage(db) == {(COMMERCE, 2022), (COMMERCE, 2023),
                                 (EDUCATION, 2021), (EDUCATION, 2022), (EDUCATION, 2023)}
        with duckdb.connect(str(db), read_only=True) as con:
            listed = con.execute("SELECT name, from_year, to_year FROM expected_reporters ORDER BY name").fetchall()
            dup = con.execute("SELECT count(*) - count(DISTINCT agency_id) FROM expected_reporters").fetchone()[0]
            edu = con.execute("SELECT count(*) FROM agencies WHERE name = ?", [EDUCATION]).fetchone()[0]
            msg = con.execute("SELECT message FROM findings f JOIN agencies a USING (agency_id) WHERE a.name = ? "
                              "AND f.year = 2021", [EDUCATION]).fetchone()[0]
            run = sql_runner(con)
            due = Q.reporting(run, Filters(), 2021)
            table = Q.reporting_by_region(due, "province")
            note = notice.list_note(run, "zh", 2021, int(table.iloc[-1]["outside"]))
        assert sorted(listed) == sorted([(FINANCE, 2022, None), (EDUCATION, None, None)])
        assert dup == 0 and edu == 1  # grain: one row per agency; the never-published agency has its row
        assert msg == f"{EDUCATION}列入应报名单，未找到其2021年度报告"
        # 2021: finance published outside its listed years (not due); commerce published; education missing
        status = {(r.agency, r.status, bool(r.due)) for r in due.itertuples()}
        assert status == {(FINANCE, "undated", False), (COMMERCE, "undated", True), (EDUCATION, "missing", True)}
        total = table[table["grp"] == "__all__"].iloc[0]
        assert (total["expected"], total["reported"], total["missing"], total["outside"]) == (2, 1, 1, 1)
        assert "2 个机关" in note and "另有 1 个" in note
    finally:
        (folder / "expected.csv").unlink()
    # removing the list is a change of reference data: the next build goes back to the default rule
    build([folder], db, jobs=1, progress=False)
    assert _coverage(db) == {(COMMERCE, 2022), (COMMERCE, 2023)}


def test_a_bad_list_stops_the_build_and_keeps_the_warehouse(folder: Path, tmp_path: Path):
    from etl.cli import main

    db = tmp_path / "wh.duckdb"
    build([folder], db, jobs=1, progress=False)
    before = db.read_bytes()
    (folder / "expected.csv").write_text("name,from_year\n江苏省某市财政局,20x2\n", encoding="utf-8")
    try:
        with pytest.raises(expected.ExpectedListError, match="line 2"):
            build([folder], db, jobs=1, progress=False)
        assert main(["build", str(folder), "--db", str(db), "--quiet"]) == 2
    finally:
        (folder / "expected.csv").unlink()
    assert db.read_bytes() == before
