"""`etl build`: incremental reuse, bad input, reference data, export, and atomic replacement under kill -9."""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from helpers import ROOT, clean_values, corpus, render_report, write

from etl.warehouse import export
from etl.warehouse.build import build
from etl.warehouse.files import discover


def counts(db: Path) -> dict:
    with duckdb.connect(str(db), read_only=True) as con:
        q = {t: f"SELECT count(*) FROM {t}" for t in ("reports", "cells", "findings", "ingest_errors", "agencies")}
        out = {t: con.execute(s).fetchone()[0] for t, s in q.items()}
        out["built_at"], out["n_parsed"], out["n_reused"] = con.execute(
            "SELECT built_at, n_parsed, n_reused FROM build_info").fetchone()
    return out


def test_incremental_reuses_unchanged_files(tmp_path: Path) -> None:
    files = corpus(tmp_path / "src")
    db = tmp_path / "wh.duckdb"
    first = build([tmp_path / "src"], db, jobs=2, progress=False)
    assert (first["n_parsed"], first["n_reused"], first["n_reports"]) == (6, 0, 6)
    before = counts(db)
    again = build([tmp_path / "src"], db, jobs=2, progress=False)
    assert (again["n_parsed"], again["n_reused"]) == (0, 6)
    after = counts(db)
    assert {k: after[k] for k in ("reports", "cells", "findings", "agencies")} == \
        {k: before[k] for k in ("reports", "cells", "findings", "agencies")}
    # one file edited (a total broken), one moved: only the edited one is parsed; the moved one keeps its rows
    text = files[0].read_text(encoding="utf-8").replace("本年度未收取信息处理费。", "本年度未收取信息处理费用。")
    files[0].write_text(text, encoding="utf-8")
    files[1].rename(tmp_path / "src" / "a0" / "moved.txt")
    third = build([tmp_path / "src"], db, jobs=1, progress=False)
    assert (third["n_parsed"], third["n_reused"]) == (1, 5)
    with duckdb.connect(str(db), read_only=True) as con:
        paths = {Path(p).name for (p,) in con.execute("SELECT source_path FROM reports").fetchall()}
    assert "moved.txt" in paths and files[1].name in paths  # a0/2021.txt edited, a0/2022.txt moved
    full = build([tmp_path / "src"], db, jobs=2, full=True, progress=False)
    assert (full["n_parsed"], full["n_reused"]) == (6, 0)
    assert not list(tmp_path.glob("wh.duckdb.tmp-*"))


def test_discover_skips_data_files(tmp_path: Path) -> None:
    for name in ("a.txt", "b.html", "c.PDF", "d.docx", "noext", "e.json", "f.csv", "g.md", "h.png", "j.gif",
                 ".hidden.txt"):
        write(tmp_path, name, "x")
    write(tmp_path / "sub", "i.shtml", "x")
    found, skipped = discover([tmp_path])
    # page images are scans of a report (read by OCR) and Markdown is text; other images and data files are
    # not reports, and are listed with their reason rather than dropped without a word (etl.filekinds)
    assert sorted(Path(f.path).name for f in found) == ["a.txt", "b.html", "c.PDF", "d.docx", "g.md", "h.png",
                                                        "i.shtml", "noext"]
    assert sorted((Path(s.display).name, s.code) for s in skipped) == [
        (".hidden.txt", "hidden"), ("e.json", "data_file"), ("f.csv", "data_file"), ("j.gif", "unsupported")]


