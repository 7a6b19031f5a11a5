"""OCR of scanned reports: real reports rasterised by the test read to the same cells as their text layer.

The scans are made here from the real PDFs in ../shared/samples (rasterised, turned, saved as image-only
pages), so the text-layer parse — itself checked cell by cell in test_parse_real — is the ground truth.
"""

from __future__ import annotations

import pytest

from etl.document import ReadError
from etl.parse import parse_file
from etl.readers import read_document
from tests.helpers import page_image, peak_memory, scanned_copy

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

HUAIAN = "huaian-city-2024.pdf"
HONGZE = "reports/jiangsu-hongze-district-2023.pdf"


def _cells(report) -> dict[str, tuple]:
    return {str(c.addr): (c.value, c.kind) for c in report.cells}


def _compare(ref, got) -> tuple[int, list, list]:
    """(cells right, wrong cells, missing cells) of `got` against `ref`."""
    a, b = _cells(ref), _cells(got)
    wrong = [(k, a[k], b[k]) for k in a if k in b and b[k] != a[k]] + [(k, None, b[k]) for k in b if k not in a]
    missing = [k for k in a if k not in b]
    return sum(1 for k in a if b.get(k) == a[k]), wrong, missing


@pytest.fixture(scope="module")
def huaian(shared_samples):
    data = (shared_samples / HUAIAN).read_bytes()
    return data, parse_file(shared_samples / HUAIAN)


@pytest.mark.parametrize("dpi,rotate", [(150, 0.0), (200, 0.0), (300, 0.0), (200, 2.0)])
def test_scanned_huaian_reads_the_same_200_cells(huaian, dpi, rotate):
    data, ref = huaian
    assert len(ref.cells) == 200
    scan = scanned_copy(data, dpi, rotate)
    assert read_document("scan.pdf", scan).read == "ocr"
    got = parse_file("scan.pdf", scan)
    right, wrong, missing = _compare(ref, got)
    assert (right, wrong, missing) == (200, [], [])
    assert got.source.read == "ocr" and {c.read for c in got.cells} == {"ocr"}
    assert all(c.conf is not None and 0 < c.conf <= 1 for c in got.cells)
    assert (got.agency, got.year, got.template, got.table_formats) == (ref.agency, ref.year, ref.template,
                                                                        ref.table_formats)
    # every identity of this report holds (the source is consistent), so nothing is doubted or changed
    assert not [p for p in got.problems if p.code.startswith("ocr_") and p.code != "ocr_pages"]
    assert got.value("t3", "new_received", "total") == 3119 and got.value("t2", "admin_fees", "amount_10k_yuan") == 96171.6


@pytest.mark.parametrize("dpi", [150, 200, 300])
def test_scanned_report_whose_printed_table_does_not_add_up_is_read_as_printed(shared_samples, dpi):
    """洪泽区 2023 prints table 4 totals of 0 beside 10 + 1: OCR must keep them and say the table does not
    add up — never "correct" a printed figure."""
    ref = parse_file(shared_samples / HONGZE)
    got = parse_file("scan.pdf", scanned_copy((shared_samples / HONGZE).read_bytes(), dpi))
    right, wrong, missing = _compare(ref, got)
    assert (right, wrong, missing) == (len(ref.cells), [], []) and right == 186
    assert got.value("t4", "review", "upheld") == 10 and got.value("t4", "review", "total") == 0
    assert not [c for c in got.cells if c.read == "ocr_corrected"]
    unverified = [p for p in got.problems if p.code == "ocr_unverified"]
    assert [p.where for p in unverified] == ["t4"] and "T4-sums" in unverified[0].message


def test_mixed_pdf_ocrs_only_its_image_pages(huaian):
    data, ref = huaian
    mixed = scanned_copy(data, 200, pages=[3])  # page 4 (table 3's first half) scanned, the rest text
    got = parse_file("mixed.pdf", mixed)
    assert got.source.read == "partly_ocr"
    right, wrong, missing = _compare(ref, got)
    assert (right, wrong, missing) == (200, [], [])
    read = {str(c.addr): c.read for c in got.cells}
    # page 3 (text) holds table 2's start, page 4 (scanned) its end and table 3's first half, page 5 (text)
    # the rest of table 3
    assert read["t2.regulations.issued"] == "text" and read["t2.admin_fees.amount_10k_yuan"] == "ocr"
    assert read["t3.new_received.total"] == "ocr" and read["t3.carried_forward.total"] == "text"
    assert any(p.code == "ocr_pages" and "[4]" in p.message for p in got.problems)


