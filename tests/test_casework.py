"""The office's review loop over real builds: marks survive rebuilds, a finding the agency corrected by
republishing becomes "rectified", a dismissed one leaves the 通报, and a correction (override) is applied by every
build with the printed value kept — the checks then run on the corrected value — until it is revoked.

The corpus is a few files of the bundled sample corpus copied to a temporary folder; "republishing" edits a copy
the way an agency replaces its report at the same address."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
from pathlib import Path

import duckdb
import pytest

from dashboard import notice
from dashboard import queries as Q
from dashboard.filters import Filters
from etl.casework import corrections as C
from etl.casework import follow
from etl.casework.passwords import make_hash, verify
from etl.casework.store import CaseworkError, Store, path_for
from etl.cli import main as cli
from etl.warehouse import deadlines
from etl.warehouse.build import build

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples"
# generated reports with a known defect (data/samples/manifest.json), and one clean-ish neighbour
FILES = {
    "stock": "jize-sheng/huangmei-shi/civil_affairs/2024.txt",  # T2-stock: issued 17 > in force 16 + repealed 0
    "late": "jize-sheng/gov/2024.txt",  # timeliness: published 22 days late
    "columns": "jize-sheng/huangmei-shi/education/2020.txt",  # T3-columns, T3-outcomes, timeliness
    "pdf": "jize-sheng/huangmei-shi/ruiyua-qu/gov/2021.pdf",  # T2-stock: issued 148 > 131 + 7, timeliness
}


def sql(con: duckdb.DuckDBPyConnection):
    def run(q: str, params=()):
        return con.execute(q, list(params)).df()

    return run


@pytest.fixture
def corpus(tmp_path: Path) -> tuple[Path, Path]:
    if not (SAMPLES / "manifest.json").is_file():
        pytest.skip("data/samples is not in this checkout")
    src = tmp_path / "src"
    for rel in ("agencies.csv", "deadlines.csv", *FILES.values()):
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(SAMPLES / rel, src / rel)
    db = tmp_path / "wh.duckdb"
    build([src], db, jobs=1, progress=False)
    return src, db


def findings(db: Path, rule: str, path_part: str) -> list[dict]:
    with duckdb.connect(str(db), read_only=True) as con:
        cur = con.execute("""SELECT f.finding_id, f.report_id, f.actual, f.expected, CAST(f.cells AS VARCHAR) AS cells
                             FROM findings f JOIN reports r USING (report_id)
                             WHERE f.rule = ? AND r.source_path LIKE ?""", [rule, f"%{path_part}"])
        return [dict(zip([d[0] for d in cur.description], r, strict=True)) for r in cur.fetchall()]


def mark(db: Path, ids: list[str], state: str, reason: str | None = None, user: str = "张三") -> None:
    with duckdb.connect(str(db), read_only=True) as con:
        snaps = follow.snapshot(con, ids)
    assert len(snaps) == len(ids)
    Store.beside(db).mark(snaps, state, user, reason)


def republish_corrected_stock(src: Path, db: Path) -> None:
    """Rewrite the T2-stock report's 本年制发件数 of 行政规范性文件 to the in-force + repealed sum it should be."""
    path = src / FILES["stock"]
    with duckdb.connect(str(db), read_only=True) as con:
        got = dict(con.execute("""SELECT c.col_key, c.raw FROM cells c JOIN reports r USING (report_id)
                                  WHERE r.source_path = ? AND c.tbl = 't2' AND c.row_key = 'normative_documents'""",
                               [str(path)]).fetchall())
    right = int(got["in_force"]) + int(got["repealed"])
    assert int(got["issued"]) != right
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(i for i, ln in enumerate(lines) if ln.strip() == "行政规范性文件")
    j = next(k for k in range(at + 1, len(lines)) if lines[k].strip())  # the row's first value: 本年制发件数
    assert lines[j].strip() == got["issued"]
    lines[j] = lines[j].replace(got["issued"], str(right))
    path.write_text("".join(lines), encoding="utf-8")


