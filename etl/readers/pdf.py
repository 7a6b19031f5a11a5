"""PDF reports (PyMuPDF): text lines in reading order, ruled tables as rows of cells, page furniture removed.

What a page gives us cheaply is its words (with line ids) and its vector drawings: this module gets both
from MuPDF, and etl.readers.layout turns them into cells and a document's blocks (the rules it shares with
the OCR of scanned pages). Image-only pages are read by OCR (etl.readers.ocr) into the same words and ruling
segments.

Cost: one MuPDF text pass per page that also collects vector boxes (TEXT_COLLECT_VECTORS), so ruling
lines come without interpreting the page again; only a page that may hold a table and draws paths MuPDF
cannot report as boxes (curves, diagonals) pays for a second pass (`get_cdrawings()`).

Positions can mislead: a value drawn off-centre lands in the neighbouring cell. The page's text in the order
it was written (`text_order_readings`) is a second reading of the same file; it costs another pass, so it is
produced only on demand (`PdfDocument.alternatives`), when a table read by position breaks its own sums
(etl.extract.readings).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from etl.document import Document, Paragraph, ReadError
from etl.readers.layout import PageItem, assemble, page_items
from etl.readers.limits import MAX_PDF_PAGES
from etl.readers.mupdf import pymupdf

_THIN = 3.0  # points: a vector box at most this thick is a ruling line
_VECTOR_BLOCK = 3  # block type of vector graphics in TextPage.extractBLOCKS() (with TEXT_COLLECT_VECTORS)
# how extractBLOCKS describes a vector block: "<vector stroked, color: #000000, alpha: 255, is-rect: true, ...>"
_VECTOR = re.compile(r"<vector (stroked|filled), color: #([0-9a-fA-F]{6}),.*?is-rect: (true|false)")
_TEXT_FLAGS = pymupdf.TEXTFLAGS_WORDS | pymupdf.TEXT_COLLECT_VECTORS
_MIN_SHORT_LINES = 6  # lines of at most 8 characters a page needs before its ruling lines are looked at
_UNMAPPED = re.compile("[\ufffd\ue000-\uf8ff]")  # replacement character, private use area


@dataclass
class PdfDocument(Document):
    """A PDF read by word positions, with the means to read it again another way.

    `alternatives()` gives (name, Document) for other readings of the same file. It is a callable, not the
    readings themselves, because producing them costs a pass over the file that only a table its own sums
    refute needs (a picklable `partial` over the file's bytes)."""

    alternatives: Callable[[], list[tuple[str, Document]]] | None = field(default=None, repr=False,
                                                                          compare=False)
    reading: str = "layout"  # what this Document's reading is: an etl.problems.READINGS code


TEXT_ORDER = "text_order"  # the name of the second reading (etl.problems.READINGS)


def text_order_readings(data: bytes) -> list[tuple[str, Document]]:
    """The file's text in content-stream order (MuPDF without sorting), read as extracted PDF text (one cell
    a line): a drawing offset never moves a value to another column there, since no position is used. Empty
    when the file gives no such text (the readings are a second opinion: no error of theirs is raised)."""
    from etl.readers.text import read_text

    try:
        with pymupdf.open(stream=data, filetype="pdf") as doc:
            text = "\n".join(page.get_text("text") for page in doc)
        return [(TEXT_ORDER, read_text(text.encode("utf-8")))]
    except (*_MUPDF_ERRORS, ReadError):
        return []


# --- ruling lines --------------------------------------------------------------------------------

def _segments(page: pymupdf.Page, textpage: pymupdf.TextPage) -> tuple[list[tuple[float, float, float]],
                                                                      list[tuple[float, float, float]]]:
    """Horizontal (x0, x1, y) and vertical (x, y0, y1) ruling segments, from the vector boxes the text pass
    collected: a box at most _THIN thick is a rule (a stroked line, its box widened by the line width, or
    a thin filled bar), a stroked rectangle gives its four edges, a filled one is shading. MuPDF reports
    a path mixing straight segments with curves or diagonals as one box: such a page, or a description
    this parser does not know, takes the slower exact route (`_drawn_segments`)."""
    hs: list[tuple[float, float, float]] = []
    vs: list[tuple[float, float, float]] = []
    for x0, y0, x1, y1, desc, _, kind in textpage.extractBLOCKS():
        if kind != _VECTOR_BLOCK:
            continue
        m = _VECTOR.search(desc)
        if m is None:
            return _drawn_segments(page)
        stroked, color, is_rect = m.groups()
        w, h = x1 - x0, y1 - y0
        if color.lower() == "ffffff" or (w <= 3 and h <= 3):  # white erases; a dot is no rule
            continue
        if is_rect != "true":
            return _drawn_segments(page)
        if h <= _THIN:
            hs.append((x0, x1, (y0 + y1) / 2))
        elif w <= _THIN:
            vs.append(((x0 + x1) / 2, y0, y1))
        elif stroked == "stroked":
            hs.append((x0, x1, y0))
            hs.append((x0, x1, y1))
            vs.append((x0, y0, y1))
            vs.append((x1, y0, y1))
    return hs, vs


def _drawn_segments(page: pymupdf.Page) -> tuple[list[tuple[float, float, float]],
                                                  list[tuple[float, float, float]]]:
    """Ruling segments from the page's drawings, path item by path item: exact, but MuPDF interprets the
    page a second time."""
    hs: list[tuple[float, float, float]] = []
    vs: list[tuple[float, float, float]] = []

    def add(x0: float, y0: float, x1: float, y1: float) -> None:
        if abs(y1 - y0) <= 1.0 and abs(x1 - x0) > 3:
            hs.append((min(x0, x1), max(x0, x1), (y0 + y1) / 2))
        elif abs(x1 - x0) <= 1.0 and abs(y1 - y0) > 3:
            vs.append(((x0 + x1) / 2, min(y0, y1), max(y0, y1)))

    for path in page.get_cdrawings():
        kind = path.get("type", "")
        stroked = "s" in kind and path.get("color") not in ((1.0, 1.0, 1.0), None)
        filled = "f" in kind and path.get("fill") not in ((1.0, 1.0, 1.0), None)
        for item in path["items"]:
            op = item[0]
            if op == "l" and stroked:
                (ax, ay), (bx, by) = item[1], item[2]
                add(ax, ay, bx, by)
            elif op == "re":
                x0, y0, x1, y1 = item[1]
                if filled and (y1 - y0 <= 3 or x1 - x0 <= 3):  # borders drawn as thin filled bars
                    if y1 - y0 <= 3:
                        add(x0, (y0 + y1) / 2, x1, (y0 + y1) / 2)
                    else:
                        add((x0 + x1) / 2, y0, (x0 + x1) / 2, y1)
                elif stroked:
                    add(x0, y0, x1, y0)
                    add(x0, y1, x1, y1)
                    add(x0, y0, x0, y1)
                    add(x1, y0, x1, y1)
    return hs, vs


# --- pages -------------------------------------------------------------------------------------------

def _may_hold_table(words: list[tuple]) -> bool:
    """Cheap layout test before asking for the page's drawings: table pages have many short lines
    (cells), pages of running text have almost none."""
    lengths: dict[tuple[int, int], int] = {}
    for w in words:
        key = (w[5], w[6])
        lengths[key] = lengths.get(key, 0) + len(w[4])
    return sum(1 for n in lengths.values() if n <= 8) >= _MIN_SHORT_LINES


def _page_items(page: pymupdf.Page, textpage: pymupdf.TextPage, words: list[tuple],
                page_no: int) -> list[PageItem]:
    segments = _segments(page, textpage) if _may_hold_table(words) else None
    return page_items(words, segments, page_no)


# What MuPDF raises on a damaged file: its own error classes (not RuntimeError subclasses) besides the
# RuntimeError/ValueError of PyMuPDF's wrappers.
_MUPDF_ERRORS = (RuntimeError, ValueError, pymupdf.mupdf.FzErrorBase)
_DAMAGED = "PDF structure damaged"


def _open(data: bytes) -> pymupdf.Document:
    try:
        doc = pymupdf.open(stream=data, filetype="pdf")
        if doc.needs_pass and not doc.authenticate(""):
            raise ReadError("encrypted")
        pages = doc.page_count
    except _MUPDF_ERRORS:
        raise ReadError("corrupt", _DAMAGED) from None
    if pages == 0:
        raise ReadError("corrupt", "PDF without pages")
    if pages > MAX_PDF_PAGES:  # every page is read: the page count bounds the time
        raise ReadError("too_many_pages", f"limit {MAX_PDF_PAGES}, file has {pages}")
    return doc


def read_pdf(data: bytes, name: str = "") -> Document:
    if not data.strip():
        raise ReadError("empty")
    doc = _open(data)
    pages: list[tuple[float, list[PageItem]]] = []
    n_words = 0
    scanned: list[int] = []  # page indexes without a text layer that show an image: read by OCR
    try:
        for page_no, page in enumerate(doc, start=1):
            # one MuPDF pass gives both the words and the vector boxes that ruling lines are made of
            textpage = page.get_textpage(flags=_TEXT_FLAGS)
            words = page.get_text("words", textpage=textpage)
            n_words += len(words)
            if not words and page.get_images():
                scanned.append(page_no - 1)
            pages.append((page.rect.height, _page_items(page, textpage, words, page_no) if words else []))
        repaired = bool(getattr(doc, "is_repaired", False))
        info = doc.metadata or {}
        if scanned and not repaired:
            n_words += _ocr_pages(doc, scanned, pages)
    except _MUPDF_ERRORS:  # MuPDF errors on damaged page content
        raise ReadError("corrupt", _DAMAGED) from None
    if n_words == 0:
        if repaired:  # a truncated or damaged file MuPDF had to rebuild: not a scan
            raise ReadError("corrupt", f"{_DAMAGED}, no readable text on {doc.page_count} pages")
        if scanned:
            raise ReadError("no_text", f"{len(scanned)} scanned pages, OCR found no text")
        raise ReadError("no_text", f"{doc.page_count} pages, no extractable text")
    blocks = assemble(pages)
    text = "".join(b.text for b in blocks if isinstance(b, Paragraph))
    if text and len(_UNMAPPED.findall(text)) > len(text) // 3:
        raise ReadError("no_text", "fonts without a Unicode mapping: the text cannot be read")
    problems = []
    if repaired:
        problems.append({"code": "damaged_file", "message": "damaged PDF rebuilt by MuPDF; content may be incomplete",
                         "where": None, "params": {}})
    empty = [p + 1 for p, (_, items) in enumerate(pages) if not items]
    if empty:
        problems.append({"code": "no_text_layer", "message": f"pages without text (blank, or OCR read nothing): "
                         f"{empty}", "where": None, "params": {"pages": empty}})
    if scanned:
        problems.append({"code": "ocr_pages", "message": f"pages read by OCR (no text layer): "
                         f"{[p + 1 for p in scanned]}", "where": None,
                         "params": {"variant": "pdf", "pages": [p + 1 for p in scanned]}})
    meta = {}
    if (info.get("title") or "").strip():
        meta["title"] = info["title"].strip()
    created = _pdf_date(info.get("creationDate") or "")
    if created:
        meta["created"] = created
    read = "text" if not scanned else "ocr" if len(scanned) == doc.page_count else "partly_ocr"
    # OCR'd pages have no text order of their own: only a pure text layer offers the second reading
    alternatives = partial(text_order_readings, data) if read == "text" and not repaired else None
    return PdfDocument(kind="pdf", blocks=blocks, meta=meta, problems=problems, pages=doc.page_count, read=read,
                       alternatives=alternatives)


def _ocr_pages(doc: pymupdf.Document, scanned: list[int], pages: list[tuple[float, list[PageItem]]]) -> int:
    """Read the image-only pages by OCR, in place in `pages`; return the number of words found."""
    from etl.readers.limits import MAX_OCR_PAGES

    if len(scanned) > MAX_OCR_PAGES:  # OCR costs seconds a page: refused before the first one
        raise ReadError("too_many_pages", f"limit {MAX_OCR_PAGES} scanned pages, file has {len(scanned)}")
    from etl.readers.ocr_loader import load_ocr

    ocr = load_ocr()
    n = 0
    for p in scanned:
        pix = doc[p].get_pixmap(dpi=ocr.OCR_DPI, colorspace=pymupdf.csRGB, alpha=False)
        height, items, n_words = ocr.page_items(ocr.pixmap_array(pix), ocr.OCR_DPI, p + 1)
        pages[p] = (height, items)
        n += n_words
    return n


def _pdf_date(raw: str) -> str | None:
    m = re.match(r"D:(\d{4})(\d{2})(\d{2})", raw)
    return f"{m.group(1)}-{m.group(2)}-{m.group(3)}" if m else None
