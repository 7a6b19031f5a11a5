"""Table 3 (依申请公开): its column order, rows printed without labels or with misprinted ones, and the
checks its own arithmetic allows on a reading (a reading the table's sums refute is not kept)."""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from functools import lru_cache

from etl import formats as F
from etl.extract.tables.labels import match_key
from etl.extract.tables.result import Emit, TableResult
from etl.extract.tables.stream import Token
from etl.formats import norm
from etl.model import Problem

_OTHER_OTHER = re.compile(r"^(?:3|\(3\)|三)?[.、,，]?其他$")
_LABELS = tuple((k.key, norm(k.zh)) for k in F.T3_ROWS)

# The column orders table 3 is printed in: the official one, and 总计 first (some agencies' layout).
T3_TOTAL_FIRST = ("total",) + F.T3_COL_KEYS[:-1]


def row_key(n: str, last: str | None) -> str | None:
    """The table-3 row a label names; `last`: the row read before (None before the data, "?" unknown)."""
    if last is not None:  # the data has started
        if _OTHER_OTHER.match(n) and last in ("other_no_correction", "other_unpaid_fee", "other_other"):
            return "other_other"
        if n in ("总计", "合计", "七、总计", "(七)总计") or n.endswith(")总计"):
            return "total_processed"
    key = match_key(F.T3_ROWS, n)
    if key in ("granted",) and "不予" in n:
        return None
    return key


def header_read(header: str) -> bool:
    """Whether the table-3 header names every column (the order then comes from it)."""
    return all(any(f in header for f in k.fragments()) for k in F.T3_COLS)


def column_order(header: str) -> tuple[str, ...]:
    """Column order of table 3 from its header text (joined, normalized): 总计 first when the header
    names 总计 before 自然人, else the official order. No other order is read off a header: PDF text
    scatters the group words (法人或其他组织) into the note above, and a permutation of the applicant
    columns is one the table's sums cannot refute."""
    pos = {k.key: min((header.find(f) for f in k.fragments() if f in header), default=-1) for k in F.T3_COLS}
    if pos["total"] >= 0 and pos["natural_person"] > pos["total"]:
        return T3_TOTAL_FIRST
    return F.T3_COL_KEYS


def place_unlabelled(pending: list[list[Token]], prev: str | None, nxt: str | None,
                     seen: set[tuple[str, str, str]], cols: tuple[str, ...]) -> list[Emit] | Problem:
    """Rows of values printed without labels between two labelled rows (`prev`, `nxt`): when exactly as
    many official rows lie between those two as there are such rows, they are those rows in order
    ("position"); otherwise none is placed. A table end (nxt None) is no neighbour: what follows the last
    label is unknown."""
    between: list[str] | None = None
    if nxt is not None and prev not in (None, "?"):
        gaps = {tuple(order[order.index(prev) + 1:order.index(nxt)])
                for order in F.T3_ROWS_BY_FORMAT.values() if prev in order and nxt in order
                and order.index(prev) < order.index(nxt)}
        gaps = {g for g in gaps if len(g) == len(pending)}
        between = list(next(iter(gaps))) if len(gaps) == 1 else None
    if between is None or any((("t3", r, c) in seen) for r in between for c in F.T3_COL_KEYS):
        where = f"t3.{prev}"
        return Problem(
            "ambiguous_row", f"{len(pending)} row(s) of values printed without a label after {where} "
            f"{'before t3.' + nxt if nxt else 'at the end of the table'}: which rows they are is not "
            "certain; left out", where,
            {"variant": "unlabelled", "n": len(pending), "after": where, "before": f"t3.{nxt}"} if nxt else
            {"variant": "unlabelled_end", "n": len(pending), "after": where})
    return [(key, col, raw) for key, values in zip(between, pending, strict=True)
            for col, raw in zip(cols, values, strict=True)]


