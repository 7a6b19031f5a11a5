"""The 通报 page: 应报/已报/按时/逾期/未报 for a year with missing and late reports, counted here from the
warehouse independently; the 通报 list; and the A4 Word 通报 with page numbers and its scope statement."""

from __future__ import annotations

import io

import pytest
from dash_helpers import open_app
from docx import Document

from dashboard import notice
from dashboard.filters import Filters
from dashboard.i18n import t


def year_with_gaps(run) -> int:
    df = run("""SELECT r.year, count(*) FILTER (WHERE r.is_late) AS late,
                       (SELECT count(*) FROM findings f WHERE f.rule = 'coverage' AND f.year = r.year) AS missing
                FROM reports r WHERE r.is_active GROUP BY 1 HAVING late > 0 AND missing > 0 ORDER BY 1 DESC""")
    if df.empty:
        pytest.skip("the fixture corpus has no year with both late and missing reports")
    return int(df["year"].iloc[0])


def test_reporting_rate_and_the_notice_list(app_env, run, downloads):
    y = year_with_gaps(run)
    active = run("SELECT is_late FROM reports WHERE is_active AND year = ? AND agency_id IS NOT NULL", [y])
    missing = run("SELECT a.name FROM findings f JOIN agencies a USING (agency_id) WHERE f.rule = 'coverage' "
                  "AND f.year = ?", [y])
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
    items = next(d.value for d in at.dataframe if t("notice_matter") in d.value.columns)
    named = set(items.loc[items[t("notice_matter")] == t("notice_matter_missing"), t("agency")])
    assert named == set(missing["name"])
    assert (items[t("notice_matter")] == t("notice_matter_late")).sum() == late
    # named in the interface's language: what, whom, which year
    assert f"{y}年度通报名单_全部机关.xlsx" in downloads and f"{y}年度报告发布情况通报_全部机关.docx" in downloads


def test_notice_document_is_a4_numbered_with_its_scope(run, tmp_path):
    import shutil
    import subprocess

    y = year_with_gaps(run)
    data = notice.build(run, Filters(), y, "2024-01-01", issuer="样例省政务公开办", sample=True)
    doc = Document(io.BytesIO(data))
    sec = doc.sections[0]
    assert abs(sec.page_width.cm - 21.0) < 0.01 and abs(sec.page_height.cm - 29.7) < 0.01
    assert "PAGE" in sec.footer._element.xml
    text = "\n".join(p.text for p in doc.paragraphs)
    assert t("notice_title", year=y) in text and "编制单位：样例省政务公开办" in text
    expected = run("SELECT count(*) AS n FROM reports WHERE is_active AND year = ? AND agency_id IS NOT NULL", [y])
    missing = run("SELECT count(*) AS n FROM findings WHERE rule = 'coverage' AND year = ?", [y])
    n = int(expected["n"].iloc[0]) + int(missing["n"].iloc[0])
    assert f"{y} 年度应报 {n} 个机关，已报 {int(expected['n'].iloc[0])} 个" in text
    for matter in notice.MATTERS:
        assert any(p.text.startswith(t(f"notice_part_{matter}").split("（")[0]) for p in doc.paragraphs)
    # every table has a caption that says what it lists, numbered in print order
    captions = [p.text for p in doc.paragraphs if p.text.startswith("表")]
    assert len(captions) == len(doc.tables) and captions[0] == t("notice_table_caption", year=y)
    printed = [m for m in notice.MATTERS if f"{t(f'notice_part_{m}', n=0)}" not in text]
    assert captions[1:] == [t(f"notice_caption_{m}", i=i, year=y) for i, m in enumerate(printed, start=2)]
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed; .ci/run installs libreoffice-writer-nogui")
    (tmp_path / "n.docx").write_bytes(data)
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(tmp_path / "n.docx")], check=True, timeout=120, capture_output=True)
    import pymupdf

    pdf = pymupdf.open(tmp_path / "n.pdf")
    assert all(abs(p.rect.width - 595.3) < 2 and abs(p.rect.height - 841.9) < 2 for p in pdf)
    assert f"第 1 页，共 {pdf.page_count} 页" in pdf[0].get_text()
