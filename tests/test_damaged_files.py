"""Damaged and hostile files (etl.sample.damaged): each parses or is refused with a reason code, fast.

Never another exception type: the build records a ReadError's code as the reason a file was skipped,
while any other exception would be reported as a parser bug. Bombs must be refused in-process by the
readers' own limits (etl.readers.limits), before they cost time or memory.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from helpers import peak_memory

from etl.document import ReadError
from etl.parse import parse_file
from etl.reasons import REASONS
from etl.sample.damaged import write_damaged, write_good

N_DAMAGED = 300


@pytest.fixture(scope="module")
def damaged(tmp_path_factory) -> list[tuple[Path, str]]:
    return write_damaged(tmp_path_factory.mktemp("damaged"), N_DAMAGED, seed=0)


def _named(files: list[tuple[Path, str]], suffix: str) -> Path:
    return next(p for p, _ in files if p.name.split("-", 1)[1] == suffix)


def _outcome(path: Path) -> tuple[str, float]:
    start = time.perf_counter()
    try:
        report = parse_file(path)
        result = f"report ({len(report.cells)} cells)"
    except ReadError as e:
        result = e.code
    return result, time.perf_counter() - start


def test_every_damaged_file_parses_or_gives_a_reason_code(damaged):
    assert len(damaged) >= N_DAMAGED
    kinds = {p.suffix for p, _ in damaged}
    assert {".html", ".htm", ".txt", ".pdf", ".docx", ""} <= kinds
    failures = []
    times = []
    for path, what in damaged:
        try:
            result, seconds = _outcome(path)
        except Exception as e:  # noqa: BLE001 - the point of the test: name the file and the exception
            failures.append(f"{path.name} ({what}): {type(e).__name__}: {e}")
            continue
        times.append((seconds, path.name))
        if not (result.startswith("report") or result in REASONS):
            failures.append(f"{path.name} ({what}): unknown code {result!r}")
    assert not failures, "\n".join(failures)
    # a measurement for the log, not a target (bench/fuzz.py prints the figures)
    print("damaged files, slowest:", ", ".join(f"{n} {t:.2f} s" for t, n in sorted(times)[-3:]))


def _refused(path: Path, code: str, peak_mb: int) -> None:
    """Refused with `code`, allocating under `peak_mb` while reading: what a bomb would expand is never built.
    (Memory, not time: a clock fails on a loaded machine; the speed is bench/fuzz.py's to print.)"""
    with peak_memory() as peak, pytest.raises(ReadError) as e:
        parse_file(path)
    assert e.value.code == code, str(e.value)
    assert peak.mb < peak_mb, f"peak {peak.mb:.0f} MB"


def test_zip_bomb_is_refused_by_its_declared_size(damaged):
    _refused(_named(damaged, "zip-bomb.docx"), "too_large", 64)


def test_zip_bomb_with_lying_headers_is_refused_while_inflating(damaged):
    # the headers state the original small size: zipfile stops there and the CRC no longer matches
    _refused(_named(damaged, "zip-bomb-lying.docx"), "corrupt", 64)


def test_html_span_bomb_is_refused_before_expanding(damaged):
    path = _named(damaged, "span-bomb.html")
    assert path.stat().st_size < 25_000
    _refused(path, "too_many_cells", 200)


def test_docx_grid_span_bomb_is_refused(damaged):
    _refused(_named(damaged, "gridspan-bomb.docx"), "too_many_cells", 200)


@pytest.mark.parametrize("name", ["billion-laughs.docx", "deep-tables.docx"])
def test_hostile_docx_xml_is_corrupt(damaged, name):
    _refused(_named(damaged, name), "corrupt", 64)


@pytest.mark.parametrize("name, code", [
    ("no-document.docx", "corrupt"),
    ("legacy.doc.docx", "unsupported"),  # an OLE file with no WordDocument stream: not sent to LibreOffice
    ("encrypted.docx", "encrypted"),
    ("empty.html", "empty"),
    ("nul.txt", "empty"),
    ("garbage", "binary"),
    ("garbage.pdf", "corrupt"),
    ("images-only.html", "no_text"),
    ("too-large.txt", "too_large"),
    ("too-large.html", "too_large"),
])
def test_reason_codes_of_hand_made_files(damaged, name, code):
    with pytest.raises(ReadError) as e:
        parse_file(_named(damaged, name))
    assert e.value.code == code, str(e.value)


@pytest.mark.parametrize("name", ["big5.txt", "big5.html", "utf16le.txt", "utf16be"])
def test_other_encodings_of_a_good_report_parse(damaged, name):
    report = parse_file(_named(damaged, name))
    assert len(report.cells) > 50


def test_good_generated_reports_all_parse_with_cells(tmp_path):
    good = write_good(tmp_path, 24, seed=3)
    assert {p.suffix for p in good} >= {".html", ".txt", ".pdf", ".docx"}
    for path in good:
        report = parse_file(path)
        assert len(report.cells) > 50, path.name


def test_read_error_carries_a_code_and_a_plain_detail():
    import pickle

    e = ReadError("too_large", "limit 20 MB, file 25 MB")
    assert (e.code, e.detail, str(e)) == ("too_large", "limit 20 MB, file 25 MB",
                                          "file over the size limit: limit 20 MB, file 25 MB")
    copy = pickle.loads(pickle.dumps(e))  # crosses process boundaries in the build's workers
    assert (copy.code, copy.detail) == (e.code, e.detail)
    assert str(ReadError("empty")) == "empty file"
    with pytest.raises(ValueError):
        ReadError("no such code")
