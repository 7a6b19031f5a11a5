"""Round trip: generate a sample corpus in every form, parse every file, compare with the ground truth.

    python bench/roundtrip.py [--agencies 340] [--seed 7] [--workers 2] [--keep DIR] [--show 20]

Prints cells right/wrong/missing/extra and reports/s per rendering, and the first differences.
Exit status 1 on any difference (a parser bug or a generator bug), 0 when every cell and every metadata
field matches.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import defaultdict
from multiprocessing import get_context
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from etl.document import ReadError  # noqa: E402
from etl.model import Report  # noqa: E402
from etl.parse import parse_file  # noqa: E402
from etl.sample.compare import Comparison, compare, load_truth, report_files  # noqa: E402
from etl.sample.corpus import KINDS, generate  # noqa: E402


def _one(path: str) -> tuple[str, str, Comparison, float]:
    p = Path(path)
    truth = load_truth(p)
    t0 = time.perf_counter()
    try:
        report: Report | None = parse_file(p)
        error = None
    except ReadError as e:
        report, error = None, str(e)
    dt = time.perf_counter() - t0
    if report is None:
        c = Comparison(missing=len(truth["cells"]), errors=[f"{path}: unreadable: {error}"])
    else:
        c = compare(truth, report, path)
    return truth["rendering"], path, c, dt


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--agencies", type=int, default=340, help="agencies (×6 years ≈ 2,000 reports)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--keep", help="write the corpus here instead of a temporary folder")
    ap.add_argument("--show", type=int, default=20, help="differences to print")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="roundtrip-") as tmp:
        out = Path(args.keep or tmp)
        t0 = time.perf_counter()
        m = generate(out, args.agencies, list(range(2019, 2025)), args.seed, list(KINDS), workers=args.workers)
        gen = time.perf_counter() - t0
        files = [str(p) for p in report_files(out)]
        print(f"generated {len(files)} files ({m['counts']['reports']} reports) in {gen:.1f}s")
        t0 = time.perf_counter()
        with get_context("fork").Pool(args.workers) as pool:
            results = pool.map(_one, files, chunksize=8)
        wall = time.perf_counter() - t0
    per: dict[str, Comparison] = defaultdict(Comparison)
    secs: dict[str, float] = defaultdict(float)
    count: dict[str, int] = defaultdict(int)
    bad_files: dict[str, int] = defaultdict(int)
    for rendering, _, c, dt in results:
        per[rendering].add(c)
        secs[rendering] += dt
        count[rendering] += 1
        bad_files[rendering] += not c.ok
    print(f"parsed {len(files)} files in {wall:.1f}s wall ({len(files) / wall:.0f} files/s on {args.workers} workers)")
    print(f"{'rendering':<10} {'files':>6} {'bad':>5} {'right':>8} {'wrong':>6} {'missing':>7} {'extra':>6} "
          f"{'reports/s':>9}")
    total = Comparison()
    for r in sorted(per):
        c = per[r]
        total.add(c)
        print(f"{r:<10} {count[r]:>6} {bad_files[r]:>5} {c.right:>8} {c.wrong:>6} {c.missing:>7} {c.extra:>6} "
              f"{count[r] / secs[r]:>9.1f}")
    cells = total.right + total.wrong + total.missing
    print(f"{'all':<10} {len(files):>6} {sum(bad_files.values()):>5} {total.right:>8} {total.wrong:>6} "
          f"{total.missing:>7} {total.extra:>6}   cells right {100 * total.right / max(1, cells):.3f}%")
    print(f"metadata/narrative differences: {total.meta}")
    for e in total.errors[:args.show]:
        print("  " + e)
    return 0 if total.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
