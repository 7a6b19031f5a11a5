"""The parse map's engines: a Dask cluster builds the same warehouse as the local pool, survives a worker
killed mid-build, and neither engine leaves a process behind when the build is killed with -9.

The Dask tests start real local clusters (worker processes, one thread each) on the bundled corpus; they
are `slow` and run in CI with the rest of `make test`.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest
from helpers import ROOT, SAMPLES

from etl.warehouse.build import build
from etl.warehouse.task import parse_task
from etl.warehouse.workers import Limits

# build-time stamps and the build's own record: everything else must match row for row
_STAMPS = {"loaded_at", "seen_at", "built_at"}


def tables(db: Path) -> dict[str, list[tuple]]:
    """Every table of a warehouse (build_info aside), its rows sorted, without build-time stamps."""
    out = {}
    with duckdb.connect(str(db), read_only=True) as con:
        names = [n for (n,) in con.execute("SELECT table_name FROM information_schema.tables "
                                             "WHERE table_schema = 'main' AND table_type = 'BASE TABLE' "
                                             "ORDER BY 1").fetchall() if n != "build_info"]
        for name in names:
            cols = [c for (c,) in con.execute("SELECT column_name FROM information_schema.columns WHERE "
                                               "table_name = ? ORDER BY ordinal_position", [name]).fetchall()
                    if c not in _STAMPS]
            out[name] = con.execute(f"SELECT {', '.join(cols)} FROM {name} ORDER BY ALL").fetchall()
    return out


@pytest.fixture(scope="module")
def pool_build(bundled_warehouse) -> tuple[dict, dict[str, list[tuple]]]:
    return bundled_warehouse.info, tables(bundled_warehouse.db)


def assert_same(got: dict[str, list[tuple]], want: dict[str, list[tuple]]) -> None:
    assert set(got) == set(want)
    for name in want:
        assert len(got[name]) == len(want[name]), name
        assert got[name] == want[name], name


@pytest.mark.slow
def test_a_dask_build_equals_the_local_pool_build(tmp_path: Path, pool_build) -> None:
    info, want = pool_build
    assert info["n_reports"] > 300 and len(want["cells"]) > 50_000 and want["findings"]
    db = tmp_path / "w.duckdb"
    got_info = build([SAMPLES], db, jobs=2, progress=False, engine="dask")  # its own 2-worker LocalCluster
    assert {k: got_info[k] for k in ("n_files", "n_reports", "n_errors", "n_parsed")} \
        == {k: info[k] for k in ("n_files", "n_reports", "n_errors", "n_parsed")}
    assert_same(tables(db), want)
    assert not list(tmp_path.glob("*.work-*")), "the work folder of parts is removed"
    again = build([SAMPLES], db, jobs=2, progress=False, engine="dask")  # hashed here: no cluster, no task
    assert again.get("unchanged") and again["n_reused"] == info["n_reports"] + info["n_errors"]


@pytest.mark.slow
def test_a_worker_killed_mid_build_loses_and_doubles_nothing(tmp_path: Path, pool_build) -> None:
    from distributed import Client, LocalCluster

    _, want = pool_build
    n_files = len(want["reports"]) + len(want["ingest_errors"])
    db = tmp_path / "w.duckdb"
    killed: list[tuple[int, int]] = []  # (pid, parts written when it was killed)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster, Client(cluster) as client:
        pids = client.run(os.getpid)
        assert len(pids) == 2

        def kill_one_when_some_are_done() -> None:
            deadline = time.monotonic() + 300
            while time.monotonic() < deadline:
                done = len(list(tmp_path.glob("w.duckdb.work-*/*.parquet")))
                if done >= 40:
                    pid = sorted(pids.values())[0]
                    os.kill(pid, signal.SIGKILL)
                    killed.append((pid, done))
                    return
                time.sleep(0.02)

        killer = threading.Thread(target=kill_one_when_some_are_done)
        killer.start()
        info = build([SAMPLES], db, progress=False, engine="dask", scheduler=cluster.scheduler_address)
        killer.join()
        assert killed and killed[0][1] < n_files, "a worker was killed while files were left to parse"
        assert killed[0][0] not in client.run(os.getpid).values()
    assert info["n_parsed"] == n_files
    got = tables(db)
    assert not [e for e in got["ingest_errors"] if "crashed" in e], "no file may be lost to the killed worker"
    assert_same(got, want)


def test_a_scheduler_is_contacted_only_when_given_and_an_unreachable_one_is_a_message(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    import socket

    from etl import cli
    from etl.warehouse import dask_engine

    src = tmp_path / "src"
    src.mkdir()
    (src / "r.txt").write_bytes(next(SAMPLES.rglob("*.txt")).read_bytes())
    db = tmp_path / "w.duckdb"
    assert cli.main(["build", str(src), "--db", str(db), "--scheduler", "tcp://127.0.0.1:9"]) == 2
    assert "--scheduler needs --engine dask" in capsys.readouterr().err
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setattr(dask_engine, "CONNECT_SECONDS", 2)
    code = cli.main(["build", str(src), "--db", str(db), "--engine", "dask", "--scheduler", f"tcp://127.0.0.1:{port}"])
    err = capsys.readouterr().err
    assert code == 2 and f"cannot reach the Dask scheduler tcp://127.0.0.1:{port}" in err and "Traceback" not in err
    assert not db.exists() and not list(tmp_path.glob("w.duckdb.*tmp-*")) and not list(tmp_path.glob("*.work-*"))


def test_the_task_bounds_its_own_time(tmp_path: Path) -> None:
    """The engine-neutral task kills its sandbox past the time limit and answers with the reason; the next
    file gets a fresh sandbox."""
    from etl.warehouse import task

    slow = tmp_path / "slow.txt"
    slow.write_text("x", encoding="utf-8")
    limits = Limits(seconds=0.5, ocr_seconds=0.5)
    box = task.Sandbox(limits)
    task._local.sandbox = box
    box.proc = subprocess.Popen([sys.executable, "-c", "import sys, time; sys.stdin.read(1); time.sleep(60)"],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, start_new_session=True)
    stuck = box.proc
    res = parse_task(str(slow), "slow.txt", str(tmp_path / "p0.parquet"), frozenset(), limits)
    assert res[0] == "err" and res[3] == "timeout"  # the 0.5 s limit ended it, not the child's 60 s sleep
    assert stuck.poll() is not None, "the stuck sandbox was killed"
    report = next(SAMPLES.rglob("*.txt"))
    res = parse_task(str(report), "r.txt", str(tmp_path / "p1.parquet"), frozenset(), Limits(seconds=60))
    assert res[0] == "part" and Path(res[3]).is_file()
    known = parse_task(str(report), "r.txt", str(tmp_path / "p2.parquet"), frozenset({res[2]}), limits)
    assert known == ("known", "r.txt", res[2]) and not (tmp_path / "p2.parquet").exists()
    task._local.sandbox.close()


# --- a build killed with -9 leaves no process (issue: orphan processes) ----------------------------------


def _children() -> dict[int, int]:
    """pid -> parent pid of every live process (zombies count as gone: they run nothing)."""
    out = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                stat = (d / "stat").read_text()
            except OSError:
                continue
            state, ppid = stat.rpartition(")")[2].split()[:2]
            if state != "Z":
                out[int(d.name)] = int(ppid)
    return out


def _descendants(pid: int) -> set[int]:
    procs, found, todo = _children(), set(), [pid]
    while todo:
        p = todo.pop()
        kids = {c for c, pp in procs.items() if pp == p}
        found |= kids
        todo.extend(kids)
    return found


def _parsers(pid: int, engine: str) -> set[int]:
    kids = _descendants(pid)
    if engine == "local":
        return {k for k in kids if _children().get(k) == pid}
    found = set()
    for k in kids:
        try:
            if b"etl.warehouse.task" in Path(f"/proc/{k}/cmdline").read_bytes():
                found.add(k)
        except OSError:
            continue
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the parent-death signal is Linux's")
@pytest.mark.parametrize("engine", ["local", pytest.param("dask", marks=pytest.mark.slow)])
def test_a_build_killed_with_minus_9_leaves_no_process(tmp_path: Path, engine: str) -> None:
    db = tmp_path / "w.duckdb"
    # every parse takes a minute: a worker that outlived the build would still be running when looked for
    env = {**os.environ, "PYTHONPATH": str(ROOT), "ETL_BUILD_PAUSE": "parsing:60"}
    proc = subprocess.Popen([sys.executable, "-m", "etl", "build", str(SAMPLES), "--db", str(db), "--jobs", "2",
                             "--quiet", "--engine", engine], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        # the parse workers (on Dask, the workers' parse sandboxes) are running when the build is killed
        deadline = time.monotonic() + 120
        while len(parsers := _parsers(proc.pid, engine)) < 2 and proc.poll() is None \
                and time.monotonic() < deadline:
            time.sleep(0.05)
        assert proc.poll() is None and len(parsers) >= 2, f"no parse workers seen: {parsers}"
        time.sleep(0.5)
        kids = _descendants(proc.pid)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        deadline = time.monotonic() + 15
        while (left := kids & set(_children())) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not left, f"still running after the build was killed: {left}"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
