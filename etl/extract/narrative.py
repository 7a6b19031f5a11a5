"""Figures stated in prose: proactive items published, and the request/review/litigation counts that the
text-vs-table check compares with the tables. Only what the text states; nothing is inferred."""

from __future__ import annotations

import re

_N = r"(\d[\d,]*)\s*(?:余|多)?\s*"
_STOP = r"[^。；;!！?？\d]"
PATTERNS: dict[str, tuple[re.Pattern[str], ...]] = {
    "proactive_items": (
        re.compile(rf"主动公开{_STOP}{{0,24}}?信息{_STOP}{{0,10}}?{_N}条"),
        re.compile(rf"主动公开{_STOP}{{0,12}}?{_N}条"),
    ),
    "requests_received": (
        re.compile(rf"(?:收到|受理|新收|接收|接到)(?:了)?{_STOP}{{0,20}}?申请{_STOP}{{0,8}}?{_N}(?:件|个|份|条)"),
        re.compile(rf"申请{_STOP}{{0,4}}?(?:收到|受理){_STOP}{{0,4}}?{_N}件"),
    ),
    "requests_processed": (
        re.compile(rf"(?:办结|答复|已办结|处理完毕){_STOP}{{0,10}}?{_N}件"),
    ),
    "requests_carried_forward": (
        re.compile(rf"(?:结转|顺延)(?:到|至)?下(?:一)?年度?{_STOP}{{0,10}}?{_N}件"),
        # "有3件结转下年度", "103件顺延到下年度": the count must lead straight into the clause
        re.compile(rf"{_N}件(?:均|全部|已|将|需|予以)?(?:结转|顺延)(?:到|至)?下"),
    ),
    "review_total": (re.compile(rf"行政复议{_STOP}{{0,6}}?{_N}(?:件|起|宗)"),),
    "litigation_total": (re.compile(rf"行政诉讼{_STOP}{{0,6}}?{_N}(?:件|起|宗)"),),
}
# "no requests / no reconsideration" stated in words is a stated zero.
ZERO_PATTERNS: dict[str, re.Pattern[str]] = {
    "requests_received": re.compile(r"(?:未|没有)(?:收到|接到|受理)[^。；;]{0,20}?申请"),
    "review_total": re.compile(r"(?:未|没有)(?:发生|出现|收到)[^。；;]{0,30}?行政复议"),
    "litigation_total": re.compile(r"(?:未|没有)(?:发生|出现|收到)[^。；;]{0,30}?行政诉讼"),
}


def squash(text: str) -> str:
    """Undo line wrapping: PDF text breaks lines mid-phrase ("答\\n复3050 件")."""
    return re.sub(r"[ \t\u3000]*\n[ \t\u3000]*", "", text)


def narrative_facts(text: str) -> dict[str, int]:
    t = squash(text)
    out: dict[str, int] = {}
    for key, pats in PATTERNS.items():
        # patterns are in order of preference: the first one that matches wins
        hits = [(m.start(), m.group(1)) for p in pats for m in [p.search(t)] if m]
        zero = ZERO_PATTERNS.get(key)
        zm = zero.search(t) if zero else None
        if hits:
            pos, num = hits[0]
            if zm and zm.start() < pos:
                out[key] = 0
            else:
                out[key] = int(num.replace(",", ""))
        elif zm:
            out[key] = 0
    return out
