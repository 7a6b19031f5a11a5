"""Text pasted or extracted from report pages, in every rendering found in the wild.

Renderings (detected per document from its line shapes):
  tab        (a) cells separated by tabs (often one tab-prefixed cell per line), blank lines between rows
  blank      (b) one cell per line, one blank line between cells; an empty cell is one extra blank line
  pipe_row   (c) one row per line, cells separated by " | ", optional outer pipes, "| |||" padding
  pipe_cell  (d) one cell per line ending in " |", rows separated by lines made only of pipes
  pipe_line  (e) cells separated by lines holding only "|"
  lines      (f) text pulled from PDFs: one cell per line, or a row's values space-separated on one line

Tabs and pipe rows keep positional rows (Table.grid=True). The others give a stream of cells whose row
breaks are only hints (grid=False); the extractor delimits rows by their labels.
"""

from __future__ import annotations

import re
import unicodedata

from etl.document import Document, Paragraph, ReadError, Table
from etl.formats import COLS, ROWS, T2_ITEM_WORD, TABLE_WORDS, chapter_heading, norm
from etl.readers.charset import big5_instead, decode_lenient, decode_strict, looks_binary, looks_misread
from etl.readers.limits import MAX_TEXT_MB, MB, mb
from etl.readers.meta import meta_from_text
from etl.readers.script import fold, needs_folding
from etl.values import EMPTY, TEXT, parse_cell

_PAGE_FURNITURE = re.compile(
    r"^\s*(?:[-—–－]\s*\d{1,3}\s*[-—–－]|第\s*\d{1,3}\s*页(?:\s*[/，,]?\s*共\s*\d{1,3}\s*页)?"
    r"|\d{1,3}\s*/\s*\d{1,3}|P\.\s*\d{1,3}|Page\s+\d{1,3}(?:\s+of\s+\d{1,3})?(?:\s*-.*)?)\s*$"
)
# a flip-book page header "Page 9 - <the report's title>": furniture, but the only title some pages carry
_FLIPBOOK_TITLE = re.compile(r"^\s*Page\s+\d{1,3}\s*-\s*(?P<title>\S.*?)\s*$")
_ONLY_PIPES = re.compile(r"^\s*\|[\s|]*$")
# Markdown's delimiter row under a table header ("|---|:---:|"): layout, not a row of cells
_MD_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")
_SENTENCE_END = ("。", "：", ":", "；", ";", "！", "？")
_NUM_TOKEN = re.compile(r"^(?:[+\-]?\d[\d,]*(?:\.\d+)?(?:万元|元)?|增\d+|减\d+|/|—|-{1,2})$")

# Normalized fragments of every table label: a line carrying one of these is a cell, never prose.
_LABEL_FRAGMENTS = tuple(sorted(
    {f for rows in ROWS.values() for k in rows for f in k.fragments()}
    | set(TABLE_WORDS)
))
_LABEL_RE = re.compile("|".join(map(re.escape, _LABEL_FRAGMENTS)))


