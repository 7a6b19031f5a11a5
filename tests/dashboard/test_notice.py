"""The 通报 page: 应报/已报/按时/逾期/未报 for a year, counted here from the warehouse independently; the 通报 list
(one row per agency, its problems merged); and the 通报 itself in official-document form (GB/T 9704):
rendered by LibreOffice, it shows the title, 主送机关, the list, 落款 and 成文日期, page numbers "— 1 —", and
no word of the app."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess

import pytest
from dash_helpers import open_app
from docx import Document

from dashboard import notice
from dashboard import queries as Q
from dashboard.filters import Filters
from dashboard.i18n import t

# words of the app's interface that must never reach an official document
UI_WORDS = ("数据仓库", "仓库", "上传", "导入报告", "页面", "本页", "点击", "筛选", "下载", "warehouse", "dashboard")


def year_with_gaps(run) -> int:
    df = run("""SELECT r.year, count(*) FILTER (WHERE r.is_late) AS late,
                       (SELECT count(*) FROM findings f WHERE f.rule = 'coverage' AND f.year = r.year
                        AND f.status = 'fail') AS missing
                FROM reports r WHERE r.is_active GROUP BY 1 HAVING late > 0 AND missing > 0 ORDER BY 1 DESC""")
    if df.empty:
        pytest.skip("the fixture corpus has no year with both late and missing reports")
    return int(df["year"].iloc[0])


def accused(run, year: int) -> dict[str, int]:
    """Agency name -> number of findings the 通报 lists for it, counted here from the findings table."""
    df = run("""SELECT a.name, count(*) AS n FROM findings f JOIN agencies a USING (agency_id)
                LEFT JOIN reports r ON r.report_id = f.report_id
                WHERE f.year = ? AND f.status = 'fail' AND f.responsibility = 'source'
                  AND f.category IN ('figures', 'process') AND f.rule <> 'duplicate'
                  AND (f.report_id IS NULL OR r.is_active) GROUP BY 1""", [year])
    return dict(zip(df["name"], df["n"], strict=True))


def test_reporting_rate_and_the_notice_list(app_env, run, downloads):
    y = year_with_gaps(run)
    active = run("SELECT is_late FROM reports WHERE is_active AND year = ? AND agency_id IS NOT NULL", [y])
    missing = run("SELECT a.name FROM findings f JOIN agencies a USING (agency_id) WHERE f.rule = 'coverage' "
                  "AND f.year = ? AND f.status = 'fail'", [y])
    late = int(active["is_late"].fillna(False).astype(bool).sum())
    on_time = int((active["is_late"] == False).sum())  # noqa: E712 (NULL is neither)
    at = open_app("notice")
    at.selectbox(key="notice_year").set_value(y).run()
    assert not at.exception
    got = {m.label: m.value for m in at.metric}
    assert got[t("n_expected")] == f"{len(active) + len(missing):,}"
    assert got[t("n_published")] == f"{len(active):,}"
    assert got[t("n_late")] == f"{late:,}" and got[t("n_on_time")] == f"{on_time:,}"
    assert got[t("n_unreported")] == f"{len(missing):,}"
    rates = next(d.value for d in at.dataframe if t("reported_rate") in d.value.columns)
    total = rates[rates[t("province")] == t("notice_all")].iloc[0]
    assert total[t("reported_rate")] == pytest.approx(len(active) / (len(active) + len(missing)))
    # one row per agency, its problems merged: as many numbered lines as it has matters
    items = next(d.value for d in at.dataframe if t("notice_problems") in d.value.columns)
    want = accused(run, y)
    assert sorted(items[t("notice_agency")]) == sorted(want)
    for name in missing["name"]:
        row = items[items[t("notice_agency")] == name].iloc[0]
        assert t("notice_matter_missing") in row[t("notice_problems")]
    assert (items[t("notice_problems")].str.contains(t("notice_matter_late"))).sum() == late
    assert f"{y}年度通报名单_全部机关.xlsx" in downloads and f"{y}年度报告发布情况通报_全部机关.docx" in downloads
    # the wording is the office's: the fields are prefilled with the year's defaults
    assert at.text_input(key=f"notice_title_{y}").value == t("notice_title", year=y)


def test_dismissed_findings_leave_the_list(run):
    y = year_with_gaps(run)
    full = notice.merged(run, Filters(), y)
    one = Q.notice_list(run, Filters(), y)
    lone = one.groupby("agency_id").filter(lambda g: len(g) == 1)
    assert not lone.empty, "some agency should have exactly one finding to notify"
    gone = lone.iloc[0]
    left = notice.merged(run, Filters(), y, dismissed={gone["finding_id"]})
    assert gone["agency_id"] in set(full["agency_id"]) and gone["agency_id"] not in set(left["agency_id"])
    assert len(left) == len(full) - 1


def test_fonts_are_the_office_ones_where_present_else_noto():
    office = frozenset(o for o, _ in notice.FONTS.values())
    assert notice.fonts(office) == {k: o for k, (o, _) in notice.FONTS.items()}
    assert notice.fonts(frozenset()) == {k: f for k, (_, f) in notice.FONTS.items()}
    assert all(f.startswith("Noto") for f in notice.fonts(frozenset()).values())


def test_notice_document_in_official_form(run, tmp_path):
    y = year_with_gaps(run)
    words = notice.Wording(title=t("notice_title", year=y), recipients="各县（市、区）人民政府，市政府各部门：",
                           opening=t("notice_opening", year=y), rectify=t("notice_rectify", due="2024年6月30日"),
                           issuer="样例省人民政府办公厅", date="2024年5月20日")
    data = notice.build(run, Filters(), y, words, sample=True, have=frozenset())
    doc = Document(io.BytesIO(data))
    sec = doc.sections[0]
    # GB/T 9704: A4, 天头 37 mm, 订口 28 mm, 版心 156 × 225 mm
    assert abs(sec.page_width.mm - 210) < 0.1 and abs(sec.page_height.mm - 297) < 0.1
    assert abs(sec.top_margin.mm - 37) < 0.1 and abs(sec.left_margin.mm - 28) < 0.1
    assert abs(sec.page_width.mm - sec.left_margin.mm - sec.right_margin.mm - 156) < 0.1
    assert abs(sec.page_height.mm - sec.top_margin.mm - sec.bottom_margin.mm - 225) < 0.1
    assert doc.settings.odd_and_even_pages_header_footer
    assert "PAGE" in sec.footer._element.xml and "PAGE" in sec.even_page_footer._element.xml
    body = doc.element.body.xml
    assert 'w:eastAsia="Noto Serif CJK SC"' in body  # the fallback, as this test's machine lacks 仿宋_GB2312
    listed = notice.merged(run, Filters(), y)
    assert len(doc.tables[-1].rows) == len(listed) + 1  # one row per agency under the header
    assert [r.cells[1].text for r in doc.tables[-1].rows[1:]] == listed["agency"].tolist()

    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed; .ci/run installs libreoffice-writer-nogui")
    (tmp_path / "n.docx").write_bytes(data)
    try:
        subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "pdf",
                        "--outdir", str(tmp_path), str(tmp_path / "n.docx")], check=True, timeout=180,
                       capture_output=True)
    except subprocess.TimeoutExpired:
        pytest.fail("LibreOffice did not convert the 通报 within 180 s")
    import pymupdf

    pdf = pymupdf.open(tmp_path / "n.pdf")
    pages = [p.get_text() for p in pdf]
    flat = ["".join(p.split()) for p in pages]  # text without the layout's line breaks
    assert all(abs(p.rect.width - 595.3) < 2 and abs(p.rect.height - 841.9) < 2 for p in pdf)
    assert "".join(words.title.split()) in flat[0]
    assert "".join(words.recipients.split()) in flat[0]
    assert flat[0].index("关于") < flat[0].index("各县")  # 标题 above 主送机关
    for i, page in enumerate(pages, start=1):
        assert f"— {i} —" in page, (i, page[-80:])
    last = flat[-1]
    assert last.index(words.issuer) < last.index(words.date)  # 落款, then 成文日期 under it
    assert "".join(t("notice_part_rectify").split()) in "".join(flat)
    assert all(name in "".join(flat) for name in listed["agency"])
    text = "".join(flat)
    assert not [w for w in UI_WORDS if w in text], [w for w in UI_WORDS if w in text]
    # the same words in the default wording, whatever the day
    default = notice.wording("zh", y, today=dt.date(2024, 5, 20))
    assert default.date == "2024年5月20日" and "2024年6月19日" in default.rectify
    assert not [w for w in UI_WORDS if w in "".join(default.__dict__.values())]
