"""Tables glued onto one line: every cell run into the next ("一、本年新收政府信息公开申请数量640020470").

Web-crawler copies of some report pages lose the table markup: each row label is followed directly by its
cells' digits with nothing between them, and the next label's ordinal is glued on too
("…国家秘密00000002.其他法律…"). A person reads such a row by finding the only split of the digit run that
the table's own sums allow. This package does the same, in three steps:

1. segment (`text`) — find the row labels (the fragments in `etl.formats`) in printed order and the run
   after each;
2. enumerate (`split`, pure) — every split of a run into the row's cells: a space is always a cell
   boundary, numbers have no leading zeros, and a table-3 row's 总计 is the sum of its six applicant
   columns (table 4: per block 维持 + 纠正 + 其他 + 尚未审结 = 总计), identities from `etl.identities`;
3. solve (`solve`, and per table `proactive`, `requests`, `review`) — table 3: search the combinations of
   rows that satisfy every column identity (T3-balance, T3-outcomes) and place a row only where all of
   them agree; table 4 likewise per block; table 2 has no sum to lean on, so a multi-column row is placed
   only when its run has a single split.

A wrong number is worse than a missing one: whatever stays ambiguous is left out with an `ambiguous_split`
problem naming the row and two of its competing readings (`result`). Imports run one way: text, split →
result → solve → the tables' modules → this package's two entry points.
"""

from __future__ import annotations

from etl import formats as F
from etl.extract.glued.proactive import extract_t2, t2_hits
from etl.extract.glued.requests import extract_t3, t3_hits
from etl.extract.glued.result import GluedResult
from etl.extract.glued.review import extract_t4, t4_hit
from etl.extract.glued.text import Text

__all__ = ["GluedResult", "extract_glued", "is_glued"]

_MIN_GLUED_LABELS = 3  # labels directly followed by digits before a text counts as a glued table


def is_glued(text: str) -> bool:
    """Whether `text` renders tables with their cells run together: several row labels of tables 2–4 each
    followed directly — no space, no separator — by digits."""
    if sum(ch.isdigit() for ch in text) < len(F.T3_COL_KEYS):
        return False
    tx = Text.of(text)
    t3 = t3_hits(tx)
    direct = sum(h.run.direct for h in t3)
    if direct >= _MIN_GLUED_LABELS:
        return True
    direct += sum(h.run.direct for h, _ in t2_hits(tx, t3[0].label_at if t3 else len(tx.s)))
    hit4 = t4_hit(tx, t3[-1].run.end if t3 else 0)
    direct += bool(hit4 and hit4.run.direct)
    return direct >= _MIN_GLUED_LABELS


def extract_glued(text: str) -> GluedResult:
    """Read tables 2, 3 and 4 from a glued rendering; cells no reading pins down are left out, each with a
    problem saying why."""
    tx = Text.of(text)
    res = GluedResult()
    t3 = extract_t3(tx, res)
    extract_t2(tx, t3[0] if t3 else len(tx.s), res)
    extract_t4(tx, t3[1] if t3 else 0, res)
    order = {t: i for i, t in enumerate(F.TABLES)}
    res.cells.sort(key=lambda c: order[c.table])  # stable: rows keep their printed order
    return res
