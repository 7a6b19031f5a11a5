"""The layout engine shared by the readers of pages: words and ruling lines in, a document's blocks out.

A page comes as its words (PyMuPDF's word tuples: x0, y0, x1, y1, text, block, line, word — from a PDF's text
layer, or from OCR with the engine's confidence as a ninth element) and its horizontal/vertical ruling
segments in points. The same rules then hold for a text-layer PDF, a scanned page, an image and the
pictures of pages in a Word file:
- ruling lines define cells: each cell's words become one cell text (a label written vertically, one
  character per line, becomes one string), a cell with no words is "" (a blank is never skipped), and a
  cell merged over several rows belongs to the row where it starts (`find_grids`, `page_items`);
- tables without rulings fall back to rows of horizontally separated fragments. Tables are `grid=False`
  either way: rows are hints, the extractor reads cells as a stream delimited by labels;
- a document's pages are assembled with page furniture (page numbers, repeated headers and footers)
  dropped and a ruled table continued across a page break joined (`assemble`).

Pure Python: nothing here imports MuPDF or OpenCV, so every reader can use it without the others' imports.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass, field

from etl.document import Block, Paragraph, Table

_TOL = 2.0  # points: ruling lines this close are the same line
_PAGE_NUMBER = re.compile(
    r"^\s*(?:[-—–－]\s*\d{1,3}\s*[-—–－]|第\s*\d{1,3}\s*页(?:\s*[/，,]?\s*共\s*\d{1,3}\s*页)?|"
    r"\d{1,3}\s*/\s*\d{1,3}|Page\s+\d{1,3}(?:\s+of\s+\d{1,3})?|\d{1,3})\s*$",
    re.IGNORECASE,
)
_MARGIN = 0.09  # top/bottom share of the page where headers, footers and page numbers live
_DIGITS = re.compile(r"\d{1,3}")
_NUMBER = re.compile(r"\d+")
_SPACE = re.compile(r"\s+")


@dataclass(slots=True)
class Line:
    x0: float
    y0: float
    x1: float
    y1: float
    text: str
    conf: float | None = None  # OCR: the lowest confidence of the line's words


@dataclass(slots=True)
class Cell:
    x0: float
    x1: float
    top: float
    bottom: float
    row: int  # index of the strip where the cell starts
    words: list[tuple] = field(default_factory=list)


@dataclass
class Grid:
    """A ruled table region: horizontal strips, each divided into column intervals."""

    x0: float
    y0: float
    x1: float
    y1: float
    ys: list[float]
    strips: list[list[tuple[float, float, Cell]]]  # per strip: (x0, x1, cell) left to right
    cells: list[Cell]


@dataclass(slots=True)
class PageItem:
    y: float
    block: Block
    line: Line | None = None  # for free text lines: geometry, used for furniture detection
    ruled: tuple[float, float] | None = None  # for ruled tables: left and right edge
    # for ruled tables: column intervals of the first row's cells, and those of merged (multi-row)
    # non-blank cells reaching the bottom edge — what a continuation on the next page can extend
    first: list[tuple[float, float]] = field(default_factory=list)
    open_below: list[tuple[float, float]] = field(default_factory=list)


# --- grids from ruling lines ----------------------------------------------------------------------

def _cluster(values: list[float]) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if out and v - out[-1] <= _TOL:
            continue
        out.append(v)
    return out


def find_grids(hs: list[tuple[float, float, float]], vs: list[tuple[float, float, float]]) -> list[Grid]:
    """Group touching segments into table regions and build each region's cells."""
    if len(hs) < 2 or len(vs) < 2:
        return []
    n = len(hs) + len(vs)
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    nh = len(hs)
    reach = [(vx, vy0 - _TOL, vy1 + _TOL) for vx, vy0, vy1 in vs]
    for i, (hx0, hx1, hy) in enumerate(hs):
        left, right = hx0 - _TOL, hx1 + _TOL
        a = find(i)  # stays a root: the verticals' groups are attached to it
        for j, (vx, vy0, vy1) in enumerate(reach):
            if left <= vx <= right and vy0 <= hy <= vy1:
                b = find(nh + j)
                if a != b:
                    parent[b] = a
    groups: dict[int, tuple[list, list]] = {}
    for i, h in enumerate(hs):
        groups.setdefault(find(i), ([], []))[0].append(h)
    for j, v in enumerate(vs):
        groups.setdefault(find(len(hs) + j), ([], []))[1].append(v)
    grids = []
    for ghs, gvs in groups.values():
        grid = _grid(ghs, gvs)
        if grid is not None:
            grids.append(grid)
    return grids


