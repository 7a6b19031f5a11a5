"""The build keeps what it was given, survives any file and any name, bounds each file and runs one at a time."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from helpers import ROOT, corpus

from etl.warehouse.build import SourceError, build
from etl.warehouse.workers import Limits


def _paths(db: Path) -> set[str]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {p for (p,) in con.execute("SELECT source_path FROM reports").fetchall()}


def _table(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


# --- sources ----------------------------------------------------------------------------------------


def test_a_new_source_is_added_never_replacing_the_others(tmp_path: Path) -> None:
    real, samples, uploads = tmp_path / "real", tmp_path / "samples", tmp_path / "uploads"
    corpus(real, n_agencies=2, seed=1)
    corpus(samples, n_agencies=1, seed=2)
    db = tmp_path / "wh.duckdb"
    first = build([real, samples], db, progress=False)
    assert (first["n_added"], first["n_replaced"], first["n_dropped"]) == (6, 0, 0)
    corpus(uploads, n_agencies=1, years=(2022,), seed=3)
    up = build([uploads], db, progress=False)  # what the upload page does: only the new folder
    assert (up["n_added"], up["n_dropped"]) == (1, 0)
    paths = _paths(db)
    assert len(paths) == 7 and all(any(p.startswith(str(s)) for p in paths) for s in (real, samples, uploads))
    again = build(None, db, progress=False)  # no sources: the remembered ones
    assert again.get("unchanged") and _paths(db) == paths
    (real / "a0" / "2021.txt").write_text((real / "a0" / "2021.txt").read_text() + "\n附言。\n")
    changed = build([], db, progress=False)
    assert (changed["n_added"], changed["n_replaced"], changed["n_dropped"]) == (0, 1, 0)
    dropped = build([], db, progress=False, drop=[samples])
    assert (dropped["n_added"], dropped["n_replaced"], dropped["n_dropped"]) == (0, 0, 2)
    assert not any(p.startswith(str(samples)) for p in _paths(db)) and len(_paths(db)) == 5


def test_sources_that_cannot_be_built_from_are_refused_before_anything_changes(tmp_path: Path) -> None:
    src, gone = tmp_path / "src", tmp_path / "gone"
    corpus(src, n_agencies=1, seed=1)
    corpus(gone, n_agencies=1, seed=2)
    db = tmp_path / "wh.duckdb"
    build([src, gone], db, progress=False)
    before = db.read_bytes()
    shutil.rmtree(gone)
    with pytest.raises(SourceError, match="no longer exists.*--drop"):
        build(None, db, progress=False)
    with pytest.raises(SourceError, match="not a source of this warehouse"):
        build(None, db, progress=False, drop=[tmp_path / "elsewhere"])
    with pytest.raises(SourceError, match="no sources"):
        build(None, tmp_path / "new.duckdb", progress=False)
    assert db.read_bytes() == before
    build(None, db, progress=False, drop=[gone])  # dropping it explicitly is how the user says so
    assert len(_paths(db)) == 2


# --- any file, any name -----------------------------------------------------------------------------


def test_odd_names_and_special_files_do_not_stop_a_build(tmp_path: Path) -> None:
    src = tmp_path / "src"
    good = corpus(src, n_agencies=1, years=(2022,))[0]
    odd = os.fsencode(src) + b"/a\xe9\xff.txt"  # not UTF-8: what unpacking a GBK zip leaves
    with open(odd, "wb") as f:
        f.write(good.read_bytes().replace("样例甲局".encode(), "样例乙局".encode()))
    os.symlink("loop.txt", src / "loop.txt")
    os.symlink("missing.txt", src / "dangling.txt")
    os.mkfifo(src / "pipe.txt")
    os.symlink("/dev/zero", src / "zero.txt")
    outside = tmp_path / "outside.txt"
    outside.write_bytes(good.read_bytes())
    os.symlink(outside, src / "link-out.txt")
    os.symlink(good, src / "link-in.txt")  # inside the folder: the same file, loaded once
    (src / ".hidden.txt").write_bytes(good.read_bytes())
    db = tmp_path / "wh.duckdb"
    info = build([src], db, progress=False, limits=Limits(seconds=20))
    names = {Path(p).name for p in _paths(db)}
    loaded = next(iter(names & {good.name, "link-in.txt"}))  # two paths to one file: one of them loads
    assert names == {loaded, "a\\xe9\\xff.txt"}
    skipped = {Path(p.rstrip("/")).name: code for p, code in _table(db, "SELECT path, code FROM skipped")}
    assert skipped == {"loop.txt": "broken_link", "dangling.txt": "broken_link", "pipe.txt": "not_regular",
                       "zero.txt": "outside_link", "link-out.txt": "outside_link", ".hidden.txt": "hidden",
                       ({"link-in.txt", good.name} - {loaded}).pop(): "duplicate"}
    assert info["n_skipped"] == 7
    reasons = _table(db, "SELECT reason, reason_zh FROM skipped WHERE code = 'outside_link'")
    assert all("outside" in en and "符号链接" in zh for en, zh in reasons)


# --- limits -----------------------------------------------------------------------------------------


def test_a_file_over_a_limit_is_recorded_and_the_others_load(tmp_path: Path) -> None:
    src = tmp_path / "src"
    files = corpus(src, n_agencies=2, years=(2022,))
    big = src / "big.txt"
    big.write_bytes(files[0].read_bytes() * 4000)  # ~8 MB of text: slow to parse, and over 1 MB
    db = tmp_path / "wh.duckdb"
    build([src], db, progress=False, limits=Limits(file_mb=1))
    assert len(_paths(db)) == 2
    assert _table(db, "SELECT code, sha256 FROM ingest_errors") == [("too_large", None)]
    # a time limit: the same file allowed in size but not in time
    build([src], db, progress=False, full=True, limits=Limits(seconds=0.3))
    (code, reason, zh), = _table(db, "SELECT code, reason, reason_zh FROM ingest_errors")
    assert code == "timeout" and "0.3 s" in reason and "超时" in zh
    assert len(_paths(db)) == 2


def test_memory_limit_ends_in_an_ingest_error(tmp_path: Path) -> None:
    src = tmp_path / "src"
    files = corpus(src, n_agencies=1, years=(2022,))
    (src / "big.txt").write_bytes(files[0].read_bytes() * 4000)
    db = tmp_path / "wh.duckdb"
    build([src], db, progress=False, limits=Limits(memory_mb=60, seconds=120))
    # ended at the cap: a MemoryError, or a native library (Arrow) that dies rather than raising under it
    assert _table(db, "SELECT code FROM ingest_errors") in ([("memory",)], [("crashed",)])
    assert len(_paths(db)) == 1


# --- one build at a time ----------------------------------------------------------------------------


def _build_proc(src: Path, db: Path, *extra: str, pause: str = "") -> subprocess.Popen:
    env = dict(os.environ, ETL_BUILD_PAUSE=pause, PYTHONPATH=str(ROOT))
    return subprocess.Popen([sys.executable, "-m", "etl", "build", str(src), "--db", str(db), "--jobs", "1",
                             "--quiet", *extra], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _wait_until_paused(proc: subprocess.Popen, stage: str) -> str:
    seen = ""
    end = time.monotonic() + 60
    while time.monotonic() < end:
        line = proc.stderr.readline()
        seen += line
        if f"pausing at {stage}" in line:
            return seen
        if not line and proc.poll() is not None:
            break
    raise AssertionError(f"build did not pause at {stage}: {seen}")


def test_a_second_build_waits_and_both_results_are_kept(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    corpus(a, n_agencies=1, seed=1)
    corpus(b, n_agencies=1, seed=2)
    db = tmp_path / "wh.duckdb"
    first = _build_proc(a, db, pause="parsed:2")
    _wait_until_paused(first, "parsed")
    second = _build_proc(b, db)
    out2, err2 = second.communicate(timeout=120)
    out1, _ = first.communicate(timeout=120)
    assert first.returncode == 0 and second.returncode == 0, err2
    assert "waiting for another build" in err2
    assert len(_paths(db)) == 4  # the second build started from the first's sources, and added its own
    assert not list(tmp_path.glob("wh.duckdb.tmp-*"))


def test_a_build_that_will_not_wait_is_refused_plainly(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    corpus(a, n_agencies=1, seed=1)
    corpus(b, n_agencies=1, seed=2)
    db = tmp_path / "wh.duckdb"
    first = _build_proc(a, db, pause="locked:3")
    _wait_until_paused(first, "locked")
    second = _build_proc(b, db, "--wait", "0")
    _, err2 = second.communicate(timeout=60)
    assert second.returncode == 2 and "another build" in err2 and "Traceback" not in err2
    _, err1 = first.communicate(timeout=120)
    assert first.returncode == 0, err1
    assert len(_paths(db)) == 2


def test_a_killed_build_releases_the_lock(tmp_path: Path) -> None:
    a = tmp_path / "a"
    corpus(a, n_agencies=1, seed=1)
    db = tmp_path / "wh.duckdb"
    first = _build_proc(a, db, pause="parsed:30")
    _wait_until_paused(first, "parsed")
    first.kill()
    first.wait()
    assert list(tmp_path.glob("wh.duckdb.tmp-*"))
    build([a], db, progress=False, wait=5)
    assert len(_paths(db)) == 2 and not list(tmp_path.glob("wh.duckdb.tmp-*"))


# --- a folder that cannot be written: a one-line message, exit 2, the previous warehouse untouched -------

# Run inside a new user and mount namespace (`unshare -rm`), where the test may mount a small tmpfs (a real
# full disk) or bind the warehouse folder read-only (a real read-only folder, which chmod cannot make for
# root). It prints what the second build said and what it left.
_IN_NAMESPACE = r"""
import hashlib, json, os, subprocess, sys
folder, first, second, how = sys.argv[1:5]
db = os.path.join(folder, "wh.duckdb")
def build(src):
    return subprocess.run([sys.executable, "-m", "etl", "build", src, "--db", db, "--jobs", "1", "--quiet"],
                          capture_output=True, text=True, timeout=300)
