"""The review loop in the app (AppTest): loading, reviewing and correcting refused without the editing password
and logged with the user once signed in; a dismissed finding leaves the 通报 list; a corrected cell shows its mark
(✎, who, why, the printed value) and the checks run on it; the source file beside the rebuilt tables."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest
from dash_helpers import open_app

from dashboard.i18n import t
from etl import formats as F
from etl.casework import follow
from etl.casework import states as S
from etl.casework.passwords import make_hash
from etl.casework.store import Store
from etl.checks.categories import ACCUSATION
from etl.sourceview import probes

PASSWORD = "审核-2024"


@pytest.fixture
def own(warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the session's warehouse (its store is this test's own), served by the app."""
    db = tmp_path / "wh.duckdb"
    shutil.copy(warehouse, db)
    monkeypatch.setenv("DISCLOSURE_DB", str(db))
    monkeypatch.setenv("DISCLOSURE_UPLOADS", str(tmp_path / "uploads"))
    return db


def sign_in(at, name: str, password: str):
    at.sidebar.text_input(key="edit_name").input(name)
    at.sidebar.text_input(key="edit_password").input(password)
    next(b for b in at.sidebar.button if b.label == t("edit_sign_in")).click().run()
    return at


def forge(widget):
    """The widget as a client that ignores `disabled` would send it: the server must not act on it (Streamlit
    drops a disabled widget's reported value; the action checks the editor again besides)."""
    widget.proto.disabled = False
    return widget


def count(db: Path, sql: str, params=()) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, list(params)).fetchone()[0]


def test_loading_and_reviewing_need_the_password(own: Path, tmp_path: Path, monkeypatch) -> None:
    from etl.sample.corpus import generate

    monkeypatch.setenv("DISCLOSURE_ADMIN_PASSWORD", make_hash(PASSWORD))
    new = tmp_path / "new"
    generate(new, agencies=1, years=[2023], seed=99, kinds=["text"], workers=1)
    report = next(new.rglob("*.txt"))
    before = count(own, "SELECT count(*) FROM reports")

    at = open_app("upload")
    assert any(t("edit_refused") in i.value for i in at.info)  # said before anything is tried
    at.file_uploader(key="upload_files").set_value([(report.name, report.read_bytes(), "text/plain")]).run()
    button = at.button(key="upload_add")
    assert button.disabled
    forge(button).click().run()  # a request made anyway is refused: nothing copied, nothing built
    assert count(own, "SELECT count(*) FROM reports") == before
    assert not (tmp_path / "uploads").exists() or not any((tmp_path / "uploads").iterdir())

    sign_in(at, "张三", "wrong")
    assert any(t("edit_wrong") in e.value for e in at.sidebar.error)
    assert at.button(key="upload_add").disabled
    sign_in(at, "张三", PASSWORD)
    assert any("张三" in c.value for c in at.sidebar.caption)
    at.button(key="upload_add").click().run()
    assert not at.exception, [e.value for e in at.exception]
    at.run()  # the next rerun sees the swapped file (and lets go of the old one)
    assert count(own, "SELECT count(*) FROM reports") == before + 1
    log = Store.beside(own).history()
    assert [(h["action"], h["user"]) for h in log] == [("load", "张三")]

    # reviewing: refused in a session that has not signed in, logged with the user in one that has
    fid = run_one(own, f"SELECT finding_id FROM findings WHERE {ACCUSATION} ORDER BY finding_id LIMIT 1")
    quality = open_app("quality")
    quality.multiselect(key="quality_review_ids").set_value([fid]).run()
    assert quality.button(key="quality_review_save").disabled
    forge(quality.button(key="quality_review_save")).click().run()
    assert any(t("edit_refused") in w.value for w in quality.warning)  # said beside the form
    assert Store.beside(own).marks() == []
    sign_in(quality, "李四", PASSWORD)
    quality.multiselect(key="quality_review_ids").set_value([fid])
    quality.radio(key="quality_review_state").set_value("confirmed")
    quality.text_area(key="quality_review_note").input("已电话核实").run()
    quality.button(key="quality_review_save").click().run()
    [m] = Store.beside(own).marks()
    assert (m["finding_id"], m["state"], m["made_by"], m["note"]) == (fid, "confirmed", "李四", "已电话核实")


def run_one(db: Path, sql: str, params=()):
    with duckdb.connect(str(db), read_only=True) as con:
        row = con.execute(sql, list(params)).fetchone()
    if row is None:
        pytest.skip("the generated corpus has no such finding")
    return row[0]


