"""Placing <td>-like cells with row/column spans on a grid (the HTML table model)."""

from __future__ import annotations

from dataclasses import dataclass

from etl.sample.layout import TD, TableBlock


@dataclass
class Placed:
    row: int
    col: int
    td: TD


def place(table: TableBlock) -> tuple[list[list[Placed]], list[list[Placed | None]]]:
    """Anchor cells per row, and the full grid mapping each position to the cell covering it."""
    nrows = len(table.rows)
    grid: list[list[Placed | None]] = [[None] * table.ncols for _ in range(nrows)]
    anchors: list[list[Placed]] = []
    for r, row in enumerate(table.rows):
        c = 0
        mine: list[Placed] = []
        for td in row:
            while c < table.ncols and grid[r][c] is not None:
                c += 1
            p = Placed(r, c, td)
            mine.append(p)
            for dr in range(td.rowspan):
                for dc in range(td.colspan):
                    if r + dr < nrows and c + dc < table.ncols:
                        grid[r + dr][c + dc] = p
            c += td.colspan
        anchors.append(mine)
    return anchors, grid


def covered_from_above(table: TableBlock) -> list[list[tuple[int, Placed | None]]]:
    """Per row, its cells in column order, with rowspan-covered positions as (col, None) — one per covering
    cell, the way a browser copy shows them (an empty cell where a merged label sits above)."""
    anchors, grid = place(table)
    out = []
    for r, row in enumerate(anchors):
        items: list[tuple[int, Placed | None]] = [(p.col, p) for p in row]
        seen: set[int] = set()
        for c in range(table.ncols):
            p = grid[r][c]
            if p is not None and p.row < r and id(p) not in seen:
                seen.add(id(p))
                items.append((c, None))
        items.sort(key=lambda x: x[0])
        out.append(items)
    return out