def _grid(hs: list[tuple[float, float, float]], vs: list[tuple[float, float, float]]) -> Grid | None:
    ys = _cluster([h[2] for h in hs])
    if len(ys) < 2 or len(_cluster([v[0] for v in vs])) < 2:
        return None
    # horizontal rules by the grid line they sit on, to ask "is this cell ruled at its top?"
    rules: list[list[tuple[float, float]]] = [[] for _ in ys]
    for h in hs:
        k = bisect.bisect_left(ys, h[2] - _TOL)
        if k < len(ys) and abs(ys[k] - h[2]) <= _TOL:
            rules[k].append((h[0] - _TOL, h[1] + _TOL))
    strips: list[list[tuple[float, float, Cell]]] = []
    cells: list[Cell] = []
    prev: list[tuple[float, float, Cell]] = []
    prev_left: list[float] = []  # left edges of `prev`, increasing (clustered): bisected below
    vs = sorted(vs)  # so that each strip's edges come out (nearly) sorted
    for i in range(len(ys) - 1):
        top, bottom = ys[i], ys[i + 1]
        xs = _cluster([v[0] for v in vs if v[1] <= top + _TOL and v[2] >= bottom - _TOL])
        above = rules[i]
        strip: list[tuple[float, float, Cell]] = []
        for k in range(len(xs) - 1):
            a, b = xs[k], xs[k + 1]
            mid = (a + b) / 2
            cell = None
            for r0, r1 in above:
                if r0 <= mid <= r1:
                    break
            else:  # no rule above: the cell above with the same edges continues
                for pa, pb, pc in prev[bisect.bisect_left(prev_left, a - _TOL):]:
                    if pa - a > _TOL:
                        break
                    if abs(pa - a) <= _TOL and abs(pb - b) <= _TOL:
                        cell = pc
                        cell.bottom = bottom
                        break
            if cell is None:
                cell = Cell(a, b, top, bottom, i)
                cells.append(cell)
            strip.append((a, b, cell))
        strips.append(strip)
        prev = strip
        prev_left = xs[:-1]
    if not cells:
        return None
    return Grid(min(c.x0 for c in cells), ys[0], max(c.x1 for c in cells), ys[-1], ys, strips, cells)


def _place(grids: list[Grid], words: list[tuple]) -> list[tuple]:
    """Put each word into the cell (of the first grid) containing its centre; return the words left over."""
    free = []
    boxes = [(g.x0, g.y0, g.x1, g.y1, g.ys, g.strips, len(g.strips)) for g in grids]
    bisect_right = bisect.bisect_right
    for w in words:
        cx, cy = (w[0] + w[2]) / 2, (w[1] + w[3]) / 2
        for x0, y0, x1, y1, ys, strips, n in boxes:
            if x0 <= cx <= x1 and y0 <= cy <= y1:
                i = bisect_right(ys, cy) - 1
                if i < n:  # i >= 0 as cy >= ys[0]
                    for a, b, cell in strips[i]:
                        if a <= cx <= b:
                            cell.words.append(w)
                            break
                    else:
                        continue
                    break
        else:
            free.append(w)
    return free


# --- text assembly -----------------------------------------------------------------------------------

def _is_cjk(ch: str) -> bool:
    # CJK ideographs, radicals and punctuation (U+2E80-9FFF), compatibility ideographs, full-width forms:
    # plain comparisons, as this runs for every wrapped piece of every cell
    return "\u2e80" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" or "\uff00" <= ch <= "\uffef"


def _join(a: str, b: str) -> str:
    """Join two wrapped pieces: no space at a CJK boundary (a wrapped Chinese label), else a space."""
    if not a:
        return b
    if not b:
        return a
    if _is_cjk(a[-1]) or _is_cjk(b[0]):
        return a + b
    return a + " " + b


