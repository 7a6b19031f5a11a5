"""The national table formats as data: canonical keys, printed labels and the variants found in the wild.

Everything that needs to know what a table looks like — the parser, the checks, the sample generator and
the dashboard's labels — reads it from here. Keys follow ../shared/docs/annual-report-format.md.

Label matching works on *normalized* text (see `norm`): NFKC-folded (full-width digits and punctuation
become ASCII, Kangxi radicals from PDF text become ordinary characters) with all whitespace removed.
Each row or column lists the fragments that identify it; the first fragment found wins, so more specific
fragments come before general ones.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from typing import NamedTuple

TABLES = ("t2", "t3", "t4")
# How a message names a table (by its place in the form); its printed title is TABLE_TITLES.
TABLE_NAMES: dict[str, tuple[str, str]] = {"t2": ("表二", "Table 2"), "t3": ("表三", "Table 3"),
                                           "t4": ("表四", "Table 4")}


class Format(StrEnum):
    """The national form a table is printed in. A StrEnum: it is stored and compared as "2021" / "2019"."""

    F2021 = "2021"
    F2019 = "2019"


FORMATS: tuple[Format, ...] = (Format.F2021, Format.F2019)
# A report's `template` is its tables' one format, or one of these.
MIXED = "mixed"  # its tables are printed in different formats
LEGACY = "legacy"  # before 2019, or no national table at all
TEMPLATES = (*FORMATS, MIXED, LEGACY)
# A template (or one table's format) as readers see it, zh and en.
TEMPLATE_LABELS: dict[str, tuple[str, str]] = {
    Format.F2021: ("2021 年格式", "2021 form"),
    Format.F2019: ("2019 年格式", "2019 form"),
    MIXED: ("两种格式混用", "Mixed 2019/2021 forms"),
    LEGACY: ("2019 年以前（无统一表格）", "Pre-2019 (no national table)"),
}
# The first report year each format is due for: the 2019 form for the 2019 and 2020 reports, the 2021 form
# from the 2021 reports on; free-form reports before that. The one place this rule is written down.
FORMAT_FROM_YEAR: dict[Format, int] = {Format.F2019: 2019, Format.F2021: 2021}


def format_for_year(year: int | None) -> str | None:
    """The template a report for `year` is due in ("2021", "2019" or "legacy"); None when the year is unknown."""
    if year is None:
        return None
    due = [f for f, first in FORMAT_FROM_YEAR.items() if year >= first]
    return max(due, key=FORMAT_FROM_YEAR.__getitem__) if due else LEGACY


def decide_format(votes: Mapping[str, int], year: int | None) -> Format | None:
    """The one format a table is in, from how many of its printed labels only one format has (`votes`). A table
    that names both (a 2021 table 2 with a local 政府集中采购 row) is in the format most of its labels name; a
    tie goes to the format due for the report's year, else to the newer form."""
    have = {Format(f): n for f, n in votes.items() if n > 0}
    if not have:
        return None
    best = max(have.values())
    tied = [f for f in FORMATS if have.get(f) == best]
    due = format_for_year(year)
    return next((f for f in tied if f == due), tied[0])


def template_of(table_formats: Mapping[str, str], year: int | None, has_tables: bool) -> str:
    """A report's template from its tables' formats: their one format, `mixed`, or — for a report whose tables
    name no format — the format due for its year (`legacy` without tables before 2019 or without a year)."""
    fmts = {table_formats[t] for t in ("t2", "t3") if table_formats.get(t)}
    if len(fmts) > 1:
        return MIXED
    if fmts:
        return next(iter(fmts))
    due = format_for_year(year)
    if not has_tables:
        return due or LEGACY
    return due or Format.F2021


def addr_str(table: str, row: str, col: str) -> str:
    """The one string form of a cell address, without building an Addr (on every parsed cell's path)."""
    return f"{table}.{row}.{col}"


