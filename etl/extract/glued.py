"""Tables glued onto one line: every cell run into the next ("一、本年新收政府信息公开申请数量640020470").

Web-crawler copies of some report pages lose the table markup: each row label is followed directly by its
cells' digits with nothing between them, and the next label's ordinal is glued on too
("…国家秘密00000002.其他法律…"). A person reads such a row by finding the only split of the digit run that
the table's own sums allow. This module does the same, in three steps:

1. segment — find the row labels (the fragments in `etl.formats`) in printed order and the run after each;
2. enumerate — every split of a run into the row's cells: a space is always a cell boundary, numbers have
   no leading zeros, and a table-3 row's 总计 is the sum of its six applicant columns (table 4: per block
   维持 + 纠正 + 其他 + 尚未审结 = 总计);
3. solve — table 3: search the combinations of rows that satisfy every column identity (T3-balance,
   T3-outcomes) and place a row only where all of them agree; table 4 likewise per block; table 2 has no
   sum to lean on, so a multi-column row is placed only when its run has a single split.

A wrong number is worse than a missing one: whatever stays ambiguous is left out with an `ambiguous_split`
problem naming the row and two of its competing readings.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from etl import formats as F
from etl import identities as I
from etl.formats import norm
from etl.model import Cell, Problem
from etl.values import NUMBER, parse_cell, to_unit

__all__ = ["GluedResult", "extract_glued", "is_glued"]

AMBIGUOUS = "ambiguous_split"
INCONSISTENT = "glued_inconsistent"  # no split satisfies the table's identities: the source disagrees

# Search limits: real runs have a handful of readings; past these the text is not a glued table we can read.
_ROW_READINGS_CAP = 400  # readings of one row's run
_SPLIT_NODES_CAP = 50_000  # steps of one run's split enumeration (dense real-size rows need < 10k)
_TABLE_NODES_CAP = 200_000  # steps of the whole-table search
_T4_READINGS_CAP = 200

_WINDOW = 160  # a glued table is contiguous: the next row's label starts within this many chars of a run
_LABEL_SLACK = 8  # non-digit chars allowed after a label fragment beyond the rest of the printed label
_MIN_GLUED_LABELS = 3  # labels directly followed by digits before a text counts as a glued table
_ORDINAL_SEP = ".、"  # "2." / "2、" starting the next label
_PROSE_AFTER = "年月日件条项个次%"  # a run ending in prose ("… 2022年"): its last token is not a cell
_DATE_AFTER = "年月日"  # digits touching a date ("…12000002022年"): where the table ends is unknown
_SIGNS = "+-增减"
_UNITS = ("万元", "元")

_INT = re.compile(r"0|[1-9]\d*")
_SIGNED = re.compile(r"[+\-增减]?(?:0|[1-9]\d*)")
_AMOUNT = re.compile(r"(?:0|[1-9]\d*)(?:\.\d+)?")
_LEAD_ORDINAL = re.compile(r"^\d+[.、]")
_ITEM_HEAD = F.T2_ITEM_WORD  # table 2 item headings: 第二十条第（一）项 …
_HEADER_UNIT = re.compile(r"万元|元")

_DIGITS = frozenset("0123456789")
_T3_BY_KEY = {k.key: k for k in F.T3_ROWS}
# Sub-rows by the digit their printed label starts with ("2.其他法律…"): what a glued ordinal may start.
_T3_BY_ORDINAL: dict[str, tuple[F.Key, ...]] = {
    d: tuple(k for k in F.T3_ROWS if re.match(rf"{d}[.、]", norm(k.zh))) for d in "0123456789"}
# Any row label of the table: text between a label and its digits never holds another one.
_ROW_LABELS = {t: re.compile("|".join(re.escape(f) for k in F.ROWS[t] for f in k.fragments()))
               for t in ("t2", "t3")}
# Printed order: the 2019 single row （六）其他处理 stands where 2021 prints that group's heading.
_AT_OTHER = F.T3_ROWS_2021.index("other_no_correction")
_T3_PRINTED = F.T3_ROWS_2021[:_AT_OTHER] + ("other_total_2019",) + F.T3_ROWS_2021[_AT_OTHER:]


def _t4_groups() -> tuple[tuple[tuple[int, ...], int], ...]:
    """T4-sums as cell indices of the glued run (blocks in row order, columns in printed order): Σ parts = total."""
    spec = next(s for s in I.specs() if s.rule == "T4-sums")  # the same columns in both formats
    (total,) = spec.totals
    w = len(F.T4_COL_KEYS)
    at = {c: i for i, c in enumerate(F.T4_COL_KEYS)}
    return tuple((tuple(w * b + at[c] for c in spec.parts), w * b + at[total]) for b in range(len(F.T4_ROW_KEYS)))


_T4_GROUPS = _t4_groups()

Groups = Sequence[tuple[tuple[int, ...], int]]  # (part cell indices, total cell index): Σ parts = total
Reading = tuple[str, ...]  # the cells' printed texts, one split of a run
Identity = tuple[tuple[str, ...], tuple[str, ...]]  # (left rows, right rows): Σ left = Σ right per column


@dataclass
class GluedResult:
    cells: list[Cell] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    formats: dict[str, set[str]] = field(default_factory=lambda: {"t2": set(), "t3": set()})
    tables: set[str] = field(default_factory=set)


# --- the text and its runs ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Text:
    """The text as `formats.norm` folds labels (NFKC, no whitespace), remembering where whitespace stood:
    inside a digit run a space is a real cell boundary."""

    s: str
    gaps: frozenset[int]  # i in gaps: whitespace stood just before s[i]

    @classmethod
    def of(cls, text: str) -> _Text:
        parts = re.split(r"\s+", unicodedata.normalize("NFKC", text).replace("\\", "/"))
        gaps: set[int] = set()
        pos = 0
        for p in parts:
            if pos and p:
                gaps.add(pos)
            pos += len(p)
        return cls("".join(parts), frozenset(gaps))


@dataclass(frozen=True)
class _Run:
    start: int  # index in _Text.s of the first digit
    end: int  # index after the run, the next label's glued ordinal excluded
    tokens: tuple[str, ...]  # the run cut at its spaces (and, in table 2, before a sign)
    unit: str | None = None  # 元 / 万元 written right after the run (table 2 amounts)
    direct: bool = False  # the digits touch the label: no space between them
    spill: bool = False  # the digits run on into a date of the text that follows: not readable

    @property
    def digits(self) -> int:
        return sum(ch.isdigit() for t in self.tokens for ch in t)

    @property
    def text(self) -> str:
        return " ".join(self.tokens)


def _read_run(tx: _Text, i: int, table: str) -> _Run:
    """The run starting at the digit s[i]. Table 3/4 runs are digits only; table-2 runs may carry a
    decimal point (amounts) and signs (本年增/减)."""
    s, n = tx.s, len(tx.s)
    t2 = table == "t2"
    tokens: list[str] = []
    cur: list[str] = []
    j = i
    while j < n:
        ch = s[j]
        nxt = s[j + 1] if j + 1 < n else ""
        if ch in _DIGITS or (t2 and ch == "." and cur and nxt in _DIGITS and nxt):
            pass
        elif t2 and ch in _SIGNS and nxt and nxt in _DIGITS:
            if cur:  # a sign starts a new cell
                tokens.append("".join(cur))
                cur = []
        else:
            break
        if j in tx.gaps and cur:
            tokens.append("".join(cur))
            cur = []
        cur.append(ch)
        j += 1
    if cur:
        tokens.append("".join(cur))
    end = j
    nxt = s[end] if end < n else ""
    if not t2 and _ordinal_of_label(tx, end, tokens[-1][-1]):
        # "…00000002.其他法律…": the last digit is the next label's ordinal
        end -= 1
        tokens[-1] = tokens[-1][:-1]
        if not tokens[-1]:
            tokens.pop()
    elif nxt and nxt in _PROSE_AFTER and len(tokens) > 1 and end - len(tokens[-1]) in tx.gaps:
        # "… 1200000 2022年…": the space-separated last token belongs to the prose that follows
        end -= len(tokens.pop())
        nxt = ""
    unit = next((u for u in _UNITS if s.startswith(u, end)), None) if t2 else None
    return _Run(i, end, tuple(tokens), unit, direct=i not in tx.gaps, spill=bool(nxt) and nxt in _DATE_AFTER)


def _ordinal_of_label(tx: _Text, at: int, digit: str) -> bool:
    """Whether s[at] ("." or "、") after `digit` makes the ordinal of a table-3 sub-row label: the label
    follows, or (a misprinted label) a sub-row ordinal 1–8 is followed shortly by another row label."""
    s = tx.s
    if at + 1 >= len(s) or s[at] not in _ORDINAL_SEP or s[at + 1] in _DIGITS or not _T3_BY_ORDINAL[digit]:
        return False
    for k in _T3_BY_ORDINAL[digit]:
        label = norm(k.zh)
        window = s[at + 1:at + 1 + len(label) + _LABEL_SLACK]
        if any(f in window for f in k.match) or window.startswith(_LEAD_ORDINAL.sub("", label)):
            return True
    return _ROW_LABELS["t3"].search(s, at + 1, at + 1 + _WINDOW // 2) is not None


@dataclass(frozen=True)
class _Hit:
    key: str
    label_at: int  # index of the label fragment
    run: _Run


def _find_row(tx: _Text, key: F.Key, table: str, lo: int, hi: int, min_digits: int,
              near: int | None = None) -> _Hit | None:
    """The first label of `key` in s[lo:hi] followed, after at most the rest of its printed label, by a
    run of at least `min_digits` digits. `near`: the label must start within that many chars of `lo`."""
    s = tx.s
    label = norm(key.zh)
    frags = key.fragments()
    if not key.match:  # labels matched by position only ("3.其他"): also without the ordinal
        frags = frags + (_LEAD_ORDINAL.sub("", label),)
        near = 4 if near is None else min(near, 4)
    best: _Hit | None = None
    for f in frags:
        p = s.find(f, lo, hi)
        while p >= 0 and (near is None or p <= lo + near):
            if best is not None and p >= best.label_at:
                break
            hit = _run_after(tx, key, table, p, p + len(f), len(label) + _LABEL_SLACK, min_digits)
            if hit is not None:
                best = hit
                break
            p = s.find(f, p + 1, hi)
    return best


def _run_after(tx: _Text, key: F.Key, table: str, at: int, j: int, max_gap: int, min_digits: int
               ) -> _Hit | None:
    s = tx.s
    stop = min(len(s), j + max_gap + 1)
    label_end = j
    while j < stop and s[j] not in _DIGITS:
        j += 1
    if j >= stop:
        return None
    if any(x in s[at:j] for x in key.exclude):
        return None
    if table in _ROW_LABELS and _ROW_LABELS[table].search(s, label_end, j):
        return None  # the digits belong to a later label: this row printed none
    run = _read_run(tx, j, table)
    if not run.tokens or run.digits < min_digits:
        return None
    return _Hit(key.key, at, run)


# --- splitting a run into cells ----------------------------------------------------------------------


class _TooMany(Exception):
    """The enumeration passed its step cap: the run is not read."""


class _Enough(Exception):
    """More readings than the caller asked about: the rest do not matter."""


def _splits(tokens: Sequence[str], n: int, groups: Groups = (),
            piece_ok: Callable[[int, str], bool] | None = None,
            max_out: int = _ROW_READINGS_CAP) -> list[Reading]:
    """Every way to cut `tokens` into `n` cells, each token into one or more whole cells, every cell a
    non-negative integer without leading zeros (or as `piece_ok` says, for table 2), and every group's
    total equal to the sum of its parts. Stops after max_out + 1 readings (so more than `max_out` means
    "too many"); raises _TooMany past the step cap. Sums apply to integer cells only (no `piece_ok`)."""
    assert not (groups and piece_ok), "sums are checked on integer cells only"
    if not tokens or n < len(tokens):
        return []
    out: list[Reading] = []
    steps = [0]
    last_total = next((g for g in groups if g[1] == n - 1 and max(g[0]) < n - 1), None)
    try:
        if last_total is None:
            _cut(list(tokens), n, groups, {}, piece_ok, out, max_out, steps)
            return out
        # The last cell is a total (table 3's 总计, table 4's third block): take it from the end of the run
        # first, so that every other cell of its group is bounded by a known number.
        last = tokens[-1]
        for k in range(len(last)):
            total = last[k:]
            if _INT.fullmatch(total):
                head = list(tokens[:-1]) + ([last[:k]] if k else [])
                _cut(head, n, groups, {n - 1: total}, piece_ok, out, max_out, steps)
    except _Enough:
        pass
    return out


def _cut(tokens: list[str], n: int, groups: Groups, known: dict[int, str],
         piece_ok: Callable[[int, str], bool] | None, out: list[Reading], max_out: int, steps: list[int]
         ) -> None:
    m = n - len(known)  # cells cut from `tokens`; the known ones are totals at the end of the row
    role: list[tuple[bool, int] | None] = [None] * n  # (is the group's total, group)
    for g, (parts, t) in enumerate(groups):
        for p in parts:
            role[p] = (False, g)
        role[t] = (True, g)
    psum = [0] * len(groups)  # sum of the parts placed so far
    pleft = [len(parts) for parts, _ in groups]  # parts not placed yet
    total: list[int | None] = [None] * len(groups)
    for i, txt in known.items():
        r = role[i]
        assert r is not None and r[0], "only a group's total is known in advance"
        total[r[1]] = int(txt)
    cells: list[str] = [""] * m + [known[i] for i in range(m, n)]
    suffix = [0] * (len(tokens) + 1)  # characters left from token i on
    for i in range(len(tokens) - 1, -1, -1):
        suffix[i] = suffix[i + 1] + len(tokens[i])

    def rec(i: int, ti: int, off: int) -> None:
        steps[0] += 1
        if steps[0] > _SPLIT_NODES_CAP:
            raise _TooMany
        if i == m:
            if ti == len(tokens) and all(t is None or t == ps for t, ps in zip(total, psum, strict=True)):
                out.append(tuple(cells))
                if len(out) > max_out:
                    raise _Enough
            return
        left = suffix[ti] - off
        if m - i < len(tokens) - ti or m - i > left:  # every token needs a cell, every cell a char
            return
        r = role[i]
        forced = bound = None
        if r is not None:
            is_total, g = r
            tg = total[g]
            if is_total and pleft[g] == 0:
                forced = psum[g]
            elif not is_total and tg is not None:
                rest = tg - psum[g]
                if rest < 0:
                    return
                if pleft[g] == 1:
                    forced = rest
                else:
                    bound = rest
                    if pleft[g] == m - i:  # the group's parts are all the cells still to cut:
                        # each is ≤ rest, so has at most as many digits (and is "0" when rest is 0) …
                        if left > pleft[g] * len(str(rest)):
                            return
                        # … and the longest has left − pleft + 1 digits, so their sum one more at most
                        if len(str(rest)) > left - pleft[g] + 2:
                            return
        tok = tokens[ti]
        if forced is not None:
            if forced < 0 or not tok.startswith(str(forced), off):
                return
            lengths: Sequence[int] = (len(str(forced)),)
        else:
            lengths = range(1, len(tok) - off + 1)
        for length in lengths:
            piece = tok[off:off + length]
            v = 0
            if piece_ok is None:
                if length > 1 and piece[0] == "0":
                    break  # a longer piece keeps the leading zero
                v = int(piece)
                if bound is not None and v > bound:
                    break
            elif not piece_ok(i, piece):
                continue
            cells[i] = piece
            if r is not None:
                if r[0]:
                    total[r[1]], undo = v, total[r[1]]
                else:
                    psum[r[1]] += v
                    pleft[r[1]] -= 1
            if off + length == len(tok):
                rec(i + 1, ti + 1, 0)
            else:
                rec(i + 1, ti, off + length)
            if r is not None:
                if r[0]:
                    total[r[1]] = undo
                else:
                    psum[r[1]] -= v
                    pleft[r[1]] += 1

    rec(0, 0, 0)


def _delimited(tokens: Sequence[str], n: int) -> bool:
    """The spaces alone give the row's cells: nothing was split, the cells are read as printed."""
    return len(tokens) == n and all(_INT.fullmatch(t) for t in tokens)


