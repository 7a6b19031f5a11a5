"""The sample generator: determinism, honest names, continuity, plausible volumes and defect bookkeeping.

The identities asserted here for clean reports are recomputed from the printed cells in this file, not
taken from the generator's own rule code, so a generator bug cannot hide behind itself.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from etl.formats import (
    NOT_PROCESSED_ROWS,
    T3_APPLICANT_COLS,
    T3_COL_KEYS,
    T3_ROWS_BY_FORMAT,
    UNAVAILABLE_ROWS,
    WITHHELD_ROWS,
    expected_cells,
)
from etl.sample.corpus import generate
from etl.sample.names import REAL_NAMES
from etl.sample.population import build_population
from etl.sample.truth import AgencyPlan

YEARS = list(range(2019, 2025))
RULES = {"T3-balance", "T3-outcomes", "T3-columns", "T4-sums", "non-negative", "T2-stock", "X-carry", "X-stock",
         "X-jump", "text-vs-table", "completeness", "format-vs-year", "timeliness", "coverage", "duplicate", "similarity"}


def _digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def plans() -> list[tuple[AgencyPlan, list]]:
    """Truth only (no rendering) for a population big enough to measure rates."""
    out = []
    for a in build_population(500, seed=11):
        plan = AgencyPlan(a, 11, YEARS, ["html", "text", "pdf", "docx"])
        out.append((plan, plan.reports()))
    return out


def test_same_seed_gives_identical_bytes_whatever_the_workers(tmp_path: Path) -> None:
    kinds = ["html", "text", "pdf", "docx"]
    generate(tmp_path / "a", 8, [2020, 2021, 2022], seed=5, kinds=kinds, workers=1)
    generate(tmp_path / "b", 8, [2020, 2021, 2022], seed=5, kinds=kinds, workers=2)
    generate(tmp_path / "c", 8, [2020, 2021, 2022], seed=6, kinds=kinds, workers=1)
    a, b, c = _digest(tmp_path / "a"), _digest(tmp_path / "b"), _digest(tmp_path / "c")
    assert len(a) > 30
    assert a == b
    assert a != c
    kinds_written = {Path(p).suffix for p in a}
    assert {".html", ".txt", ".pdf", ".docx", ".json", ".csv"} <= kinds_written


def test_every_name_is_marked_sample(tmp_path: Path) -> None:
    generate(tmp_path, 40, [2023], seed=2, kinds=["html", "text"], workers=1)
    with open(tmp_path / "agencies.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 40
    for r in rows:
        assert "样例" in r["name"] and "样例" in r["province"]
        for place in (r["city"], r["county"]):
            assert place == "" or "样例" in place
        stem = r["name"].replace("样例", "")
        assert not any(real in stem for real in REAL_NAMES)
        assert r["is_sample"] == "1"
    assert len({r["name"] for r in rows}) == 40
    for path in tmp_path.rglob("*.truth.json"):
        truth = json.loads(path.read_text(encoding="utf-8"))
        assert truth["sample"] is True and "样例" in truth["agency"]
        body = path.with_name(path.name.replace(".truth.json", ".html" if truth["rendering"].startswith("html")
                                                else ".txt")).read_bytes()
        text = body.decode("gbk" if truth["rendering"] == "html-gbk" else "utf-8")
        assert "【样例数据】本报告由程序生成，非真实政府报告。" in text
        if truth["rendering"].startswith("html"):
            assert '<meta name="generator" content="disclosure-reports sample generator">' in text


def _values(spec) -> dict:
    return {(t, r, c): cell.value for (t, r, c), cell in spec.cells.items()}


def test_clean_reports_obey_every_identity(plans) -> None:
    checked = 0
    for _plan, specs in plans:
        for spec in specs:
            if spec.injected:
                continue
            v = _values(spec)
            assert set(v) == {a for a in expected_cells(spec.t3_format) if a[0] != "t2"} | {
                a for a in v if a[0] == "t2"}
            outcome_rows = T3_ROWS_BY_FORMAT[spec.t3_format][2:-2]
            for col in T3_COL_KEYS:
                assert v["t3", "new_received", col] + v["t3", "carried_over", col] == \
                    v["t3", "total_processed", col] + v["t3", "carried_forward", col]
                assert v["t3", "total_processed", col] == sum(v["t3", r, col] for r in outcome_rows)
            for row in T3_ROWS_BY_FORMAT[spec.t3_format]:
                assert v["t3", row, "total"] == sum(v["t3", row, c] for c in T3_APPLICANT_COLS)
            for block in ("review", "litigation_direct", "litigation_after_review"):
                assert v["t4", block, "total"] == sum(v["t4", block, c] for c in ("upheld", "corrected", "other",
                                                                                  "pending"))
            assert all(x is not None and (x >= 0 or a[2] == "change") for a, x in v.items())
            if spec.t2_format == "2021":
                for row in ("regulations", "normative_documents"):
                    assert v["t2", row, "issued"] <= v["t2", row, "in_force"] + v["t2", row, "repealed"]
            n = spec.narrative
            if "requests_processed" in n:
                assert n["requests_processed"] == v["t3", "total_processed", "total"]
            if "requests_carried_forward" in n:
                assert n["requests_carried_forward"] == v["t3", "carried_forward", "total"]
            if "requests_received" in n:
                new = v["t3", "new_received", "total"]
                assert n["requests_received"] in (new, new + v["t3", "carried_over", "total"])
            checked += 1
    assert checked > 2500


def test_continuity_between_clean_years(plans) -> None:
    pairs = 0
    for plan, specs in plans:
        if plan.spike_year:
            continue
        for prev, cur in zip(specs, specs[1:], strict=False):
            if cur.year != prev.year + 1 or prev.injected or cur.injected:
                continue
            p, c = _values(prev), _values(cur)
            for col in T3_COL_KEYS:
                assert c["t3", "carried_over", col] == p["t3", "carried_forward", col]
            if prev.t2_format == cur.t2_format == "2021":
                for row in ("regulations", "normative_documents"):
                    assert c["t2", row, "in_force"] == (p["t2", row, "in_force"] + c["t2", row, "issued"]
                                                        - c["t2", row, "repealed"])
            for a in (("t3", "new_received", "total"), ("t3", "total_processed", "total"), ("t4", "review", "total")):
                x, y = p[a], c[a]
                if max(x, y) >= 20:
                    assert x > 0 and 0.4 <= y / x <= 2.5, (cur.title, a, x, y)
            pairs += 1
    assert pairs > 1500


def test_published_by_the_deadline_unless_marked_late(plans) -> None:
    late = 0
    for plan, specs in plans:
        for spec in specs:
            due = date(spec.year + 1, 1, 31) if plan.a.kind == "department" else date(spec.year + 1, 3, 31)
            is_late = spec.published_on > due
            assert is_late == any(d.rule == "timeliness" for d in spec.defects)
            assert spec.published_on > date(spec.year, 12, 31)
            late += is_late
    total = sum(len(s) for _, s in plans)
    assert 0.02 < late / total < 0.07


def test_defect_rate_and_every_defect_named(plans) -> None:
    reports = [s for _, specs in plans for s in specs]
    injected = [s for s in reports if s.injected or s.t2_format != s.t3_format or
                (s.year >= 2021 and s.t2_format == "2019")]
    rate = len(injected) / len(reports)
    copied = sum(s.injected == "copied" for s in reports) / len(reports)
    # figure defects (DEFECT_RATE plus the late adopters) and, drawn apart, copied chapters (COPIED_RATE of the
    # reports with a previous one)
    assert 0.035 < rate - copied < 0.075, (rate, copied)
    assert 0.01 < copied < 0.05, copied
    for s in injected:
        assert s.defects, f"{s.title}: injected {s.injected} but no rule lists it"
    addrs = {f"{t}.{r}.{c}" for fmt in ("2019", "2021") for t, r, c in expected_cells(fmt)}
    for s in reports:
        for d in s.defects:
            assert d.rule in RULES
            # a copied chapter names its chapter, any other defect its cells
            assert all(cell in addrs or cell.startswith("chapter:") for cell in d.cells), d
    rules = Counter(d.rule for s in reports for d in s.defects)
    for rule in ("T3-balance", "T3-outcomes", "T3-columns", "T4-sums", "X-carry", "text-vs-table", "completeness",
                 "format-vs-year", "timeliness"):
        assert rules[rule] > 0, rule
    # a blank or "/" cell is never a zero in the truth
    blanks = [c for s in reports for c in s.cells.values() if c.kind in ("empty", "na")]
    assert blanks and all(c.value is None and c.raw in ("", "/") for c in blanks)


def test_volumes_are_heavy_tailed(plans) -> None:
    by_kind: dict[str, list[int]] = {}
    for plan, specs in plans:
        for s in specs:
            by_kind.setdefault(plan.a.kind, []).append(s.cells["t3", "new_received", "total"].value)
    small = sorted(by_kind["township"] + by_kind["subdistrict"])
    assert small[len(small) // 2] <= 2 and small[int(len(small) * 0.9)] <= 5
    govs = sorted(by_kind["government"])
    assert govs[-1] >= 1000 and govs[len(govs) // 2] >= 10


def _clean_sums(plans, row: str, pick=lambda plan: True) -> Counter:
    """Column sums of one table-3 row over clean reports of the picked agencies."""
    out: Counter = Counter()
    for plan, specs in plans:
        if not pick(plan):
            continue
        for s in specs:
            if not s.injected:
                for col in T3_COL_KEYS:
                    out[col] += s.cells["t3", row, col].value
    return out


def test_natural_persons_file_most_requests(plans) -> None:
    new = _clean_sums(plans, "new_received")
    assert new["total"] > 5000
    share = {col: new[col] / new["total"] for col in T3_APPLICANT_COLS}
    # Real reports: natural persons 70–95% of new requests; research, welfare and legal-service bodies rare.
    assert 0.7 <= share["natural_person"] <= 0.95, share
    assert share["commercial"] > max(share[c] for c in ("research", "social_welfare", "legal_services"))
    for col in ("research", "social_welfare", "legal_services"):
        assert share[col] < 0.05, (col, share)
    for level in ("province", "city", "county", "township"):
        lv = _clean_sums(plans, "new_received", lambda plan, lv=level: plan.a.level == lv)
        assert lv["natural_person"] > lv["total"] / 2, (level, lv)
    # Businesses matter more to commerce and market regulation than to land and housing departments.
    biz = _clean_sums(plans, "new_received", lambda plan: plan.a.sector in ("commerce", "market_regulation"))
    land = _clean_sums(plans, "new_received", lambda plan: plan.a.sector in ("natural_resources", "housing"))
    assert biz["commercial"] / biz["total"] > land["commercial"] / land["total"]


def test_outcome_mix_and_appeals_are_plausible(plans) -> None:
    done = _clean_sums(plans, "total_processed")["total"]
    groups = {"granted": ("granted", "partially_granted"), "withheld": WITHHELD_ROWS,
              "unavailable": UNAVAILABLE_ROWS, "not_processed": NOT_PROCESSED_ROWS}
    share = {g: sum(_clean_sums(plans, row)["total"] for row in rows) / done for g, rows in groups.items()}
    # Real reports: granted + partly granted 40–70% of processed, could-not-provide 10–30%, the rest small.
    assert 0.4 <= share["granted"] <= 0.7, share
    assert 0.1 <= share["unavailable"] <= 0.3, share
    assert share["withheld"] < 0.1 and share["not_processed"] < 0.1, share
    new = _clean_sums(plans, "new_received")["total"]
    t4: Counter = Counter()
    for _plan, specs in plans:
        for s in specs:
            if not s.injected:
                for (t, r, c), cell in s.cells.items():
                    if t == "t4":
                        t4[r, c] += cell.value
    for block in ("review", "litigation_direct"):
        assert 0 < t4[block, "total"] < 0.1 * new, (block, t4[block, "total"], new)  # rare
        assert t4[block, "upheld"] > t4[block, "total"] / 2  # mostly upheld


def test_manifest_lists_coverage_and_duplicates(tmp_path: Path) -> None:
    m = generate(tmp_path, 120, YEARS, seed=4, kinds=["text", "html"], workers=2)
    assert m["sample"] is True and m["seed"] == 4
    rules = Counter(d["rule"] for d in m["defects"])
    assert rules["coverage"] > 0 and rules["duplicate"] > 0
    for d in m["defects"]:
        assert d["rule"] in RULES
        for f in d["files"]:
            assert (tmp_path / f).is_file()
        if d["rule"] == "coverage":
            assert d["files"] == []
            assert not list((tmp_path).rglob(f"{d['year']}.*")) or all(
                json.loads(p.read_text(encoding="utf-8"))["agency_id"] != d["agency_id"]
                for p in tmp_path.rglob(f"{d['year']}.truth.json"))
        if d["rule"] == "duplicate":
            assert len(d["files"]) == 2
    n_reports = sum(1 for _ in tmp_path.rglob("*.truth.json"))
    assert n_reports == m["counts"]["files"] == m["counts"]["reports"] + rules["duplicate"]
