"""Rankings in the metric's direction, like-for-like comparisons, and regions and peer groups ranked — on the
bundled corpus (data/samples) built into a warehouse of its own, each figure recomputed here in pandas."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from dash_helpers import open_app, sql_runner

from dashboard import i18n
from dashboard import panel as P
from dashboard import queries as Q
from dashboard import rankings as R
from dashboard.filters import Filters
from dashboard.i18n import t
from etl import metrics as M


@pytest.fixture(scope="module")
def bundled(bundled_warehouse) -> Path:
    assert bundled_warehouse.info["n_reports"] > 300, bundled_warehouse.info
    return bundled_warehouse.db


@pytest.fixture(scope="module")
def brun(bundled: Path):
    con = duckdb.connect(str(bundled), read_only=True)
    yield sql_runner(con)
    con.close()


@pytest.fixture
def bundled_app(bundled: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DISCLOSURE_DB", str(bundled))
    return bundled


def shown_values(df_element) -> pd.DataFrame:
    """What a styled table prints in each cell (the Styler's display values), not the data underneath."""
    return pa.ipc.open_stream(df_element.proto.arrow_data.styler.display_values).read_pandas()


def ratio(d: pd.DataFrame, num: str, den: str, per: int = 1) -> float:
    ok = d[num].notna() & d[den].notna()
    s = d.loc[ok, den].sum()
    return d.loc[ok, num].sum() * per / s if s else float("nan")


def arr(v) -> list:
    """A plotly JSON array, plain or typed ({"dtype", "bdata"}, plotly ≥ 6)."""
    if isinstance(v, dict) and "bdata" in v:
        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=v["dtype"]).tolist()
    return list(v)


def _display(dim: str, v: str) -> str:
    """A group as the Compare page names it: a peer group by its level and kind in words."""
    if dim != "peer":
        return v
    lv, kd = v.split("/", 1)
    return f"{i18n.name(i18n.LEVELS, lv)} · {i18n.name(i18n.KINDS, kd)}"


def table_with(at, *cols: str) -> list:
    return [d for d in at.dataframe if all(c in d.value.columns for c in cols)]


# --- direction --------------------------------------------------------------------------------------------

def test_every_metric_states_its_direction_on_purpose():
    assert {type(m.direction) for m in M.METRICS} == {M.Direction}
    lower = {"withholding_rate", "unavailable_rate", "carry_forward_share", "review_correction_rate",
             "litigation_correction_rate", "correction_rate", "pending_share", "share_failed", "share_figure_errors",
             "share_late"}
    assert {m.name for m in M.METRICS if m.direction == M.Direction.LOWER} == lower
    assert {m.name for m in M.METRICS if m.direction == M.Direction.HIGHER} == {"disclosure_rate"}
    # volumes and the per-100 challenge rates pass no verdict
    assert all(not M.get(n).has_direction for n in ("new_received", "review_total", "review_rate", "litigation_rate"))
    with pytest.raises(TypeError):  # no default: a new metric must say which way it runs
        M.Metric("x", "x", "x", "reports", definition_zh="x", definition_en="x")


def _t3_per_report(run) -> pd.DataFrame:
    """Per active report, from the warehouse's base tables (reports, agencies, cells — not the report_metrics
    mart): granted + partially granted, all withheld rows, total processed; NULL where a cell is missing."""
    rep = run("SELECT r.report_id, r.agency_id, r.year, a.name AS agency FROM reports r JOIN agencies a "
              "USING (agency_id) WHERE r.is_active", [])
    cells = run("SELECT report_id, row_key, value FROM cells WHERE tbl = 't3' AND col_key = 'total'", [])
    wide = cells.pivot_table(index="report_id", columns="row_key", values="value", aggfunc="first")
    withheld = [c for c in wide.columns if c.startswith("withheld_")]
    assert len(withheld) == 8  # the eight 不予公开 rows of the form
    out = pd.DataFrame(index=wide.index)
    out["granted_or_partly"] = wide["granted"] + wide["partially_granted"]  # NaN + x is NaN: blank is not 0
    out["withheld"] = wide[withheld].sum(axis=1, min_count=len(withheld)).where(wide[withheld].notna().all(axis=1))
    out["total_processed"] = wide["total_processed"]
    return rep.merge(out, left_on="report_id", right_index=True, how="left")


