"""Readers: one per file kind, each turning a file into an etl.document.Document.

The kind is picked by content first (magic bytes, markup) and by extension only as a tie-breaker, so
`.shtml`, `.htm` and files without an extension work.
"""

from __future__ import annotations

import importlib
import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

from etl import filekinds
from etl.document import Document, ReadError
from etl.filekinds import HTML_EXTENSIONS, MHTML_EXTENSIONS, WPS_EXTENSIONS

KINDS = tuple(k.kind for k in filekinds.READ_KINDS)
# PNG, JPEG, TIFF (both byte orders), BMP, WebP (RIFF....WEBP is checked by Pillow when read)
_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*", b"BM", b"RIFF")
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")  # the OLE stream name, in the directory
# Stream names (UTF-16-LE in the OLE directory) telling what an OLE container holds. WPS Office's .wps is
# a Word binary document too ("WordDocument"); an old Microsoft Works .wps has "CONTENTS", which
# LibreOffice reads as well, so any OLE file named .wps is sent to the converter.
_WORD_STREAM = "WordDocument".encode("utf-16-le")
_OTHER_OLE = (("Workbook".encode("utf-16-le"), "legacy binary Excel workbook (.xls)"),
              ("Book".encode("utf-16-le"), "legacy binary Excel workbook (.xls)"),
              ("PowerPoint Document".encode("utf-16-le"), "legacy binary PowerPoint (.ppt)"))


def sniff(data: bytes, name: str = "") -> str:
    """Decide the file kind from its first bytes (and its name when the bytes do not say). A kind whose
    registry entry brings its own content test (`FileKind.sniffer`) is tried first."""
    for k in filekinds.READ_KINDS:
        if k.sniffer and _function(k.sniffer)(data, name):
            return k.kind
    head = data[:4096]
    if head.startswith(b"%PDF") or b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(_IMAGE_MAGIC):  # page images (a scan saved as .png/.jpg/.tif): read by OCR
        return "image"
    if head.startswith(b"PK\x03\x04"):
        try:
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError):
            raise ReadError("corrupt", "ZIP archive damaged") from None
        if "word/document.xml" in names:
            return "docx"
        if any(n.startswith("word/") for n in names):  # a Word package that lost its body
            raise ReadError("corrupt", "word/document.xml missing")
        raise ReadError("unsupported", "a ZIP archive that is not a Word .docx document")
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        # A password-protected .docx is stored in this same container (an OLE file holding the encrypted
        # package), so it must not be mistaken for a legacy .doc.
        if _ENCRYPTED_PACKAGE in data:
            raise ReadError("encrypted", "password-protected Word/Excel file")
        if _WORD_STREAM in data or Path(name).suffix.lower() in WPS_EXTENSIONS:
            return "doc"  # legacy Word (.doc, WPS Office .wps): converted to .docx by LibreOffice
        for stream, what in _OTHER_OLE:
            if stream in data:
                raise ReadError("unsupported", f"{what}, not a Word document")
        raise ReadError("unsupported", "an OLE container with no Word document in it (not a .doc)")
    low = head.lower()
    ext = Path(name).suffix.lower()
    # a saved web page (MHTML): MIME headers first, the page as one of its parts (markup appears only
    # further on, quoted-printable or base64 encoded)
    if _MIME_HEAD.match(head) and b"mime-version:" in low[:4096] and (b"multipart/related" in low
                                                                       or ext in MHTML_EXTENSIONS):
        return "mhtml"
    if any(tag in low for tag in (b"<html", b"<!doctype html", b"<table", b"<body", b"<meta", b"<div", b"<p>")):
        return "html"
    if ext in HTML_EXTENSIONS:
        return "html"
    return "text"


_MIME_HEAD = re.compile(rb"^[A-Za-z][A-Za-z0-9-]*:")  # a mail-style header line opens the file


def read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as e:
        raise ReadError("unreadable", e.strerror or "") from None  # the OS says why: "Permission denied"


def read_document(path: str | Path, data: bytes | None = None) -> Document:
    """Read one file into a Document. Raises ReadError (a code and a detail) for unusable input."""
    p = Path(path)
    if data is None:
        data = read_bytes(p)
    if not (data[:64].strip() or data.strip()):  # (the full strip copies the file: only when needed)
        raise ReadError("empty")
    from etl.readers.script import fold_document

    kind = sniff(data, p.name)
    try:
        doc = _read_kind(kind, data, p.name)
    except RecursionError:  # markup nested deeper than the tree walks go (libxml2 already caps most)
        raise ReadError("corrupt", "structure nested too deeply") from None
    return doc if kind == "text" else fold_document(doc)  # the text reader folds before it reads structure


def _function(spec: str) -> Callable:
    """"module:function" of the file kinds registry, imported when first needed (a PDF-only build never loads
    the OCR engine or python-docx)."""
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)


def _read_kind(kind: str, data: bytes, name: str = "") -> Document:
    """The kind's reader, as etl.filekinds declares it."""
    return _function(reader_of(kind))(data, name)


def reader_of(kind: str) -> str:
    return next(k.reader for k in filekinds.READ_KINDS if k.kind == kind)
