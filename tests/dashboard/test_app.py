"""AppTest runs of every page against the fixture warehouse: figures, filters, URL state, downloads."""

from __future__ import annotations

import base64
import io
import json
import urllib.parse
import zipfile

import duckdb
import numpy as np
import pandas as pd
import pytest
from dash_helpers import open_app, report_files, sql_runner
from docx import Document
from openpyxl import load_workbook

from dashboard import PAGES as DASHBOARD_PAGES
from dashboard import i18n
from dashboard.charts import FORMAT_BREAK
from dashboard.i18n import t
from etl import formats as F
from etl import metrics as M

PAGES = list(DASHBOARD_PAGES)
WITH_CHARTS = {"overview", "proactive", "requests", "review", "compare", "quality"}


def arr(v) -> list:
    """A plotly JSON array, plain or typed ({"dtype", "bdata"}, plotly ≥ 6)."""
    if isinstance(v, dict) and "bdata" in v:
        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=v["dtype"]).tolist()
    return list(v)


def metric_values(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def last_year(run) -> int:
    return int(run("SELECT max(year) AS y FROM report_metrics")["y"].iloc[0])


def ratio(df: pd.DataFrame, metric: str) -> float:
    """Ratio of sums over reports where both parts are known, computed in pandas (independently of SQL)."""
    m = M.get(metric)
    ok = df[m.numerator].notna() & df[m.denominator].notna()
    den = df.loc[ok, m.denominator].sum()
    return df.loc[ok, m.numerator].sum() * m.per / den if den else float("nan")  # no base: no rate


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders(app_env, page):
    at = open_app(page)
    assert at.title[0].value == t(f"page_{page}")
    if page in WITH_CHARTS:
        assert len(at.get("plotly_chart")) >= 2
        assert any(b.label == "PNG" for b in at.download_button)
        assert any(b.label == "Excel" for b in at.download_button)


def test_overview_headline_matches_the_warehouse(app_env, run):
    at = open_app()
    y = last_year(run)
    rm = run("SELECT * FROM report_metrics WHERE year = ?", [y])
    vals = metric_values(at)
    assert vals[t("reports_loaded")] == f"{len(rm):,}"
    assert vals[M.get("new_received").label("zh")] == f"{rm['new_received'].sum():,.0f}"
    assert vals[M.get("disclosure_rate").label("zh")] == f"{ratio(rm, 'disclosure_rate'):.1%}"
    assert vals[M.get("review_rate").label("zh")] == f"{ratio(rm, 'review_rate'):.2f}"
    assert vals[M.get("share_figure_errors").label("zh")] == f"{rm['has_figure_error'].mean():.1%}"
    # change vs the previous year is shown for the report count
    prev = run("SELECT count(*) AS n FROM report_metrics WHERE year = ?", [y - 1])["n"].iloc[0]
    delta = [m for m in at.metric if m.label == t("reports_loaded")][0].delta
    assert delta == f"{len(rm) - prev:+,.0f}"
    # sample data in view: the visible note
    assert any(t("sample_note") in w.value for w in at.warning)


def test_headline_changes_are_like_for_like_and_say_their_panel(app_env, run):
    """The change quoted is over the agencies that reported in both years, computed here in pandas from
    report_metrics, and it differs from the naive change over all reports in this corpus (agencies have
    gaps); the caption names the panel."""
    at = open_app()
    y = last_year(run)
    both = run("SELECT * FROM report_metrics WHERE year IN (?, ?)", [y - 1, y])
    years_of = both.groupby("agency_id")["year"].nunique()
    panel = both[both["agency_id"].isin(years_of[years_of == 2].index)]
    cur, prev = panel[panel["year"] == y], panel[panel["year"] == y - 1]
    same = cur["new_received"].sum() - prev["new_received"].sum()
    naive = both.loc[both["year"] == y, "new_received"].sum() - both.loc[both["year"] == y - 1, "new_received"].sum()
    assert same != naive
    metric = next(m for m in at.metric if m.label == M.get("new_received").label("zh"))
    assert metric.delta == f"{same:+,.0f}"
    rate = next(m for m in at.metric if m.label == M.get("disclosure_rate").label("zh"))
    assert rate.delta == f"{(ratio(cur, 'disclosure_rate') - ratio(prev, 'disclosure_rate')) * 100:+.1f} 个百分点"
    n_panel = panel["agency_id"].nunique()
    assert any(f"{n_panel} 个机关在 {y - 1} 年和 {y} 年均有报告" in c.value for c in at.caption)
    # the trends are like for like by default, and say over which agencies
    assert any("同口径：" in c.value and "每年均有报告" in c.value for c in at.caption)


def test_headline_arrows_follow_the_sign_of_the_change(app_env):
    """A change that rounds to zero is grey and has no arrow (an up-arrow would claim a rise); every other
    change points its way. The 2019–2020 view of the fixture corpus has a share that does not move."""
    from streamlit.proto.Metric_pb2 import Metric

    at = open_app(query={"y0": "2019", "y1": "2020"})
    seen_flat = 0
    for m in at.metric:
        if not m.delta:
            continue
        flat = not any(ch in "123456789" for ch in m.delta.split(" ")[0])
        direction = m.proto.direction
        if flat:
            seen_flat += 1
            assert (direction, m.proto.color) == (Metric.MetricDirection.NONE, Metric.MetricColor.GRAY), m.label
            assert not m.delta.startswith(("+", "-")), m.delta
        else:
            want = Metric.MetricDirection.DOWN if m.delta.startswith("-") else Metric.MetricDirection.UP
            assert direction == want, (m.label, m.delta)
    assert seen_flat, [(m.label, m.delta) for m in at.metric]


def test_trends_on_every_page_are_like_for_like_until_switched_off(app_env, run):
    """The review page's reconsideration rate is the ratio of sums over the agencies that reported in every
    year drawn (computed here in pandas), not over all reports; the toggle switches to all reports and says
    so."""
    rm = run("SELECT * FROM report_metrics")
    years = sorted(rm["year"].unique())
    per = rm.groupby("agency_id")["year"].nunique()
    panel = rm[rm["agency_id"].isin(per[per == len(years)].index)]
    want = {y: ratio(panel[panel["year"] == y], "review_rate") for y in years}
    every = {y: ratio(rm[rm["year"] == y], "review_rate") for y in years}
    assert any(abs(want[y] - every[y]) > 1e-6 for y in years)  # the corpus has agencies that skip years

    def line(at) -> dict:
        spec = json.loads(at.get("plotly_chart")[1].proto.spec)
        tr = next(tr for tr in spec["data"] if tr["name"] == M.get("review_rate").label("zh"))
        return dict(zip(arr(tr["x"]), arr(tr["y"]), strict=True))

    at = open_app("review")
    assert line(at) == {y: pytest.approx(want[y]) for y in years}
    n = panel["agency_id"].nunique()
    assert any(f"同口径：{n} 个机关" in c.value for c in at.caption)
    at.toggle(key="lfl_review").set_value(False).run()
    assert line(at) == {y: pytest.approx(every[y]) for y in years}
    assert any(c.value.startswith("全部报告：") for c in at.caption)


def test_a_table_over_several_years_says_so_in_its_heading(app_env, run):
    """申请量最大的机关 sums every year in the filter: its heading names the span, and its top figure is that
    agency's sum over those years (not one year's)."""
    at = open_app("requests", {"y0": "2020", "y1": "2022"})
    assert f"{t('top_agencies')} · 2020–2022 合计" in [h.value for h in at.subheader]
    rm = run("SELECT agency_name, new_received FROM report_metrics WHERE year BETWEEN 2020 AND 2022")
    want = rm.groupby("agency_name")["new_received"].sum().sort_values(ascending=False)
    top = next(d.value for d in at.dataframe if t("agency") in d.value.columns)
    assert top.iloc[0][t("agency")] == want.index[0]
    assert top.iloc[0][M.get("new_received").label("zh")] == want.iloc[0]
    # so do the charts that pool the years: the flow of requests and the applicants
    titles = [json.loads(c.proto.spec)["layout"]["title"]["text"].split("<br>")[0] for c in at.get("plotly_chart")]
    assert f"{t('flow')} · 2020–2022 合计" in titles and f"{t('applicants')} · 2020–2022 合计" in titles
    at = open_app("requests", {"y0": "2022", "y1": "2022"})
    assert f"{t('top_agencies')} · 2022 年" in [h.value for h in at.subheader]


def test_region_filter_changes_figures_and_url(app_env, run):
    at = open_app()
    top = run("SELECT province, city, count(*) AS n FROM report_metrics WHERE city IS NOT NULL "
              "GROUP BY 1, 2 ORDER BY 3 DESC LIMIT 1")
    p, c = top["province"].iloc[0], top["city"].iloc[0]
    at.sidebar.selectbox(key="f_prov").set_value(p).run()
    at.sidebar.selectbox(key="f_city").set_value(c).run()
    assert not at.exception
    y = last_year(run)
    n = run("SELECT count(*) AS n FROM report_metrics WHERE year = ? AND province = ? AND city = ?",
            [y, p, c])["n"].iloc[0]
    total = run("SELECT count(*) AS n FROM report_metrics WHERE year = ?", [y])["n"].iloc[0]
    assert 0 < n < total  # the filter really narrows
    assert metric_values(at)[t("reports_loaded")] == f"{n:,}"
    assert at.query_params["prov"] in (p, [p]) and at.query_params["city"] in (c, [c])


@pytest.mark.parametrize("page", PAGES)
def test_every_page_in_english(app_env, page):
    at = open_app(page, {"lang": "en"})
    assert at.title[0].value == t(f"page_{page}", "en")
    assert not any("\u4e00" <= ch <= "\u9fff" for h in at.subheader for ch in h.value.replace("样例", "")
                   if page != "report")


def test_url_seeds_filters_and_language(app_env, run):
    y = last_year(run)
    at = open_app(query={"y0": str(y - 1), "lang": "en", "kind": "department", "failed": "0"})
    assert at.title[0].value == "Overview"
    assert at.sidebar.slider(key="f_years").value == (y - 1, y)
    n = run("SELECT count(*) AS n FROM report_metrics WHERE year = ? AND kind = 'department' AND NOT has_figure_error",
            [y])["n"].iloc[0]
    assert metric_values(at)["Reports loaded"] == f"{n:,}"


def test_filters_matching_nothing_say_what_to_do(app_env):
    at = open_app()
    at.sidebar.text_input(key="f_q").input("没有这个机关' OR 1=1 --").run()
    assert not at.exception
    assert any(t("no_match") in i.value for i in at.info)
    assert not at.metric


def test_no_warehouse_says_how_to_build_one(tmp_path, monkeypatch):
    monkeypatch.setenv("DISCLOSURE_DB", str(tmp_path / "absent.duckdb"))
    at = open_app()
    assert any("python -m etl build data/samples" in i.value for i in at.info)
    at = open_app("glossary")  # the glossary needs no data
    assert len(at.dataframe) == 1


def test_downloads_are_real_files(app_env, downloads, run):
    open_app()
    y0 = int(run("SELECT min(year) AS y FROM report_metrics")["y"].iloc[0])
    y = last_year(run)
    # files named after what they hold, whose and which years, in the interface's language
    scope = f"全部机关_{y0}-{y}年"
    chart = f"{M.get('new_received').label('zh')}_{scope}"
    png = downloads[f"{chart}.png"]()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5000
    svg = downloads[f"{chart}.svg"]()
    svg = svg.decode() if isinstance(svg, bytes) else svg
    assert svg.lstrip().startswith("<svg") and M.get("new_received").label("zh") in svg
    wb = load_workbook(io.BytesIO(downloads[f"{t('trends')}_{scope}.xlsx"]()))
    ws = wb.active
    assert ws.cell(1, 1).value == t("trends")  # the title row names the table (its section)
    assert "数据日期" in ws.cell(2, 1).value  # then the filters and data date
    first = int(ws.freeze_panes[1:])  # the header is frozen above the first data row
    header = [c.value for c in ws[first - 1]]
    assert header[0] == t("year")
    years = [r[0].value for r in ws.iter_rows(min_row=first)]
    assert years[-1] == y
    csv = downloads[f"{t('trends')}_{scope}.csv"]().decode("utf-8-sig")
    assert csv.splitlines()[0].startswith(t("year"))
    brief = downloads[f"{t('briefing_title')}_{scope}.docx"]
    doc = Document(io.BytesIO(brief()))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert t("briefing_title") in text
    cells = [c.text for tb in doc.tables for row in tb.rows for c in row.cells]
    rm = run("SELECT * FROM report_metrics WHERE year = ?", [y])
    assert f"{ratio(rm, 'disclosure_rate'):.1%}" in cells
    assert M.get("disclosure_rate").definition("zh") in text
    with zipfile.ZipFile(io.BytesIO(brief())) as z:  # charts embedded as images
        assert len([n for n in z.namelist() if n.startswith("word/media/")]) >= 3


def test_report_page_highlights_finding_cells(app_env, run, downloads):
    f = run("""SELECT report_id, cells FROM findings WHERE report_id IS NOT NULL AND rule LIKE 'T3-%'
               AND json_array_length(cells) > 0 LIMIT 1""")
    if f.empty:
        pytest.skip("the generated corpus has no table 3 finding with cells")
    rid = f["report_id"].iloc[0]
    at = open_app("report", {"report": rid})
    assert at.query_params["report"] in (rid, [rid])
    t3 = [d for d in at.dataframe if "自然人" in d.value.columns]
    assert t3, "table 3 rebuilt with its printed labels"
    grid = t3[0].value
    raw = run("SELECT raw FROM cells WHERE report_id = ? AND tbl = 't3' AND row_key = 'new_received' "
              "AND col_key = 'natural_person'", [rid])["raw"].iloc[0]
    assert grid.iloc[0, 0] == raw
    styles = t3[0].proto.arrow_data.styler.styles
    assert "#ffe08a" in styles  # the finding's cells are highlighted
    n_flagged = len([a for a in json.loads(f["cells"].iloc[0]) if a.startswith("t3.")])
    assert styles.split("{")[0].count("_row") >= min(n_flagged, 1)
    # the rebuilt table downloads with the printed row labels and the figures as numbers; the file is named
    # after the agency, the year and the table
    agency, year = report_files(run, rid)
    value = run("SELECT value FROM cells WHERE report_id = ? AND tbl = 't3' AND row_key = 'new_received' "
                "AND col_key = 'natural_person'", [rid])["value"].iloc[0]
    csv = downloads[f"{agency}_{year}_表三.csv"]().decode("utf-8-sig").splitlines()
    assert csv[0].split(",")[1] == "自然人"
    assert csv[1].split(",")[:2] == ["一、本年新收政府信息公开申请数量", f"{value:.0f}"]
    sheet = load_workbook(io.BytesIO(downloads[f"{agency}_{year}_表三.xlsx"]())).active
    header = int(sheet.freeze_panes[1:]) - 1
    assert sheet.cell(header + 1, 2).value == value and sheet.cell(header + 1, 2).data_type == "n"
    # the finding's cells filled as on screen, and said so above the table
    filled = [c.coordinate for row in sheet.iter_rows(min_row=header + 1) for c in row
              if c.fill.fgColor.rgb.endswith("FFE08A")]
    assert len(filled) >= min(n_flagged, 1)
    assert t("highlight_note") in [sheet.cell(r, 1).value for r in range(1, header)]
    # a mark exactly where the warehouse says the parser did not place the cell by its header (the parser
    # decides: text renderings without a table's headers are placed in the official order), and the cell
    # list gives every cell's placement in words
    placed = run("SELECT tbl, row_key, col_key, raw, placed FROM cells WHERE report_id = ?", [rid])
    for c in placed[placed["tbl"] == "t3"].itertuples():
        mark = i18n.PLACEMENT_MARKS.get(c.placed)
        want = c.raw + "\u202f" + mark if mark else c.raw
        assert grid.loc[F.label("t3", "row", c.row_key), F.label("t3", "col", c.col_key)] == want
    cells = [d.value for d in at.dataframe if t("placement") in d.value.columns][0]
    # cells are named by their table, row and column labels (never an address key)
    by_label = {(tb, r, c): p for tb, r, c, p in zip(cells[t("cell_table")], cells[t("cell_row")], cells[t("cell_col")],
                                                    cells[t("placement")], strict=True)}
    assert by_label == {(F.TABLE_TITLES[c.tbl][0], F.label(c.tbl, "row", c.row_key), F.label(c.tbl, "col", c.col_key)):
                        i18n.PLACEMENTS[c.placed][0] for c in placed.itertuples()}
    shown = {c.value for c in at.caption}
    for key, mark in i18n.PLACEMENT_MARKS.items():  # a legend line for each mark shown, none for the others
        assert any(v.startswith(f"{mark} ") for v in shown) == (key in set(placed["placed"])), key


def _grid(at, column: str) -> tuple[pd.DataFrame, str]:
    """The rebuilt table with `column` among its headers, and its styles."""
    d = [d for d in at.dataframe if column in d.value.columns][0]
    return d.value, d.proto.arrow_data.styler.styles


def test_report_page_marks_cells_not_placed_by_their_header(placed_warehouse, monkeypatch, run, downloads):
    from dash_helpers import BROKEN, PLACED

    db, rid = placed_warehouse
    monkeypatch.setenv("DISCLOSURE_DB", str(db))
    with duckdb.connect(str(db), read_only=True) as con:
        stored = con.execute("SELECT tbl, row_key, col_key, raw, placed FROM cells WHERE report_id = ?",
                             [rid]).fetchall()
        raw = {(tb, r, c): v for tb, r, c, v, _ in stored}
        how = {(tb, r, c): p for tb, r, c, _, p in stored}
        flagged = con.execute("SELECT count(*) FROM findings WHERE report_id = ? AND list_contains("
                              "CAST(cells AS VARCHAR[]), ?)", [rid, ".".join(BROKEN)]).fetchone()[0]
        agency, year = report_files(sql_runner(con), rid)
    assert flagged, "the broken figure is a finding"
    at = open_app("report", {"report": rid})
    mark = i18n.PLACEMENT_MARKS
    # the value as printed, then its mark; the header-placed cells beside it as printed
    t3, styles = _grid(at, "自然人")
    row = t3.loc[F.label("t3", "row", "new_received")]
    assert row["自然人"] == raw["t3", "new_received", "natural_person"] + "\u202f" + mark["arithmetic"]
    assert row["商业企业"] == raw["t3", "new_received", "commercial"] + "\u202f" + mark["arithmetic"]
    assert row["科研机构"] == raw["t3", "new_received", "research"]
    assert "#ffe08a" in styles  # findings still highlighted
    t4, _ = _grid(at, F.label("t4", "col", "upheld"))
    assert t4.iloc[0, 0] == raw["t4", "review", "upheld"] + "\u202f" + mark["official_order"]
    t2, _ = _grid(at, F.label("t2", "col", "issued"))
    assert t2.loc[F.label("t2", "row", "regulations"), F.label("t2", "col", "issued")] == \
        raw["t2", "regulations", "issued"] + "\u202f" + mark["position"]
    # a legend under the tables, one line per mark shown, in the interface's words
    captions = [c.value for c in at.caption]
    assert t("placement_note") in captions
    assert {a: how[a] for a in PLACED} == PLACED
    for key in set(PLACED.values()):  # under each table showing the mark
        line = f"{mark[key]} {i18n.PLACEMENTS[key][0]}：{i18n.PLACEMENT_NOTES[key][0]}"
        assert captions.count(line) == len({a[0] for a, p in how.items() if p == key}), (key, captions)
    # every cell with its placement in words, on screen and in the downloads; never the codes
    cells = [d.value for d in at.dataframe if t("placement") in d.value.columns][0]
    words = dict(zip(zip(cells[t("cell_row")], cells[t("cell_col")], strict=True), cells[t("placement")], strict=True))
    assert {a: words[(F.label(a[0], "row", a[1]), F.label(a[0], "col", a[2]))] for a in how} == {
        a: i18n.PLACEMENTS[p][0] for a, p in how.items()}
    csv = downloads[f"{agency}_{year}_{t('cell_details')}.csv"]().decode("utf-8-sig")
    assert i18n.PLACEMENTS["arithmetic"][0] in csv and i18n.PLACEMENTS["header"][0] in csv
    assert not any(code in csv for code in ("arithmetic", "official_order", "position", "header"))
    # the table's download holds the figure as a number; its mark rides along as the cell's comment
    grid_csv = downloads[f"{agency}_{year}_表三.csv"]().decode("utf-8-sig").splitlines()
    assert grid_csv[1].split(",")[1] == raw["t3", "new_received", "natural_person"]
    sheet = load_workbook(io.BytesIO(downloads[f"{agency}_{year}_表三.xlsx"]())).active
    assert F.TABLE_TITLES["t3"][0] in sheet["A1"].value  # the title row names the report and the table
    header = int(sheet.freeze_panes[1:]) - 1
    above = [sheet.cell(r, 1).value for r in range(1, header)]
    line = f"{mark['arithmetic']} {i18n.PLACEMENTS['arithmetic'][0]}：{i18n.PLACEMENT_NOTES['arithmetic'][0]}"
    assert line in above  # the legend rides along
    first = sheet.cell(header + 1, 2)
    assert first.data_type == "n" and first.comment is not None
    assert f"{mark['arithmetic']} {i18n.PLACEMENTS['arithmetic'][0]}" in first.comment.text
    # in English: the same marks, the legend and the words in English
    at.sidebar.radio(key="f_lang").set_value("en").run()
    assert not at.exception, [e.value for e in at.exception]
    captions = [c.value for c in at.caption]
    line = f"{mark['arithmetic']} {i18n.PLACEMENTS['arithmetic'][1]}: {i18n.PLACEMENT_NOTES['arithmetic'][1]}"
    assert line in captions and t("placement_note", "en") in captions
    cells = [d.value for d in at.dataframe if t("placement", "en") in d.value.columns][0]
    assert set(cells[t("placement", "en")]) == {i18n.PLACEMENTS[k][1] for k in i18n.PLACEMENTS}


def test_report_page_on_a_warehouse_from_before_placed(warehouse, tmp_path, monkeypatch, run):
    import shutil

    db = tmp_path / "old.duckdb"
    shutil.copy(warehouse, db)
    with duckdb.connect(str(db)) as con:  # what a schema-3 build wrote: cells without `placed`
        con.execute("ALTER TABLE cells DROP COLUMN placed")
        rid, raw = con.execute("SELECT report_id, raw FROM cells WHERE tbl = 't3' AND row_key = 'new_received' "
                               "AND col_key = 'natural_person' LIMIT 1").fetchone()
    monkeypatch.setenv("DISCLOSURE_DB", str(db))
    at = open_app("report", {"report": rid})
    assert t("placed_stale") in [c.value for c in at.caption]  # says to rebuild, and still shows the tables
    t3, _ = _grid(at, "自然人")
    assert t3.iloc[0, 0] == raw


def test_quality_page_links_findings_to_reports(app_env, run):
    at = open_app("quality")
    shown = [d.value for d in at.dataframe if t("open_report") in d.value.columns]
    assert shown
    links = shown[0][t("open_report")].dropna().tolist()
    cells = run("SELECT report_id, CAST(cells AS VARCHAR) AS cells FROM findings WHERE report_id IS NOT NULL")
    places = {}
    for rid, cs in zip(cells["report_id"], cells["cells"], strict=True):
        places.setdefault(rid, set()).update(json.loads(cs))
    assert links
    for link in links:  # the report, opened at the finding's first cell in the source when it names one
        q = urllib.parse.parse_qs(link.split("?", 1)[1])
        assert q["report"][0] in places and q.get("src", [None])[0] in places[q["report"][0]] | {None}


def test_proactive_chart_never_draws_across_the_form_break(app_env):
    at = open_app("proactive")
    spec = json.loads(at.get("plotly_chart")[1].proto.spec)
    names = [tr["name"] for tr in spec["data"]]
    assert any("2019" in n for n in names) and any("2021" in n for n in names)
    for tr in spec["data"]:
        pts = list(zip(arr(tr["x"]), arr(tr["y"]), strict=True))
        assert pts
        for (x0, y0), (x1, y1) in zip(pts, pts[1:], strict=False):
            if x0 < FORMAT_BREAK < x1:
                assert y0 is None or y1 is None or np.isnan(y0) or np.isnan(y1), f"line across the break: {tr}"


def test_compare_and_ranking(app_env, run):
    at = open_app("compare")
    at.radio(key="cmp_dim").set_value("agency").run()
    choices = run("SELECT DISTINCT agency_name FROM report_metrics ORDER BY 1")["agency_name"].tolist()
    assert len(choices) >= 3
    at.multiselect(key="cmp_pick_agency").set_value(choices[:3]).run()
    assert not at.exception
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert sorted(tr["name"] for tr in spec["data"]) == choices[:3]
    # the plotted value for one agency and year is the ratio of sums of its reports
    y = last_year(run)
    rm = run("SELECT * FROM report_metrics WHERE agency_name = ? AND year = ?", [choices[0], y])
    tr = [tr for tr in spec["data"] if tr["name"] == choices[0]][0]
    got = dict(zip(arr(tr["x"]), arr(tr["y"]), strict=True))[y]
    assert got == pytest.approx(ratio(rm, "disclosure_rate"))
    # the ranking: within peer groups, nobody ranked on fewer than the minimum base, ties share a rank
    ranked = [d.value for d in at.dataframe if t("band") in d.value.columns][0]
    few = [d.value for d in at.dataframe if t("numerator") in d.value.columns and t("band") not in d.value.columns
           and t("rank") not in d.value.columns and t("rank_group") in d.value.columns]
    rm = run("SELECT * FROM report_metrics WHERE year = ?", [y])
    per = {a: ratio(g, "disclosure_rate") for a, g in rm.groupby("agency_name")}
    m = M.get("disclosure_rate")
    base = {a: g.loc[g[m.numerator].notna() & g[m.denominator].notna(), m.denominator].sum()
            for a, g in rm.groupby("agency_name")}
    assert len(ranked) > 3 and (ranked[t("denominator")] >= 10).all()
    assert all(base[a] >= 10 for a in ranked[t("agency")])
    if few:
        assert all(base[a] < 10 for a in few[0][t("agency")])
    assert {a for a, b in base.items() if b >= 10 and not np.isnan(per[a])} == set(ranked[t("agency")])
    for _, g in ranked.groupby(t("rank_group")):
        vals = [per[a] for a in g[t("agency")]]
        want = [1 + sum(v > x + 1e-12 for v in vals) for x in vals]  # competition ranking: 1, 1, 3
        assert g[t("rank")].tolist() == want
        assert (g[t("rank_of")] == len(g)).all()
        # bands by rank: the best ranks in band 1, none for a group too small to split into quarters
        bands = [t(f"band_{1 + 4 * (r - 1) // len(g)}") if len(g) >= 4 else t("band_none") for r in want]
        assert g[t("band")].tolist() == bands
    # one peer group per level and kind
    groups = set(ranked[t("rank_group")])
    peers = rm[rm["agency_name"].isin(ranked[t("agency")])][["level", "kind"]].drop_duplicates()
    assert len(groups) == len(peers)
    # the ranking chart is of one year and its subtitle says so, not the filter's span
    title = next(tt for c in at.get("plotly_chart")
                 if (tt := json.loads(c.proto.spec)["layout"]["title"]["text"]).startswith(t("ranking")))
    assert f"{y} · " in title and "<sup>" in title
    sub = title.split("<sup>", 1)[1]
    assert sub.startswith(str(y)) and "–" not in sub, title
    # the compared agencies head the table's columns, so the metric and its unit are named above it
    assert any(m.value.startswith(f"**{M.get('disclosure_rate').label('zh')}") for m in at.markdown)


def test_upload_parses_and_adds_to_the_warehouse(warehouse, tmp_path, monkeypatch):
    import shutil

    import duckdb

    from etl.sample.corpus import generate

    db = tmp_path / "wh.duckdb"
    shutil.copy(warehouse, db)
    new = tmp_path / "new"
    generate(new, agencies=1, years=[2023], seed=99, kinds=["text"], workers=1)
    report = next(p for p in new.rglob("*.txt"))
    monkeypatch.setenv("DISCLOSURE_DB", str(db))
    monkeypatch.setenv("DISCLOSURE_UPLOADS", str(tmp_path / "uploads"))
    with duckdb.connect(str(db), read_only=True) as c:  # closed: DuckDB keeps one instance per open path
        before = c.execute("SELECT count(*) FROM reports").fetchone()[0]
    at = open_app("upload")
    at.file_uploader(key="upload_files").set_value([
        (report.name, report.read_bytes(), "text/plain"), ("broken.pdf", b"%PDF-1.7 garbage", "application/pdf")])
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    from dashboard.ui import escape_md

    # parsed, with agency and year (names are shown as literal text: Markdown-escaped)
    assert any(escape_md(report.name) in s.value and "2023" in s.value for s in at.success)
    assert any(escape_md("broken.pdf") in e.value for e in at.error)  # unreadable: the reason, not a crash
    at.button(key="upload_add").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(s.value == t("added") for s in at.success)
    # the build's summary in the interface's words (etl.warehouse.summary), never a server path
    shown = [c.value for c in at.caption] + [s.value for s in at.success]
    assert any(v.startswith(escape_md(f"数据仓库已更新：共 {before + 1:,} 份报告")) for v in shown), shown
    assert not any(str(tmp_path) in v or escape_md(str(tmp_path)) in v for v in shown)
    at.run()  # the next rerun sees the swapped file (and lets go of the old one)
    assert any(f"{before + 1:,}" in c.value for c in at.sidebar.caption)
    import hashlib

    sha = hashlib.sha256(report.read_bytes()).hexdigest()
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM reports").fetchone()[0] == before + 1
        assert con.execute("SELECT count(*) FROM reports WHERE sha256 = ?", [sha]).fetchone()[0] == 1
    assert len(list((tmp_path / "uploads").iterdir())) == 1  # the readable file was kept, the broken one not


def test_an_expected_reporters_list_loaded_on_the_upload_page(warehouse, tmp_path, monkeypatch, downloads):
    import csv as csvmod
    import shutil

    import duckdb

    from dashboard.ui import escape_md

    db = tmp_path / "wh.duckdb"
    shutil.copy(warehouse, db)
    monkeypatch.setenv("DISCLOSURE_DB", str(db))
    monkeypatch.setenv("DISCLOSURE_UPLOADS", str(tmp_path / "uploads"))
    with duckdb.connect(str(db), read_only=True) as c:
        last = c.execute("SELECT max(year) FROM reports").fetchone()[0]
    never = "样例省样例市从未发布局"  # generated-style name: never published anything
    at = open_app("upload")
    at.file_uploader(key="expected_upload").set_value([("bad.csv", "name,from_year\nx局,20x0\n".encode(), "text/csv")])
    at.run()
    assert any(escape_md("bad.csv") in e.value and "第 2 行" in e.value for e in at.error), [e.value for e in at.error]
    # a name that is a spreadsheet formula (a hostile or careless list): it must reach every export as text
    formula = '=HYPERLINK("http://127.0.0.1:9/x","点击")样例局'
    listed = io.StringIO()
    csvmod.writer(listed, lineterminator="\n").writerows(
        [["机关名称", "起始年度", "截止年度"], [never, last - 1, last], [formula, last, last]])
    at.file_uploader(key="expected_upload").set_value([("list.csv", listed.getvalue().encode("gb18030"), "text/csv")])
    at.run()
    assert any("2" in s.value for s in at.success)
    at.button(key="expected_load").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert (tmp_path / "uploads" / "expected.csv").is_file(), [e.value for e in at.error]
    at.run()  # the next rerun sees the swapped file (and lets go of the old one)
    with duckdb.connect(str(db), read_only=True) as c:
        years = [y for (y,) in c.execute("SELECT f.year FROM findings f JOIN agencies a USING (agency_id) "
                                         "WHERE a.name = ? AND f.rule = 'coverage' ORDER BY 1", [never]).fetchall()]
    assert years == [last - 1, last]
    at = open_app("notice")
    at.selectbox(key="notice_year").set_value(last).run()
    assert any("2 个机关" in c.value for c in at.caption), [c.value for c in at.caption]
    items = next(d.value for d in at.dataframe if t("notice_problems") in d.value.columns)
    for who in (never, formula):
        row = items[items[t("notice_agency")] == who]
        assert len(row) == 1 and t("notice_matter_missing") in row[t("notice_problems")].iloc[0]
    # the formula stays text in the notice list's Excel and CSV (no live HYPERLINK, no DDE)
    name = next(n for n in downloads if n.startswith(f"{last}年度通报名单_") and n.endswith(".xlsx"))
    ws = load_workbook(io.BytesIO(downloads[name]())).active
    cells = [c for row in ws.iter_rows() for c in row if c.value == formula]
    assert cells and all(c.data_type == "s" for c in cells), [(c.coordinate, c.data_type) for c in cells]
    assert not [c.coordinate for row in ws.iter_rows() for c in row if c.data_type == "f"]
    rows = list(csvmod.reader(io.StringIO(downloads[name[:-5] + ".csv"]().decode("utf-8-sig"))))
    assert "'" + formula in {v for r in rows for v in r}  # read as text by a spreadsheet
    assert not any(v.startswith("=") for r in rows for v in r)


def _messages_shown(at) -> set[str]:
    """The texts of the findings tables on the page: the column headed 说明 / Message."""
    out: set[str] = set()
    for d in at.dataframe:
        for head in (t("message", "zh"), t("message", "en")):
            if head in d.value.columns:
                out |= set(d.value[head].dropna())
    return out


def test_findings_show_in_chinese_then_english_after_switching(app_env, run, downloads):
    f = run("""SELECT report_id FROM findings WHERE report_id IS NOT NULL GROUP BY 1
               ORDER BY count(*) DESC, report_id LIMIT 1""")
    if f.empty:
        pytest.skip("the generated corpus has no finding attached to a report")
    rid = f["report_id"].iloc[0]
    both = run("SELECT message, message_en FROM findings WHERE report_id = ?", [rid])
    zh, en = set(both["message"]), set(both["message_en"])
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in m.replace("样例", "")) for m in zh)
    assert zh.isdisjoint(en)  # the switch must change what is shown

    at = open_app("report", {"report": rid})
    assert _messages_shown(at) == zh  # Chinese by default
    agency, year = report_files(run, rid)
    csv = downloads[f"{agency}_{year}_{t('findings')}.csv"]().decode("utf-8-sig")
    assert all(m.split(",")[0] in csv for m in zh)  # the download carries what the screen shows
    at.sidebar.radio(key="f_lang").set_value("en").run()
    assert not at.exception, [e.value for e in at.exception]
    assert _messages_shown(at) == en

    quality = open_app("quality")
    assert zh <= _messages_shown(quality)
    quality.sidebar.radio(key="f_lang").set_value("en").run()
    shown = _messages_shown(quality)
    assert en <= shown and not zh & shown