def test_marks_survive_rebuilds_and_follow_the_republished_report(corpus) -> None:
    src, db = corpus
    stock = findings(db, "T2-stock", FILES["stock"])
    late = findings(db, "timeliness", FILES["late"])
    columns = findings(db, "T3-columns", FILES["columns"])
    assert len(stock) == 1 and len(late) == 1 and columns
    store = Store.beside(db)
    assert store.path == path_for(db) and store.path.name == "wh.review.sqlite" and not store.exists()
    with pytest.raises(CaseworkError):  # a dismissal needs its reason
        mark(db, [late[0]["finding_id"]], "dismissed")
    mark(db, [stock[0]["finding_id"]], "confirmed")
    mark(db, [late[0]["finding_id"]], "dismissed", "网页发布日期早于截止日期，落款有误")
    mark(db, [columns[0]["finding_id"]], "notified", user="李四")
    before = {m["finding_id"]: m for m in store.marks()}

    # the dismissed finding leaves the 通报 list (and the 通报 built from it); the others stay
    with duckdb.connect(str(db), read_only=True) as con:
        run = sql(con)
        listed = set(Q.notice_list(run, Filters(lang="zh"), 2024)["finding_id"])
        kept = set(Q.notice_list(run, Filters(lang="zh"), 2024, store.dismissed())["finding_id"])
        frame = notice.frame(run, Filters(lang="zh"), 2024, store.dismissed())
    assert {late[0]["finding_id"], stock[0]["finding_id"]} <= listed
    assert late[0]["finding_id"] not in kept and stock[0]["finding_id"] in kept
    assert len(frame) == len(kept) == len(listed) - 1

    # the agency republishes the stock report corrected at the same address; the other files are unchanged
    republish_corrected_stock(src, db)
    info = build([], db, jobs=1, progress=False)
    assert info["n_replaced"] == 1 and info["n_reused"] == 3
    assert findings(db, "T2-stock", FILES["stock"]) == []
    after = {m["finding_id"]: m for m in store.marks()}
    assert set(after) == set(before)  # every mark kept, with its state, reason and user
    for fid, m in after.items():
        assert (m["state"], m["reason"], m["made_by"]) == (before[fid]["state"], before[fid]["reason"],
                                                           before[fid]["made_by"])
    assert after[stock[0]["finding_id"]]["outcome"] == "rectified"
    assert after[columns[0]["finding_id"]]["outcome"] == "open"  # its report is unchanged and still has it
    assert info["follow_up"]["rectified"] == 1 and info["follow_up"]["changed"] == 1
    log = store.history()
    assert [(h["action"], h["state"], h["finding_id"]) for h in log if h["action"] == "follow_up"] == [
        ("follow_up", "rectified", stock[0]["finding_id"])]
    assert {h["user"] for h in log if h["action"] == "mark"} == {"张三", "李四"}

    # a republication that still carries a marked problem keeps it open under the new report's finding id
    path = src / FILES["columns"]
    path.write_text(path.read_text(encoding="utf-8") + "\n（本报告于次年重新发布）\n", encoding="utf-8")
    build([], db, jobs=1, progress=False)
    new = findings(db, "T3-columns", FILES["columns"])
    assert new and columns[0]["finding_id"] not in {f["finding_id"] for f in new}  # another report, another id
    assert {m["finding_id"]: m["outcome"] for m in store.marks()}[columns[0]["finding_id"]] == "open"

    # the log is append-only
    with sqlite3.connect(store.path) as con, pytest.raises(sqlite3.DatabaseError):
        con.execute("UPDATE history SET user = 'someone else'")
    with sqlite3.connect(store.path) as con, pytest.raises(sqlite3.DatabaseError):
        con.execute("DELETE FROM history")


