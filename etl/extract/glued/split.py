"""Every way to split a glued run of digits into a row's cells (pure: tokens in, readings out).

A space is always a cell boundary, numbers have no leading zeros, and a group's total is the sum of its
parts (table 3's 总计, table 4's block totals): the enumerator prunes on those sums as it cuts.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

# Search limits: real runs have a handful of readings; past these the text is not a glued row we can read.
ROW_READINGS_CAP = 400  # readings of one row's run
_SPLIT_NODES_CAP = 50_000  # steps of one run's split enumeration (dense real-size rows need < 10k)

INT = re.compile(r"0|[1-9]\d*")

Groups = Sequence[tuple[tuple[int, ...], int]]  # (part cell indices, total cell index): Σ parts = total
Reading = tuple[str, ...]  # the cells' printed texts, one split of a run


class TooMany(Exception):
    """The enumeration passed its step cap: the run is not read."""


class _Enough(Exception):
    """More readings than the caller asked about: the rest do not matter."""


def splits(tokens: Sequence[str], n: int, groups: Groups = (),
           piece_ok: Callable[[int, str], bool] | None = None,
           max_out: int = ROW_READINGS_CAP) -> list[Reading]:
    """Every way to cut `tokens` into `n` cells, each token into one or more whole cells, every cell a
    non-negative integer without leading zeros (or as `piece_ok` says, for table 2), and every group's
    total equal to the sum of its parts. Stops after max_out + 1 readings (so more than `max_out` means
    "too many"); raises TooMany past the step cap. Sums apply to integer cells only (no `piece_ok`)."""
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
            if INT.fullmatch(total):
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
            raise TooMany
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


def delimited(tokens: Sequence[str], n: int) -> bool:
    """The spaces alone give the row's cells: nothing was split, the cells are read as printed."""
    return len(tokens) == n and all(INT.fullmatch(t) for t in tokens)
