"""Cross-year rules, coverage and duplicates, on agencies whose yearly reports the test writes."""

from __future__ import annotations

import json
import random

import duckdb
import pytest
from helpers import clean_values, next_year, render_report, write

from etl import formats as F
from etl.warehouse.build import build


def series(rng: random.Random, years: list[int]) -> dict[int, dict]:
    out = {years[0]: clean_values(rng)}
    for y in years[1:]:
        out[y] = next_year(rng, out[y - 1]) if y - 1 in out else clean_values(rng)
    return out


@pytest.fixture(scope="module")
def wh(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("cross")
    src = tmp / "src"
    rng = random.Random(5)

    def emit(folder: str, agency: str, vals: dict[int, dict], skip: tuple[int, ...] = ()) -> None:
        for y, v in vals.items():
            if y not in skip:
                write(src / folder, f"{y}.txt", render_report(agency, y, v, published=f"{y + 1}-01-10"))

    emit("clean", "样例市样例甲局", series(rng, [2021, 2022, 2023]))
    carry = series(rng, [2021, 2022])
    carry[2022][("t3", "carried_over", "commercial")] += 1  # breaks X-carry (and the 2022 balances)
    carry[2022][("t3", "carried_over", "total")] += 1
    carry[2022][("t3", "new_received", "commercial")] -= 1
    carry[2022][("t3", "new_received", "total")] -= 1
    emit("carry", "样例市样例乙局", carry)
    stock = series(rng, [2021, 2022])
    stock[2022][("t2", "normative_documents", "in_force")] += 7
    emit("stock", "样例市样例丙局", stock)
    jump = series(rng, [2021, 2022])
    # 6× more reconsiderations than the year before, each year consistent in itself
    jump[2021][("t4", "review", "upheld")], jump[2021][("t4", "review", "corrected")] = 4, 0
    jump[2021][("t4", "review", "other")], jump[2021][("t4", "review", "pending")] = 0, 0
    jump[2021][("t4", "review", "total")] = 4
    jump[2022][("t4", "review", "upheld")], jump[2022][("t4", "review", "corrected")] = 20, 4
    jump[2022][("t4", "review", "other")], jump[2022][("t4", "review", "pending")] = 0, 0
    jump[2022][("t4", "review", "total")] = 24
    emit("jump", "样例市样例丁局", jump)
    emit("gap", "样例市样例戊局", series(rng, [2020, 2021, 2022, 2023]), skip=(2021, 2022))
    dup = series(rng, [2022])
    emit("dup", "样例市样例己局", dup)
    blanked = dict(dup[2022])
    blanked[("t3", "granted", "natural_person")] = None
    write(src / "dup", "2022-copy.txt", render_report("样例市样例己局", 2022, blanked, published="2023-01-12"))
    db = tmp / "wh.duckdb"
    build([src], db, jobs=1, progress=False)
    con = duckdb.connect(str(db), read_only=True)
    yield con
    con.close()


def rules_of(con, folder: str, status: str | None = None) -> list[tuple]:
    q = """SELECT f.rule, f.status, f.severity, f.year, f.cells, f.expected, f.actual, f.message, f.message_en
           FROM findings f
           JOIN reports r USING (report_id) WHERE r.source_dir LIKE ? AND f.rule LIKE 'X-%'"""
    rows = con.execute(q, [f"%/src/{folder}"]).fetchall()
    return [r for r in rows if status is None or r[1] == status]


def test_consistent_years_pass(wh) -> None:
    assert rules_of(wh, "clean") == []
    n = wh.execute("SELECT count(*) FROM findings f JOIN reports r USING (report_id) WHERE r.source_dir LIKE '%/clean'")
    assert n.fetchone()[0] == 0
    assert wh.execute("SELECT count(DISTINCT agency_id) FROM reports WHERE source_dir LIKE '%/clean'").fetchone()[0] == 1


def test_x_carry_per_column(wh) -> None:
    f = rules_of(wh, "carry")
    assert {(r[0], r[1], r[3]) for r in f} == {("X-carry", "fail", 2022)}
    cols = sorted(json.loads(r[4])[0] for r in f)
    assert cols == ["t3.carried_over.commercial", "t3.carried_over.total"]
    assert all(r[6] == r[5] + 1 for r in f)  # printed one more than last year's carried_forward
    by_col = {json.loads(r[4])[0].rsplit(".", 1)[1]: r for r in f}
    r = by_col["commercial"]
    assert r[7] == (f"表三「{F.label('t3', 'col', 'commercial')}」列：2022年「{F.label('t3', 'row', 'carried_over')}」"
                    f"应为 {int(r[5])}（上年「{F.label('t3', 'row', 'carried_forward')}」，见2021年报告），"
                    f"实为 {int(r[6])}")
    assert r[8] == (f'Table 3 column "{F.label("t3", "col", "commercial", "en")}": 2022 '
                    f'"{F.label("t3", "row", "carried_over", "en")}" should be {int(r[5])} (last year\'s '
                    f'"{F.label("t3", "row", "carried_forward", "en")}", from the 2021 report) but is {int(r[6])}')


def test_x_stock_is_a_soft_warning(wh) -> None:
    f = rules_of(wh, "stock")
    # a break of a soft rule is worth a look, never certain the report's own error
    assert [(r[0], r[1], r[2]) for r in f] == [("X-stock", "uncertain", "warning")]
    assert "t2.normative_documents.in_force" in json.loads(f[0][4]) and f[0][6] == f[0][5] + 7
    assert f[0][7].startswith(f"表二「{F.label('t2', 'row', 'normative_documents')}」行：2022年"
                              f"「{F.label('t2', 'col', 'in_force')}」按上年")
    assert f"应为 {int(f[0][5])}，实为 {int(f[0][6])}；存量可能因清理、合并等调整而变动，需核实" in f[0][7]


def test_x_jump(wh) -> None:
    f = rules_of(wh, "jump")
    assert [(r[0], r[1], r[2], json.loads(r[4]), r[5], r[6]) for r in f] == [
        ("X-jump", "uncertain", "info", ["t4.review.total"], 4, 24)]
    assert f[0][7] == (f"表四「{F.label('t4', 'row', 'review')}」{F.label('t4', 'col', 'total')}列"
                       "由2021年的 4 变为2022年的 24，变化超过 5 倍，值得复核")


def test_coverage_names_missing_years(wh) -> None:
    rows = wh.execute("""SELECT f.report_id, f.year, f.status, f.message, f.message_en FROM findings f
                         JOIN agencies a USING (agency_id)
                         WHERE f.rule = 'coverage' AND a.name = '样例市样例戊局' ORDER BY f.year""").fetchall()
    assert rows == [(None, y, "fail", f"未找到样例市样例戊局的{y}年度报告", f"no report for {y} from 样例市样例戊局")
                    for y in (2021, 2022)]
    # the warehouse covers 2020–2023: agencies that start in 2021 miss 2020, the 2021–2022 ones miss 2023 too
    other = wh.execute("""SELECT a.name, list(f.year ORDER BY f.year) FROM findings f JOIN agencies a USING (agency_id)
                          WHERE f.rule = 'coverage' AND a.name <> '样例市样例戊局' GROUP BY 1""").fetchall()
    assert dict(other) == {"样例市样例甲局": [2020], "样例市样例乙局": [2020, 2023], "样例市样例丙局": [2020, 2023],
                           "样例市样例丁局": [2020, 2023], "样例市样例己局": [2020, 2021, 2023]}


def test_duplicate_keeps_the_complete_one_active(wh) -> None:
    rows = wh.execute("""SELECT source_path, is_active, n_missing_cells FROM reports WHERE source_dir LIKE '%/dup'
                         ORDER BY source_path""").fetchall()
    assert [(p.rsplit("/", 1)[1], a, n) for p, a, n in rows] == [("2022-copy.txt", False, 1), ("2022.txt", True, 0)]
    f = wh.execute("""SELECT r.source_path FROM findings f JOIN reports r USING (report_id)
                      WHERE f.rule = 'duplicate'""").fetchall()
    assert [p.rsplit("/", 1)[1] for (p,) in f] == ["2022-copy.txt"]
    assert wh.execute("SELECT count(*) FROM report_metrics r JOIN agencies a USING (agency_id) "
                      "WHERE a.name = '样例市样例己局'").fetchone()[0] == 1