def test_proactive_total_comes_with_its_report_counts(app_env, run):
    """Like for like by default: the chart and the table count the same agencies — those that stated the
    figure in every year (computed here in pandas) — and carry the same label; switched to all reports, the
    table gives every year's reports stating it, all reports and the median."""
    at = open_app("proactive")
    rm = run("SELECT agency_id, year, proactive_items FROM report_metrics")
    years = sorted(rm["year"].unique())
    stated = rm[rm["proactive_items"].notna()].groupby("agency_id")["year"].nunique()
    pan = rm[rm["agency_id"].isin(stated[stated == len(years)].index)]
    assert 0 < pan["agency_id"].nunique() < rm["agency_id"].nunique()
    table = [d.value for d in at.dataframe if t("n_stated") in d.value.columns][0].set_index(t("year"))
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    line = dict(zip(arr(spec["data"][0]["x"]), arr(spec["data"][0]["y"]), strict=True))
    label = M.get("proactive_items").label("zh")
    for y, g in pan.groupby("year"):
        assert table.loc[y, label] == g["proactive_items"].sum() == line[y]
        assert table.loc[y, t("n_stated")] == len(g) and table.loc[y, t("n_agencies")] == pan["agency_id"].nunique()
    title = spec["layout"]["title"]["text"].split("<br>")[0]
    assert title == t("proactive_basis", label=t("proactive_items"), basis=t("basis_lfl"))
    assert any(m.value == f"**{title}**" for m in at.markdown)  # the table under it says the same

    at.toggle(key="lfl_proactive").set_value(False).run()
    table = [d.value for d in at.dataframe if t("n_stated") in d.value.columns][0]
    want = run("SELECT year, count(proactive_items) AS n, count(*) AS m, median(proactive_items) AS med, "
               "sum(proactive_items) AS s FROM report_metrics GROUP BY 1 ORDER BY 1")
    got = table.set_index(t("year"))
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    line = dict(zip(arr(spec["data"][0]["x"]), arr(spec["data"][0]["y"]), strict=True))
    for _, w in want.iterrows():
        row = got.loc[w["year"]]
        assert (row[t("n_stated")], row[t("n_reports")]) == (w["n"], w["m"])
        assert row[t("median_items")] == pytest.approx(w["med"])
        assert row[label] == w["s"] == line[w["year"]]
    assert spec["layout"]["title"]["text"].startswith(t("proactive_basis", label=t("proactive_items"),
                                                        basis=t("basis_all")))


