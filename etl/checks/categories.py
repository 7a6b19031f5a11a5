"""What a finding is about, in three kinds a reader keeps apart, each rule in exactly one:

- figures: the numbers are wrong (a table that does not add up, a negative count, carry-over or stock that
  contradicts last year's report, prose that contradicts the table);
- process: how the report was published (late, missing, duplicated, incomplete, the wrong year's form);
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
    "format-vs-year": "process",
    "X-jump": "review",
}


# whose a finding is: code → (Chinese, English)
RESPONSIBILITIES: dict[str, tuple[str, str]] = {
    "source": ("报告本身", "the report itself"),
    "reading": ("本工具识读", "our reading of it"),
    "corpus": ("载入范围", "what was loaded"),
}
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
