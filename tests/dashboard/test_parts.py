"""The dashboard's pure parts without Streamlit: filters ↔ URL and SQL, rate aggregation, chart builders,
exports."""

from __future__ import annotations

import io
from dataclasses import replace

import duckdb
import pandas as pd
import pytest
from openpyxl import load_workbook

from dashboard import charts, exports
from dashboard import queries as Q
from dashboard.filters import Filters
from dashboard.i18n import t
from etl import metrics as M


def test_filters_round_trip_through_the_url():
    f = Filters(year_from=2020, year_to=2022, province="甲省", city="乙市", levels=("city", "county"),
                kinds=("department",), agency="商务", templates=("2019",), include_failed=False, data="sample",
                lang="en")
    assert Filters.from_params(f.to_params()) == f
    assert Filters().to_params() == {}
    # junk in a URL is ignored, not trusted
    g = Filters.from_params({"y0": "20x", "level": "city,planet", "data": "fake", "lang": "fr"})
    assert g == Filters(levels=("city",))


def test_filters_become_parameters_never_sql():
    con = duckdb.connect()
    con.execute("CREATE TABLE report_metrics (agency_name VARCHAR, province VARCHAR, city VARCHAR, "
                "county VARCHAR, level VARCHAR, kind VARCHAR, is_sample BOOLEAN, year INT, template VARCHAR, "
                "has_figure_error BOOLEAN)")
    con.execute("INSERT INTO report_metrics VALUES ('甲局', 'P', 'C', NULL, 'city', 'department', TRUE, 2021, "
                "'2021', FALSE), ('乙局', 'P', 'C', NULL, 'city', 'department', TRUE, 2021, '2021', TRUE)")
    evil = Filters(agency="x' OR 1=1 --")
    where, params = evil.where()
    assert "OR 1=1" not in where and params == ["%x' OR 1=1 --%"]
    assert con.execute(f"SELECT count(*) FROM report_metrics m WHERE {where}", params).fetchone()[0] == 0
    where, params = Filters(include_failed=False, agency="局").where()
    assert con.execute(f"SELECT agency_name FROM report_metrics m WHERE {where}", params).fetchall() == [("甲局",)]


def test_rates_are_ratio_of_sums_over_known_parts():
    con = duckdb.connect()
    con.execute("CREATE TABLE report_metrics AS SELECT * FROM (VALUES "
                "(2021, 1.0, 1.0, 10.0), (2021, 90.0, 99.0, 100.0), (2021, NULL, 5.0, 50.0)) "
                "t(year, granted_or_partly, total_processed, new_received)")
    m = M.get("disclosure_rate")
    row = con.execute(f"SELECT {Q.metric_sql(m)} FROM report_metrics m").df().iloc[0]
    # (1 + 90) / (1 + 99): not the mean of 100% and 91%, and the report with a blank numerator is left out
    assert row["disclosure_rate"] == pytest.approx(91 / 100)
    assert row["disclosure_rate__den"] == 100 and row["disclosure_rate__n"] == 2
    cnt = con.execute(f"SELECT {Q.metric_sql(M.get('new_received'))} FROM report_metrics m").df().iloc[0]
    assert cnt["new_received"] == 160


def test_like_for_like_change_counts_only_agencies_in_both_years():
    """A reported 2021 and 2022, B only 2021, C only 2022: the change quoted is A's; the all-reports change
    beside it also moves with B leaving and C arriving."""
    con = duckdb.connect()
    cols = sorted({m.name for m in M.MEASURES})
    con.execute("CREATE TABLE report_metrics (agency_id VARCHAR, agency_name VARCHAR, province VARCHAR, city VARCHAR, "
                "county VARCHAR, level VARCHAR, kind VARCHAR, is_sample BOOLEAN, year INT, template VARCHAR, "
                "read_method VARCHAR, has_figure_error BOOLEAN, "
                + ", ".join(f"{c} DOUBLE" for c in cols) + ")")
    rows = [("A", 2021, 10), ("B", 2021, 5), ("A", 2022, 20), ("C", 2022, 100)]
    for agency, year, n in rows:
        con.execute("INSERT INTO report_metrics (agency_id, agency_name, is_sample, year, template, "
                    "has_figure_error, new_received, reports) VALUES (?, ?, FALSE, ?, '2021', FALSE, ?, 1)",
                    [agency, agency, year, n])

    def run(sql, params=()):
        return con.execute(sql, list(params)).df()

    lfl = Q.like_for_like(run, Filters(), 2022)
    row = {r["key"]: r for r in lfl["rows"]}["new_received"]
    assert lfl["panel"] == 1 and lfl["all"] == (2, 2)
    assert (row["value"], row["panel_prev"], row["panel_value"], row["delta"], row["delta_all"]) == (
        120, 10, 20, 10, 105)
    assert Q.like_for_like(run, Filters(), 2023)["panel"] == 0  # no year before it in common


