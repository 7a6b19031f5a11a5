"""Build over a large damaged corpus mixed with good files; prints files, reasons, peak memory and time.

    .venv/bin/python bench/fuzz.py [--damaged 3000] [--good 200] [--jobs 2]
"""

from __future__ import annotations

import argparse
import collections
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402

from etl.sample.damaged import write_damaged, write_good  # noqa: E402
from etl.warehouse.build import build  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--damaged", type=int, default=3000)
    ap.add_argument("--good", type=int, default=200)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "src"
        t0 = time.monotonic()
        damaged = write_damaged(src / "bad", args.damaged, seed=args.seed)
        good = write_good(src / "good", args.good, seed=args.seed)
        print(f"corpus: {len(damaged)} damaged + {len(good)} good files in {time.monotonic() - t0:.1f}s")
        t0 = time.monotonic()
        info = build([src], Path(tmp) / "wh.duckdb", jobs=args.jobs, progress=False)
        seconds = time.monotonic() - t0
        with duckdb.connect(str(Path(tmp) / "wh.duckdb"), read_only=True) as con:
            loaded = {p for (p,) in con.execute("SELECT source_path FROM reports").fetchall()}
            codes = collections.Counter(c for (c,) in con.execute("SELECT code FROM ingest_errors").fetchall())
    print(f"build: {seconds:.1f}s, {info['n_reports']} reports, {info['n_errors']} unreadable, "
          f"{info['n_skipped']} skipped; good files loaded: {len({str(p) for p in good} & loaded)}/{len(good)}")
    for code, n in codes.most_common():
        print(f"  {code:16s} {n}")
    self_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak memory: build process {self_mb:.0f} MB, largest worker {child_mb:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
