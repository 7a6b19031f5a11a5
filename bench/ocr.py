"""OCR speed: seconds per scanned page on one core, and `etl build --jobs 2` throughput on a folder of scans.

usage: python bench/ocr.py [--dpi 150,200] [--files 6]
Scans are made here from the real text-layer PDFs in ../shared/samples (rasterised in grey, stored as
image-only pages); without ../shared, from a generated report. Target: <= 2 s a page on one core at 200 dpi.
Every page is timed on its own, so table pages and pages of running text show separately.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DISCLOSURE_OCR_THREADS", "1")  # one core per file, as `etl build --jobs N` runs them

import cv2  # noqa: E402
import numpy as np  # noqa: E402
import pymupdf  # noqa: E402

from etl.parse import parse_file  # noqa: E402
from etl.readers import ocr  # noqa: E402
from tests.helpers import scanned_copy  # noqa: E402  (the tests' own scanner: grey PNG pages)

SHARED = ROOT.parent / "shared" / "samples"
REAL = ("huaian-city-2024.pdf", "reports/jiangsu-hongze-district-2023.pdf")


def sources() -> list[tuple[str, bytes]]:
    found = [(name, (SHARED / name).read_bytes()) for name in REAL if (SHARED / name).is_file()]
    if found:
        return found
    from etl.sample.corpus import render
    from etl.sample.population import build_population
    from etl.sample.truth import AgencyPlan

    agency = build_population(seed=1, n=1)[0]
    spec = AgencyPlan(agency, 1, list(range(2019, 2025)), ["pdf"]).reports()[0]
    return [(f"generated {spec.year} report", render(spec, "pdf"))]


def page_times(pdf: bytes, dpi: int) -> list[tuple[float, int]]:
    """(seconds, words) to OCR each page of a scan of `pdf` at `dpi` (the page as the reader renders it)."""
    scan = pymupdf.open(stream=scanned_copy(pdf, dpi), filetype="pdf")
    out = []
    for page in scan:
        pix = page.get_pixmap(dpi=ocr.OCR_DPI, colorspace=pymupdf.csRGB, alpha=False)
        img = ocr.pixmap_array(pix)
        t = time.perf_counter()
        res = ocr.read_page(img, ocr.OCR_DPI)
        out.append((time.perf_counter() - t, len(res.words)))
    return out


def build_throughput(files: list[tuple[str, bytes]], n: int, dpi: int, jobs: int = 2) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "scans"
        src.mkdir()
        pages = 0
        for i in range(n):
            name, pdf = files[i % len(files)]
            scan = scanned_copy(pdf, dpi)
            # a different byte in each copy, so the build does not skip duplicates
            (src / f"scan-{i:03d}.pdf").write_bytes(scan + f"\n%copy {i}\n".encode())
            pages += pymupdf.open(stream=pdf, filetype="pdf").page_count
        db = Path(tmp) / "wh.duckdb"
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "etl", "build", str(src), "--db", str(db), "--jobs", str(jobs)],
                       cwd=ROOT, check=True, capture_output=True, timeout=3600)
        wall = time.perf_counter() - t
        import duckdb

        with duckdb.connect(str(db), read_only=True) as con:
            (n_ocr,) = con.execute("SELECT count(*) FROM reports WHERE read_method = 'ocr'").fetchone()
            errors = con.execute("SELECT code, count(*) FROM ingest_errors GROUP BY 1").fetchall()
        print(f"etl build --jobs {jobs} over {n} scanned PDFs ({pages} pages, {dpi} dpi): {wall:.1f} s = "
              f"{60 * n / wall:.1f} files/min, {pages / wall:.2f} pages/s; {n_ocr} loaded as OCR, "
              f"ingest errors: {dict(errors) or 'none'}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dpi", default="150,200", help="scan resolutions, comma-separated")
    ap.add_argument("--files", type=int, default=6, help="scanned files in the build throughput run")
    args = ap.parse_args()
    files = sources()
    ocr.engine()  # loading the models (~1 s) is not a page's cost
    for dpi in (int(d) for d in args.dpi.split(",")):
        for name, pdf in files:
            times = page_times(pdf, dpi)
            secs = [s for s, _ in times]
            t0 = time.perf_counter()
            report = parse_file("scan.pdf", scanned_copy(pdf, dpi))
            whole = time.perf_counter() - t0
            print(f"{name} at {dpi} dpi: {len(times)} pages, OCR {statistics.mean(secs):.2f} s/page "
                  f"(min {min(secs):.2f}, max {max(secs):.2f}; target <= 2 s), whole parse {whole:.1f} s, "
                  f"{len(report.cells)} cells")
            print("   per page: " + ", ".join(f"p{i + 1} {s:.2f} s/{w} words" for i, (s, w) in enumerate(times)))
    build_throughput(files, args.files, 200)
    print(f"(one ONNX Runtime thread per file; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; "
          f"cv2 {cv2.__version__}, numpy {np.__version__})")


if __name__ == "__main__":
    main()
