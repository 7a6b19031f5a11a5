"""Fictional place and agency names: every one contains 样例 and cannot be mistaken for a real place.

Names are built from syllable pairs chosen to be rare in real place names (ornamental characters such as
蘅, 霁, 璎 in front of landform characters such as 汀, 陂, 埭), each with a home-made romanization so
file paths stay ASCII. `REAL_NAMES` lists real two-character county/city names that these tables could in
principle form; they are never used.
"""

from __future__ import annotations

import random

PREFIX = "样例"

# (character, romanization). Front characters: ornamental, rarely used in place names.
FRONT = (
    ("蘅", "heng"), ("霁", "ji"), ("篁", "huang"), ("荇", "xing"), ("翎", "ling"), ("璎", "ying"),
    ("苡", "yi"), ("蕤", "rui"), ("珩", "hang"), ("杳", "yao"), ("漪", "yiy"), ("芊", "qian"),
    ("琰", "yan"), ("棻", "fen"), ("翊", "yix"), ("璟", "jing"), ("蔻", "kou"), ("缃", "xiang"),
    ("绫", "lin"), ("楸", "qiu"), ("苇", "wei"), ("萱", "xuan"), ("莳", "shi"), ("鹂", "li"),
    ("琚", "ju"), ("榛", "zhen"), ("蒹", "jian"), ("葭", "jia"), ("蓁", "zhe"), ("芷", "zhi"),
)
# Landform characters.
BACK = (
    ("汀", "ting"), ("陂", "bei"), ("皋", "gao"), ("埭", "dai"), ("岙", "ao"), ("垣", "yuan"),
    ("屿", "yu"), ("坪", "ping"), ("川", "chuan"), ("湄", "mei"), ("塬", "yua"), ("泽", "ze"),
    ("岗", "gang"), ("洲", "zhou"), ("滨", "bin"), ("原", "yue"), ("溪", "xi"), ("岭", "lng"),
    ("湾", "wan"), ("峪", "yux"), ("渚", "zhu"), ("墩", "dun"), ("浦", "pu"), ("畈", "fan"),
)
# Real places (county level and above, or famous towns) these tables could form; skipped.
REAL_NAMES = frozenset({"芷江", "苇河", "萱洲", "蒹葭", "葭洲", "琚溪", "榛溪", "芊溪", "鹂岗", "芷溪", "苇原",
                        "楸坪", "绫溪"})

# Suffix → romanized suffix for slugs.
SUFFIX_SLUG = {"省": "sheng", "市": "shi", "县": "xian", "区": "qu", "镇": "zhen", "乡": "xiang", "街道": "jd"}


class NameBook:
    """Hands out distinct syllable pairs (and triples once pairs run out) from one seeded generator."""

    def __init__(self, rng: random.Random) -> None:
        pairs = [(a + b, sa + sb) for a, sa in FRONT for b, sb in BACK if a + b not in REAL_NAMES]
        rng.shuffle(pairs)
        self._pairs = pairs
        self._rng = rng
        self._used: set[str] = set()

    def syllables(self) -> tuple[str, str]:
        """A fresh (chinese, romanized) stem of two (or, late in a big run, three) characters."""
        while self._pairs:
            zh, rom = self._pairs.pop()
            if zh not in self._used:
                self._used.add(zh)
                return zh, rom
        for _ in range(1000):
            (a, sa), (m, sm), (b, sb) = (self._rng.choice(FRONT), self._rng.choice(FRONT), self._rng.choice(BACK))
            zh, rom = a + m + b, sa + sm + sb
            if zh not in self._used and a != m:
                self._used.add(zh)
                return zh, rom
        raise RuntimeError("ran out of fictional names")

    def place(self, suffix: str) -> tuple[str, str]:
        """('样例蘅汀县', 'hengting-xian')."""
        zh, rom = self.syllables()
        return f"{PREFIX}{zh}{suffix}", f"{rom}-{SUFFIX_SLUG[suffix]}"


def local_name(rng: random.Random, used: set[str]) -> tuple[str, str]:
    """A township/sub-district stem unique within its county (its agency name carries the county's 样例)."""
    for _ in range(1000):
        (a, sa), (b, sb) = rng.choice(FRONT), rng.choice(BACK)
        if a + b not in used and a + b not in REAL_NAMES:
            used.add(a + b)
            return a + b, sa + sb
    raise RuntimeError("ran out of local names")
