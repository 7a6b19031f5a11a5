"""The intermediate document every reader produces: ordered paragraphs and tables, plus page metadata.

Readers (one per file kind) only turn bytes into this; they know nothing about report contents.
The extractor (etl.extract) turns a Document into the canonical Report.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Paragraph:
    text: str
    page: int | None = None


@dataclass
class Table:
    """Rows of cell texts.

    `grid` is True when rows and columns are positional (HTML/DOCX tables with spans expanded, tab or
    pipe-row text): a row's values are exactly the cells after its label, blanks included. When False
    (one cell per line, PDF text), row breaks are only hints and the extractor reads the cells as a
    stream delimited by row labels.
    """

    rows: list[list[str]]
    grid: bool = True
    page: int | None = None
    # OCR engine confidence (0–1) of each cell, parallel to `rows`, for a table read from a page image;
    # None for a table read from a text layer or markup
    conf: list[list[float | None]] | None = None


Block = Paragraph | Table


@dataclass
class Document:
    kind: str  # text | html | pdf | docx | image | doc
    # how the text was obtained (etl.model.READ_METHODS): "text" (a text layer or markup), "ocr" (every
    # page from its image), "partly_ocr" (a PDF mixing text pages and image-only pages), "converted" (a
    # legacy Word file converted to .docx first)
    read: str = "text"
    blocks: list[Block] = field(default_factory=list)
    # title, issuer (发布机构), published (公开日期/发布日期 as printed), url — when the page states them
    meta: dict[str, str] = field(default_factory=dict)
    problems: list[dict] = field(default_factory=list)
    pages: int | None = None

    def paragraphs(self) -> list[str]:
        return [b.text for b in self.blocks if isinstance(b, Paragraph)]

    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]


class ReadError(Exception):
    """A file that cannot be read at all (corrupt, encrypted, empty, no text layer…).

    `code` is one of etl.reasons.REASONS, `detail` a short plain-English fact ("limit 20 MB, file 212 MB",
    "ZIP archive damaged"), never raw exception text: both are shown to users and stored in the warehouse.
    str(e) is the English wording.
    """

    def __init__(self, code: str, detail: str = "") -> None:
        from etl.reasons import REASONS

        if code not in REASONS:  # a reader bug: every reason must have its wording
            raise ValueError(f"unknown ReadError code {code!r}")
        super().__init__(code, detail)  # (args as the constructor takes them: pickles across processes)
        self.code = code
        self.detail = detail

    def __str__(self) -> str:
        from etl.reasons import wording

        return wording(self.code, self.detail)[1]
