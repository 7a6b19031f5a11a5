"""Reference data shipped in the package (etl/reference) and agencies.csv files at the root of source folders."""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

REFERENCE_DIR = Path(__file__).resolve().parents[1] / "reference"  # package data: found by any install
AGENCY_COLUMNS = ("name", "province", "city", "county", "level", "kind", "sector", "is_sample")
LEVELS = ("province", "city", "county", "township")
KINDS = ("government", "department", "township", "subdistrict")
# Article 49 defaults, used when deadlines.csv is absent or has no matching row.
DEFAULT_DEADLINE = {"department": (1, 31)}
FALLBACK_DEADLINE = (3, 31)


def read_csv(path: Path) -> list[dict[str, str]]:
    """Rows of a CSV whose lines starting with '#' are comments; values stripped, blanks as ''."""
    text = path.read_text(encoding="utf-8-sig")
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    return [{k.strip(): (v or "").strip() for k, v in row.items() if k} for row in csv.DictReader(io.StringIO("\n".join(lines)))]


def agency_rows(paths: list[Path]) -> list[dict[str, str]]:
    """Agency reference rows from the given CSVs, later files overriding earlier ones for the same name."""
    rows: list[dict[str, str]] = []
    for p in paths:
        if p.is_file():
            rows.extend({c: r.get(c, "") for c in AGENCY_COLUMNS} for r in read_csv(p) if r.get("name"))
    return rows


def sectors(path: Path | None = None) -> list[tuple[str, str]]:
    """(keyword, sector), longest keyword first."""
    rows = read_csv(path or REFERENCE_DIR / "sectors.csv")
    return sorted(((r["keyword"], r["sector"]) for r in rows if r.get("keyword")), key=lambda kv: -len(kv[0]))


@dataclass(frozen=True)
class DeadlineRule:
    level: str
    kind: str
    province: str
    city: str
    month: int
    day: int

    def matches(self, level: str | None, kind: str | None, province: str | None, city: str | None) -> bool:
        return all(not want or want == have for want, have in (
            (self.level, level), (self.kind, kind), (self.province, province), (self.city, city)))

    @property
    def specificity(self) -> int:
        return sum(bool(x) for x in (self.level, self.kind, self.province, self.city))


def deadline_rules(path: Path | None = None) -> list[DeadlineRule]:
    p = path or REFERENCE_DIR / "deadlines.csv"
    if not p.is_file():
        return []
    return [DeadlineRule(r.get("level", ""), r.get("kind", ""), r.get("province", ""), r.get("city", ""),
                         int(r["month"]), int(r["day"])) for r in read_csv(p)]


def deadline_for(rules: list[DeadlineRule], level: str | None, kind: str | None, province: str | None,
                 city: str | None) -> tuple[int, int]:
    """(month, day) of year+1 by which this agency's report is due: the most specific matching rule."""
    best: DeadlineRule | None = None
    for r in rules:
        if r.matches(level, kind, province, city) and (best is None or r.specificity >= best.specificity):
            best = r
    if best is not None:
        return best.month, best.day
    return DEFAULT_DEADLINE.get(kind or "", FALLBACK_DEADLINE)


def fingerprint(paths: list[Path]) -> str:
    """A hash of the reference files' contents, recorded in build_info."""
    h = hashlib.sha256()
    for p in sorted(paths):
        if p.is_file():
            h.update(str(p).encode())
            h.update(p.read_bytes())
    return h.hexdigest()[:16]
