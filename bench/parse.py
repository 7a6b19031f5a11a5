"""Parse speed per file kind on a fixed corpus, on one core.

usage: python bench/parse.py [CORPUS_DIR ...] [--repeat N]
Default corpus: data/samples (the bundled generated reports) plus ../shared/samples when present.
Targets: text and HTML >= 200 reports/s; PDF parse time <= 1.5x PyMuPDF's own text extraction.
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict
from pathlib import Path

import pymupdf

from etl.document import ReadError
from etl.parse import parse_file
from etl.readers import sniff

ROOT = Path(__file__).resolve().parents[1]
REPORT_EXT = {".txt", ".html", ".htm", ".shtml", ".pdf", ".docx", ""}


def corpus(dirs: list[Path]) -> dict[str, list[tuple[Path, bytes]]]:
    files: dict[str, list[tuple[Path, bytes]]] = defaultdict(list)
    for d in dirs:
        for p in sorted(d.rglob("*")):
            if p.is_file() and p.suffix.lower() in REPORT_EXT and "expected" not in p.name:
                data = p.read_bytes()
                try:
                    files[sniff(data, p.name)].append((p, data))
                except ReadError:
                    continue
    return files


def pdf_library_time(data: bytes) -> float:
    t = time.perf_counter()
    with pymupdf.open(stream=data, filetype="pdf") as doc:
        for page in doc:
            page.get_text()
    return time.perf_counter() - t


def parse_time(path: Path, data: bytes) -> float:
    t = time.perf_counter()
    parse_file(path, data)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("dirs", nargs="*", type=Path)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    dirs = args.dirs or [d for d in (ROOT / "data" / "samples", ROOT.parent / "shared" / "samples") if d.is_dir()]
    files = corpus(dirs)
    print(f"corpus: {', '.join(map(str, dirs))}")
    print(f"{'kind':6} {'files':>6} {'reports/s':>10} {'ms/report':>10}")
    for kind in ("text", "html", "pdf", "docx"):
        items = files.get(kind, [])
        if not items:
            continue
        for p, data in items:  # warm-up, and make sure every file parses
            parse_file(p, data)
        best = float("inf")
        for _ in range(args.repeat):
            t = time.perf_counter()
            for p, data in items:
                parse_file(p, data)
            best = min(best, time.perf_counter() - t)
        print(f"{kind:6} {len(items):6d} {len(items) / best:10.1f} {1000 * best / len(items):10.2f}")
        if kind == "pdf":
            by_dir: dict[Path, list[float]] = defaultdict(lambda: [0.0, 0.0])
            for p, data in items:  # best of N for both, so machine noise cancels out
                d = next(d for d in dirs if d in p.parents)
                by_dir[d][0] += min(parse_time(p, data) for _ in range(args.repeat))
                by_dir[d][1] += min(pdf_library_time(data) for _ in range(args.repeat))
            for d, (ours, lib) in by_dir.items():
                print(f"pdf in {d}: parse {1000 * ours:.1f} ms vs PyMuPDF get_text {1000 * lib:.1f} ms "
                      f"= {ours / lib:.2f}x (target <= 1.5x)")


if __name__ == "__main__":
    main()