def report_format(table_formats: Mapping[str, str], template: str) -> Format | None:
    """The format a table takes when its own labels name none: the report's template, else the format of its
    table 3, else of its table 2 (None: the report names no format at all)."""
    if template in FORMATS:
        return Format(template)
    f = table_formats.get("t3") or table_formats.get("t2")
    return Format(f) if f else None


class Addr(NamedTuple):
    """One cell of the national tables. Its one string form is "t3.granted.total" (`str(addr)`, `Addr.parse`)."""

    table: str
    row: str
    col: str

    def __str__(self) -> str:
        return addr_str(self.table, self.row, self.col)

    @classmethod
    def parse(cls, text: str) -> Addr:
        table, row, col = text.split(".")
        return cls(table, row, col)

_WS = re.compile(r"\s+")


@lru_cache(maxsize=16384)
def norm(text: str) -> str:
    """Fold a label for matching: NFKC, no whitespace, unify the dashes and slashes agencies use."""
    t = unicodedata.normalize("NFKC", text)
    t = _WS.sub("", t)
    return t.replace("\\", "/")


@dataclass(frozen=True)
class Key:
    key: str
    zh: str  # the label as the official form prints it
    en: str
    match: tuple[str, ...] = ()  # normalized fragments that identify it (default: zh)
    exclude: tuple[str, ...] = ()  # fragments that rule it out

    def fragments(self) -> tuple[str, ...]:
        return self.match or (norm(self.zh),)


@dataclass(frozen=True)
class Table2Format:
    name: str
    rows: tuple[Key, ...]
    cols: tuple[Key, ...]
    # row key -> column keys, in printed order
    layout: dict[str, tuple[str, ...]] = field(default_factory=dict)


# --- Table 2 -----------------------------------------------------------------------------------------

T2_ROWS: tuple[Key, ...] = (
    Key("regulations", "规章", "Regulations (规章)", ("规章",), ("规范性",)),
    Key("normative_documents", "行政规范性文件", "Normative documents", ("规范性文件",)),
    Key("licensing", "行政许可", "Administrative licensing", ("行政许可",)),
    Key("other_services", "其他对外管理服务事项", "Other external management services", ("对外管理服务",)),
    Key("punishment", "行政处罚", "Administrative penalties", ("行政处罚",)),
    Key("coercion", "行政强制", "Administrative coercion", ("行政强制",)),
    Key("admin_fees", "行政事业性收费", "Administrative fees", ("事业性收费",)),
    Key("procurement", "政府集中采购", "Government centralized procurement", ("集中采购",)),
)

T2_COLS: tuple[Key, ...] = (
    # 2021
    Key("issued", "本年制发件数", "Issued this year", ("制发", "本年发件")),
    Key("repealed", "本年废止件数", "Repealed this year", ("废止",)),
    Key("in_force", "现行有效件数", "In force", ("现行有效",)),
    Key("amount_10k_yuan", "本年收费金额（单位：万元）", "Fees collected (10k yuan)", ("收费金额",)),
    # 2019
    Key("new_made", "本年新制作数量", "Newly made this year", ("新制作",)),
    Key("new_published", "本年新公开数量", "Newly published this year", ("新公开",)),
    Key("total_published", "对外公开总数量", "Total published", ("公开总数",)),
    Key("prev_items", "上一年项目数量", "Items last year", ("上一年项目", "上年项目")),
    Key("change", "本年增/减", "Change this year", ("增/减", "增减", "增(减)")),
    Key("projects", "采购项目数量", "Procurement projects", ("采购项目",)),
    Key("amount_yuan", "采购总金额", "Procurement amount (yuan)", ("采购总金额", "采购金额")),
    # both formats
    Key("decisions", "本年处理决定数量", "Decisions this year", ("处理决定",)),
)