def _show(reading: Reading) -> str:
    return "/".join(reading)


# --- table 3 -----------------------------------------------------------------------------------------


def _t3_hits(tx: _Text) -> list[_Hit]:
    """Table-3 rows in printed order. The first needs a run of at least 7 digits (a whole row) so that
    prose mentioning a label is not taken for the table; later rows must follow within a short window."""
    hits: list[_Hit] = []
    cursor = 0
    for key in _T3_PRINTED:
        k = _T3_BY_KEY[key]
        if hits:
            hit = _find_row(tx, k, "t3", cursor, len(tx.s), 1, near=_WINDOW)
        else:
            hit = _find_row(tx, k, "t3", 0, len(tx.s), len(F.T3_COL_KEYS))
        if hit is not None:
            hits.append(hit)
            cursor = hit.run.end
    return hits


def _t3_columns(tx: _Text, first: _Hit) -> tuple[str, ...]:
    """Printed column order, from the header between the last digit before table 3 and its first row:
    the official order unless 总计 is printed before 自然人."""
    s = tx.s
    lo = first.label_at
    while lo > 0 and s[lo - 1] not in _DIGITS and first.label_at - lo < 200:
        lo -= 1
    head = s[lo:first.label_at]
    pos = {k.key: min((head.find(f) for f in k.fragments() if f in head), default=-1) for k in F.T3_COLS}
    if 0 <= pos["total"] < pos["natural_person"]:
        return ("total",) + F.T3_APPLICANT_COLS
    return F.T3_COL_KEYS


