"""The metrics registry against the warehouse: every report_metrics measure column, recomputed in plain Python
from the `cells` table and the registry's definitions (not from the mart's SQL), for every active report of a
warehouse built from the bundled corpus; and the registry's own consistency."""

from __future__ import annotations

import math

import duckdb
import pandas as pd
import pytest

from etl import formats as F
from etl import metrics as M


@pytest.fixture(scope="module")
def wh(bundled_warehouse) -> duckdb.DuckDBPyConnection:
    assert bundled_warehouse.info["n_reports"] > 100, bundled_warehouse.info
    con = duckdb.connect(str(bundled_warehouse.db), read_only=True)
    yield con
    con.close()


def _missing(v: object) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA or v is pd.NaT


def expected(m: M.Measure, cells: dict[tuple[str, str], float | None], fields: dict[str, object],
             formats: dict[str, str | None]) -> float | None:
    """One measure of one report, from its definition: NULL when any input is absent or has no value."""
    terms = m.terms_for(formats.get(m.by) if m.by else None)
    if terms is None:
        return None
    total = 0.0
    for t in terms:
        v = fields[t.source] if not t.is_cell else cells.get(t.source)
        if _missing(v):
            return None
        total += t.sign * float(v)
    return total


def test_every_measure_column_recomputes_from_the_cells(wh) -> None:
    cells = wh.execute("SELECT report_id, tbl, row_key, col_key, value FROM cells").df()
    assert not cells.duplicated(["report_id", "tbl", "row_key", "col_key"]).any(), "one value per cell"
    by_report: dict[str, dict[str, float | None]] = {}
    for rid, tbl, row, col, value in cells.itertuples(index=False):
        by_report.setdefault(rid, {})[str(F.Addr(tbl, row, col))] = None if _missing(value) else float(value)
    reports = wh.execute("SELECT report_id, t2_format, t3_format, t4_format, is_late, proactive_items "
                         "FROM reports WHERE is_active").df()
    failed = set(wh.execute("SELECT DISTINCT report_id FROM findings WHERE status = 'fail' "
                            "AND report_id IS NOT NULL").df()["report_id"])
    # independently of the mart: the rules etl/checks/categories.py counts as errors in the figures
    from etl.checks.categories import CATEGORY_OF

    figure_rules = [r for r, c in CATEGORY_OF.items() if c == "figures"]
    figures = set(wh.execute(f"SELECT DISTINCT report_id FROM findings WHERE status = 'fail' AND report_id IS NOT "
                             f"NULL AND rule IN ({', '.join('?' * len(figure_rules))})", figure_rules).df()["report_id"])
    mart = wh.execute("SELECT * FROM report_metrics").df().set_index("report_id")
    assert set(mart.index) == set(reports["report_id"]) and mart.index.is_unique
    assert {m.name for m in M.MEASURES} <= set(mart.columns)
    checked = {m.name: 0 for m in M.MEASURES}
    for r in reports.itertuples(index=False):
        fields = {"proactive_items": r.proactive_items, "report": 1,
                  "is_late": None if _missing(r.is_late) else int(bool(r.is_late)),
                  "has_fail": int(r.report_id in failed), "has_figure_error": int(r.report_id in figures)}
        assert set(fields) == set(M.FIELDS)
        formats = {"t2": r.t2_format, "t3": r.t3_format, "t4": r.t4_format}
        got = mart.loc[r.report_id]
        for m in M.MEASURES:
            want, have = expected(m, by_report.get(r.report_id, {}), fields, formats), got[m.name]
            where = f"{m.name} of {r.report_id[:12]}"
            if want is None:
                assert _missing(have), f"{where}: {have!r}, want NULL"
                continue
            assert not _missing(have), f"{where}: NULL, want {want}"
            if float(want).is_integer() and float(have).is_integer():
                assert float(have) == want, where
            else:
                assert float(have) == pytest.approx(want, abs=1e-9), where
            checked[m.name] += 1
    # each measure was compared on real values somewhere (the corpus has both formats of every table)
    assert all(checked.values()), [n for n, k in checked.items() if not k]


def test_outcome_groups_in_the_long_mart_come_from_the_formats(wh) -> None:
    got = wh.execute("SELECT DISTINCT outcome, outcome_group FROM outcomes_long").fetchall()
    assert got and all(F.GROUP_OF_ROW[row] == group for row, group in got)


def test_every_metric_is_defined_in_both_languages_over_measures_that_exist() -> None:
    M.check()
    for m in M.METRICS:
        assert m.definition("zh").strip() and m.definition("en").strip(), m.name
        assert m.label("zh") and m.label("en"), m.name
        assert m.numerator in M.MEASURE, m.name
        assert m.denominator is None or m.denominator in M.MEASURE, m.name
        assert m.sources, f"{m.name} reads nothing"
    for ms in M.MEASURES:
        assert ms.label("zh") and ms.label("en") and ms.formula("zh") and ms.formula("en"), ms.name


def test_groups_are_built_from_the_formats() -> None:
    for g in F.OUTCOME_GROUPS:
        ms = M.MEASURE[g.key]
        for fmt in F.FORMATS:
            assert [t.source for t in ms.terms_for(fmt)] == [str(F.Addr("t3", r, "total")) for r in g.rows[fmt]]
    assert M.MEASURE["other"].by == "t3"  # the 2019 single row vs the 2021 sub-rows
    assert M.MEASURE["withheld"].by is None  # the same rows in both formats


def test_former_metric_names_are_still_accepted() -> None:
    for old, new in M.ALIASES.items():
        assert old not in M.BY_NAME and M.get(old) is M.get(new)


def test_the_mart_keeps_its_descriptive_columns(wh) -> None:
    cols = set(wh.execute("SELECT * FROM report_metrics LIMIT 0").df().columns)
    assert {"agency_id", "agency_name", "province", "level", "kind", "year", "template", "published_on",
            "deadline", "is_late", "n_fail", "n_uncertain", "has_fail", "is_sample", "t3_format"} <= cols
