"""The one metrics registry: every figure and rate the warehouse computes and the dashboard shows.

Two layers:

- A `Measure` is a named quantity of one report: a signed sum of canonical cells ("t3.granted.total",
  etl.formats.Addr) or of a few report FIELDS (the narrative's proactive_items, whether the report was late or
  failed a check, the report itself). Its terms may differ by the format of one table (other handling: the
  2019 single row, the 2021 three sub-rows); a format it names no terms for gives NULL. Every measure is a
  column of the `report_metrics` mart, generated from this registry (etl/warehouse/marts.py). A sum is
  NULL when any of its inputs is absent or has no value: a blank or "/" is never 0.
- A `Metric` is what the dashboard shows: a numerator measure, optionally over a denominator measure, with
  labels, definitions and its unit. Rates are always ratio-of-sums when aggregated (Σ numerator ÷ Σ
  denominator over the reports where both are known), never an average of per-report rates.

Names follow one rule (see etl/warehouse/marts.py): a measure is named after the canonical keys it reads.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import NamedTuple

from etl import formats as F

ANY = "*"  # a measure's terms for every report, whatever its tables' formats

# Report fields a measure may read besides cells: name -> (zh, en). etl/warehouse/marts.py gives each its SQL.
FIELDS: dict[str, tuple[str, str]] = {
    "proactive_items": ("总体情况中陈述的主动公开信息条数", "items proactively published, as the overview states"),
    "is_late": ("逾期发布（1 = 逾期，0 = 按时，发布日期或截止日期不明为空）",
                "published late (1 late, 0 on time, NULL where the date or the deadline is unknown)"),
    "has_fail": ("有未通过的核对（1 = 有，0 = 无）", "has a failed check (1 yes, 0 no)"),
    "has_figure_error": ("数字核对未通过（1 = 是，0 = 否；逾期、缺失等发布问题不计）",
                         "a check of the figures failed (1 yes, 0 no; lateness and other publication issues "
                         "not counted)"),
    "report": ("报告（每份计 1）", "the report (1 each)"),
}


class Term(NamedTuple):
    sign: int  # +1 or -1
    source: str  # a canonical cell "t3.granted.total" or a FIELDS name

    @property
    def is_cell(self) -> bool:
        return self.source not in FIELDS

    @property
    def addr(self) -> F.Addr:
        return F.Addr.parse(self.source)


@dataclass(frozen=True)
class Measure:
    name: str  # its report_metrics column
    zh: str
    en: str
    terms: Mapping[str, tuple[Term, ...]]  # format of table `by` ("2021"/"2019") -> terms; or {ANY: terms}
    by: str | None = None  # the table whose format (reports.t2_format / t3_format) picks the terms
    unit: str = "件"

    def terms_for(self, fmt: str | None) -> tuple[Term, ...] | None:
        """The terms for a report whose table `by` is in `fmt`; None: the measure is NULL for it."""
        if ANY in self.terms:
            return self.terms[ANY]
        return self.terms.get(fmt) if fmt is not None else None

    @property
    def sources(self) -> tuple[str, ...]:
        """Every cell or field it reads, in any format, in order."""
        return tuple(dict.fromkeys(t.source for ts in self.terms.values() for t in ts))

    def label(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else self.en

    def formula(self, lang: str = "zh") -> str:
        """Its terms in words: "2021: a + b + c; 2019: d" when they differ by format."""
        def words(ts: tuple[Term, ...]) -> str:
            return " ".join(("− " if t.sign < 0 else "+ " if i else "") + source_label(t.source, lang)
                            for i, t in enumerate(ts))

        if ANY in self.terms:
            return words(self.terms[ANY])
        form = "年格式" if lang == "zh" else " form"
        return "; ".join(f"{table_name(self.by or '', lang)} {fmt}{form}: {words(ts)}" for fmt, ts in self.terms.items())


_TABLE_NAMES = F.TABLE_NAMES


def table_name(table: str, lang: str = "zh") -> str:
    """The table as a reader names it: 表三 / Table 3."""
    pair = _TABLE_NAMES.get(table)
    return table if pair is None else pair[lang != "zh"]


def source_label(source: str, lang: str = "zh") -> str:
    """A cell or field in words: "表三：（一）予以公开 × 总计"."""
    if source in FIELDS:
        return FIELDS[source][lang != "zh"]
    a = F.Addr.parse(source)
    sep = "：" if lang == "zh" else ": "
    return f"{table_name(a.table, lang)}{sep}{F.label(a.table, 'row', a.row, lang)} × {F.label(a.table, 'col', a.col, lang)}"


class Direction(StrEnum):
    """Which way a metric is better: what a ranking puts first, what band 1 means, how a change is coloured."""

    HIGHER = "higher_better"
    LOWER = "lower_better"
    NEITHER = "neither"  # a size or a propensity, not a verdict: ranked only as larger/smaller, no colour


# The direction vocabulary's words, owned here: direction -> (zh, en).
DIRECTIONS: dict[Direction, tuple[str, str]] = {
    Direction.HIGHER: ("越高越好", "higher is better"),
    Direction.LOWER: ("越低越好", "lower is better"),
    Direction.NEITHER: ("高低无好坏之分", "neither higher nor lower is better"),
}


def direction_words(direction: Direction, lang: str = "zh") -> str:
    return DIRECTIONS[Direction(direction)][lang != "zh"]


@dataclass(frozen=True)
class Metric:
    name: str
    zh: str
    en: str
    numerator: str  # a measure name
    denominator: str | None = None  # a measure name; None for a count
    per: int = 1  # 1 = share (0..1); 100 = per 100 of the denominator
    definition_zh: str = ""
    definition_en: str = ""
    unit: str = ""  # of a count: 件, 条 …
    of_view: bool = False  # the denominator is summed over every report in view, not within the group
    # keyword-only and without a default: every metric states its direction on purpose (Direction)
    direction: Direction = field(kw_only=True)

    @property
    def is_rate(self) -> bool:
        return self.denominator is not None

    @property
    def is_share(self) -> bool:
        """A fraction shown as a percentage (0..1), not a figure per 100."""
        return self.is_rate and self.per == 1

    def label(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else self.en

    @property
    def has_direction(self) -> bool:
        """Whether a higher or a lower value is better news (a ranking's band 1 and a change's colour mean
        something); False for volumes and propensities."""
        return self.direction != Direction.NEITHER

    def definition(self, lang: str = "zh") -> str:
        return self.definition_zh if lang == "zh" else self.definition_en

    @property
    def measures(self) -> tuple[Measure, ...]:
        return tuple(MEASURE[n] for n in (self.numerator, self.denominator) if n)

    @property
    def sources(self) -> tuple[str, ...]:
        """The cells and report fields its measures read (any format)."""
        return tuple(dict.fromkeys(s for m in self.measures for s in m.sources))

    @property
    def source_cells(self) -> tuple[str, ...]:
        """The canonical cells its measures read (any format)."""
        return tuple(s for s in self.sources if s not in FIELDS)


# --- measures -----------------------------------------------------------------------------------------

def _plus(*sources: str) -> tuple[Term, ...]:
    return tuple(Term(1, s) for s in sources)


def _minus(*sources: str) -> tuple[Term, ...]:
    return tuple(Term(-1, s) for s in sources)


def _t3(row: str) -> str:
    return str(F.Addr("t3", row, "total"))


def _per_format(table: str, terms: Mapping[str, tuple[Term, ...]]) -> dict:
    """(terms, by) for a measure whose terms may differ by `table`'s format: one set when they do not."""
    if len(terms) == len(F.FORMATS) and len({terms[f] for f in F.FORMATS}) == 1:
        return {"terms": {ANY: terms[F.FORMATS[0]]}, "by": None}
    return {"terms": dict(terms), "by": table}