@lru_cache(maxsize=4096)  # rows repeat ("0000000" fifteen times a table)
def _t3_readings(tokens: tuple[str, ...], cols: tuple[str, ...]) -> tuple[Reading, ...]:
    """A row's readings in printed column order: 总计 = Σ the six applicant columns, unless the spaces
    alone already give its seven cells (then it is read as printed, and the checks judge its sums)."""
    if _delimited(tokens, len(cols)):
        return (tokens,)
    parts = tuple(i for i, c in enumerate(cols) if c != "total")
    return tuple(_splits(tokens, len(cols), ((parts, cols.index("total")),)))


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
        ids.append((("other_total_2019",), F.OTHER_ROWS_2021))
    return ids, fmts


def _solve_table(cands: dict[str, list[tuple[int, ...]]], identities: list[Identity], width: int
                 ) -> tuple[dict[str, set[int]] | None, bool]:
    """Which readings of each open row occur in some combination satisfying every usable identity.

    Returns (readings by row — None when no combination exists —, whether the search was cut off). Rows
    with a single reading are fixed; an identity with a row that is missing or unreadable is not used.
    One solution is found first; then, row by row, a solution with a different reading is looked for —
    found once, the row is ambiguous (and so is every row that solution changes)."""
    usable = [(lhs, rhs) for lhs, rhs in identities if all(cands.get(r) for r in lhs + rhs)]
    free = sorted({r for lhs, rhs in usable for r in lhs + rhs if len(cands[r]) > 1},
                  key=lambda r: len(cands[r]))
    lo = {r: tuple(min(c[j] for c in cs) for j in range(width)) for r, cs in cands.items() if cs}
    hi = {r: tuple(max(c[j] for c in cs) for j in range(width)) for r, cs in cands.items() if cs}
    chosen: dict[str, int] = {r: 0 for r, cs in cands.items() if len(cs) == 1}  # row -> reading index
    touching = {r: [ident for ident in usable if r in ident[0] + ident[1]] for r in free}
    steps = [0]

    def feasible(ident: Identity) -> bool:
        # Σ left − Σ right must be able to reach 0 in every column, given the open rows' ranges
        for j in range(width):
            low = high = 0
            for sign, rows in ((1, ident[0]), (-1, ident[1])):
                for r in rows:
                    if r in chosen:
                        x = cands[r][chosen[r]][j]
                        low, high = low + sign * x, high + sign * x
                    elif sign > 0:
                        low, high = low + lo[r][j], high + hi[r][j]
                    else:
                        low, high = low - hi[r][j], high - lo[r][j]
            if low > 0 or high < 0:
                return False
        return True

    def solve(order: list[str], k: int = 0) -> dict[str, int] | None:
        """The first completion of `chosen` over order[k:] that satisfies every identity."""
        steps[0] += 1
        if steps[0] > _TABLE_NODES_CAP:
            raise _TooMany
        if k == len(order):
            return dict(chosen)
        r = order[k]
        for idx in range(len(cands[r])):
            chosen[r] = idx
            if all(feasible(ident) for ident in touching[r]):
                found = solve(order, k + 1)
                if found is not None:
                    del chosen[r]
                    return found
            del chosen[r]
        return None

    try:
        if not all(feasible(ident) for ident in usable):
            return None, False
        first = solve(free)
        if first is None:
            return None, False
        seen = {r: {first[r]} for r in free}
        for r in free:
            if len(seen[r]) > 1:
                continue
            for idx in range(len(cands[r])):
                if idx in seen[r]:
                    continue
                chosen[r] = idx
                other = solve([x for x in free if x != r]) if all(feasible(i) for i in touching[r]) else None
                del chosen[r]
                if other is not None:
                    for x in free:
                        seen[x].add(other[x])
                    break
    except _TooMany:
        return None, True
    return seen, False