def test_form_chart_splits_series_and_leaves_a_gap_at_the_break():
    df = pd.DataFrame({"year": [2019, 2020, 2021, 2022, 2022], "form": ["2019", "2019", "2021", "2021", "2019"],
                       "value": [5.0, 6.0, 7.0, 8.0, 1.0], "n_reports": [3, 3, 3, 3, 1]})
    fig = charts.by_form(df, "n", "zh", "标题", "副标题")
    assert len(fig.data) == 2
    late = [tr for tr in fig.data if tr.name.startswith("2019")][0]
    xs, ys = list(late.x), list(late.y)
    assert xs == [2019, 2020, charts.FORMAT_BREAK, 2022]
    assert ys[2] is None or pd.isna(ys[2])
    assert late.connectgaps is False
    assert "副标题" in fig.layout.title.text and charts.FONT.split(",")[0] in fig.layout.font.family


def test_metric_chart_tooltips_name_numerator_and_denominator():
    df = pd.DataFrame({"year": [2021, 2022], "disclosure_rate": [0.5, 0.6], "disclosure_rate__num": [5, 6],
                       "disclosure_rate__den": [10, 10]})
    fig = charts.metric_by_year(df, ["disclosure_rate"], "zh", "公开率", "")
    assert "分子" in fig.data[0].hovertemplate and "分母" in fig.data[0].hovertemplate
    assert fig.layout.yaxis.tickformat == ".0%"
    assert fig.data[0].name == M.get("disclosure_rate").label("zh")


def test_an_axis_shared_by_several_series_is_titled_by_their_unit_not_the_first_series():
    cols = {"year": [2021, 2022]}
    for n in ("review_rate", "litigation_rate", "disclosure_rate", "correction_rate"):
        cols |= {n: [1.0, 2.0], f"{n}__num": [1, 2], f"{n}__den": [100, 100]}
    df = pd.DataFrame(cols)
    per100 = charts.metric_by_year(df, ["review_rate", "litigation_rate"], "zh", "t")
    assert per100.layout.yaxis.title.text == "每百件新收申请"
    assert [d.name for d in per100.data] == ["行政复议率（每百件申请）", "行政诉讼率（每百件申请）"]
    shares = charts.metric_by_year(df, ["disclosure_rate", "correction_rate"], "en", "t")
    assert shares.layout.yaxis.title.text == "Share (%)" and shares.layout.yaxis.tickformat == ".0%"


def test_sankey_balances_received_and_outcomes():
    out = pd.DataFrame({"grp": ["new_received", "carried_over", "granted", "withheld", "carried_forward"],
                        "value": [90.0, 10.0, 70.0, 20.0, 10.0]})
    fig = charts.sankey(out, {}, "zh", "流向")
    link = fig.data[0].link
    into_hub = sum(v for v, tgt in zip(link.value, link.target, strict=True) if tgt == 2)
    out_of_hub = sum(v for v, src in zip(link.value, link.source, strict=True) if src == 2)
    assert into_hub == out_of_hub == 100


