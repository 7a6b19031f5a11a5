"""Server-side render time of every dashboard page (AppTest run time) on a large warehouse.

    python bench/dashboard.py [--reports 100000] [--years 2019-2023] [--db /tmp/bench.duckdb] [--reuse]
    python bench/dashboard.py --reports 1000000 --years 2019-2024   # a national run of years: target < 2 s

The warehouse is synthesized directly in DuckDB (base tables written from vectorized numpy; the marts by
the warehouse's own etl.warehouse.marts): rendering and parsing 100k files through `etl sample` + `etl
build` would take far longer than the thing measured. Numbers obey the national rules except for planted
flaws, each with its finding; every agency and place name carries "样例" and is_sample is TRUE.

Prints, per page, the first render with empty query caches (cold) and a rerun (warm). Target: < 1 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import sys
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dashboard import PAGES as DASHBOARD_PAGES  # noqa: E402
from etl import formats as F  # noqa: E402

PROVINCES = ("甲样例省", "乙样例省", "丙样例省", "丁样例省")
SECTORS = ("commerce", "education", "finance", "public_security", "health", "ecology")
SECTOR_ZH = ("商务局", "教育局", "财政局", "公安局", "卫生健康委员会", "生态环境局")
YEARS = (2019, 2020, 2021, 2022, 2023)
OUTCOME_P = np.array([0.45, 0.12] + [0.01] * 8 + [0.12, 0.02, 0.02] + [0.02] * 5 + [0.03, 0.01, 0.06])
OUTCOME_P = OUTCOME_P / OUTCOME_P.sum()
APPLICANT_P = np.array([0.8, 0.08, 0.02, 0.02, 0.03, 0.05])
T4_P = np.array([0.6, 0.15, 0.15, 0.10])
CHUNK = 50_000  # reports whose cells are made and inserted at once
PAGES = DASHBOARD_PAGES


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def agencies(n: int) -> pd.DataFrame:
    i = np.arange(n)
    prov = np.array(PROVINCES)[i % len(PROVINCES)]
    city_no, county_no = (i // 4) % 12 + 1, (i // 48) % 9 + 1
    city = np.char.add(np.char.add(prov.astype(str), city_no.astype(str)), "号样例市")
    county = np.char.add(np.char.add(city, county_no.astype(str)), "号样例县")
    r = i % 10
    level = np.select([r < 4, r < 9], ["city", "county"], "township")
    kind = np.select([(r == 0) | (r == 4) | (r == 5), r < 9], ["government", "department"], "township")
    sector = np.where(kind == "department", np.array(SECTORS)[i % 6], None)
    place = np.where(level == "city", city, county)
    suffix = np.where(kind == "government", "人民政府",
                      np.where(kind == "department", np.array(SECTOR_ZH)[i % 6], "样例镇人民政府"))
    name = [f"{p}{s}（{k}）" for p, s, k in zip(place, suffix, i, strict=True)]  # numbered: names are unique
    return pd.DataFrame({"agency_id": [_sha(x)[:16] for x in name], "name": name, "province": prov, "city": city,
                         "county": np.where(level == "city", None, county), "level": level, "kind": kind,
                         "sector": sector, "is_sample": True})


def cells_for(rng: np.random.Generator, t3fmt: np.ndarray, t2fmt: np.ndarray, scale: np.ndarray, broken: np.ndarray,
              blank: np.ndarray) -> pd.DataFrame:
    """The cells of a run of reports (i: their position in it): table 3 per applicant column with outcomes
    drawn by multinomial, table 4, table 2; `broken` reports misprint one carried-forward figure, `blank` ones
    leave one cell blank."""
    n = len(t3fmt)
    new = rng.poisson(scale[:, None] * APPLICANT_P[None, :])
    co = rng.poisson(scale[:, None] * APPLICANT_P[None, :] * 0.1)
    fwd = rng.binomial(new + co, 0.08)
    processed = new + co - fwd
    outc = np.stack([rng.multinomial(processed[:, j], OUTCOME_P) for j in range(6)], axis=2)  # (n, 21, 6)
    fwd_printed = fwd.copy()
    fwd_printed[broken, 0] += 3
    is21 = t3fmt == "2021"
    t3rows: dict[str, tuple[np.ndarray, np.ndarray]] = {  # row -> (values (n, 6), which reports print it)
        "new_received": (new, np.ones(n, bool)), "carried_over": (co, np.ones(n, bool))}
    for j, key in enumerate(F.T3_OUTCOME_ROWS_2021):
        t3rows[key] = (outc[:, j], np.ones(n, bool) if not key.startswith("other_") else is21)
    t3rows["other_total_2019"] = (outc[:, -3:].sum(axis=1), ~is21)
    t3rows["total_processed"] = (processed, np.ones(n, bool))
    t3rows["carried_forward"] = (fwd_printed, np.ones(n, bool))

    idx, tbl, row, col, val, tot = [], [], [], [], [], []

    def add(t: str, r: str, c: str, v: np.ndarray, mask: np.ndarray, total: bool) -> None:
        ii = np.flatnonzero(mask)
        idx.append(ii.astype(np.int32))
        val.append(np.asarray(v, dtype=float)[ii])
        k = len(ii)
        tbl.append(np.full(k, t, dtype=object))
        row.append(np.full(k, r, dtype=object))
        col.append(np.full(k, c, dtype=object))
        tot.append(np.full(k, total))

    for r, (v, mask) in t3rows.items():
        v = v.astype(float)
        if r == "withheld_inquiry":
            v[blank, 0] = np.nan
        for j, c in enumerate(F.T3_APPLICANT_COLS):
            add("t3", r, c, v[:, j], mask, r == "total_processed")
        add("t3", r, "total", v.sum(axis=1), mask, True)  # NaN propagates: a blank total stays blank
    t4n = rng.poisson(scale[:, None] * np.array([0.03, 0.015, 0.005]))
    t4 = np.stack([rng.multinomial(t4n[:, b], T4_P) for b in range(3)], axis=1)
    for b, block in enumerate(F.T4_ROW_KEYS):
        for c, colk in enumerate(("upheld", "corrected", "other", "pending")):
            add("t4", block, colk, t4[:, b, c], np.ones(n, bool), False)
        add("t4", block, "total", t4[:, b].sum(axis=1), np.ones(n, bool), True)
    for fmt in ("2021", "2019"):
        for r, cols in F.T2_FORMATS[fmt].layout.items():
            for c in cols:
                if c in F.T2_AMOUNT_COLS:
                    v = np.round(rng.gamma(2, 30, n), 2)
                elif c == "change":
                    v = rng.integers(-3, 5, n).astype(float)
                else:
                    v = rng.poisson(np.maximum(scale * 0.5, 1)).astype(float)
                add("t2", r, c, v, t2fmt == fmt, False)
    cells = pd.DataFrame({"i": np.concatenate(idx), "tbl": np.concatenate(tbl), "row_key": np.concatenate(row),
                          "col_key": np.concatenate(col), "value": np.concatenate(val), "is_total": np.concatenate(tot)})

    return cells


def synthesize(db: Path, n_reports: int, seed: int = 7, years: tuple[int, ...] = YEARS) -> dict[str, int]:
    rng = np.random.default_rng(seed)
    n_ag = max(1, round(n_reports / len(years) / 0.95))
    ag = agencies(n_ag)
    grid = pd.DataFrame({"a": np.repeat(np.arange(n_ag), len(years)), "year": np.tile(years, n_ag)})
    keep = (rng.random(len(grid)) >= 0.05) | (grid["year"] == years[-1])
    grid = grid[keep].head(n_reports).reset_index(drop=True)
    n = len(grid)
    a = ag.iloc[grid["a"]].reset_index(drop=True)
    year = grid["year"].to_numpy()
    dept = a["kind"].eq("department").to_numpy()
    deadline = pd.to_datetime(pd.Series(year + 1).astype(str) + np.where(dept, "-01-31", "-03-31"))
    pub = deadline + pd.to_timedelta(rng.integers(-60, 20, n), unit="D")
    pub = pub.where(rng.random(n) >= 0.05)
    t3fmt = np.array([F.format_for_year(int(y)) for y in year])  # YEARS start in 2019: no legacy reports
    mixed = (t3fmt == "2021") & (rng.random(n) < 0.05)
    template = np.where(mixed, "mixed", t3fmt)
    t2fmt = np.where(template == "2021", "2021", "2019")
    rid = [_sha(f"{x}/{y}") for x, y in zip(a["agency_id"], year, strict=True)]
    scale = rng.lognormal(3.0, 1.0, n)
    rep = pd.DataFrame({
        "report_id": rid, "agency_id": a["agency_id"], "agency_name": a["name"], "year": year,
        "template": template, "t2_format": t2fmt, "t3_format": t3fmt, "t4_format": t3fmt,
        "published_on": pub.dt.date, "deadline": deadline.dt.date,
        "is_late": np.where(pub.isna(), None, pub > deadline),
        "title": [f"{x}{y}年政府信息公开工作年度报告" for x, y in zip(a["name"], year, strict=True)],
        "source_path": [f"bench/{x}/{y}.html" for x, y in zip(a["agency_id"], year, strict=True)],
        "sha256": rid, "kind": "html", "read_method": "text", "problems": "[]", "n_problems": 0, "is_active": True, "is_sample": True,
        "loaded_at": dt.datetime(2026, 1, 1, 8), "proactive_items": np.round(rng.lognormal(5, 1, n)),
    })

    broken = rng.random(n) < 0.06
    blank = rng.random(n) < 0.04
    fnd = []
    base = rep[["report_id", "agency_id", "year"]]
    fnd.append(base[broken].assign(rule="T3-balance", status="fail", severity="error",
                                   cells='["t3.new_received.natural_person", "t3.carried_over.natural_person", '
                                         '"t3.total_processed.natural_person", "t3.carried_forward.natural_person"]',
                                   message="表三自然人列：新收+上年结转 ≠ 办结+结转"))
    fnd.append(base[blank].assign(rule="T3-outcomes", status="uncertain", severity="warning",
                                  cells='["t3.withheld_inquiry.natural_person"]', message="表三有空白单元格，无法核对"))
    fnd.append(base[rep["is_late"].eq(True).to_numpy()].assign(rule="timeliness", status="fail",
                                                                severity="warning", cells="[]",
                                                                message="发布日期晚于截止日期"))
    fnd.append(base[template == "mixed"].assign(rule="format-vs-year", status="fail", severity="info",
                                                cells="[]", message="表二仍使用2019年格式"))
    have = set(zip(grid["a"], grid["year"], strict=True))
    miss = [(ag["agency_id"].iat[x], y) for x in range(n_ag) for y in years if (x, y) not in have]
    fnd.append(pd.DataFrame({"report_id": None, "agency_id": [m[0] for m in miss], "year": [m[1] for m in miss],
                             "rule": "coverage", "status": "fail", "severity": "error", "cells": "[]",
                             "message": "未找到该年度报告"}))
    findings = pd.concat(fnd, ignore_index=True)
    findings.insert(0, "finding_id", [f"f{i}" for i in range(len(findings))])
    from etl.checks.categories import CATEGORY_OF

    findings["category"] = findings["rule"].map(CATEGORY_OF)  # as etl.checks.run_all sets it

    tmp = db.with_name(db.name + ".tmp")
    tmp.unlink(missing_ok=True)
    con = duckdb.connect(str(tmp))
    try:
        from etl.warehouse import marts, schema

        schema.create(con)
        for name, df in (("agencies", ag), ("reports", rep), ("findings", findings)):
            con.register("src", df)
            cols = ", ".join(df.columns)
            con.execute(f"INSERT INTO {name} ({cols}) SELECT {cols} FROM src")
            con.unregister("src")
        # cells a run of reports at a time: a million reports have some 200 million cells
        for lo in range(0, n, CHUNK):
            hi = min(n, lo + CHUNK)
            cells = cells_for(rng, t3fmt[lo:hi], t2fmt[lo:hi], scale[lo:hi], broken[lo:hi], blank[lo:hi])
            con.register("ids", pd.DataFrame({"i": np.arange(hi - lo, dtype=np.int32), "report_id": rid[lo:hi]}))
            con.register("src", cells)
            con.execute("""INSERT INTO cells (report_id, tbl, row_key, col_key, value, raw, kind, placed, is_total,
                                              read)
                SELECT ids.report_id, s.tbl, s.row_key, s.col_key,
                  CASE WHEN isnan(s.value) THEN NULL ELSE s.value END,
                  CASE WHEN isnan(s.value) THEN '' ELSE printf('%g', s.value) END,
                  CASE WHEN isnan(s.value) THEN 'empty' WHEN s.value = 0 THEN 'zero' ELSE 'number' END, 'header',
                  s.is_total, 'text'
                FROM src s JOIN ids USING (i)""")
            con.unregister("src")
            con.unregister("ids")
            del cells
        schema.cluster(con)  # as the build does (etl.warehouse.build.finish)
        con.execute("INSERT INTO build_info (built_at, n_files, n_reports, n_errors, version, schema_version) "
                    "VALUES (now()::TIMESTAMP, ?, ?, 0, 'bench', ?)", [n, n, schema.SCHEMA_VERSION])
        marts.build(con)
        counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                  for t in ("agencies", "reports", "cells", "findings", "report_metrics")}
        con.execute("CHECKPOINT")
    finally:
        con.close()
    tmp.replace(db)
    return counts


def bench(db: Path, repeat: int = 1) -> list[tuple[str, float, float, int]]:
    os.environ["DISCLOSURE_DB"] = str(db)
    import streamlit as st
    from streamlit.logger import set_log_level

    set_log_level("error")
    from streamlit.testing.v1 import AppTest

    rid = duckdb.connect(str(db), read_only=True).execute(
        "SELECT report_id FROM findings WHERE rule = 'T3-balance' LIMIT 1").fetchone()
    out = []
    for page in PAGES:
        st.cache_data.clear()
        at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=120)
        if page == "report" and rid:
            at.query_params["report"] = rid[0]
        at.run()  # the entry page (overview) first: its cost is the overview's, measured separately
        st.cache_data.clear()
        if page != "overview":
            at.switch_page(f"views/{page}.py")
        t0 = time.perf_counter()
        at.run()
        cold = time.perf_counter() - t0
        if at.exception:
            raise RuntimeError(f"{page}: {at.exception[0].value}")
        warm = min(_timed(at) for _ in range(max(1, repeat)))
        # what the page drew, so a page that rendered nothing cannot pass for a fast one
        shown = len(at.get("plotly_chart")) + len(at.dataframe) + len(at.metric)
        out.append((page, cold, warm, shown))
    return out


def _timed(at) -> float:
    t0 = time.perf_counter()
    at.run()
    return time.perf_counter() - t0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reports", type=int, default=100_000)
    ap.add_argument("--db", type=Path, default=Path("/tmp/dashboard-bench.duckdb"))
    ap.add_argument("--years", default=f"{YEARS[0]}-{YEARS[-1]}", help="report years, first-last (from 2019)")
    ap.add_argument("--reuse", action="store_true", help="reuse --db if it exists")
    ap.add_argument("--repeat", type=int, default=2, help="warm reruns per page (the best is shown)")
    args = ap.parse_args()
    if not (args.reuse and args.db.exists()):
        t0 = time.perf_counter()
        first, last = (int(y) for y in args.years.split("-"))
        counts = synthesize(args.db, args.reports, years=tuple(range(max(first, 2019), last + 1)))
        print(f"synthesized {counts} in {time.perf_counter() - t0:.1f}s → {args.db}")
    rows = bench(args.db, args.repeat)
    target = 1.0 if args.reports <= 100_000 else 2.0
    print(f"{'page':<10} {'cold s':>8} {'warm s':>8} {'charts+tables+metrics':>22}")
    for page, cold, warm, shown in rows:
        flag = "" if cold < target else f"  (over {target:g} s)"
        print(f"{page:<10} {cold:8.3f} {warm:8.3f} {shown:22d}{flag}")
    print(f"max cold {max(r[1] for r in rows):.3f}s, max warm {max(r[2] for r in rows):.3f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
