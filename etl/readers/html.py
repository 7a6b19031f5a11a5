"""HTML report pages (lxml): decoded by detection, blocks in document order, tables with spans expanded.

Government CMS pages are GB2312/GBK or UTF-8, often declaring the wrong one, and their report body is
commonly Word-pasted markup: nested span/font/o:p tags, numbers split across tags, `&nbsp;` blank cells,
tables inside layout tables. Everything here runs on the hot path (hundreds of pages a second), so it
walks the tree once and never calls charset-normalizer unless both UTF-8 and GB18030 fail.
"""

from __future__ import annotations

import email
import email.policy
import re
from collections.abc import Iterable
from email.message import EmailMessage
from functools import partial

from lxml import etree

from etl.document import Block, Document, Paragraph, ReadError, Table
from etl.readers.charset import big5_instead, decode_lenient, decode_strict, looks_binary, looks_misread
from etl.readers.limits import MAX_COLSPAN, MAX_ROWSPAN, MAX_TEXT_MB, MB, CellBudget, mb
from etl.readers.meta import meta_from_text

# --- decoding ----------------------------------------------------------------------------------------

_DECLARED = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)|<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_\-.]+)""",
    re.IGNORECASE,
)
# A declared GB2312/GBK page is decoded as GB18030, their superset (pages use GBK characters under a
# gb2312 label all the time).
_GB_ALIASES = {"gb2312", "gbk", "gb_2312-80", "gb_2312", "x-gbk", "cp936", "csgb2312", "euc-cn", "hz-gb-2312",
               "gb18030", "x-euc-cn", "windows-936", "ms936"}


def declared_encoding(data: bytes) -> str | None:
    """The charset a page declares in its first bytes (meta charset, http-equiv, XML declaration)."""
    m = _DECLARED.search(data[:4096])
    if not m:
        return None
    name = (m.group(1) or m.group(2)).decode("ascii", "replace").lower().strip()
    if name in _GB_ALIASES:
        return "gb18030"
    if name in ("utf8", "utf-8", "unicode"):
        return "utf-8"
    return name


def decode_html(data: bytes) -> tuple[str, str]:
    """(text, encoding used). Declarations are tried but not trusted: valid UTF-8 wins over a gb2312
    label, and a GBK page labelled UTF-8 (or not labelled) falls back to GB18030."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace"), "utf-16"
    declared = declared_encoding(data)
    # UTF-8 first whatever the label: GBK text of any length is practically never valid UTF-8,
    # while UTF-8 bytes often decode "successfully" as GB18030 garbage.
    order = ["utf-8"]
    if declared and declared not in ("utf-8", "gb18030"):
        order.append(declared)
    order.append("gb18030")
    for enc in order:
        text = decode_strict(data, enc)
        if text is not None:
            if enc == "gb18030" and looks_misread(text):  # an unlabelled Big5 page reads as GB18030 nonsense
                big5 = big5_instead(data, text)
                if big5 is not None:
                    return big5
            return text, enc
    # Mostly one encoding with a few broken bytes (pages stitched from fragments): take the closer one.
    lenient = decode_lenient(data)
    if lenient is not None:
        return lenient[0], lenient[1] + "+replace"
    if looks_binary(data):
        raise ReadError("binary", "control bytes in the text")
    from charset_normalizer import from_bytes  # slow: last resort only

    match = from_bytes(data).best()
    if match is None:
        raise ReadError("encoding", "not UTF-8, GB18030 or the declared one")
    return str(match), str(match.encoding)


# --- text normalization ------------------------------------------------------------------------------

# Source whitespace (Word's HTML export wraps text nodes mid-sentence) is "soft": dropped between two CJK
# characters. `&nbsp;`, full-width and other typographic spaces are "hard" and kept as one space.
# Line breaks (<br>, block edges inside a cell) are marked with U+2028 while text is collected.
BR = "\u2028"
_SOFT = re.compile(r"[ \t\r\n\f\v]+")
_HARD = re.compile(r"[ \u00a0\u3000\u2002\u2003\u2009\u200b\ufeff]+")
_CJK = r"\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f"
_CJK_SPACE = re.compile(rf"(?<=[{_CJK}]) (?=[{_CJK}])")
_BREAKS = re.compile(rf" *{BR}[ {BR}]*")
_CJK_NEWLINE = re.compile(rf"(?<=[{_CJK}])\n(?=[{_CJK}])")
_EDGE = " \t\r\n\f\v\u00a0\u3000\u2002\u2003\u2009\u200b\ufeff" + BR  # _SOFT, _HARD and BR


