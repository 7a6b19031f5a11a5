"""Table 4 (行政复议、行政诉讼) glued: its one run of fifteen values, split where each block's T4-sums
(etl.identities) leave one reading."""

from __future__ import annotations

from etl import formats as F
from etl import identities as I
from etl.extract.glued.result import INCONSISTENT, GluedResult, ambiguous, make_cell
from etl.extract.glued.split import Reading, TooMany, delimited, splits
from etl.extract.glued.text import DIGITS, Hit, Text, read_run
from etl.model import Problem

_T4_READINGS_CAP = 200


def _t4_groups() -> tuple[tuple[tuple[int, ...], int], ...]:
    """T4-sums as cell indices of the glued run (blocks in row order, columns in printed order): Σ parts = total."""
    spec = next(s for s in I.specs() if s.rule == "T4-sums")  # the same columns in both formats
    (total,) = spec.totals
    w = len(F.T4_COL_KEYS)
    at = {c: i for i, c in enumerate(F.T4_COL_KEYS)}
    return tuple((tuple(w * b + at[c] for c in spec.parts), w * b + at[total]) for b in range(len(F.T4_ROW_KEYS)))


_T4_GROUPS = _t4_groups()


def t4_hit(tx: Text, lo: int) -> Hit | None:
    """The single 15-value run of table 4: the first digits after a 行政复议 … header naming its columns."""
    s = tx.s
    review = F.T4_ROWS[0]
    for f in review.fragments():
        p = s.find(f, lo)
        while p >= 0:
            j = p
            while j < len(s) and s[j] not in DIGITS and j - p < 300:
                j += 1
            head = s[p:j]
            named = sum(any(x in head for x in k.fragments()) for k in F.T4_COLS)
            if j < len(s) and s[j] in DIGITS and named >= 3:
                return Hit(review.key, p, read_run(tx, j, "t4"))
            p = s.find(f, p + 1)
    return None


def extract_t4(tx: Text, lo: int, res: GluedResult) -> None:
    hit = t4_hit(tx, lo)
    if hit is None:
        return
    res.tables.add("t4")
    toks = hit.run.tokens
    n = len(F.T4_CELLS)
    why = None
    if hit.run.spill:
        readings: list[Reading] = []
        why = "spill"
    elif delimited(toks, n):
        readings = [tuple(toks)]
    else:
        try:
            readings = splits(toks, n, _T4_GROUPS, max_out=_T4_READINGS_CAP)
            if not readings:  # the source breaks a block's sum: fall back to the splits alone
                readings = splits(toks, n, (), max_out=_T4_READINGS_CAP)
                if readings:
                    res.problems.append(Problem(INCONSISTENT, "t4: no reading of the glued run satisfies "
                                                "every block's sum; only blocks with one reading are placed",
                                                "t4", {"variant": "none", "table": "t4"}))
        except TooMany:
            readings = []
        if len(readings) > _T4_READINGS_CAP:
            readings, why = [], "too_many"
    placed = "header" if delimited(toks, n) else "arithmetic"
    for b, block in enumerate(F.T4_ROW_KEYS):
        w = len(F.T4_COL_KEYS)
        options = sorted({r[w * b:w * b + w] for r in readings})
        if len(options) != 1:
            res.problems.append(ambiguous("t4", block, hit.run, options, why))
            continue
        for col, raw in zip(F.T4_COL_KEYS, options[0], strict=True):
            res.cells.append(make_cell("t4", block, col, raw, placed))
