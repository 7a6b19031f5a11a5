"""OCR'd tables verified by their own arithmetic: a misread digit is corrected only when the table proves it.

A scanned table 3 or 4 has identities (row sums, column sums, 一+二 = 七+四): when they all hold over the
cells OCR read, the reading is confirmed by the table itself. When some fail, each OCR'd cell in a failing
identity is tried with every single-digit change (and a letter OCR mistakes for a digit, "o" for 0, read
as that digit). A correction is made only when exactly one such change, of one cell, makes every identity of
the report hold; the cell then says `read = "ocr_corrected"`, keeps what OCR read in `raw`, and a problem
names the change. Otherwise nothing is changed and a problem says which table does not add up and that the
scan or the printed table may be at fault — a printed table that does not add up is read as printed.

OCR'd cells no identity covers (table 2) that the engine was unsure of are listed too, so no OCR value
stands unmarked when it may be wrong.
"""

from __future__ import annotations

from collections.abc import Iterator

from etl import formats as F
from etl.identities import specs
from etl.model import Cell, Problem, Report
from etl.values import NUMBER, ZERO

# Below this engine confidence an OCR'd cell that no identity confirms is listed as uncertain. Correct
# digits score from 0.6 up (a lone "0" often scores 0.6–0.8), so the threshold flags, it never decides.
CONF_SURE = 0.9
# Letters and marks OCR reads for a digit in a number cell.
_DIGIT_LOOKALIKES = {"o": "0", "O": "0", "〇": "0", "D": "0", "Q": "0", "l": "1", "I": "1", "|": "1",
                     "i": "1", "丨": "1", "Z": "2", "z": "2", "S": "5", "s": "5", "B": "8", "g": "9", "q": "9",
                     "b": "6", "G": "6", "T": "7"}
_MAX_CANDIDATE_CELLS = 60  # cells tried per report: a table that fails everywhere is not a misread


def _identities(report: Report) -> list[tuple[str, str, str, list[str], list[str]]]:
    """(rule, table, op, part addresses, total addresses) for every group of every identity that applies
    to the report's printed tables in their format."""
    out = []
    for ident in specs():
        if report.table_formats.get(ident.tbl) != ident.fmt:
            continue
        for g in ident.groups:
            out.append((ident.rule, ident.tbl, ident.op, _addrs(ident.tbl, ident.per, g, ident.parts),
                        _addrs(ident.tbl, ident.per, g, ident.totals)))
    return out


def _addrs(tbl: str, per: str, group: str, keys: tuple[str, ...]) -> list[str]:
    """The cells an identity side adds up in one group (a column of keys' rows, or a row of keys' columns)."""
    return [F.addr_str(tbl, k, group) if per == "col" else F.addr_str(tbl, group, k) for k in keys]


def _holds(op: str, parts: float, totals: float) -> bool:
    return abs(parts - totals) < 1e-6 if op == "=" else parts <= totals + 1e-6


def _failing(ids: list, values: dict[str, float]) -> list[int]:
    """Indexes of the identity groups that can be evaluated (every cell a number) and do not hold."""
    out = []
    for i, (_, _, op, parts, totals) in enumerate(ids):
        if (all(a in values for a in parts) and all(a in values for a in totals)
                and not _holds(op, sum(values[a] for a in parts), sum(values[a] for a in totals))):
            out.append(i)
    return out


def _digit_changes(raw: str) -> Iterator[int]:
    """Values one misread digit away from `raw`: each digit replaced by another, or each look-alike letter
    read as its digit."""
    s = raw.strip()
    mapped = "".join(_DIGIT_LOOKALIKES.get(ch, ch) for ch in s)
    if not mapped.isdigit() or len(mapped) > 9:
        return
    if mapped != s:
        yield int(mapped)
        return
    for i, ch in enumerate(s):
        for d in "0123456789":
            if d != ch and not (i == 0 and d == "0" and len(s) > 1):
                yield int(s[:i] + d + s[i + 1:])


