"""Labelled metadata fields a page prints (发布机构：XX, 公开日期：2023-01-20, 成文日期 …), read the same way by
every reader. Plain `re`: a text report must not pay for lxml to read its header lines."""

from __future__ import annotations

import re
from collections.abc import Iterable

from etl.datelabels import labels

# Labelled fields printed on the page (信息索引表 or the line under the title). Ordered by preference.
_LABELS = {
    "issuer": ("发布机构", "发文机关", "发文单位", "发布单位", "公开主体", "信息来源", "来源"),
    "published": labels("published"),  # etl.datelabels owns the date labels and what each dates
    "written": labels("written"),
    "title": ("标题", "文章标题", "信息标题", "信息名称", "文件名称"),
}
_LABEL_KEY = {label: key for key, labels in _LABELS.items() for label in labels}
_DATE = re.compile(r"\d{4}\s*[-年/.]\s*\d{1,2}\s*[-月/.]\s*\d{1,2}\s*日?")
# "来源" alone only when not the tail of a longer word (经费来源：…); the longer labels stand anywhere,
# since pages print fields back to back ("…局成文日期：…").
_LABELLED = re.compile(
    "(" + "|".join(sorted((x for x in _LABEL_KEY if x != "来源"), key=len, reverse=True))
    + "|(?<![\u4e00-\u9fff])来源)\\s*[:：]"
)
_NEXT_LABEL = re.compile("(?:" + "|".join(sorted(_LABEL_KEY, key=len, reverse=True))
                         + r"|索引号|文号|主题分类|浏览次数|阅读次数|访问量|点击数|作者|字号|栏目|原文链接|本地目录|关键词|时间)"
                         + r"\s*[:：]"
                         # or a gap before another field ("来源：X镇  发布时间…", "发布机构：X | 关 键 词：…")
                         + r"|\s{2,}|\t|\s*[|｜]|\s+\S{1,6}[:：]")
_LABEL_FIRST = frozenset(label[0] for label in _LABEL_KEY)
_ALL_LABELS = re.compile("(" + "|".join(sorted(_LABEL_KEY, key=len, reverse=True)) + r")\s*[:：]?$")


def _value(key: str, raw: str) -> str | None:
    raw = raw.strip()
    if not raw:
        return None
    if key in ("published", "written"):
        m = _DATE.match(raw)
        return m.group(0).strip() if m else None
    # an issuer or title value runs until the next label ("发布机构：XX局发布日期：…" printed without spaces)
    cut = _NEXT_LABEL.search(raw)
    value = raw[: cut.start()] if cut else raw
    return value.strip() or None


def meta_from_text(lines: Iterable[str], tables: Iterable[list[list[str]]] = ()) -> dict[str, str]:
    """Labelled fields (发布机构：XX, 公开日期：2023-01-20, 成文日期 …) from page lines and table rows.

    The first value per key wins, by label preference (发布机构 before 来源). Shared by all readers.
    """
    found: dict[str, tuple[int, str]] = {}

    def offer(label: str, raw: str) -> None:
        key = _LABEL_KEY[label]
        rank = _LABELS[key].index(label)
        value = _value(key, raw)
        if value and (key not in found or rank < found[key][0]):
            found[key] = (rank, value)

    for text in lines:
        if "：" not in text and ":" not in text:
            continue
        for line in text.split("\n"):  # a paragraph may hold several header lines ("标题: …\n发布时间: …")
            for m in _LABELLED.finditer(line):
                rest = line[m.end(1):].lstrip(" \t:：")
                offer(m.group(1), rest[:40] if _LABEL_KEY[m.group(1)] in ("published", "written") else rest[:80])
    for rows in tables:
        for row in rows:
            for i, cell in enumerate(row[:-1]):
                label = cell.strip()
                if len(label) <= 8 and label[:1] in _LABEL_FIRST:  # cheap tests before the regex
                    m = _ALL_LABELS.match(label)
                    if m:
                        offer(m.group(1), row[i + 1])
    return {k: v for k, (_, v) in found.items()}
