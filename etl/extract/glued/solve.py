"""Table 3's glued rows solved together: which readings of each row occur in some combination of rows that
satisfies every column identity of the table."""

from __future__ import annotations

from etl.extract.glued.split import TooMany

Identity = tuple[tuple[str, ...], tuple[str, ...]]  # (left rows, right rows): Σ left = Σ right per column

_TABLE_NODES_CAP = 200_000  # steps of the whole-table search


def solve_table(cands: dict[str, list[tuple[int, ...]]], identities: list[Identity], width: int
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
            raise TooMany
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
    except TooMany:
        return None, True
    return seen, False

