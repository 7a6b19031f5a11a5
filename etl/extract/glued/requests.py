"""Table 3 (依申请公开) glued: its rows in printed order, each run's readings under T3-columns (总计 = Σ the
six applicant columns), and the rows placed where the table's column identities (T3-balance, T3-outcomes)
leave one reading. Every identity comes from etl.identities, the checks' one owner."""

from __future__ import annotations

from functools import lru_cache

from etl import formats as F
from etl import identities as I
from etl.extract.glued.result import INCONSISTENT, GluedResult, ambiguous, make_cell
from etl.extract.glued.solve import Identity, solve_table
from etl.extract.glued.split import ROW_READINGS_CAP, Reading, TooMany, delimited, splits
from etl.extract.glued.text import DIGITS, WINDOW, Hit, Text, find_row
from etl.extract.tables.requests import column_order
from etl.model import Problem

_T3_BY_KEY = {k.key: k for k in F.T3_ROWS}
# T3-columns (总计 = Σ the applicant columns): the same columns in both formats
_T3_COLUMNS = next(s for s in I.specs() if s.rule == "T3-columns")
# Printed order: the 2019 single row （六）其他处理 stands where 2021 prints that group's heading.
_AT_OTHER = F.T3_ROWS_2021.index("other_no_correction")
_T3_PRINTED = F.T3_ROWS_2021[:_AT_OTHER] + ("other_total_2019",) + F.T3_ROWS_2021[_AT_OTHER:]


def t3_hits(tx: Text) -> list[Hit]:
    """Table-3 rows in printed order. The first needs a run of at least 7 digits (a whole row) so that
    prose mentioning a label is not taken for the table; later rows must follow within a short window."""
    hits: list[Hit] = []
    cursor = 0
    for key in _T3_PRINTED:
        k = _T3_BY_KEY[key]
        if hits:
            hit = find_row(tx, k, "t3", cursor, len(tx.s), 1, near=WINDOW)
        else:
            hit = find_row(tx, k, "t3", 0, len(tx.s), len(F.T3_COL_KEYS))
        if hit is not None:
            hits.append(hit)
            cursor = hit.run.end
    return hits


def _t3_columns(tx: Text, first: Hit) -> tuple[str, ...]:
    """Printed column order, from the header between the last digit before table 3 and its first row:
    the official order unless 总计 is printed before 自然人 (the walker's rule, etl.extract.tables.requests)."""
    s = tx.s
    lo = first.label_at
    while lo > 0 and s[lo - 1] not in DIGITS and first.label_at - lo < 200:
        lo -= 1
    return column_order(s[lo:first.label_at])


@lru_cache(maxsize=4096)  # rows repeat ("0000000" fifteen times a table)
def _t3_readings(tokens: tuple[str, ...], cols: tuple[str, ...]) -> tuple[Reading, ...]:
    """A row's readings in printed column order: 总计 = Σ the six applicant columns, unless the spaces
    alone already give its seven cells (then it is read as printed, and the checks judge its sums)."""
    if delimited(tokens, len(cols)):
        return (tokens,)
    parts = tuple(sorted(cols.index(c) for c in _T3_COLUMNS.parts))
    (total,) = _T3_COLUMNS.totals
    return tuple(splits(tokens, len(cols), ((parts, cols.index(total)),)))


def _t3_identities(found: set[str]) -> tuple[list[Identity], set[str]]:
    """Column identities (left rows, right rows: Σ left = Σ right per column) and the format found."""
    has2021 = any(k in found for k in F.OTHER_ROWS_2021)
    has2019 = "other_total_2019" in found
    fmts = ({"2021"} if has2021 else set()) | ({"2019"} if has2019 else set())
    fmt = F.Format.F2019 if has2019 and not has2021 else F.Format.F2021
    # T3-balance and T3-outcomes: the checks' column identities, from their one owner
    ids: list[Identity] = [(tuple(s.parts), tuple(s.totals)) for s in I.specs()
                           if s.tbl == "t3" and s.per == "col" and s.fmt == fmt]
    if has2019 and has2021:  # both printed: the 2019 row is the sum of the 2021 sub-rows
        ids.append(I.T3_OTHER_2019_SUM)
    return ids, fmts


def extract_t3(tx: Text, res: GluedResult) -> tuple[int, int] | None:
    """Table 3 into `res`; returns the span of text it covers."""
    hits = t3_hits(tx)
    if not hits:
        return None
    res.tables.add("t3")
    cols = _t3_columns(tx, hits[0])
    order = [cols.index(c) for c in F.T3_COL_KEYS]  # printed position of each canonical column

    cands: dict[str, list[tuple[int, ...]]] = {}
    readings: dict[str, list[Reading]] = {}
    why: dict[str, str] = {}
    for h in hits:
        try:
            rs = [] if h.run.spill else _t3_readings(h.run.tokens, cols)
        except TooMany:
            rs, why[h.key] = [], "too_many"
        if h.run.spill:
            why[h.key] = "spill"
        elif len(rs) > ROW_READINGS_CAP:
            rs, why[h.key] = [], "capped"
        readings[h.key] = [tuple(r[i] for i in order) for r in rs]
        cands[h.key] = [tuple(int(x) for x in r) for r in readings[h.key]]

    identities, fmts = _t3_identities(set(cands))
    res.formats["t3"] |= fmts
    seen, capped = solve_table(cands, identities, len(cols))
    if seen is None and any(len(c) > 1 for c in cands.values()):
        res.problems.append(Problem(INCONSISTENT, (
            "t3: the glued rows' readings were cut off by the search cap" if capped else
            "t3: no reading of the glued rows satisfies every column identity (T3-balance, T3-outcomes)")
            + "; only rows with a single reading of their own are placed", "t3",
            {"variant": "capped" if capped else "none", "table": "t3"}))

    for h in hits:
        rs = readings[h.key]
        pick: int | None = None
        if len(rs) == 1:
            pick = 0
        elif seen is not None and len(seen.get(h.key, ())) == 1:
            pick = next(iter(seen[h.key]))
        if pick is None:
            shown = [rs[i] for i in sorted(seen[h.key])] if seen and h.key in seen else rs
            res.problems.append(ambiguous("t3", h.key, h.run, shown, why.get(h.key)))
            continue
        placed = "header" if delimited(h.run.tokens, len(cols)) else "arithmetic"
        for col, raw in zip(F.T3_COL_KEYS, rs[pick], strict=True):
            res.cells.append(make_cell("t3", h.key, col, raw, placed))
    return hits[0].label_at, hits[-1].run.end
