"""Word .docx reports (python-docx opens the package; the body XML is walked directly).

Paragraphs and tables come in body order (content controls unwrapped). Table cells are expanded to the
table grid: a horizontally merged cell (gridSpan) and a vertically merged one (vMerge) repeat their text
in every position they cover — the same contract as HTML rowspan/colspan — and `w:gridBefore/After`
placeholders are blank positions. Tables nested in a cell become their own blocks after their table.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator

import docx
from docx.opc.exceptions import OpcError
from lxml import etree

from etl.document import Block, Document, Paragraph, ReadError, Table
from etl.readers.html import meta_from_text

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


def _rows(tbl: etree._Element) -> Iterator[etree._Element]:
    for child in tbl:
        if child.tag == _TR:
            yield child
        elif child.tag == _SDT:
            content = child.find(f"{W}sdtContent")
            if content is not None:
                yield from (c for c in content if c.tag == _TR)


def _cells(tr: etree._Element) -> Iterator[etree._Element]:
    for child in tr:
        if child.tag == _TC:
            yield child
        elif child.tag == _SDT:
            content = child.find(f"{W}sdtContent")
            if content is not None:
                yield from (c for c in content if c.tag == _TC)


def table_grid(tbl: etree._Element) -> tuple[list[list[str]], list[etree._Element]]:
    """(rows of cell texts with merges expanded, tables nested in its cells)."""
    grid: list[list[str]] = []
    nested: list[etree._Element] = []
    above: list[str] = []
    for tr in _rows(tbl):
        row: list[str] = []
        tr_pr = tr.find(f"{W}trPr")
        before = _int_val(tr_pr.find(f"{W}gridBefore"), 0) if tr_pr is not None else 0
        row.extend([""] * before)
        for tc in _cells(tr):
            tc_pr = tc.find(f"{W}tcPr")
            span = _int_val(tc_pr.find(f"{W}gridSpan") if tc_pr is not None else None, 1)
            vmerge = tc_pr.find(f"{W}vMerge") if tc_pr is not None else None
            if vmerge is not None and vmerge.get(f"{W}val", "continue") == "continue":
                col = len(row)
                text = above[col] if col < len(above) else ""  # continues the cell above
            else:
                text = _cell_text(tc)
            nested.extend(t for t in _content(tc) if t.tag == _TBL)
            row.extend([text] * span)
        grid.append(row)
        above = row
    return grid, nested


def _blocks(parent: etree._Element, out: list[Block]) -> None:
    for el in _content(parent):
        if el.tag == _P:
            text = _SPACES.sub(" ", _para_text(el)).strip()
            for line in text.split("\n"):  # a manual line break separates lines, as in the other readers
                if line.strip():
                    out.append(Paragraph(line.strip()))
        else:
            _table(el, out)


def _table(tbl: etree._Element, out: list[Block]) -> None:
    grid, nested = table_grid(tbl)
    if len(grid) == 1 and len(grid[0]) == 1 and not nested:
        # a 1×1 frame around text (a boxed note) is text, not a table
        trs = list(_rows(tbl))
        tcs = list(_cells(trs[0])) if trs else []
        if tcs:
            _blocks(tcs[0], out)
        return
    if any(any(c for c in row) for row in grid):
        out.append(Table(grid, grid=True))
    for inner in nested:
        _table(inner, out)


def read_docx(data: bytes) -> Document:
    if not data.strip():
        raise ReadError("empty file")
    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, OpcError, KeyError, ValueError, etree.XMLSyntaxError, OSError) as e:
        reason = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise ReadError(f"corrupt DOCX: {reason}") from None
    blocks: list[Block] = []
    _blocks(document.element.body, blocks)
    if not blocks:
        raise ReadError("DOCX document without text")
    meta = meta_from_text((b.text for b in blocks if isinstance(b, Paragraph)),
                          (b.rows for b in blocks if isinstance(b, Table)))
    props = document.core_properties
    if (props.title or "").strip():
        meta["title"] = props.title.strip()
    if props.created is not None:
        meta["created"] = props.created.date().isoformat()
    return Document(kind="docx", blocks=blocks, meta=meta)