T2_2021 = Table2Format(
    "2021",
    rows=tuple(k for k in T2_ROWS if k.key in {
        "regulations", "normative_documents", "licensing", "punishment", "coercion", "admin_fees"}),
    cols=tuple(k for k in T2_COLS if k.key in {"issued", "repealed", "in_force", "decisions", "amount_10k_yuan"}),
    layout={
        "regulations": ("issued", "repealed", "in_force"),
        "normative_documents": ("issued", "repealed", "in_force"),
        "licensing": ("decisions",),
        "punishment": ("decisions",),
        "coercion": ("decisions",),
        "admin_fees": ("amount_10k_yuan",),
    },
)

T2_2019 = Table2Format(
    "2019",
    rows=T2_ROWS,
    cols=tuple(k for k in T2_COLS if k.key not in {"issued", "repealed", "in_force", "amount_10k_yuan"}),
    layout={
        "regulations": ("new_made", "new_published", "total_published"),
        "normative_documents": ("new_made", "new_published", "total_published"),
        "licensing": ("prev_items", "change", "decisions"),
        "other_services": ("prev_items", "change", "decisions"),
        "punishment": ("prev_items", "change", "decisions"),
        "coercion": ("prev_items", "change", "decisions"),
        "admin_fees": ("prev_items", "change"),
        "procurement": ("projects", "amount_yuan"),
    },
)

T2_FORMATS = {Format.F2021: T2_2021, Format.F2019: T2_2019}


@lru_cache(maxsize=4096)
def t2_cols_in(n: str) -> tuple[str, ...]:
    """Table-2 column keys a normalized header text names, in printed order (one PDF line or glued
    text may name several; 处理决定 inside 本年处理决定数量 is one column, never also a second)."""
    found: dict[str, int] = {}
    for k in T2_COLS:
        pos = [n.find(f) for f in k.fragments() if f in n]
        if pos and not any(x in n for x in k.exclude):
            found[k.key] = min(pos)
    return tuple(sorted(found, key=found.__getitem__))
# Labels that only one format prints: they decide which table 2 a report uses.
T2_COLS_ONLY = {
    Format.F2021: frozenset({"issued", "repealed", "in_force", "amount_10k_yuan"}),
    Format.F2019: frozenset({"new_made", "new_published", "total_published", "prev_items", "change", "projects",
                             "amount_yuan"}),
}
T2_ROWS_ONLY = {Format.F2021: frozenset(), Format.F2019: frozenset({"other_services", "procurement"})}

# Item headings of table 2 (第二十条第（一）项 …) and which rows sit under each.
T2_ITEMS = {
    "一": ("regulations", "normative_documents"),
    "五": ("licensing", "other_services"),
    "六": ("punishment", "coercion"),
    "八": ("admin_fees",),
    "九": ("procurement",),
}

# Cells whose value may legitimately be negative or fractional.
T2_SIGNED_COLS = frozenset({"change"})
T2_AMOUNT_COLS = {"amount_10k_yuan": 10_000, "amount_yuan": 1}  # column -> yuan per unit

# --- Table 3 -----------------------------------------------------------------------------------------

T3_COLS: tuple[Key, ...] = (
    Key("natural_person", "自然人", "Natural persons", ("自然人",)),
    Key("commercial", "商业企业", "Commercial enterprises", ("商业企业",)),
    Key("research", "科研机构", "Research institutions", ("科研机构",)),
    Key("social_welfare", "社会公益组织", "Social welfare organizations", ("社会公益组织", "公益组织")),
    Key("legal_services", "法律服务机构", "Legal service institutions", ("法律服务机构",)),
    Key("other_org", "其他", "Other organizations", ("其他",)),
    Key("total", "总计", "Total", ("总计",)),
)
T3_COL_KEYS = tuple(k.key for k in T3_COLS)
T3_ORG_COLS = ("commercial", "research", "social_welfare", "legal_services", "other_org")
T3_ORG_GROUP = "法人或其他组织"
T3_APPLICANT_COLS = ("natural_person",) + T3_ORG_COLS

