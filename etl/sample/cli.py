"""`python -m etl sample`: generate a sample corpus of reports with ground truth."""

from __future__ import annotations

import argparse
import os
import sys
import time

from etl.sample.corpus import KINDS, generate
from etl.sample.scan import STYLES


def _years(text: str) -> list[int]:
    lo, _, hi = text.partition("-")
    try:
        a, b = int(lo), int(hi or lo)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected YEAR or YEAR-YEAR, got {text!r}") from None
    if not 2019 <= a <= b <= 2100:
        raise argparse.ArgumentTypeError("years must be 2019 or later (the national table formats), first ≤ last")
    return list(range(a, b + 1))


def _formats(text: str) -> list[str]:
    kinds = [k.strip() for k in text.split(",") if k.strip()]
    bad = [k for k in kinds if k not in KINDS]
    if bad or not kinds:
        raise argparse.ArgumentTypeError(f"formats must be a comma list of {','.join(KINDS)}")
    return kinds


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", default="data/samples", help="output folder (default: data/samples)")
    p.add_argument("--agencies", type=int, default=60, help="number of agencies (default 60)")
    p.add_argument("--years", type=_years, default=_years("2019-2024"), help="year range, e.g. 2019-2024")
    p.add_argument("--seed", type=int, default=1, help="random seed (same seed → identical files)")
    p.add_argument("--formats", type=_formats, default=list(KINDS), help="file kinds: html,text,pdf,docx")
    p.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1), help="processes (default 2)")
    p.add_argument("--scans", type=int, default=0, metavar="N",
                   help="N agencies publish their latest report as a scanned, stamped image-only PDF (default 0)")
    p.add_argument("--scan-dpi", type=int, default=200, help="resolution of those scans (default 200)")
    p.add_argument("--scan-style", choices=sorted(STYLES), default="noisy",
                   help="noisy (heavy paper grain, the round trip's) or compact (lighter, smaller files)")


def run(args: argparse.Namespace) -> int:
    if args.agencies < 1:
        print("--agencies must be at least 1", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    m = generate(args.out, args.agencies, args.years, args.seed, args.formats, workers=args.workers,
                 progress=sys.stderr.isatty(), scans=args.scans, scan_dpi=args.scan_dpi,
                 scan_style=args.scan_style)
    c = m["counts"]
    dt = time.perf_counter() - t0
    print(f"wrote {c['files']} files ({c['reports']} reports, {c['agencies']} agencies, "
          f"{c['bytes'] / 1e6:.1f} MB) to {args.out} in {dt:.1f}s")
    print("by kind: " + ", ".join(f"{k} {v}" for k, v in c["by_kind"].items()))
    print("defects: " + ", ".join(f"{k} {v}" for k, v in c["defects_by_rule"].items()))
    return 0
