"""Every warehouse table keeps its stated grain (etl/warehouse/schema.py, marts in etl/warehouse/marts.py), in
the manner of dbt's unique / not_null tests: the key columns are never NULL and unique together.

One build of the bundled corpus (data/samples) plus a small folder of files the build must record rather than
load (unreadable ones for ingest_errors, a hidden file and an identical copy for skipped), so no table is
checked empty."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import duckdb
import pytest
from helpers import SAMPLES

from etl.warehouse.build import build
from etl.warehouse.schema import GRAIN as SCHEMA_GRAIN

# table -> (key columns, filter): the rows the grain applies to and the columns that identify one of them. The
# keys are etl/warehouse/schema.py's GRAIN, the one statement of each table's grain (docs/reference prints it).
_EMPTY_HERE = {"collect_agencies", "collect_publications", "collect_failures", "expected_reporters", "overrides",
               "build_info"}
GRAIN: dict[str, tuple[tuple[str, ...], str]] = {t: (keys, "TRUE") for t, keys in SCHEMA_GRAIN.items()
                                                 if t not in _EMPTY_HERE}
# The collection tables (etl.warehouse.provenance) are empty without a collection: their grain is checked on a
# collected warehouse by tests/test_collect.py.
COLLECT_GRAIN: dict[str, tuple[tuple[str, ...], str]] = {
    t: (SCHEMA_GRAIN[t], "TRUE") for t in ("collect_agencies", "collect_publications", "collect_failures")}
# The 应报名单 is empty without an expected.csv: its grain (agency_id) is checked by
# tests/test_expected_reporters.py.
LIST_GRAIN: dict[str, tuple[tuple[str, ...], str]] = {
    "expected_reporters": (SCHEMA_GRAIN["expected_reporters"], "TRUE")}
# The corrections in force are empty without a review store: their grain is checked on a corrected warehouse below
# (tests/test_casework.py makes the corrections themselves).
OVERRIDE_GRAIN: dict[str, tuple[tuple[str, ...], str]] = {"overrides": (SCHEMA_GRAIN["overrides"], "TRUE")}
# Further grains stated in the docs: one active report per agency-year, and so one metrics row per agency-year.
SECONDARY: dict[str, tuple[str, tuple[str, ...], str]] = {
    "active reports": ("reports", ("agency_id", "year"), "is_active"),
    "report_metrics per agency-year": ("report_metrics", ("agency_id", "year"), "TRUE"),
}


@pytest.fixture(scope="module")
def wh(tmp_path_factory: pytest.TempPathFactory, bundled_warehouse) -> Iterator[duckdb.DuckDBPyConnection]:
    tmp = tmp_path_factory.mktemp("grain")
    extra = tmp / "extra"
    extra.mkdir()
    (extra / "empty.txt").write_bytes(b"")
    (extra / "broken.pdf").write_bytes(b"%PDF-1.7\n" + b"\x00garbage" * 50)
    (extra / "broken.docx").write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    (extra / ".hidden.txt").write_text("hidden", encoding="utf-8")
    shutil.copy(next(SAMPLES.rglob("*.txt")), extra / "copy.txt")  # an identical copy of a loaded report
    # the session's build of the bundled corpus, then the extra folder added to it: the grain holds through an
    # incremental build too (reused reports beside new ones), where a duplicate would be most likely
    db = tmp / "wh.duckdb"
    shutil.copyfile(bundled_warehouse.db, db)
    info = build([SAMPLES, extra], db, jobs=2, progress=False)
    assert info["n_reports"] > 100, info
    con = duckdb.connect(str(db), read_only=True)
    yield con
    con.close()


def _assert_grain(con: duckdb.DuckDBPyConnection, table: str, keys: tuple[str, ...], where: str) -> None:
    n = con.execute(f"SELECT count(*) FROM {table} WHERE {where}").fetchone()[0]
    assert n > 0, f"{table}: no rows to check"
    null_cond = " OR ".join(f"{k} IS NULL" for k in keys)
    nulls = con.execute(f"SELECT count(*) FROM {table} WHERE ({where}) AND ({null_cond})").fetchone()[0]
    assert nulls == 0, f"{table}: {nulls} rows with a NULL in {keys}"
    cols = ", ".join(keys)
    dup = con.execute(f"SELECT {cols}, count(*) AS n FROM {table} WHERE {where} GROUP BY ALL HAVING count(*) > 1 "
                      "ORDER BY n DESC LIMIT 5").fetchall()
    assert not dup, f"{table}: {keys} not unique, e.g. {dup}"


@pytest.mark.parametrize("table", sorted(GRAIN))
def test_key_is_unique_and_not_null(wh: duckdb.DuckDBPyConnection, table: str) -> None:
    keys, where = GRAIN[table]
    _assert_grain(wh, table, keys, where)


@pytest.mark.parametrize("name", sorted(SECONDARY))
def test_secondary_grain(wh: duckdb.DuckDBPyConnection, name: str) -> None:
    _assert_grain(wh, *SECONDARY[name])


def test_build_info_has_exactly_one_row(wh: duckdb.DuckDBPyConnection) -> None:
    assert wh.execute("SELECT count(*) FROM build_info").fetchone()[0] == 1


def test_every_table_has_a_grain(wh: duckdb.DuckDBPyConnection) -> None:
    # a new table needs its grain stated in schema.py / marts.py and checked here
    tables = {t for (t,) in wh.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    want = set(SCHEMA_GRAIN)
    assert want == set(GRAIN) | set(COLLECT_GRAIN) | set(LIST_GRAIN) | set(OVERRIDE_GRAIN) | {"build_info"}
    assert tables == want, tables ^ want