def _extract_t3(tx: _Text, res: GluedResult) -> tuple[int, int] | None:
    """Table 3 into `res`; returns the span of text it covers."""
    hits = _t3_hits(tx)
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
        except _TooMany:
            rs, why[h.key] = [], "too_many"
        if h.run.spill:
            why[h.key] = "spill"
        elif len(rs) > _ROW_READINGS_CAP:
            rs, why[h.key] = [], "capped"
        readings[h.key] = [tuple(r[i] for i in order) for r in rs]
        cands[h.key] = [tuple(int(x) for x in r) for r in readings[h.key]]

    identities, fmts = _t3_identities(set(cands))
    res.formats["t3"] |= fmts
    seen, capped = _solve_table(cands, identities, len(cols))
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
            res.problems.append(_ambiguous("t3", h.key, h.run, shown, why.get(h.key)))
            continue
        placed = "header" if _delimited(h.run.tokens, len(cols)) else "arithmetic"
        for col, raw in zip(F.T3_COL_KEYS, rs[pick], strict=True):
            res.cells.append(_cell("t3", h.key, col, raw, placed))
    return hits[0].label_at, hits[-1].run.end


# why a glued run was left out without trying its readings: etl.problems' variant -> the English words
_WHY = {"spill": "the digits run on into a date in the text that follows",
        "too_many": "too many readings", "capped": f"more than {_ROW_READINGS_CAP} readings",
        "no_columns": "its columns cannot be told from the header"}