def clean(text: str) -> str:
    """Normalize collected text; whitespace-only (`&nbsp;`) gives "" so a blank cell stays blank.

    Newlines (from <br>) survive between Latin/digit runs; between two CJK characters a break carries no
    meaning (a label wrapped in its cell), so it is dropped.
    """
    # Fast path, the usual cell: once the edges are trimmed nothing is left that the substitutions
    # below touch (str.isprintable is False for every character of _SOFT, _HARD and BR but " ").
    s = text.strip(_EDGE)
    if " " not in s and s.isprintable():
        return s
    t = _SOFT.sub(" ", text)
    if " " in t:
        t = _CJK_SPACE.sub("", t)
    t = _HARD.sub(" ", t)
    if BR in t:
        t = _BREAKS.sub("\n", t).strip(" \n")
        return _CJK_NEWLINE.sub("", t)
    return t.strip(" ")


# --- tree walking ------------------------------------------------------------------------------------

_SKIP = frozenset({"script", "style", "noscript", "template", "head", "nav", "select", "option", "button",
                   "iframe", "svg", "object", "embed", "map", "textarea", "input", "footer", "audio", "video",
                   "canvas"})
_BLOCK = frozenset({"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd",
                    "section", "article", "main", "header", "aside", "blockquote", "pre", "address",
                    "center", "form", "fieldset", "hr", "figure", "figcaption", "caption", "tr", "td", "th",
                    "thead", "tbody", "tfoot", "body", "html", "legend", "details", "summary", "title"})
_NOISE_ROLES = frozenset({"navigation", "banner", "contentinfo", "search", "menu", "menubar"})
_NAMED = frozenset({"div", "ul", "section", "span"})  # tags whose class/id can mark site chrome


# class/id words of site chrome around the article (menus, breadcrumbs, share bars, page footers)
_NOISE_NAME = re.compile(r"(?:^|[\s_-])(?:nav|navbar|menu|breadcrumbs?|crumbs?|share|toolbar|sidebar|footer|"
                         r"foot|copyright|skip)(?:$|[\s_-])", re.IGNORECASE)


def _is_noise(el: etree._Element) -> bool:
    tag = el.tag
    if tag in _SKIP:
        return True
    attrib = el.attrib
    if not attrib:
        return False
    role = attrib.get("role")
    if role and role.lower() in _NOISE_ROLES:
        return True
    style = attrib.get("style")
    if style and "none" in style and "display:none" in style.replace(" ", "").lower():
        return True
    if tag in _NAMED:
        cls, ident = attrib.get("class"), attrib.get("id")
        if cls or ident:  # (the join is skipped for the usual bare Word <span>)
            names = " ".join(v for v in (cls, ident) if v)
            return _NOISE_NAME.search(names) is not None
    return False


# Tags that need the slow, element-by-element walk; a subtree without any of them is plain inline text
# and is read in one C-level pass (most Word-pasted <p> and <td> content).
_STRUCTURAL = frozenset({"br", "p", "div", "table", "li", "tr", "script", "style", "h1", "h2", "h3", "h4",
                         "h5", "h6", "noscript", "select", "ul", "ol", "iframe"})
_LEAF_BLOCKS = frozenset({"p", "td", "th", "li", "h1", "h2", "h3", "h4", "h5", "h6", "dt", "dd", "caption"})
# Tags whose presence changes what _text_of collects (line breaks, skipped tables), besides noise.
_MARKUP = _STRUCTURAL | _BLOCK
_CELL_TAGS = frozenset({"td", "th"})


# All text of a subtree (what "".join(el.itertext()) gives, without el's tail) from libxml2 in one C call:
# several times cheaper than itertext, which steps through the tree in Cython.
_all_text = partial(etree.tostring, method="text", encoding="unicode", with_tail=False)