def test_bad_files_are_recorded_and_the_build_goes_on(tmp_path: Path) -> None:
    src = tmp_path / "src"
    good = corpus(src, n_agencies=1, years=(2022,))[0]
    full = good.read_bytes()
    bad = {
        "empty.txt": b"",
        "blank.txt": b"   \n\n\t\n",
        "garbage.bin": os.urandom(4000),  # no extension: sniffed, binary content
        "garbage": bytes(range(256)) * 20,
        "truncated.txt": full[:60],  # cut inside the title
        "utf16-no-bom.txt": "无标题随便一些文字".encode("utf-16-le"),
        "fake.pdf": b"%PDF-1.4\n" + os.urandom(500),
        "old.doc": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + os.urandom(500),
        "broken.docx": b"PK\x03\x04" + os.urandom(300),
    }
    for name, data in bad.items():
        (src / name).write_bytes(data)
    write(src, "manifest.json", "{}")
    write(src, "notes.csv", "a,b\n")
    db = tmp_path / "wh.duckdb"
    info = build([src], db, jobs=2, progress=False)
    with duckdb.connect(str(db), read_only=True) as con:
        errors = dict(con.execute("SELECT path, reason FROM ingest_errors").fetchall())
        codes = dict(con.execute("SELECT path, code FROM ingest_errors").fetchall())
        loaded = [Path(p).name for (p,) in con.execute("SELECT source_path FROM reports").fetchall()]
    assert loaded == [good.name]
    # every bad file is listed with a reason (garbage.bin too: a name of no known kind is read by content)
    listed = {Path(p).name: r for p, r in errors.items()}
    assert set(listed) == set(bad), listed
    by_name = {Path(p).name: c for p, c in codes.items()}
    assert by_name["old.doc"] == "unsupported" and by_name["empty.txt"] == "empty", by_name
    for name, reason in listed.items():
        assert reason and len(reason) < 400 and "\n" not in reason.strip(), (name, reason)
    assert info["n_errors"] == len(listed)


def test_reference_csv_at_source_root_sets_region(tmp_path: Path) -> None:
    src = tmp_path / "src"
    rng = random.Random(3)
    write(src / "x", "2022.txt", render_report("样例省样例市样例区样例镇", 2022, clean_values(rng), published="2023-01-05"))
    write(src, "agencies.csv", "name,province,city,county,level,kind,sector,is_sample\n"
                               "样例省样例市样例区样例镇,样例省,样例市,样例区,township,township,,1\n")
    db = tmp_path / "wh.duckdb"
    build([src], db, jobs=1, progress=False)
    with duckdb.connect(str(db), read_only=True) as con:
        row = con.execute("SELECT province, city, county, level, kind, is_sample, region_source FROM agencies").fetchone()
        deadline = con.execute("SELECT deadline FROM reports").fetchone()[0]
    assert row == ("样例省", "样例市", "样例区", "township", "township", True, "reference")
    assert deadline is None  # the 2019 regulation sets townships no date, and this source states none
    # a deadlines.csv beside it states the province's own date for townships
    write(src, "deadlines.csv", "from_year,to_year,level,kind,province,city,month,day,basis\n"
                                "2019,,,township,样例省,,2,28,样例省规定\n")
    build([src], db, jobs=1, progress=False)
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT deadline, deadline_basis FROM reports").fetchone() == (
            dt.date(2023, 2, 28), "样例省规定")


def test_export_parquet_and_csv(tmp_path: Path) -> None:
    corpus(tmp_path / "src", n_agencies=2)
    db = tmp_path / "wh.duckdb"
    build([tmp_path / "src"], db, jobs=1, progress=False)
    with duckdb.connect(str(db), read_only=True) as con:
        pq = export.export_parquet(con, tmp_path / "pq")
        csv = export.export_csv(con, tmp_path / "csv")
        n_cells = con.execute("SELECT count(*) FROM cells").fetchone()[0]
        n_metrics = con.execute("SELECT count(*) FROM report_metrics").fetchone()[0]
        back = con.execute("SELECT count(*) FROM read_parquet(?, hive_partitioning = true)",
                           [str(tmp_path / "pq" / "cells" / "*" / "*.parquet")]).fetchone()[0]
        years = sorted(p.name for p in (tmp_path / "pq" / "report_metrics").iterdir())
        csv_rows = con.execute("SELECT count(*) FROM read_csv(?)", [str(tmp_path / "csv" / "report_metrics.csv")]).fetchone()[0]
    assert {p.name for p in pq} == {"cells", "reports", "findings", "report_metrics"}
    assert len(csv) == len(export.CSV) and back == n_cells and csv_rows == n_metrics
    assert years == ["year=2021", "year=2022"]


def _placements(db: Path) -> list[str | None]:
    with duckdb.connect(str(db), read_only=True) as con:
        return [p for (p,) in con.execute("SELECT placed FROM cells").fetchall()]


