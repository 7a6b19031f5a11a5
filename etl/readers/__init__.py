"""Readers: one per file kind, each turning a file into an etl.document.Document.

The kind is picked by content first (magic bytes, markup) and by extension only as a tie-breaker, so
`.shtml`, `.htm` and files without an extension work.
"""

from __future__ import annotations

import email
import email.policy
import io
import re
import zipfile
from email.message import EmailMessage
from pathlib import Path

from etl.document import Document, ReadError
from etl.filekinds import HTML_EXTENSIONS, MHTML_EXTENSIONS, WPS_EXTENSIONS

KINDS = ("text", "html", "pdf", "docx", "image", "doc", "mhtml")
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
    """Decide the file kind from its first bytes (and its name when the bytes do not say)."""
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


def _read_kind(kind: str, data: bytes, name: str = "") -> Document:
    if kind == "pdf":
        from etl.readers.pdf import read_pdf

        return read_pdf(data)
    if kind == "image":
        from etl.readers.image import read_image

        return read_image(data)
    if kind == "docx":
        from etl.readers.docx import read_docx

        return read_docx(data)
    if kind == "doc":
        from etl.readers.convert import to_docx
        from etl.readers.docx import read_docx

        doc = read_docx(to_docx(data, Path(name).suffix))  # (a name it does not know converts as .doc)
        doc.kind, doc.read = "doc", "converted"
        return doc
    if kind == "html":
        from etl.readers.html import read_html

        return read_html(data)
    if kind == "mhtml":
        from etl.readers.html import read_html

        doc = read_html(_mhtml_page(data))
        doc.kind = "html"  # (the report's kind as stored: a web page)
        return doc
    from etl.readers.text import read_text

    return read_text(_unmark(data))


def _mhtml_page(data: bytes) -> bytes:
    """The HTML page of a saved web page (MHTML, RFC 2557): its first text/html part, decoded from its
    transfer encoding and re-encoded as UTF-8 with a charset tag, since the part's charset is stated in its
    MIME header, not in the markup the HTML reader looks at."""
    try:
        msg = email.message_from_bytes(data, policy=email.policy.default)
    except (ValueError, TypeError, IndexError) as e:  # the parser is lenient: only broken framing gets here
        raise ReadError("corrupt", f"MHTML framing damaged ({type(e).__name__})") from None
    for part in msg.walk() if isinstance(msg, EmailMessage) else ():
        if part.get_content_type() != "text/html":
            continue
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes) or not payload.strip():
            continue
        charset = part.get_content_charset()
        if charset:
            try:
                text = payload.decode(charset)
            except (LookupError, UnicodeDecodeError):
                return payload  # a wrong or unknown charset: the HTML reader's own detection decides
            return b'<meta charset="utf-8">' + text.encode("utf-8")
        return payload
    raise ReadError("unsupported", "MHTML archive without an HTML page in it")


# Markdown a converter's output carries: heading marks at a line's start and bold runs. Table pipes
# and "|---|" rules are read by the text reader itself. On bytes: '#', '*' and '_' are ASCII, never the
# trail byte of a GBK/GB18030 character (those are 0x40 and up), so UTF-8 and GBK text are both safe.
_MD_HEADING = re.compile(rb"(?m)^[ \t]{0,3}#{1,6}[ \t]+")
_MD_EMPHASIS = re.compile(rb"\*\*(?=\S)|(?<=\S)\*\*")


def _unmark(data: bytes) -> bytes:
    if b"\x00" in data[:4096]:  # UTF-16: ASCII marks are not single bytes there; the text reader decides
        return data
    return _MD_EMPHASIS.sub(b"", _MD_HEADING.sub(b"", data))
