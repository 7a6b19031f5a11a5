"""Table 4 (行政复议、行政诉讼): fifteen values in the official order, printed as one data row, as a stream
of cells, or transposed (one block per row)."""

from __future__ import annotations

from dataclasses import dataclass, field

from etl import formats as F
from etl.extract.tables.labels import match_key
from etl.extract.tables.result import Emit
from etl.extract.tables.stream import Token
from etl.formats import norm
from etl.values import EMPTY, NA, NUMBER, TEXT, ZERO, parse_cell

_T4_COL_WORDS = tuple(norm(k.zh) for k in F.T4_COLS)  # 结果维持 … 总计


@dataclass
class T4Reader:
    """Table 4 as the walk reads it, until `take` hands over its cells."""

    values: list[Token] = field(default_factory=list)
    header: list[str] = field(default_factory=list)  # header words seen before the values (normalized)
    row: list[Token] = field(default_factory=list)  # the positional row being read
    blocks: dict[str, list[Token]] = field(default_factory=dict)  # transposed layout: block -> its five values

    def cell(self, t: Token) -> bool:
        """Read one cell; True when it is text after the values: the table is over (the cell is not taken)."""
        if t.grid:
            self.row.append(t)
            return False
        p = parse_cell(t.text)
        if p.kind == TEXT:
            if self.values:
                return True
            self.header.append(t.n)
            return False
        if not self.values and p.kind == EMPTY:
            return False  # blanks before the first value belong to the header
        if len(self.values) < len(F.T4_CELLS):
            self.values.append(t)
        return False

    def grid_row(self) -> None:
        """A positional row of table 4: the data row (all values), or one block per row (transposed)."""
        row, self.row = self.row, []
        kinds = [parse_cell(t.text).kind for t in row]
        texts = [i for i, k in enumerate(kinds) if k == TEXT]
        if not any(k in (NUMBER, ZERO, NA) for k in kinds):
            self.header.extend(t.n for t in row)
            return
        if texts == [0]:
            block = match_key(F.T4_ROWS, row[0].n)
            if block:
                self.blocks[block] = row[1:6]
            return
        if not texts:
            self.values.extend(row[: len(F.T4_CELLS) - len(self.values)])

    def take(self, already_read: bool) -> tuple[list[Emit], str, bool]:
        """The cells read so far, with how they were placed and whether the values stop short; the reader
        starts over. Nothing when table 4 was `already_read`."""
        if self.row:
            self.grid_row()
        vals, self.values = self.values, []
        blocks, self.blocks = self.blocks, {}
        header, self.header = "".join(self.header), []
        if already_read:
            return [], "", False
        # the values are read in the official order; "header" only where the header printed that order
        placed = "header" if header_read(header) else "official_order"
        if len(blocks) == 3 and not vals:
            return [(block, col, raw) for block in F.T4_ROW_KEYS
                    for col, raw in zip(F.T4_COL_KEYS, blocks[block], strict=False)], placed, False
        while vals and parse_cell(vals[-1].text).kind == EMPTY:
            vals.pop()
        if not vals:
            return [], placed, False
        return ([(r, c, raw) for (_, r, c), raw in zip(F.T4_CELLS, vals, strict=False)], placed,
                len(vals) < len(F.T4_CELLS))


def header_read(header: str) -> bool:
    """Whether table 4's header prints the official order: 行政复议, then 直接起诉, then 复议后起诉, and
    under each the five result columns in order (a header split into fragments is not read)."""
    at = [header.find(norm(k.zh)) for k in F.T4_ROWS]
    if min(at) < 0 or at != sorted(at):
        return False
    i = 0
    for _ in F.T4_ROWS:
        for word in _T4_COL_WORDS:
            i = header.find(word, i)
            if i < 0:
                return False
            i += len(word)
    return True