def _lines_of(words: list[tuple]) -> list[Line]:
    """Words grouped by PyMuPDF's (block, line); a line is split where a wide gap separates words
    (cells of an unruled table that PyMuPDF put on one line)."""
    by_line: dict[tuple[int, int], list[tuple]] = {}
    for w in words:
        key = (w[5], w[6])
        ws = by_line.get(key)
        if ws is None:
            by_line[key] = [w]
        else:
            ws.append(w)
    out: list[Line] = []
    for ws in by_line.values():
        if len(ws) == 1:  # most lines (cells, short labels) are one word
            w = ws[0]
            out.append(Line(w[0], w[1], w[2], w[3], w[4], w[8] if len(w) > 8 else None))
            continue
        ws.sort(key=_x0)
        gap = max(max(w[3] - w[1] for w in ws), 6.0)
        start = 0
        right = ws[0][2]
        for k in range(1, len(ws)):
            w = ws[k]
            if w[0] - right > gap:
                out.append(_make_line(ws[start:k]))
                start = k
            right = w[2]
        out.append(_make_line(ws[start:]))
    return out


def _x0(w: tuple) -> float:
    return w[0]


def _make_line(ws: list[tuple]) -> Line:
    """Words sorted left to right: one pass for the box instead of four."""
    first = ws[0]
    if len(ws) == 1:
        return Line(first[0], first[1], first[2], first[3], first[4], _conf(ws))
    y0, x1, y1 = first[1], first[2], first[3]
    for w in ws:
        if w[1] < y0:
            y0 = w[1]
        if w[2] > x1:
            x1 = w[2]
        if w[3] > y1:
            y1 = w[3]
    return Line(first[0], y0, x1, y1, " ".join([w[4] for w in ws]), _conf(ws))


def _conf(words: list[tuple]) -> float | None:
    """The lowest OCR confidence among words (None for text-layer words, which have no ninth element)."""
    confs = [w[8] for w in words if len(w) > 8]
    return min(confs) if confs else None


def _visual_rows(lines: list[Line]) -> list[list[Line]]:
    """Lines sharing a baseline band (vertical overlap of more than half the smaller height)."""
    rows: list[list[Line]] = []
    if len(lines) == 1:
        return [lines]
    last: list[Line] = []
    top = bottom = 0.0  # vertical extent of the last row, kept as lines join it
    for ln in sorted(lines, key=_top_left):
        if rows:
            overlap = min(bottom, ln.y1) - max(top, ln.y0)
            if overlap > 0.5 * min(bottom - top, ln.y1 - ln.y0):
                last.append(ln)
                top = min(top, ln.y0)
                bottom = max(bottom, ln.y1)
                continue
        last = [ln]
        rows.append(last)
        top, bottom = ln.y0, ln.y1
    for row in rows:
        if len(row) > 1:
            row.sort(key=_left)
    return rows


def _top_left(ln: Line) -> tuple[float, float]:
    return (ln.y0, ln.x0)


def _left(ln: Line) -> float:
    return ln.x0


def _cell_text(cell: Cell) -> str:
    if len(cell.words) <= 1:
        return cell.words[0][4] if cell.words else ""
    text = ""
    for row in _visual_rows(_lines_of(cell.words)):
        text = _join(text, " ".join(ln.text for ln in row))
    return text.strip()


# --- pages -------------------------------------------------------------------------------------------

def page_items(words: list[tuple], segments: tuple[list, list] | None, page_no: int) -> list[PageItem]:
    """A page's items (tables and text lines, top to bottom) from its words and ruling segments: the same
    rules for a text layer and for OCR.

    OCR words carry a ninth element, the engine's confidence, which becomes the table's `conf`."""
    grids = find_grids(*segments) if segments else []
    free = _place(grids, words) if grids else words
    items: list[PageItem] = []
    for g in grids:
        by_row: list[list[Cell]] = []  # g.cells is row-major, left to right: split it where the row changes
        for cell in g.cells:
            if by_row and by_row[-1][0].row == cell.row:
                by_row[-1].append(cell)
            else:
                by_row.append([cell])
        rows = []
        confs: list[list[float | None]] = []
        first: list[tuple[float, float]] = []
        for row_cells in by_row:
            texts = [_cell_text(c) for c in row_cells]
            if any(texts):  # a strip with no text at all is a drawing artefact (double rule), not a row
                if not rows:
                    first = [(c.x0, c.x1) for c in row_cells]
                rows.append(texts)
                confs.append([_conf(c.words) for c in row_cells])
        if rows and all(len(r) == 1 for r in rows) and not any(len(c.words) == 0 for c in g.cells):
            # a box drawn around text (a framed note or title), not a table: its lines are text
            free.extend(w for c in g.cells for w in c.words)
            continue
        if rows:
            open_below = [(c.x0, c.x1) for c in g.cells
                          if abs(c.bottom - g.y1) <= _TOL and c.row < len(g.ys) - 2 and c.words]
            conf = confs if any(v is not None for r in confs for v in r) else None
            items.append(PageItem(g.y0, Table(rows, grid=False, page=page_no, conf=conf), ruled=(g.x0, g.x1),
                                   first=first, open_below=open_below))
    for row in _visual_rows(_lines_of(free)):
        if len(row) == 1:
            ln = row[0]
            items.append(PageItem(ln.y0, Paragraph(ln.text, page=page_no), ln))
        else:  # fragments side by side: a row of an unruled table
            y = min(ln.y0 for ln in row)
            conf = [[ln.conf for ln in row]] if row[0].conf is not None else None
            items.append(PageItem(y, Table([[ln.text for ln in row]], grid=False, page=page_no, conf=conf)))
    items.sort(key=lambda it: it.y)
    merged: list[PageItem] = []
    for it in items:  # consecutive rows of an unruled table are one table
        prev = merged[-1] if merged else None
        if (prev is not None and it.line is None and prev.line is None and not it.ruled and not prev.ruled
                and isinstance(it.block, Table) and isinstance(prev.block, Table)):
            _extend(prev.block, it.block.rows, it.block.conf)
            continue
        merged.append(it)
    return merged


