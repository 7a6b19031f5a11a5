"""Reference data shipped in the package (etl/reference) and agencies.csv files at the root of source folders."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
from pathlib import Path

REFERENCE_DIR = Path(__file__).resolve().parents[1] / "reference"  # package data: found by any install
AGENCY_COLUMNS = ("name", "province", "city", "county", "level", "kind", "sector", "is_sample")
ZONE_COLUMNS = ("name", "province", "city", "county", "level")
# Each level and kind: its code and its name on screen and in files (zh, en); the codes in this order.
LEVEL_NAMES: dict[str, tuple[str, str]] = {
    "province": ("省级", "Province"), "city": ("市级", "City"), "county": ("县级", "County"),
    "township": ("乡镇级", "Township"),
}
KIND_NAMES: dict[str, tuple[str, str]] = {
    "government": ("人民政府", "Government"), "department": ("政府部门", "Department"),
    "township": ("乡镇政府", "Township government"), "subdistrict": ("街道办事处", "Sub-district office"),
}
LEVELS = tuple(LEVEL_NAMES)
KINDS = tuple(KIND_NAMES)
# The words a person writes in a spreadsheet for each level and kind (an office's list is in Chinese). The codes
# themselves are always accepted. A value that is none of these is refused rather than guessed: the kind decides
# the deadline, so a misread kind would accuse an agency of lateness.
LEVEL_WORDS: dict[str, tuple[str, ...]] = {
    "province": ("省级", "省", "省部级", "自治区", "直辖市", "省级机关", "省本级"),
    "city": ("市级", "市", "地级", "地市级", "地级市", "设区的市", "设区市", "州", "盟", "市本级"),
    "county": ("县级", "区级", "县区级", "区县级", "县", "区", "旗", "县区", "区县", "县市区", "县本级", "区本级"),
    "township": ("乡镇", "乡级", "镇级", "乡镇级", "乡", "镇", "街道", "街道级", "乡镇街道", "乡镇街道级"),
}
KIND_WORDS: dict[str, tuple[str, ...]] = {
    "government": ("人民政府", "政府", "本级政府", "政府本级", "一级政府", "管委会", "管理委员会"),
    "department": ("政府部门", "部门", "工作部门", "政府工作部门", "委办局"),
    "township": ("乡镇政府", "乡镇人民政府", "乡镇", "乡政府", "镇政府", "乡人民政府", "镇人民政府", "乡", "镇"),
    "subdistrict": ("街道办事处", "街道", "街道办"),
}


class ReferenceDataError(ValueError):
    """A reference file (agencies.csv, zones.csv, the 应报名单) cannot be used as it is. The message (English;
    `.zh` in Chinese) names the file and line; the build stops before anything is replaced."""

    def __init__(self, en: str, zh: str | None = None):
        super().__init__(en)
        self.zh = zh or en

    def words(self, lang: str) -> str:
        return self.zh if lang == "zh" else str(self)


def _word(value: str) -> str:
    # "县（区）级", "县 级", "County" all read as written without brackets, spaces or case
    t = unicodedata.normalize("NFKC", value)
    return re.sub(r"[\s()（）/、]", "", t).lower()


def _lookup(words: dict[str, tuple[str, ...]]) -> dict[str, str]:
    table = {_word(w): code for code, ws in words.items() for w in ws}
    table.update({code: code for code in words})
    return table


_LEVEL_OF, _KIND_OF = _lookup(LEVEL_WORDS), _lookup(KIND_WORDS)


def code_of(column: str, value: str | None, where: str = "", zwhere: str = "") -> str:
    """The code ('' for blank) of a level or kind written as a code or in Chinese; anything else is an error
    naming `where` (file and line) and the value."""
    if not value or not value.strip():
        return ""
    table, codes = (_LEVEL_OF, LEVELS) if column == "level" else (_KIND_OF, KINDS)
    code = table.get(_word(value))
    if code is None:
        zcol = "层级" if column == "level" else "机关类型"
        words = "、".join(w for c in codes for w in ((LEVEL_WORDS if column == "level" else KIND_WORDS)[c][:2]))
        raise ReferenceDataError(
            f"{where}: {column} “{value}” is not one of {', '.join(codes)} (or {words} …)",
            f"{zwhere or where}：{zcol}“{value}”无法识别，应为 {words} 等（或 {', '.join(codes)}）")
    return code


def coded(row: dict[str, str], where: str, zwhere: str = "") -> dict[str, str]:
    """The row with its level and kind as codes (see code_of)."""
    out = dict(row)
    for col in ("level", "kind"):
        if col in out:
            out[col] = code_of(col, out[col], where, zwhere)
    return out


def read_csv_lines(path: Path) -> list[tuple[int, dict[str, str]]]:
    """(line number in the file, row) of a CSV whose lines starting with '#' are comments; values stripped,
    blanks as ''. The line numbers are the file's own, so an error can point at the line to fix."""
    text = path.read_text(encoding="utf-8-sig")
    lines = [(i, ln) for i, ln in enumerate(text.splitlines(), 1) if ln.strip() and not ln.lstrip().startswith("#")]
    reader = csv.DictReader(io.StringIO("\n".join(ln for _, ln in lines)))
    return [(i, {k.strip(): (v or "").strip() for k, v in row.items() if k})
            for (i, _), row in zip(lines[1:], reader, strict=False)]


def read_csv(path: Path) -> list[dict[str, str]]:
    """Rows of a CSV whose lines starting with '#' are comments; values stripped, blanks as ''."""
    return [row for _, row in read_csv_lines(path)]


def agency_rows(paths: list[Path]) -> list[dict[str, str]]:
    """Agency reference rows from the given CSVs, later files overriding earlier ones for the same name. Level and
    kind may be written in Chinese (市级, 部门 …); a value that cannot be read stops with its file and line."""
    rows: list[dict[str, str]] = []
    for p in paths:
        if p.is_file():
            for lineno, r in read_csv_lines(p):
                if r.get("name"):
                    rows.append(coded({c: r.get(c, "") for c in AGENCY_COLUMNS}, f"{p} line {lineno}",
                                      f"{p} 第 {lineno} 行"))
    return rows


def zones(path: Path | None = None) -> list[dict[str, str]]:
    """Zones and areas the division table does not know (etl/reference/zones.csv): name, province, city, county,
    level. A level that cannot be read stops with its file and line."""
    p = path or REFERENCE_DIR / "zones.csv"
    if not p.is_file():
        return []
    return [coded({c: r.get(c, "") for c in ZONE_COLUMNS}, f"{p} line {lineno}", f"{p} 第 {lineno} 行")
            for lineno, r in read_csv_lines(p) if r.get("name")]


def sectors(path: Path | None = None) -> list[tuple[str, str]]:
    """(keyword, sector), longest keyword first."""
    rows = read_csv(path or REFERENCE_DIR / "sectors.csv")
    return sorted(((r["keyword"], r["sector"]) for r in rows if r.get("keyword")), key=lambda kv: -len(kv[0]))


# Deadlines are etl/warehouse/deadlines.py's (by the law of the report's year and the agency's kind).


def fingerprint(paths: list[Path]) -> str:
    """A hash of the reference files' contents, recorded in build_info. The package's own tables (zones,
    deadlines, sectors) are always part of it, so editing one rebuilds the agencies and deadlines."""
    h = hashlib.sha256()
    for p in sorted(set(paths) | set(REFERENCE_DIR.glob("*.csv"))):
        if p.is_file():
            h.update(str(p).encode())
            h.update(p.read_bytes())
    return h.hexdigest()[:16]
