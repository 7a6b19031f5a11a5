"""The 考评 rules and points: which findings cost an agency how many points, as a table the office edits.

The defaults are `etl/assess/rules.csv` (the practice issue 25 describes: of a 10-point share of a 绩效考评,
5 off for publishing late, 5 for missing elements, 5 for 雷同, per-case deductions where reconsideration or
litigation corrected the agency, and so on). An `assessment.csv` at the root of a source folder replaces
the whole table (the last such folder wins): the build reads the 雷同 threshold from it and keeps the table
it used in the warehouse (`assessment_rules`), so the 考评 page scores with the same table. A row that
cannot be read stops the build with its file and line, as every reference file does.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from etl import formats as F
from etl.checks.categories import RULES
from etl.checks.labels import addr_zh
from etl.checks.similarity import DEFAULT_THRESHOLD
from etl.warehouse.reference import ReferenceDataError, read_csv_lines

DEFAULT_FILE = Path(__file__).with_name("rules.csv")
FILE_NAME = "assessment.csv"
FULL_MARKS = "full_marks"  # the row giving the full marks
PER = {  # how an item counts: code -> (Chinese, English)
    "report": ("每份报告扣一次", "once per report"),
    "finding": ("每个问题扣一次", "per finding"),
    "case": ("按件扣分", "per case"),
}
COLUMNS = ("item", "name", "name_en", "rules", "cells", "points", "per", "cap", "threshold")
_CELLS = {str(a) for fmt in F.FORMATS for a in F.expected_cells(fmt)}
# a rule or a cell may be written by its code or by its Chinese name (表三收支平衡, 表四「行政复议」结果纠正列)
_RULE_OF = {zh: code for code, (zh, _) in RULES.items()} | {code: code for code in RULES}
_CELL_OF = {addr_zh(c): c for c in _CELLS} | {c: c for c in _CELLS}


@dataclass(frozen=True)
class Item:
    item: str
    name: str
    name_en: str
    rules: tuple[str, ...]
    cells: tuple[str, ...]
    points: float
    per: str
    cap: float | None
    threshold: float | None

    def words(self, lang: str) -> str:
        return self.name_en or self.name if lang == "en" else self.name


@dataclass(frozen=True)
class Table:
    full: float
    items: tuple[Item, ...]
    source: str  # the file it was read from

    @property
    def similarity_threshold(self) -> float:
        """The 雷同 threshold: the lowest one an item counting `similarity` states, else the default."""
        ts = [i.threshold for i in self.items if "similarity" in i.rules and i.threshold is not None]
        return min(ts) if ts else DEFAULT_THRESHOLD

    def frame(self) -> pd.DataFrame:
        """The table as rows (the full-marks row first), as it is stored and shown."""
        rows = [{"item": FULL_MARKS, "name": "满分", "name_en": "Full marks", "rules": "", "cells": "",
                 "points": self.full, "per": "", "cap": None, "threshold": None}]
        rows += [{"item": i.item, "name": i.name, "name_en": i.name_en, "rules": " ".join(i.rules),
                  "cells": " ".join(i.cells), "points": i.points, "per": i.per, "cap": i.cap,
                  "threshold": i.threshold} for i in self.items]
        return pd.DataFrame(rows, columns=list(COLUMNS))


def _number(v: str, col: str, where: str, zwhere: str, blank_ok: bool) -> float | None:
    if v == "" and blank_ok:
        return None
    try:
        x = float(v)
    except ValueError:
        raise ReferenceDataError(f"{where}: {col} “{v}” is not a number", f"{zwhere}：{col}“{v}”不是数字") from None
    if x < 0:
        raise ReferenceDataError(f"{where}: {col} {v} is negative", f"{zwhere}：{col} {v} 为负数")
    return x


def parse(rows: Iterable[tuple[int, dict[str, str]]], name: str) -> Table:
    """A table from (line, row) pairs; `name` names the file in errors."""
    full: float | None = None
    items: list[Item] = []
    seen: set[str] = set()
    for line, r in rows:
        where, zwhere = f"{name} line {line}", f"{name} 第 {line} 行"
        code = r.get("item", "")
        if not code:
            raise ReferenceDataError(f"{where}: no item code", f"{zwhere}：缺少项目代码（item）")
        if code in seen:
            raise ReferenceDataError(f"{where}: item {code} appears twice", f"{zwhere}：项目 {code} 重复")
        seen.add(code)
        points = _number(r.get("points", ""), "points", where, zwhere, blank_ok=False)
        if code == FULL_MARKS:
            full = points
            continue
        rules = tuple(_RULE_OF.get(x, x) for x in r.get("rules", "").split())
        cells = tuple(_CELL_OF.get(x, x) for x in r.get("cells", "").split())
        unknown = [x for x in rules if x not in RULES]
        if unknown:
            raise ReferenceDataError(f"{where}: unknown rule {', '.join(unknown)} (known: {', '.join(RULES)})",
                                     f"{zwhere}：未知的检查规则 {'、'.join(unknown)}（可用：{'、'.join(RULES)}）")
        bad = [c for c in cells if c not in _CELLS]
        if bad:
            raise ReferenceDataError(f"{where}: no such table cell {', '.join(bad)}",
                                     f"{zwhere}：表格中没有单元格 {'、'.join(bad)}")
        per = r.get("per", "")
        if per not in PER:
            raise ReferenceDataError(f"{where}: per must be one of {', '.join(PER)}, not “{per}”",
                                     f"{zwhere}：per 应为 {'、'.join(PER)} 之一，而非“{per}”")
        if (per == "case") != bool(cells) or (per != "case" and not rules):
            raise ReferenceDataError(f"{where}: an item counts either rules (per report or finding) or cells "
                                     "(per case)", f"{zwhere}：扣分项应按检查规则（per 为 report 或 finding）"
                                     "或按表格单元格所填件数（per 为 case）计分")
        threshold = _number(r.get("threshold", ""), "threshold", where, zwhere, blank_ok=True)
        if threshold is not None and not 0 < threshold <= 1:
            raise ReferenceDataError(f"{where}: threshold {threshold:g} is not between 0 and 1",
                                     f"{zwhere}：threshold {threshold:g} 应在 0 与 1 之间")
        items.append(Item(code, r.get("name", "") or code, r.get("name_en", ""), rules, cells, points or 0.0, per,
                          _number(r.get("cap", ""), "cap", where, zwhere, blank_ok=True), threshold))
    if full is None:
        raise ReferenceDataError(f"{name}: no {FULL_MARKS} row (the full marks)", f"{name}：缺少满分行（{FULL_MARKS}）")
    return Table(full, tuple(items), name)


def read(path: Path) -> Table:
    return parse(read_csv_lines(path), path.name if path == DEFAULT_FILE else str(path))


def file_for(sources: Iterable[Path]) -> Path:
    """The table a build uses: the last source folder's assessment.csv, else the defaults."""
    own = [s / FILE_NAME for s in sources if s.is_dir() and (s / FILE_NAME).is_file()]
    return own[-1] if own else DEFAULT_FILE


def table(sources: Iterable[Path] = ()) -> Table:
    return read(file_for(sources))


def csv_bytes(table: Table) -> bytes:
    """The table as an assessment.csv an office can edit: rules and cells by their Chinese names."""
    df = table.frame()
    df["rules"] = df["rules"].map(lambda v: " ".join(RULES[x][0] for x in str(v).split()))
    df["cells"] = df["cells"].map(lambda v: " ".join(addr_zh(x) for x in str(v).split()))
    return df.to_csv(index=False).encode("utf-8-sig")


def from_frame(df: pd.DataFrame, name: str = "assessment_rules") -> Table:
    """A table from its rows (the warehouse's copy, or one edited on the page); checked as a file is."""
    rows = []
    for i, r in enumerate(df.to_dict("records"), start=1):
        rows.append((i, {c: "" if r.get(c) is None or (isinstance(r.get(c), float) and pd.isna(r.get(c)))
                         else (f"{r[c]:g}" if isinstance(r[c], float) else str(r[c])).strip() for c in COLUMNS}))
    return parse(rows, name)
