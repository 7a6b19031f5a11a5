"""Every wording a finding speaks, in one place: per message key and variant, a Chinese and an English
template, compiled into DuckDB SQL expressions so the rules stay set-based.

A rule's SELECT provides the placeholder values as columns (and, for a key with several variants, a
`variant` column naming the one to use); `sql(key)` renders `message` and `message_en` from them.

Placeholders:
    {col}           the column as VARCHAR
    {col:num}       a number as a person writes it (fnum: 12, not 12.0; NULL as —)
    {col:zh}        a cell address, table or chapter by its Chinese name (czh)
    {col:en}        the same by its English name (cen), for message_en
    {col|SEP}       a list column joined by SEP;  {col:zh|SEP}: each element by its Chinese name
    {col?TEXT}      TEXT when the BOOLEAN column is true, else nothing

Parts are joined with `||`, so a NULL value (other than through :num) makes the whole message NULL,
as the hand-written SQL did.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Template:
    zh: str
    en: str


T = Template

# key → variant → template. Keys are rule families (several rules may share one); variants are the
# outcomes a rule words differently (fail / uncertain / which kind of completeness …).
MESSAGES: dict[str, dict[str, Template]] = {
    # T3-balance, T3-outcomes, T3-columns, T4-sums, T2-stock
    "identity": {
        "uncertain": T("{grp_zh}无法核对：{unknown_zh|、}", "{grp_en} cannot be checked: {unknown|, }"),
        "eq": T("{grp_zh}：{totals_zh}应为 {parts:num}（{parts_zh}），实为 {totals:num}",
                "{grp_en}: {totals_en} should be {parts:num} ({parts_en}) but is {totals:num}"),
        "le": T("{grp_zh}：{parts_zh}为 {parts:num}，超过{totals_zh}之和 {totals:num}",
                "{grp_en}: {parts_en} = {parts:num} exceeds {totals_en} = {totals:num}"),
    },
    # one cell an identity cannot use: an element of `unknown` above
    "identity.unknown": {"": T("{cell:zh}{kind_zh}", "{cell:en} {kind_en}")},
    "non-negative": {
        "negative": T("{cell:zh}为 {actual:num}（原文“{raw}”）：数量不能为负数",
                      '{cell:en} = {actual:num} (printed "{raw}"): a count cannot be negative'),
        "fraction": T("{cell:zh}为 {actual:num}（原文“{raw}”）：数量应为整数",
                      '{cell:en} = {actual:num} (printed "{raw}"): a count must be a whole number'),
    },
    "text-vs-table": {"": T("正文称{nkey_zh}为 {stated:num}，但表格中 {shown_zh|；或 }",
                            "the text states {nkey_en} = {stated:num} but the table gives {shown| / }"),
                      # the sentence the figure was read from, so a reader can see it is the year's total
                      "quoted": T("正文称{nkey_zh}为 {stated:num}（原文：“{sentence}”），但表格中 {shown_zh|；或 }",
                                  "the text states {nkey_en} = {stated:num} (\"{sentence}\") but the table gives "
                                  "{shown| / }")},
    # one alternative sum the narrative figure may equal: an element of `shown` above
    "text-vs-table.alt": {"": T("{cells:zh|+} = {alt_total:num}", "{cells:en| + } = {alt_total:num}")},
    # X-carry, X-stock
    "cross-year": {
        "uncertain": T("{grp_zh}{prev_year}→{year}年无法核对：{bad_zh|、}",
                       "{grp_en} {prev_year}→{year} cannot be checked: {bad|, } not a number"),
        "fail": T("{grp_zh}：{year}年{actual_zh}应为 {expected:num}（{expected_zh}，见{prev_year}年报告），"
                  "实为 {actual:num}",
                  "{grp_en}: {year} {actual_en} should be {expected:num} ({expected_en}, from the {prev_year} "
                  "report) but is {actual:num}"),
        # a soft rule (X-stock): clean-ups and mergers restate a stock, so a break is to look at, not an error
        "soft": T("{grp_zh}：{year}年{actual_zh}按{expected_zh}（见{prev_year}年报告）应为 {expected:num}，实为 "
                  "{actual:num}；存量可能因清理、合并等调整而变动，需核实",
                  "{grp_en}: {year} {actual_en} would be {expected:num} by {expected_en} (from the {prev_year} "
                  "report) but is {actual:num}; a clean-up or merger may have restated the stock: to check"),
    },
    # one cell of either year the equation cannot use: an element of `bad` above
    "cross-year.bad": {"": T("{cell_year}年{cell:zh}{kind_zh}", "{cell_year} {cell:en}")},
    "X-jump": {"": T("{cell:zh}由{prev_year}年的 {expected:num} 变为{year}年的 {actual:num}，"
                     "变化超过 {ratio:num} 倍，值得复核",
                     "{cell:en} went from {expected:num} ({prev_year}) to {actual:num} ({year}): "
                     "a change beyond ×{ratio:num} deserves review")},
    "completeness.tables": {"": T("未找到表格：{cells:zh|、}", "table(s) not found: {cells:en|, }")},
    "completeness.chapters": {"": T("未找到章节：{cells:zh|、}", "chapter(s) not found: {cells:en|, }")},
    # a heading lost (a converter dropped it) where the chapter's content follows: ours to check, not absent
    "completeness.chapters_unclear": {"": T("未能识别章节标题（其内容似在，需人工核对）：{cells:zh|、}",
                                            "chapter heading(s) not recognised, their content seems present "
                                            "(check by hand): {cells:en|, }")},
    # cells of a printed table: `shown` the first few, `more` whether there are others
    "completeness.cells": {
        "absent": T("{n}个应有的单元格未印出：{shown:zh|、}{more?等}",
                    "{n} expected cell(s) not printed: {shown:en|, }{more?, …}"),
        # cells we could not read (etl.checks.gaps): ours, not the report's
        "unread": T("{n}个单元格未能识读（{why_zh}）：{shown:zh|、}{more?等}",
                    "{n} cell(s) we could not read ({why_en}): {shown:en|, }{more?, …}"),
        "empty": T("{n}个单元格空白：{shown:zh|、}{more?等}", "{n} cell(s) left blank: {shown:en|, }{more?, …}"),
        "na": T("{n}个单元格填“/”或“-”而非数字：{shown:zh|、}{more?等}",
                '{n} cell(s) printed "/" or "-" instead of a figure: {shown:en|, }{more?, …}'),
        "text": T("{n}个单元格填写文字而非数字：{shown:zh|、}{more?等}",
                  "{n} cell(s) hold words, not numbers: {shown:en|, }{more?, …}"),
    },
    "format-vs-year": {
        "unknown_year": T("报告年度不明，无法核对其格式（{template_zh}）",
                          "report year unknown: format {template} cannot be checked"),
        "mixed": T("表格混用2019 年格式和2021 年格式", "tables mix the 2019 and 2021 formats"),
        "wrong": T("{year}年度报告应使用{want_zh}，实为{template_zh}",
                   "a {year} report should use the {want} format, found {template}"),
    },
    "timeliness": {
        "unknown": T("发布日期和截止日期均不明，无法判断是否按时发布",
                     "neither the publication date nor the deadline is known: timeliness cannot be judged"),
        "undated": T("发布日期不明（截止日期 {deadline}，{basis}）", "publication date unknown (deadline {deadline}, {basis})"),
        # no rule of the year's law gives this agency a deadline (its kind unknown, or a township under the
        # 2019 regulation with no local rule): etl/warehouse/deadlines.py
        "no_deadline": T("{published_on} 发布；该机关类型或所适用的截止日期不明，发布日期与截止日期无法比较",
                         "published {published_on}; the agency's kind or its deadline is not known, so the date "
                         "cannot be compared with a deadline"),
        "late": T("{published_on} 发布，晚于截止日期 {deadline}（{basis}）共 {days} 天",
                  "published {published_on}, {days} day(s) after the deadline {deadline} ({basis})"),
        # a collected report is dated by the web page it was published on (etl.warehouse.provenance)
        "late_web_page": T("网页发布日期 {published_on}，晚于截止日期 {deadline}（{basis}）共 {days} 天",
                           "the web page was published {published_on}, {days} day(s) after the deadline "
                           "{deadline} ({basis})"),
        "late_web_listing": T("栏目列表所示日期 {published_on}，晚于截止日期 {deadline}（{basis}）共 {days} 天",
                              "the listing dates it {published_on}, {days} day(s) after the deadline {deadline} "
                              "({basis})"),
    },
    "coverage": {"": T("未找到{agency}的{year}年度报告", "no report for {year} from {agency}"),
                 # no 应报名单 names the agency: the year was not loaded, which does not say it was not published
                 "not_loaded": T("未载入{agency}的{year}年度报告（未载入应报名单，无法判断是否未发布）",
                                 "no report for {year} from {agency} was loaded (no expected-reporters list: "
                                 "whether it was published is not known)"),
                 # the agency is on the 应报名单 for that year (etl/warehouse/expected.py)
                 "listed": T("{agency}列入应报名单，未找到其{year}年度报告",
                             "{agency} is on the expected-reporters list; no report for {year} found")},
    # a chapter's own wording found in another report's same chapter (etl/checks/similarity.py)
    "similarity": {
        "own_previous": T("{cells:zh|、}与本机关{other_year}年度报告同一章节雷同：本章 {pct}% 的文字（不计各机关通用表述）"
                          "与之相同",
                          "{cells:en|, } copies the same chapter of the agency's {other_year} report: {pct}% of its "
                          "own wording (common wording aside) is the same"),
        "same_year": T("{cells:zh|、}与{other_agency}{other_year}年度报告同一章节雷同（对方发布在先）：本章 {pct}% 的文字"
                       "（不计各机关通用表述）与之相同",
                       "{cells:en|, } copies the same chapter of {other_agency}'s {other_year} report (published "
                       "earlier): {pct}% of its own wording (common wording aside) is the same"),
        "same_year_unsure": T("{cells:zh|、}与{other_agency}{other_year}年度报告同一章节雷同：本章 {pct}% 的文字"
                              "（不计各机关通用表述）与之相同；两份报告发布日期相同或不明，无法判断孰先孰后",
                              "{cells:en|, } is the same as the same chapter of {other_agency}'s {other_year} "
                              "report ({pct}% of its own wording, common wording aside); their publication dates "
                              "are equal or unknown, so who copied whom cannot be told"),
    },
    # the chapter numbering as printed (etl/checks/outline.py): `listing` names each chapter with its ordinal
    "outline": {
        "numbering": T("章节编号重复或重新开始：{listing}", "chapter numbering repeats or restarts: {listing_en}"),
        "order": T("章节顺序与规定不符：{listing}", "chapters out of the prescribed order: {listing_en}"),
    },
    "problems-empty": {
        "empty": T("{cells:zh|、}一章只有标题，没有内容", "{cells:en|, } has a heading and nothing under it"),
        "short": T("{cells:zh|、}一章仅写“{body}”，未写明存在的问题和改进措施",
                   "{cells:en|, } says only \"{body}\": no problems or improvements are stated"),
    },
    "duplicate": {"": T("同一机关同一年度已有另一文件在用：{active_path}（保留缺失单元格最少、其次问题最少、再次发布日期最晚的一份）",
                        "another file for the same agency and year is active: {active_path} "
                        "(kept: fewest missing cells, then fewest problems, then latest publication date)")},
}

COMPLETENESS_SHOWN = 12  # cells named in a completeness message; the rest are "…"

_PLACEHOLDER = re.compile(r"\{(?P<col>\w+)(?:\?(?P<cond>[^{}]*)|(?::(?P<fmt>\w+))?(?:\|(?P<sep>[^{}]*))?)\}")


def literal(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def _value(col: str, fmt: str | None, sep: str | None) -> str:
    c = f'"{col}"'
    if sep is not None:
        if fmt == "zh":
            return f"czhs({c}, {literal(sep)})"
        if fmt == "en":
            return f"cens({c}, {literal(sep)})"
        if fmt is None:
            return f"array_to_string({c}, {literal(sep)})"
    elif fmt is None:
        return f"CAST({c} AS VARCHAR)"
    elif fmt == "num":
        return f"fnum({c})"
    elif fmt == "zh":
        return f"czh({c})"
    elif fmt == "en":
        return f"cen({c})"
    raise ValueError(f"unknown placeholder format {fmt!r} (list: {sep is not None})")


def compile_template(text: str) -> str:
    """A template as a DuckDB VARCHAR expression over the columns its placeholders name."""
    if any(ch in _PLACEHOLDER.sub("", text) for ch in "{}"):
        raise ValueError(f"malformed placeholder in {text!r}")
    parts: list[str] = []
    pos = 0
    for m in _PLACEHOLDER.finditer(text):
        if m.start() > pos:
            parts.append(literal(text[pos:m.start()]))
        if m["cond"] is not None:
            parts.append(f"""CASE WHEN "{m['col']}" THEN {literal(m['cond'])} ELSE '' END""")
        else:
            parts.append(_value(m["col"], m["fmt"], m["sep"]))
        pos = m.end()
    if pos < len(text):
        parts.append(literal(text[pos:]))
    return " || ".join(parts) if parts else "''"


def expr(key: str, lang: str, variant: str = "variant") -> str:
    """`lang` ("zh" | "en") wording of `key` as a SQL expression; a key with several variants is chosen
    among by the column named `variant`."""
    variants = MESSAGES[key]
    if len(variants) == 1:
        (t,) = variants.values()
        return compile_template(getattr(t, lang))
    whens = " ".join(f"WHEN {literal(v)} THEN {compile_template(getattr(t, lang))}" for v, t in variants.items())
    return f'CASE "{variant}" {whens} END'


def sql(key: str, variant: str = "variant") -> str:
    """The `message, message_en` select items of `key`."""
    return f"{expr(key, 'zh', variant)} AS message, {expr(key, 'en', variant)} AS message_en"
