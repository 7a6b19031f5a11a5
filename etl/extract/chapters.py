"""Chapters beyond the line-by-line walk: headings inside a run of text, and headings a conversion lost.

The table walker (etl.extract.tables) takes a heading that stands on its own line. Two more cases are read
here:

- A crawled page may print the whole report as one long line. A heading then starts a run of text: at the
  start of the line, or after a chapter ordinal (一、…六、, the 、 sometimes missing) that follows a space,
  a sentence end or the figures of the previous chapter's table. Its words are matched as any heading's
  (etl.formats.chapter_match), in chapter order for a near miss, and never when a list separator follows
  (an introduction listing the six chapters' names is not six headings).
- A heading a PDF→Markdown conversion dropped: its chapter's content is still where it should be (the table
  of a table chapter was read; text about problems and improvements between 四 and 六). Such a chapter is
  neither found nor missing: `unclear` says which, and the extractor reports it as a problem
  "chapter_heading_unclear" (where "chapter:<key>") instead of listing it in `missing`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from etl import formats as F

# Where a run-in heading may start: at a Chinese ordinal with its mark (一、 四．), wherever it stands (prose
# says 一是, not 一、; the text before may be a sentence, a unit such as 元, or the last figure of a table);
# or at an ordinal whose mark was dropped (一总体情况), only after whitespace, a sentence end, a closing
# bracket, a digit or Markdown marks, since 一 starts many words.
_RUN_HEADING = re.compile(r"(?=第?[一二三四五六七八九十]{1,2}(?:部分|章)?[、.．])"
                          r"|(?:^|(?<=[\s。；;：:！？!?）)」”\]\d|*#>]))(?=第?[一二三四五六七八九十]{1,2})")
# A heading's words followed by one of these are an item of a list, not a heading.
_LIST_SEP = ("；", ";", "，", ",", "、")
_INDEX = {k: i for i, k in enumerate(F.CHAPTER_KEYS)}


def run_chapters(text: str) -> dict[str, list[str]]:
    """Chapters of a run of text (a page printed as one line), cut where a heading starts one."""
    cuts: list[tuple[str, int]] = []
    last = -1
    for m in _RUN_HEADING.finditer(text):
        at = m.start()
        window = text[at:at + 80]
        n = F.norm(window)
        found = F.chapter_at_start(n)
        if found is None:
            continue
        match, length = found
        rest = n[length:]
        if rest.startswith(_LIST_SEP) or match.key in {k for k, _ in cuts}:
            continue
        if not match.exact and _INDEX[match.key] <= last:
            continue  # a near miss counts only in its order
        cuts.append((match.key, at))
        last = max(last, _INDEX[match.key])
    if not cuts:
        return {}
    return {k: [text[a:b]] for (k, a), (_, b) in zip(cuts, [*cuts[1:], ("", len(text))], strict=True)}


# What a chapter whose heading was lost still shows of itself, in the text before the next heading found.
# Problems: both a shortcoming and a remedy are named (问题 alone turns up in any chapter's prose).
_CONTENT_WORDS: dict[str, tuple[tuple[str, ...], ...]] = {
    "problems": (("问题", "不足", "短板", "差距"), ("改进", "措施", "整改", "下一步", "提升", "加强")),
    "other": (("信息处理费", "处理费", "其他需要报告", "其他事项"),),
}
_CHAPTER_TABLE = {"proactive": "t2", "requests": "t3", "review_litigation": "t4"}


def unclear(chapters: Mapping[str, str], tables: set[str]) -> dict[str, dict]:
    """Chapters not found whose content stands where they should: key -> the evidence, as the parameters of
    the problem that says so ({"variant": "table", "table": "t3"} or {"variant": "words", "words": […],
    "after": "chapter:…"}; etl.problems words them).

    Only between chapters that were found (or after the last found, for the last chapter): a table chapter
    whose table was read; another whose subject's words fill the text that runs on from the chapter found
    before it (that text is where the lost heading's chapter landed)."""
    out: dict[str, dict] = {}
    found = [k for k in F.CHAPTER_KEYS if k in chapters]
    for key in F.CHAPTER_KEYS[1:]:  # the overview is never missing once any chapter is found
        if key in chapters:
            continue
        before = [k for k in found if _INDEX[k] < _INDEX[key]]
        after = [k for k in found if _INDEX[k] > _INDEX[key]]
        if not before or (not after and key != F.CHAPTER_KEYS[-1]):
            continue
        table = _CHAPTER_TABLE.get(key)
        if table:
            if table in tables:
                out[key] = {"variant": "table", "table": table}
            continue
        text = F.norm(chapters[before[-1]])
        hits = [next((w for w in words if w in text), None) for words in _CONTENT_WORDS.get(key, ())]
        if hits and all(hits):
            out[key] = {"variant": "words", "words": [h for h in hits if h], "after": f"chapter:{before[-1]}"}
    return out
