"""Who published the report, for which year, and when: from the title, the page metadata and the text."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

_CN_DIGITS = {"〇": 0, "零": 0, "○": 0, "Ｏ": 0, "O": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6,
              "七": 7, "八": 8, "九": 9}
_TITLE = re.compile(
    r"^(?P<pre>.*?)(?:[(（]?(?P<year>(?:19|20)\d{2})\s*[)）]?\s*年度?)?\s*(?:的)?(?:政府|政务)?信息公开(?:工作)?"
    r"(?:年度|工作)*(?:报告|年报)"
)
_YEAR_REPORT = re.compile(r"((?:19|20)\d{2})\s*年报[_\-\s]*(?P<agency>\S*)")
_PERIOD = re.compile(r"统计期限[^\d]{0,6}((?:19|20)\d{2})\s*年")
_ANY_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_LABELLED_DATE = re.compile(r"(?:发布日期|公开日期|发布时间|发文日期|公布日期)\s*[:：]?\s*"
                            r"((?:19|20)\d{2})\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})")
_DATE = re.compile(r"^((?:19|20)\d{2})\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})\s*日?$")
_CN_DATE = re.compile(r"^([〇零○Ｏ一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日$")
_AGENCY_SUFFIX = re.compile(r"(政府|局|委员会|委|办公室|办|厅|院|署|会|中心|处|所|站|队|乡|镇|街道|管委会|区|县|市|部|司|馆)$")
_LEADING_NOISE = re.compile(r"^(?:关于|附件\d*[:：]?|【[^】]*】)+")


def _cn_number(s: str) -> int:
    if s == "十":
        return 10
    if s.startswith("十"):
        return 10 + _CN_DIGITS[s[1]]
    if s.endswith("十"):
        return _CN_DIGITS[s[0]] * 10
    if "十" in s:
        a, b = s.split("十")
        return _CN_DIGITS[a] * 10 + _CN_DIGITS[b]
    return _CN_DIGITS[s]


def iso_date(y: int, m: int, d: int) -> str | None:
    try:
        return dt.date(y, m, d).isoformat()
    except ValueError:
        return None


def parse_date(text: str) -> str | None:
    t = text.strip().replace(" ", "")
    m = _DATE.match(t) or _LABELLED_DATE.search(t)
    if m:
        return iso_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = _CN_DATE.match(t)
    if m:
        year = int("".join(str(_CN_DIGITS[c]) for c in m.group(1)))
        return iso_date(year, _cn_number(m.group(2)), _cn_number(m.group(3)))
    return None


def find_title(lines: list[str]) -> tuple[str | None, int | None, str | None]:
    """(title, year, agency) from the first line that looks like the report's title and names its year or
    agency (a breadcrumb such as "政府信息公开>政府信息公开年报" is only a fallback)."""
    fallback: tuple[str | None, int | None, str | None] = (None, None, None)
    for i, line in enumerate(lines[:40]):
        s = re.sub(r"\s+", "", line)
        if len(s) > 60 or "报告" not in s and "年报" not in s:
            continue
        m = _YEAR_REPORT.search(s)
        if m and "信息公开" not in s:
            return s, int(m.group(1)), (m.group("agency") or None)
        m = _TITLE.match(s)
        if not m:
            continue
        year = int(m.group("year")) if m.group("year") else None
        pre = _LEADING_NOISE.sub("", m.group("pre") or "").strip("：:，,、 ")
        title = s
        if not pre and i > 0:
            prev = re.sub(r"\s+", "", lines[i - 1])
            if 2 <= len(prev) <= 30 and not re.search(r"\d", prev) and _AGENCY_SUFFIX.search(prev):
                pre = prev
                title = prev + s
        agency = pre if pre and _AGENCY_SUFFIX.search(pre) and len(pre) <= 40 else None
        if year or agency:
            return title, year, agency
        if fallback[0] is None:
            fallback = (title, None, None)
    return fallback


def find_year(title_year: int | None, texts: list[str], head: list[str]) -> int | None:
    if title_year:
        return title_year
    joined = "".join(texts)
    m = _PERIOD.search(joined)
    if m:
        return int(m.group(1))
    this_year = dt.date.today().year
    counts = Counter(int(y) for y in _ANY_YEAR.findall("".join(head) + joined[:4000]) if 2000 <= int(y) <= this_year)
    if not counts:
        return None
    best = max(counts.values())
    return max(y for y, c in counts.items() if c == best)


def find_published(meta: dict[str, str], lines: list[str]) -> str | None:
    if meta.get("published"):
        d = parse_date(meta["published"]) or parse_date(meta["published"][:10])
        if d:
            return d
    for line in lines[:15] + lines[-15:]:
        m = _LABELLED_DATE.search(line.replace(" ", ""))
        if m:
            return iso_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    # the date under the signature at the end of the report
    for line in reversed(lines[-8:]):
        d = parse_date(line)
        if d:
            return d
    return None