def verify_order(res: TableResult, current: tuple[str, ...]) -> None:
    """Table 3's two printed orders differ in where 总计 stands, and T3-columns (总计 = the six applicant
    columns) tells them apart on any row with requests. If the order read (`current`) breaks it on such
    rows and the other order satisfies it on every one of them, the other order is the reading."""
    cells = [c for c in res.cells if c.table == "t3"]
    if not cells:
        return
    other = T3_TOTAL_FIRST if current == F.T3_COL_KEYS else F.T3_COL_KEYS
    at = {col: i for i, col in enumerate(current)}  # column read -> printed position
    printed: dict[str, list] = {}
    for c in cells:
        printed.setdefault(c.row, [None] * 7)[at[c.col]] = c.value
    full = [v for v in printed.values() if None not in v and any(v)]

    def holds(order: tuple[str, ...], v: list) -> bool:
        t = order.index("total")
        return v[t] == sum(v) - v[t]

    if not full or all(holds(current, v) for v in full) or not all(holds(other, v) for v in full):
        return
    remap = dict(zip(current, other, strict=True))  # printed position -> column under the other order
    for c in cells:
        c.col, c.placed = remap[c.col], "arithmetic"
    res.problems.append(Problem(
        "column_order", f"table 3: the header's column order breaks 总计 = Σ applicant columns on "
        f"{len(full)} rows; read in the order {'总计 first' if other == T3_TOTAL_FIRST else 'official'} "
        "that satisfies it", "t3",
        {"variant": "total_first" if other == T3_TOTAL_FIRST else "official", "n": len(full)}))


def verify_positions(res: TableResult) -> None:
    """Rows placed by position stand only if the table's outcome sums, where they can be checked,
    hold with them: a reading the table's own arithmetic refutes is withdrawn, never kept."""
    placed = {c.row for c in res.cells if c.table == "t3" and c.placed == "position"}
    if not placed:
        return
    v = {(c.row, c.col): c.value for c in res.cells if c.table == "t3"}
    fmt = "2019" if "other_total_2019" in {r for r, _ in v} else "2021"
    outcomes = F.T3_OUTCOME_ROWS[fmt]
    for col in F.T3_COL_KEYS:
        parts = [v.get((r, col)) for r in outcomes]
        total = v.get(("total_processed", col))
        if total is None or any(x is None for x in parts) or sum(parts) == total:
            continue
        res.cells = [c for c in res.cells if not (c.table == "t3" and c.row in placed)]
        for r in sorted(placed):
            where = f"t3.{r}"
            res.problems.append(Problem(
                "ambiguous_row", f"{where}: values printed without a label, placed by position, break "
                f"T3-outcomes ({col}); left out", where,
                {"variant": "position", "row": where, "total": f"t3.total_processed.{col}"}))
        return


@lru_cache(maxsize=4096)
def _similar(a: str, b: str) -> bool:
    """Close enough to be the same label with a few characters lost or changed (difflib ratio)."""
    return SequenceMatcher(None, a, b, autojunk=False).ratio() >= 0.75


def misprinted_row(t: Token, last: str | None, seen: set[tuple[str, str, str]]) -> tuple[str, Problem] | None:
    """A table-3 label matching no fragment ("2.其他法律行政止公开"): the row it is close to, when it is
    close to exactly one official label, that row is the next one in the official order after `last`, and
    it has no cell read yet (`seen`: the cells read so far)."""
    close = [k for k, lab in _LABELS if _similar(t.n, lab)]
    if len(close) != 1:
        return None
    key = close[0]
    nexts = {order[order.index(last) + 1] for order in F.T3_ROWS_BY_FORMAT.values()
             if last in order and order.index(last) + 1 < len(order)}
    if key not in nexts or ("t3", key) in {(c[0], c[1]) for c in seen}:
        return None
    where = f"t3.{key}"
    return key, Problem(
        "label_misprint", f"{where}: printed label {t.text.strip()!r} read as {F.label('t3', 'row', key)!r} "
        "(close to that label only, in its official position)", where, {"row": where, "printed": t.text.strip()})
