"""Benchmark `etl build`: a full build of N generated text/HTML reports, then a no-change rebuild.

    python bench/build.py [--reports 100000] [--corpus DIR] [--jobs N] [--keep]

Generates the corpus with `python -m etl sample --agencies N/5 --formats html,text` into a temp folder
(unless --corpus is given), and prints the build times, the rebuild's share of the full build, and the
warehouse size per report. Targets (2 cores): full build of 100k < 10 min; no-change rebuild < 5% of it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reports", type=int, default=100_000, help="about how many reports (default 100000)")
    ap.add_argument("--corpus", type=Path, help="use this corpus instead of generating one")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--keep", action="store_true", help="keep the temp folder")
    args = ap.parse_args()

    from etl.warehouse.build import build

    tmp = Path(tempfile.mkdtemp(prefix="bench-build-"))
    try:
        corpus = args.corpus
        if corpus is None:
            corpus = tmp / "corpus"
            t = time.monotonic()
            subprocess.run([sys.executable, "-m", "etl", "sample", "--out", str(corpus), "--agencies",
                            str(max(1, args.reports // 5)), "--formats", "html,text", "--workers", str(args.jobs)],
                           cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
            print(f"generated corpus in {time.monotonic() - t:.1f}s: {corpus}")
        db = tmp / "warehouse.duckdb"
        t = time.monotonic()
        full = build([corpus], db, jobs=args.jobs, progress=sys.stderr.isatty())
        t_full = time.monotonic() - t
        t = time.monotonic()
        again = build([corpus], db, jobs=args.jobs, progress=False)
        t_again = time.monotonic() - t
        size = db.stat().st_size
        n = full["n_reports"]
        print(f"files: {full['n_files']}, reports: {n}, unreadable: {full['n_errors']}")
        print(f"full build: {t_full:.1f}s ({n / t_full:.0f} reports/s; 100k would take ~{t_full * 100_000 / max(n, 1) / 60:.1f} min)")
        print(f"no-change rebuild: {t_again:.1f}s = {100 * t_again / t_full:.1f}% of the full build "
              f"({again['n_parsed']} parsed, {again['n_reused']} reused)")
        print(f"warehouse: {size / 1e6:.1f} MB, {size / max(n, 1) / 1024:.1f} KiB per report")
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
