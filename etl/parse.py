"""Public entry point: one file in, one canonical Report out."""

from __future__ import annotations

import hashlib
from pathlib import Path

from etl.document import ReadError
from etl.extract import extract_report
from etl.model import Report, Source
from etl.readers import read_bytes, read_document

__all__ = ["ReadError", "parse_file"]


def parse_file(path: str | Path, data: bytes | None = None) -> Report:
    """Parse one report file (text, HTML, PDF or DOCX, picked by content).

    Raises ReadError with a one-line reason when the file cannot be read at all (empty, corrupt,
    encrypted, scanned without a text layer, binary garbage). A readable file that is incomplete still
    gives a Report, with what is missing listed in `missing` and `problems`.
    """
    p = Path(path)
    if data is None:
        data = read_bytes(p)
    doc = read_document(p, data)
    source = Source(path=str(p), sha256=hashlib.sha256(data).hexdigest(), kind=doc.kind, read=doc.read)
    return extract_report(doc, source)
