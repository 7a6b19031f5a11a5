"""Every text rendering found in the wild gives the same canonical cells (fixture written by the tests)."""

from __future__ import annotations

import helpers as R
import pytest

from etl.parse import parse_file


@pytest.fixture(params=["a", "b", "c", "d", "e", "f"])
def parsed(request, tmp_path):
    path = tmp_path / f"report-{request.param}.txt"
    path.write_text(R.render(request.param), encoding="utf-8")
    return request.param, parse_file(path)


def test_metadata_and_narrative(parsed):
    kind, r = parsed
    assert r.source.kind == "text"
    assert (r.agency, r.year, r.template, r.published_on) == ("样例测试县样例局", 2023, "2021", "2024-01-15")
    assert r.narrative["proactive_items"] == 1234
    assert r.narrative["requests_received"] == 56
    assert r.narrative["requests_processed"] == 55
    assert set(r.chapters) == {"overview", "proactive", "requests", "review_litigation", "problems", "other"}


def test_table2(parsed):
    kind, r = parsed
    got = {(c.row, c.col): c.value for c in r.cells if c.table == "t2"}
    assert got == R.T2_EXPECTED


def test_table3_every_cell(parsed):
    kind, r = parsed
    got = {(c.row, c.col): c.value for c in r.cells if c.table == "t3"}
    assert got == R.t3_expected()
    blank = r.cell("t3", *R.BLANK_CELL)
    # (f) is PDF text, where a blank cannot be shown; the fixture prints "/" there instead
    assert blank.kind == ("na" if kind == "f" else "empty") and blank.value is None
    assert r.cell("t3", *R.NA_CELL).kind == "na"


def test_table4(parsed):
    kind, r = parsed
    got = [r.value("t4", row, col) for row in ("review", "litigation_direct", "litigation_after_review")
           for col in ("upheld", "corrected", "other", "pending", "total")]
    assert got == [int(v) for v in R.T4_VALUES]
    assert r.missing == []


def test_renderings_are_detected_as_intended(tmp_path):
    from etl.readers.text import read_text

    want = {"a": "tab", "b": "blank", "c": "pipe_row", "d": "pipe_cell", "e": "pipe_line", "f": "lines"}
    for kind, rendering in want.items():
        assert read_text(R.render(kind).encode()).meta["rendering"] == rendering, kind
