"""Publication deadlines by the law in force for the report's year, and the agency's kind, level and place.

The report for year Y is due on a month/day of Y+1, and which one depends on the regulation that governs it:
reports for 2018 and earlier fell under the 2008 regulation, whose article 31 gave every agency 31 March;
from the 2019 report (the revised regulation took effect on 15 May 2019) article 49 gives departments of
governments at county level and above 31 January and those governments 31 March, and says nothing of
townships. Provinces and cities may set their own dates. So a deadline is data: `etl/reference/deadlines.csv`
(the national rules) and a `deadlines.csv` at the root of a source folder (an office's own), read the same
way. A report whose deadline no row gives — its agency's kind unknown, or a township under the 2019
regulation with no local rule — has no deadline: lateness is then not judged, never assumed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from etl.warehouse.reference import REFERENCE_DIR, ReferenceDataError, coded, read_csv_lines

FILE_NAME = "deadlines.csv"


# A row that cannot be read stops the build with its file and line, as every reference file does.
DeadlineTableError = ReferenceDataError


@dataclass(frozen=True)
class Rule:
    from_year: int | None  # the report years the row applies to (blank: open)
    to_year: int | None
    level: str
    kind: str
    province: str
    city: str
    month: int
    day: int
    basis: str  # the law or local rule, as a person cites it: "2019年条例第四十九条"

    def matches(self, year: int, level: str | None, kind: str | None, province: str | None,
                city: str | None) -> bool:
        if (self.from_year is not None and year < self.from_year) or (self.to_year is not None and year > self.to_year):
            return False
        # a blank field matches anything, an unknown value included; a stated one only its own value
        return all(not want or want == have for want, have in (
            (self.level, level), (self.kind, kind), (self.province, province), (self.city, city)))

    @property
    def specificity(self) -> int:
        return sum(bool(x) for x in (self.level, self.kind, self.province, self.city))


def _year(v: str, where: str, zwhere: str) -> int | None:
    if not v:
        return None
    if not v.isdigit() or len(v) != 4:
        raise DeadlineTableError(f"{where}: year “{v}” is not a year", f"{zwhere}：“{v}”不是年度")
    return int(v)


def read(path: Path) -> list[Rule]:
    """The rules of one table; level and kind as codes or in Chinese (etl.warehouse.reference.coded)."""
    out = []
    for line, raw in read_csv_lines(path):
        where, zwhere = f"{path.name} line {line}", f"{path.name} 第 {line} 行"
        r = coded(raw, where, zwhere)
        try:
            month, day = int(r["month"]), int(r["day"])
            dt.date(2000, month, day)  # a day of some year (2000 is a leap year)
        except (KeyError, ValueError) as e:
            raise DeadlineTableError(f"{where}: no such date {r.get('month')}-{r.get('day')}",
                                     f"{zwhere}：无此日期 {r.get('month')}-{r.get('day')}") from e
        out.append(Rule(_year(r.get("from_year", ""), where, zwhere), _year(r.get("to_year", ""), where, zwhere),
                        r.get("level", ""), r.get("kind", ""), r.get("province", ""), r.get("city", ""), month, day,
                        r.get("basis", "")))
    return out


def files(sources: Iterable[Path]) -> list[Path]:
    """The national table, then each source folder's own deadlines.csv (later files win ties)."""
    return [REFERENCE_DIR / FILE_NAME] + [s / FILE_NAME for s in sources if s.is_dir() and (s / FILE_NAME).is_file()]


def rules(sources: Iterable[Path] = ()) -> list[Rule]:
    return [r for p in files(sources) if p.is_file() for r in read(p)]


def deadline(table: list[Rule], year: int | None, level: str | None, kind: str | None, province: str | None,
             city: str | None) -> Rule | None:
    """The rule giving the report's deadline (most specific matching row; later rows win ties), or None."""
    if year is None:
        return None
    best: Rule | None = None
    for r in table:
        if r.matches(year, level, kind, province, city) and (best is None or r.specificity >= best.specificity):
            best = r
    return best


def current(table: list[Rule], level: str | None, kind: str | None, province: str | None,
            city: str | None) -> Rule | None:
    """The rule for a report due now (last year's): what an agency's deadline means today."""
    return deadline(table, dt.date.today().year - 1, level, kind, province, city)


def apply(con: duckdb.DuckDBPyConnection, table: list[Rule]) -> None:
    """reports.deadline, deadline_basis and is_late from each report's year and its agency (NULL where no rule
    applies; is_late NULL where either date is unknown). Rules are looked up once per distinct combination."""
    import pandas as pd  # here, not at the top: a no-change rebuild never pays for it

    combos = con.execute("""SELECT DISTINCT r.year, a.level, a.kind, a.province, a.city
                            FROM reports r JOIN agencies a USING (agency_id) WHERE r.year IS NOT NULL""").fetchall()
    rows = []
    for year, level, kind, prov, city in combos:
        rule = deadline(table, year, level, kind, prov, city)
        if rule is not None:
            rows.append({"year": year, "level": level, "kind": kind, "province": prov, "city": city,
                         "month": rule.month, "day": rule.day, "basis": rule.basis or None})
    con.execute("UPDATE reports SET deadline = NULL, deadline_basis = NULL, is_late = NULL")
    if not rows:
        return
    con.register("deadline_df", pd.DataFrame(rows))
    con.execute("""
        UPDATE reports SET deadline = make_date(reports.year + 1, d.month, d.day), deadline_basis = d.basis,
                           is_late = CASE WHEN reports.published_on IS NULL THEN NULL
                                          ELSE reports.published_on > make_date(reports.year + 1, d.month, d.day) END
        FROM agencies a, deadline_df d
        WHERE reports.agency_id = a.agency_id AND d.year = reports.year
          AND CAST(d.level AS VARCHAR) IS NOT DISTINCT FROM a.level
          AND CAST(d.kind AS VARCHAR) IS NOT DISTINCT FROM a.kind
          AND CAST(d.province AS VARCHAR) IS NOT DISTINCT FROM a.province
          AND CAST(d.city AS VARCHAR) IS NOT DISTINCT FROM a.city""")
    con.unregister("deadline_df")
