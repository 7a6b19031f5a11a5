"""Word .docx reports (the package's parts are read here, bounded; python-docx's parser builds the XML).

Paragraphs and tables come in body order (content controls unwrapped). Table cells are expanded to the
table grid: a horizontally merged cell (gridSpan) and a vertically merged one (vMerge) repeat their text
in every position they cover — the same contract as HTML rowspan/colspan — and `w:gridBefore/After`
placeholders are blank positions. Tables nested in a cell become their own blocks after their table.

Only the parts needed are decompressed (the body, the package relationships, the core properties), each
with a size limit checked against the ZIP header and again while inflating, so a zip bomb or a package
of large images costs nothing.
"""

from __future__ import annotations

import io
import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator

from docx.oxml import parse_xml
from docx.oxml.coreprops import CT_CoreProperties
from lxml import etree

from etl.document import Block, Document, Paragraph, ReadError, Table
from etl.readers.limits import MAX_DOCX_PART_MB, MAX_DOCX_XML_MB, MB, CellBudget, mb
from etl.readers.meta import meta_from_text

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_P, _TBL, _TR, _TC, _SDT = f"{W}p", f"{W}tbl", f"{W}tr", f"{W}tc", f"{W}sdt"
_TEXT_TAGS = (f"{W}t", f"{W}tab", f"{W}br", f"{W}cr", f"{W}noBreakHyphen")
_BLANK = re.compile(r"^[\s\u00a0\u3000]*$")
_SPACES = re.compile(r"[ \u00a0\u3000]+")


def _para_text(p: etree._Element) -> str:
    parts: list[str] = []
    for el in p.iter(*_TEXT_TAGS):
        tag = el.tag
        if tag == f"{W}t":
            parts.append(el.text or "")
        elif tag == f"{W}tab":
            parts.append("\t")
        elif tag == f"{W}noBreakHyphen":
            parts.append("-")
        else:
            parts.append("\n")
    return "".join(parts)


def _content(parent: etree._Element) -> Iterator[etree._Element]:
    """Paragraphs and tables directly in a body or cell, looking through content controls."""
    for child in parent:
        if child.tag in (_P, _TBL):
            yield child
        elif child.tag == _SDT:
            content = child.find(f"{W}sdtContent")
            if content is not None:
                yield from _content(content)


def _cell_text(tc: etree._Element) -> str:
    lines = [_para_text(p) for p in _content(tc) if p.tag == _P]
    text = "\n".join(ln.strip() for ln in lines if not _BLANK.match(ln))
    return _SPACES.sub(" ", text).strip()


def _int_val(el: etree._Element | None, default: int) -> int:
    if el is None:
        return default
    try:
        return max(1, int(el.get(f"{W}val", default)))
    except ValueError:
        return default


def table_rows(tbl: etree._Element) -> Iterator[etree._Element]:
    """A table's rows, looking through content controls."""
    for child in tbl:
        if child.tag == _TR:
            yield child
        elif child.tag == _SDT:
            content = child.find(f"{W}sdtContent")
            if content is not None:
                yield from (c for c in content if c.tag == _TR)


def row_cells(tr: etree._Element) -> Iterator[etree._Element]:
    """A row's cells, looking through content controls."""
    for child in tr:
        if child.tag == _TC:
            yield child
        elif child.tag == _SDT:
            content = child.find(f"{W}sdtContent")
            if content is not None:
                yield from (c for c in content if c.tag == _TC)


def table_grid(tbl: etree._Element, budget: CellBudget | None = None) -> tuple[list[list[str]], list[etree._Element]]:
    """(rows of cell texts with merges expanded, tables nested in its cells). The grid is drawn from
    `budget` (the document's cells): a merge that would outgrow it raises ReadError before it expands."""
    if budget is None:
        budget = CellBudget()
    grid: list[list[str]] = []
    nested: list[etree._Element] = []
    above: list[str] = []
    for tr in table_rows(tbl):
        row: list[str] = []
        tr_pr = tr.find(f"{W}trPr")
        before = _int_val(tr_pr.find(f"{W}gridBefore"), 0) if tr_pr is not None else 0
        budget.check(before)
        row.extend([""] * before)
        for tc in row_cells(tr):
            tc_pr = tc.find(f"{W}tcPr")
            span = _int_val(tc_pr.find(f"{W}gridSpan") if tc_pr is not None else None, 1)
            vmerge = tc_pr.find(f"{W}vMerge") if tc_pr is not None else None
            if vmerge is not None and vmerge.get(f"{W}val", "continue") == "continue":
                col = len(row)
                text = above[col] if col < len(above) else ""  # continues the cell above
            else:
                text = _cell_text(tc)
            nested.extend(t for t in _content(tc) if t.tag == _TBL)
            budget.check(len(row) + span)
            row.extend([text] * span)
        budget.take(len(row))
        grid.append(row)
        above = row
    return grid, nested


