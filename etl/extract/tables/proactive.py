"""Table 2 (主动公开): its header cells, and the columns of a row decided from them and its value count."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from etl import formats as F
from etl.extract.tables.result import OpenRow
from etl.extract.tables.stream import Token
from etl.formats import norm
from etl.model import Problem
from etl.values import TEXT, parse_cell

ITEM = F.T2_ITEM_RE
_HEADER_UNIT = re.compile(r"(万元|元)")


@dataclass
class T2Header:
    """Table 2's header as the walk reads it: the cells above the next row, and the formats they name."""

    cells: list[str] = field(default_factory=list)  # header cells as printed (normalized), mapped per row
    unit: str | None = None
    open: bool = False
    seen_fmt: set[str] = field(default_factory=set)  # formats named by table-2 header words seen so far

    def restart(self) -> None:
        self.cells, self.open, self.unit = [], True, None

    def take(self, t: Token) -> bool:
        """Take a cell that is part of the header (an item heading, a column name, a cell cut short)."""
        n = t.n
        if ITEM.search(n):
            self.restart()
            return True
        # one cell may carry several headers when PDF text puts them on one line
        cols = F.t2_cols_in(n) if len(n) <= 60 and parse_cell(n).kind == TEXT else ()
        if cols:
            if not self.open or n.startswith(F.T2_HEADER_WORD):
                self.restart()
            self.cells.append(n.removeprefix(F.T2_HEADER_WORD))
            for fmt in F.FORMATS:
                if set(cols) & F.T2_COLS_ONLY[fmt]:
                    self.seen_fmt.add(fmt)
            m = _HEADER_UNIT.search(n)
            if m:
                self.unit = m.group(1)
            return True
        if n == F.T2_HEADER_WORD:
            self.restart()
            return True
        if self.open and parse_cell(t.text).kind == TEXT and 0 < len(n) <= 12:
            # a header cell cut short or wrapped ("本年新", "制作数量"): it still holds a column
            self.cells.append(n)
            return True
        return False


def row_formats(row: OpenRow) -> list[str]:
    """The formats a placed table-2 row names (by a format-only column or row), in F.FORMATS order."""
    return [fmt for fmt in F.FORMATS if set(row.cols) & F.T2_COLS_ONLY[fmt] or row.key in F.T2_ROWS_ONLY[fmt]]


@lru_cache(maxsize=4096)
def t2_slots(header: tuple[str, ...]) -> tuple[str | None, ...]:
    """Header cells -> one column key per printed column, None where a cell is cut short or damaged.

    A header wrapped over two cells ("本年新" + "制作数量") is joined when only the joined text names a
    column; a cell naming several columns (PDF text on one line) gives several."""
    out: list[str | None] = []
    i = 0
    while i < len(header):
        keys = F.t2_cols_in(header[i])
        if not keys and i + 1 < len(header) and not F.t2_cols_in(header[i + 1]):
            joined = F.t2_cols_in(header[i] + header[i + 1])
            if len(joined) == 1:
                out.append(joined[0])
                i += 2
                continue
        out.extend(keys or (None,))
        i += 1
    return tuple(out)


def spans(header: tuple[str, ...]) -> list[tuple[str, int]]:
    """Runs of equal adjacent header cells: one merged cell each (grid readers copy a span's text)."""
    out: list[tuple[str, int]] = []
    for h in header:
        if out and out[-1][0] == h:
            out[-1] = (h, out[-1][1] + 1)
        else:
            out.append((h, 1))
    return out


def merge_spans(values: list[Token], spans: list[tuple[str, int]]) -> list[Token] | None:
    """One value per merged header cell, when the row's cells repeat exactly under each span."""
    if len(values) != sum(n for _, n in spans):
        return None
    out, i = [], 0
    for _, n in spans:
        group = values[i:i + n]
        if len({v.text for v in group}) != 1:
            return None
        out.append(group[0])
        i += n
    return out


def t2_layouts(row: str) -> dict[str, tuple[str, ...]]:
    """The official columns of a table-2 row in each format that prints it."""
    return {fmt: f.layout[row] for fmt, f in F.T2_FORMATS.items() if row in f.layout}