@pytest.mark.parametrize(("metric", "num", "words"), [("withholding_rate", "withheld", "由低到高"),
                                                     ("disclosure_rate", "granted_or_partly", "由高到低")])
def test_rank_one_is_the_best_in_the_metrics_direction(bundled_app, brun, metric, num, words):
    """Rank 1 of all agencies is the lowest 不予公开率 and the highest 公开率 among those with at least the
    minimum base (computed from the base tables), and the caption says which way the ranking runs."""
    at = open_app("compare")
    at.selectbox(key="rank_metric").set_value(metric).run()
    at.radio(key="rank_scope").set_value("all").run()
    year = int(at.selectbox(key="rank_year").value)
    m = M.get(metric)
    assert f"按{m.label('zh')}{words}排名，第 1 名、第一档最好" in [c.value.split("（")[0] for c in at.caption]

    per = _t3_per_report(brun)
    per = per[per["year"] == year]
    by = {a: (ratio(g, num, "total_processed"), g.loc[g[num].notna() & g["total_processed"].notna(),
                                                    "total_processed"].sum()) for a, g in per.groupby("agency")}
    ok = {a: v for a, (v, den) in by.items() if den >= Q.MIN_DENOMINATOR and not np.isnan(v)}
    best = min(ok.values()) if m.direction == M.Direction.LOWER else max(ok.values())
    want = {a for a, v in ok.items() if v == pytest.approx(best)}
    table = next(d.value for d in table_with(at, t("band"), t("agency")))
    assert set(table.loc[table[t("rank")] == 1, t("agency")]) == want
    assert table[m.label("zh")].iloc[0] == pytest.approx(best)
    assert set(table.loc[table[t("rank")] == 1, t("band")]) == {t("band_1")}
    # the worst is last: the same ranking, read from the other end
    worst = max(ok.values()) if m.direction == M.Direction.LOWER else min(ok.values())
    assert table[m.label("zh")].iloc[-1] == pytest.approx(worst)


def test_a_metric_with_no_direction_is_ranked_by_size_without_bands_or_verdict(bundled_app):
    at = open_app("compare")
    at.selectbox(key="rank_metric").set_value("review_rate").run()
    m = M.get("review_rate")
    assert any(c.value.startswith(f"按{m.label('zh')}由高到低排列") and "不评优劣" in c.value for c in at.caption)
    table = next(d.value for d in table_with(at, t("band"), t("agency")))
    assert set(table[t("band")]) == {t("band_no_direction")}
    for _, g in table.groupby(t("rank_group")):  # largest first
        assert g[m.label("zh")].is_monotonic_decreasing


def test_agencies_without_a_prior_year_show_a_dash(bundled_app, brun):
    """较上年: an agency with no figure the year before shows "—" for that value and the change, never None."""
    at = open_app("compare")
    at.number_input(key="rank_min_den").set_value(1).run()
    for year in at.selectbox(key="rank_year").options:
        year = int(year)
        at.selectbox(key="rank_year").set_value(year).run()
        d = next(d for d in table_with(at, t("band"), t("agency")))
        before = set(brun("SELECT agency_name FROM report_metrics WHERE year = ? AND total_processed <> 0 "
                          "AND granted_or_partly IS NOT NULL", [year - 1])["agency_name"])
        new = d.value[~d.value[t("agency")].isin(before)]
        if not new.empty:
            break
    else:
        pytest.fail("no ranked agency without a figure the year before in any year of the bundled corpus")
    shown = shown_values(d)
    assert (shown.loc[new.index, t("prev_value", y0=year - 1)] == "—").all()
    assert (shown.loc[new.index, t("change_pp", y0=year - 1)] == "—").all()
    old = d.value[d.value[t("agency")].isin(before)].index
    assert shown.loc[old, t("prev_value", y0=year - 1)].str.endswith("%").all()
    assert not shown.isin(["None", "nan", "NaN", "<NA>"]).any().any()


