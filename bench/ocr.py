"""OCR speed per engine, side by side in one run: seconds a page on one core at 200 dpi.

usage: python bench/ocr.py [--engines today,onnxruntime,openvino] [--generated 2] [--repeat 2] [--build 0]

Pages: the real 淮安市 2024 report (../shared/samples/huaian-city-2024.pdf, rasterised here in grey at
200 dpi and stored as image-only pages, as tests/test_reader_ocr.py does; the bench says so when
../shared is absent) and `--generated` scans made by the sample generator (etl.sample.scan: turned,
blurred, speckled, JPEG, stamped). Each page is read by etl.readers.ocr.read_page on each engine:
- today: PP-OCRv4 on ONNX Runtime (the `rapidocr-onnxruntime` package the reader used before; skipped,
  with a note, when it is not installed);
- onnxruntime / openvino: PP-OCRv6 small (the `rapidocr` wheel's models) on ONNX Runtime (f32, any CPU)
  or OpenVINO (bf16 where the CPU has it) — what etl.readers.ocr_engine chooses between.
Every engine runs the same page code, one thread, loaded once; its first pass over the pages (in which
OpenVINO prepares each new input shape once) is reported apart from the timed passes. Target: <= 1 s a
page on one core at 200 dpi. The machine may be shared: the load average is printed beside the
timings, and CPU time a page (time.process_time), less sensitive to load than wall time, beside wall.
Accuracy, same run: the cells each engine reads from the scans against the text layer (the real report)
or the ground truth (generated scans).
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

import numpy as np  # noqa: E402
import pymupdf  # noqa: E402

from etl.parse import parse_file  # noqa: E402
from etl.readers import ocr, ocr_engine  # noqa: E402
from tests.helpers import scanned_copy  # noqa: E402  (the tests' own scanner: grey PNG pages)

SHARED = ROOT.parent / "shared" / "samples"
REAL = "huaian-city-2024.pdf"
DPI = 200


class TodayEngine:
    """The engine the reader used before: rapidocr-onnxruntime 1.4 (PP-OCRv4 on ONNX Runtime, its wheel's
    models), one crop at a time padded to 96 px, as etl/readers/ocr.py drove it — behind the interface of
    etl.readers.ocr_engine.Engine, so the same page code runs on it."""

    name = "today: PP-OCRv4 on ONNX Runtime (f32)"

    def __init__(self) -> None:
        from rapidocr_onnxruntime import RapidOCR

        eng = RapidOCR(intra_op_num_threads=1, inter_op_num_threads=1, print_verbose=False)
        eng.text_det.limit_type, eng.text_det.limit_side_len = "min", 32
        eng.text_rec.rec_batch_num = 1
        eng.text_rec.rec_image_shape = [3, 48, 96]
        self.eng = eng

    @staticmethod
    def _bgr(img: np.ndarray) -> np.ndarray:
        import cv2

        return cv2.cvtColor(img, cv2.COLOR_GRAY2BGR) if img.ndim == 2 else img

    def detect(self, img: np.ndarray) -> list[np.ndarray]:
        boxes, _ = self.eng.text_det(self._bgr(img))
        return [] if boxes is None else [np.asarray(b, dtype=np.float32) for b in boxes]

    def recognise(self, crops: list, together: bool = False) -> list[tuple[str, float]]:
        if not crops:
            return []
        res, _ = self.eng.text_rec([self._bgr(c) for c in crops])
        return [(str(t).strip(), float(s)) for t, s in res]

    def digits_only(self, crop: np.ndarray) -> tuple[str, float] | None:
        rec = self.eng.text_rec
        img = self._bgr(crop)
        h, w = img.shape[:2]
        _, rh, rw = rec.rec_image_shape
        norm = rec.resize_norm_img(img, max(rw / rh, w / h))[np.newaxis, :].astype(np.float32)
        probs = rec.session(norm)[0][0]
        chars = rec.postprocess_op.character
        digits = [i for i, ch in enumerate(chars) if ch in set("0123456789")]
        return ocr_engine.decode_digits(probs, digits, chars)

    def upside_down(self, crops: list) -> list[tuple[str, float]]:
        _, cls_res, _ = self.eng.text_cls([self._bgr(c) for c in crops])
        return list(cls_res)


def load_engine(name: str):
    """(engine, seconds to load) or (None, why not)."""
    t = time.perf_counter()
    try:
        eng = TodayEngine() if name == "today" else ocr_engine.Engine(name)
    except ImportError as e:
        return None, f"not installed ({e.name or e})"
    except Exception as e:  # noqa: BLE001 — e.g. no OpenVINO plugin for this CPU: say so, bench the rest
        return None, f"failed to load: {e}"
    return eng, time.perf_counter() - t


def real_scan() -> tuple[bytes, bytes] | None:
    """(text-layer PDF, its scan at 200 dpi) of the real report, or None without ../shared."""
    path = SHARED / REAL
    if not path.is_file():
        return None
    data = path.read_bytes()
    return data, scanned_copy(data, DPI)


def generated_scans(n: int, tmp: Path) -> list[Path]:
    if n <= 0:
        return []
    from etl.sample.compare import load_truth, report_files
    from etl.sample.corpus import SCAN, generate

    generate(tmp, n, [2023, 2024], 5, ["pdf"], workers=1, scans=n, scan_dpi=DPI)
    return [p for p in report_files(tmp) if load_truth(p)["rendering"] == SCAN]


def page_images(pdf: bytes) -> list[np.ndarray]:
    """The pages of a scanned PDF as the reader renders them for OCR."""
    doc = pymupdf.open(stream=pdf, filetype="pdf")
    return [ocr.pixmap_array(p.get_pixmap(dpi=ocr.OCR_DPI, colorspace=pymupdf.csRGB, alpha=False)) for p in doc]


def time_pages(pages: list[tuple[str, np.ndarray]], repeat: int) -> tuple[dict, float, float]:
    """{page: (median wall s, median CPU s, kind)}, the first pass's wall seconds and the load average."""
    t = time.perf_counter()
    for _, img in pages:
        ocr.read_page(img, ocr.OCR_DPI)
    first = time.perf_counter() - t
    out: dict[str, tuple[float, float, str]] = {}
    for label, img in pages:
        walls, cpus = [], []
        for _ in range(repeat):
            w, c = time.perf_counter(), time.process_time()
            page = ocr.read_page(img, ocr.OCR_DPI)
            walls.append(time.perf_counter() - w)
            cpus.append(time.process_time() - c)
        in_cells = sum(1 for word in page.words if word[5] == 1)
        kind = "table" if in_cells > len(page.words) - in_cells else "prose"
        out[label] = (statistics.median(walls), statistics.median(cpus), kind)
    return out, first, os.getloadavg()[0]


