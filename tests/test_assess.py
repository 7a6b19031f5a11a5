"""The 考评 sheet: every agency's points on the bundled corpus recomputed here, independently, from the findings
table and the rules CSV (read with pandas, not with etl.assess); a dismissed finding gives its points back; the
Excel score sheet opens with the deduction behind every point; a bad rules file stops with its line."""

from __future__ import annotations

import io
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from openpyxl import load_workbook

from etl.assess import rules as R
from etl.assess import score as S
from etl.assess import sheet as X
from etl.warehouse.reference import ReferenceDataError

ROOT = Path(__file__).resolve().parents[1]
RULES_CSV = ROOT / "etl" / "assess" / "rules.csv"


@pytest.fixture(scope="module")
def con(bundled_warehouse):
    c = duckdb.connect(str(bundled_warehouse.db), read_only=True)
    yield c
    c.close()


def by_hand(con, year: int, drop: frozenset[str] = frozenset()) -> pd.Series:
    """Score per agency name, from the rules CSV and the warehouse's findings and cells, without etl.assess."""
    rules = pd.read_csv(RULES_CSV, comment="#", dtype=str, keep_default_na=False)
    full = float(rules.loc[rules["item"] == "full_marks", "points"].iloc[0])
    items = rules[rules["item"] != "full_marks"]
    fl = con.execute("""SELECT f.finding_id, a.name, f.rule FROM findings f JOIN agencies a USING (agency_id)
                        LEFT JOIN reports r ON r.report_id = f.report_id
                        WHERE f.year = ? AND f.status = 'fail' AND f.responsibility = 'source'
                          AND (f.report_id IS NULL OR r.is_active)""", [year]).df()
    fl = fl[~fl["finding_id"].isin(drop)]
    cells = con.execute("""SELECT a.name, c.tbl || '.' || c.row_key || '.' || c.col_key AS addr, c.value
                           FROM cells c JOIN reports r USING (report_id) JOIN agencies a USING (agency_id)
                           WHERE r.is_active AND r.year = ?""", [year]).df()
    names = set(con.execute("""SELECT a.name FROM reports r JOIN agencies a USING (agency_id)
                               WHERE r.is_active AND r.year = ?""", [year]).df()["name"])
    names |= set(fl.loc[fl["rule"] == "coverage", "name"])
    out = {}
    for name in names:
        off = 0.0
        for it in items.itertuples():
            cap = float(it.cap) if it.cap else float("inf")
            if it.per == "case":
                n = cells.loc[(cells["name"] == name) & cells["addr"].isin(it.cells.split()), "value"].sum()
            else:
                hits = fl[(fl["name"] == name) & fl["rule"].isin(it.rules.split())]
                n = (1 if len(hits) else 0) if it.per == "report" else len(hits)
            off += min(cap, float(it.points) * n)
        out[name] = max(0.0, full - off)
    return pd.Series(out)


def busiest_year(con) -> int:
    """The year whose accusations touch the most kinds of rule (and some per-case corrections)."""
    return int(con.execute("""SELECT year FROM findings WHERE status = 'fail' AND responsibility = 'source'
                              GROUP BY year ORDER BY count(DISTINCT rule) DESC, year DESC LIMIT 1""").fetchone()[0])


def test_scores_recompute_by_hand(con) -> None:
    year = busiest_year(con)
    table = R.table()
    result = S.assess(S.inputs(S.runner(con), year, table), table)
    got = result.scores.set_index("name")["score"]
    want = by_hand(con, year)
    assert sorted(got.index) == sorted(want.index)
    assert (got.sort_index() == want.sort_index()).all(), pd.DataFrame({"got": got, "want": want}).query("got != want")
    deducted = result.scores[result.scores["deducted"] > 0]
    assert len(deducted) >= 3, "the corpus should cost a few agencies points"
    assert {"timely", "corrected"} <= set(result.items["item"])  # lateness and per-case corrections both count
    # ranks within peer groups: 1 for the best, ties share
    for _, g in result.scores.groupby("peer"):
        best = g["score"].max()
        assert set(g.loc[g["score"] == best, "rank"]) == {1}
        assert (g.sort_values("score", ascending=False)["rank"].diff().dropna() >= 0).all()


