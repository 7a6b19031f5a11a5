"""What a finding is about, in three kinds a reader keeps apart, each rule in exactly one:

- figures: the numbers are wrong (a table that does not add up, a negative count, carry-over or stock that
  contradicts last year's report, prose that contradicts the table);
- process: how the report was published and written (late, missing, duplicated, incomplete, the wrong year's
  form, chapters out of order or a problems chapter left empty, a chapter copied: 雷同);
- review: worth a look but not wrong (an unusual jump from last year).

Shares and counts name the kind they count, so lateness is never counted as an error in the figures.

And whose a finding is: a finding is an accusation an office sends to an agency, so it says whether it is the
report's own failure or a limit of what we read (a cell we could not read, a heading we could not place) or
of what was loaded (a year nobody loaded, with no 应报名单 to say it was due). Only a certain failure of the
report itself (`ACCUSATION`) may reach a 通报, a share or a ranking.
"""

from __future__ import annotations

CATEGORIES: dict[str, tuple[str, str]] = {
    "figures": ("数字错误", "Errors in the figures"),
    "process": ("发布与完整性问题", "Publication and completeness"),
    "review": ("待核实的变动", "Changes to review"),
}
CATEGORY_OF: dict[str, str] = {
    "T3-balance": "figures", "T3-outcomes": "figures", "T3-columns": "figures", "T4-sums": "figures",
    "T2-stock": "figures", "non-negative": "figures", "X-carry": "figures", "X-stock": "figures",
    "text-vs-table": "figures",
    "timeliness": "process", "coverage": "process", "duplicate": "process", "completeness": "process",
    "format-vs-year": "process", "outline": "process", "problems-empty": "process", "similarity": "process",
    "X-jump": "review",
}
# Every rule's name, the one place the checks, the dashboard and the 考评 sheet take it from.
RULES: dict[str, tuple[str, str]] = {
    "T3-balance": ("表三收支平衡", "Table 3 balance"), "T3-outcomes": ("表三办理结果合计", "Table 3 outcomes sum"),
    "T3-columns": ("表三申请人合计", "Table 3 applicant totals"), "T4-sums": ("表四合计", "Table 4 sums"),
    "non-negative": ("非负整数", "Non-negative integers"), "T2-stock": ("表二存量", "Table 2 stock"),
    "X-carry": ("跨年结转衔接", "Carry-over across years"), "X-stock": ("跨年现行有效件数", "Stock across years"),
    "X-jump": ("年度突变", "Year-on-year jump"), "text-vs-table": ("文字与表格不一致", "Text contradicts tables"),
    "completeness": ("内容不完整", "Incomplete"), "format-vs-year": ("格式与年度不符", "Format does not match the year"),
    "timeliness": ("逾期发布", "Published late"), "coverage": ("报告缺失", "Report missing"),
    "duplicate": ("重复报告", "Duplicate report"),
    "outline": ("章节顺序或编号错误", "Chapters out of order or misnumbered"),
    "problems-empty": ("“存在的主要问题及改进情况”为空", "Problems chapter empty"),
    "similarity": ("内容雷同", "Content copied"),
}


# whose a finding is: code → (Chinese, English)
RESPONSIBILITIES: dict[str, tuple[str, str]] = {
    "source": ("报告本身", "the report itself"),
    "reading": ("本工具识读", "our reading of it"),
    "corpus": ("载入范围", "what was loaded"),
}
# how sure a finding is (findings.status) and how grave its rule is (findings.severity): code → (Chinese, English)
STATUSES: dict[str, tuple[str, str]] = {"fail": ("未通过", "Failed"), "uncertain": ("无法判断", "Uncertain")}
SEVERITIES: dict[str, tuple[str, str]] = {"error": ("错误", "Error"), "warning": ("警告", "Warning"),
                                          "info": ("提示", "Info")}
# The one predicate that makes a finding an accusation (SQL over a findings row; constants only). Reading and
# corpus findings are never `fail` (etl.checks.run_all verifies it), but every count says both.
ACCUSATION = "status = 'fail' AND responsibility = 'source'"


def accusation(alias: str = "") -> str:
    """ACCUSATION with its columns qualified by a table alias ("fi" → fi.status …)."""
    a = f"{alias}." if alias else ""
    return f"{a}status = 'fail' AND {a}responsibility = 'source'"


def sql_case(col: str = "rule") -> str:
    """A SQL CASE mapping a rule column to its category (constants only)."""
    whens = " ".join(f"WHEN '{r}' THEN '{c}'" for r, c in CATEGORY_OF.items())
    return f"CASE {col} {whens} END"