if how == "full":
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", folder], check=True)
assert build(first).returncode == 0
if how == "full":  # leave 1.5 MB: the first warehouse takes about 3 MB
    st = os.statvfs(folder)
    with open(os.path.join(folder, "filler"), "wb") as f:
        f.write(bytes(st.f_bavail * st.f_frsize - 1536 * 1024))
else:
    subprocess.run(["mount", "--bind", folder, folder], check=True)
    subprocess.run(["mount", "-o", "remount,ro,bind", folder], check=True)
before = hashlib.sha256(open(db, "rb").read()).hexdigest()
out = build(second)
print(json.dumps({"rc": out.returncode, "stderr": out.stderr, "same": before == hashlib.sha256(
    open(db, "rb").read()).hexdigest(), "left": sorted(os.listdir(folder))}))
"""


def _second_build_in_namespace(tmp_path: Path, how: str) -> dict:
    import json

    if subprocess.run(["unshare", "-rm", "true"], capture_output=True).returncode != 0:
        pytest.skip("user and mount namespaces are not permitted here (unshare -rm), so no real full disk or "
                    "read-only folder can be made; test_a_warehouse_folder_that_is_a_file_* still runs")
    first, second, folder = tmp_path / "first", tmp_path / "second", tmp_path / "wh"
    corpus(first, n_agencies=1, seed=1)
    corpus(second, n_agencies=6, seed=2)
    folder.mkdir()
    proc = subprocess.run(["unshare", "-rm", sys.executable, "-c", _IN_NAMESPACE, str(folder), str(first),
                           str(second), how], capture_output=True, text=True, timeout=600, cwd=ROOT,
                          env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_a_full_disk_ends_the_build_in_one_line_and_keeps_the_warehouse(tmp_path: Path) -> None:
    got = _second_build_in_namespace(tmp_path, "full")
    lines = got["stderr"].strip().splitlines()
    assert got["rc"] == 2 and len(lines) == 1, got["stderr"]
    assert "full" in lines[0] and "unchanged" in lines[0] and "free some space" in lines[0]
    assert got["same"], "the previous warehouse changed"
    assert got["left"] == ["filler", "wh.duckdb", "wh.duckdb.lock"]  # no unfinished copy, no WAL


def test_a_read_only_folder_ends_the_build_in_one_line_and_keeps_the_warehouse(tmp_path: Path) -> None:
    got = _second_build_in_namespace(tmp_path, "read-only")
    lines = got["stderr"].strip().splitlines()
    assert got["rc"] == 2 and len(lines) == 1, got["stderr"]
    assert "Read-only file system" in lines[0] and "unchanged" in lines[0] and "--db" in lines[0]
    assert got["same"], "the previous warehouse changed"


def test_a_warehouse_folder_that_is_a_file_ends_the_build_in_one_line(tmp_path: Path) -> None:
    src = tmp_path / "src"
    corpus(src, n_agencies=1, seed=1)
    (tmp_path / "wh").write_text("not a folder")
    proc = _build_proc(src, tmp_path / "wh" / "wh.duckdb")
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    assert f"{tmp_path / 'wh'} is a file, not a folder" in err and "no warehouse was written" in err


def test_what_killed_builds_left_is_removed_under_the_lock(tmp_path: Path) -> None:
    src = tmp_path / "src"
    corpus(src, n_agencies=1, seed=1)
    db = tmp_path / "wh.duckdb"
    build([src], db, progress=False)
    stale = [tmp_path / "wh.duckdb.tmp-1-dead", tmp_path / "wh.duckdb.tmp-1-dead.wal"]
    for p in stale:
        p.write_bytes(b"left by a killed build")
    spill = tmp_path / "wh.duckdb.tmp-1-dead.tmp"  # DuckDB's spill folder beside a temp warehouse
    spill.mkdir()
    (spill / "duckdb_temp_storage-0.tmp").write_bytes(bytes(1024))
    build([src], db, progress=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["src", "wh.duckdb", "wh.duckdb.lock"]