def test_headline_changes_colour_only_metrics_with_a_direction(app_env):
    """A change of a metric with no direction (new requests, lawsuits per 100) is grey: no green or red
    verdict; a higher-is-better rise is green, a lower-is-better rise red."""
    from streamlit.proto.Metric_pb2 import Metric

    at = open_app()
    labels = {M.get(n).label("zh"): M.get(n) for n in (*Q.HEADLINE, *Q.QUALITY)}
    seen = set()
    for el in at.metric:
        m = labels.get(el.label)
        if m is None or not el.delta or not any(ch in "123456789" for ch in el.delta.split(" ")[0]):
            continue
        up = not el.delta.startswith("-")
        want = (Metric.MetricColor.GRAY if not m.has_direction
                else Metric.MetricColor.GREEN if up == (m.direction == M.Direction.HIGHER) else Metric.MetricColor.RED)
        assert el.proto.color == want, (el.label, el.delta)
        seen.add(m.direction)
    assert M.Direction.NEITHER in seen and len(seen) >= 2


def test_no_chart_is_titled_just_rate(app_env):
    for page in ("overview", "requests", "review", "compare", "proactive"):
        at = open_app(page)
        for c in at.get("plotly_chart"):
            title = json.loads(c.proto.spec)["layout"]["title"]["text"].split("<br>")[0]
            assert title not in (t("rate", "zh"), t("rate", "en"), ""), (page, title)


# --- like for like ----------------------------------------------------------------------------------------

def _groups(rm: pd.DataFrame) -> dict[str, pd.Series]:
    return {"province": rm["province"], "city": rm["city"], "peer": rm["level"] + "/" + rm["kind"]}


def _value(d: pd.DataFrame, m: M.Metric) -> float:
    return ratio(d, m.numerator, m.denominator, m.per)


def _reversal(rm: pd.DataFrame) -> tuple[str, str, str, int, dict]:
    """A region or peer group, rate and year whose change from the year before runs one way over all reports
    and the other way over the agencies that stated the figure in both years."""
    rates = sorted((n for n in M.GROUPABLE if M.get(n).is_rate), key=lambda n: n != "disclosure_rate")  # 公开率 first
    for m in map(M.get, rates):
        for dim, key in _groups(rm).items():
            for grp in sorted(key.dropna().unique()):
                d = rm[key == grp]
                stated = d[d[m.numerator].notna() & d[m.denominator].notna()]
                for y in sorted(d["year"].unique())[1:]:
                    both = set(stated.loc[stated["year"] == y - 1, "agency_id"]) & set(
                        stated.loc[stated["year"] == y, "agency_id"])
                    pan = d[d["agency_id"].isin(both)]
                    a0, a1 = _value(d[d["year"] == y - 1], m), _value(d[d["year"] == y], m)
                    p0, p1 = _value(pan[pan["year"] == y - 1], m), _value(pan[pan["year"] == y], m)
                    if min(abs(a1 - a0), abs(p1 - p0)) > 1e-4 and (a1 - a0) * (p1 - p0) < 0:
                        return dim, grp, m.name, int(y), {"a": (a0, a1), "p": (p0, p1), "n": len(both),
                                                          "pan": pan[pan["year"].isin([y - 1, y])]}
    pytest.fail("no region or peer group in the bundled corpus whose change over all reports and like for like "
                "run opposite ways: the test needs one (regenerate data/samples or pick another corpus)")