# Rows in printed order. `group` is the merged label above a run of rows; it carries no numbers.
T3_ROWS: tuple[Key, ...] = (
    Key("new_received", "一、本年新收政府信息公开申请数量", "New requests received", ("本年新收",)),
    Key("carried_over", "二、上年结转政府信息公开申请数量", "Carried over from last year",
        ("上年结转", "上年转结", "上年度结转")),
    Key("granted", "（一）予以公开", "Granted", ("予以公开",)),
    Key("partially_granted", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "Partially granted",
        ("部分公开",)),
    Key("withheld_state_secret", "1.属于国家秘密", "Withheld: state secret", ("国家秘密",)),
    Key("withheld_prohibited_by_law", "2.其他法律行政法规禁止公开", "Withheld: prohibited by law",
        ("禁止公开",)),
    Key("withheld_security_stability", "3.危及“三安全一稳定”", "Withheld: security and stability",
        ("三安全一稳定", "危及")),
    Key("withheld_third_party", "4.保护第三方合法权益", "Withheld: third-party rights", ("第三方",)),
    Key("withheld_internal_affairs", "5.属于三类内部事务信息", "Withheld: internal affairs", ("内部事务",)),
    Key("withheld_process_info", "6.属于四类过程性信息", "Withheld: process information", ("过程性",)),
    Key("withheld_enforcement_file", "7.属于行政执法案卷", "Withheld: enforcement file", ("执法案卷",)),
    Key("withheld_inquiry", "8.属于行政查询事项", "Withheld: inquiry matter", ("行政查询",)),
    Key("unavailable_not_held", "1.本机关不掌握相关政府信息", "Could not provide: not held", ("不掌握",)),
    Key("unavailable_needs_creation", "2.没有现成信息需要另行制作", "Could not provide: would need creating",
        ("另行制作", "没有现成")),
    Key("unavailable_unclear", "3.补正后申请内容仍不明确", "Could not provide: still unclear",
        ("仍不明确", "补正后申请")),
    Key("not_processed_petition", "1.信访举报投诉类申请", "Not processed: petition or complaint",
        ("信访举报", "举报投诉")),
    Key("not_processed_duplicate", "2.重复申请", "Not processed: duplicate", ("重复申请",)),
    Key("not_processed_publication", "3.要求提供公开出版物", "Not processed: publication requested",
        ("公开出版物",)),
    Key("not_processed_excessive", "4.无正当理由大量反复申请", "Not processed: excessive repeats",
        ("大量反复",)),
    Key("not_processed_confirmation", "5.要求行政机关确认或重新出具已获取信息",
        "Not processed: confirmation of held information", ("确认或重新出具", "重新出具", "确认或重新")),
    Key("other_no_correction", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        "Other: applicant did not complete",
        ("逾期不补正", "无正当理由逾期", "逾期不补")),
    Key("other_unpaid_fee", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        "Other: fee not paid", ("缴纳费用", "收费通知")),
    Key("other_other", "3.其他", "Other: other", ()),  # matched by position, see extract.tables
    Key("other_total_2019", "（六）其他处理", "Other handling (2019 single row)", ("其他处理",)),
    Key("total_processed", "（七）总计", "Total processed", ("(七)总计", "七、总计")),
    Key("carried_forward", "四、结转下年度继续办理", "Carried forward to next year",
        ("结转下年", "转结下年", "结转至下年", "结转到下年")),
)
T3_ROW_KEYS = tuple(k.key for k in T3_ROWS)
T3_ROWS_2021 = tuple(k for k in T3_ROW_KEYS if k != "other_total_2019")
T3_ROWS_2019 = tuple(k for k in T3_ROW_KEYS if k not in {"other_no_correction", "other_unpaid_fee", "other_other"})
T3_ROWS_BY_FORMAT = {Format.F2021: T3_ROWS_2021, Format.F2019: T3_ROWS_2019}
# Rows whose presence names the format of table 3: the 2019 single （六）其他处理 row or the 2021 sub-rows.
T3_ROWS_ONLY = {Format.F2021: frozenset({"other_no_correction", "other_unpaid_fee", "other_other"}),
                Format.F2019: frozenset({"other_total_2019"})}