def verify(report: Report) -> None:
    """Check, and where proven correct, the OCR'd cells of tables 3 and 4 (in place)."""
    ocr = [c for c in report.cells if c.read == "ocr"]
    if not ocr:
        return
    ids = _identities(report)
    values = {str(c.addr): float(c.value) for c in report.cells
              if c.kind in (NUMBER, ZERO) and c.value is not None}
    _lookalikes(report, ids, values)
    failing = _failing(ids, values)
    if failing:
        fix = _unique_fix(report, ids, values, failing)
        if fix is not None:
            cell, new = fix
            _correct(report, cell, new, "every identity of the table holds only if it is "
                     f"{new}, and no other single-digit change does that", "unique")
            values[str(cell.addr)] = float(new)
            failing = []
        else:
            for tbl in sorted({ids[i][1] for i in failing}):
                rules = sorted({ids[i][0] for i in failing if ids[i][1] == tbl})
                report.problems.append(Problem(
                    "ocr_unverified", f"{tbl}: the table read by OCR does not add up ({', '.join(rules)}), and no "
                    "single misread digit explains it: the scan may be misread or the printed table itself may "
                    "not add up; cells kept as read", tbl,
                    {"table": tbl, "n": sum(ids[i][1] == tbl for i in failing), "rules": rules}))
    covered: set[str] = set()  # cells of an identity that holds: confirmed by the table
    bad = set(failing)
    for i, (_, _, _, parts, totals) in enumerate(ids):
        cells = parts + totals
        if i not in bad and all(a in values for a in cells):
            covered.update(cells)
    for c in report.cells:
        if c.read == "ocr" and str(c.addr) not in covered and (c.conf is None or c.conf < CONF_SURE):
            report.problems.append(Problem(
                "ocr_uncertain", f"{c.addr}: read by OCR as {c.raw!r} with confidence "
                f"{'unknown' if c.conf is None else f'{c.conf:.2f}'}, and no identity of the table confirms it",
                str(c.addr), {"cell": str(c.addr), "raw": c.raw, "conf": c.conf}))


def _correct(report: Report, cell: Cell, new: int, why: str, variant: str) -> None:
    old = cell.raw
    cell.value, cell.kind, cell.read = new, ZERO if new == 0 else NUMBER, "ocr_corrected"
    report.problems.append(Problem("ocr_corrected", f"{cell.addr}: OCR read {old!r}; {why}: corrected to {new}",
                                   str(cell.addr), {"variant": variant, "cell": str(cell.addr), "old": old,
                                                    "new": new}))


def _lookalikes(report: Report, ids: list, values: dict[str, float]) -> None:
    """OCR'd text cells that are a digit look-alike ("o" for 0) in an identity: read as the digit when every
    identity they are in can then be evaluated and holds (in place, `values` included)."""
    members: dict[str, list[int]] = {}
    for i, (_, _, _, parts, totals) in enumerate(ids):
        for a in parts + totals:
            members.setdefault(a, []).append(i)
    tried: dict[str, tuple[Cell, int]] = {}
    for c in report.cells:
        addr = str(c.addr)
        if c.read == "ocr" and c.kind not in (NUMBER, ZERO) and addr in members:
            mapped = "".join(_DIGIT_LOOKALIKES.get(ch, ch) for ch in c.raw.strip())
            if mapped.isdigit() and len(mapped) <= 9 and mapped != c.raw.strip():
                tried[addr] = (c, int(mapped))
    if not tried:
        return
    trial = dict(values)
    trial.update({a: float(v) for a, (_, v) in tried.items()})
    bad = set(_failing(ids, trial))
    for addr, (c, v) in tried.items():
        groups = members[addr]
        if all(i not in bad and all(a in trial for a in ids[i][3] + ids[i][4]) for i in groups):
            _correct(report, c, v, f"{c.raw!r} is how OCR misreads the digit {v}, and with it every identity "
                     "the cell is in holds", "lookalike")
            values[addr] = float(v)


def _unique_fix(report: Report, ids: list, values: dict[str, float], failing: list[int]
                ) -> tuple[Cell, int] | None:
    """The one (cell, value) change that makes every identity hold, or None (no such change, or more)."""
    in_failing = {a for i in failing for a in ids[i][3] + ids[i][4]}
    cands = [c for c in report.cells if c.read == "ocr" and str(c.addr) in in_failing]
    if len(cands) > _MAX_CANDIDATE_CELLS:
        return None
    found: list[tuple[Cell, int]] = []
    for c in cands:
        addr = str(c.addr)
        saved = values.get(addr)
        for new in _digit_changes(c.raw):
            values[addr] = float(new)
            if not _failing(ids, values):
                found.append((c, new))
                if len(found) > 1:
                    break
        if saved is None:
            values.pop(addr, None)
        else:
            values[addr] = saved
        if len(found) > 1:
            return None
    return found[0] if found else None
