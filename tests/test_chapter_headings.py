"""Chapter headings as printed in the wild: misprinted, without their 、, wrapped in more words, with Markdown
marks, renumbered, with spaces or full-width marks, run into a one-line page; mentions in prose that are no
heading; and a heading lost in conversion whose chapter is still there (uncertain, not missing).

The reports are written here (an invented 示例县人民政府), never copied from anywhere."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl import formats as F
from etl.model import Report
from etl.parse import parse_file

TITLE = "示例县人民政府2023年政府信息公开工作年度报告"
HEADINGS = {
    "overview": "一、总体情况",
    "proactive": "二、主动公开政府信息情况",
    "requests": "三、收到和处理政府信息公开申请情况",
    "review_litigation": "四、政府信息公开行政复议、行政诉讼情况",
    "problems": "五、存在的主要问题及改进情况",
    "other": "六、其他需要报告的事项",
}
PROSE = {
    "overview": "2023年，示例县人民政府认真落实条例要求，全年主动公开政府信息120条，各项工作平稳有序推进。",
    "proactive": "本县持续完善政府信息公开目录，规范性文件均在门户网站集中发布并动态更新，方便群众查阅。",
    "requests": "全年新收政府信息公开申请9件，均在法定期限内答复完毕，无逾期答复情形，答复质量稳步提升。",
    "review_litigation": "全年未发生因政府信息公开引起的行政复议和行政诉讼案件，相关工作机制运行良好。",
    "problems": "工作中仍存在公开内容不够全面等不足。下一步，本县将加强培训，持续改进公开质量和时效。",
    "other": "本年度未收取信息处理费，无其他需要报告的事项。",
}


def _report(tmp_path: Path, headings: dict[str, str | None], one_line: bool = False,
            prose: dict[str, str] | None = None, name: str = "r.txt") -> Report:
    """A report of the six chapters, each heading as given (None: not printed, its prose kept)."""
    parts = [TITLE]
    for key in F.CHAPTER_KEYS:
        if headings.get(key) is not None:
            parts.append(headings[key])
        parts.append((prose or PROSE)[key])
    text = " ".join(parts) if one_line else "\n".join(parts) + "\n"
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return parse_file(p)


def _chapter_missing(r: Report) -> set[str]:
    return {m[len("chapter:"):] for m in r.missing if m.startswith("chapter:")}


def _unclear(r: Report) -> list[tuple[str, str | None]]:
    return [(p.code, p.where) for p in r.problems if p.code == "chapter_heading_unclear"]


# --- a heading misprinted ---------------------------------------------------------------------------------


def test_misprinted_heading_on_its_own_line(tmp_path: Path) -> None:
    r = _report(tmp_path, {**HEADINGS, "review_litigation": "四、政府信息公开行政法复议、行政诉讼情况"})
    assert set(r.chapters) == set(F.CHAPTER_KEYS)
    assert not _chapter_missing(r)
    assert "行政复议" in r.chapters["review_litigation"] or PROSE["review_litigation"] in r.chapters["review_litigation"]


# --- variants in a page printed as one long line (headings start runs of text) ---------------------------

VARIANTS = [
    ("overview", "一总体情况"),  # the 、 dropped
    ("review_litigation", "四、政府信息公开行政法复议、行政诉讼情况"),  # misprinted
    ("problems", "五、政府信息公开工作存在的主要问题及改进情况"),  # more words
    ("problems", "## 五、存在的主要问题及改进情况"),  # Markdown marks
    ("problems", "七、存在的主要问题及改进情况"),  # renumbered (a body that inserts chapters)
    ("review_litigation", "四．政府信息公开行政复议、行政诉讼情况"),  # full-width period for 、
    ("other", "六、其 他 需 要 报 告 的 事 项"),  # spaces between characters
    ("proactive", "二,主动公开政府信息情况"),  # half-width comma for 、
]


@pytest.mark.parametrize(("key", "heading"), VARIANTS)
def test_heading_variant_starting_a_run_of_text(tmp_path: Path, key: str, heading: str) -> None:
    r = _report(tmp_path, {**HEADINGS, key: heading}, one_line=True)
    assert set(r.chapters) == set(F.CHAPTER_KEYS), heading
    assert not _chapter_missing(r)
    assert PROSE[key][:10] in r.chapters[key]


def test_misprinted_heading_in_a_markdown_file(tmp_path: Path) -> None:
    heads = {k: "## " + h for k, h in HEADINGS.items()}
    heads["review_litigation"] = "## 四、政府信息公开行政法复议、行政诉讼情况"
    r = _report(tmp_path, heads, name="r.md")
    assert set(r.chapters) == set(F.CHAPTER_KEYS)
    assert not _chapter_missing(r)


# --- mentions in prose are no heading ---------------------------------------------------------------------


def test_a_line_referring_to_a_chapter_is_no_heading(tmp_path: Path) -> None:
    # the proactive chapter is really absent; the overview says its subject "如下" on a line of its own
    prose = {**PROSE, "overview": PROSE["overview"] + "\n主动公开政府信息情况如下："}
    r = _report(tmp_path, {**HEADINGS, "proactive": None}, prose=prose)
    assert "proactive" in _chapter_missing(r)
    assert "如下" in r.chapters["overview"]


def test_a_sentence_naming_a_chapter_inside_a_run_is_no_heading(tmp_path: Path) -> None:
    # 四 is really absent; the overview's prose says 三是…行政复议、行政诉讼… and a table note …情况如下表
    prose = {**PROSE, "overview": PROSE["overview"] + "三是加强行政复议、行政诉讼案件的处理工作，"
             "政府信息公开行政复议、行政诉讼情况如下表。", "review_litigation": ""}
    r = _report(tmp_path, {**HEADINGS, "review_litigation": None}, one_line=True, prose=prose)
    assert set(r.chapters) == set(F.CHAPTER_KEYS) - {"review_litigation"}
    assert _chapter_missing(r) == {"review_litigation"}
    assert "三是加强行政复议" in r.chapters["overview"]


def test_an_introduction_listing_the_chapters_is_no_heading(tmp_path: Path) -> None:
    intro = ("本报告包括：一、总体情况；二、主动公开政府信息情况；三、收到和处理政府信息公开申请情况；"
             "四、政府信息公开行政复议、行政诉讼情况；五、存在的主要问题及改进情况；六、其他需要报告的事项。")
    prose = {**PROSE, "overview": intro + PROSE["overview"], "problems": ""}
    heads = {**HEADINGS, "problems": None}
    r = _report(tmp_path, heads, one_line=True, prose=prose)
    assert set(r.chapters) == set(F.CHAPTER_KEYS) - {"problems"}
    assert _chapter_missing(r) == {"problems"}


# --- a heading lost in conversion: the chapter is uncertain, not missing ---------------------------------


def test_lost_heading_with_its_content_in_place_is_uncertain(tmp_path: Path) -> None:
    prose = {**PROSE, "problems": "（一）主要问题\n公开内容不够全面，部分栏目更新不及时。\n（二）改进情况\n"
                                  "下一步，本县将加强培训，持续改进公开质量。"}
    r = _report(tmp_path, {**HEADINGS, "problems": None}, prose=prose, name="r.md")
    assert "problems" not in r.chapters
    assert "chapter:problems" not in r.missing
    assert _unclear(r) == [("chapter_heading_unclear", "chapter:problems")]
    assert set(r.chapters) == set(F.CHAPTER_KEYS) - {"problems"}
    # without that content the chapter is missing, as before
    r = _report(tmp_path, {**HEADINGS, "problems": None}, prose={**PROSE, "problems": ""}, name="r2.md")
    assert _chapter_missing(r) == {"problems"}
    assert not _unclear(r)


def test_heading_matcher_takes_exactly_one_heading() -> None:
    # close to one official heading: taken; close to none or to two: not a heading
    assert F.chapter_heading(F.norm("四、政府信息公开行政法复议、行政诉讼情况")) == "review_litigation"
    assert F.chapter_heading(F.norm("四、政府信息公开申请情况")) is None  # a Shanghai body's own chapter
    assert F.chapter_heading(F.norm("三、主动公开工作情况")) is None
    assert F.chapter_heading(F.norm("（一）主动公开政府信息情况")) is None