def _furniture(pages: list[tuple[float, list[PageItem]]]) -> set[tuple[int, int]]:
    """(page index, item index) of page numbers and of header/footer lines repeated on most pages."""
    drop: set[tuple[int, int]] = set()
    seen: Counter[str] = Counter()
    margin_items: list[tuple[int, int, str]] = []
    for p, (height, items) in enumerate(pages):
        keys: set[str] = set()
        for i, it in enumerate(items):
            ln = it.line
            if ln is None:
                continue
            in_margin = ln.y1 < height * _MARGIN or ln.y0 > height * (1 - _MARGIN)
            text = ln.text.strip()
            if _PAGE_NUMBER.match(text) and (in_margin or not _DIGITS.fullmatch(text)):
                drop.add((p, i))
            elif in_margin:
                key = _NUMBER.sub("#", _SPACE.sub("", text))
                margin_items.append((p, i, key))
                keys.add(key)
        seen.update(keys)
    if len(pages) >= 2:
        need = max(2, (len(pages) + 1) // 2)
        drop.update((p, i) for p, i, key in margin_items if seen[key] >= need)
    return drop


def _join_across_pages(items: list[PageItem]) -> list[Block]:
    """A ruled table continuing at the top of the next page (same left/right edges) is one table."""
    out: list[Block] = []
    last: PageItem | None = None
    for it in items:
        b = it.block
        if (last is not None and it.ruled and last.ruled and out and out[-1] is last.block
                and isinstance(b, Table) and isinstance(last.block, Table)
                and b.page is not None and last.block.page is not None and b.page > last.block.page
                and abs(it.ruled[0] - last.ruled[0]) <= 3 and abs(it.ruled[1] - last.ruled[1]) <= 3):
            head = b.rows[0]
            head_conf = b.conf[0] if b.conf else [None] * len(head)
            if len(it.first) == len(head):
                # a blank cell under a merged cell that ran into the page break continues that cell
                keep = [bool(t) or not any(abs(a - pa) <= 3 and abs(z - pz) <= 3 for pa, pz in last.open_below)
                        for t, (a, z) in zip(head, it.first, strict=True)]
                head = [t for t, k in zip(head, keep, strict=True) if k]
                head_conf = [c for c, k in zip(head_conf, keep, strict=True) if k]
            _extend(last.block, [head, *b.rows[1:]], [head_conf, *b.conf[1:]] if b.conf else None)
            last.open_below = it.open_below
            continue
        out.append(b)
        last = it
    return out


def _extend(table: Table, rows: list[list[str]], conf: list[list[float | None]] | None) -> None:
    """Append rows (and their confidences, keeping `conf` parallel to `rows`) to a table."""
    if conf is not None or table.conf is not None:
        if table.conf is None:
            table.conf = [[None] * len(r) for r in table.rows]
        table.conf.extend(conf if conf is not None else [[None] * len(r) for r in rows])
    table.rows.extend(rows)



def assemble(pages: list[tuple[float, list[PageItem]]]) -> list[Block]:
    """The document's blocks from its pages' items (page height, items): page furniture dropped, tables
    continued across page breaks joined. Used for text-layer PDFs and for OCR'd pages and images alike."""
    drop = _furniture(pages)
    return _join_across_pages([it for p, (_, items) in enumerate(pages) for i, it in enumerate(items)
                               if (p, i) not in drop])
