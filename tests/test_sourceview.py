"""The original beside the parsed table (etl.sourceview): where a table and a row are printed in the bundled
sample files of each kind, checked against the file's own text read independently; a PDF page rendered."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pymupdf
import pytest

from etl import formats as F
from etl.sourceview import main, probes, show

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples"
PDF = "jize-sheng/huangmei-shi/ruiyua-qu/gov/2021.pdf"
TEXTS = {"text": "jize-sheng/huangmei-shi/civil_affairs/2024.txt", "html": "yaoyux-sheng/jugao-shi/ecology/2024.html",
         "docx": "yaoyux-sheng/gov/2023.docx"}


@pytest.fixture(autouse=True)
def samples() -> None:
    if not (SAMPLES / "manifest.json").is_file():
        pytest.skip("data/samples is not in this checkout")


def printed_in(text: str, tbl: str, row: str) -> bool:
    """Whether a row's label is in `text` (whitespace-free), as the official form or the 2019 form prints it."""
    return any(p in text for p in probes(tbl, row))


def test_a_pdf_row_is_found_on_its_page_and_rendered() -> None:
    path = SAMPLES / PDF
    doc = pymupdf.open(path)
    pages = [F.norm(p.get_text("text")) for p in doc]
    for addr in ("t2.normative_documents.issued", "t3.granted.total", "t4.review.upheld"):
        tbl, row, _ = addr.split(".")
        got = show(path, focus=addr, render=True)
        page = got["page"]
        assert got["ok"] and got["kind"] == "pdf" and got["pages"] == len(pages)
        assert printed_in(pages[page - 1], tbl, row), addr  # the row's label is printed on that page
        title = got["tables"][tbl]["page"]
        assert F.norm(F.TABLE_TITLES[tbl][0]) in pages[title - 1] and title <= page
        png = base64.b64decode(got["png"])
        assert png.startswith(b"\x89PNG") and len(png) > 20_000
    # another page when asked for one
    assert show(path, focus="t3", page=1)["page"] == 1


@pytest.mark.parametrize("kind", list(TEXTS))
def test_the_text_around_a_table_holds_the_row(kind: str) -> None:
    got = show(SAMPLES / TEXTS[kind], focus="t3.granted.total")
    assert got["ok"] and got["kind"] == kind
    lines = dict((n, text) for n, text in got["lines"])
    assert got["focus_line"] in lines and printed_in(F.norm(lines[got["focus_line"]]), "t3", "granted")
    # the excerpt starts at the table's title (a few lines before it at most) and the title is in it
    title = got["tables"]["t3"]["line"]
    assert F.norm(F.TABLE_TITLES["t3"][0]) in F.norm(lines[title])
    assert min(lines) <= title <= min(lines) + 3
    if kind != "text":  # a table row: every figure the parser read from it, in order (none merged away)
        from etl.parse import parse_file

        rep = parse_file(SAMPLES / TEXTS[kind])
        want = [c.raw.strip() for k in F.T3_COL_KEYS if (c := rep.cell("t3", "granted", k)) is not None]
        figures = [x.strip() for x in lines[got["focus_line"]].split("|")][-len(want):]
        assert len(want) >= 7 and figures == want
    if kind == "text":  # a text file's own lines, as printed
        raw = (SAMPLES / TEXTS[kind]).read_text(encoding="utf-8").splitlines()
        assert all(raw[n - 1] == text for n, text in got["lines"])


def test_every_row_of_a_table_is_placed_in_order(capsys) -> None:
    got = show(SAMPLES / TEXTS["html"])
    t3 = [got["rows"][f"t3.{r}"]["line"] for r in F.T3_ROWS_BY_FORMAT[F.Format("2021")] if f"t3.{r}" in got["rows"]]
    assert len(t3) >= 20 and t3 == sorted(t3)
    assert main([str(SAMPLES / "nope.pdf")]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["ok"] is False and out["reason_zh"]


def test_a_real_published_pdf(shared_samples: Path) -> None:
    """A real report (read from ../shared, never copied): table 3's 予以公开 row is on the page named."""
    path = shared_samples / "huaian-city-2024.pdf"
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    pages = [F.norm(p.get_text("text")) for p in pymupdf.open(path)]
    got = show(path, focus="t3.granted.total")
    assert printed_in(pages[got["page"] - 1], "t3", "granted")
    assert got["tables"]["t2"]["page"] <= got["tables"]["t3"]["page"] <= got["tables"]["t4"]["page"]