def test_compare_change_is_like_for_like_where_the_naive_change_runs_the_other_way(bundled_app, brun):
    rm = brun("SELECT * FROM report_metrics", [])
    dim, grp, metric, y, want = _reversal(rm)
    m = M.get(metric)
    other = next(v for v in Q.compare_choices(brun, Filters(), dim) if v != grp)
    at = open_app("compare", {"y0": str(y - 1), "y1": str(y)})
    at.radio(key="cmp_dim").set_value(dim).run()
    at.selectbox(key="cmp_metric").set_value(metric).run()
    at.multiselect(key=f"cmp_pick_{dim}").set_value([grp, other]).run()
    assert not at.exception
    shown = _display(dim, grp)
    # the change table: like for like (the figure to quote) beside all reports, in percentage points for a share
    scale, pp = (100, "（百分点）") if m.is_share else (1, "")
    name_col = t(f"dim_{dim}")
    ch = next(d.value for d in table_with(at, t("change_lfl") + pp, t("change_all") + pp))
    row = ch[ch[name_col] == shown].iloc[0]
    lfl, naive = row[t("change_lfl") + pp], row[t("change_all") + pp]
    (p0, p1), (a0, a1) = want["p"], want["a"]
    assert lfl == pytest.approx((p1 - p0) * scale) and naive == pytest.approx((a1 - a0) * scale)
    assert np.sign(lfl) != np.sign(naive)
    assert row[t("lfl_panel_n")] == want["n"]
    # the chart draws the like-for-like line, says so, and each point carries its base
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert spec["layout"]["title"]["text"].startswith(f"{m.label('zh')} · {t('page_compare')} · {t('basis_lfl')}")
    assert any(c.value.startswith("同口径：只计") and f"“{m.label('zh')}”" in c.value for c in at.caption)
    tr = next(tr for tr in spec["data"] if tr["name"] == shown)
    pts = dict(zip(arr(tr["x"]), arr(tr["y"]), strict=True))
    assert pts == {y - 1: pytest.approx(p0), y: pytest.approx(p1)}
    assert "计入报告" in tr["hovertemplate"] and "分母" in tr["hovertemplate"]
    pan = want["pan"]
    base = next(d.value for d in table_with(at, t("n_counted"), t("n_agencies"), t("year")))
    for yy in (y - 1, y):
        b = base[(base[name_col] == shown) & (base[t("year")] == yy)].iloc[0]
        g = pan[pan["year"] == yy]
        ok = g[m.numerator].notna() & g[m.denominator].notna()
        assert (b[t("numerator")], b[t("denominator")]) == (g.loc[ok, m.numerator].sum(), g.loc[ok, m.denominator].sum())
        assert b[t("n_counted")] == ok.sum() == want["n"]
    # switched to all reports, the line is the naive one and the caption says so
    at.toggle(key="cmp_lfl").set_value(False).run()
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert t("basis_all") in spec["layout"]["title"]["text"]
    assert any(c.value.startswith("全部报告：") for c in at.caption)


# --- regions and peer groups ------------------------------------------------------------------------------

def _toy(rows: list[tuple[str, float | None, float]]) -> object:
    """A report_metrics table written here: one agency per province, (province, numerator, denominator) as
    both granted-or-partly and withheld over total processed, in 2023."""
    con = duckdb.connect()
    cols = sorted({m.name for m in M.MEASURES})
    con.execute("CREATE TABLE report_metrics (agency_id VARCHAR, agency_name VARCHAR, province VARCHAR, city VARCHAR, "
                "county VARCHAR, level VARCHAR, kind VARCHAR, is_sample BOOLEAN, year INT, template VARCHAR, "
                "read_method VARCHAR, has_figure_error BOOLEAN, " + ", ".join(f"{c} DOUBLE" for c in cols) + ")")
    for prov, num, den in rows:
        con.execute("INSERT INTO report_metrics (agency_id, agency_name, province, level, kind, is_sample, year, "
                    "template, has_figure_error, granted_or_partly, withheld, total_processed, new_received) "
                    "VALUES (?, ?, ?, 'city', 'government', FALSE, 2023, '2021', FALSE, ?, ?, ?, ?)",
                    [prov, prov, prov, num, num, den, den])
    return sql_runner(con)


