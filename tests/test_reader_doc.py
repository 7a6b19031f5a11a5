"""Legacy Word (.doc): converted with LibreOffice headless, then read by the DOCX reader.

The .doc files are made here from the project's own generated .docx reports (LibreOffice saving them as
Word 97), so the ground truth beside each report holds for its .doc too. Without LibreOffice these tests
skip locally and fail in CI (CI=true), where .ci/run installs it."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
import sys
import threading
import time
import zipfile
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
from etl.sample.hostile import RequestRecorder

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
    with pytest.raises(ReadError) as e:
        parse_file(path)  # bounded by the converter's own timeout (MAX_CONVERT_SECONDS), else "timeout"
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
    with pytest.raises(ReadError) as e:
        convert.to_docx(_corrupt_doc(), ".doc")
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


# --- a hostile document: nothing fetched, no file outside the folder opened, no process left -----------


@pytest.fixture(scope="module")
def recorder():
    server = RequestRecorder(armed=False)
    yield server
    server.close()


class _OpenWatch:
    """Sees a FIFO being opened for reading: a writer's non-blocking open succeeds only while a reader has
    it open (and a reader's blocking open waits for the writer, so no open is missed)."""

    def __init__(self, fifos: list[Path]) -> None:
        self.fifos, self.opened, self._stop = fifos, set(), threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def _poll(self) -> None:
        while not self._stop.is_set():
            for p in self.fifos:
                try:
                    os.close(os.open(p, os.O_WRONLY | os.O_NONBLOCK))
                    self.opened.add(p.name)
                except OSError:
                    pass
            time.sleep(0.005)

    def __enter__(self) -> _OpenWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def _mentions(data: bytes, text: str) -> bool:
    """Whether a document holds `text`, in its bytes (ASCII or UTF-16) or in any member of its ZIP."""
    blobs = [data]
    with contextlib.suppress(zipfile.BadZipFile), zipfile.ZipFile(io.BytesIO(data)) as z:
        blobs += [z.read(n) for n in z.namelist()]
    return any(text.encode() in b or text.encode("utf-16-le") in b for b in blobs)


def _saved_as(soffice: str, docx: bytes, fmt: str, out: Path) -> bytes:
    """The hostile .docx saved by LibreOffice as `fmt`, with the converter's own locked-down profile (so
    that making the file follows none of its links)."""
    import etl.readers.convert as convert

    if fmt == "docx":
        return docx
    out.mkdir(parents=True, exist_ok=True)
    (out / "linked.docx").write_bytes(docx)
    (out / "profile" / "user").mkdir(parents=True, exist_ok=True)
    (out / "profile" / "user" / "registrymodifications.xcu").write_text(convert.PROFILE_XCU, encoding="utf-8")
    subprocess.run([soffice, "--headless", "--norestore", "--nolockcheck",
                    f"-env:UserInstallation={(out / 'profile').as_uri()}", "--convert-to", fmt,
                    "--outdir", str(out), str(out / "linked.docx")],
                   check=True, capture_output=True, timeout=120, env={**os.environ, "HOME": str(out)})
    return (out / f"linked.{fmt}").read_bytes()


@pytest.mark.parametrize("fmt", ["doc", "docx", "odt", "rtf"])
def test_conversion_fetches_no_link_and_opens_no_outside_file(soffice, recorder, tmp_path, fmt):
    """A document linking pictures, fields, an OLE object and a template to a server on loopback and to
    files outside the conversion's folder: converted, it has sent no request and opened none of the files.
    (The converter gets these bytes whatever their format: LibreOffice decides by content, not by name.)"""
    from etl.readers.convert import to_docx
    from etl.sample.hostile import FOLDER_FILES, linked_docx

    outside = tmp_path / "outside"
    outside.mkdir()
    for name in FOLDER_FILES:
        os.mkfifo(outside / name)
    url = f"http://127.0.0.1:{recorder.server_address[1]}"
    data = _saved_as(soffice, linked_docx(url, str(outside)), fmt, tmp_path / "made")
    kept = "link.xls" if fmt == "rtf" else "linked.png"  # LibreOffice's RTF keeps no linked picture
    assert _mentions(data, f"{url}/{kept}"), "the links did not survive the saving"
    recorder.seen.clear()
    recorder.armed = True
    try:
        with _OpenWatch([outside / n for n in FOLDER_FILES]) as watch:
            converted = to_docx(data, ".doc")
    finally:
        recorder.armed = False
    assert recorder.seen == [], f"the converter fetched: {recorder.seen}"
    assert watch.opened == set(), f"the converter opened files outside its folder: {sorted(watch.opened)}"
    assert zipfile.ZipFile(io.BytesIO(converted)).read("word/document.xml")  # and it did convert


@pytest.fixture(scope="module")
def slow_doc(soffice: str, tmp_path_factory) -> Path:
    """A .doc LibreOffice takes seconds to convert (one table of 500 × 8 cells: about 10 s here, 2 s to make),
    so that a conversion can be caught and killed in the middle."""
    from etl.sample.hostile import slow_docx

    out = tmp_path_factory.mktemp("slow")
    (out / "slow.docx").write_bytes(slow_docx(500))
    return _to_doc(soffice, out / "slow.docx", out)


def _processes_mentioning(text: str) -> list[str]:
    """Live processes (not zombies) whose command line holds `text`."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            cmd = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            state = (proc / "stat").read_text().rsplit(") ", 1)[1][:1]
        except OSError:
            continue
        if text in cmd and state != "Z":
            found.append(f"{proc.name}: {cmd[:160]}")
    return found


def _gone(text: str, within: float) -> list[str]:
    deadline = time.monotonic() + within
    while (left := _processes_mentioning(text)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


def test_a_converter_dies_with_the_process_that_started_it(slow_doc, tmp_path):
    """A parse killed outright mid-conversion (kill -9, or its worker killed at the time limit): LibreOffice
    goes with it, and the next conversion removes the folder it left."""
    from etl.readers.convert import DIR_PREFIX, remove_stale_dirs

    if not Path("/proc").is_dir():
        pytest.skip("needs /proc to list processes")
    doc = slow_doc
    tmp = tmp_path / "t"
    tmp.mkdir()
    env = {**os.environ, "TMPDIR": str(tmp), "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    parse = subprocess.Popen([sys.executable, "-c", "import sys; from etl.readers.convert import to_docx; "
                              "to_docx(open(sys.argv[1], 'rb').read(), '.doc')", str(doc)], env=env, cwd=ROOT)
    try:
        deadline = time.monotonic() + 60
        while not _processes_mentioning(str(tmp)):
            assert parse.poll() is None and time.monotonic() < deadline, "the converter never started"
            time.sleep(0.02)
        time.sleep(1)  # past the first start's restart, into the conversion
        assert _processes_mentioning(str(tmp)), "the converter ended before the test could kill its parent"
        parse.kill()
        parse.wait()
    finally:
        if parse.poll() is None:
            parse.kill()
    left = _gone(str(tmp), within=5)
    assert left == [], f"LibreOffice outlived the process that started it: {left}"
    stale = [p for p in tmp.iterdir() if p.name.startswith(DIR_PREFIX)]
    assert len(stale) == 1  # the killed process could not clean up …
    remove_stale_dirs(str(tmp))
    assert not stale[0].exists()  # … the next conversion does


def test_a_build_timeout_under_the_converter_limit_leaves_no_converter(slow_doc, tmp_path):
    """`etl build --timeout` shorter than the conversion: the worker is killed at its limit, the file is
    recorded as a timeout, and no LibreOffice process is left behind."""
    if not Path("/proc").is_dir():
        pytest.skip("needs /proc to list processes")
    src, tmp = tmp_path / "reports", tmp_path / "t"
    src.mkdir()
    tmp.mkdir()
    shutil.copy(slow_doc, src / "slow.doc")
    db = tmp_path / "wh.duckdb"
    env = {**os.environ, "TMPDIR": str(tmp)}
    proc = subprocess.run([sys.executable, "-m", "etl", "build", str(src), "--db", str(db), "--jobs", "1",
                           "--timeout", "3", "--quiet"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT code FROM ingest_errors").fetchall() == [("timeout",)]
    left = _gone(str(tmp), within=5)
    assert left == [], f"LibreOffice outlived the build's time limit: {left}"


def test_the_chinese_reasons_of_limits_and_the_converter_are_chinese_throughout():
    """The details the limits, the converter and the file system attach read in Chinese in the Chinese
    wording (the English keeps them as they are)."""
    cases = {("timeout", f"converter limit {MAX_CONVERT_SECONDS:g} s"): f"解析超时：转换上限 {MAX_CONVERT_SECONDS:g} 秒",
             ("timeout", "limit 120 s"): "解析超时：上限 120 秒",
             ("memory", "limit 2048 MB"): "解析所需内存超过上限：上限 2048 MB",
             ("too_large", "limit 200 MB, file 250 MB"): "文件超过大小上限：上限 200 MB，文件 250 MB",
             ("convert_failed", "LibreOffice exit code 0"): "LibreOffice 无法读取此旧版 Word 文件（.doc/.wps）："
                                                         "LibreOffice 退出码 0",
             ("crashed", "exit code -9"): "解析进程意外退出：退出码 -9",
             ("unreadable", "Permission denied"): "无法读取文件：没有读取权限"}
    for (code, detail), zh in cases.items():
        assert wording(code, detail) == (zh, f"{wording(code)[1]}: {detail}")
