"""Finding ids name what a finding is about (rule, report, agency, year, cells), never its wording; the
wording comes from etl.checks.messages' templates, compiled to SQL."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from etl import checks
from etl import formats as F
from etl.checks import messages as M
from etl.checks.common import register


@pytest.fixture(scope="module")
def built(bundled_warehouse) -> Path:
    return bundled_warehouse.db


@pytest.fixture
def wh(built: Path, tmp_path: Path):
    db = tmp_path / "wh.duckdb"
    shutil.copyfile(built, db)  # each test may re-run the checks on its own copy
    con = duckdb.connect(str(db))
    yield con
    con.close()


def _findings(con: duckdb.DuckDBPyConnection) -> dict[str, tuple]:
    rows = con.execute("SELECT finding_id, rule, report_id, agency_id, year, CAST(cells AS VARCHAR), message, "
                       "message_en FROM findings").fetchall()
    return {r[0]: r[1:] for r in rows}


def test_ids_are_unique_and_short_hex(wh) -> None:
    n, n_ids, n_bad = wh.execute("""SELECT count(*), count(DISTINCT finding_id),
                                           count(*) FILTER (WHERE NOT regexp_full_match(finding_id, '[0-9a-f]{16}'))
                                    FROM findings""").fetchone()
    assert n > 50 and n_ids == n and n_bad == 0
    # several rules and variants take part, so uniqueness is not trivially per report
    assert wh.execute("SELECT count(DISTINCT rule) FROM findings").fetchone()[0] >= 8


def test_rewording_every_template_keeps_every_id(wh, monkeypatch: pytest.MonkeyPatch) -> None:
    before = _findings(wh)
    for key, variants in list(M.MESSAGES.items()):
        monkeypatch.setitem(M.MESSAGES, key, {v: M.Template("改写：" + t.zh, "reworded: " + t.en)
                                              for v, t in variants.items()})
    checks.run_all(wh)
    after = _findings(wh)
    assert set(after) == set(before)
    for fid, row in after.items():
        assert row[:5] == before[fid][:5]  # same rule, report, agency, year and cells under the same id
        assert row[5].startswith("改写：") and row[6].startswith("reworded: ")
        assert row[5] != before[fid][5] and row[6] != before[fid][6]


def test_rerun_reproduces_findings(wh) -> None:
    before = _findings(wh)
    checks.run_all(wh)
    assert _findings(wh) == before


def _render(text: str, **values) -> str:
    con = duckdb.connect()
    register_helpers(con)
    cols = ", ".join(f"${k} AS {k}" for k in values) or "1 AS one"
    return con.execute(f"SELECT {M.compile_template(text)} FROM (SELECT {cols})", values).fetchone()[0]


def register_helpers(con: duckdb.DuckDBPyConnection) -> None:
    # the macros templates compile to, without a warehouse: common.register needs `reports`
    con.execute("CREATE TABLE reports (report_id VARCHAR, t2_format VARCHAR, t3_format VARCHAR, t4_format VARCHAR)")
    register(con)


def test_template_placeholders_compile_to_sql() -> None:
    assert _render("it's {n} ({x:num})", n=3, x=12.0) == "it's 3 (12)"
    assert _render("{x:num}", x=0.125) == "0.125"
    assert _render("{cells|, }{more?, …}", cells=["t3.a.total", "t4"], more=True) == "t3.a.total, t4, …"
    assert _render("{cells|, }{more?, …}", cells=["t4"], more=False) == "t4"
    t2 = F.TABLE_TITLES["t2"][0]
    assert _render("{c:zh}", c="t2") == f"表二「{t2}」"
    assert _render("{cs:zh|、}", cs=["t2", "nowhere"]) == f"表二「{t2}」、nowhere"
    assert _render("no placeholders") == "no placeholders"


def test_bad_placeholders_are_refused() -> None:
    with pytest.raises(ValueError):
        M.compile_template("{x:bold}")
    with pytest.raises(ValueError):
        M.compile_template("{x")


def test_every_template_compiles() -> None:
    for key, variants in M.MESSAGES.items():
        for variant in variants:
            assert M.expr(key, "zh") and M.expr(key, "en"), (key, variant)


def test_addr_macro_is_the_string_form_of_addr() -> None:
    con = duckdb.connect()
    register_helpers(con)
    a = F.Addr("t3", "granted", "total")
    assert con.execute("SELECT addr(?, ?, ?)", list(a)).fetchone()[0] == str(a)