def _zip_bomb_docx(inflated_mb: int = 512) -> bytes:
    """A small DOCX whose document.xml inflates to `inflated_mb` MB (written in chunks: cheap to make)."""
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("word/document.xml", "w", force_zip64=True) as f:
            f.write(b"<w:document><w:body><w:p><w:r><w:t>")
            block = b"A" * (1 << 20)
            for _ in range(inflated_mb):
                f.write(block)
            f.write(b"</w:t></w:r></w:p></w:body></w:document>")
    return buf.getvalue()


def test_a_hostile_upload_costs_the_server_nothing_and_the_good_files_still_load(warehouse, tmp_path,
                                                                                monkeypatch):
    import resource
    import shutil

    from dashboard.ui import escape_md
    from etl.sample.corpus import generate

    db = tmp_path / "wh.duckdb"
    shutil.copy(warehouse, db)
    new = tmp_path / "new"
    generate(new, agencies=1, years=[2023], seed=98, kinds=["html"], workers=1)
    good = next(p for p in new.rglob("*.html"))
    bomb = _zip_bomb_docx()
    monkeypatch.setenv("DISCLOSURE_DB", str(db))
    monkeypatch.setenv("DISCLOSURE_UPLOADS", str(tmp_path / "uploads"))
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB
    at = open_app("upload")
    at.file_uploader(key="upload_files").set_value([
        ("bomb.docx", bomb, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("![p](http://127.0.0.1:9/px.png)样例局.html", good.read_bytes(), "text/html")])
    at.run(timeout=120)
    assert not at.exception, [e.value for e in at.exception]
    assert any(escape_md("bomb.docx") in e.value for e in at.error)
    shown = [s.value for s in at.success]
    assert any(escape_md("![p](http://127.0.0.1:9/px.png)样例局.html") in s for s in shown), shown
    assert not any("](http" in s for s in shown)  # the name is literal text, not an image
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before) / 1024
    assert grown_mb < 200, f"the server process grew by {grown_mb:.0f} MB"