def _is_flat(el: etree._Element) -> bool:
    # A plain loop, neither iterdescendants(*tags) (building lxml's tag matcher costs more than the few
    # elements of a typical cell) nor all(<genexpr>) (measurably slower here); it stops at the first hit.
    for d in el.iterdescendants():  # noqa: SIM110
        if d.tag in _STRUCTURAL:
            return False
    return True


def _is_plain(el: etree._Element) -> bool:
    """No descendant that _text_of would treat specially: its text is _all_text() as is."""
    for d in el.iterdescendants():  # noqa: SIM110 - see _is_flat
        if d.tag in _MARKUP or _is_noise(d):
            return False
    return True


def _text_of(el: etree._Element, out: list[str], skip_tables: bool) -> None:
    """All descendant text of a cell, <br> as newline; nested tables optionally left out."""
    tag = el.tag
    if isinstance(tag, str):
        if _is_noise(el) or (skip_tables and tag == "table"):
            return
        block = tag in _BLOCK
        if block or tag == "br":  # a <p> inside a cell is a line break too
            out.append(BR)
        if _is_plain(el):  # the usual Word <p><span>…</span></p>: one C-level pass
            out.append(_all_text(el))
        else:
            if el.text:
                out.append(el.text)
            for child in el:
                _text_of(child, out, skip_tables)
                if child.tail:
                    out.append(child.tail)
        if block:
            out.append(BR)


def cell_text(el: etree._Element, skip_tables: bool = True) -> str:
    if _is_flat(el):
        return clean(_all_text(el))
    out: list[str] = []
    if el.text:
        out.append(el.text)
    for child in el:
        _text_of(child, out, skip_tables)
        if child.tail:
            out.append(child.tail)
    return clean("".join(out))


def _own_rows(table: etree._Element) -> list[etree._Element]:
    """The table's own <tr>s (direct, or inside thead/tbody/tfoot), not those of nested tables."""
    rows: list[etree._Element] = []
    for child in table:
        tag = child.tag
        if tag == "tr":
            rows.append(child)
        elif tag in ("thead", "tbody", "tfoot"):
            rows.extend(c for c in child if c.tag == "tr")
    return rows


_SPAN_NUMBER = re.compile(r"\s*(\d+)")


def _span(value: str | None, limit: int) -> int:
    if not value:
        return 1
    if value.isdecimal():  # the usual rowspan="2"; same digits \d accepts
        n = int(value)
    else:
        m = _SPAN_NUMBER.match(value)
        if not m:
            return 1
        n = int(m.group(1))
    return min(max(n, 1), limit)


def table_grid(rows: list[list[tuple[etree._Element, int]]], budget: CellBudget | None = None) -> list[list[str]]:
    """Expand rowspan/colspan of the table's cells, given by row with their colspans: every grid position
    a cell covers holds its text.

    Rows are as long as their last occupied position (no invented trailing blanks); a hole left in the
    middle of a row (a short row under a rowspan) is "". The grid is drawn from `budget` (the document's
    cells): a row that would outgrow it raises ReadError before it is allocated.
    """
    if budget is None:
        budget = CellBudget()
    grid: list[list[str]] = []
    pending: dict[int, tuple[int, str]] = {}  # column -> (rows still covered, text) from rowspans above
    n_rows = len(rows)
    for r, tds in enumerate(rows):
        line: list[str | None] = []
        col = 0
        for td, colspan in tds:
            while col in pending:
                _put(line, col, _take(pending, col))
                col += 1
            budget.check(col + colspan)  # the row's length once this cell is placed
            text = cell_text(td)
            rowspan = _span(td.get("rowspan"), min(MAX_ROWSPAN, n_rows - r))
            if colspan == 1 and col == len(line):  # the plain cell (col is never pending here): _put inlined
                line.append(text)
                if rowspan > 1:
                    pending[col] = (rowspan - 1, text)
                col += 1
                continue
            for c in range(col, col + colspan):
                if c in pending:  # malformed overlap: the explicit cell wins
                    _take(pending, c)
                _put(line, c, text)
                if rowspan > 1:
                    pending[c] = (rowspan - 1, text)
            col += colspan
        if pending:
            for c in sorted(pending):  # rowspans from above beyond this row's own cells
                if c >= len(line) or line[c] is None:
                    _put(line, c, _take(pending, c))
        budget.take(len(line))  # (pending rowspans add at most the previous row's width, already taken)
        grid.append([c if c is not None else "" for c in line])
    return _clip_overspans(grid)


