"""What a correction (override) may say, checked before it is stored, and the CSV form of many at once.

A correction sets a report's publication date, an agency's province/city/county/level/kind, or one cell's value
(a misread cell). The value is normalized here: a date to ISO, a level or kind written in Chinese to its code
(etl.warehouse.reference.code_of, as agencies.csv is read), a cell's text read as a printed cell is
(etl.values.parse_cell: a blank or "/" is never 0, and a value with a unit is refused — give it in the table's
unit). Only a cell of the national tables can be corrected.

CSV (`python -m etl override import`; the same columns `override export` writes, extra columns ignored), UTF-8
with or without BOM, or GB18030; header names in English or Chinese:

    target,report,agency,year,cell,field,value,reason
    cell,<report id>,,,t3.granted.total,value,13,原表印错，据更正后的报告
    published_on,,样例某某局,2023,,published_on,2024-01-20,网页发布日期
    agency,,样例某某局,,,level,县级,机构改革后为县级部门

`report` is a report id; without one, `agency` (its id or its exact name) and `year` name the agency-year's
active report. `target` and `field` may be written as their Chinese words (etl.casework.states).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass

import duckdb

from etl import formats as F
from etl import values as V
from etl.casework import states as S
from etl.casework.store import CaseworkError
from etl.warehouse.reference import ReferenceDataError, code_of

COLUMNS = ("target", "report", "agency", "year", "cell", "field", "value", "reason")
ZH_COLUMNS = {"对象": "target", "更正对象": "target", "报告": "report", "报告编号": "report", "机关": "agency",
              "机关名称": "agency", "年度": "year", "单元格": "cell", "项目": "field", "更正项目": "field",
              "值": "value", "更正值": "value", "理由": "reason", "更正理由": "reason"}
_DATE = re.compile(r"^\s*(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*日?\s*$")
MAX_PLACE = 40


@dataclass(frozen=True)
class Correction:
    target: str
    field: str
    value: str  # normalized
    reason: str
    report_id: str | None = None
    agency_id: str | None = None
    cell: str | None = None
    label: str | None = None


def _cells() -> frozenset[str]:
    return frozenset(str(a) for t in F.TABLES for fmt in F.FORMATS for a in F.table_cells(t, fmt))


def check(target: str, field: str, value: str) -> str:
    """The value normalized for storing, or CaseworkError saying (zh/en) why it cannot be used."""
    if target not in S.TARGET_FIELDS or field not in S.TARGET_FIELDS[target]:
        raise CaseworkError(f"{target}/{field} cannot be corrected", f"无法更正“{target}/{field}”")
    value = (value or "").strip()
    if field == "published_on":
        m = _DATE.match(value)
        try:
            return dt.date(*map(int, m.groups())).isoformat() if m else dt.date.fromisoformat(value).isoformat()
        except ValueError:
            raise CaseworkError(f"“{value}” is not a date (write 2024-01-20)",
                                f"“{value}”不是日期（应写作 2024-01-20）") from None
    if field in ("level", "kind"):
        try:
            return code_of(field, value, "value", "更正值")
        except ReferenceDataError as e:
            raise CaseworkError(str(e), e.zh) from None
    if field in ("province", "city", "county"):
        if len(value) > MAX_PLACE:
            raise CaseworkError(f"a place name of at most {MAX_PLACE} characters",
                                f"地名不超过 {MAX_PLACE} 个字")
        return value
    p = V.parse_cell(value)  # field == "value"
    if p.kind == V.TEXT:
        raise CaseworkError(f"“{value}” is not a number (a blank or “/” is allowed)",
                            f"“{value}”不是数字（可为空白或“/”）")
    if p.unit:
        raise CaseworkError(f"“{value}” carries a unit: give the value in the table's own unit",
                            f"“{value}”带有单位：请按表格本身的单位填写数值")
    if p.kind == V.EMPTY:
        return ""
    if p.kind == V.NA:
        return "/"
    v = float(p.value)
    return str(int(v)) if v.is_integer() else repr(v)


def check_cell(cell: str) -> str:
    c = (cell or "").strip()
    if c not in _cells():
        raise CaseworkError(f"“{c}” is not a cell of the national tables (e.g. t3.granted.total)",
                            f"“{c}”不是全国统一表格中的单元格（例如 t3.granted.total）")
    return c


def resolve(con: duckdb.DuckDBPyConnection, target: str, report: str = "", agency: str = "",
            year: str | int | None = None) -> tuple[str | None, str | None, str]:
    """(report_id, agency_id, label) of what a correction names, from the warehouse; CaseworkError when it
    names nothing loaded or more than one agency."""
    report, agency = (report or "").strip(), (agency or "").strip()
    if target == "agency":
        if not agency and report:
            row = con.execute("SELECT agency_id FROM reports WHERE report_id = ?", [report]).fetchone()
            agency = row[0] if row and row[0] else ""
        rows = con.execute("SELECT agency_id, name FROM agencies WHERE agency_id = ? OR name = ?",
                           [agency, agency]).fetchall()
        if len(rows) != 1:
            raise CaseworkError(f"agency “{agency}” " + ("is not loaded" if not rows else "names several agencies"),
                                f"机关“{agency}”" + ("不在数据中" if not rows else "对应多个机关，请用机关编号"))
        return None, rows[0][0], rows[0][1]
    if report:
        row = con.execute("SELECT r.report_id, r.agency_id, coalesce(a.name, r.agency_name), r.year FROM reports r "
                          "LEFT JOIN agencies a USING (agency_id) WHERE r.report_id = ?", [report]).fetchone()
        if row is None:
            raise CaseworkError(f"report {report} is not loaded", f"报告 {report} 不在数据中")
        return row[0], row[1], f"{row[2]} · {row[3]}"
    try:
        y = int(str(year).strip())
    except (TypeError, ValueError):
        raise CaseworkError("name the report: its id, or the agency and the year",
                            "请指明报告：报告编号，或机关与年度") from None
    rows = con.execute("""SELECT r.report_id, r.agency_id, a.name FROM reports r JOIN agencies a USING (agency_id)
                          WHERE (a.agency_id = ? OR a.name = ?) AND r.year = ? AND r.is_active""",
                       [agency, agency, y]).fetchall()
    if len(rows) != 1:
        raise CaseworkError(f"no single active report of “{agency}” for {y}",
                            f"“{agency}”{y} 年度没有唯一的有效报告")
    return rows[0][0], rows[0][1], f"{rows[0][2]} · {y}"


def _row(raw: dict[str, str]) -> dict[str, str]:
    out = {}
    for k, v in raw.items():
        if k is None:
            continue
        key = k.strip().lstrip("\ufeff")
        key = ZH_COLUMNS.get(key, key.lower())
        out[key] = (v or "").strip() if isinstance(v, str) else ""
    return out


def read_csv(data: bytes, con: duckdb.DuckDBPyConnection, name: str = "overrides.csv") -> list[Correction]:
    """Every row of a corrections CSV checked and resolved against the warehouse; the first bad row stops it
    with a CaseworkError naming the file and line."""
    for enc in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise CaseworkError(f"{name}: not UTF-8 or GB18030 text", f"{name}：不是 UTF-8 或 GB18030 编码的文本")
    lines = [ln for ln in io.StringIO(text) if not ln.lstrip().startswith("#")]
    reader = csv.DictReader(lines)
    out = []
    for n, raw in enumerate(reader, start=2):
        r = _row(raw)
        where_en, where_zh = f"{name} line {n}", f"{name} 第 {n} 行"
        try:
            target = S.target_of(r.get("target", ""))
            field = S.field_of(r.get("field", "")) or (target if target == "published_on" else
                                                       "value" if target == "cell" else None)
            if target is None or field is None:
                raise CaseworkError(f"target “{r.get('target', '')}” / field “{r.get('field', '')}” unknown",
                                    f"更正对象“{r.get('target', '')}”或项目“{r.get('field', '')}”无法识别")
            value = check(target, field, r.get("value", ""))
            cell = check_cell(r.get("cell", "")) if target == "cell" else None
            report_id, agency_id, label = resolve(con, target, r.get("report", ""), r.get("agency", ""),
                                                  r.get("year"))
            if not r.get("reason"):
                raise CaseworkError("a correction needs a reason", "人工更正须说明理由")
        except CaseworkError as e:
            raise CaseworkError(f"{where_en}: {e}", f"{where_zh}：{e.zh}") from None
        out.append(Correction(target, field, value, r["reason"], report_id, agency_id, cell, label))
    if not out:
        raise CaseworkError(f"{name}: no corrections in it (columns: {', '.join(COLUMNS)})",
                            f"{name}：没有更正记录（列：{', '.join(COLUMNS)}）")
    return out


def to_csv(rows: list[dict]) -> str:
    """Corrections as the CSV read_csv reads back (ids, so it re-imports exactly), with who, when and state."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow([*COLUMNS, "override_id", "made_by", "made_at", "label", "revoked_by", "revoked_at"])
    for r in rows:
        w.writerow([r["target"], r.get("report_id") or "", r.get("agency_id") or "" if not r.get("report_id") else "",
                    "", r.get("cell") or "", r["field"], r["value"], r["reason"], r["override_id"], r["made_by"],
                    r["made_at"], r.get("label") or "", r.get("revoked_by") or "", r.get("revoked_at") or ""])
    return buf.getvalue()
