"""Swapping the warehouse file under running queries: every session keeps getting answers, never an error."""

from __future__ import annotations

import os
import shutil
import threading
import time
from pathlib import Path

import duckdb

from dashboard import db


def _make(path: Path, n: int) -> None:
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE TABLE t AS SELECT range AS x FROM range(?)", [n])


def test_queries_survive_frequent_swaps(tmp_path: Path) -> None:
    live = tmp_path / "wh.duckdb"
    versions = [tmp_path / f"v{i}.duckdb" for i in range(2)]
    for i, v in enumerate(versions):
        _make(v, 200_000 * (i + 1))
    shutil.copy(versions[0], live)
    conns = db.Connections()
    errors: list[BaseException] = []
    answers: list[int] = []
    stop = threading.Event()

    def session() -> None:
        while not stop.is_set():
            ver = db.version(live)
            try:
                with conns.use(str(live), ver) as (con, _current):
                    cur = con.cursor()
                    try:  # a query long enough for a swap to land while it runs
                        answers.append(cur.execute("SELECT count(*) FROM t, range(3) WHERE x % 7 = 0").fetchone()[0])
                    finally:
                        cur.close()
            except BaseException as e:  # noqa: BLE001 - any error is the failure being tested
                errors.append(e)

    threads = [threading.Thread(target=session) for _ in range(4)]
    for th in threads:
        th.start()
    try:
        for i in range(30):  # what `etl build` does: a new file moved into place
            tmp = tmp_path / f"next-{i}.duckdb"
            shutil.copy(versions[(i + 1) % 2], tmp)
            os.replace(tmp, live)
            time.sleep(0.05)
    finally:
        stop.set()
        for th in threads:
            th.join(timeout=60)
    assert not errors, errors[:3]
    small, big = (200_000 // 7 + 1) * 3, (400_000 // 7 + 1) * 3
    assert set(answers) <= {small, big} and len(answers) > 30
    # after the swaps, the next query sees the file now in place
    with conns.use(str(live), db.version(live)) as (con, current):
        assert current and con.execute("SELECT count(*) FROM t").fetchone()[0] in (200_000, 400_000)
