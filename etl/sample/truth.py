"""Ground truth for one agency's reports: printed cells, narrative, dates, formats and injected defects.

Clean figures come from figures.Series; about 5% of reports then get one of the mistakes agencies really
make (a total that does not add up, carry-over contradicting last year, blank or "/" cells, a narrative
figure disagreeing with the table, the wrong year's format, a negative count, a document stock that does
not add up, the problems chapter copied word for word from last year's report), a few are published late, a
few agency-years are missing. The defects listed in the truth are
what rules.py finds in the final printed cells, so knock-on failures are listed too.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from etl.formats import (
    T2_FORMATS,
    T3_APPLICANT_COLS,
    T3_COL_KEYS,
    T3_ROWS_BY_FORMAT,
    T4_COL_KEYS,
    T4_ROW_KEYS,
)
from etl.sample import prose, rules
from etl.sample.figures import Series, Year, outcome_rows_2019_total
from etl.sample.population import Agency
from etl.values import EMPTY, NA, NUMBER, ZERO

Addr = tuple[str, str, str]

DEFECT_RATE = 0.045  # content defects per report; late adopters of the 2019 table 2 add ~0.7%
LATE_RATE = 0.04  # published after the deadline
MISSING_RATE = 0.02  # agency-years with no report (coverage)
SPIKE_RATE = 0.005  # agencies with one genuinely exceptional year (X-jump)
LATE_ADOPTER_RATE = 0.03  # agencies still printing the 2019 table 2 in 2021–2022
# Injected defect kind → weight.
DEFECTS = {"total": 30, "carry": 15, "blank": 20, "narrative": 15, "format": 10, "negative": 3, "t2stock": 4,
           "xstock": 3}
# Reports with no figure defect whose problems chapter is last year's, word for word (雷同). Drawn from a
# generator of its own, so adding them left every figure defect of a corpus where it was.
COPIED_RATE = 0.03
TEXT_RENDERINGS = ("text-a", "text-b", "text-c", "text-d", "text-e", "text-f")
RENDERINGS = {
    "html": ("html", "html-word", "html-gbk"),
    "text": TEXT_RENDERINGS,
    "pdf": ("pdf",),
    "docx": ("docx",),
}
KIND_WEIGHTS = {"html": 40, "text": 25, "pdf": 20, "docx": 15}  # how agencies publish
# Renderings that cannot show a blank cell (PDF text): a skipped figure is printed "/".
NO_BLANKS = ("text-f", "pdf")


@dataclass
class TCell:
    table: str
    row: str
    col: str
    value: int | float | None
    raw: str
    kind: str

    def to_dict(self) -> dict:
        return {"table": self.table, "row": self.row, "col": self.col, "value": self.value, "raw": self.raw,
                "kind": self.kind}


@dataclass
class ReportSpec:
    agency: Agency
    year: int
    t2_format: str
    t3_format: str
    cells: dict[Addr, TCell]
    narrative: dict[str, int]  # stated figures (NARRATIVE_KEYS)
    published_on: date
    rendering: str
    style_seed: str  # drives every presentational choice of the renderers
    proactive: int
    fee_yuan: int
    problems: str = ""  # the body of the 存在的主要问题及改进情况 chapter (etl.sample.prose)
    injected: str | None = None  # the defect kind injected into this report, if any
    defects: list[rules.Defect] = field(default_factory=list)

    @property
    def template(self) -> str:
        return self.t3_format if self.t2_format == self.t3_format else "mixed"

    @property
    def title(self) -> str:
        return f"{self.agency.name}{self.year}年政府信息公开工作年度报告"

    def values(self) -> dict[Addr, int | float | None]:
        return {a: c.value for a, c in self.cells.items()}

    def kinds(self) -> dict[Addr, str]:
        return {a: c.kind for a, c in self.cells.items()}

    def truth(self) -> dict:
        a = self.agency
        return {
            "sample": True,
            "agency": a.name, "year": self.year, "published_on": self.published_on.isoformat(),
            "template": self.template, "table_formats": {"t2": self.t2_format, "t3": self.t3_format},
            "title": self.title,
            "cells": [c.to_dict() for c in self.cells.values()],
            "narrative": dict(self.narrative),
            "agency_id": a.agency_id,
            "region": {"province": a.province, "city": a.city, "county": a.county},
            "level": a.level, "kind": a.kind, "sector": a.sector,
            "rendering": self.rendering,
            "injected": self.injected,
            "chapters": {"problems": self.problems},
            "defects": [d.to_dict() for d in self.defects],
        }


# --- printing numbers --------------------------------------------------------------------------------

def _fmt_int(v: int, commas: bool) -> str:
    return f"{v:,}" if commas and abs(v) >= 1000 else str(v)


def _raw(a: Addr, v: int | float, rng: random.Random, commas: bool) -> str:
    if a[2] == "change":
        if v == 0:
            return "0"
        return rng.choice((f"{v:+d}", f"{'增' if v > 0 else '减'}{abs(v)}"))
    if a[2] == "amount_10k_yuan":
        return "0" if v == 0 else f"{v:.2f}"
    if a[2] == "amount_yuan":
        if v == 0:
            return "0"
        if v % 100 == 0 and rng.random() < 0.5:
            return f"{v / 10000:.4f}".rstrip("0").rstrip(".") + "万元"
        return f"{_fmt_int(int(v), commas)}元"
    return _fmt_int(int(v), commas)


def printed(a: Addr, v: int | float | None, rng: random.Random, commas: bool, blank: str | None = None) -> TCell:
    if blank == EMPTY:
        return TCell(*a, None, "", EMPTY)
    if blank == NA:
        return TCell(*a, None, "/", NA)
    assert v is not None
    return TCell(*a, v, _raw(a, v, rng, commas), ZERO if v == 0 else NUMBER)


# --- one agency --------------------------------------------------------------------------------------

def _values_for(y: Year, t2_format: str, t3_format: str) -> dict[Addr, int | float]:
    out: dict[Addr, int | float] = {}
    t2 = y.t2_2021 if t2_format == "2021" else y.t2_2019
    for row, cols in T2_FORMATS[t2_format].layout.items():
        for col in cols:
            out["t2", row, col] = t2[row, col]
    for row in T3_ROWS_BY_FORMAT[t3_format]:
        for col in T3_COL_KEYS:
            out["t3", row, col] = outcome_rows_2019_total(y.t3, col) if row == "other_total_2019" else y.t3[row, col]
    for row in T4_ROW_KEYS:
        for col in T4_COL_KEYS:
            out["t4", row, col] = y.t4[row, col]
    return out


def _retotal(vals: dict[Addr, int | float], row: str) -> None:
    vals["t3", row, "total"] = sum(vals["t3", row, c] for c in T3_APPLICANT_COLS)


def _narrative(rng: random.Random, vals: dict[Addr, int | float], y: Year) -> dict[str, int]:
    new, co = int(vals["t3", "new_received", "total"]), int(vals["t3", "carried_over", "total"])
    done, cf = int(vals["t3", "total_processed", "total"]), int(vals["t3", "carried_forward", "total"])
    out: dict[str, int] = {}
    if rng.random() < 0.85:
        out["proactive_items"] = y.proactive
    style = rng.choice("AABCD")
    if style == "A":
        out.update(requests_received=new + co, requests_processed=done, requests_carried_forward=cf)
    elif style == "B":
        out.update(requests_received=new, requests_processed=done)
    elif style == "C":
        out.update(requests_received=new, requests_carried_forward=cf)
    if rng.random() < 0.7:
        out["review_total"] = int(vals["t4", "review", "total"])
        out["litigation_total"] = int(vals["t4", "litigation_direct", "total"] + vals["t4", "litigation_after_review",
                                                                                      "total"])
    return out


class AgencyPlan:
    """Decides, for one agency, its years' formats, renderings, missing years and defects."""

    def __init__(self, agency: Agency, seed: int, years: list[int], kinds: list[str]) -> None:
        self.a, self.years = agency, years
        self.rng = random.Random(f"truth/{seed}/{agency.agency_id}")
        self.seed = seed
        r = self.rng
        self.kinds = kinds
        self.primary = self._pick()
        self.late_adopter_until = r.choice((2021, 2022)) if r.random() < LATE_ADOPTER_RATE else 0
        self.missing = {y for y in years if r.random() < MISSING_RATE}
        if len(self.missing) == len(years):
            self.missing.discard(years[0])
        self.spike_year = r.choice(years[1:]) if len(years) > 2 and r.random() < SPIKE_RATE else 0
        self.series = Series(agency, random.Random(f"figures/{seed}/{agency.agency_id}"))

    def _pick(self) -> str:
        kind = self.rng.choices(self.kinds, weights=[KIND_WEIGHTS[k] for k in self.kinds])[0]
        return self.rng.choice(RENDERINGS[kind])

    def _rendering(self) -> str:
        return self.primary if self.rng.random() < 0.8 else self._pick()

    def _published(self, year: int, late: bool) -> date:
        due = rules.deadline(self.a.kind, year)
        if late:
            return due + timedelta(days=self.rng.randint(1, 150))
        start = date(year + 1, 1, 5)
        span = (due - start).days
        return start + timedelta(days=int(span * self.rng.random() ** 0.7))

    def reports(self) -> list[ReportSpec]:
        out: list[ReportSpec] = []
        prev: ReportSpec | None = None
        for year in self.years:
            spike = 8.0 if year == self.spike_year else 1.0
            y = self.series.year(year, spike=spike, check=year != self.spike_year + 1)
            if year in self.missing:
                prev = None
                continue
            spec = self._report(y, prev)
            out.append(spec)
            prev = spec
        self._judge(out)
        return out

    def _report(self, y: Year, prev: ReportSpec | None) -> ReportSpec:
        r, year = self.rng, y.year
        fmt = rules.format_for_year(year)
        t2_format, t3_format = fmt, fmt
        if fmt == "2021" and year <= self.late_adopter_until:
            t2_format = "2019"
        injected = None
        if r.random() < DEFECT_RATE:
            injected = r.choices(list(DEFECTS), weights=list(DEFECTS.values()))[0]
        if injected == "format":
            if fmt == "2021" and t2_format == "2021":
                t2_format = "2019"
                t3_format = "2019" if r.random() < 0.4 else "2021"
            else:
                injected = "total"
        rendering = self._rendering()
        vals = _values_for(y, t2_format, t3_format)
        blanks: dict[Addr, str] = {}
        narrative = _narrative(r, vals, y)
        injected = self._inject(injected, vals, blanks, narrative, prev, t2_format, rendering)
        late = r.random() < LATE_RATE
        commas = r.random() < 0.2
        cells = {a: printed(a, v, r, commas, blanks.get(a)) for a, v in vals.items()}
        # the prose has a generator of its own: its draws leave every other choice as it was
        text = prose.problems_chapter(random.Random(f"prose/{self.seed}/{self.a.agency_id}/{year}"), year,
                                      prose.short_name(self.a.kind))
        copier = random.Random(f"copied/{self.seed}/{self.a.agency_id}/{year}")
        if injected is None and prev is not None and copier.random() < COPIED_RATE:
            injected = "copied"
        if injected == "copied":
            assert prev is not None  # (_inject falls back to another defect without a previous report)
            text = prev.problems
        return ReportSpec(self.a, year, t2_format, t3_format, cells, narrative, self._published(year, late),
                          rendering, f"style/{self.seed}/{self.a.agency_id}/{year}", y.proactive, y.fee_yuan,
                          text, injected)

    def _inject(self, kind: str | None, vals: dict[Addr, int | float], blanks: dict[Addr, str],
                narrative: dict[str, int], prev: ReportSpec | None, t2_format: str, rendering: str) -> str | None:
        r = self.rng
        if kind == "carry" and prev is None:
            kind = "total"
        if kind in ("t2stock", "xstock") and (t2_format != "2021" or (kind == "xstock" and (
                prev is None or prev.t2_format != "2021"))):
            kind = "total"
        if kind == "narrative" and not {"requests_received", "requests_processed", "review_total"} & set(narrative):
            kind = "total"
        d = r.choice((1, 1, 2, 3, 10))
        if kind == "total":
            choice = r.random()
            if choice < 0.5:
                row = r.choice(("granted", "unavailable_not_held", "new_received", "total_processed"))
                vals["t3", row, "total"] += d
            elif choice < 0.75:
                row = r.choice(("granted", "new_received"))
                vals["t3", row, "natural_person"] += d  # the column total was not updated
            else:
                vals["t4", r.choice(T4_ROW_KEYS), "total"] += d
        elif kind == "carry":
            col = r.choice(("natural_person", "commercial", "natural_person"))
            d = max(d, 1)
            # Restated carry-over, with the table kept internally consistent: only X-carry breaks.
            vals["t3", "carried_over", col] += d
            vals["t3", "granted", col] += d
            vals["t3", "total_processed", col] += d
            for row in ("carried_over", "granted", "total_processed"):
                _retotal(vals, row)
            for key, row in (("requests_processed", "total_processed"),):
                if key in narrative:
                    narrative[key] = int(vals["t3", row, "total"])
            if "requests_received" in narrative and narrative["requests_received"] != vals[
                    "t3", "new_received", "total"]:
                narrative["requests_received"] = int(vals["t3", "new_received", "total"]
                                                     + vals["t3", "carried_over", "total"])
        elif kind == "blank":
            mark = NA if rendering in NO_BLANKS or r.random() < 0.5 else EMPTY
            zeros = [a for a, v in vals.items() if v == 0 and a[0] != "t2" and a[2] != "total"]
            pool = zeros or [a for a in vals if a[0] == "t2"]
            for a in r.sample(pool, min(len(pool), r.randint(1, 4))):
                blanks[a] = mark
        elif kind == "narrative":
            key = r.choice([k for k in ("requests_received", "requests_processed", "review_total") if k in narrative])
            narrative[key] += d
        elif kind == "negative":
            vals["t3", "withheld_third_party", r.choice(T3_APPLICANT_COLS)] = -1
        elif kind == "t2stock":
            row = "normative_documents"
            vals["t2", row, "issued"] = vals["t2", row, "in_force"] + vals["t2", row, "repealed"] + d
        elif kind == "xstock":
            vals["t2", "normative_documents", "in_force"] += d
        return kind

    def _judge(self, reports: list[ReportSpec]) -> None:
        """List what the rules find; a report with nothing injected (itself or the year before) must be clean."""
        prev: ReportSpec | None = None
        for spec in reports:
            found = rules.check_report(spec.values(), spec.kinds(), spec.t2_format, spec.t3_format, spec.year,
                                       spec.published_on, self.a.kind, spec.narrative)
            if prev is not None and prev.year == spec.year - 1:
                found += rules.check_pair(prev.values(), prev.t2_format, spec.values(), spec.t2_format)
            if spec.injected == "copied":
                found.append(rules.Defect("similarity", ("chapter:problems",),
                                          f"problems chapter copied from the {prev.year if prev else '?'} report"))
            spec.defects = found
            quiet = {"timeliness", "format-vs-year", "X-jump"}  # decided by date, adopter trait or spike
            neighbour = prev is not None and prev.year == spec.year - 1 and prev.injected
            if spec.injected is None and not neighbour and any(d.rule not in quiet for d in found):
                raise AssertionError(f"clean report breaks a rule: {spec.title} {found}")
            prev = spec
