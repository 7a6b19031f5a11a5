"""Files that leave the app (dashboard.exports): text that could be a formula stays text in Excel and CSV,
number formats follow the unit the page declared, names are safe, and a file carries the sample note only when
its rows hold generated data, with a subtitle naming the scope it holds."""

from __future__ import annotations

import csv
import io
import shutil

import duckdb
import pandas as pd
import pytest
from dash_helpers import open_app, report_files, sql_runner
from openpyxl import load_workbook

from dashboard import exports
from dashboard.i18n import t

HOSTILE = ['=HYPERLINK("http://127.0.0.1:9/x","点击")', "=cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0",
           "+1+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "\t=1+1", "\r=1+1"]


def test_text_that_could_be_a_formula_stays_text_in_excel_and_csv():
    df = pd.DataFrame({"机关": HOSTILE, "数量": [1, -2, 3, 4, 5, 6, 7], "备注": ["-", "—", "+", "a", "b", "c", "d"]})
    df[HOSTILE[0]] = 1.5  # a column named by user text (the compared agencies head the columns)
    ws = load_workbook(io.BytesIO(exports.xlsx_bytes(df, "t", "说明", "标题"))).active
    header = int(ws.freeze_panes[1:]) - 1
    cells = {c.value: c for row in ws.iter_rows(min_row=header) for c in row}
    for text in HOSTILE:
        assert cells[text].data_type == "s", (text, cells[text].data_type)  # text, never a formula
    assert not [c.coordinate for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert ws.cell(header + 2, 2).value == -2 and ws.cell(header + 2, 2).data_type == "n"  # a number stays one
    rows = list(csv.reader(io.StringIO(exports.csv_bytes(df).decode("utf-8-sig"), newline="")))
    assert rows[0][-1] == "'" + HOSTILE[0]
    assert [r[0] for r in rows[1:]] == ["'" + v for v in HOSTILE]
    assert [r[1] for r in rows[1:]][:2] == ["1", "-2"] and [r[2] for r in rows[1:]][:3] == ["-", "—", "+"]


def test_excel_formats_follow_the_declared_unit():
    s = pd.Series([0.5, 0.25])
    assert exports.excel_format("percent", s) == "0.0%"
    assert exports.excel_format("%d", pd.Series([2022, 2023])) == "0"
    assert exports.excel_format("%.2f", s) == "#,##0.00"
    assert exports.excel_format("%.1f", s) == "#,##0.0"
    assert exports.excel_format("%+.1f", s) == "+#,##0.0;-#,##0.0;#,##0.0"
    assert exports.excel_format("localized", pd.Series([1200.0, 3.0])) == "#,##0"
    assert exports.excel_format(None, pd.Series([1.5, 2.0])) == "#,##0.00"
    assert exports.excel_format(None, pd.Series(["a"])) is None
    df = pd.DataFrame({"年度": [2022, 2023], "公开率": [0.96, 0.5], "未知": [None, 3.0]})
    ws = load_workbook(io.BytesIO(exports.xlsx_bytes(df, formats={"年度": "0", "公开率": "0.0%"}))).active
    assert [(c.value, c.number_format) for c in ws[2]] == [(2022, "0"), (0.96, "0.0%"), ("—", "General")]


def test_file_names_are_safe_and_say_what_and_whom():
    assert exports.file_name(["2023年度报告发布情况通报", "样例杳峪省"], "docx") == "2023年度报告发布情况通报_样例杳峪省.docx"
    assert exports.file_name(["年度趋势", "全部机关", "2019–2023年"], "xlsx") == "年度趋势_全部机关_2019-2023年.xlsx"
    for bad in ("../../etc/passwd", 'a<b>:c"d|e?f*g\\h', "\x00\x1f.", "CON", "\u2060样例\u2060局"):
        name = exports.file_name([bad, "x"], "csv")
        assert not set(name) & set('/\\<>:"|?*\x00\x1f\u2060') and not name.startswith("."), name
    assert exports.file_name(["CON"], "csv") == "_CON.csv"  # a name Windows reserves
    assert len(exports.file_name(["机" * 300], "xlsx").encode()) < 255


def test_sample_note_and_scope_only_where_they_belong(warehouse, tmp_path, monkeypatch, downloads):
    """A real (not generated) report's files carry no sample note while a table over the view still does;
    a single year's table names that year, not the filters' span."""
    db = tmp_path / "wh.duckdb"
    shutil.copy(warehouse, db)
    with duckdb.connect(str(db)) as con:
        aid, rid = con.execute("SELECT agency_id, report_id FROM reports WHERE is_active ORDER BY year DESC, "
                               "report_id LIMIT 1").fetchone()
        for table in ("agencies", "reports", "report_metrics"):
            con.execute(f"UPDATE {table} SET is_sample = FALSE WHERE agency_id = ?", [aid])
        agency, year = report_files(sql_runner(con), rid)
        y0, y1 = con.execute("SELECT min(year), max(year) FROM reports").fetchone()
    monkeypatch.setenv("DISCLOSURE_DB", str(db))
    open_app("report", {"report": rid})
    real = load_workbook(io.BytesIO(downloads[f"{agency}_{year}_表三.xlsx"]())).active
    head = [str(real.cell(r, 1).value) for r in range(1, int(real.freeze_panes[1:]) - 1)]
    assert not any(t("sample_note") in v for v in head), head
    assert str(year[:4]) in head[1] and f"{y0}–{y1}" not in head[1], head
    view = load_workbook(io.BytesIO(downloads[f"{t('trends')}_全部机关_{y0}-{y1}年.xlsx"]())).active
    assert t("sample_note") in [view.cell(r, 1).value for r in range(1, 5)]
    # a ranking is of one year: its file's subtitle says that year only
    at = open_app("compare")
    assert not at.exception
    ranking = next(n for n in downloads if n.startswith(f"{t('ranking')}_") and n.endswith(f"_{y1}年.xlsx"))
    sub = load_workbook(io.BytesIO(downloads[ranking]())).active.cell(2, 1).value
    assert sub.startswith(f"{y1} · ") and "–" not in sub.split(" · ")[0], sub


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_briefing_and_notice_are_named_in_the_interface_language(app_env, downloads, run, lang):
    open_app("overview", {"lang": lang})
    open_app("notice", {"lang": lang})
    y1 = int(run("SELECT max(year) AS y FROM reports")["y"].iloc[0])
    names = [n for n in downloads if n.endswith(".docx")]
    whom = "全部机关" if lang == "zh" else "All_agencies"
    want = (f"{y1}年度报告发布情况通报_{whom}.docx" if lang == "zh"
            else f"Notice_on_the_{y1}_annual_reports_{whom}.docx")
    assert want in names, names
    assert any(n.startswith(exports.file_name([t("briefing_title", lang)], "x")[:-2]) for n in names), names
