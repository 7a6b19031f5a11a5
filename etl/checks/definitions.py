"""The rules as data, for the checks' SQL: the identities (etl.identities) with the words that name their
groups and sides, the cells each format prints, the narrative alternatives and the cross-year equations.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from etl import formats as F
from etl.checks import labels as L
from etl.identities import specs

if TYPE_CHECKING:  # pandas is imported where a frame is made: a no-change rebuild never pays for it
    import pandas as pd


@dataclass(frozen=True)
class Identity:
    rule: str
    tbl: str
    fmt: str  # the format of that table in the report
    per: str  # "col" | "row"
    groups: tuple[str, ...]
    parts: tuple[str, ...]
    totals: tuple[str, ...]
    parts_label: str
    totals_label: str
    op: str = "="
    severity: str = "error"

    def group_zh(self, g: str) -> str:
        """表三「自然人」列 / 表四「行政复议」行: the column or row the identity is evaluated in."""
        if self.per == "col":
            return f"{L.TABLE_ZH[self.tbl]}「{L.col_zh(self.tbl, g)}」列"
        return f"{L.TABLE_ZH[self.tbl]}「{L.row_zh(self.tbl, g)}」行"

    def group_en(self, g: str) -> str:
        """Table 3 column "Natural persons" / Table 4 row "Administrative reconsideration"."""
        if self.per == "col":
            return f'{L.TABLE_EN[self.tbl]} column "{L.col_en(self.tbl, g)}"'
        return f'{L.TABLE_EN[self.tbl]} row "{L.row_en(self.tbl, g)}"'

    def side_en(self, keys: tuple[str, ...]) -> str:
        if self.per == "col":
            return L.sum_en([L.row_en(self.tbl, k) for k in keys])
        return L.sum_en([L.col_en(self.tbl, k) for k in keys])

    def side_zh(self, keys: tuple[str, ...]) -> str:
        """The printed labels of the rows (per column) or columns (per row) one side adds up."""
        if self.per == "col":
            return L.sum_zh([L.row_zh(self.tbl, k) for k in keys], "行")
        return L.sum_zh([L.col_zh(self.tbl, k) for k in keys], "列")

    def terms(self) -> list[dict]:
        out = []
        for g in self.groups:
            for side, keys in (("parts", self.parts), ("totals", self.totals)):
                for k in keys:
                    row, col = (k, g) if self.per == "col" else (g, k)
                    out.append({"rule": self.rule, "fmt": self.fmt, "tbl": self.tbl, "grp": g, "side": side,
                                "row_key": row, "col_key": col, "ord": len(out), "addr": f"{self.tbl}.{row}.{col}",
                                "grp_zh": self.group_zh(g), "grp_en": self.group_en(g)})
        return out


def identities() -> list[Identity]:
    """The identities of etl.identities, with their words (the one list the parser reads too)."""
    return [Identity(s.rule, s.tbl, s.fmt, s.per, s.groups, s.parts, s.totals, s.parts_label, s.totals_label,
                     op=s.op) for s in specs()]


def terms_frame() -> pd.DataFrame:
    import pandas as pd

    rows = [t for ident in identities() for t in ident.terms()]
    return pd.DataFrame(rows)


def rules_frame() -> pd.DataFrame:
    """One row per (rule, table, format): labels, operator and severity for the SQL that evaluates them."""
    import pandas as pd

    return pd.DataFrame([{"rule": i.rule, "tbl": i.tbl, "fmt": i.fmt, "op": i.op, "severity": i.severity,
                          "parts_label": i.parts_label, "totals_label": i.totals_label,
                          "parts_zh": i.side_zh(i.parts), "totals_zh": i.side_zh(i.totals),
                          "parts_en": i.side_en(i.parts), "totals_en": i.side_en(i.totals)} for i in identities()])


def expected_frame() -> pd.DataFrame:
    """Every cell a complete table prints, per table format: (fmt, tbl, row_key, col_key)."""
    import pandas as pd

    return pd.DataFrame([{"fmt": fmt, "tbl": t, "row_key": r, "col_key": c, "addr": f"{t}.{r}.{c}"}
                         for fmt in F.FORMATS for t, r, c in F.expected_cells(fmt)])


# Cells exempt from the non-negative-integer rule: signed changes and money amounts (table 2).
SIGNED_OR_AMOUNT_COLS = tuple(sorted(F.T2_SIGNED_COLS | set(F.T2_AMOUNT_COLS)))

# Narrative figure → the table sums it may equal (any one alternative matching is a pass).
NARRATIVE_ALTERNATIVES: dict[str, tuple[tuple[str, ...], ...]] = {
    "requests_received": (("t3.new_received.total",), ("t3.new_received.total", "t3.carried_over.total")),
    "requests_processed": (("t3.total_processed.total",),),
    "requests_carried_forward": (("t3.carried_forward.total",),),
    "review_total": (("t4.review.total",),),
    "litigation_total": (("t4.litigation_direct.total", "t4.litigation_after_review.total"),),
}


def narrative_frame() -> pd.DataFrame:
    import pandas as pd

    rows = []
    for key, alts in NARRATIVE_ALTERNATIVES.items():
        for i, cells in enumerate(alts):
            for addr in cells:
                t, r, c = addr.split(".")
                rows.append({"nkey": key, "alt": i, "n_cells": len(cells), "tbl": t, "row_key": r, "col_key": c,
                             "pos": len(rows)})  # the order cells are listed and added up in
    return pd.DataFrame(rows)




@dataclass(frozen=True)
class CrossYear:
    """actual = Σ sign·cell over `actual` terms; expected likewise; the pair of consecutive active reports of
    one agency passes when they are equal. Terms are (year 'cur'|'prev', sign, table, row, col)."""

    rule: str
    grp: str
    needs: tuple[str, str | None]  # (table, format) both reports must have; format None = any
    actual: tuple[tuple[str, int, str, str, str], ...]
    expected: tuple[tuple[str, int, str, str, str], ...]
    status: str = "fail"
    severity: str = "error"
    label: str = ""
    grp_zh: str = ""  # 表三「自然人」列
    actual_zh: str = ""  # the later year's cell, by its printed label
    expected_zh: str = ""  # what it should equal, in words
    grp_en: str = ""
    actual_en: str = ""
    expected_en: str = ""


STOCK_ROWS = ("regulations", "normative_documents")


def cross_year_rules() -> list[CrossYear]:
    out = [CrossYear("X-carry", c, ("t3", None), (("cur", 1, "t3", "carried_over", c),),
                     (("prev", 1, "t3", "carried_forward", c),),
                     label="carried_over(t) = carried_forward(t-1)",
                     grp_zh=f"表三「{L.col_zh('t3', c)}」列", actual_zh=f"「{L.row_zh('t3', 'carried_over')}」",
                     expected_zh=f"上年「{L.row_zh('t3', 'carried_forward')}」",
                     grp_en=f'Table 3 column "{L.col_en("t3", c)}"', actual_en=f'"{L.row_en("t3", "carried_over")}"',
                     expected_en=f'last year\'s "{L.row_en("t3", "carried_forward")}"')
            for c in F.T3_COL_KEYS]
    # soft: mergers, restatements and clean-ups (清理) break it, so a break is never certain the report's own
    # error: uncertain, a warning to look at, never an accusation
    out += [CrossYear("X-stock", r, ("t2", F.Format.F2021), (("cur", 1, "t2", r, "in_force"),),
                      (("prev", 1, "t2", r, "in_force"), ("cur", 1, "t2", r, "issued"), ("cur", -1, "t2", r, "repealed")),
                      status="uncertain", severity="warning", label="in_force(t) = in_force(t-1) + issued(t) - repealed(t)",
                      grp_zh=f"表二「{L.row_zh('t2', r)}」行", actual_zh=f"「{L.col_zh('t2', 'in_force')}」",
                      expected_zh=f"上年「{L.col_zh('t2', 'in_force')}」+本年「{L.col_zh('t2', 'issued')}」"
                                  f"−「{L.col_zh('t2', 'repealed')}」",
                      grp_en=f'Table 2 row "{L.row_en("t2", r)}"', actual_en=f'"{L.col_en("t2", "in_force")}"',
                      expected_en=f'last year\'s "{L.col_en("t2", "in_force")}" + this year\'s '
                                  f'"{L.col_en("t2", "issued")}" − "{L.col_en("t2", "repealed")}"')
            for r in STOCK_ROWS]
    return out


def cross_year_frame() -> pd.DataFrame:
    import pandas as pd

    rows = []
    for i, x in enumerate(cross_year_rules()):
        seen: set[str] = set()
        for side, terms in (("actual", x.actual), ("expected", x.expected)):
            for which, sign, t, r, c in terms:
                addr = f"{t}.{r}.{c}"
                rows.append({"rid": i, "rule": x.rule, "grp": x.grp, "need_tbl": x.needs[0], "need_fmt": x.needs[1],
                             "status": x.status, "severity": x.severity, "label": x.label, "grp_zh": x.grp_zh,
                             "actual_zh": x.actual_zh, "expected_zh": x.expected_zh, "side": side,
                             "grp_en": x.grp_en, "actual_en": x.actual_en, "expected_en": x.expected_en,
                             "which": which, "sign": sign, "tbl": t, "row_key": r, "col_key": c,
                             "ord": len(rows), "first": addr not in seen})  # cells listed once, actual first
                seen.add(addr)
    return pd.DataFrame(rows)


JUMP_FIGURES = (("t3", "new_received", "total"), ("t3", "total_processed", "total"), ("t4", "review", "total"))
JUMP_RATIO = 5.0
JUMP_MIN = 20
FIRST_CARRY_YEAR = F.FORMAT_FROM_YEAR[F.Format.F2019]  # the first checkable pair is 2019 → 2020
