"""Clean yearly figures for one agency, with the continuity real series have.

carried_over(t) = carried_forward(t−1) per applicant column; the in-force document stock moves by
issued − repealed; 2019-format item counts move by their signed change; key request figures stay within
×0.4–×2.5 of last year whenever either side is ≥ 20 (so clean data never looks like an X-jump). Every
table identity (T3 balance/outcomes/columns, T4 sums, T2 stock) holds by construction.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from etl.formats import OTHER_ROWS_2021, T3_APPLICANT_COLS, T3_OUTCOME_ROWS_2021, T4_ROW_KEYS
from etl.sample.population import ENFORCEMENT, LICENSING, Agency
from etl.sample.randoms import binomial, lognormal, multinomial, poisson

Num = int | float
JUMP_LOW, JUMP_HIGH, JUMP_FLOOR = 0.4, 2.5, 20

# Outcome mix (T3_OUTCOME_ROWS_2021 order): granted, partial, 8 withheld, 3 unavailable, 5 not processed, 3 other.
# Real reports: granted + partly granted 40–70% of processed, could-not-provide 10–30%, the rest small.
_OUTCOMES = {
    "government": [45, 8, .2, .4, .4, 1, 1.2, 1.2, .3, .6, 17, 4, 2, 2, 2, .3, .6, .8, 3, .2, 2],
    "department": [50, 7, .2, .4, .2, 1, 1, 1, .6, .8, 17, 3, 2, 1.5, 1.5, .3, .3, .7, 2.5, .2, 2],
    "township": [60, 5, 0, 0, 0, .6, .6, .6, 0, .3, 18, 3, 1, 1.5, .8, 0, 0, .4, 1.5, 0, 1.5],
}
# Applicant mix. Natural persons file most requests everywhere (70–95% in real reports); the share is a
# probability, the organisation weights below only split the remainder.
_NATURAL = {"government": 0.88, "department": 0.8, "township": 0.95}
# Land and housing disputes bring individuals; commerce and market regulation see more businesses.
_NATURAL_BY_SECTOR = {"natural_resources": 0.9, "housing": 0.9, "human_resources": 0.88, "civil_affairs": 0.88,
                      "public_security": 0.86, "commerce": 0.6, "market_regulation": 0.65}
# commercial, research, social_welfare, legal_services, other_org: research, welfare and legal-service
# applicants are rare (legal services somewhat more often at city level).
_ORGS = [70, 4, 4, 7, 15]
_ORGS_CITY = [64, 4, 3, 14, 15]
_T4_SPLIT = [72, 8, 8, 12]  # upheld, corrected, other, pending


@dataclass
class Year:
    """One agency-year of clean figures in canonical keys (t3 in 2021 rows; t2 in both formats)."""

    year: int
    t3: dict[tuple[str, str], int] = field(default_factory=dict)
    t4: dict[tuple[str, str], int] = field(default_factory=dict)
    t2_2021: dict[tuple[str, str], Num] = field(default_factory=dict)
    t2_2019: dict[tuple[str, str], Num] = field(default_factory=dict)
    proactive: int = 0
    fee_yuan: int = 0  # 信息处理费 charged to applicants (chapter 6)

    def key_figures(self) -> tuple[int, int, int]:
        return (self.t3["new_received", "total"], self.t3["total_processed", "total"], self.t4["review", "total"])


def _outcome_kind(a: Agency) -> str:
    return "department" if a.kind == "department" else ("township" if a.level == "township" else "government")


def _jump_ok(prev: tuple[int, ...], cur: tuple[int, ...]) -> bool:
    for a, b in zip(prev, cur, strict=True):
        if max(a, b) >= JUMP_FLOOR and (a == 0 or not JUMP_LOW <= b / a <= JUMP_HIGH):
            return False
    return True


class Series:
    """Generates consecutive years for one agency; state carries between calls."""

    def __init__(self, agency: Agency, rng: random.Random) -> None:
        self.a, self.rng = agency, rng
        r = rng
        self.trend = r.gauss(0.06, 0.08)
        base = _NATURAL_BY_SECTOR.get(agency.sector or "", _NATURAL[_outcome_kind(agency)])
        # Per-agency spread on the logit scale keeps shares inside (0, 1) and mostly within 70–95%.
        logit = math.log(base / (1 - base)) + r.gauss(0, 0.35)
        self.p_natural = min(0.98, max(0.45, 1 / (1 + math.exp(-logit))))
        orgs = _ORGS_CITY if agency.level == "city" else _ORGS
        self.applicants = [self.p_natural] + [(1 - self.p_natural) * w / sum(orgs) for w in orgs]
        self.outcomes = [max(0.0, w * math.exp(r.gauss(0, 0.3))) for w in _OUTCOMES[_outcome_kind(agency)]]
        self.cf_rate = 0.01 + 0.08 * min(1.0, agency.volume / 300) * r.random()
        base_rr = {"government": 0.04, "department": 0.025, "township": 0.02}[_outcome_kind(agency)]
        self.review_rate = base_rr * math.exp(r.gauss(0, 0.4))
        scale = {"province": 3.0, "city": 1.0, "county": 0.35, "township": 0.05}[agency.level]
        gov = agency.kind == "government"
        lic_w = LICENSING.get(agency.sector or "", 0.4 if gov and r.random() < 0.4 else 0.0)
        enf_w = ENFORCEMENT.get(agency.sector or "", 0.3 if gov and r.random() < 0.3 else 0.0)
        if agency.kind in ("township", "subdistrict"):
            lic_w, enf_w = (0.5 if r.random() < 0.3 else 0.0), (0.5 if r.random() < 0.4 else 0.0)
        self.licensing = lognormal(r, 300 * lic_w * scale, 0.8) if lic_w else 0.0
        self.punishment = lognormal(r, 150 * enf_w * scale, 0.8) if enf_w else 0.0
        self.fees = lognormal(r, 40 * scale, 1.0) if agency.kind == "department" and r.random() < 0.3 else 0.0
        proactive_median = {"province": 20000, "city": 5000, "county": 1500, "township": 150}[agency.level]
        if agency.kind == "department":
            proactive_median //= 6
        self.proactive = lognormal(r, proactive_median, 0.6)
        # Document stocks: 规章 only for province/city governments.
        self.makes_rules = gov and agency.level in ("province", "city")
        self.reg_stock = r.randint(10, 60) * (3 if agency.level == "province" else 1) if self.makes_rules else 0
        norm_rate = {"province": 12, "city": 8, "county": 5, "township": 0.3}[agency.level]
        self.norm_rate = norm_rate * (1 if gov else 0.35) * math.exp(r.gauss(0, 0.5))
        self.norm_stock = int(self.norm_rate * r.randint(3, 8))
        self.published_stock = self.norm_stock + r.randint(0, 20)
        # 2019-format item counts (权力清单): items per row, and fee items.
        self.items = {row: (r.randint(5, 300) if w else 0) for row, w in (
            ("licensing", self.licensing), ("other_services", self.licensing or (r.random() < 0.5)),
            ("punishment", self.punishment), ("coercion", self.punishment))}
        self.items["admin_fees"] = r.randint(1, 12) if self.fees else 0
        self.prev: Year | None = None
        self.lam = agency.volume

    # --- table 3 and 4 --------------------------------------------------------------------------------

    def _requests(self, y: Year, spike: float, check: bool) -> None:
        r, prev = self.rng, self.prev
        for attempt in range(40):
            lam = self.lam * math.exp(r.gauss(0, 0.15)) * spike
            if attempt >= 20 and prev is not None:  # stubborn: aim at last year's level
                lam = max(1.0, prev.t3["new_received", "total"])
            n = poisson(r, lam)
            new = dict(zip(T3_APPLICANT_COLS, multinomial(r, n, self.applicants), strict=True))
            t3: dict[tuple[str, str], int] = {}
            for col in T3_APPLICANT_COLS:
                co = prev.t3["carried_forward", col] if prev else binomial(r, new[col], self.cf_rate)
                cf = binomial(r, new[col] + co, self.cf_rate)
                done = new[col] + co - cf
                t3["new_received", col], t3["carried_over", col], t3["carried_forward", col] = new[col], co, cf
                t3["total_processed", col] = done
                for row, k in zip(T3_OUTCOME_ROWS_2021, multinomial(r, done, self.outcomes), strict=True):
                    t3[row, col] = k
            rows = {row for row, _ in t3}
            for row in rows:
                t3[row, "total"] = sum(t3[row, c] for c in T3_APPLICANT_COLS)
            y.t3 = t3
            reviews = poisson(r, n * self.review_rate)
            if attempt >= 20 and prev is not None and prev.t4["review", "total"] >= JUMP_FLOOR:
                reviews = prev.t4["review", "total"]
            direct = poisson(r, n * self.review_rate * 0.5)
            after = poisson(r, reviews * 0.25)
            y.t4 = {}
            for block, k in zip(T4_ROW_KEYS, (reviews, direct, after), strict=True):
                parts = multinomial(r, k, _T4_SPLIT)
                for col, v in zip(("upheld", "corrected", "other", "pending"), parts, strict=True):
                    y.t4[block, col] = v
                y.t4[block, "total"] = k
            if not check or prev is None or prev.year != y.year - 1 or _jump_ok(prev.key_figures(),
                                                                                 y.key_figures()):
                return
        raise AssertionError("could not keep the year-on-year change in range")

    # --- table 2 --------------------------------------------------------------------------------------

    def _t2(self, y: Year) -> None:
        r = self.rng
        noise = lambda: math.exp(r.gauss(0, 0.25))  # noqa: E731 - tiny local helper
        reg_issued = poisson(r, 1.5 * (2 if self.a.level == "province" else 1)) if self.makes_rules else 0
        reg_repealed = min(self.reg_stock, poisson(r, 0.8)) if self.makes_rules else 0
        norm_issued = poisson(r, self.norm_rate)
        norm_repealed = binomial(r, self.norm_stock, 0.05)
        self.reg_stock += reg_issued - reg_repealed
        self.norm_stock += norm_issued - norm_repealed
        self.published_stock += norm_issued + reg_issued
        decisions = {"licensing": round(self.licensing * noise()), "punishment": round(self.punishment * noise())}
        decisions["coercion"] = round(decisions["punishment"] * 0.08 * noise())
        fee = round(self.fees * noise(), 2) if self.fees else 0
        y.t2_2021 = {
            ("regulations", "issued"): reg_issued, ("regulations", "repealed"): reg_repealed,
            ("regulations", "in_force"): self.reg_stock,
            ("normative_documents", "issued"): norm_issued, ("normative_documents", "repealed"): norm_repealed,
            ("normative_documents", "in_force"): self.norm_stock,
            ("licensing", "decisions"): decisions["licensing"], ("punishment", "decisions"): decisions["punishment"],
            ("coercion", "decisions"): decisions["coercion"], ("admin_fees", "amount_10k_yuan"): fee,
        }
        t = {("regulations", "new_made"): reg_issued, ("regulations", "new_published"): reg_issued,
             ("regulations", "total_published"): self.reg_stock,
             ("normative_documents", "new_made"): norm_issued,
             ("normative_documents", "new_published"): norm_issued - (1 if norm_issued and r.random() < .1 else 0),
             ("normative_documents", "total_published"): self.published_stock}
        for row in ("licensing", "other_services", "punishment", "coercion", "admin_fees"):
            items = self.items[row]
            change = r.choice((0, 0, 0, 1, -1, 2, -2, 5)) if items else 0
            change = max(change, -items)
            t[row, "prev_items"], t[row, "change"] = items, change
            self.items[row] = items + change
            if row != "admin_fees":
                base = decisions.get(row, round(self.licensing * 0.2 * noise()))
                t[row, "decisions"] = base
        projects = poisson(r, 3 + self.a.volume / 20) if self.a.kind != "township" or r.random() < .3 else 0
        t["procurement", "projects"] = projects
        t["procurement", "amount_yuan"] = projects * r.randint(50, 3000) * 100
        y.t2_2019 = t

    def year(self, year: int, spike: float = 1.0, check: bool = True) -> Year:
        """The next year's figures; `spike` multiplies the request volume (an X-jump), `check=False` lets the
        year after a spike fall back without the continuity guard."""
        if self.prev is not None:
            self.lam *= math.exp(self.trend * (year - self.prev.year))
        y = Year(year)
        self._requests(y, spike, check and spike == 1.0)
        self._t2(y)
        self.proactive *= math.exp(self.rng.gauss(0.03, 0.15))
        y.proactive = max(1, round(self.proactive))
        y.fee_yuan = self.rng.choice((0, 0, 0, 0, 20, 50, 100)) if y.t3["total_processed", "total"] else 0
        self.prev = y
        return y


def outcome_rows_2019_total(t3: dict[tuple[str, str], int], col: str) -> int:
    """The 2019 single （六）其他处理 row equals the 2021 sum of its three rows."""
    return sum(t3[row, col] for row in OTHER_ROWS_2021)