def test_cells_carry_their_placement_through_build_reuse_and_export(tmp_path: Path, monkeypatch) -> None:
    import etl.parse

    files = corpus(tmp_path / "src", n_agencies=1)
    db = tmp_path / "wh.duckdb"
    build([tmp_path / "src"], db, jobs=1, progress=False)
    placed = _placements(db)
    assert placed and set(placed) == {"header"}  # tab-separated text with its headers: named columns

    # the parser's evidence, whatever it is, reaches the warehouse through the build's own parse path …
    real = etl.parse.parse_file

    def parse_file(path, data=None):
        report = real(path, data)
        report.cell("t3", "new_received", "natural_person").placed = "arithmetic"
        report.cell("t4", "review", "upheld").placed = "official_order"
        return report

    monkeypatch.setattr(etl.parse, "parse_file", parse_file)
    info = build([tmp_path / "src"], db, jobs=1, full=True, progress=False)
    monkeypatch.undo()
    assert info["n_parsed"] == len(files)
    with duckdb.connect(str(db), read_only=True) as con:
        got = dict(con.execute("SELECT placed, count(*) FROM cells GROUP BY 1").fetchall())
    assert got == {"arithmetic": len(files), "official_order": len(files),
                   "header": sum(got.values()) - 2 * len(files)}
    # … survives an incremental build that reuses the rows of unchanged files …
    again = build([tmp_path / "src"], db, jobs=1, progress=False)
    assert (again["n_parsed"], again["n_reused"]) == (0, len(files))
    touched = tmp_path / "src" / "a0" / "copy.txt"
    touched.write_text(files[0].read_text(encoding="utf-8") + "\n", encoding="utf-8")  # a new file: rows copied
    third = build([tmp_path / "src"], db, jobs=1, progress=False)
    assert (third["n_parsed"], third["n_reused"]) == (1, len(files))
    with duckdb.connect(str(db), read_only=True) as con:
        reused = dict(con.execute("""SELECT r.source_path, c.placed FROM cells c JOIN reports r USING (report_id)
                                     WHERE c.tbl = 't3' AND c.row_key = 'new_received'
                                     AND c.col_key = 'natural_person'""").fetchall())
        # … and every export
        export.export_parquet(con, tmp_path / "pq")
        export.export_csv(con, tmp_path / "csv")
        pq = dict(con.execute("SELECT placed, count(*) FROM read_parquet(?, hive_partitioning = true) GROUP BY 1",
                              [str(tmp_path / "pq" / "cells" / "*" / "*.parquet")]).fetchall())
        csv = dict(con.execute("SELECT placed, count(*) FROM read_csv(?) GROUP BY 1",
                               [str(tmp_path / "csv" / "cells.csv")]).fetchall())
        table = dict(con.execute("SELECT placed, count(*) FROM cells GROUP BY 1").fetchall())
    assert reused == {**{str(f.resolve()): "arithmetic" for f in files}, str(touched.resolve()): "header"}
    assert pq == csv == table and table["arithmetic"] == len(files)


def test_a_warehouse_from_before_placed_is_rebuilt_not_reused(tmp_path: Path) -> None:
    files = corpus(tmp_path / "src", n_agencies=1)
    db = tmp_path / "wh.duckdb"
    build([tmp_path / "src"], db, jobs=1, progress=False)
    with duckdb.connect(str(db)) as con:  # what a schema-3 build left: no cells.placed
        con.execute("ALTER TABLE cells DROP COLUMN placed")
        con.execute("UPDATE build_info SET schema_version = 3")
    info = build([tmp_path / "src"], db, jobs=1, progress=False)
    assert (info["n_parsed"], info["n_reused"]) == (len(files), 0)
    assert set(_placements(db)) == {"header"}


def test_a_constructed_report_keeps_its_placements_through_the_load_path(tmp_path: Path) -> None:
    from etl.model import PLACEMENTS, Cell, Report, Source
    from etl.warehouse import load, schema
    from etl.warehouse.agencies import Resolver
    from etl.warehouse.build import finish

    # "640020470" glued together: natural persons 6400, businesses 2047, others 0 is the reading the totals allow
    cells = [Cell("t3", "new_received", "natural_person", 6400, "640020470", "number", "arithmetic"),
             Cell("t3", "new_received", "legal_commercial", 2047, "640020470", "number", "arithmetic"),
             Cell("t3", "new_received", "total", 8447, "8447", "number"),
             Cell("t4", "review", "upheld", 1, "1", "number", "official_order"),
             Cell("t2", "regulations", "issued", 2, "2", "number", "position")]
    report = Report(source=Source("made/2022.txt", "c" * 64, "text"), agency="样例市样例局", year=2022,
                    template="2021", cells=cells)
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    schema.create(con)
    load.load_reports(con, [report])
    finish(con, Resolver())
    rows = con.execute("SELECT tbl, row_key, col_key, placed, raw FROM cells WHERE report_id = ?",
                       ["c" * 64]).fetchall()
    got = {(t, r, c): (p, raw) for t, r, c, p, raw in rows}
    con.close()
    assert got == {(c.table, c.row, c.col): (c.placed, c.raw) for c in cells}
    assert {p for p, _ in got.values()} == set(PLACEMENTS)


