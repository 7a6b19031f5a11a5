"""The expected-reporters list (应报名单): which agencies owe a report, and for which years.

An oversight office knows who is due to publish better than the reports do. It states it in an `expected.csv`
at the root of a build source folder (the dashboard's Load page writes one into the uploads folder): one row
per agency, its name as printed, optionally the first and last year it is due (blank: the first and last year
the warehouse has data for, of its kind: real or generated) and its region, level and kind. The coverage check
(etl/checks/oversight.py) then holds a listed agency to exactly that range, even when it never published, and
the 应报/已报 figures count a listed agency only in its years. An agency the list does not name keeps the
default rule (from its own first report on), so loading a list for one city loses nothing elsewhere.

Reading is strict where a wrong guess would change who is reported as missing or late: a row without a name, a
year that is not a year, a range that ends before it starts, or a level or kind that is neither a code nor one of
the Chinese words for it (市级, 县级, 乡镇 …; 人民政府, 部门, 街道办事处 … — etl/warehouse/reference.py) is an error
naming the line, and the build stops before anything is replaced.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from etl.warehouse import reference

FILE_NAME = "expected.csv"
# header words accepted for each column (a list exported from a spreadsheet is often headed in Chinese)
COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("name", "agency", "机关", "机关名称", "单位", "单位名称", "名称"),
    "from_year": ("from_year", "from", "起始年度", "起始年份", "开始年度", "应报起始年度"),
    "to_year": ("to_year", "to", "截止年度", "截止年份", "结束年度", "应报截止年度"),
    "province": ("province", "省", "省份"),
    "city": ("city", "市", "城市"),
    "county": ("county", "县", "区县", "县区"),
    "level": ("level", "层级"),
    "kind": ("kind", "类型", "机关类型"),
}
YEAR_RE = re.compile(r"^\s*(\d{4})\s*(?:年|年度)?\s*$")
EARLIEST, LATEST = 2000, 2100  # outside these a "year" is a typo


# The list cannot be used as it is; the message (English; `.zh` in Chinese) names the file and line. One class
# with agencies.csv's and zones.csv's errors, so the build and the Load page report any of them the same way.
ExpectedListError = reference.ReferenceDataError


@dataclass(frozen=True)
class Expected:
    name: str
    from_year: int | None
    to_year: int | None
    province: str = ""
    city: str = ""
    county: str = ""
    level: str = ""
    kind: str = ""
    source: str = ""

    def reference_row(self) -> dict[str, str] | None:
        """What the list states of the agency's place and kind, as an agency reference row (or None)."""
        if not any((self.province, self.city, self.county, self.level, self.kind)):
            return None
        return {"name": self.name, "province": self.province, "city": self.city, "county": self.county,
                "level": self.level, "kind": self.kind, "sector": "", "is_sample": ""}


def _header_map(fields: list[str]) -> dict[str, str]:
    out = {}
    for f in fields:
        key = (f or "").strip().lstrip("\ufeff").lower()
        for col, words in COLUMNS.items():
            if key in words and col not in out.values():
                out[f] = col
    return out


def _year(value: str, where: str, zwhere: str) -> int | None:
    if not value.strip():
        return None
    m = YEAR_RE.match(value)
    if not m or not EARLIEST <= int(m.group(1)) <= LATEST:
        raise ExpectedListError(f"{where}: “{value}” is not a year", f"{zwhere}：“{value}”不是年度")
    return int(m.group(1))


def _decode(data: bytes) -> str:
    for enc in ("utf-8-sig", "gb18030"):  # a list saved by Excel in a Chinese locale is GBK
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise ExpectedListError("not UTF-8 or GB18030 text", "不是 UTF-8 或 GB18030 编码的文本")


def parse(data: bytes, source: str = FILE_NAME) -> list[Expected]:
    """The rows of one list. Lines starting with '#' are comments. The same agency named twice keeps the
    widest range its rows give (a blank bound stays open)."""
    try:
        text = _decode(data)
    except ExpectedListError as e:
        raise ExpectedListError(f"{source}: {e}", f"{source}：{e.zh}") from None
    lines = [(i, ln) for i, ln in enumerate(text.splitlines(), 1) if ln.strip() and not ln.lstrip().startswith("#")]
    if not lines:
        raise ExpectedListError(f"{source}: no rows", f"{source}：没有数据行")
    reader = csv.DictReader(io.StringIO("\n".join(ln for _, ln in lines)))
    hmap = _header_map(list(reader.fieldnames or []))
    if "name" not in hmap.values():
        head = ", ".join(reader.fieldnames or [])
        raise ExpectedListError(f"{source}: no name column (name / 机关名称 / 单位名称); the header is {head}",
                                f"{source}：缺少机关名称列（name / 机关名称 / 单位名称），表头为 {head}")
    by_name: dict[str, Expected] = {}
    for (lineno, _), raw in zip(lines[1:], reader, strict=False):
        row = {hmap[k]: (v or "").strip() for k, v in raw.items() if k in hmap}
        where, zwhere = f"{source} line {lineno}", f"{source} 第 {lineno} 行"
        if not row.get("name"):
            raise ExpectedListError(f"{where}: no agency name", f"{zwhere}：没有机关名称")
        lo, hi = _year(row.get("from_year", ""), where, zwhere), _year(row.get("to_year", ""), where, zwhere)
        if lo is not None and hi is not None and hi < lo:
            raise ExpectedListError(f"{where}: the range ends ({hi}) before it starts ({lo})",
                                    f"{zwhere}：截止年度（{hi}）早于起始年度（{lo}）")
        row = reference.coded(row, where, zwhere)  # 市级 → city, 部门 → department; anything else is an error
        e = Expected(row["name"], lo, hi, *(row.get(k, "") for k in ("province", "city", "county", "level", "kind")),
                     source=source)
        old = by_name.get(e.name)
        if old is not None:  # widest range: an open bound wins
            e = Expected(e.name, None if None in (old.from_year, lo) else min(old.from_year, lo),
                         None if None in (old.to_year, hi) else max(old.to_year, hi),
                         *(getattr(e, k) or getattr(old, k) for k in ("province", "city", "county", "level", "kind")),
                         source=source)
        by_name[e.name] = e
    return list(by_name.values())


def files(sources: list[Path]) -> list[Path]:
    """The lists at the root of the source folders."""
    return [s / FILE_NAME for s in sources if s.is_dir() and (s / FILE_NAME).is_file()]


def read(sources: list[Path]) -> list[Expected]:
    """Every list under the sources; an agency in two lists keeps the later source's row."""
    rows: dict[str, Expected] = {}
    for p in files(sources):
        for e in parse(p.read_bytes(), str(p)):
            rows[e.name] = e
    return list(rows.values())
