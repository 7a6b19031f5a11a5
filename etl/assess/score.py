"""Each agency's 考评 score for one report year, from the findings that are accusations and the 考评 rules.

Who is assessed: every agency with an active report for the year, and every agency the checks accuse of not
publishing one (a `coverage` accusation: it was due). What counts: only a certain failure of the report itself
(etl.checks.categories.ACCUSATION), on the agency's active report (a duplicate file's findings are not its
own), less the findings the office dismissed (`dismissed`: their finding ids). Per-case items count the
figures the report itself prints (table 4's 结果纠正 cells): a blank or "/" cell is an unknown count, never
0 — the item then deducts what is known and says the rest is unknown.

`inputs` reads what `assess` needs from a warehouse; `assess` is pure (pandas in, pandas out), so the office
can try other points on the page and a test can recompute every point by hand.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import duckdb
import pandas as pd

from etl.assess.rules import Item, Table
from etl.checks.categories import accusation

AGENCY_COLUMNS = ("agency_id", "name", "province", "city", "county", "level", "kind")


@dataclass(frozen=True)
class Inputs:
    findings: pd.DataFrame  # finding_id, agency_id, report_id, year, rule, message, message_en (accusations)
    cases: pd.DataFrame  # agency_id, report_id, addr, value (NULL: not a number), raw
    agencies: pd.DataFrame  # AGENCY_COLUMNS: the agencies assessed


@dataclass(frozen=True)
class Result:
    scores: pd.DataFrame  # one row per agency: AGENCY_COLUMNS, full, deducted, score, rank, n_peers, unknown,
    #                       and one column per item code with the points it deducted
    detail: pd.DataFrame  # one row per finding or counted cell behind a deduction: agency_id, item, finding_id,
    #                       report_id, rule, addr, count (NULL: no figure), raw, message, message_en
    items: pd.DataFrame  # one row per agency × item that deducted or is unknown: agency_id, item, n, points,
    #                      capped (bool), unknown (bool)


Run = Callable[[str, Sequence], pd.DataFrame]  # SQL with ? parameters -> rows (the dashboard's runner)


def runner(con: duckdb.DuckDBPyConnection) -> Run:
    return lambda sql, params: con.execute(sql, list(params)).df()


def inputs(run: Run, year: int, table: Table, where: str = "TRUE", params: Sequence = ()) -> Inputs:
    """The accusations of `year`, the per-case cells the table counts, and the agencies assessed; `where`
    (with `params`) narrows the agencies, a condition on agencies alias `a` (dashboard.filters)."""
    findings = run(f"""
        SELECT fi.finding_id, fi.agency_id, fi.report_id, fi.year, fi.rule, fi.message, fi.message_en
        FROM findings fi JOIN agencies a USING (agency_id) LEFT JOIN reports r ON r.report_id = fi.report_id
        WHERE fi.year = ? AND {accusation('fi')} AND (fi.report_id IS NULL OR r.is_active) AND {where}
        ORDER BY fi.agency_id, fi.rule, fi.finding_id""", [year, *params])
    addrs = sorted({c for i in table.items for c in i.cells})
    cases = run(f"""
        SELECT r.agency_id, r.report_id, x.addr, c.value, c.raw
        FROM reports r JOIN agencies a USING (agency_id) CROSS JOIN (SELECT unnest(?::VARCHAR[]) AS addr) x
        LEFT JOIN cells c ON c.report_id = r.report_id AND c.tbl || '.' || c.row_key || '.' || c.col_key = x.addr
        WHERE r.is_active AND r.year = ? AND {where}
        ORDER BY 1, 3""", [addrs, year, *params])
    agencies = run(f"""
        SELECT {', '.join('a.' + c for c in AGENCY_COLUMNS)} FROM agencies a
        WHERE (a.agency_id IN (SELECT agency_id FROM reports WHERE is_active AND year = ?)
               OR a.agency_id IN (SELECT agency_id FROM findings WHERE year = ? AND rule = 'coverage'
                                  AND {accusation()}))
          AND {where}
        ORDER BY a.province NULLS LAST, a.city NULLS LAST, a.county NULLS LAST, a.name""", [year, year, *params])
    return Inputs(findings, cases, agencies)


def _deduct(item: Item, n: float) -> tuple[float, bool]:
    raw = item.points * n
    if item.cap is not None and raw > item.cap:
        return item.cap, True
    return raw, False


def assess(data: Inputs, table: Table, dismissed: Iterable[str] | None = None) -> Result:
    """Score every agency of `data.agencies`: full marks less each item's deduction (at least 0), ranked
    within its peer group (same level and kind; ties share a rank)."""
    drop = set(dismissed or ())
    fl = data.findings[~data.findings["finding_id"].isin(drop)] if drop else data.findings
    detail_rows: list[dict] = []
    item_rows: list[dict] = []
    for item in table.items:
        if item.per == "case":
            cs = data.cases[data.cases["addr"].isin(item.cells)]
            for aid, g in cs.groupby("agency_id", sort=False):
                known = g[g["value"].notna()]
                n = float(known["value"].sum())
                unknown = len(known) < len(g)
                if n or unknown:
                    pts, capped = _deduct(item, n)
                    item_rows.append({"agency_id": aid, "item": item.item, "n": n, "points": pts, "capped": capped,
                                      "unknown": unknown})
                for r in g.itertuples():
                    if pd.isna(r.value) or r.value:
                        detail_rows.append({"agency_id": aid, "item": item.item, "finding_id": None,
                                            "report_id": r.report_id, "rule": None, "addr": r.addr,
                                            "count": None if pd.isna(r.value) else float(r.value),
                                            "raw": r.raw, "message": None, "message_en": None})
            continue
        hits = fl[fl["rule"].isin(item.rules)]
        for aid, g in hits.groupby("agency_id", sort=False):
            # per report: a coverage finding has no report, and stands for the agency-year's one
            n = float(g["report_id"].fillna("").nunique()) if item.per == "report" else float(len(g))
            pts, capped = _deduct(item, n)
            item_rows.append({"agency_id": aid, "item": item.item, "n": n, "points": pts, "capped": capped,
                              "unknown": False})
            detail_rows += [{"agency_id": aid, "item": item.item, "finding_id": r.finding_id,
                             "report_id": r.report_id, "rule": r.rule, "addr": None, "count": None,
                             "raw": None, "message": r.message, "message_en": r.message_en} for r in g.itertuples()]
    items = pd.DataFrame(item_rows, columns=["agency_id", "item", "n", "points", "capped", "unknown"])
    detail = pd.DataFrame(detail_rows, columns=["agency_id", "item", "finding_id", "report_id", "rule", "addr",
                                                "count", "raw", "message", "message_en"])
    scores = data.agencies[list(AGENCY_COLUMNS)].copy()
    codes = [i.item for i in table.items]
    wide = items.pivot_table(index="agency_id", columns="item", values="points", aggfunc="sum")
    for c in codes:
        scores[c] = scores["agency_id"].map(wide[c]) if c in wide.columns else float("nan")
        scores[c] = scores[c].fillna(0.0)
    scores["full"] = table.full
    scores["deducted"] = scores[codes].sum(axis=1) if codes else 0.0
    scores["score"] = (scores["full"] - scores["deducted"]).clip(lower=0.0)
    unknown = items[items["unknown"]].groupby("agency_id")["item"].agg(list)
    scores["unknown"] = scores["agency_id"].map(unknown).map(lambda v: v if isinstance(v, list) else [])
    peer = scores["level"].fillna("") + "|" + scores["kind"].fillna("")
    scores["peer"] = peer
    scores["rank"] = scores.groupby("peer")["score"].rank(method="min", ascending=False).astype(int)
    scores["n_peers"] = scores.groupby("peer")["agency_id"].transform("count").astype(int)
    scores = scores.sort_values(["peer", "rank", "name"], kind="stable").reset_index(drop=True)
    return Result(scores, detail, items)