def _clip_overspans(grid: list[list[str]]) -> list[list[str]]:
    """A row made longer than every other row only by repeating its last cell (colspan="99" meaning
    "to the end") is cut back to the table's real width."""
    if len(grid) < 2:
        return grid
    lengths = sorted(len(r) for r in grid)
    width = lengths[-2]
    for i, row in enumerate(grid):
        if len(row) > width and width > 0 and all(c == row[width - 1] for c in row[width:]):
            grid[i] = row[:width]
    return grid


def _take(pending: dict[int, tuple[int, str]], col: int) -> str:
    left, text = pending[col]
    if left <= 1:
        del pending[col]
    else:
        pending[col] = (left - 1, text)
    return text


def _put(line: list[str | None], col: int, text: str) -> None:
    if col >= len(line):
        line.extend([None] * (col + 1 - len(line)))
    line[col] = text


_LAYOUT_CELL_CHARS = 400  # no statistics-table cell holds this much text; a layout column does


class _Walker:
    """One pass over the body, emitting Paragraph and Table blocks in document order."""

    def __init__(self, nesting: set[etree._Element]) -> None:
        self.nesting = nesting
        self.budget = CellBudget()  # shared by all tables of the page
        self.blocks: list[Block] = []
        self.buf: list[str] = []

    def flush(self) -> None:
        if not self.buf:
            return
        text = "".join(self.buf)
        self.buf = []
        for line in clean(text).split("\n"):
            if line:
                self.blocks.append(Paragraph(line))

    def walk(self, el: etree._Element) -> None:
        tag = el.tag
        if not isinstance(tag, str):  # comments, processing instructions (<?xml:namespace> in Word HTML)
            return
        if _is_noise(el):
            return
        if tag == "table":
            self.flush()
            self.table(el)
            return
        if tag == "br":
            self.flush()
            return
        block = tag in _BLOCK
        if block:
            self.flush()
        if tag in _LEAF_BLOCKS and len(el) and _is_flat(el):
            self.buf.append(_all_text(el))
            if block:
                self.flush()
            return
        if el.text:
            self.buf.append(el.text)
        for child in el:
            self.walk(child)
            if child.tail:
                self.buf.append(child.tail)
        if block:
            self.flush()

    def table(self, el: etree._Element) -> None:
        rows = [[(td, _span(td.get("colspan"), MAX_COLSPAN)) for td in tr if td.tag in _CELL_TAGS]
                for tr in _own_rows(el)]
        cells = [td for tds in rows for td, _ in tds]
        nested = el in self.nesting
        width = max((sum(colspan for _, colspan in tds) for tds in rows), default=0)
        # Layout tables (a page wrapped in a table, a 1×1 frame, a frame around a data table) are
        # containers: their cells flow like divs so the report inside keeps its paragraphs and tables.
        if len(cells) <= 1 or (nested and (len(rows) <= 3 or width <= 2)):
            for td in cells:
                self.walk(td)
                self.flush()
            return
        grid = table_grid(rows, self.budget)
        if any(len(c) > _LAYOUT_CELL_CHARS for row in grid for c in row):  # a page column, not a cell
            for td in cells:
                self.walk(td)
                self.flush()
            return
        if any(any(c for c in row) for row in grid):
            self.blocks.append(Table(grid, grid=True))
        if nested:  # a data table holding small tables in cells: each inner table is its own block
            for inner in _child_tables(el):
                self.table(inner)


def _nearest_table(el: etree._Element | None) -> etree._Element | None:
    while el is not None and el.tag != "table":
        el = el.getparent()
    return el


def _child_tables(table: etree._Element) -> Iterable[etree._Element]:
    """Tables directly nested in this table's cells (not those nested deeper)."""
    for inner in table.iter("table"):
        if inner is not table and _nearest_table(inner.getparent()) is table:
            yield inner


_META_NAMES = {
    "articletitle": "title",
    "pubdate": "published",
    "contentsource": "issuer",
    "og:url": "url",
    "og:title": "title_og",
}


