"""Limits that bound the time and memory one file can cost a reader (stated in the README).

Real reports stay far below every one of them (pages and text files under 2 MB, a few thousand table
cells, under 100 pages); a file past a limit is refused with a ReadError code instead of being parsed.
"""

from __future__ import annotations

MB = 1024 * 1024

# Text and HTML files: bytes before decoding. Decoding and parsing cost a multiple of this in memory.
MAX_TEXT_MB = 20
# All tables of one document together (HTML colspan/rowspan, DOCX gridSpan/vMerge expanded): grid positions.
# Spans multiply a small file into a huge grid, so the expansion is refused before it allocates.
MAX_TABLE_CELLS = 200_000
# HTML clamps spans to these values (the HTML standard's own caps); larger values are read as the cap.
MAX_COLSPAN = 1000
MAX_ROWSPAN = 65534
# DOCX: declared and actual uncompressed size of word/document.xml (a zip bomb inflates a small file).
MAX_DOCX_XML_MB = 100
# DOCX: the small package parts read besides the body (relationships, core properties).
MAX_DOCX_PART_MB = 10
# PDF: pages. Every page is read, so the page count bounds the time a PDF takes.
MAX_PDF_PAGES = 1000
# OCR (scanned PDFs and images): pages read from their image, and pixels of one image before it is decoded.
# OCR costs seconds a page, so a scanned document is capped far below MAX_PDF_PAGES (real scanned reports
# have under 30 pages); an image past the pixel cap (a 20,000 × 20,000 decompression bomb) is refused from
# its header, before it is decoded.
MAX_OCR_PAGES = 60
MAX_IMAGE_PIXELS = 60_000_000  # A4 at 600 dpi is 35 million
# Legacy Word (.doc/.wps): wall time of the LibreOffice conversion to .docx, after which its process group is
# killed. A real report converts in 1–3 s; the first conversion on a machine pays LibreOffice's start-up.
MAX_CONVERT_SECONDS = 60


def mb(n: int) -> str:
    """A byte count in MB for a reason's detail, rounded up so a file just over a limit never reads as
    equal to it."""
    return f"{-(-n // MB)} MB"


class CellBudget:
    """The grid positions the tables of one document may still expand to: checked before a span is
    expanded, so a bomb is refused before it allocates."""

    def __init__(self, limit: int = MAX_TABLE_CELLS) -> None:
        self.left = limit

    def check(self, n: int) -> None:
        """Refuse a row about to grow to `n` positions when that is past what is left."""
        if n > self.left:
            from etl.document import ReadError

            raise ReadError("too_many_cells", f"limit {MAX_TABLE_CELLS} cells")

    def take(self, n: int) -> None:
        self.check(n)
        self.left -= n