def _ambiguous(table: str, row: str, run: _Run, readings: Sequence[Reading], why: str | None = None
               ) -> Problem:
    where = f"{table}.{row}"
    label = F.label(table, "row", row)
    params: dict = {"row": where, "run": run.text}
    if why:
        how, params["variant"] = _WHY[why], why
        if why == "capped":
            params["cap"] = _ROW_READINGS_CAP
    elif not readings:
        how = "no split into the row's cells" + ("" if table == "t2" else " fits its sums")
        params["variant"] = "no_split" if table == "t2" else "no_split_sums"
    else:
        how = "more than one reading, e.g. " + " or ".join(_show(r) for r in readings[:2])
        params |= {"variant": "several", "readings": [_show(r) for r in readings[:2]]}
    return Problem(AMBIGUOUS, f"{where} ({label}): glued run {run.text!r}: {how}; left out", where, params)


def _cell(table: str, row: str, col: str, raw: str, placed: str, value: int | float | None = None) -> Cell:
    p = parse_cell(raw)
    return Cell(table, row, col, p.value if value is None else value, raw, p.kind, placed)


# --- table 4 -----------------------------------------------------------------------------------------


def _t4_hit(tx: _Text, lo: int) -> _Hit | None:
    """The single 15-value run of table 4: the first digits after a 行政复议 … header naming its columns."""
    s = tx.s
    review = F.T4_ROWS[0]
    for f in review.fragments():
        p = s.find(f, lo)
        while p >= 0:
            j = p
            while j < len(s) and s[j] not in _DIGITS and j - p < 300:
                j += 1
            head = s[p:j]
            named = sum(any(x in head for x in k.fragments()) for k in F.T4_COLS)
            if j < len(s) and s[j] in _DIGITS and named >= 3:
                return _Hit(review.key, p, _read_run(tx, j, "t4"))
            p = s.find(f, p + 1)
    return None


