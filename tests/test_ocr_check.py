"""OCR'd tables checked by their own identities (etl.extract.ocr_check), on the real 淮安市 2024 figures.

The report is parsed from its text layer and its cells are then marked as OCR'd, so the figures are real
and every identity holds; each test then plants the misreads OCR makes.
"""

from __future__ import annotations

import copy

import pytest

from etl.extract.ocr_check import verify
from etl.parse import parse_file
from etl.values import parse_cell


@pytest.fixture(scope="module")
def read_by_ocr(shared_samples):
    r = parse_file(shared_samples / "huaian-city-2024.pdf")
    for c in r.cells:
        c.read, c.conf = "ocr", 0.99
    return r


def _misread(report, addr: str, raw: str):
    r = copy.deepcopy(report)
    c = next(c for c in r.cells if str(c.addr) == addr)
    p = parse_cell(raw)
    c.raw, c.value, c.kind = raw, p.value, p.kind
    return r, c


def _codes(r) -> list[str]:
    return [p.code for p in r.problems if p.code.startswith("ocr_")]


def test_a_consistent_table_is_confirmed_and_left_alone(read_by_ocr):
    r = copy.deepcopy(read_by_ocr)
    verify(r)
    assert _codes(r) == [] and {c.read for c in r.cells} == {"ocr"}


def test_one_misread_digit_is_corrected_and_marked(read_by_ocr):
    # 3001 printed (t3 new_received, natural persons): OCR reads 3081
    r, c = _misread(read_by_ocr, "t3.new_received.natural_person", "3081")
    verify(r)
    assert (c.value, c.raw, c.read) == (3001, "3081", "ocr_corrected")
    (p,) = [p for p in r.problems if p.code == "ocr_corrected"]
    assert p.where == "t3.new_received.natural_person" and "'3081'" in p.message and "3001" in p.message


def test_a_letter_read_for_a_digit_is_read_as_the_digit_when_the_table_confirms_it(read_by_ocr):
    r, c = _misread(read_by_ocr, "t3.withheld_third_party.commercial", "o")
    verify(r)
    assert (c.value, c.kind, c.read, c.raw) == (0, "zero", "ocr_corrected", "o")


def test_two_misreads_are_not_guessed_at(read_by_ocr):
    r, a = _misread(read_by_ocr, "t3.new_received.natural_person", "3081")
    r2, b = _misread(r, "t3.granted.natural_person", "1238")  # 1288 printed
    verify(r2)
    b2 = next(c for c in r2.cells if str(c.addr) == "t3.new_received.natural_person")
    assert b2.value == 3081 and b.value == 1238  # kept as read
    assert not [c for c in r2.cells if c.read == "ocr_corrected"]
    assert [p.where for p in r2.problems if p.code == "ocr_unverified"] == ["t3"]


def test_a_cell_no_identity_covers_is_listed_when_the_engine_was_unsure(read_by_ocr):
    # table 2 has no sums to confirm a figure: an unsure one is named, a sure one is not
    r = copy.deepcopy(read_by_ocr)
    fee = next(c for c in r.cells if str(c.addr) == "t2.admin_fees.amount_10k_yuan")
    fee.conf = 0.7
    verify(r)
    assert [p.where for p in r.problems if p.code == "ocr_uncertain"] == ["t2.admin_fees.amount_10k_yuan"]
    assert fee.value == 96171.6 and fee.read == "ocr"
