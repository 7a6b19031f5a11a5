"""Round trip through OCR: generated reports published as scans (etl.sample.scan: turned, blurred, speckled,
JPEG-compressed, stamped), parsed, compared cell by cell with their ground truth, per scan resolution.

    python bench/roundtrip_scans.py [--reports 200] [--dpi 150,200,300] [--workers 2] [--show 10]

A wrong cell is "marked" when the report says it may be wrong: the cell is `ocr_corrected`, or an OCR
problem (`ocr_unverified` on its table, `ocr_uncertain` on the cell) names it. Targets: >= 99.5% of cells
right, 0 wrong cells unmarked. Exit status 1 when a wrong cell is unmarked. The scans are the "noisy"
style (etl.sample.scan.STYLES). Time: CPU seconds a page (time.process_time, one core a worker) with the
load average, as the machine may be shared.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from multiprocessing import get_context
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from etl.document import ReadError  # noqa: E402
from etl.parse import parse_file  # noqa: E402
from etl.sample.compare import compare, load_truth, report_files  # noqa: E402
from etl.sample.corpus import SCAN, generate  # noqa: E402


def _one(path: str) -> dict:
    p = Path(path)
    truth = load_truth(p)
    t0 = time.process_time()
    try:
        report = parse_file(p)
    except ReadError as e:
        return {"cells": len(truth["cells"]), "right": 0, "wrong": 0, "marked": 0, "missing": len(truth["cells"]),
                "meta": 0, "seconds": time.process_time() - t0, "errors": [f"{path}: unreadable: {e}"]}
    seconds = time.process_time() - t0
    c = compare(truth, report, path)
    flagged_tables = {pr.where for pr in report.problems if pr.code == "ocr_unverified"}
    flagged_cells = {pr.where for pr in report.problems if pr.code in ("ocr_uncertain", "ocr_corrected")}
    got = {(x.table, x.row, x.col): x for x in report.cells}
    marked = 0
    unmarked = []
    for t in truth["cells"]:
        x = got.get((t["table"], t["row"], t["col"]))
        if x is None or (x.kind == t["kind"] and (x.value == t["value"] or (x.value is not None and t["value"]
                                                                              is not None and abs(x.value - t["value"]) < 1e-9))):
            continue
        addr = str(x.addr)
        if x.read == "ocr_corrected" or addr in flagged_cells or x.table in flagged_tables:
            marked += 1
        else:
            unmarked.append(f"{path}: UNMARKED {addr} = {x.raw!r} expected {t['raw']!r}")
    # a corrected cell whose value is right is right, whatever OCR first read
    wrong = len(unmarked) + marked
    right = len(truth["cells"]) - wrong - c.missing
    return {"cells": len(truth["cells"]), "right": right, "wrong": wrong, "marked": marked, "missing": c.missing,
            "meta": c.meta, "seconds": seconds, "pages": _pages(p), "errors": unmarked +
            [e for e in c.errors if "missing cell" in e or " = " not in e][:5]}


def _pages(p: Path) -> int:
    import pymupdf

    with pymupdf.open(p) as d:
        return d.page_count


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reports", type=int, default=200)
    ap.add_argument("--dpi", default="150,200,300")
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--show", type=int, default=10)
    args = ap.parse_args(argv)
    status = 0
    for dpi in (int(d) for d in args.dpi.split(",")):
        with tempfile.TemporaryDirectory(prefix="scans-") as tmp:
            generate(tmp, args.reports, [2023, 2024], args.seed, ["pdf"], workers=args.workers, scans=args.reports,
                     scan_dpi=dpi)
            files = [str(p) for p in report_files(Path(tmp)) if load_truth(p)["rendering"] == SCAN]
            t0 = time.perf_counter()
            with get_context("fork").Pool(args.workers) as pool:
                results = pool.map(_one, files, chunksize=1)
            wall = time.perf_counter() - t0
        tot = {k: sum(r[k] for r in results) for k in ("cells", "right", "wrong", "marked", "missing", "meta")}
        pages = sum(r.get("pages") or 0 for r in results)
        secs = sum(r["seconds"] for r in results)
        unmarked = tot["wrong"] - tot["marked"]
        print(f"{dpi} dpi: {len(files)} scanned reports, {pages} pages; cells {tot['cells']}: right {tot['right']} "
              f"({100 * tot['right'] / max(1, tot['cells']):.2f}%), wrong {tot['wrong']} (marked {tot['marked']}, "
              f"UNMARKED {unmarked}), missing {tot['missing']}; metadata differences {tot['meta']}; "
              f"{secs / max(1, pages):.2f} s CPU a page (whole parse), {wall:.0f} s wall on {args.workers} "
              f"workers, load average {os.getloadavg()[0]:.1f}")
        for e in [e for r in results for e in r["errors"]][:args.show]:
            print("  " + e)
        status |= unmarked > 0
    return status


if __name__ == "__main__":
    raise SystemExit(main())