def _extract_t4(tx: _Text, lo: int, res: GluedResult) -> None:
    hit = _t4_hit(tx, lo)
    if hit is None:
        return
    res.tables.add("t4")
    toks = hit.run.tokens
    n = len(F.T4_CELLS)
    why = None
    if hit.run.spill:
        readings: list[Reading] = []
        why = "spill"
    elif _delimited(toks, n):
        readings = [tuple(toks)]
    else:
        try:
            readings = _splits(toks, n, _T4_GROUPS, max_out=_T4_READINGS_CAP)
            if not readings:  # the source breaks a block's sum: fall back to the splits alone
                readings = _splits(toks, n, (), max_out=_T4_READINGS_CAP)
                if readings:
                    res.problems.append(Problem(INCONSISTENT, "t4: no reading of the glued run satisfies "
                                                "every block's sum; only blocks with one reading are placed",
                                                "t4", {"variant": "none", "table": "t4"}))
        except _TooMany:
            readings = []
        if len(readings) > _T4_READINGS_CAP:
            readings, why = [], "too_many"
    placed = "header" if _delimited(toks, n) else "arithmetic"
    for b, block in enumerate(F.T4_ROW_KEYS):
        w = len(F.T4_COL_KEYS)
        options = sorted({r[w * b:w * b + w] for r in readings})
        if len(options) != 1:
            res.problems.append(_ambiguous("t4", block, hit.run, options, why))
            continue
        for col, raw in zip(F.T4_COL_KEYS, options[0], strict=True):
            res.cells.append(_cell("t4", block, col, raw, placed))