# Table 2 cells with a measure of their own: name -> (row, col) of the 2021 form.
T2_FLOWS: dict[str, tuple[str, str]] = {
    "t2_regulations_issued": ("regulations", "issued"),
    "t2_normative_issued": ("normative_documents", "issued"),
    "t2_normative_in_force": ("normative_documents", "in_force"),
    "t2_licensing": ("licensing", "decisions"),
    "t2_punishment": ("punishment", "decisions"),
    "t2_coercion": ("coercion", "decisions"),
    "t2_admin_fees": ("admin_fees", "amount_10k_yuan"),
}


def _measures() -> tuple[Measure, ...]:
    out: list[Measure] = []

    def add(name: str, zh: str, en: str, terms: tuple[Term, ...], unit: str = "件") -> None:
        out.append(Measure(name, zh, en, {ANY: terms}, unit=unit))

    add("reports", "报告数", "Reports", _plus("report"), unit="份")
    add("late_reports", "逾期发布的报告", "Reports published late", _plus("is_late"), unit="份")
    add("failed_reports", "核对未通过的报告", "Reports with failed checks", _plus("has_fail"), unit="份")
    add("figure_error_reports", "数字有误的报告", "Reports with errors in the figures", _plus("has_figure_error"),
        unit="份")
    add("proactive_items", "主动公开信息条数", "Items proactively published", _plus("proactive_items"), unit="条")
    # table 3, total column: the single rows, then the outcome groups of etl.formats, then named sums
    for row in ("new_received", "carried_over", "total_processed", "carried_forward"):
        add(row, F.label("t3", "row", row), F.label("t3", "row", row, "en"), _plus(_t3(row)))
    for g in F.OUTCOME_GROUPS:
        terms = {fmt: _plus(*map(_t3, g.rows[fmt])) for fmt in F.FORMATS}
        out.append(Measure(g.key, g.zh, g.en, **_per_format("t3", terms)))
    add("requests_to_handle", "应办理申请（新收+上年结转）", "Requests to handle (new + carried over)",
        _plus(_t3("new_received"), _t3("carried_over")))
    add("granted_or_partly", "予以公开与部分公开", "Granted or partially granted",
        _plus(_t3("granted"), _t3("partially_granted")))
    # table 4: per block set × column, and decided = total − pending
    blocks = {"review": ("review",), "litigation": tuple(r for r in F.T4_ROW_KEYS if r.startswith("litigation_")),
              "all": F.T4_ROW_KEYS}
    names = {"review": ("行政复议", "Reconsideration"), "litigation": ("行政诉讼", "Litigation"),
             "all": ("复议与诉讼", "Reconsideration and litigation")}
    for b, rows in blocks.items():
        zh, en = names[b]
        for col in ("total", "corrected", "pending"):
            add(f"{b}_{col}", f"{zh} {F.label('t4', 'col', col)}", f"{en}: {F.label('t4', 'col', col, 'en').lower()}",
                _plus(*(str(F.Addr("t4", r, col)) for r in rows)))
        add(f"{b}_decided", f"{zh} 已审结", f"{en}: decided",
            _plus(*(str(F.Addr("t4", r, "total")) for r in rows)) + _minus(*(str(F.Addr("t4", r, "pending"))
                                                                             for r in rows)))
    # table 2 flows: the 2021 form only (a 2019 table 2 measures other things)
    for name, (row, col) in T2_FLOWS.items():
        a = F.Addr("t2", row, col)
        zh = f"{F.label('t2', 'row', row)} {F.label('t2', 'col', col)}"
        en = f"{F.label('t2', 'row', row, 'en')}: {F.label('t2', 'col', col, 'en').lower()}"
        out.append(Measure(name, zh, en, {F.Format.F2021: _plus(str(a))}, by="t2",
                           unit="万元" if col in F.T2_AMOUNT_COLS else "件"))
    return tuple(out)