def test_findings_carry_chinese_and_english_messages_into_exports(tmp_path: Path) -> None:
    files = corpus(tmp_path / "src", n_agencies=2, years=(2021, 2022, 2023))
    gap = next(f for f in files if f.parent.name == "a0" and f.name == "2022.txt")
    gap.unlink()  # the agency's 2022 report is missing: a coverage finding
    db = tmp_path / "wh.duckdb"
    build([tmp_path / "src"], db, jobs=1, progress=False)
    with duckdb.connect(str(db), read_only=True) as con:
        export.export_csv(con, tmp_path / "csv")
        n_blank = con.execute("SELECT count(*) FROM findings WHERE message IS NULL OR message_en IS NULL").fetchone()[0]
        rows = con.execute("SELECT rule, year, message, message_en FROM read_csv(?) WHERE rule = 'coverage'",
                           [str(tmp_path / "csv" / "findings.csv")]).fetchall()
    assert n_blank == 0
    assert rows == [("coverage", 2022, "未找到样例市样例甲局的2022年度报告", "no report for 2022 from 样例市样例甲局")]

# --- atomicity ------------------------------------------------------------------------------------


def _start_build(src: Path, db: Path, pause: str, log: Path) -> subprocess.Popen:
    env = dict(os.environ, ETL_BUILD_PAUSE=pause, PYTHONPATH=str(ROOT))
    return subprocess.Popen([sys.executable, "-m", "etl", "build", str(src), "--db", str(db), "--jobs", "1",
                             "--quiet", "--full"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=log.open("wb"))


def _wait_for(log: Path, text: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if text in log.read_text(errors="replace"):
            return
        if proc.poll() is not None:
            raise AssertionError(f"build ended before {text!r}: {log.read_text(errors='replace')[-2000:]}")
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {text!r}")


@pytest.mark.slow
def test_kill_mid_build_never_loses_the_previous_warehouse(tmp_path: Path) -> None:
    src = tmp_path / "src"
    corpus(src, n_agencies=2)
    db = tmp_path / "wh.duckdb"
    build([src], db, jobs=1, progress=False)
    good = counts(db)
    # the next build sees more files, so a half-written warehouse would show different counts
    corpus(tmp_path / "src" / "more", n_agencies=3, seed=9)
    log = tmp_path / "build.log"
    rng = random.Random(42)
    points = ["parsed", "loaded", "checked", "replace"] + [f"random:{rng.uniform(0.2, 1.5):.2f}" for _ in range(2)]
    for point in points:
        if point.startswith("random:"):
            proc = _start_build(src, db, "", log)
            time.sleep(float(point.split(":")[1]))
        else:
            proc = _start_build(src, db, f"{point}:30", log)
            _wait_for(log, f"pausing at {point}", proc)
            # a reader queries the previous warehouse while the build is under way
            with duckdb.connect(str(db), read_only=True) as con:
                assert con.execute("SELECT count(*) FROM reports").fetchone()[0] == good["reports"]
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        if not point.startswith("random:"):
            assert list(tmp_path.glob("wh.duckdb.tmp-*")), "a build killed mid-way leaves its temp file"
        now = counts(db)
        if now["reports"] != good["reports"]:  # a random kill may land after the swap: then it is the new one
            assert point.startswith("random:") and now["n_parsed"] == 10, (point, now)
            good = now
        else:
            assert now == good, point
    build([src], db, jobs=1, progress=False)
    assert not list(tmp_path.glob("wh.duckdb.tmp-*")) and not list(tmp_path.glob("*.wal"))
    assert counts(db)["reports"] == 10
    shutil.rmtree(src / "more")