def test_a_dismissed_finding_gives_its_points_back(con) -> None:
    year = busiest_year(con)
    table = R.table()
    data = S.inputs(S.runner(con), year, table)
    before = S.assess(data, table)
    hit = before.detail[before.detail["finding_id"].notna() & (before.detail["rule"] != "coverage")].iloc[0]
    after = S.assess(data, table, dismissed={hit["finding_id"]})
    name = before.scores.set_index("agency_id").loc[hit["agency_id"], "name"]
    want = by_hand(con, year, frozenset({hit["finding_id"]}))
    assert after.scores.set_index("name").loc[name, "score"] == want[name]
    assert after.scores.set_index("name").loc[name, "score"] > before.scores.set_index("name").loc[name, "score"]


def test_the_excel_sheet_opens_with_every_deduction(con) -> None:
    year = busiest_year(con)
    table = R.table()
    result = S.assess(S.inputs(S.runner(con), year, table), table)
    words = X.Words("zh", f"{year}年度考评得分表", "全部单位", lambda p: p, lambda a: str(a["province"]),
                    "逐项整改并重新发布。", "2024年6月30日")
    wb = load_workbook(io.BytesIO(X.workbook(result, table, words)))
    assert wb.sheetnames == ["得分表", "扣分明细", "整改清单", "考评规则"]
    rows = list(wb["得分表"].iter_rows(min_row=4, values_only=True))
    head = rows[0]
    sheet = pd.DataFrame(rows[1:], columns=head).set_index("单位")
    want = by_hand(con, year)
    assert (sheet["得分"].astype(float).sort_index() == want.sort_index()).all()
    # each item's column holds that item's points, and they add up to the deduction
    item_cols = [i.name for i in table.items]
    assert (sheet[item_cols].astype(float).sum(axis=1) == sheet["扣分合计"].astype(float)).all()
    detail = pd.DataFrame(list(wb["扣分明细"].iter_rows(min_row=5, values_only=True)),
                          columns=[c.value for c in wb["扣分明细"][4]])
    names = result.scores.set_index("agency_id")["name"]
    for r in result.items.itertuples():
        row = detail[(detail["单位"] == names[r.agency_id]) & (detail["考评项目"] == next(
            i.name for i in table.items if i.item == r.item))]
        assert len(row) == 1 and float(row["本项扣分"].iloc[0]) == r.points
        for msg in result.detail.loc[(result.detail["agency_id"] == r.agency_id) & (result.detail["item"] == r.item),
                                     "message"].dropna():
            assert msg in row["扣分依据"].iloc[0]
    fix = list(wb["整改清单"].iter_rows(min_row=5, values_only=True))
    assert sorted(r[1] for r in fix) == sorted(names[a] for a in result.items.loc[result.items["points"] > 0,
                                                                                 "agency_id"].unique())


def test_text_that_looks_like_a_formula_stays_text(con) -> None:
    year = busiest_year(con)
    table = R.table()
    result = S.assess(S.inputs(S.runner(con), year, table), table)
    i = result.detail["message"].first_valid_index()
    result.detail.loc[i, "message"] = "=HYPERLINK(\"http://127.0.0.1:9\")"
    words = X.Words("zh", "t", "n", lambda p: p, lambda a: "", "整改", "2024年6月30日")
    ws = load_workbook(io.BytesIO(X.workbook(result, table, words)))["扣分明细"]
    cells = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert cells and all(c.data_type == "s" for c in cells)


def test_the_rules_file_reads_chinese_names_and_stops_at_a_bad_line(tmp_path: Path) -> None:
    good = tmp_path / "assessment.csv"
    good.write_bytes(R.csv_bytes(R.table()))
    assert R.read(good).items == R.table().items  # rules and cells written by their Chinese names read back
    assert R.file_for([tmp_path]) == good and R.file_for([]) == R.DEFAULT_FILE
    bad = tmp_path / "bad" / "assessment.csv"
    bad.parent.mkdir()
    lines = good.read_text(encoding="utf-8-sig").splitlines()
    lines[3] = lines[3].replace("逾期发布", "逾期发部")
    bad.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(ReferenceDataError) as e:
        R.table([bad.parent])
    assert "第 4 行" in e.value.zh and "逾期发部" in e.value.zh