@dataclass(frozen=True)
class OutcomeGroup:
    """A group of table 3's outcome rows (三、本年度办理结果): the charts' categories and the checks' sums."""

    key: str
    zh: str
    en: str
    rows: Mapping[str, tuple[str, ...]]  # format -> row keys, in printed order
    heading: tuple[str, ...] = ()  # the merged heading printed above its sub-rows (first: official wording)


_BOTH = tuple(FORMATS)
WITHHELD_ROWS = tuple(k for k in T3_ROW_KEYS if k.startswith("withheld_"))
UNAVAILABLE_ROWS = tuple(k for k in T3_ROW_KEYS if k.startswith("unavailable_"))
NOT_PROCESSED_ROWS = tuple(k for k in T3_ROW_KEYS if k.startswith("not_processed_"))
OTHER_ROWS_2021 = ("other_no_correction", "other_unpaid_fee", "other_other")
OUTCOME_GROUPS: tuple[OutcomeGroup, ...] = (
    OutcomeGroup("granted", "予以公开", "Granted", dict.fromkeys(_BOTH, ("granted",))),
    OutcomeGroup("partially_granted", "部分公开", "Partially granted", dict.fromkeys(_BOTH, ("partially_granted",))),
    OutcomeGroup("withheld", "不予公开", "Withheld", dict.fromkeys(_BOTH, WITHHELD_ROWS), ("（三）不予公开", "不予公开")),
    OutcomeGroup("unavailable", "无法提供", "Could not provide", dict.fromkeys(_BOTH, UNAVAILABLE_ROWS),
                 ("（四）无法提供", "无法提供")),
    OutcomeGroup("not_processed", "不予处理", "Not processed", dict.fromkeys(_BOTH, NOT_PROCESSED_ROWS),
                 ("（五）不予处理", "不予处理")),
    # the 2019 form prints （六）其他处理 as one row; the 2021 form as a heading over three sub-rows
    OutcomeGroup("other", "其他处理", "Other handling", {Format.F2021: OTHER_ROWS_2021,
                                                       Format.F2019: ("other_total_2019",)},
                 ("（六）其他处理", "其他处理")),
)
OUTCOME_GROUP = {g.key: g for g in OUTCOME_GROUPS}
T3_OUTCOMES_HEADING = ("三、本年度办理结果", "本年度办理结果")
# Headings printed in table 3 that carry no numbers: the outcomes heading, then each group's.
T3_GROUPS = {"outcomes": T3_OUTCOMES_HEADING, **{g.key: g.heading for g in OUTCOME_GROUPS if g.heading}}
# A sub-row -> the printed heading of its group (（三）不予公开 …): "3.其他" alone is ambiguous. The 2019
# form's single （六）其他处理 row is a heading itself.
HEADING_OF_ROW = {r: g.heading[0] for g in OUTCOME_GROUPS if g.heading for r in g.rows[Format.F2021]}
# row key -> its outcome group (both formats)
GROUP_OF_ROW = {r: g.key for g in OUTCOME_GROUPS for rows in g.rows.values() for r in rows}
# The outcome rows (granted … other) per format, in printed order: they add up to （七）总计.
T3_OUTCOME_ROWS: dict[str, tuple[str, ...]] = {f: tuple(r for g in OUTCOME_GROUPS for r in g.rows[f]) for f in FORMATS}
T3_OUTCOME_ROWS_2021 = T3_OUTCOME_ROWS[Format.F2021]
T3_OUTCOME_ROWS_2019 = T3_OUTCOME_ROWS[Format.F2019]

# --- Table 4 -----------------------------------------------------------------------------------------