def test_ranking_rules_ties_share_a_rank_and_small_bases_stand_apart():
    """The one ranking (queries.rankings.ranked), on a table written here: competition ranking (1, 1, 3) in the
    metric's direction, a unit under the minimum base neither ranked nor displacing anyone, bands by rank,
    none for a metric with no direction; the same for agencies and for regions."""
    run = _toy([("a", 8, 40), ("b", 15, 30), ("c", 25, 50), ("d", 18, 20), ("e", 0.5, 5), ("f", None, 100)])

    def ranks(metric: str, min_den: float = 10, unit: bool = True) -> pd.DataFrame:
        if unit:
            return Q.unit_ranking(run, Filters(), "province", metric, 2023, min_den).set_index("grp")
        return Q.ranking(run, Filters(), metric, 2023, "all", min_den).set_index("agency")

    for unit in (True, False):
        hi = ranks("disclosure_rate", unit=unit)  # d .9, b .5, c .5, a .2; e on 5 cases; f states nothing
        assert hi.loc[["d", "b", "c", "a"], "rank"].tolist() == [1, 2, 2, 4] and "f" not in hi.index
        assert not hi.loc["e", "rankable"] and pd.isna(hi.loc["e", "rank"]) and pd.isna(hi.loc["e", "band"])
        assert hi.loc[["d", "b", "c", "a"], "band"].tolist() == [1, 2, 2, 4] and (hi["n_ranked"] == 4).all()
        lo = ranks("withholding_rate", unit=unit)
        assert lo.loc[["a", "b", "c", "d"], "rank"].tolist() == [1, 2, 2, 4]
        assert ranks("withholding_rate", 1, unit).loc["e", "rank"] == 1  # 10% on 5 cases leads once allowed
    # no direction (reconsiderations per 100 requests: all NULL here, so a count stands in): largest first,
    # no bands
    none = ranks("new_received")
    assert none.loc[["f", "c", "a", "b", "d", "e"], "rank"].tolist() == [1, 2, 3, 4, 5, 6] and none["band"].isna().all()
    lo = Q.unit_ranking(run, Filters(), "province", "withholding_rate", 2023, 10)
    assert R.worst(lo, 2, M.get("withholding_rate"))["grp"].tolist() == ["d", "b", "c"]  # ties at the cut kept
    assert R.worst(none.reset_index(), 2, M.get("new_received")).empty  # no direction: no worst


def _unit_key(rm: pd.DataFrame, unit: str) -> pd.Series:
    if unit == "peer":
        return rm["level"] + "/" + rm["kind"]
    cols = {"province": ["province"], "city": ["province", "city"], "county": ["province", "city", "county"]}[unit]
    return rm[cols].apply(lambda r: " · ".join(r) if r.notna().all() else None, axis=1)


def _expected_units(rm: pd.DataFrame, unit: str, m: M.Metric, year: int, min_den: float) -> pd.DataFrame:
    """Each unit's figure, base, rank, band and like-for-like change, computed here in pandas."""
    key = _unit_key(rm, unit)
    d = rm.assign(unit=key)[key.notna()]
    stated = d[m.numerator].notna() & (d[m.denominator].notna() if m.is_rate else True)
    rows = []
    for u, g in d.groupby("unit"):
        cur = g[g["year"] == year]
        ok = stated.loc[cur.index]
        if not ok.any():
            continue
        num = cur.loc[ok, m.numerator].sum()
        den = cur.loc[ok, m.denominator].sum() if m.is_rate else None
        if m.is_rate and not den:
            continue
        both = set(g.loc[stated.loc[g.index] & (g["year"] == year - 1), "agency_id"]) & set(
            g.loc[stated.loc[g.index] & (g["year"] == year), "agency_id"])
        pan = g[g["agency_id"].isin(both)]

        def val(x: pd.DataFrame) -> float:
            return _value(x, m) if m.is_rate else (x[m.numerator].sum() if len(x) else float("nan"))

        rows.append({"grp": u, "value": num * m.per / den if m.is_rate else num, "num": num, "den": den,
                     "n_reports": int(ok.sum()), "n_agencies": cur["agency_id"].nunique(),
                     "change": val(pan[pan["year"] == year]) - val(pan[pan["year"] == year - 1]) if both else None,
                     "n_panel": len(both) or None})
    e = pd.DataFrame(rows)
    e["rankable"] = e["den"].isna() | (e["den"] >= min_den) if m.is_rate else True
    r = e[e["rankable"]]
    sign = -1 if m.direction == M.Direction.LOWER else 1
    e["rank"] = [1 + int(((r["value"] - x) * sign > 1e-12).sum()) if ok else None
                 for x, ok in zip(e["value"], e["rankable"], strict=True)]
    n = len(r)
    e["band"] = [1 + 4 * (k - 1) // n if ok and n >= 4 and m.has_direction else None
                 for k, ok in zip(e["rank"], e["rankable"], strict=True)]
    return e.set_index("grp")