# Unicode categories Cc (controls but tab, newline, CR, form feed), Co (private use), Cs (surrogates),
# as one character class: counting them is on every text file's path.
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ue000-\uf8ff\U000f0000-\U000ffffd\U00100000-\U0010fffd\ud800-\udfff]")
# The same without private use: what binary data decodes to, as opposed to text in another encoding.
_NUL_RUNS = re.compile(rb"\x00+")
_REAL_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def decode(data: bytes) -> str:
    """Decode text of unknown encoding: BOMs, strict UTF-8, then GB18030 (covers GBK and GB2312), Big5
    when GB18030 gives nonsense, UTF-16 without a BOM, charset-normalizer as the last resort."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _checked(data.decode("utf-16", errors="replace"))  # a cut-off last byte is replaced
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if b"\x00" in data:  # text never holds NUL bytes, except UTF-16 (ASCII characters are half NUL)
        text = _utf16_without_bom(data)
        if text is not None:
            return _checked(text)
        if len(_NUL_RUNS.findall(data, 0, 1 << 22)) > 4:
            raise ReadError("binary", "NUL bytes in the text")
        # a few zeroed stretches in text (a download preallocated and never filled, a damaged sector):
        # the rest is still the report
        data = data.replace(b"\x00", b"")
        if not data.strip():
            raise ReadError("empty", "only NUL bytes")
    text = decode_strict(data, "utf-8")
    if text is None:
        text = decode_strict(data, "gb18030")
        if text is None or looks_misread(text):
            big5 = big5_instead(data, text)
            if big5 is not None:
                text = big5[0]
    if text is None:
        lenient = decode_lenient(data)  # mostly one encoding with a few broken bytes
        if lenient is not None:
            text = lenient[0]
    if text is None:
        if looks_binary(data):
            raise ReadError("binary", "control bytes in the text")
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
        if best is None:
            raise ReadError("encoding", "not UTF-8, GB18030 or Big5")
        text = str(best)
    return _checked(text)


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text without a byte-order mark: its NULs (the high bytes of ASCII characters) all fall on
    odd offsets (little-endian) or all on even ones (big-endian)."""
    sample = data[:65536]
    odd = sample[1::2].count(0)
    even = sample[0::2].count(0)
    if odd + even < len(sample) // 20:
        return None
    enc = "utf-16-le" if odd > 9 * even else "utf-16-be" if even > 9 * odd else None
    if enc is None:
        return None
    return decode_strict(data, enc)  # (binary data that passes is refused by _checked)