def test_corrections_apply_on_every_build_with_the_printed_value_kept(corpus, capsys) -> None:
    src, db = corpus
    [stock] = findings(db, "T2-stock", FILES["pdf"])
    late = findings(db, "timeliness", FILES["columns"])
    assert late
    mark(db, [stock["finding_id"]], "confirmed")
    with duckdb.connect(str(db), read_only=True) as con:
        row = dict(con.execute("""SELECT col_key, value FROM cells WHERE report_id = ? AND tbl = 't2'
                                  AND row_key = 'normative_documents'""", [stock["report_id"]]).fetchall())
    printed = row["issued"]
    fixed = int(row["in_force"] + row["repealed"])  # what 本年制发件数 may be at most
    assert printed > fixed
    rc = cli(["override", "set", "--db", str(db), "--report", stock["report_id"], "--cell",
              "t2.normative_documents.issued", "--value", str(fixed), "--reason", "第2页印刷模糊，据原件核对",
              "--user", "王五"])
    assert rc == 0
    with duckdb.connect(str(db), read_only=True) as con:
        agency, year = con.execute("SELECT a.name, r.year FROM reports r JOIN agencies a USING (agency_id) "
                                   "WHERE r.source_path LIKE ?", [f"%{FILES['columns']}"]).fetchone()
        due = con.execute("SELECT deadline FROM reports WHERE source_path LIKE ?", [f"%{FILES['columns']}"]).fetchone()[0]
    # by CSV: the report's date (named by agency and year), in Chinese headers
    csv = f"对象,机关,年度,值,理由\n发布日期,{agency},{year},{due.isoformat()},网页发布日期\n".encode("gb18030")
    (src.parent / "fix.csv").write_bytes(csv)
    assert cli(["override", "import", str(src.parent / "fix.csv"), "--db", str(db), "--user", "王五"]) == 0
    with duckdb.connect(str(db), read_only=True) as con, pytest.raises(CaseworkError, match="line 2"):
        C.read_csv(b"target,report,cell,value,reason\ncell,nope,t3.granted.total,x,why\n", con)  # names its line

    info = build([], db, jobs=1, progress=False)  # no file changed: the corrections alone make it rebuild
    assert not info.get("unchanged")

    def state() -> tuple:
        with duckdb.connect(str(db), read_only=True) as con:
            cell = con.execute("""SELECT raw, value, kind FROM cells WHERE report_id = ? AND tbl = 't2'
                                  AND row_key = 'normative_documents' AND col_key = 'issued'""",
                               [stock["report_id"]]).fetchone()
            marks = con.execute("""SELECT target, printed, value, applied, made_by, reason FROM overrides
                                   ORDER BY override_id""").fetchall()
            # the table's grain (tests/test_warehouse_grain.py): one row per correction
            assert con.execute("SELECT count(*) = count(DISTINCT override_id) AND count(override_id) = count(*) "
                               "FROM overrides").fetchone()[0]
            late_now = con.execute("""SELECT count(*) FROM findings f JOIN reports r USING (report_id)
                                      WHERE f.rule = 'timeliness' AND r.source_path LIKE ?""",
                                   [f"%{FILES['columns']}"]).fetchone()[0]
        return cell, marks, late_now, findings(db, "T2-stock", FILES["pdf"])

    cell, marks, late_now, stock_now = state()
    assert cell == (f"{printed:g}", float(fixed), "number")  # the printed text kept, the value corrected
    assert marks[0] == ("cell", f"{printed:g}", str(fixed), True, "王五", "第2页印刷模糊，据原件核对")
    assert marks[1][:4] == ("published_on", marks[1][1], due.isoformat(), True) and marks[1][1] != due.isoformat()
    assert stock_now == [] and late_now == 0  # the checks ran on the corrected values
    assert {m["finding_id"]: m["outcome"] for m in Store.beside(db).marks()}[stock["finding_id"]] == "withdrawn"

    # a build that reuses every report keeps them applied (the copied rows' printed values restored first)
    path = src / FILES["stock"]
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    build([], db, jobs=1, progress=False)
    assert state() == (cell, marks, 0, [])

    # exported, they import back as the same corrections
    store = Store.beside(db)
    with duckdb.connect(str(db), read_only=True) as con:
        again = C.read_csv(C.to_csv(store.overrides()).encode(), con)
    assert [(c.target, c.field, c.value, c.report_id, c.cell) for c in again] == [
        (o["target"], o["field"], o["value"], o["report_id"], o["cell"]) for o in store.overrides()]

    # revoked, the next build puts the printed value back and the finding returns
    assert cli(["override", "revoke", "1", "--db", str(db), "--reason", "核对有误", "--user", "王五"]) == 0
    build([], db, jobs=1, progress=False)
    cell, marks, _, stock_now = state()
    assert cell == (f"{printed:g}", float(printed), "number") and len(marks) == 1
    assert [f["finding_id"] for f in stock_now] == [stock["finding_id"]]
    assert [h["action"] for h in store.history() if h["override_id"] == 1] == ["revoke", "override"]