MEASURES: tuple[Measure, ...] = _measures()
MEASURE = {m.name: m for m in MEASURES}

# --- metrics ------------------------------------------------------------------------------------------

# Directions, chosen per metric (docs: annual-report-format.md, "Rates"):
# - volumes (requests, cases, items published) and the share of the view say how big, not how good: NEITHER;
# - 公开率 is the share of requests answered with the information: HIGHER;
# - 不予公开率, 无法提供率, a carry-forward share, the share still pending, every 纠错率 (a decision overturned)
#   and every share of reports failing a check or published late are the failures of a request, a decision or
#   a report: LOWER;
# - reconsiderations and lawsuits per 100 requests measure how often applicants use their right to challenge
#   (and who the applicants are), not how well the agency decided — that verdict is the 纠错率: NEITHER.
METRICS: tuple[Metric, ...] = (
    # counts
    Metric("proactive_items", "主动公开信息条数", "Items proactively published", "proactive_items",
           definition_zh="总体情况中报告的本年主动公开政府信息条数（文字陈述）。",
           definition_en="Number of items proactively published in the year, as stated in the overview text.",
           unit="条",
           direction=Direction.NEITHER),
    Metric("new_received", "本年新收申请", "New requests received", "new_received",
           definition_zh="表三 一、本年新收政府信息公开申请数量（总计列）。",
           definition_en="Table 3 row 1, new requests received (total column).", unit="件",
           direction=Direction.NEITHER),
    Metric("requests_to_handle", "应办理申请（新收+上年结转）", "Requests to handle (new + carried over)",
           "requests_to_handle",
           definition_zh="本年新收 + 上年结转。", definition_en="New requests plus those carried over.", unit="件",
           direction=Direction.NEITHER),
    Metric("total_processed", "本年办结", "Requests processed", "total_processed",
           definition_zh="表三（七）总计。", definition_en="Table 3, total processed (row 7 of the outcomes).", unit="件",
           direction=Direction.NEITHER),
    Metric("review_total", "行政复议", "Reconsideration cases", "review_total",
           definition_zh="表四 行政复议 总计。", definition_en="Table 4, reconsideration total.", unit="件",
           direction=Direction.NEITHER),
    Metric("litigation_total", "行政诉讼", "Litigation cases", "litigation_total",
           definition_zh="表四 未经复议直接起诉 总计 + 复议后起诉 总计。",
           definition_en="Table 4, litigation without and after reconsideration, totals added.", unit="件",
           direction=Direction.NEITHER),
    # rates
    Metric("disclosure_rate", "公开率", "Disclosure rate", "granted_or_partly", "total_processed",
           definition_zh="（予以公开 + 部分公开）÷ 办结总数。",
           definition_en="(Granted + partially granted) ÷ total processed.",
           direction=Direction.HIGHER),
    Metric("withholding_rate", "不予公开率", "Withholding rate", "withheld", "total_processed",
           definition_zh="不予公开各项之和 ÷ 办结总数。", definition_en="All withheld rows ÷ total processed.",
           direction=Direction.LOWER),
    Metric("unavailable_rate", "无法提供率", "Could-not-provide rate", "unavailable", "total_processed",
           definition_zh="无法提供各项之和 ÷ 办结总数。",
           definition_en="All could-not-provide rows ÷ total processed.",
           direction=Direction.LOWER),
    Metric("carry_forward_share", "结转下年比例", "Carry-forward share", "carried_forward", "requests_to_handle",
           definition_zh="结转下年度继续办理 ÷（本年新收 + 上年结转）。",
           definition_en="Carried forward ÷ (new received + carried over).",
           direction=Direction.LOWER),
    Metric("review_rate", "行政复议率（每百件申请）", "Reconsiderations per 100 requests", "review_total",
           "new_received", per=100,
           definition_zh="行政复议总计 ÷ 本年新收申请 × 100。",
           definition_en="Reconsideration total per 100 new requests.",
           direction=Direction.NEITHER),
    Metric("litigation_rate", "行政诉讼率（每百件申请）", "Lawsuits per 100 requests", "litigation_total",
           "new_received", per=100,
           definition_zh="（直接起诉 + 复议后起诉）总计 ÷ 本年新收申请 × 100。",
           definition_en="Litigation totals (direct + after reconsideration) per 100 new requests.",
           direction=Direction.NEITHER),
    Metric("review_correction_rate", "行政复议纠错率", "Reconsideration correction rate", "review_corrected",
           "review_decided",
           definition_zh="行政复议 结果纠正 ÷（总计 − 尚未审结）。",
           definition_en="Reconsideration corrected ÷ (total − pending).",
           direction=Direction.LOWER),
    Metric("litigation_correction_rate", "行政诉讼纠错率", "Litigation correction rate",
           "litigation_corrected", "litigation_decided",
           definition_zh="行政诉讼（两类）结果纠正 ÷（总计 − 尚未审结）。",
           definition_en="Litigation corrected (both kinds) ÷ (total − pending).",
           direction=Direction.LOWER),
    Metric("correction_rate", "纠错率（复议+诉讼）", "Correction rate (all challenges)", "all_corrected",
           "all_decided",
           definition_zh="复议与诉讼结果纠正之和 ÷ 已审结之和。",
           definition_en="Corrected across reconsideration and litigation ÷ all decided cases.",
           direction=Direction.LOWER),
    Metric("pending_share", "尚未审结比例", "Pending share", "all_pending", "all_total",
           definition_zh="尚未审结 ÷ 复议与诉讼总计。", definition_en="Pending ÷ all challenges.",
           direction=Direction.LOWER),
    # shares of reports and of the view
    Metric("share_failed", "任一核对未通过的报告占比", "Reports failing any check", "failed_reports", "reports",
           definition_zh="至少一项核对未通过的报告（含逾期、缺失等发布问题）÷ 报告数。",
           definition_en="Reports failing at least one check, publication issues such as lateness included ÷ "
                         "reports.",
           direction=Direction.LOWER),
    Metric("share_figure_errors", "数字有误的报告占比", "Reports with errors in the figures", "figure_error_reports",
           "reports",
           definition_zh="表格勾稽、非负、跨年衔接或文字与表格一致性核对未通过的报告 ÷ 报告数（逾期等发布问题另计）。",
           definition_en="Reports failing a check of the figures (table arithmetic, non-negative counts, "
                         "carry-over and stock across years, prose vs tables) ÷ reports; lateness and other "
                         "publication issues are counted apart.",
           direction=Direction.LOWER),
    Metric("share_late", "逾期发布占比", "Published late", "late_reports", "reports",
           definition_zh="逾期发布的报告 ÷ 发布日期与截止日期均已知的报告数（截止日期按报告年度适用的条例和机关类型确定）。",
           definition_en="Reports published after their deadline ÷ reports whose publication date and deadline "
                         "are both known (the deadline by the regulation of the report's year and the agency's kind).",
           direction=Direction.LOWER),
    Metric("new_received_share", "占全部新收比例", "Share of all new requests", "new_received", "new_received",
           definition_zh="该组的本年新收申请 ÷ 当前筛选范围内全部报告的本年新收申请。",
           definition_en="The group's new requests ÷ the new requests of every report in view.", of_view=True,
           direction=Direction.NEITHER),
)