# --- table 2 -----------------------------------------------------------------------------------------


def _t2_layout(row: str, named: tuple[str, ...]) -> tuple[str | None, tuple[str, ...]]:
    """(format, columns) of a row: the longest official layout whose columns its header all names."""
    best: tuple[str | None, tuple[str, ...]] = (None, ())
    for fmt in F.FORMATS:
        lay = F.T2_FORMATS[fmt].layout.get(row, ())
        if lay and set(lay) <= set(named) and len(lay) > len(best[1]):
            best = (fmt, lay)
    return best


def _piece_ok(cols: tuple[str, ...]) -> Callable[[int, str], bool]:
    def ok(i: int, piece: str) -> bool:
        col = cols[i]
        rx = _AMOUNT if col in F.T2_AMOUNT_COLS else _SIGNED if col in F.T2_SIGNED_COLS else _INT
        return rx.fullmatch(piece) is not None
    return ok


def _t2_hits(tx: _Text, hi: int) -> list[tuple[_Hit, str]]:
    """Table-2 rows in printed order, each with its header text (from its 第二十条 item heading on). The
    table starts at the first item heading followed by column names, so prose citing 第二十条 is skipped."""
    s = tx.s
    start = s.find(_ITEM_HEAD, 0, hi)
    while start >= 0 and not F.t2_cols_in(s[start:start + 80]):
        start = s.find(_ITEM_HEAD, start + 1, hi)
    if start < 0:
        return []
    rows: list[tuple[_Hit, str]] = []
    cursor = start
    for k in F.T2_ROWS:
        hit = _find_row(tx, k, "t2", cursor, hi, 1, near=_WINDOW if rows else None)
        if hit is None:
            continue
        item = s.rfind(_ITEM_HEAD, start, hit.label_at)
        rows.append((hit, s[max(item, start):hit.label_at]))
        cursor = hit.run.end
    return rows


