"""Generated scans (etl.sample.scan, `generate(scans=N)`): image-only, stamped, deterministic, same truth —
and read back by OCR to their truth."""

from __future__ import annotations

import json
import random

import numpy as np
import pymupdf

from etl.parse import parse_file
from etl.sample.compare import compare, load_truth, report_files
from etl.sample.corpus import SCAN, generate
from etl.sample.scan import ScanStyle, page_images, scanned_pdf


def _corpus(tmp_path, scans: int, dpi: int = 100):
    out = tmp_path / f"c{scans}-{dpi}"
    m = generate(out, 3, [2023, 2024], 4, ["pdf", "html"], workers=1, scans=scans, scan_dpi=dpi)
    return out, m


def test_scans_replace_the_latest_report_of_n_agencies_with_the_same_truth(tmp_path):
    out, m = _corpus(tmp_path, scans=2)
    plain, _ = _corpus(tmp_path, scans=0)
    scans = [p for p in report_files(out) if load_truth(p)["rendering"] == SCAN]
    assert len(scans) == 2 == m["counts"]["by_rendering"][SCAN]
    for p in scans:
        doc = pymupdf.open(p)
        assert doc.page_count >= 2 and all(not page.get_text().strip() for page in doc)  # no text layer
        truth = json.loads(p.with_suffix("").with_suffix(".truth.json").read_text("utf-8"))
        twin = plain / p.relative_to(out)
        twin_truth = json.loads(twin.with_suffix("").with_suffix(".truth.json").read_text("utf-8"))
        assert {k: v for k, v in truth.items() if k != "rendering"} == \
            {k: v for k, v in twin_truth.items() if k != "rendering"}
    again, _ = _corpus(tmp_path / "again", scans=2)
    assert [p.read_bytes() for p in scans] == [(again / p.relative_to(out)).read_bytes() for p in scans]


def test_scan_pages_are_turned_noisy_and_stamped_on_the_last_page(tmp_path):
    import cv2

    out, _ = _corpus(tmp_path, scans=0)
    pdf = next(p for p in report_files(out) if p.suffix == ".pdf").read_bytes()
    pages = page_images(pdf, random.Random(3), ScanStyle(dpi=100))
    imgs = [cv2.imdecode(np.frombuffer(b, np.uint8), cv2.IMREAD_COLOR) for b in pages]

    def red(img) -> int:
        b, g, r = (img[:, :, k].astype(int) for k in range(3))
        return int(((r - np.maximum(g, b)) > 60).sum())

    assert red(imgs[-1]) > 1000 and all(red(i) < 50 for i in imgs[:-1])
    assert scanned_pdf(pdf, random.Random(3), ScanStyle(dpi=100)) == scanned_pdf(pdf, random.Random(3),
                                                                               ScanStyle(dpi=100))
    assert scanned_pdf(pdf, random.Random(3), ScanStyle(dpi=100)) != scanned_pdf(pdf, random.Random(4),
                                                                               ScanStyle(dpi=100))


def test_a_generated_scan_reads_back_to_its_truth(tmp_path):
    out, _ = _corpus(tmp_path, scans=1, dpi=200)
    (p,) = [p for p in report_files(out) if load_truth(p)["rendering"] == SCAN]
    report = parse_file(p)
    assert report.source.read == "ocr"
    truth = load_truth(p)
    c = compare(truth, report, str(p))
    # no number in a wrong cell; a cell OCR could not place is left out and said to be missing
    assert (c.wrong, c.extra) == (0, 0), c.errors[:5]
    assert c.right >= 0.95 * len(truth["cells"]), c.errors[:5]
    got = {str(x.addr) for x in report.cells}
    said = set(report.missing) | {pr.where for pr in report.problems if pr.where}
    for t in truth["cells"]:
        addr = f"{t['table']}.{t['row']}.{t['col']}"
        if addr not in got:
            assert {addr, f"{t['table']}.{t['row']}", t["table"]} & said, addr
