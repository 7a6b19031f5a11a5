"""Reading one printed cell: its kind (number/zero/empty/na/text) and its value.

A blank or a dash is never a zero: only "0" and "零" are. Values keep the unit their key names
(see formats.T2_AMOUNT_COLS); a unit written in the cell ("976.81万元", "251000元") is converted.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

NUMBER = "number"
ZERO = "zero"
EMPTY = "empty"
NA = "na"
TEXT = "text"
KINDS = (NUMBER, ZERO, EMPTY, NA, TEXT)

_NA = {"/", "-", "—", "--", "——", "–", "无", "不适用", "n/a", "N/A", "-/-", "\\", "／", "－"}
_NUM = re.compile(
    r"^(?P<sign>[+\-]|增加?|减少?|新增)?\s*(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*"
    r"(?P<unit>万元|元|万|件|个|条|项|次)?$"
)
_ZERO_WORDS = {"零"}


@dataclass(frozen=True, slots=True)
class Parsed:
    kind: str
    value: int | float | None
    unit: str | None = None  # unit written in the cell, if any


def fold(raw: str) -> str:
    """NFKC (full-width digits, signs and punctuation to ASCII) and trimmed, inner spaces removed."""
    t = unicodedata.normalize("NFKC", raw).strip()
    return re.sub(r"\s+", "", t)


@lru_cache(maxsize=8192)  # cells repeat ("0", labels): parsing is the hot path
def parse_cell(raw: str | None) -> Parsed:
    if raw is None:
        return Parsed(EMPTY, None)
    # a pipe is table-border furniture of text copies ("0 |", "0 | |"), never part of a value
    t = fold(raw).replace("\u00a0", "").strip("|")
    if t == "":
        return Parsed(EMPTY, None)
    if t in _NA:
        return Parsed(NA, None)
    if t in _ZERO_WORDS:
        return Parsed(ZERO, 0)
    m = _NUM.match(t)
    if not m:
        return Parsed(TEXT, None)
    num = m.group("num").replace(",", "")
    value: int | float = float(num) if "." in num else int(num)
    sign = m.group("sign") or ""
    if sign == "-" or sign.startswith("减"):
        value = -value
    unit = m.group("unit")
    if unit in ("件", "个", "条", "项", "次"):
        unit = None
    if value == 0:
        return Parsed(ZERO, 0, unit)
    return Parsed(NUMBER, value, unit)


def to_unit(p: Parsed, yuan_per_unit: int, header_unit: str | None) -> tuple[int | float | None, bool]:
    """Convert an amount into the unit its key names. Returns (value, unit_known)."""
    if p.value is None:
        return None, True
    cell_unit = p.unit or header_unit
    if cell_unit is None:
        return p.value, False
    per = {"万元": 10_000, "万": 10_000, "元": 1}[cell_unit]
    return tidy(p.value * per / yuan_per_unit), True


def tidy(x: float) -> int | float:
    """Round away float noise from unit conversion (976.81 * 10000 = 9768099.999…)."""
    r = round(x, 6)
    return int(r) if r == int(r) else r
