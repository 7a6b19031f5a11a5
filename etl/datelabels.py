"""The labels a page prints before a date, and what each one dates: the one owner, read by the readers' labelled
fields (etl.readers.meta), the title-and-year reading (etl.extract.metadata) and the collector's page date
(etl.collect.pages).

Why it matters: the publication date decides whether a report was late, so a label that dates something else
must never be read as it. 成文日期/发文日期 date the document (when it was signed), not when it went up;
更新日期 is when a page was last touched; a bare 日期/时间 says nothing of which. Each label says which date it
is and how much it is preferred when a page prints several.
"""

from __future__ import annotations

from dataclasses import dataclass

# What a labelled date dates, with its zh/en words.
DATED: dict[str, tuple[str, str]] = {
    "published": ("发布日期", "date published"),
    "updated": ("更新日期", "date updated"),
    "written": ("成文日期", "date written"),
    "unspecified": ("日期", "date (unspecified)"),
}


@dataclass(frozen=True)
class DateLabel:
    label: str
    dates: str  # a key of DATED
    rank: int  # lower is preferred as the page's publication date


LABELS: tuple[DateLabel, ...] = (
    DateLabel("公开日期", "published", 0),
    DateLabel("发布日期", "published", 0),
    DateLabel("发布时间", "published", 1),
    DateLabel("公开时间", "published", 1),
    DateLabel("公布日期", "published", 1),
    DateLabel("生成日期", "published", 1),  # a CMS's "page generated on": the day it went up
    DateLabel("更新日期", "updated", 2),
    DateLabel("更新时间", "updated", 2),
    DateLabel("日期", "unspecified", 3),
    DateLabel("时间", "unspecified", 4),
    DateLabel("成文日期", "written", 9),
    DateLabel("成文时间", "written", 9),
    DateLabel("发文日期", "written", 9),
)
assert all(x.dates in DATED for x in LABELS)


def labels(*dates: str) -> tuple[str, ...]:
    """The labels that date one of `dates` (all labels when none is named), most preferred first."""
    return tuple(x.label for x in sorted(LABELS, key=lambda x: x.rank) if not dates or x.dates in dates)


def alternation(*dates: str) -> str:
    """A regex alternation of those labels, longest first (so 发布日期 is tried before 日期)."""
    return "|".join(sorted(labels(*dates), key=len, reverse=True))


PUBLICATION_RANK: dict[str, int] = {x.label: x.rank for x in LABELS if x.dates in ("published", "updated",
                                                                                  "unspecified")}