def test_screen_tables_format_numbers_from_the_metric_never_the_label():
    """A metric's column in its unit (a share in percent, a rate with two decimals), the year plain, any other
    whole-number column with thousands separators, a column of decimals or words as it is — and a column
    that is merely headed by a metric's label is not taken for the metric."""
    from dashboard.ui import metric_config, number_config, relabel, screen_formats

    df = pd.DataFrame({"year": [2022, 2023], "disclosure_rate": [0.5312, 0.61], "review_rate": [3.4, 5.0],
                       "分母": [6137.0, 12040.0], "n_reports": [99, 1200], "金额": [84.51, 3.0],
                       "agency": ["甲", "乙"]})
    declared = metric_config(df, "zh")
    shown = relabel(df, "zh")
    fmt = screen_formats(number_config(shown, declared) | declared)
    assert fmt == {t("year"): "%d", M.get("disclosure_rate").label("zh"): "percent",
                   M.get("review_rate").label("zh"): "%.2f", "分母": "localized", t("n_reports"): "localized"}
    assert number_config(pd.DataFrame({M.get("disclosure_rate").label("zh"): [0.5312, 0.61]})) == {}
    # nor is a column merely headed 年份 a year: the `year` key carries that format, the label does not
    assert screen_formats(number_config(pd.DataFrame({t("year"): [2022, 2023]}))) == {t("year"): "localized"}


def test_exports_write_real_png_svg_and_xlsx():
    df = pd.DataFrame({"year": [2021, 2022], "new_received": [5.0, 7.0], "new_received__num": [5.0, 7.0],
                       "new_received__den": [None, None]})
    fig = charts.metric_by_year(df, ["new_received"], "zh", "本年新收申请", "甲省 · 数据日期 2026-01-01")
    png = exports.figure_bytes(fig, "png")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    w = int.from_bytes(png[16:20], "big")
    assert w == charts.WIDTH * exports.SCALE  # the on-screen layout size, at print density
    svg = exports.figure_bytes(fig, "svg").decode()
    assert "本年新收申请" in svg and "甲省 · 数据日期 2026-01-01" in svg and "Noto Sans CJK SC" in svg
    xl = load_workbook(io.BytesIO(exports.xlsx_bytes(df[["year", "new_received"]], "t", "筛选说明")))
    ws = xl.active
    assert ws.cell(1, 1).value == "筛选说明" and [c.value for c in ws[4]] == [2021, 5]
    assert exports.csv_bytes(df[["year"]]).startswith(b"\xef\xbb\xbfyear")


def test_a_rebuilt_warehouse_shows_up_without_a_restart(tmp_path, monkeypatch):
    from dashboard import db

    path = tmp_path / "w.duckdb"

    def write(n: int) -> None:  # like the build: a new file swapped in with os.replace
        tmp = tmp_path / "new.duckdb"
        c = duckdb.connect(str(tmp))
        c.execute("CREATE TABLE build_info AS SELECT ? AS n", [n])
        c.close()
        tmp.replace(path)

    monkeypatch.setenv(db.ENV, str(path))
    assert db.version() is None  # no warehouse yet
    write(1)
    assert db.query("SELECT n FROM build_info")["n"].iloc[0] == 1
    write(2)
    assert db.query("SELECT n FROM build_info")["n"].iloc[0] == 2


def test_briefing_summarises_findings_per_kind_in_its_language(run):
    from docx import Document

    from dashboard import briefing
    from etl.checks.categories import CATEGORIES, CATEGORY_OF

    for lang, column in (("zh", "message"), ("en", "message_en")):
        f = Filters(lang=lang)
        doc = Document(io.BytesIO(briefing.build(run, f, "2024-01-01", with_charts=False)))
        text = "\n".join(p.text for p in doc.paragraphs)
        heads = [p.text for p in doc.paragraphs if p.style.name == "Heading 2"]
        assert heads == [zh if lang == "zh" else en for zh, en in CATEGORIES.values()]
        # each kind: its count of reports, and its worst finding worded as stored in the warehouse
        every = run(f"SELECT finding_id, rule, status, {column} AS m FROM findings", [])  # column: a constant
        top = Q.findings_list(run, f, limit=5000)
        for key in CATEGORIES:
            mine = top[top["rule"].map(CATEGORY_OF).eq(key) & (top["status"].eq("fail") | (key == "review"))]
            if mine.empty:
                continue
            stored = every.set_index("finding_id").loc[mine["finding_id"].iloc[0], "m"]
            assert stored in text, key
            n = Q.findings_by_category(run, f).set_index("category")["n_reports"][key]
            assert t("briefing_cat_summary", lang, n=n, findings=len(mine), top="").split("；")[0].split(";")[0] in text