T4_ROWS: tuple[Key, ...] = (
    Key("review", "行政复议", "Administrative reconsideration", ("行政复议",)),
    Key("litigation_direct", "未经复议直接起诉", "Litigation without prior reconsideration", ("直接起诉",)),
    Key("litigation_after_review", "复议后起诉", "Litigation after reconsideration", ("复议后起诉",)),
)
T4_COLS: tuple[Key, ...] = (
    Key("upheld", "结果维持", "Upheld", ("维持",)),
    Key("corrected", "结果纠正", "Corrected", ("纠正",)),
    Key("other", "其他结果", "Other result", ("其他结果",)),
    Key("pending", "尚未审结", "Pending", ("尚未审结", "未审结")),
    Key("total", "总计", "Total", ("总计",)),
)
T4_ROW_KEYS = tuple(k.key for k in T4_ROWS)
T4_COL_KEYS = tuple(k.key for k in T4_COLS)
T4_RESULT_COLS = tuple(c for c in T4_COL_KEYS if c != "total")  # they add up to 总计
# Table 4 is printed the same way in both formats: three blocks of five columns, in this order.
T4_CELLS: tuple[Addr, ...] = tuple(Addr("t4", r, c) for r in T4_ROW_KEYS for c in T4_COL_KEYS)

# --- Words that say which table a run of cells belongs to ---------------------------------------------

T2_ITEM_WORD = "第二十条"  # table 2's item headings: 第二十条第（一）项 …
T2_ITEM_RE = re.compile(r"第二十条第?\(?([一二三四五六七八九十]+)\)?项?")  # on normalized text
T2_HEADER_WORD = "信息内容"  # table 2's top-left header cell
T3_HEADER_WORDS = ("申请人情况", "勾稽关系")  # only table 3's header prints these
T3_BALANCE_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
T4_BLOCK_WORDS = ("行政复议", "行政诉讼")  # table 4's top header cells
T4_HEADER_WORD = "结果维持"  # table 4's first result column
# Words only a table prints (beside its row labels): a line carrying one is a table line, never prose.
TABLE_WORDS = (T2_ITEM_WORD, T2_HEADER_WORD, *T3_HEADER_WORDS, T3_OUTCOMES_HEADING[-1],
               *(g.heading[-1] for g in OUTCOME_GROUPS if g.heading and g.key != "other"))

# --- Everything together -----------------------------------------------------------------------------

ROWS: dict[str, tuple[Key, ...]] = {"t2": T2_ROWS, "t3": T3_ROWS, "t4": T4_ROWS}
COLS: dict[str, tuple[Key, ...]] = {"t2": T2_COLS, "t3": T3_COLS, "t4": T4_COLS}
TABLE_TITLES = {
    "t2": ("主动公开政府信息情况", "Proactive disclosure (table 2)"),
    "t3": ("收到和处理政府信息公开申请情况", "Requests received and handled (table 3)"),
    "t4": ("政府信息公开行政复议、行政诉讼情况", "Reconsideration and litigation (table 4)"),
}


@lru_cache(maxsize=16)
def table_cells(table: str, fmt: str) -> tuple[Addr, ...]:
    """Every cell a complete table `table` in format `fmt` prints, in printed order (table 4: either format)."""
    if table == "t2":
        return tuple(Addr("t2", r, c) for r, cols in T2_FORMATS[Format(fmt)].layout.items() for c in cols)
    if table == "t3":
        return tuple(Addr("t3", r, c) for r in T3_ROWS_BY_FORMAT[Format(fmt)] for c in T3_COL_KEYS)
    return T4_CELLS


def expected_cells(fmt: str | Mapping[str, str]) -> list[Addr]:
    """Every cell a complete report prints: in one format (`"2021"`), or with each table in its own format
    (`{"t2": "2019", "t3": "2021"}`; a table not named is left out)."""
    per = dict.fromkeys(TABLES, fmt) if isinstance(fmt, str) else fmt
    return [a for t in TABLES if per.get(t) for a in table_cells(t, str(per[t]))]