@pytest.mark.parametrize("turns", [1, 2, 3])
def test_a_page_image_scanned_sideways_or_upside_down_is_turned_upright(huaian, turns, tmp_path):
    data, ref = huaian
    png = tmp_path / "page5.png"
    png.write_bytes(page_image(data, 4, 200, quarter_turns=turns))  # table 3's second half, table 4
    got = parse_file(png)
    assert got.source.kind == "image" and got.source.read == "ocr"
    truth = _cells(ref)
    cells = _cells(got)
    assert len(cells) >= 60
    assert {k: v for k, v in cells.items() if truth.get(k) != v} == {}
    assert cells["t4.review.total"] == truth["t4.review.total"]


# --- bad input: a reason, in bounded time ----------------------------------------------------------------


def _png_header(width: int, height: int) -> bytes:
    """A PNG whose header states width × height (with no pixel data worth decoding)."""
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b"")


def test_huge_image_is_refused_from_its_header(tmp_path):
    p = tmp_path / "bomb.png"
    p.write_bytes(_png_header(20_000, 20_000))
    with peak_memory() as peak, pytest.raises(ReadError) as e:
        parse_file(p)
    assert e.value.code == "too_large" and "20000 × 20000" in e.value.detail
    assert peak.mb < 50, peak.mb  # the 400-megapixel image was never decoded


@pytest.mark.parametrize("data", [b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40, b"\xff\xd8\xff\xe0" + b"\x13" * 5000,
                                  b"II*\x00" + b"\x00\xff" * 3000])
def test_garbage_images_end_in_corrupt(tmp_path, data):
    p = tmp_path / "scan.img"
    p.write_bytes(data)
    with pytest.raises(ReadError) as e:
        parse_file(p)
    assert e.value.code == "corrupt"


def test_blank_scan_and_500_blank_scanned_pages(tmp_path, monkeypatch):
    import cv2
    import numpy as np
    import pymupdf

    white = cv2.imencode(".png", np.full((1169, 827), 255, np.uint8))[1].tobytes()  # A4 at 100 dpi
    doc = pymupdf.open()
    for _ in range(3):
        page = doc.new_page(width=595, height=842)
        page.insert_image(page.rect, stream=white)
    with pytest.raises(ReadError) as e:
        parse_file("blank.pdf", doc.tobytes())
    assert e.value.code == "no_text" and "3 scanned pages, OCR found no text" in e.value.detail
    for _ in range(497):
        page = doc.new_page(width=595, height=842)
        page.insert_image(page.rect, stream=white)
    from etl.readers import ocr_engine

    seen: list[int] = []
    real_detect = ocr_engine.Engine.detect
    monkeypatch.setattr(ocr_engine.Engine, "detect", lambda self, img: seen.append(1) or real_detect(self, img))
    with pytest.raises(ReadError) as e:
        parse_file("blank500.pdf", doc.tobytes(garbage=3))
    assert e.value.code == "too_many_pages" and "500" in e.value.detail
    assert seen == []  # refused before OCR looked at a single page


# --- the engine: models from the wheel, one thread, a fallback for any CPU -------------------------------


@pytest.fixture
def fresh_engine(monkeypatch):
    """The engine loaded anew in this test (and again after it), under the test's monkeypatching."""
    from etl.readers import ocr_engine

    ocr_engine._load.cache_clear()
    yield ocr_engine
    ocr_engine._load.cache_clear()


@pytest.fixture(scope="module")
def generated_scan(tmp_path_factory):
    """A generated report published as a scan at 200 dpi, with its ground truth."""
    from etl.sample.compare import load_truth, report_files
    from etl.sample.corpus import SCAN, generate

    out = tmp_path_factory.mktemp("scan")
    generate(out, 1, [2024], 3, ["pdf"], workers=1, scans=1, scan_dpi=200)
    (p,) = [p for p in report_files(out) if load_truth(p)["rendering"] == SCAN]
    return p, load_truth(p)


def test_missing_ocr_engine_says_what_to_install(generated_scan, fresh_engine, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "rapidocr", None)  # import fails as if not installed
    with pytest.raises(ReadError) as e:
        parse_file(generated_scan[0])
    assert e.value.code == "ocr_missing" and "pip install rapidocr openvino onnxruntime" in e.value.detail


def test_an_unknown_runtime_setting_is_refused_with_the_choices(generated_scan, fresh_engine, monkeypatch):
    monkeypatch.setenv(fresh_engine.RUNTIME_SETTING, "tensorrt")
    with pytest.raises(ReadError) as e:
        parse_file(generated_scan[0])
    assert e.value.code == "ocr_missing" and "expected auto, openvino or onnxruntime" in e.value.detail