def test_regions_and_peer_groups_are_ranked_like_agencies(brun):
    """Every kind of unit, a lower- and a higher-is-better rate, one with no direction and a count, two years
    and two minimum bases: figure, base, rank (ties 1-1-3), band and like-for-like change as pandas has them."""
    rm = brun("SELECT * FROM report_metrics", [])
    seen = {"tie": 0, "few": 0, "banded": 0}
    for unit in Q.RANK_UNITS:
        for name in ("withholding_rate", "disclosure_rate", "carry_forward_share", "review_rate", "new_received"):
            m = M.get(name)
            for year in (2020, 2022, 2024):
                for min_den in (Q.MIN_DENOMINATOR, 200):
                    got = Q.unit_ranking(brun, Filters(), unit, name, year, min_den).set_index("grp")
                    want = _expected_units(rm, unit, m, year, min_den)
                    where = (unit, name, year, min_den)
                    assert set(got.index) == set(want.index), where
                    for col in ("value", "num", "den", "change"):
                        assert np.allclose(got[col].astype(float), want.loc[got.index, col].astype(float),
                                           equal_nan=True), (where, col)
                    for col in ("n_reports", "n_agencies", "rankable"):
                        assert got[col].tolist() == want.loc[got.index, col].tolist(), (where, col)
                    for col in ("rank", "band", "n_panel"):
                        g, w = got[col].astype("Float64"), want.loc[got.index, col].astype("Float64")
                        assert (g.fillna(-1) == w.fillna(-1)).all(), (where, col, got[col].tolist(), w.tolist())
                    ranked = got[got["rankable"]]
                    seen["tie"] += int(ranked["rank"].duplicated().any())
                    seen["few"] += int((~got["rankable"]).any())
                    seen["banded"] += int(ranked["band"].notna().any())
    assert all(seen.values()), f"the corpus should exercise ties, small bases and bands: {seen}"


def test_compare_ranks_regions_with_their_base_and_lists_the_worst(bundled_app, brun):
    """The page's region ranking: ties share a rank, the direction is printed, and the worst few are listed
    with the base their figures rest on; a metric with no direction has no worst."""
    rm = brun("SELECT * FROM report_metrics", [])
    m = M.get("carry_forward_share")
    year, want = next(((y, w) for y in range(2019, 2025)
                       if (w := _expected_units(rm, "county", m, y, Q.MIN_DENOMINATOR))["rank"].duplicated().any()),
                      (None, None))
    assert year is not None, "no tie among the counties' carry-forward shares in the bundled corpus"
    at = open_app("compare")
    at.radio(key="unit_rank_unit").set_value("county").run()
    at.selectbox(key="unit_rank_metric").set_value(m.name).run()
    at.selectbox(key="unit_rank_year").set_value(year).run()
    assert f"按{m.label('zh')}由低到高排名，第 1 名、第一档最好（越低越好）。" in [c.value for c in at.caption]
    tables = table_with(at, t("rank"), t("dim_county"), t("n_counted"))
    full = tables[0].value
    assert full[t("rank")].tolist() == sorted(want.loc[want["rankable"], "rank"].tolist())
    assert full[t("dim_county")].tolist()[0] in set(want.index[want["rank"] == 1])
    at.number_input(key="unit_rank_worst").set_value(1).run()
    worst = table_with(at, t("rank"), t("dim_county"), t("n_counted"))[-1].value
    bottom = want[want["rank"] == want["rank"].max()]
    assert set(worst[t("dim_county")]) == set(bottom.index)
    for _, r in worst.iterrows():
        w = want.loc[r[t("dim_county")]]
        assert (r[t("numerator")], r[t("denominator")], r[t("n_counted")]) == (w["num"], w["den"], w["n_reports"])
    assert any(md.value.startswith(f"**最差的 {len(bottom)} 个县") for md in at.markdown)
    at.selectbox(key="unit_rank_metric").set_value("review_rate").run()
    assert any("没有“最差”之分" in i.value for i in at.info)