def test_briefing_is_a4_with_page_numbers_scope_and_panel(run, tmp_path):
    """Rendered by LibreOffice (as a reader would print it): A4 pages, numbered, and the scope paragraph
    names the agencies covered, those missing and the like-for-like panel."""
    import shutil
    import subprocess

    from docx import Document

    from dashboard import briefing

    f = Filters()
    data = briefing.build(run, f, "2024-01-01", with_charts=False, issuer="样例市政务公开办")
    doc = Document(io.BytesIO(data))
    sec = doc.sections[0]
    assert abs(sec.page_width.cm - 21.0) < 0.01 and abs(sec.page_height.cm - 29.7) < 0.01  # twips round
    footer = sec.footer._element.xml
    assert "PAGE" in footer and "NUMPAGES" in footer
    text = "\n".join(p.text for p in doc.paragraphs)
    y = int(run("SELECT max(year) AS y FROM report_metrics", [])["y"].iloc[0])
    sc = briefing.scope(run, f, y)
    assert sc["panel"] > 0 and sc["missing"] >= 0
    assert t("briefing_scope", "zh", filters=f.describe("zh"), y0=y - 1, **sc) in text
    assert "编制单位：样例市政务公开办" in text
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed; .ci/run installs libreoffice-writer-nogui")
    src = tmp_path / "briefing.docx"
    src.write_bytes(data)
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(src)], check=True, timeout=120, capture_output=True)
    import pymupdf as fitz

    pdf = fitz.open(tmp_path / "briefing.pdf")
    assert pdf.page_count >= 2
    for i, page in enumerate(pdf):
        w, h = page.rect.width, page.rect.height
        assert abs(w - 595.3) < 2 and abs(h - 841.9) < 2  # A4 in points
        assert f"第 {i + 1} 页，共 {pdf.page_count} 页" in page.get_text()


def test_chart_export_without_a_browser_fails_at_once_saying_what_is_missing(monkeypatch) -> None:
    import plotly.graph_objects as go
    import pytest

    from dashboard import exports

    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chromium")
    started: list[str] = []  # "at once": no browser was started and waited for (not a clock, which load moves)
    monkeypatch.setattr(exports, "_ensure_server", lambda browser: started.append(browser))
    with pytest.raises(exports.ExportUnavailable, match="needs Chromium.*apt-get install chromium"):
        exports.figure_bytes(go.Figure(go.Bar(x=[1], y=[2])), "png")
    assert started == []


def test_applicants_sum_the_cells_under_their_warehouse_name(run, con):
    """applicants_long keeps the cell's own column name (`value`) end to end: the page's Σ per applicant is
    the Σ of table 3's new_received cells of the active reports, column by column."""
    assert "value" in {r[0] for r in con.execute("DESCRIBE applicants_long").fetchall()}
    got = dict(Q.applicants(run, Filters()).itertuples(index=False, name=None))
    want = dict(con.execute("SELECT c.col_key, sum(c.value) FROM cells c JOIN reports r USING (report_id) "
                            "WHERE r.is_active AND c.tbl = 't3' AND c.row_key = 'new_received' "
                            "AND c.col_key <> 'total' GROUP BY 1").fetchall())
    assert want and got == pytest.approx(want)


def test_findings_take_the_one_filter_sql(run, con):
    """The findings' queries read the filters through Filters.where as every other query does: the year the
    finding's, the agency's columns on `agencies`, the report's only when a filter reads it (a finding about
    a missing report has none: it stays unless a report filter is asked for)."""
    def n(f: Filters) -> int:
        return int(Q.findings_summary(run, f)["n"].sum())

    def direct(extra: str, params: list) -> int:
        return con.execute("SELECT count(*) FROM findings fi JOIN agencies a USING (agency_id) LEFT JOIN "
                           f"report_metrics m USING (report_id) WHERE fi.year BETWEEN 2020 AND 2022{extra}",
                           params).fetchone()[0]

    years = Filters(year_from=2020, year_to=2022)
    assert n(years) == direct("", []) > 0
    assert n(replace(years, templates=("2021",))) == direct(" AND m.template = ?", ["2021"])
    assert n(replace(years, include_failed=False)) == direct(" AND NOT coalesce(m.has_figure_error, FALSE)", [])
    assert n(replace(years, include_failed=False)) < n(years)