def test_without_openvino_onnx_runtime_reads_the_scan_the_same(generated_scan, fresh_engine, monkeypatch):
    """The fallback for a CPU OpenVINO cannot run on (or no OpenVINO): ONNX Runtime, same models, same
    cells."""
    import sys

    from etl.sample.compare import compare

    path, truth = generated_scan
    assert fresh_engine.engine().runtime == "openvino"  # where it loads, it is the one chosen
    chosen = parse_file(path)
    fresh_engine._load.cache_clear()
    monkeypatch.setitem(sys.modules, "openvino", None)
    assert fresh_engine.engine().runtime == "onnxruntime" and fresh_engine.engine().precision == "f32"
    fallback = parse_file(path)
    assert _cells(fallback) == _cells(chosen)
    c = compare(truth, fallback, str(path))
    assert (c.right, c.wrong, c.missing) == (len(truth["cells"]), 0, 0), c.errors[:5]


def test_the_engine_loads_the_wheel_models_on_one_thread_and_never_downloads(fresh_engine, monkeypatch):
    from pathlib import Path

    import rapidocr
    from rapidocr.utils import download_file

    def refuse(*_a, **_k):
        raise AssertionError("the OCR engine tried to download")

    monkeypatch.setattr(download_file.DownloadFile, "run", refuse)
    monkeypatch.setattr("requests.get", refuse)
    models = Path(rapidocr.__file__).parent / "models"
    ov = fresh_engine.Engine("openvino")
    compiled = ov.rec.session.session.get_compiled_model()
    assert compiled.get_property("INFERENCE_NUM_THREADS") == 1
    assert compiled.get_property("ENABLE_CPU_PINNING") is False  # many processes share the cores
    assert ov.precision in ("bf16", "f32")
    ort = fresh_engine.Engine("onnxruntime")
    for model in (ort.det, ort.rec, ort.cls):
        opts = model.session.session.get_session_options()
        assert (opts.intra_op_num_threads, opts.inter_op_num_threads) == (1, 1)
    assert {Path(m.session.session._model_path).parent for m in (ort.det, ort.rec, ort.cls)} == {models}
    # the digit-only re-read: a crop of a printed "0" the engine is made to doubt still reads 0
    import cv2
    import numpy as np

    zero = np.full((48, 60), 255, np.uint8)
    cv2.putText(zero, "0", (18, 37), cv2.FONT_HERSHEY_SIMPLEX, 1.1, 0, 3)
    assert ov.digits_only(zero)[0] == ort.digits_only(zero)[0] == "0"


def test_openvino_usage_telemetry_is_never_started(tmp_path):
    """`import openvino` would start its telemetry (a client id under ~/intel, events sent while no consent
    file says no): the engine leaves the model converter that starts it out."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {**os.environ, "HOME": str(tmp_path), "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    code = ("import sys; from etl.readers.ocr_engine import Engine; e = Engine('openvino'); "
            "print(e.runtime, any('telemetry' in m for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert out.stdout.split() == ["openvino", "False"], out.stderr[-1000:]
    assert not (tmp_path / "intel").exists()


def test_docx_of_pictures_of_pages_is_read_by_ocr(huaian, tmp_path):
    """A scan pasted into Word, one picture a page: its pictures are the pages."""
    import io

    from docx import Document
    from docx.shared import Cm

    data, ref = huaian
    doc = Document()
    for page in (3, 4):  # table 3 over two pages, as in the PDF
        doc.add_picture(io.BytesIO(page_image(data, page, 150)), width=Cm(17))
    p = tmp_path / "pictures.docx"
    doc.save(p)
    got = parse_file(p)
    assert got.source.kind == "docx" and got.source.read == "ocr"
    truth, cells = _cells(ref), _cells(got)
    assert {k: v for k, v in cells.items() if k.startswith("t3.")} == {k: v for k, v in truth.items()
                                                                        if k.startswith("t3.")}
    assert len([k for k in cells if k.startswith("t3.")]) == 175  # 25 rows × 7 columns


def test_the_image_reader_leaves_pillows_own_pixel_cap_as_it_found_it(tmp_path):
    """The reader lifts Pillow's process-wide decompression-bomb cap only while it reads (its own cap is
    checked from the header, with its own reason): the rest of the process keeps Pillow's."""
    from PIL import Image

    pillow_cap = Image.MAX_IMAGE_PIXELS
    p = tmp_path / "bomb.png"
    p.write_bytes(_png_header(20_000, 20_000))  # past Pillow's cap too: Pillow would refuse it with its own error
    with pytest.raises(ReadError) as e:
        parse_file(p)
    assert e.value.code == "too_large"
    assert pillow_cap is not None and pillow_cap == Image.MAX_IMAGE_PIXELS