def _checked(text: str) -> str:
    """Refuse decoded text that is mostly control or private-use characters (binary data, or a codec the
    bytes are not in)."""
    head = text[:20000]
    limit = max(20, len(head) // 50)
    controls = len(_CONTROL.findall(head))
    if controls > limit:
        if len(_REAL_CONTROL.findall(head)) > limit:
            raise ReadError("binary", "mostly control characters")
        raise ReadError("encoding", "not UTF-8, GB18030 or Big5")  # private-use characters: a wrong codec
    return text


def is_heading(n: str) -> bool:
    return chapter_heading(n) is not None


def is_prose(line: str) -> bool:
    """A line of narrative text rather than a table cell."""
    n = norm(line)
    if not n:
        return False
    if is_heading(n):
        return True
    if n.endswith(_SENTENCE_END[:1] + _SENTENCE_END[3:]):  # labels never end a sentence
        return True
    if len(n) <= 70 and _LABEL_RE.search(n):
        return False
    return n.endswith(_SENTENCE_END) or len(n) > 45


def detect(lines: list[str]) -> str:
    content = [ln for ln in lines if ln.strip()]
    if not content:
        return "lines"
    n = len(content)
    # (d) puts the pipe after the text on every cell line; in (e) text lines carry no pipe and lone
    # pipes separate them. (d) also closes short rows with a few pipe-only lines, so compare the two.
    trailing = sum(1 for ln in content if ln.rstrip().endswith("|") and ln.count("|") == 1 and ln.strip() != "|")
    # Tabs separate cells in (a); in (d) pages they only indent the cell lines, which end in a pipe.
    tabbed = sum(1 for ln in content if "\t" in ln.rstrip("\r\n")) - trailing
    if tabbed >= 5 and tabbed >= n * 0.15:
        return "tab"
    single_pipe = sum(1 for ln in content if ln.strip() == "|")
    inner = sum(1 for ln in content if re.search(r"\S\s*\|\s*\S", ln) and not _ONLY_PIPES.match(ln))
    if trailing >= 5 and trailing > inner and trailing > single_pipe:
        return "pipe_cell"
    if single_pipe >= 5:
        return "pipe_line"
    if inner >= 3:
        return "pipe_row"
    followed_by_blank = sum(1 for a, b in zip(lines, lines[1:], strict=False) if a.strip() and not b.strip())
    if followed_by_blank >= n * 0.6 and n >= 10:
        return "blank"
    return "lines"


class _Builder:
    """Collects blocks in order; consecutive cells form a Table."""

    def __init__(self, grid: bool) -> None:
        self.grid = grid
        self.blocks: list[Paragraph | Table] = []
        self.rows: list[list[str]] = []
        self.row: list[str] = []

    def cell(self, text: str) -> None:
        self.row.append(text)

    def cells(self, texts: list[str]) -> None:
        self.row.extend(texts)

    def end_row(self) -> None:
        if self.row:
            self.rows.append(self.row)
            self.row = []

    def para(self, text: str) -> None:
        self.end_table()
        text = text.strip()
        if text:
            self.blocks.append(Paragraph(text))

    def end_table(self) -> None:
        self.end_row()
        if not self.rows:
            return
        cells = [c for r in self.rows for c in r]
        if any(parse_cell(c).kind not in (TEXT, EMPTY) for c in cells) or any(
                _LABEL_RE.search(norm(c)) for c in cells):
            self.blocks.append(Table(self.rows, grid=self.grid))
        else:  # a run of short lines that is really prose (subsection headings, wrapped PDF text)
            self.blocks.append(Paragraph("\n".join(c for c in cells if c.strip())))
        self.rows = []


def _split_spaced(line: str) -> list[str]:
    """PDF text: 'label 12 0 3' → ['label', '12', '0', '3']; lone numbers split likewise."""
    tokens = line.split()
    k = len(tokens)
    while k > 0 and _NUM_TOKEN.match(unicodedata.normalize("NFKC", tokens[k - 1])):
        k -= 1
    n_values = len(tokens) - k
    head_is_label = n_values == 1 and bool(_LABEL_RE.search(norm("".join(tokens[:k]))))
    if n_values >= 2 or head_is_label or (k == 0 and tokens):
        head = " ".join(tokens[:k])
        return ([head] if head else []) + tokens[k:]
    return [line.strip()]


_T2_HEADER_RE = re.compile("|".join(re.escape(f) for k in COLS["t2"] for f in k.fragments()))


def _stray_cells(line: str) -> list[str] | None:
    """A table line a page printed outside its table's markup ("行政许可 97", "信息内容本年处理决定数量",
    "第二十条第（五）项"): its cells, so the extractor sees it as part of the table."""
    if is_prose(line):
        return None
    parts = _split_spaced(line)
    head = norm(parts[0])
    if len(head) > 40 or "," in head or "。" in head:  # a clause of prose that names a table row
        return None
    if len(parts) > 1:
        return parts if _LABEL_RE.search(head) else None
    return parts if T2_ITEM_WORD in head or _T2_HEADER_RE.search(head) else None


def _stray_or_para(b: _Builder, line: str) -> None:
    cells = _stray_cells(line)
    if cells:
        b.cells(cells)
        b.end_row()
    else:
        b.para(line)


def _tab(lines: list[str]) -> list:
    b = _Builder(grid=True)
    for ln in lines:
        if "\t" in ln:
            pieces = ln.split("\t")
            if ln.startswith("\t"):
                pieces = pieces[1:]
            b.cells([p.strip() for p in pieces])
        elif not ln.strip():
            b.end_row()
        else:
            b.para(ln)
    b.end_table()
    return b.blocks


def _pipe_row(lines: list[str]) -> list:
    b = _Builder(grid=True)
    for ln in lines:
        s = ln.strip()
        if _MD_RULE.match(s):
            continue
        if "|" in s and not _ONLY_PIPES.match(s):
            if s.startswith("|"):
                s = s[1:]
            if s.endswith("|"):
                s = s[:-1]
            b.cells([p.strip() for p in s.split("|")])
            b.end_row()
        elif _ONLY_PIPES.match(s) or not s:
            b.end_row()
        else:
            _stray_or_para(b, ln)
    b.end_table()
    return b.blocks


def _piped(lines: list[str], trailing: bool) -> list:
    """(d) trailing=True: every cell line ends in " |" and pipe-only lines close rows, a lone "|" being an
    empty cell (between full rows the extractor ignores it). (e) trailing=False: lines holding only pipes
    separate the cells. In both a cell may wrap over several lines."""
    b = _Builder(grid=False)
    pending: list[str] = []
    in_table = False
    for ln in lines:
        s = ln.strip()
        if _ONLY_PIPES.match(s):
            if trailing and s != "|":
                if pending:
                    b.cell("".join(pending))
                b.end_row()
            elif pending or in_table or trailing:
                b.cell("".join(pending))
            pending, in_table = [], True
        elif trailing and s.endswith("|"):
            b.cell("".join(pending) + s[:-1].strip())
            pending, in_table = [], True
        elif not s:
            continue
        elif is_prose(s):
            if pending:
                b.cell("".join(pending))
                pending = []
            b.para(s)
            in_table = False
        elif in_table:
            pending.append(s)
        else:
            b.cell(s)
            b.end_row()
    if pending:
        b.cell("".join(pending))
    b.end_table()
    return b.blocks


def _lines(lines: list[str], blank_cells: bool) -> list:
    b = _Builder(grid=False)
    blanks = 0
    started = False
    for ln in lines:
        s = ln.strip()
        if not s:
            blanks += 1
            continue
        if is_prose(s):
            b.para(s)
            started = False
        else:
            if blank_cells and started and blanks > 1:
                b.cells([""] * (blanks - 1))
            b.cells(_split_spaced(s) if not blank_cells else [s])
            b.end_row()
            started = True
        blanks = 0
    b.end_table()
    return b.blocks


def read_text(data: bytes) -> Document:
    if len(data) > MAX_TEXT_MB * MB:  # before decoding: the decoded text and its lines cost several times more
        raise ReadError("too_large", f"limit {MAX_TEXT_MB} MB, file {mb(len(data))}")
    text = decode(data)
    folded = needs_folding(text[:20000])
    if folded:  # structure is found by simplified labels, so fold before the rendering is detected
        text = fold(text)
    raw_lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    lines = [ln.replace("\u3000", " ").replace("\u00a0", " ") for ln in raw_lines
             if not _PAGE_FURNITURE.match(ln)]
    if not any(ln.strip() for ln in lines):
        raise ReadError("empty", "only page numbers" if text.strip() else "")
    rendering = detect(lines)
    if rendering == "tab":
        blocks = _tab(lines)
    elif rendering == "pipe_row":
        blocks = _pipe_row(lines)
    elif rendering in ("pipe_cell", "pipe_line"):
        blocks = _piped(lines, trailing=rendering == "pipe_cell")
    else:
        blocks = _lines(lines, blank_cells=rendering == "blank")
    meta = {"rendering": rendering} | ({"script": "traditional"} if folded else {})
    meta |= _page_meta(raw_lines)
    return Document(kind="text", blocks=blocks, meta=meta)


def _page_meta(raw_lines: list[str]) -> dict[str, str]:
    """Labelled fields above the report (a crawler's 标题: / 发布时间: / 发布机构: header, a page's 来源:
    line) and a flip-book page header's title."""
    meta = meta_from_text(ln for ln in raw_lines[:40] if len(ln) <= 300)
    if "title" not in meta:
        for ln in raw_lines[:200]:
            m = _FLIPBOOK_TITLE.match(ln)
            if m and _PAGE_FURNITURE.match(ln):
                meta["title"] = m.group("title")
                break
    return meta


def read_text_file(data: bytes, name: str = "") -> Document:
    """A text file as found: a converter's Markdown marks taken off, then read as text."""
    return read_text(_unmark(data))


# Markdown a converter's output carries: heading marks at a line's start and bold runs. Table pipes
# and "|---|" rules are read by the text reader itself. On bytes: '#', '*' and '_' are ASCII, never the
# trail byte of a GBK/GB18030 character (those are 0x40 and up), so UTF-8 and GBK text are both safe.
_MD_HEADING = re.compile(rb"(?m)^[ \t]{0,3}#{1,6}[ \t]+")
_MD_EMPHASIS = re.compile(rb"\*\*(?=\S)|(?<=\S)\*\*")


def _unmark(data: bytes) -> bytes:
    if b"\x00" in data[:4096]:  # UTF-16: ASCII marks are not single bytes there; the text reader decides
        return data
    return _MD_EMPHASIS.sub(b"", _MD_HEADING.sub(b"", data))