def _extract_t2(tx: _Text, hi: int, res: GluedResult) -> None:
    rows = _t2_hits(tx, hi)
    if not rows:
        return
    res.tables.add("t2")
    layouts = [_t2_layout(h.key, F.t2_cols_in(head)) for h, head in rows]
    for h, _ in rows:
        for fmt in F.FORMATS:
            if h.key in F.T2_ROWS_ONLY[fmt]:
                res.formats["t2"].add(fmt)
    res.formats["t2"] |= {fmt for fmt, _ in layouts if fmt}
    for (h, head), (_, cols) in zip(rows, layouts, strict=True):
        if not cols and len(res.formats["t2"]) == 1:  # header cut short: the table's one format decides
            cols = F.T2_FORMATS[next(iter(res.formats["t2"]))].layout.get(h.key, ())
        if not cols:
            res.problems.append(_ambiguous("t2", h.key, h.run, [], "no_columns"))
            continue
        m = _HEADER_UNIT.search(head)
        _t2_row(h, cols, m.group(0) if m else None, res)


def _t2_row(h: _Hit, cols: tuple[str, ...], header_unit: str | None, res: GluedResult) -> None:
    toks = h.run.tokens
    ok = _piece_ok(cols)
    if h.run.spill:
        readings: list[Reading] = []
        placed = "header"
    elif len(cols) == 1:  # one column: the whole run is the cell
        readings = [tuple(toks)] if len(toks) == 1 and ok(0, toks[0]) else []
        placed = "header"
    else:
        try:
            readings = _splits(toks, len(cols), (), ok, max_out=1)  # a second reading is enough to stop
        except _TooMany:
            readings = []
        placed = "header" if len(toks) == len(cols) else "arithmetic"
    if len(readings) != 1:
        res.problems.append(_ambiguous("t2", h.key, h.run, readings))
        return
    for i, (col, raw) in enumerate(zip(cols, readings[0], strict=True)):
        value: int | float | None = None  # as parse_cell reads it, except amounts (in their key's unit)
        if col in F.T2_AMOUNT_COLS:
            if i == len(cols) - 1 and h.run.unit:
                raw += h.run.unit
            p = parse_cell(raw)
            unit = header_unit or ("万元" if col == "amount_10k_yuan" else None)
            value, known = to_unit(p, F.T2_AMOUNT_COLS[col], unit)
            if not known and p.kind == NUMBER:
                res.problems.append(Problem("unit_unknown", f"t2.{h.key}.{col}: amount {raw!r} states no "
                                            "unit; kept as printed", f"t2.{h.key}.{col}",
                                            {"cell": f"t2.{h.key}.{col}", "raw": raw}))
        res.cells.append(_cell("t2", h.key, col, raw, placed, value))


# --- public API --------------------------------------------------------------------------------------


def is_glued(text: str) -> bool:
    """Whether `text` renders tables with their cells run together: several row labels of tables 2–4 each
    followed directly — no space, no separator — by digits."""
    if sum(ch.isdigit() for ch in text) < len(F.T3_COL_KEYS):
        return False
    tx = _Text.of(text)
    t3 = _t3_hits(tx)
    direct = sum(h.run.direct for h in t3)
    if direct >= _MIN_GLUED_LABELS:
        return True
    direct += sum(h.run.direct for h, _ in _t2_hits(tx, t3[0].label_at if t3 else len(tx.s)))
    hit4 = _t4_hit(tx, t3[-1].run.end if t3 else 0)
    direct += bool(hit4 and hit4.run.direct)
    return direct >= _MIN_GLUED_LABELS


def extract_glued(text: str) -> GluedResult:
    """Read tables 2, 3 and 4 from a glued rendering; cells no reading pins down are left out, each with a
    problem saying why."""
    tx = _Text.of(text)
    res = GluedResult()
    t3 = _extract_t3(tx, res)
    _extract_t2(tx, t3[0] if t3 else len(tx.s), res)
    _extract_t4(tx, t3[1] if t3 else 0, res)
    order = {t: i for i, t in enumerate(F.TABLES)}
    res.cells.sort(key=lambda c: order[c.table])  # stable: rows keep their printed order
    return res