def test_report_page_marks_ocr_cells_and_the_cell_corrected_by_arithmetic(ocr_warehouse, monkeypatch):
    from dashboard.filters import Filters
    from dashboard.queries import identity_failures_by_read

    db, rid, corrected = ocr_warehouse
    monkeypatch.setenv("DISCLOSURE_DB", str(db))
    with duckdb.connect(str(db), read_only=True) as con:
        stored = {f"{tb}.{r}.{c}": (raw, v, rd, conf) for tb, r, c, raw, v, rd, conf in con.execute(
            "SELECT tbl, row_key, col_key, raw, value, read, ocr_conf FROM cells WHERE report_id = ?", [rid]).fetchall()}
        (method,) = con.execute("SELECT read_method FROM reports WHERE report_id = ?", [rid]).fetchone()
        run = sql_runner(con)
        by_read = identity_failures_by_read(run, Filters())
        only_ocr = run(f"SELECT count(*) AS n FROM report_metrics m WHERE {Filters(reads=('ocr',)).where()[0]}",
                       Filters(reads=("ocr",)).where()[1])
    assert method == "ocr" and stored[corrected][2] == "ocr_corrected"
    assert {v[2] for v in stored.values()} == {"ocr", "ocr_corrected"} and all(0 < v[3] <= 1 for v in stored.values())
    assert set(by_read["read_method"]) == {"text", "ocr"} and int(only_ocr["n"].iloc[0]) == 1
    at = open_app("report", {"report": rid})
    meta = [d.value for d in at.dataframe if t("metadata") in d.value.columns][0]
    assert i18n.READ_METHODS["ocr"][0] in meta[t("value")].tolist()
    t3, _ = _grid(at, "自然人")
    raw, value, _, _ = stored["t3.new_received.natural_person"]
    assert t3.loc[F.label("t3", "row", "new_received"), "自然人"] == f"{raw}\u202f°"
    raw, value, _, _ = stored[corrected]
    assert t3.loc[F.label("t3", "row", "granted"), "总计"] == f"{value:g} ({raw})\u202f※"
    captions = [c.value for c in at.caption]
    for key, mark in i18n.CELL_READ_MARKS.items():
        assert f"{mark} {i18n.CELL_READS[key][0]}：{i18n.CELL_READ_NOTES[key][0]}" in captions
    cells = [d.value for d in at.dataframe if t("cell_read") in d.value.columns][0]
    assert set(cells[t("cell_read")]) == {i18n.CELL_READS["ocr"][0], i18n.CELL_READS["ocr_corrected"][0]}
    # the quality page counts tables not adding up per way of reading
    at = open_app("quality")
    assert t("not_adding_up_by_read") in [h.value for h in at.subheader]