def late_in_list(at, agency: str) -> int:
    """Rows of the 通报 list naming `agency` with a late-publication matter."""
    items = next(d.value for d in at.dataframe if t("notice_problems") in d.value.columns)
    rows = items.loc[items[t("notice_agency")] == agency, t("notice_problems")]
    return sum(t("notice_matter_late") in str(p) for p in rows)


def test_a_dismissed_finding_leaves_the_notice_list(own: Path) -> None:
    year, fid, agency = (run_one(own, f"""SELECT {c} FROM findings f JOIN agencies a USING (agency_id)
                                           WHERE {ACCUSATION} AND f.rule = 'timeliness'
                                           ORDER BY f.year DESC, f.finding_id LIMIT 1""")
                         for c in ("f.year", "f.finding_id", "a.name"))
    n_before = count(own, f"SELECT count(*) FROM findings f WHERE f.year = ? AND {ACCUSATION} "
                          "AND f.rule = 'timeliness' AND f.agency_id = (SELECT agency_id FROM findings "
                          "WHERE finding_id = ?)", [year, fid])
    at = open_app("notice")
    at.selectbox(key="notice_year").set_value(year).run()
    assert late_in_list(at, agency) == 1  # one row per agency, its matters merged

    with duckdb.connect(str(own), read_only=True) as con:
        Store.beside(own).mark(follow.snapshot(con, [fid]), "dismissed", "测试", "发布日期据网页核实无误")
    at.run()
    assert late_in_list(at, agency) == (1 if n_before > 1 else 0)  # its only late finding was dismissed
    assert any(t("cw_notice_dismissed", n=1) in c.value for c in at.caption)

    # the quality page lists it under its state
    quality = open_app("quality")
    quality.multiselect(key="quality_states").set_value(["dismissed"]).run()
    shown = next(d.value for d in quality.dataframe if t("cw_state") in d.value.columns)
    assert list(shown[t("cw_state")]) == [S.word(S.STATES, "dismissed")] and list(shown[t("agency")]) == [agency]


def test_a_corrected_cell_is_marked_checked_and_shown_beside_its_source(own: Path) -> None:
    """A cell corrected to one more than printed: after a rebuild the table shows the value set, the printed
    one and ✎ with who and why; the checks run on it (its row no longer adds up); the source beside the
    tables is at the row."""
    from etl.casework import corrections as C
    from etl.warehouse.build import build

    rid = run_one(own, """SELECT r.report_id FROM reports r JOIN cells c USING (report_id)
                          WHERE r.is_active AND r.kind = 'text' AND c.tbl = 't3' AND c.row_key = 'granted'
                            AND c.col_key = 'total' AND c.kind = 'number'
                            AND NOT EXISTS (SELECT 1 FROM findings f WHERE f.report_id = r.report_id
                                            AND f.rule = 'T3-columns')
                          ORDER BY r.report_id LIMIT 1""")
    raw, value = (run_one(own, f"SELECT {c} FROM cells WHERE report_id = ? AND tbl = 't3' AND row_key = 'granted' "
                               "AND col_key = 'total'", [rid]) for c in ("raw", "value"))
    addr = "t3.granted.total"
    Store.beside(own).add_override("cell", "value", C.check("cell", "value", str(int(value) + 1)), "据纸质原件",
                                   "王五", report_id=rid, cell=addr, label="test")
    build([], own, jobs=1, progress=False)
    cols = json.loads(run_one(own, "SELECT CAST(cells AS VARCHAR) FROM findings WHERE report_id = ? "
                                   "AND rule = 'T3-columns'", [rid]))
    assert addr in cols  # the checks saw the corrected value

    at = open_app("report", {"report": rid, "src": addr})
    assert not at.exception, [e.value for e in at.exception]
    t3 = next(d.value for d in at.dataframe if F.label("t3", "col", "natural_person", "zh") in d.value.columns)
    shown = t3.loc[F.label("t3", "row", "granted", "zh"), F.label("t3", "col", "total", "zh")]
    assert shown == f"{int(value) + 1} ({raw})\u202f✎"
    assert any("王五" in c.value and "据纸质原件" in c.value for c in at.caption)
    # the source: the text file's lines around table 3, the granted row highlighted
    lines = next(d.value for d in at.dataframe if t("src_line") in d.value.columns)
    focus = [c.value for c in at.caption if t("src_lines_caption", total=0, where="").split("0")[0] in c.value]
    assert focus, [c.value for c in at.caption]
    n = int(focus[0].split("第 ")[-1].split(" 行")[0])
    text = lines.loc[lines[t("src_line")] == n, t("src_text")].iloc[0]
    assert any(p in F.norm(text) for p in probes("t3", "granted"))
    findings = next(d.value for d in at.dataframe if t("src_place") in d.value.columns)
    assert f"第 {n} 行" in set(findings[t("src_place")])
