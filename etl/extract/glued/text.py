"""The glued text and its digit runs: find each row label in printed order and the run of digits after it."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from etl import formats as F
from etl.formats import norm

WINDOW = 160  # a glued table is contiguous: the next row's label starts within this many chars of a run
_LABEL_SLACK = 8  # non-digit chars allowed after a label fragment beyond the rest of the printed label
_ORDINAL_SEP = ".、"  # "2." / "2、" starting the next label
_PROSE_AFTER = "年月日件条项个次%"  # a run ending in prose ("… 2022年"): its last token is not a cell
_DATE_AFTER = "年月日"  # digits touching a date ("…12000002022年"): where the table ends is unknown
_SIGNS = "+-增减"
_UNITS = ("万元", "元")

_LEAD_ORDINAL = re.compile(r"^\d+[.、]")

DIGITS = frozenset("0123456789")
# Sub-rows by the digit their printed label starts with ("2.其他法律…"): what a glued ordinal may start.
_T3_BY_ORDINAL: dict[str, tuple[F.Key, ...]] = {
    d: tuple(k for k in F.T3_ROWS if re.match(rf"{d}[.、]", norm(k.zh))) for d in "0123456789"}
# Any row label of the table: text between a label and its digits never holds another one.
_ROW_LABELS = {t: re.compile("|".join(re.escape(f) for k in F.ROWS[t] for f in k.fragments()))
               for t in ("t2", "t3")}


@dataclass(frozen=True)
class Text:
    """The text as `formats.norm` folds labels (NFKC, no whitespace), remembering where whitespace stood:
    inside a digit run a space is a real cell boundary."""

    s: str
    gaps: frozenset[int]  # i in gaps: whitespace stood just before s[i]

    @classmethod
    def of(cls, text: str) -> Text:
        parts = re.split(r"\s+", unicodedata.normalize("NFKC", text).replace("\\", "/"))
        gaps: set[int] = set()
        pos = 0
        for p in parts:
            if pos and p:
                gaps.add(pos)
            pos += len(p)
        return cls("".join(parts), frozenset(gaps))


@dataclass(frozen=True)
class Run:
    start: int  # index in Text.s of the first digit
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


def read_run(tx: Text, i: int, table: str) -> Run:
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
        if ch in DIGITS or (t2 and ch == "." and cur and nxt in DIGITS and nxt):
            pass
        elif t2 and ch in _SIGNS and nxt and nxt in DIGITS:
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
    return Run(i, end, tuple(tokens), unit, direct=i not in tx.gaps, spill=bool(nxt) and nxt in _DATE_AFTER)


def _ordinal_of_label(tx: Text, at: int, digit: str) -> bool:
    """Whether s[at] ("." or "、") after `digit` makes the ordinal of a table-3 sub-row label: the label
    follows, or (a misprinted label) a sub-row ordinal 1–8 is followed shortly by another row label."""
    s = tx.s
    if at + 1 >= len(s) or s[at] not in _ORDINAL_SEP or s[at + 1] in DIGITS or not _T3_BY_ORDINAL[digit]:
        return False
    for k in _T3_BY_ORDINAL[digit]:
        label = norm(k.zh)
        window = s[at + 1:at + 1 + len(label) + _LABEL_SLACK]
        if any(f in window for f in k.match) or window.startswith(_LEAD_ORDINAL.sub("", label)):
            return True
    return _ROW_LABELS["t3"].search(s, at + 1, at + 1 + WINDOW // 2) is not None


@dataclass(frozen=True)
class Hit:
    key: str
    label_at: int  # index of the label fragment
    run: Run


def find_row(tx: Text, key: F.Key, table: str, lo: int, hi: int, min_digits: int,
              near: int | None = None) -> Hit | None:
    """The first label of `key` in s[lo:hi] followed, after at most the rest of its printed label, by a
    run of at least `min_digits` digits. `near`: the label must start within that many chars of `lo`."""
    s = tx.s
    label = norm(key.zh)
    frags = key.fragments()
    if not key.match:  # labels matched by position only ("3.其他"): also without the ordinal
        frags = frags + (_LEAD_ORDINAL.sub("", label),)
        near = 4 if near is None else min(near, 4)
    best: Hit | None = None
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


def _run_after(tx: Text, key: F.Key, table: str, at: int, j: int, max_gap: int, min_digits: int
               ) -> Hit | None:
    s = tx.s
    stop = min(len(s), j + max_gap + 1)
    label_end = j
    while j < stop and s[j] not in DIGITS:
        j += 1
    if j >= stop:
        return None
    if any(x in s[at:j] for x in key.exclude):
        return None
    if table in _ROW_LABELS and _ROW_LABELS[table].search(s, label_end, j):
        return None  # the digits belong to a later label: this row printed none
    run = read_run(tx, j, table)
    if not run.tokens or run.digits < min_digits:
        return None
    return Hit(key.key, at, run)