def _blocks(parent: etree._Element, out: list[Block], budget: CellBudget) -> None:
    for el in _content(parent):
        if el.tag == _P:
            text = _SPACES.sub(" ", _para_text(el)).strip()
            for line in text.split("\n"):  # a manual line break separates lines, as in the other readers
                if line.strip():
                    out.append(Paragraph(line.strip()))
        else:
            _table(el, out, budget)


def _table(tbl: etree._Element, out: list[Block], budget: CellBudget) -> None:
    grid, nested = table_grid(tbl, budget)
    if len(grid) == 1 and len(grid[0]) == 1 and not nested:
        # a 1×1 frame around text (a boxed note) is text, not a table
        trs = list(table_rows(tbl))
        tcs = list(row_cells(trs[0])) if trs else []
        if tcs:
            _blocks(tcs[0], out, budget)
        return
    if any(any(c for c in row) for row in grid):
        out.append(Table(grid, grid=True))
    for inner in nested:
        _table(inner, out, budget)


_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_MAIN_REL = "/officeDocument"
_CORE_REL = "/metadata/core-properties"


def read_member(z: zipfile.ZipFile, name: str, limit_mb: int) -> bytes:
    """A member's bytes, refused past `limit_mb`: first by its declared size, then while inflating, in
    chunks, so no header however wrong makes one large allocation (zipfile itself stops at the declared
    size and fails the CRC check of a stream holding more)."""
    info = z.getinfo(name)
    limit = limit_mb * MB
    if info.file_size > limit:
        raise ReadError("too_large", f"limit {limit_mb} MB, {name} inflates to {mb(info.file_size)}")
    out = bytearray()
    with z.open(info) as f:
        while chunk := f.read(1 << 20):
            out += chunk
            if len(out) > limit:
                raise ReadError("too_large", f"limit {limit_mb} MB, {name} inflates to more than that")
    return bytes(out)


# Relationships only: python-docx's parser makes the body's elements, as when it opened the packages.
_PLAIN = etree.XMLParser(resolve_entities=False, no_network=True)
# A damaged part that is not the body only loses what it adds (part names, title, creation date).
_OPTIONAL_PART_ERRORS = (KeyError, ValueError, etree.XMLSyntaxError, zipfile.BadZipFile, zlib.error, EOFError,
                         ReadError)


def _targets(z: zipfile.ZipFile) -> dict[str, str]:
    """Relationship type suffix -> part name, from the package relationships (_rels/.rels)."""
    try:
        root = etree.fromstring(read_member(z, "_rels/.rels", MAX_DOCX_PART_MB), _PLAIN)
    except _OPTIONAL_PART_ERRORS:
        return {}  # missing or unreadable: the parts' usual names are tried
    out: dict[str, str] = {}
    for rel in root.iter(_REL):
        kind, target = rel.get("Type") or "", rel.get("Target") or ""
        for suffix in (_MAIN_REL, _CORE_REL):
            if kind.endswith(suffix) and suffix not in out and target:
                out[suffix] = posixpath.normpath(target.lstrip("/"))
    return out


def _xml_problem(e: etree.XMLSyntaxError) -> str:
    msg = str(e).lower()
    if "amplification" in msg or "entity" in msg:
        return "XML entities expand too far"
    if "depth" in msg:
        return "XML nested too deeply"
    return "document XML damaged"


