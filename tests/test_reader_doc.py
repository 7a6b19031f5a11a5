"""Legacy Word (.doc): converted with LibreOffice headless, then read by the DOCX reader.

The .doc files are made here from the project's own generated .docx reports (LibreOffice saving them as
Word 97), so the ground truth beside each report holds for its .doc too. Without LibreOffice these tests
skip locally and fail in CI (CI=true), where .ci/run installs it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from etl.document import ReadError
from etl.parse import parse_file
from etl.readers import sniff
from etl.readers.convert import APT_PACKAGE, ENV_PROGRAM, program
from etl.readers.limits import MAX_CONVERT_SECONDS
from etl.reasons import wording
from etl.sample.compare import compare, load_truth

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@pytest.fixture(scope="module")
def soffice() -> str:
    if SOFFICE is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"LibreOffice (soffice) is missing in CI: .ci/run installs {APT_PACKAGE}")
        pytest.skip(f"LibreOffice (soffice) not installed: apt-get install {APT_PACKAGE}")
    return SOFFICE


def _sample_docx() -> Path:
    """A generated report with merged header cells in every table (the 2021 template's tables)."""
    found = sorted(SAMPLES.rglob("*.docx"))
    if not found:
        pytest.skip("data/samples is absent: generate it with `python -m etl sample --out data/samples "
                    "--agencies 60 --seed 1`")
    return found[0]


def _to_doc(soffice: str, docx: Path, out: Path) -> Path:
    """`docx` saved as Word 97 (.doc) by LibreOffice, in `out`."""
    out.mkdir(parents=True, exist_ok=True)
    subprocess.run([soffice, "--headless", "--norestore", "--nolockcheck",
                    f"-env:UserInstallation={(out / 'profile').as_uri()}", "--convert-to", "doc",
                    "--outdir", str(out), str(docx)],
                   check=True, capture_output=True, timeout=120, env={**os.environ, "HOME": str(out)})
    doc = out / (docx.stem + ".doc")
    assert doc.exists(), f"LibreOffice made no .doc of {docx}"
    return doc


@pytest.fixture(scope="module")
def good_doc(soffice: str, tmp_path_factory) -> tuple[Path, Path]:
    """(the .docx report, its .doc conversion)"""
    docx = _sample_docx()
    return docx, _to_doc(soffice, docx, tmp_path_factory.mktemp("doc"))


def _corrupt_doc() -> bytes:
    # an OLE header and a directory naming the Word stream, then garbage: sniffed as a .doc, unreadable
    return OLE + bytes(504) + "WordDocument".encode("utf-16-le") + os.urandom(8192)


def test_doc_parses_to_the_same_cells_as_its_docx_and_the_truth(good_doc):
    docx, doc = good_doc
    assert doc.read_bytes().startswith(OLE) and sniff(doc.read_bytes(), doc.name) == "doc"
    start = time.perf_counter()
    got = parse_file(doc)
    elapsed = time.perf_counter() - start
    assert got.source.kind == "doc" and got.source.read == "converted"
    truth = load_truth(docx)
    c = compare(truth, got, doc.name)
    assert (c.wrong, c.missing) == (0, 0), "\n".join(c.errors[:15])
    assert c.right == len(truth["cells"]) > 50
    assert not c.errors, "\n".join(c.errors[:15])
    # the same cells as the DOCX reader gives the original, merged header cells included
    ref = parse_file(docx)
    key = lambda r: sorted((x.table, x.row, x.col, x.raw, x.kind, x.value) for x in r.cells)  # noqa: E731
    assert key(got) == key(ref)
    assert elapsed < MAX_CONVERT_SECONDS


def test_merged_cells_survive_the_conversion(good_doc):
    from etl.readers import read_document

    docx, doc = good_doc
    ref, got = read_document(docx), read_document(doc)
    assert [t.rows for t in got.tables()] == [t.rows for t in ref.tables()]
    # a header merged across columns repeats its text in every position it covers
    assert any(len(row) > 1 and row[0] == row[1] for t in got.tables() for row in t.rows)


def test_corrupt_doc_is_refused_with_a_reason_in_bounded_time(soffice, tmp_path):
    path = tmp_path / "broken.doc"
    path.write_bytes(_corrupt_doc())
    start = time.perf_counter()
    with pytest.raises(ReadError) as e:
        parse_file(path)
    assert time.perf_counter() - start < MAX_CONVERT_SECONDS + 5
    assert e.value.code in ("convert_failed", "corrupt"), str(e.value)
    assert "Traceback" not in str(e.value) and str(tmp_path) not in str(e.value)


def test_non_word_ole_file_stays_unsupported():
    xls = OLE + bytes(504) + "Workbook".encode("utf-16-le") + bytes(64)
    with pytest.raises(ReadError) as e:
        sniff(xls, "table.xls")
    assert e.value.code == "unsupported" and ".xls" in e.value.detail


def test_wps_is_read_like_a_doc(good_doc, tmp_path):
    _, doc = good_doc
    wps = tmp_path / "report.wps"
    wps.write_bytes(doc.read_bytes())  # WPS Office's .wps is the same Word binary format
    got = parse_file(wps)
    assert got.source.kind == "doc" and got.source.read == "converted" and len(got.cells) > 50


def test_missing_converter_names_the_package(tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_PROGRAM, str(tmp_path / "no-such-soffice"))
    assert program() is None
    path = tmp_path / "report.doc"
    path.write_bytes(_corrupt_doc())
    with pytest.raises(ReadError) as e:
        parse_file(path)
    assert e.value.code == "converter_missing"
    zh, en = wording(e.value.code, e.value.detail)
    assert "libreoffice-writer-nogui" in zh and "libreoffice-writer-nogui" in en


def test_folder_build_loads_the_doc_and_records_the_corrupt_one(good_doc, tmp_path):
    _, doc = good_doc
    src = tmp_path / "reports"
    src.mkdir()
    shutil.copy(doc, src / "good.doc")
    (src / "broken.doc").write_bytes(_corrupt_doc())
    db = tmp_path / "wh.duckdb"
    subprocess.run([sys.executable, "-m", "etl", "build", str(src), "--db", str(db), "--jobs", "2", "--quiet"],
                   cwd=ROOT, check=True, capture_output=True, timeout=600)
    with duckdb.connect(str(db), read_only=True) as con:
        reports = con.execute("SELECT source_path, kind, read_method FROM reports").fetchall()
        errors = con.execute("SELECT path, code, reason, reason_zh FROM ingest_errors").fetchall()
        n_cells = con.execute("SELECT count(*) FROM cells").fetchone()[0]
    assert [(Path(p).name, k, r) for p, k, r in reports] == [("good.doc", "doc", "converted")]
    assert n_cells > 50
    assert [(Path(p).name, c) for p, c, _, _ in errors] == [("broken.doc", "convert_failed")], errors
    assert all(reason and zh for _, _, reason, zh in errors)


def test_a_hung_converter_is_killed_with_its_whole_group(tmp_path, monkeypatch):
    import etl.readers.convert as convert

    if not Path("/proc").is_dir():
        pytest.skip("needs /proc to see whether the child is still alive")
    pids = tmp_path / "pids"
    fake = tmp_path / "soffice"
    # a converter that starts a child and never finishes: both must be gone when the timeout fires
    fake.write_text(f"#!/bin/sh\nsleep 300 &\necho $! > {pids}\nsleep 300\n")
    fake.chmod(0o755)
    monkeypatch.setenv(ENV_PROGRAM, str(fake))
    monkeypatch.setattr(convert, "MAX_CONVERT_SECONDS", 1)
    start = time.perf_counter()
    with pytest.raises(ReadError) as e:
        convert.to_docx(_corrupt_doc(), ".doc")
    assert time.perf_counter() - start < 5
    assert e.value.code == "timeout" and "1 s" in e.value.detail
    child = int(pids.read_text())
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{child}/stat") as f:
                if f.read().split(") ")[-1].startswith("Z"):
                    break  # killed, waiting for its reaper
        except FileNotFoundError:
            break
        time.sleep(0.05)
    else:
        pytest.fail(f"the converter's child {child} outlived the timeout")
