"""The 年报考评 page on the fixture warehouse: the scores it shows are etl.assess's for the year (recounted here
from the findings table), the Excel score sheet is offered, and a copied chapter is listed with the passages it
shares shown side by side."""

from __future__ import annotations

import io

from dash_helpers import open_app
from openpyxl import load_workbook

from dashboard.i18n import t


def test_scores_sheet_and_copied_chapters(app_env, run, downloads):
    copied = run("""SELECT f.year, a.name FROM findings f JOIN agencies a USING (agency_id)
                    WHERE f.rule = 'similarity' AND f.status = 'fail' ORDER BY f.year DESC""")
    assert not copied.empty, "the fixture corpus should carry a copied chapter"
    y, name = int(copied["year"].iloc[0]), copied["name"].iloc[0]
    at = open_app("assess")
    at.selectbox(key="assess_year").set_value(y).run()
    assert not at.exception, [e.value for e in at.exception]
    scores = next(d.value for d in at.dataframe if t("assess_score") in d.value.columns)
    # who is assessed: every agency with an active report for the year, or accused of publishing none
    want = run("""SELECT DISTINCT a.name FROM agencies a WHERE a.agency_id IN (
                      SELECT agency_id FROM reports WHERE is_active AND year = ?
                      UNION SELECT agency_id FROM findings WHERE year = ? AND rule = 'coverage'
                      AND status = 'fail' AND responsibility = 'source')""", [y, y])
    assert sorted(scores[t("agency")]) == sorted(want["name"])
    row = scores[scores[t("agency")] == name].iloc[0]
    copied_item = "内容雷同（与本单位上年或其他单位同年报告）"
    assert row[copied_item] == 5 and row[t("assess_score")] == max(0, 10 - row[t("assess_deducted")])  # never below 0
    assert (scores[t("assess_score")] == (10 - scores[t("assess_deducted")]).clip(lower=0)).all()
    sheet = f"{t('assess_sheet_title', year=y)}_全部机关.xlsx"  # what, whom
    assert sheet in downloads, sorted(downloads)
    wb = load_workbook(io.BytesIO(downloads[sheet]()))
    assert wb.sheetnames == ["得分表", "扣分明细", "整改清单", "考评规则"]
    # the copied chapter, its twin, and the shared passages highlighted on both sides
    similar = next(d.value for d in at.dataframe if t("assess_similarity") in d.value.columns)
    assert name in set(similar[t("agency")])
    i = similar.reset_index(drop=True).index[similar[t("agency")].reset_index(drop=True) == name][0]
    at.selectbox(key="assess_similar_pick").set_value(int(i)).run()
    marked = [m.value for m in at.markdown if ":orange-background[" in m.value]
    assert len(marked) == 2, [m.value[:60] for m in at.markdown]
    assert t("assess_passages_note", n=1).split("（")[0] in " ".join(c.value for c in at.caption)