def _open(data: bytes) -> tuple[etree._Element, CT_CoreProperties | None]:
    """(the body element, the core properties when present) of a package."""
    z = zipfile.ZipFile(io.BytesIO(data))
    targets = _targets(z)
    names = set(z.namelist())
    main = targets.get(_MAIN_REL)
    if main not in names:
        main = "word/document.xml"
    if main not in names:
        raise ReadError("corrupt", "word/document.xml missing")
    root = parse_xml(read_member(z, main, MAX_DOCX_XML_MB))
    body = root.find(f"{W}body")
    if body is None:
        raise ReadError("corrupt", "document XML without a body")
    core_name = targets.get(_CORE_REL, "docProps/core.xml")
    core = None
    if core_name in names:
        try:
            el = parse_xml(read_member(z, core_name, MAX_DOCX_PART_MB))
            core = el if isinstance(el, CT_CoreProperties) else None
        except _OPTIONAL_PART_ERRORS:
            core = None
    return body, core


def read_docx(data: bytes, name: str = "") -> Document:
    if not data.strip():
        raise ReadError("empty")
    try:
        body, core = _open(data)
    except etree.XMLSyntaxError as e:
        raise ReadError("corrupt", _xml_problem(e)) from None
    except (zlib.error, EOFError):
        raise ReadError("corrupt", "compressed data damaged") from None
    except NotImplementedError:  # zipfile: a compression method it does not implement
        raise ReadError("unsupported", "ZIP compression method not supported") from None
    except RuntimeError as e:
        if "encrypted" in str(e) or "password" in str(e):
            raise ReadError("encrypted", "password-protected ZIP archive") from None
        raise ReadError("corrupt", "ZIP archive damaged") from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, ValueError, OSError, struct.error):
        raise ReadError("corrupt", "ZIP archive damaged") from None
    blocks: list[Block] = []
    _blocks(body, blocks, CellBudget())
    if not blocks:
        if body.find(f".//{W}drawing") is not None or body.find(f".//{W}pict") is not None:
            return _pictures_of_pages(data, body)  # pages pasted in as pictures: read by OCR
        raise ReadError("empty", "DOCX document without text")
    meta = meta_from_text((b.text for b in blocks if isinstance(b, Paragraph)),
                          (b.rows for b in blocks if isinstance(b, Table)))
    if core is not None:
        meta |= _core_meta(core)
    return Document(kind="docx", blocks=blocks, meta=meta)


_BLIP = "{http://schemas.openxmlformats.org/drawingml/2006/main}blip"
_IMAGEDATA = "{urn:schemas-microsoft-com:vml}imagedata"
_R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_MAX_DOCX_IMAGE_MB = 50


def _pictures_of_pages(data: bytes, body: etree._Element) -> Document:
    """A DOCX whose pages were pasted in as pictures (a scan put into Word): its images, in document order,
    read by OCR as the pages of a scan."""
    from etl.readers.image import ocr_images
    from etl.readers.layout import assemble

    z = zipfile.ZipFile(io.BytesIO(data))
    try:
        rels = etree.fromstring(read_member(z, "word/_rels/document.xml.rels", MAX_DOCX_PART_MB), _PLAIN)
    except _OPTIONAL_PART_ERRORS:
        raise ReadError("no_text", "DOCX holds only images, and their parts cannot be found") from None
    target = {rel.get("Id"): posixpath.normpath(posixpath.join("word", rel.get("Target") or ""))
              for rel in rels.iter(_REL) if rel.get("TargetMode") != "External"}
    names = set(z.namelist())
    images = []
    for el in body.iter(_BLIP, _IMAGEDATA):
        rid = el.get(f"{_R}embed") or el.get(f"{_R}id")
        name = target.get(rid)
        if name in names:
            images.append(read_member(z, name, _MAX_DOCX_IMAGE_MB))
    if not images:
        raise ReadError("no_text", "DOCX holds only images that are linked, not embedded")
    pages = ocr_images(images)
    problems = [{"code": "ocr_pages", "message": f"read by OCR: {len(pages)} picture(s) of pages in the DOCX",
                 "where": None, "params": {"variant": "docx", "n": len(pages)}}]
    return Document(kind="docx", blocks=assemble(pages), problems=problems, pages=len(pages), read="ocr")


def _core_meta(core: CT_CoreProperties) -> dict[str, str]:
    out: dict[str, str] = {}
    title = (core.title_text or "").strip()
    if title:
        out["title"] = title
    try:
        created = core.created_datetime
    except (TypeError, ValueError, OverflowError):  # an empty or out-of-range date: left out
        created = None
    if created is not None:
        out["created"] = created.date().isoformat()
    return out