BY_NAME = {m.name: m for m in METRICS}
# Former metric names, still accepted from bookmarks and saved selections: old name -> current name.
ALIASES: dict[str, str] = {"requests_handled": "requests_to_handle"}
# Metrics that can be computed within any group (per year, agency …): all but the shares of the whole view.
GROUPABLE = tuple(m.name for m in METRICS if not m.of_view)


def denominator_label(metric: Metric, lang: str = "zh") -> str:
    """The denominator's short name: the metric of that name where there is one (本年办结), else the measure's
    printed label; "" for a count."""
    if metric.denominator is None:
        return ""
    return (BY_NAME.get(metric.denominator) or MEASURE[metric.denominator]).label(lang)


def get(name: str) -> Metric:
    """A metric by its name or a former name (ALIASES)."""
    return BY_NAME[ALIASES.get(name, name)]


def check() -> None:
    """The registry is consistent: unique names, every measure a metric names exists, every source is a cell
    some format prints or a known field, every sign ±1, every metric defined in both languages and given a
    direction from the vocabulary."""
    if len(MEASURE) != len(MEASURES) or len(BY_NAME) != len(METRICS):
        raise RuntimeError("duplicate measure or metric name")
    printed = {str(a) for t in F.TABLES for fmt in F.FORMATS for a in F.table_cells(t, fmt)}
    for ms in MEASURES:
        if ms.by is not None and ms.by not in F.TABLES:
            raise RuntimeError(f"measure {ms.name}: unknown table {ms.by!r}")
        for fmt, ts in ms.terms.items():
            if fmt != ANY and fmt not in F.FORMATS:
                raise RuntimeError(f"measure {ms.name}: unknown format {fmt!r}")
            for t in ts:
                if t.sign not in (1, -1) or (t.source not in FIELDS and t.source not in printed):
                    raise RuntimeError(f"measure {ms.name}: bad term {t}")
    for m in METRICS:
        for n in (m.numerator, m.denominator):
            if n and n not in MEASURE:
                raise RuntimeError(f"metric {m.name} names measure {n!r} that the registry does not have")
        if not (m.definition_zh.strip() and m.definition_en.strip() and m.zh and m.en):
            raise RuntimeError(f"metric {m.name} lacks a label or definition")
        if not isinstance(m.direction, Direction):
            raise RuntimeError(f"metric {m.name}: direction {m.direction!r} is not one of {[d.value for d in Direction]}")


check()
