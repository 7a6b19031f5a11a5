"""A build over hundreds of damaged files of every kind mixed with good ones: no crash, no hang, every good
file loaded, every bad one recorded with a reason code (bounded: the whole test well under 60 s)."""

from __future__ import annotations

import resource
import time
from pathlib import Path

import duckdb

from etl.reasons import REASONS
from etl.sample.damaged import write_damaged, write_good
from etl.warehouse.build import build


def test_damaged_files_mixed_with_good_ones(tmp_path: Path) -> None:
    src = tmp_path / "src"
    damaged = write_damaged(src / "bad", 300, seed=7)
    good = write_good(src / "good", 20, seed=7)
    assert len(damaged) >= 300
    db = tmp_path / "wh.duckdb"
    t0 = time.monotonic()
    info = build([src], db, jobs=2, progress=False)
    seconds = time.monotonic() - t0
    with duckdb.connect(str(db), read_only=True) as con:
        loaded = {p for (p,) in con.execute("SELECT source_path FROM reports").fetchall()}
        errors = dict(con.execute("SELECT path, code FROM ingest_errors").fetchall())
        skipped = dict(con.execute("SELECT path, code FROM skipped").fetchall())
    good_paths = {str(p) for p in good}
    assert good_paths <= loaded, sorted(good_paths - loaded)[:5]
    # every file is accounted for: loaded, recorded as unreadable, or skipped (an identical copy)
    seen = loaded | set(errors) | set(skipped)
    missing = [str(p) for p, _ in damaged if str(p) not in seen]
    assert not missing, missing[:5]
    assert set(errors.values()) <= set(REASONS) and "parser_error" not in errors.values(), \
        {p: c for p, c in errors.items() if c == "parser_error"}
    assert info["n_reports"] == len(loaded) and seconds < 60, seconds
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    assert peak_mb < 2048, peak_mb