def label(table: str, kind: str, key: str, lang: str = "zh") -> str:
    """The printed (zh) or English label of a row or column key, for UIs and renderings."""
    for k in (ROWS if kind == "row" else COLS)[table]:
        if k.key == key:
            return k.zh if lang == "zh" else k.en
    return key


# Six chapters, matched by heading text (ordinals are sometimes renumbered).
CHAPTERS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("overview", "总体情况", ("总体情况",)),
    ("proactive", "主动公开政府信息情况", ("主动公开政府信息情况", "主动公开政府信息")),
    ("requests", "收到和处理政府信息公开申请情况", ("收到和处理政府信息公开申请", "收到和处理")),
    ("review_litigation", "政府信息公开行政复议、行政诉讼情况", ("行政复议、行政诉讼", "行政复议,行政诉讼",
                                                                "复议、诉讼", "行政复议提起行政诉讼")),
    ("problems", "存在的主要问题及改进情况", ("存在的主要问题", "主要问题及改进", "问题及改进")),
    ("other", "其他需要报告的事项", ("其他需要报告",)),
)
CHAPTER_KEYS = tuple(c[0] for c in CHAPTERS)
CHAPTER_EN = {"overview": "Overview", "proactive": "Proactive disclosure", "requests": "Requests",
              "review_litigation": "Reconsideration and litigation", "problems": "Problems and improvements",
              "other": "Other matters"}
_CHAPTER_RE = re.compile("|".join(re.escape(f) for _, _, frags in CHAPTERS for f in frags))
_PAREN_ORDINAL = re.compile(r"^[(（][一二三四五六七八九十]+[)）]")
_ORDINAL = re.compile(r"^(?:[一二三四五六七八九十]+|\d{1,2})\s*[、.．,，:：\s]?")
# A chapter ordinal in Chinese numerals, the 、 often dropped or printed as another mark ("一总体情况",
# "四．…"), sometimes "第五部分": digits ("1.") number subsections far more often than chapters.
_CN_ORDINAL = re.compile(r"^第?[一二三四五六七八九十]{1,2}(?:部分|章)?[、.,:]")
_ORDINAL_BARE = re.compile(r"^(?:[一二三四五六七八九十]+|\d{1,2})(?![、.．,，:：])")
# Markdown a converter leaves around a heading ("## 五、…", "**六、…**", "> …"), on normalized text.
_MD_LEAD = re.compile(r"^(?:#{1,6}|>|\*{1,2}|_{2})+")
_MD_TAIL = re.compile(r"(?:#+|\*{1,2}|_{2})$")
# How a sentence ends or refers on: a line ending so, or saying 如下/见下表, mentions a heading's words in
# prose ("…行政复议、行政诉讼情况如下表：") and heads nothing.
_PROSE_END = ("。", ";", "!", "?", "，", ",")
_PROSE_WORDS = ("如下", "见下", "下表", "详见", "包括", "等六")
# Fuzzy matching (a heading misprinted, or wrapped in more words): how much of the official heading the line
# carries in order (longest common subsequence over the heading's length), and how many characters beyond it
# it may add, with and without a chapter ordinal in front. A line close to two headings heads neither.
CHAPTER_COVERAGE = 0.8
_EXTRA_NUMBERED = 1.0  # × the heading's length: "五、政府信息公开工作存在的主要问题及改进情况"
_EXTRA_BARE = 0.25  # a line without an ordinal must be the heading, give or take a misprint
_OFFICIAL = {key: norm(zh) for key, zh, _ in CHAPTERS}


def _lcs(a: str, b: str) -> int:
    """Length of the longest common subsequence of two short strings (a heading is ≤ 17 characters)."""
    prev = [0] * (len(b) + 1)
    for ca in a:
        cur = [0]
        for j, cb in enumerate(b):
            cur.append(prev[j] + 1 if ca == cb else max(prev[j + 1], cur[j]))
        prev = cur
    return prev[-1]