def test_report_table_3_prints_its_group_rows(app_env, run):
    """三、本年度办理结果 heads the outcomes and （三）…（六） their numbered sub-rows as on the form; none holds
    figures."""
    rid = run("SELECT r.report_id FROM reports r JOIN cells c USING (report_id) WHERE r.is_active AND "
              "r.t3_format = '2021' AND c.tbl = 't3' AND c.row_key = 'withheld_state_secret' LIMIT 1")
    at = open_app("report", {"report": rid["report_id"].iloc[0]})
    t3, _ = _grid(at, F.label("t3", "col", "natural_person"))
    labels = list(t3.index)
    for g in F.OUTCOME_GROUPS:
        if not g.heading:
            continue
        first = F.label("t3", "row", g.rows[F.Format("2021")][0])
        assert labels[labels.index(first) - 1] == g.heading[0], g.key
        assert (t3.loc[g.heading[0]] == "").all()
    granted = F.label("t3", "row", "granted")
    assert labels[labels.index(granted) - 1] == F.T3_OUTCOMES_HEADING[0]
    assert (t3.loc[F.T3_OUTCOMES_HEADING[0]] == "").all()


def test_table_builder_gives_each_rate_with_its_parts(app_env, run, downloads):
    at = open_app("builder")
    at.selectbox(key="builder_dim").set_value("province").run()
    at.toggle(key="builder_lfl").set_value(False).run()  # all reports (like for like: tests/dashboard/test_rankings.py)
    assert not at.exception
    table = next(d.value for d in at.dataframe if t("builder_group") in d.value.columns)
    y = last_year(run)
    rm = run("SELECT * FROM report_metrics WHERE year = ?", [y])
    m = M.get("disclosure_rate")
    for prov, g in rm.groupby("province"):
        row = table[(table[t("builder_group")] == prov) & (table[t("year")] == y)].iloc[0]
        ok = g[m.numerator].notna() & g[m.denominator].notna()
        assert row[m.label("zh")] == pytest.approx(ratio(g, "disclosure_rate"))
        assert row[f"{m.label('zh')} · {t('numerator')}"] == g.loc[ok, m.numerator].sum()
        assert row[f"{m.label('zh')} · {t('denominator')}"] == g.loc[ok, m.denominator].sum()
        assert row[M.get("new_received").label("zh")] == g["new_received"].sum()
    name = next((n for n in downloads if n.startswith(t("page_builder")) and n.endswith(".xlsx")), sorted(downloads))
    ws = load_workbook(io.BytesIO(downloads[name]())).active
    assert ws.cell(1, 1).value.startswith(t("page_builder"))  # then the basis: like for like or all reports
    header = int(ws.freeze_panes[1:]) - 1
    col = [c.value for c in ws[header]].index(m.label("zh")) + 1
    assert ws.cell(header + 1, col).number_format == "0.0%" and isinstance(ws.cell(header + 1, col).value, float)