def row_width(key: str, header: tuple[str, ...]) -> int:
    """How many values a row takes: one per header column, else the longest official layout."""
    return len(t2_slots(header)) or max(len(lay) for lay in t2_layouts(key).values())


@dataclass(frozen=True)
class Unplaced:
    """Why a table-2 row's columns cannot be decided: the English words and etl.problems' parameters."""

    text: str
    params: dict

    def __str__(self) -> str:
        return self.text


@lru_cache(maxsize=4096)
def t2_columns(row: str, slots: tuple[str | None, ...], n: int,
               evidence: frozenset[str]) -> tuple[tuple[str, ...], str] | Unplaced:
    """Columns for the n values of a table-2 row, with how they were found — or why they cannot be.

    - header: every header cell names a column of this row, one per value;
    - position: some header cells are cut short, but exactly one official layout of the row has the
      value count and agrees with every readable header cell at its position;
    - official_order: no usable header, and the value count is the row's official column count in the
      one format the table's labels (or the count itself) point to.
    A header naming fewer columns than the row has values never maps the first value to the one column
    it names: that is how values land in wrong cells."""
    layouts = t2_layouts(row)
    known = [c for c in slots if c is not None]
    valid = {c for lay in layouts.values() for c in lay}
    if slots and len(slots) == n:
        if None not in slots and set(slots) <= valid and len(set(slots)) == n:
            return tuple(slots), "header"  # type: ignore[arg-type]
        fits = {lay for lay in layouts.values() if len(lay) == n
                and all(s is None or s == c for s, c in zip(slots, lay, strict=True))}
        if len(fits) == 1 and known and set(known) <= valid:
            return next(iter(fits)), "position"
    if set(known) & valid:
        return Unplaced(f"{n} values under a header naming {', '.join(c or '?' for c in slots)}",
                        {"variant": "t2_header", "n": n, "slots": list(slots)})
    # No usable header (none, unreadable, or another item's when a page dropped this one's): the count
    # alone decides, where only one format gives the row that many columns.
    by_count = {fmt: lay for fmt, lay in layouts.items() if len(lay) == n}
    if len(by_count) > 1:
        by_count = {f: lay for f, lay in by_count.items() if f in evidence} if len(evidence) == 1 else {}
    if len(set(by_count.values())) == 1:
        return next(iter(by_count.values())), "official_order"
    if not slots:
        return Unplaced(f"{n} values and no readable header", {"variant": "t2_no_header", "n": n})
    return Unplaced(f"{n} values under {len(slots)} header cells that do not name its columns",
                    {"variant": "t2_unnamed", "n": n, "m": len(slots)})


def place_row(row: OpenRow, evidence: frozenset[str]) -> Problem | None:
    """Decide the columns of a table-2 row from its header cells and its value count (see t2_columns),
    setting them on the row; or the problem saying why no placement is certain. `evidence`: the formats
    table 2's own labels have shown so far."""
    assert row.key is not None
    values = row.values
    readings: list[tuple[tuple[str, ...], list[Token]]] = []
    if row.grid:
        while values and norm(values[0].text) == norm(row.label):
            values = values[1:]  # a label cell spanning two grid columns repeats its text
        runs = spans(row.header)
        if len(runs) < len(row.header):  # merged header cells, expanded into copies on the grid
            merged = merge_spans(values, runs)
            heads = tuple(h for h, _ in runs)
            if merged is not None:  # the row's cells span like the header's
                readings.append((heads, merged))
            elif len(values) == len(runs):  # the row's own cells, one under each header cell
                readings.append((heads, values))
        width = row_width(row.key, row.header)
        while len(values) > width and not values[-1].text.strip():
            values = values[:-1]  # padding cells after the last column
    readings.append((row.header, values))
    reason: Unplaced | None = None
    for header, vals in readings:
        placed = t2_columns(row.key, t2_slots(header), len(vals), evidence)
        if isinstance(placed, Unplaced):
            reason = reason or placed
            continue
        row.values = vals
        row.cols, row.placed = placed
        return None
    where = f"t2.{row.key}"
    return Problem("ambiguous_row", f"{where}: {reason}; the row is left out", where,
                   {"row": where, **(reason.params if reason else {})})