def _strip_marks(n: str) -> str:
    return _MD_TAIL.sub("", _MD_LEAD.sub("", n))


class ChapterMatch(NamedTuple):
    key: str
    exact: bool  # the heading's own words (a listed fragment), not a near miss


@lru_cache(maxsize=16384)
def chapter_match(n: str) -> ChapterMatch | None:
    """The chapter a normalized line heads, and whether by its words or by a near miss.

    By its words: a listed fragment at the start of the line, or inside a short or numbered one (ordinals are
    sometimes renumbered, so any ordinal counts). By a near miss: the line, its ordinal and Markdown marks
    aside, carries at least CHAPTER_COVERAGE of exactly one official heading in order (a misprint such as
    行政法复议, words added such as 政府信息公开工作存在的…) and little else. (一)-style subsections, long
    lines and sentences that refer to a chapter's subject are not headings."""
    n = _strip_marks(n)
    if not n or len(n) > 40 or _PAREN_ORDINAL.match(n) or n.endswith(_PROSE_END) or any(w in n for w in _PROSE_WORDS):
        return None
    if _CHAPTER_RE.search(n):
        body = _ORDINAL.sub("", n, count=1)
        # an ordinal without its mark must run straight into the heading's words ("一总体情况"): "三是加强
        # 行政复议、行政诉讼…" is prose
        marked = body != n and not _ORDINAL_BARE.match(n)
        # a numbered heading "…情况" may wrap its words in more text (因政府信息公开工作被申请行政复议、提起行政诉讼情况)
        numbered = marked and body.endswith("情况")
        loose = body == n or marked  # where a fragment may stand inside the line
        for key, _, frags in CHAPTERS:
            if any(body.startswith(f) or (loose and f in body and (numbered or len(body) <= len(f) + 12))
                   for f in frags):
                return ChapterMatch(key, True)
    return _near_miss(n)


def _near_miss(n: str) -> ChapterMatch | None:
    body = _CN_ORDINAL.sub("", n, count=1)
    numbered = body != n
    if not body or body.endswith(":"):  # (a heading by its words may end so; a near miss may not)
        return None
    fits = []
    for key, official in _OFFICIAL.items():
        if len(set(official) & set(body)) < CHAPTER_COVERAGE * len(set(official)):
            continue  # (cheap: most lines share few characters with any heading)
        common = _lcs(body, official)
        extra = len(body) - common
        allowed = len(official) * (_EXTRA_NUMBERED if numbered else _EXTRA_BARE)
        if common >= CHAPTER_COVERAGE * len(official) and extra <= allowed:
            fits.append(key)
    return ChapterMatch(fits[0], False) if len(fits) == 1 else None


def chapter_heading(n: str) -> str | None:
    """The chapter a normalized line heads (二、主动公开政府信息情况 → "proactive"), or None: see chapter_match."""
    m = chapter_match(n)
    return m.key if m else None


def chapter_at_start(n: str) -> tuple[ChapterMatch, int] | None:
    """A heading at the start of a normalized run of text that goes on into its chapter ("五、存在的主要问题及
    改进情况2022年，本机关…"), as crawled pages print a whole report on one line: the shortest prefix that
    reads as a heading, up to the first digit (a table row such as 四、结转下年度继续办理1000001 is no
    heading), and its length: up to where the most of the official heading has been read, so that what
    follows can be told apart (more text, or a list's "；" after a heading's words named in a sentence)."""
    head = re.split(r"\d", n[:44], maxsplit=1)[0]
    for end in range(3, len(head) + 1):
        m = chapter_match(head[:end])
        if m:
            official = _OFFICIAL[m.key]
            best = _lcs(head[:end], official)
            for longer in range(end + 1, len(head) + 1):
                if best == len(official):
                    break
                if (got := _lcs(head[:longer], official)) > best:
                    best, end = got, longer
            return m, end
    return None