class _Scan:
    """What one C-level pass over the page collects for the metadata and the table walk (each separate
    search costs a pass over the whole tree)."""

    def __init__(self, root: etree._Element) -> None:
        self.metas: list[etree._Element] = []
        self.links: list[etree._Element] = []
        self.title: etree._Element | None = None
        self.nesting: set[etree._Element] = set()  # tables with a table somewhere inside
        for el in root.iter("meta", "link", "title", "table"):
            tag = el.tag
            if tag == "table":
                # only the nearest enclosing table: the ones further out are marked from that one, so
                # deeply nested tables cost one walk up each, not one per level
                outer = next(el.iterancestors("table"), None)
                if outer is not None:
                    self.nesting.add(outer)
            elif tag == "meta":
                self.metas.append(el)
            elif tag == "link":
                self.links.append(el)
            elif self.title is None:
                self.title = el


def _head_meta(scan: _Scan) -> dict[str, str]:
    out: dict[str, str] = {}
    for m in scan.metas:
        name = (m.get("name") or m.get("property") or "").strip().lower()
        key = _META_NAMES.get(name)
        content = (m.get("content") or "").strip()
        if key and content and key not in out:
            out[key] = content
    for link in scan.links:
        if (link.get("rel") or "").strip().lower() == "canonical" and link.get("href") and "url" not in out:
            out["url"] = link.get("href").strip()
    title = scan.title
    if title is not None:
        t = clean(_all_text(title))
        if t:
            out["page_title"] = t
    return out


# --- entry point -------------------------------------------------------------------------------------

def read_html(data: bytes, name: str = "") -> Document:
    if not (data[:64].strip() or data.strip()):  # (the full strip copies the page: only when needed)
        raise ReadError("empty")
    if len(data) > MAX_TEXT_MB * MB:  # before decoding: the text, UTF-8 copy and tree cost several times more
        raise ReadError("too_large", f"limit {MAX_TEXT_MB} MB, file {mb(len(data))}")
    text, encoding = decode_html(data)
    # Re-encode to UTF-8 and tell libxml2 so: a (possibly wrong) declared charset is then ignored.
    # Bytes that decoded as strict UTF-8 (no BOM, no replaced cut-off tail) re-encode to themselves.
    if encoding == "utf-8" and not data.startswith(b"\xef\xbb\xbf") and "\ufffd" not in text[-3:]:
        utf8 = data
    else:
        utf8 = text.encode("utf-8", errors="replace")
    parser = etree.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True, no_network=True)
    try:
        root = etree.fromstring(utf8, parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        raise ReadError("corrupt", "HTML markup could not be parsed") from None
    if root is None:
        raise ReadError("empty", "HTML page without content")
    scan = _Scan(root)
    head = _head_meta(scan)
    body = root.find("body")
    walker = _Walker(scan.nesting)
    walker.walk(body if body is not None else root)
    walker.flush()
    blocks = walker.blocks
    if not blocks:
        if root.find(".//img") is not None:  # a report published as pictures of its pages
            raise ReadError("no_text", "HTML page shows only images")
        raise ReadError("empty", "HTML page without text")

    meta = meta_from_text((b.text for b in blocks if isinstance(b, Paragraph)),
                          (b.rows for b in blocks if isinstance(b, Table)))
    # the title the page prints with its label (标题：…) before the CMS's meta tags and <title>
    title = meta.get("title") or head.get("title") or head.get("page_title") or head.get("title_og")
    if title:
        meta["title"] = title
    if "published" not in meta and head.get("published"):
        meta["published"] = head["published"]
    if "issuer" not in meta and head.get("issuer"):
        meta["issuer"] = head["issuer"]
    if head.get("url"):
        meta["url"] = head["url"]
    if head.get("page_title") and head.get("page_title") != meta.get("title"):
        meta["page_title"] = head["page_title"]
    meta["encoding"] = encoding
    return Document(kind="html", blocks=blocks, meta=meta)


def read_mhtml(data: bytes, name: str = "") -> Document:
    """A saved web page (MHTML): its HTML page read as a web page, and stored as one."""
    doc = read_html(_mhtml_page(data))
    doc.kind = "html"  # (the report's kind as stored: a web page)
    return doc


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