def test_an_agency_correction_moves_its_deadline(corpus) -> None:
    src, db = corpus
    with duckdb.connect(str(db), read_only=True) as con:
        aid, kind, prov, city, rid, year, due, days = con.execute(
            """SELECT a.agency_id, a.kind, a.province, a.city, r.report_id, r.year, r.deadline,
                      date_diff('day', r.deadline, r.published_on)
               FROM agencies a JOIN reports r USING (agency_id) WHERE r.source_path LIKE ?""",
            [f"%{FILES['late']}"]).fetchone()
    assert kind == "government" and days > 0
    rule = deadlines.deadline(deadlines.rules([src]), year, "county", "department", prov, city)
    want = dt.date(year + 1, rule.month, rule.day)
    assert want != due  # a department's deadline is not a government's (etl/reference/deadlines.csv)
    store = Store.beside(db)
    for field, value in (("kind", "部门"), ("level", "县级")):
        store.add_override("agency", field, C.check("agency", field, value), "机构调整", "赵六", agency_id=aid)
    build([], db, jobs=1, progress=False)
    with duckdb.connect(str(db), read_only=True) as con:
        got = con.execute("""SELECT a.kind, a.level, r.deadline, f.actual FROM agencies a JOIN reports r USING (agency_id)
                             JOIN findings f ON f.report_id = r.report_id AND f.rule = 'timeliness'
                             WHERE r.report_id = ?""", [rid]).fetchone()
        printed = dict(con.execute("SELECT field, printed FROM overrides WHERE agency_id = ?", [aid]).fetchall())
    assert got == ("department", "county", want, float((due - want).days + days))  # later by the earlier date
    assert printed == {"kind": "government", "level": "province"}


def test_values_are_checked_before_they_are_stored() -> None:
    assert C.check("published_on", "published_on", "2024年3月5日") == "2024-03-05"
    assert C.check("agency", "kind", "街道办") == "subdistrict"
    assert C.check("cell", "value", "１２") == "12" and C.check("cell", "value", "/") == "/"
    assert C.check("cell", "value", "") == ""
    for target, field, bad in (("published_on", "published_on", "2024-13-01"), ("agency", "level", "部级以上"),
                               ("cell", "value", "十二"), ("cell", "value", "976.81万元")):
        with pytest.raises(CaseworkError):
            C.check(target, field, bad)
    with pytest.raises(CaseworkError):
        C.check_cell("t3.nowhere.total")


def test_the_password_setting_is_a_hash_or_the_password() -> None:
    h = make_hash("s3cret")
    assert h.startswith("pbkdf2_sha256$") and "s3cret" not in h
    assert verify("s3cret", h) and not verify("s3cret ", h) and not verify("", h)
    assert verify("plain", "plain") and not verify("plain", "plane")
    assert not verify("x", "pbkdf2_sha256$notanumber$00$00")


def test_the_cli_lists_and_marks(corpus, capsys) -> None:
    _, db = corpus
    [late] = findings(db, "timeliness", FILES["late"])
    assert cli(["review", "mark", late["finding_id"], "--db", str(db), "--state", "已排除"]) == 2  # no reason
    assert cli(["review", "mark", late["finding_id"], "--db", str(db), "--state", "已排除", "--reason", "已核实",
                "--user", "钱七"]) == 0
    capsys.readouterr()
    assert cli(["review", "list", "--db", str(db), "--state", "dismissed", "--json"]) == 0
    rows = [json.loads(ln) for ln in capsys.readouterr().out.splitlines()]
    assert [(r["finding_id"], r["state"]) for r in rows] == [(late["finding_id"], "dismissed")]
    assert cli(["review", "mark", "0000000000000000", "--db", str(db), "--state", "confirmed"]) == 2
