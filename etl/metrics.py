"""The one metrics registry: every figure and rate the warehouse computes and the dashboard shows.

Each metric names its numerator and denominator as columns of the `report_metrics` mart (one row per
active report), so the same definition drives the SQL, chart labels, tooltips and the glossary. Rates are
always ratio-of-sums when aggregated (Σ numerator / Σ denominator), never an average of per-report rates.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Metric:
    name: str
    zh: str
    en: str
    numerator: str  # a report_metrics column
    denominator: str | None = None  # None for a count
    per: int = 1  # 1 = share (0..1); 100 = per 100 of the denominator
    definition_zh: str = ""
    definition_en: str = ""
    source_cells: tuple[str, ...] = ()  # canonical cells it reads, "t3.granted.total"
    unit: str = ""

    @property
    def is_rate(self) -> bool:
        return self.denominator is not None

    def label(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else self.en

    def definition(self, lang: str = "zh") -> str:
        return self.definition_zh if lang == "zh" else self.definition_en


WITHHELD = tuple(f"t3.withheld_{k}.total" for k in (
    "state_secret", "prohibited_by_law", "security_stability", "third_party", "internal_affairs",
    "process_info", "enforcement_file", "inquiry"))
UNAVAILABLE = tuple(f"t3.unavailable_{k}.total" for k in ("not_held", "needs_creation", "unclear"))

METRICS: tuple[Metric, ...] = (
    # counts
    Metric("proactive_items", "主动公开信息条数", "Items proactively published", "proactive_items",
           definition_zh="总体情况中报告的本年主动公开政府信息条数（文字陈述）。",
           definition_en="Number of items proactively published in the year, as stated in the overview text.",
           unit="条"),
    Metric("new_received", "本年新收申请", "New requests received", "new_received",
           definition_zh="表三 一、本年新收政府信息公开申请数量（总计列）。",
           definition_en="Table 3 row 1, new requests received (total column).",
           source_cells=("t3.new_received.total",), unit="件"),
    Metric("requests_handled", "应办理申请（新收+上年结转）", "Requests to handle (new + carried over)",
           "requests_to_handle",
           definition_zh="本年新收 + 上年结转。", definition_en="New requests plus those carried over.",
           source_cells=("t3.new_received.total", "t3.carried_over.total"), unit="件"),
    Metric("total_processed", "本年办结", "Requests processed", "total_processed",
           definition_zh="表三（七）总计。", definition_en="Table 3 (七) total processed.",
           source_cells=("t3.total_processed.total",), unit="件"),
    Metric("review_total", "行政复议", "Reconsideration cases", "review_total",
           definition_zh="表四 行政复议 总计。", definition_en="Table 4, reconsideration total.",
           source_cells=("t4.review.total",), unit="件"),
    Metric("litigation_total", "行政诉讼", "Litigation cases", "litigation_total",
           definition_zh="表四 未经复议直接起诉 总计 + 复议后起诉 总计。",
           definition_en="Table 4, litigation without and after reconsideration, totals added.",
           source_cells=("t4.litigation_direct.total", "t4.litigation_after_review.total"), unit="件"),
    # rates
    Metric("disclosure_rate", "公开率", "Disclosure rate", "granted_or_partly", "total_processed",
           definition_zh="（予以公开 + 部分公开）÷ 办结总数。",
           definition_en="(Granted + partially granted) ÷ total processed.",
           source_cells=("t3.granted.total", "t3.partially_granted.total", "t3.total_processed.total")),
    Metric("withholding_rate", "不予公开率", "Withholding rate", "withheld", "total_processed",
           definition_zh="不予公开各项之和 ÷ 办结总数。", definition_en="All withheld rows ÷ total processed.",
           source_cells=WITHHELD + ("t3.total_processed.total",)),
    Metric("unavailable_rate", "无法提供率", "Could-not-provide rate", "unavailable", "total_processed",
           definition_zh="无法提供各项之和 ÷ 办结总数。",
           definition_en="All could-not-provide rows ÷ total processed.",
           source_cells=UNAVAILABLE + ("t3.total_processed.total",)),
    Metric("carry_forward_share", "结转下年比例", "Carry-forward share", "carried_forward",
           "requests_to_handle",
           definition_zh="结转下年度继续办理 ÷（本年新收 + 上年结转）。",
           definition_en="Carried forward ÷ (new received + carried over).",
           source_cells=("t3.carried_forward.total", "t3.new_received.total", "t3.carried_over.total")),
    Metric("review_rate", "行政复议率（每百件申请）", "Reconsiderations per 100 requests", "review_total",
           "new_received", per=100,
           definition_zh="行政复议总计 ÷ 本年新收申请 × 100。",
           definition_en="Reconsideration total per 100 new requests.",
           source_cells=("t4.review.total", "t3.new_received.total")),
    Metric("litigation_rate", "行政诉讼率（每百件申请）", "Lawsuits per 100 requests", "litigation_total",
           "new_received", per=100,
           definition_zh="（直接起诉 + 复议后起诉）总计 ÷ 本年新收申请 × 100。",
           definition_en="Litigation totals (direct + after reconsideration) per 100 new requests.",
           source_cells=("t4.litigation_direct.total", "t4.litigation_after_review.total",
                         "t3.new_received.total")),
    Metric("review_correction_rate", "行政复议纠错率", "Reconsideration correction rate", "review_corrected",
           "review_decided",
           definition_zh="行政复议 结果纠正 ÷（总计 − 尚未审结）。",
           definition_en="Reconsideration corrected ÷ (total − pending).",
           source_cells=("t4.review.corrected", "t4.review.total", "t4.review.pending")),
    Metric("litigation_correction_rate", "行政诉讼纠错率", "Litigation correction rate",
           "litigation_corrected", "litigation_decided",
           definition_zh="行政诉讼（两类）结果纠正 ÷（总计 − 尚未审结）。",
           definition_en="Litigation corrected (both kinds) ÷ (total − pending)."),
    Metric("correction_rate", "纠错率（复议+诉讼）", "Correction rate (all challenges)", "all_corrected",
           "all_decided",
           definition_zh="复议与诉讼结果纠正之和 ÷ 已审结之和。",
           definition_en="Corrected across reconsideration and litigation ÷ all decided cases."),
    Metric("pending_share", "尚未审结比例", "Pending share", "all_pending", "all_challenges",
           definition_zh="尚未审结 ÷ 复议与诉讼总计。", definition_en="Pending ÷ all challenges."),
)

BY_NAME = {m.name: m for m in METRICS}


def get(name: str) -> Metric:
    return BY_NAME[name]