def accuracy(real: tuple[bytes, bytes] | None, scans: list[Path]) -> str:
    """Cells read right from the scans: against the text layer (real) or the ground truth (generated)."""
    from etl.sample.compare import compare, load_truth

    parts = []
    if real is not None:
        ref = {str(c.addr): (c.value, c.kind) for c in parse_file("real.pdf", real[0]).cells}
        got = {str(c.addr): (c.value, c.kind) for c in parse_file("scan.pdf", real[1]).cells}
        parts.append(f"real {sum(1 for k, v in ref.items() if got.get(k) == v)}/{len(ref)}")
    right = total = 0
    for p in scans:
        truth = load_truth(p)
        c = compare(truth, parse_file(p), p.name)
        right, total = right + c.right, total + len(truth["cells"])
    if scans:
        parts.append(f"generated {right}/{total}")
    return ", ".join(parts)


def build_throughput(pdfs: list[bytes], n: int, jobs: int = 2) -> None:
    """`etl build --jobs N` over n scanned PDFs (the default engine)."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "scans"
        src.mkdir()
        pages = 0
        for i in range(n):
            scan = pdfs[i % len(pdfs)]
            # a different byte in each copy, so the build does not skip duplicates
            (src / f"scan-{i:03d}.pdf").write_bytes(scan + f"\n%copy {i}\n".encode())
            pages += pymupdf.open(stream=scan, filetype="pdf").page_count
        db = Path(tmp) / "wh.duckdb"
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "etl", "build", str(src), "--db", str(db), "--jobs", str(jobs)],
                       cwd=ROOT, check=True, capture_output=True, timeout=3600)
        wall = time.perf_counter() - t
        print(f"etl build --jobs {jobs} over {n} scanned PDFs ({pages} pages, {DPI} dpi): {wall:.1f} s = "
              f"{pages / wall:.2f} pages/s (load average {os.getloadavg()[0]:.1f})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--engines", default="today,onnxruntime,openvino",
                    help="comma list of today, onnxruntime, openvino (default all three)")
    ap.add_argument("--generated", type=int, default=2, help="generated scanned reports to time (default 2)")
    ap.add_argument("--repeat", type=int, default=2, help="timed passes over the pages; the median is shown")
    ap.add_argument("--no-accuracy", action="store_true", help="skip the cells-right check")
    ap.add_argument("--build", type=int, default=0, metavar="N",
                    help="also time `etl build --jobs 2` over N scanned PDFs (default engine)")
    args = ap.parse_args()

    real = real_scan()
    if real is None:
        print(f"note: {SHARED / REAL} is absent (../shared/samples): timing generated scans only")
    with tempfile.TemporaryDirectory(prefix="bench-ocr-") as tmp:
        scans = generated_scans(args.generated, Path(tmp))
        pages: list[tuple[str, np.ndarray]] = []
        if real is not None:
            pages += [(f"淮安 p{i + 1}", img) for i, img in enumerate(page_images(real[1]))]
        for k, p in enumerate(scans):
            pages += [(f"gen{k + 1} p{i + 1}", img) for i, img in enumerate(page_images(p.read_bytes()))]
        results: list[tuple[str, dict, float, float, float, str]] = []
        for name in args.engines.split(","):
            eng, loaded = load_engine(name.strip())
            if eng is None:
                print(f"{name}: {loaded} — skipped")
                continue
            with ocr_engine.using(eng):
                times, first, load = time_pages(pages, args.repeat)
                acc = "" if args.no_accuracy else accuracy(real, scans)
            results.append((name.strip(), times, first, load, loaded, acc, eng.name))
        if not results:
            raise SystemExit("no engine could be loaded")

        print(f"\nOCR seconds a page at {DPI} dpi, one thread, wall / CPU (median of {args.repeat}; "
              f"{os.cpu_count()} cores shared)")
        width = max(len(label) for label, _ in pages) + 8
        print("page".ljust(width) + "".join(f"{name:>36}" for name, *_ in results))
        for label, _ in pages:
            kind = results[0][1][label][2]
            row = f"{label} ({kind})".ljust(width)
            print(row + "".join(f"{t[label][0]:>21.2f} / {t[label][1]:.2f} s" + " " * 4
                                for _, t, *_ in results))
        for what, pick in (("mean, every page", lambda k: True), ("mean, table pages", lambda k: k == "table"),
                           ("mean, prose pages", lambda k: k == "prose")):
            chosen = [label for label, _ in pages if pick(results[0][1][label][2])]
            if not chosen:
                continue
            row = what.ljust(width)
            for _, t, *_ in results:
                row += f"{statistics.mean(t[x][0] for x in chosen):>21.2f} / " \
                       f"{statistics.mean(t[x][1] for x in chosen):.2f} s" + " " * 4
            print(row)
        print()
        for key, _, first, load, loaded, acc, name in results:
            print(f"{key} = {name}: loaded in {loaded:.1f} s; first pass {first / len(pages):.2f} s/page; load average "
                  f"{load:.1f} while timed" + (f"; cells right: {acc}" if acc else ""))
        if args.build:
            build_throughput([real[1]] if real else [p.read_bytes() for p in scans], args.build)


if __name__ == "__main__":
    main()
