"""Readers: one per file kind, each turning a file into an etl.document.Document.

The kind is picked by content first (magic bytes, markup) and by extension only as a tie-breaker, so
`.shtml`, `.htm` and files without an extension work.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from etl.document import Document, ReadError

KINDS = ("text", "html", "pdf", "docx")


def sniff(data: bytes, name: str = "") -> str:
    """Decide the file kind from its first bytes (and its name when the bytes do not say)."""
    head = data[:4096]
    if head.startswith(b"%PDF") or b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        try:
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except (zipfile.BadZipFile, OSError) as e:
            raise ReadError(f"corrupt ZIP/DOCX archive ({e})") from None
        if "word/document.xml" in names:
            return "docx"
        raise ReadError("a ZIP archive that is not a Word .docx document")
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise ReadError("legacy binary Word/Excel (.doc/.xls) is not supported; save it as .docx")
    low = head.lower()
    if any(tag in low for tag in (b"<html", b"<!doctype html", b"<table", b"<body", b"<meta", b"<div", b"<p>")):
        return "html"
    ext = Path(name).suffix.lower()
    if ext in (".html", ".htm", ".shtml", ".xhtml", ".jsp", ".asp", ".aspx", ".php"):
        return "html"
    return "text"


def read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as e:
        raise ReadError(f"cannot read file: {e.strerror or e}") from None


def read_document(path: str | Path, data: bytes | None = None) -> Document:
    """Read one file into a Document. Raises ReadError with a one-line reason for unusable input."""
    p = Path(path)
    if data is None:
        data = read_bytes(p)
    if not data.strip():
        raise ReadError("empty file")
    from etl.readers.script import fold_document

    kind = sniff(data, p.name)
    doc = _read_kind(kind, data)
    return doc if kind == "text" else fold_document(doc)  # the text reader folds before it reads structure


def _read_kind(kind: str, data: bytes) -> Document:
    if kind == "pdf":
        from etl.readers.pdf import read_pdf

        return read_pdf(data)
    if kind == "docx":
        from etl.readers.docx import read_docx

        return read_docx(data)
    if kind == "html":
        from etl.readers.html import read_html

        return read_html(data)
    from etl.readers.text import read_text

    return read_text(data)