def test_table_builder_is_like_for_like_per_metric_and_marks_small_bases(bundled_app, brun):
    """Across the years picked, each metric counts the agencies that stated it in every one of them (here
    in pandas), with the reports and agencies behind each cell; all reports when switched; a rate on fewer
    than the minimum base is marked."""
    rm = brun("SELECT * FROM report_metrics", [])
    years = [2022, 2023]
    at = open_app("builder")
    at.selectbox(key="builder_dim").set_value("city").run()
    at.multiselect(key="builder_years").set_value(years).run()
    at.multiselect(key="builder_metrics").set_value(["new_received", "disclosure_rate"]).run()
    d = rm[rm["year"].isin(years) & rm["city"].notna()]
    differs = 0
    for lfl in (True, False):
        if not lfl:
            at.toggle(key="builder_lfl").set_value(False).run()
        table = next(x.value for x in table_with(at, t("builder_group")))
        for name in ("new_received", "disclosure_rate"):
            m = M.get(name)
            stated = d[d[m.numerator].notna() & (d[m.denominator].notna() if m.is_rate else True)]
            every = stated.groupby("agency_id")["year"].nunique()
            pan = stated[stated["agency_id"].isin(every[every == len(years)].index)] if lfl else stated
            for (city, y), g in pan.groupby(["city", "year"]):
                row = table[(table[t("builder_group")] == city) & (table[t("year")] == y)].iloc[0]
                want = _value(g, m) if m.is_rate else g[m.numerator].sum()
                assert row[m.label("zh")] == pytest.approx(want), (lfl, name, city, y)
                assert row[f"{m.label('zh')} · {t('n_counted')}"] == len(g)
                assert row[f"{m.label('zh')} · {t('n_agencies')}"] == g["agency_id"].nunique()
                if lfl:
                    differs += int(abs(want - (_value(stated[(stated["city"] == city) & (stated["year"] == y)], m)
                                               if m.is_rate else stated.loc[(stated["city"] == city)
                                                                            & (stated["year"] == y),
                                                                            m.numerator].sum())) > 1e-9)
    assert differs, "like for like should differ from all reports somewhere in the bundled corpus"
    assert any(c.value.startswith("全部报告：") for c in at.caption)
    # small bases, by agency
    at.selectbox(key="builder_dim").set_value("agency").run()
    table = next(x.value for x in table_with(at, t("builder_group")))
    m = M.get("disclosure_rate")
    low = table[f"{m.label('zh')} · {t('denominator')}"] < Q.MIN_DENOMINATOR
    assert low.any() and (table.loc[low, f"{m.label('zh')} · {t('low_base')}"] == t("low_base")).all()
    assert (table.loc[~low, f"{m.label('zh')} · {t('low_base')}"] == "").all()
    assert any(w.value.startswith(f"{int(low.sum())} 个数值的分母少于 {Q.MIN_DENOMINATOR}") for w in at.warning)


def test_like_for_like_helpers():
    assert P.years_words([2021, 2019, 2020]) == "2019–2021 年" and P.years_words([2019, 2021], "en") == "2019, 2021"
    ser = pd.DataFrame({"grp": ["a", "a", "b"], "year": [2022, 2023, 2023], "x": [0.5, 0.7, 0.2],
                        "n_agencies": [3, 3, 2]})
    every = ser.assign(x=[0.6, 0.5, 0.2])
    ch = P.change(ser, every, "x", 2022, 2023).set_index("grp")
    assert ch.loc["a", "change"] == pytest.approx(0.2) and ch.loc["a", "change_all"] == pytest.approx(-0.1)
    assert pd.isna(ch.loc["b", "change"]) and ch.loc["a", "n_panel"] == 3
