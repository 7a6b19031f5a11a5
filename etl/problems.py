"""What the parser says about a file it read: every problem code with its wording in both UI languages.

The parser (etl.readers, etl.extract) records a problem as a code, a variant and parameters — the cells,
rows, tables and chapters it concerns by their keys, the text as printed, counts — plus an English `message`
for the CLI and the JSON. A reader of the dashboard sees `words(problem, lang)`: the template of that code
and variant filled in, every key in its printed label (etl.checks.labels), never a raw key or the English
message in the Chinese interface. A problem without parameters (a warehouse built before they existed)
falls back to the code's title.

Pure data and string formatting: imported on the parse path (the labels are imported only to word a problem).

Placeholders in a template: {name} the value as printed; {name:place} an address ("t3.granted.total",
"t3.granted", "t4", "chapter:problems", "narrative.review_total") by its printed label; {name:places} a list
of them; {name:list} a list joined; {name:t2cols} table-2 column keys by their labels; {name:reading} a
reading of the file (READINGS); {name:reads} the readings of a cell or row that disagree; {name:quotes} the
sentences a prose figure was read from; {name:conf} an OCR confidence.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

# code -> (Chinese, English) title: what kind of problem it is, shown when a problem cannot be worded fully
TITLES: dict[str, tuple[str, str]] = {
    "damaged_file": ("文件已损坏", "damaged file"),
    "no_text_layer": ("页面没有文字", "pages without text"),
    "ocr_pages": ("已用 OCR 识别", "read by OCR"),
    "ambiguous_split": ("原文数字粘连，拆分不唯一", "digits printed run together"),
    "glued_inconsistent": ("粘连数字的各种拆分均不满足勾稽关系", "no split of the glued digits adds up"),
    "unit_unknown": ("金额未注明单位", "amount without a unit"),
    "ocr_unverified": ("OCR 识别的表格不平衡", "the table read by OCR does not add up"),
    "ocr_uncertain": ("OCR 识别结果未经核实", "an OCR reading nothing confirms"),
    "ocr_corrected": ("OCR 误识已按勾稽关系更正", "an OCR misread corrected by the table's sums"),
    "missing_table": ("未找到表格", "table not found"),
    "incomplete_table": ("表格不完整", "table incomplete"),
    "truncated_row": ("行不完整", "row cut short"),
    "chapter_heading_unclear": ("章节标题未能识别", "chapter heading not recognised"),
    "narrative_conflict": ("正文中同一数字的表述不一致", "the text states a figure two ways"),
    "ambiguous_row": ("行内数字无法对应到列", "the row's figures could not be placed"),
    "column_order": ("表头列顺序与勾稽关系不符", "the header's column order does not add up"),
    "label_misprint": ("行名印错", "a misprinted row label"),
    "duplicate_cell": ("单元格重复印出", "a cell printed twice"),
    "text_cell": ("单元格不是数字", "a cell that is not a number"),
    "alternative_reading": ("按另一种读法读取", "read another way"),
    "unproven": ("几种读法不一致", "readings that disagree"),
}

# The readings of one file a reader offers (etl.readers.pdf), as codes in a problem's parameters.
READINGS: dict[str, tuple[str, str]] = {
    "layout": ("页面版式（按文字位置）", "the page layout (words placed by their position)"),
    "text_order": ("页面文字的书写顺序", "the page text in the order it was written"),
    "structure": ("文档结构", "the reading of the document's structure"),
}

# code -> variant -> (Chinese, English) template; the variant is params["variant"] ("" when there is one)
TEMPLATES: dict[str, dict[str, tuple[str, str]]] = {
    "damaged_file": {"": ("PDF 文件已损坏，已自动修复后读取；内容可能不完整",
                          "damaged PDF rebuilt by MuPDF; content may be incomplete")},
    "no_text_layer": {"": ("以下页面没有文字（空白页，或 OCR 未识别出文字）：第 {pages:list} 页",
                           "pages without text (blank, or OCR read nothing): {pages:list}")},
    "ocr_pages": {
        "pdf": ("以下页面没有文字层，已用 OCR 识别：第 {pages:list} 页", "pages read by OCR (no text layer): {pages:list}"),
        "image": ("已用 OCR 识别 {n} 张页面图像", "read by OCR: {n} page image(s)"),
        "docx": ("DOCX 中的 {n} 张页面图片已用 OCR 识别", "read by OCR: {n} picture(s) of pages in the DOCX"),
    },
    "ambiguous_split": {
        "spill": ("{row:place}：原文数字“{run}”粘连，且与后文的日期连在一起，无法拆分；未采用",
                  "{row:place}: digits printed run together ('{run}') run on into a date in the text that "
                  "follows; left out"),
        "capped": ("{row:place}：原文数字“{run}”粘连，可能的拆分超过 {cap} 种；未采用",
                   "{row:place}: digits printed run together ('{run}'): more than {cap} readings; left out"),
        "too_many": ("{row:place}：原文数字“{run}”粘连，可能的拆分过多；未采用",
                     "{row:place}: digits printed run together ('{run}'): too many readings; left out"),
        "no_columns": ("{row:place}：原文数字“{run}”粘连，且表头无法确定该行的列；未采用",
                       "{row:place}: digits printed run together ('{run}'), and its columns cannot be told "
                       "from the header; left out"),
        "no_split": ("{row:place}：原文数字“{run}”粘连，没有符合该行单元格数的拆分；未采用",
                     "{row:place}: digits printed run together ('{run}'): no split into the row's cells; "
                     "left out"),
        "no_split_sums": ("{row:place}：原文数字“{run}”粘连，没有既符合该行单元格数又满足合计关系的拆分；未采用",
                          "{row:place}: digits printed run together ('{run}'): no split into the row's cells "
                          "fits its sums; left out"),
        "several": ("{row:place}：原文数字“{run}”粘连，可有多种拆分（如 {readings:or}）；未采用",
                    "{row:place}: digits printed run together ('{run}'): more than one reading, e.g. "
                    "{readings:or}; left out"),
    },
    "glued_inconsistent": {
        "capped": ("{table:place}：粘连各行的拆分组合超过搜索上限；只采用自身拆分唯一的行",
                   "{table:place}: the glued rows' readings were cut off by the search cap; only rows with a "
                   "single reading of their own are placed"),
        "none": ("{table:place}：粘连数字的任何拆分都不能使表内全部勾稽关系成立；只采用拆分唯一的行或栏",
                 "{table:place}: no reading of the glued digits satisfies every sum of the table; only rows "
                 "or blocks with a single reading are placed"),
    },
    "unit_unknown": {"": ("{cell:place}：金额“{raw}”未注明单位；按原文保留",
                          "{cell:place}: amount '{raw}' states no unit; kept as printed")},
    "ocr_unverified": {"": ("{table:place}经 OCR 识别后有 {n} 项勾稽关系不成立，且无法用单个数字的误识解释：可能是"
                            "识别错误，也可能原表本身不平衡；保留识别结果",
                            "{table:place}: the table read by OCR breaks {n} of its sums, and no single misread "
                            "digit explains it: the scan may be misread or the printed table may not add up; "
                            "cells kept as read")},
    "ocr_uncertain": {"": ("{cell:place}：OCR 识别为“{raw}”（置信度 {conf:conf}），表内勾稽关系未能印证",
                           "{cell:place}: read by OCR as '{raw}' (confidence {conf:conf}), and no sum of the "
                           "table confirms it")},
    "ocr_corrected": {
        "unique": ("{cell:place}：OCR 识别为“{old}”；只有改为 {new} 才能使表内全部勾稽关系成立，且没有其他单个数字的"
                   "更正能做到：已更正为 {new}",
                   "{cell:place}: OCR read '{old}'; every sum of the table holds only if it is {new}, and no "
                   "other single-digit change does that: corrected to {new}"),
        "lookalike": ("{cell:place}：OCR 识别为“{old}”，这是数字 {new} 的常见误识，改为该数字后相关勾稽关系全部成立："
                      "已更正为 {new}",
                      "{cell:place}: OCR read '{old}', how OCR misreads the digit {new}, and with it every sum "
                      "the cell is in holds: corrected to {new}"),
    },
    "missing_table": {"": ("未找到{table:place}", "{table:place} not found")},
    "incomplete_table": {
        "truncated": ("{table:place}缺少 {missing} 个单元格（共 {cells} 个，自{from:place}起）；报告可能不完整",
                      "{table:place}: {missing} of {cells} cells missing (from {from:place}); the report may be "
                      "truncated"),
        "some_unread": ("{table:place}缺少 {missing} 个单元格（共 {cells} 个，自{from:place}起），其中 {unread} 个已印出但"
                        "未能识读（见其他识读问题）",
                        "{table:place}: {missing} of {cells} cells missing (from {from:place}); {unread} of them "
                        "printed but not read (see the reading problems)"),
        "all_unread": ("{table:place}缺少 {missing} 个单元格（共 {cells} 个，自{from:place}起），均已印出但未能识读"
                       "（见其他识读问题）",
                       "{table:place}: {missing} of {cells} cells missing (from {from:place}); all printed but "
                       "not read (see the reading problems)"),
    },
    "truncated_row": {"": ("{row:place}：该行在所读文本中被截断，单元格不全",
                           "{row:place}: row cut off before all its cells")},
    "chapter_heading_unclear": {
        "table": ("未找到章节{chapter:place}的标题，但其表格{table:place}已读出；标题可能在转换中丢失",
                  "{chapter:place}: heading not found, but its table {table:place} was read; the heading may have "
                  "been lost in conversion"),
        "words": ("未找到章节{chapter:place}的标题，但章节{after:place}之后有关于“{words:list}”的文字；标题可能在转换中丢失",
                  "{chapter:place}: heading not found, but text about {words:list} follows {after:place}; the "
                  "heading may have been lost in conversion"),
    },
    "narrative_conflict": {"": ("{fact:place}有多种表述：{values:list}（{quotes:quotes}）；未采用",
                                "{fact:place} is stated as {values:list} ({quotes:quotes}); left out")},
    "ambiguous_row": {
        "unlabelled": ("{after:place}之后有 {n} 行数字未印行名（在{before:place}之前）：无法确定是哪几行；未采用",
                       "{n} row(s) of values printed without a label after {after:place}, before {before:place}: "
                       "which rows they are is not certain; left out"),
        "unlabelled_end": ("{after:place}之后有 {n} 行数字未印行名（在表末）：无法确定是哪几行；未采用",
                           "{n} row(s) of values printed without a label after {after:place}, at the end of the "
                           "table: which rows they are is not certain; left out"),
        "position": ("{row:place}：未印行名的数字按位置放入后，与{total:place}的合计关系不符；未采用",
                     "{row:place}: values printed without a label, placed by position, break the sum of "
                     "{total:place}; left out"),
        "t2_header": ("{row:place}：印出 {n} 个数字，但表头所列的列（{slots:t2cols}）与该行不符；该行未采用",
                      "{row:place}: {n} values under a header naming {slots:t2cols}; the row is left out"),
        "t2_no_header": ("{row:place}：印出 {n} 个数字且表头无法识读；该行未采用",
                         "{row:place}: {n} values and no readable header; the row is left out"),
        "t2_unnamed": ("{row:place}：印出 {n} 个数字，{m} 个表头单元格未标明该行的列；该行未采用",
                       "{row:place}: {n} values under {m} header cells that do not name its columns; the row is "
                       "left out"),
        "short": ("{row:place}：印出 {n} 个数字（应为 {of} 个），空白单元格的位置无法确定；该行未采用",
                  "{row:place}: {n} of {of} values printed and a blank cell cannot be located; the row is "
                  "left out"),
    },
    "column_order": {
        "total_first": ("表三表头的列顺序使 {n} 行的“总计 = 各类申请人之和”不成立；已按满足该关系的“总计在前”顺序读取",
                        "table 3: the header's column order breaks total = sum of applicant columns on {n} rows; "
                        "read in the order with the total first, which satisfies it"),
        "official": ("表三表头的列顺序使 {n} 行的“总计 = 各类申请人之和”不成立；已按满足该关系的官方顺序读取",
                     "table 3: the header's column order breaks total = sum of applicant columns on {n} rows; "
                     "read in the official order, which satisfies it"),
    },
    "label_misprint": {"": ("{row:place}：印出的行名“{printed}”按该行读取（仅与该行名相近，且位置相符）",
                            "{row:place}: printed label '{printed}' read as this row (close to that label only, "
                            "in its official position)")},
    "duplicate_cell": {"": ("{cell:place}印出两次；保留第一次的值", "{cell:place} printed twice; kept the first")},
    "text_cell": {"": ("{cell:place}：“{raw}”不是数字", "{cell:place}: '{raw}' is not a number")},
    "alternative_reading": {"": (
        "{table:place}：按{primary:reading}读取时有 {n_broken} 项勾稽关系不成立；按{other:reading}读取有 {n} 个单元格不同"
        "（{cells:places}），且满足表内全部勾稽关系：采用后者",
        "{table:place}: {primary:reading} breaks {n_broken} of its sums; {other:reading} reads {n} cell(s) "
        "otherwise ({cells:places}) and satisfies every sum of the table: that reading is taken")},
    "unproven": {"": ("{where:place}：几种读法不一致（{reads:reads}），且均不满足表内勾稽关系：未采用",
                      "{where:place}: the readings disagree ({reads:reads}) and none satisfies the table's "
                      "sums: left out")},
}

_SHOWN = 4  # items of a list named before "…"
_FIELD = re.compile(r"\{(\w+)(?::(\w+))?\}")


def place(addr: object, lang: str) -> str:
    """An address (cell, row, table, chapter, narrative fact) by its printed label; "—" for none."""
    from etl.checks.labels import addr_en, addr_zh

    if not isinstance(addr, str) or not addr:
        return "—"
    return addr_zh(addr) if lang == "zh" else addr_en(addr)


def _listed(items: list[str], lang: str, sep: str | None = None) -> str:
    """Items joined, the first few only: "a、b、c、d 等 6 项" / "a, b, c, d and 2 more"."""
    sep = sep or ("、" if lang == "zh" else ", ")
    shown = sep.join(items[:_SHOWN])
    if len(items) <= _SHOWN:
        return shown
    return f"{shown} 等 {len(items)} 项" if lang == "zh" else f"{shown} and {len(items) - _SHOWN} more"


def _shown(raw: object, lang: str) -> str:
    """A cell as a reading read it: its printed text, a blank, or nothing at all."""
    if raw is None:
        return "无" if lang == "zh" else "nothing"
    if raw == "":
        return "空白" if lang == "zh" else "a blank"
    return f"“{raw}”" if lang == "zh" else f"'{raw}'"


def _value(kind: str | None, v: Any, lang: str) -> str:
    zh = lang == "zh"
    if kind == "place":
        return place(v, lang)
    if kind == "places":
        return _listed([place(a, lang) for a in v or []], lang, "；" if zh else "; ")
    if kind == "list":
        return _listed([str(x) for x in v or []], lang)
    if kind == "or":
        return (" 或 " if zh else " or ").join(str(x) for x in (v or [])[:2])
    if kind == "t2cols":
        from etl import formats as F

        return _listed([F.label("t2", "col", c, lang) if c else "?" for c in v or []], lang)
    if kind == "reading":
        pair = READINGS.get(v, READINGS["structure"])
        return pair[0] if zh else pair[1]
    if kind == "reads":  # [[reading, [raw, …]], …]
        parts = []
        for reading, raws in v or []:
            shown = " / ".join(_shown(r, lang) for r in raws)
            name = _value("reading", reading, lang)
            parts.append(f"按{name}读作 {shown}" if zh else f"{name} reads {shown}")
        return ("；" if zh else "; ").join(parts)
    if kind == "quotes":  # [[value, approx, sentence], …]
        parts = []
        for value, approx, sentence in v or []:
            mark = ("（约数）" if zh else " (approx.)") if approx else ""
            parts.append(f"{value}{mark}：“{sentence}”" if zh else f"{value}{mark}: “{sentence}”")
        return ("；" if zh else "; ").join(parts)
    if kind == "conf":
        return ("未知" if zh else "unknown") if v is None else f"{float(v):.2f}"
    return "—" if v is None else str(v)


def template(code: str, variant: str = "") -> tuple[str, str] | None:
    return TEMPLATES.get(code, {}).get(variant)


def title(code: str, lang: str) -> str:
    zh, en = TITLES.get(code, ("解析问题", "parser problem"))
    return zh if lang == "zh" else en


def words(problem: Mapping[str, Any] | Any, lang: str) -> str:
    """The problem in `lang`: its code's template filled with its parameters; the code's title when it has
    no parameters for its template (or an unknown code), so no raw key or English reaches a Chinese reader."""
    get = problem.get if isinstance(problem, Mapping) else lambda k, d=None: getattr(problem, k, d)
    code, params = str(get("code") or ""), get("params") or {}
    pair = template(code, str(params.get("variant", ""))) if isinstance(params, Mapping) else None
    if pair is None:
        return title(code, lang)
    text = pair[0] if lang == "zh" else pair[1]
    try:
        return _FIELD.sub(lambda m: _value(m.group(2), params[m.group(1)], lang), text)
    except (KeyError, TypeError, ValueError):  # parameters from another version of the parser
        return title(code, lang)
