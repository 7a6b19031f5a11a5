"""Real published reports (../shared/samples, read in place): they load with no failed check, and a copy
with one number changed is caught by the rule that number breaks."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb

from etl.parse import parse_file
from etl.warehouse import load, schema
from etl.warehouse.agencies import Resolver
from etl.warehouse.build import build, finish

NINGBO = "ningbo-etdz-commerce-2022.txt"
HUAIAN = "huaian-city-2024.pdf"


def _fails(db: Path | duckdb.DuckDBPyConnection) -> list[tuple]:
    q = "SELECT rule, cells, message FROM findings WHERE status = 'fail'"
    if isinstance(db, Path):
        with duckdb.connect(str(db), read_only=True) as con:
            return con.execute(q).fetchall()
    return db.execute(q).fetchall()


def test_ningbo_loads_clean_and_a_changed_figure_is_caught(shared_samples: Path, tmp_path: Path) -> None:
    src = tmp_path / "ok"
    src.mkdir()
    shutil.copy(shared_samples / NINGBO, src / NINGBO)
    build([src], tmp_path / "ok.duckdb", jobs=1, progress=False)
    assert _fails(tmp_path / "ok.duckdb") == []
    with duckdb.connect(str(tmp_path / "ok.duckdb"), read_only=True) as con:
        a = con.execute("SELECT province, city, level, kind, sector FROM agencies").fetchone()
        nf = con.execute("SELECT t2_normative_in_force, proactive_items, new_received FROM report_metrics").fetchone()
    # the zone table (etl/reference/zones.csv): a bureau of 宁波经济技术开发区, a county-level zone of 宁波市
    assert a == ("浙江省", "宁波市", "county", "department", "commerce")
    assert nf == (3, 229, 0)
    # the copy: table 3's first figure (new requests, natural persons) becomes 5 instead of 0
    lines = (shared_samples / NINGBO).read_text(encoding="utf-8").split("\n")
    i = next(n for n, ln in enumerate(lines) if "本年新收政府信息公开申请数量" in ln)
    assert lines[i + 1] == "\t0"
    lines[i + 1] = "\t5"
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / NINGBO).write_text("\n".join(lines), encoding="utf-8")
    build([bad], tmp_path / "bad.duckdb", jobs=1, progress=False)
    fails = _fails(tmp_path / "bad.duckdb")
    assert {r for r, _, _ in fails} == {"T3-balance", "T3-columns"}
    assert all("t3.new_received.natural_person" in json.loads(c) for _, c, _ in fails)


def test_huaian_pdf_loads_clean_and_a_changed_figure_is_caught(shared_samples: Path, tmp_path: Path) -> None:
    report = parse_file(shared_samples / HUAIAN)
    assert report.cells, "the PDF's tables should be read"
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    schema.create(con)
    load.load_reports(con, [report])
    finish(con, Resolver())
    assert _fails(con) == []
    assert con.execute("SELECT city, kind, level FROM agencies").fetchone() == ("淮安市", "government", "city")
    # a PDF cannot be edited in place: change one figure of the parsed report (granted, total column)
    cell = report.cell("t3", "granted", "total")
    assert cell is not None and cell.value
    cell.value += 10
    report.source.sha256 = "edited-" + report.source.sha256[:20]
    con2 = duckdb.connect(str(tmp_path / "bad.duckdb"))
    schema.create(con2)
    load.load_reports(con2, [report])
    finish(con2, Resolver())
    fails = _fails(con2)
    assert {r for r, _, _ in fails} == {"T3-outcomes", "T3-columns"}
    assert all("t3.granted.total" in json.loads(c) for _, c, _ in fails)
    con.close()
    con2.close()
