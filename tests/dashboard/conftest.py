"""Fixtures for the dashboard tests: a warehouse built by the real pipeline from a small generated corpus
(etl.sample → etl.warehouse.build), AppTest helpers and a recorder for download buttons."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

YEARS = [2019, 2020, 2021, 2022, 2023]


@pytest.fixture(scope="session")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from etl.sample.corpus import generate
    from etl.warehouse.build import build

    tmp = tmp_path_factory.mktemp("dash")
    corpus = tmp / "corpus"
    generate(corpus, agencies=20, years=YEARS, seed=11, kinds=["text", "html"], workers=1)
    db = tmp / "warehouse.duckdb"
    info = build([corpus], db, progress=False)
    assert info["n_reports"] > 50, info
    return db


@pytest.fixture(scope="session")
def con(warehouse: Path):
    c = duckdb.connect(str(warehouse), read_only=True)
    yield c
    c.close()


@pytest.fixture(scope="session")
def run(con):
    def _run(sql: str, params=()) -> pd.DataFrame:
        cur = con.cursor()
        try:
            return cur.execute(sql, list(params)).df()
        finally:
            cur.close()

    return _run


@pytest.fixture
def app_env(warehouse: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DISCLOSURE_DB", str(warehouse))
    return warehouse


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> dict:
    """file name -> zero-argument callable producing the bytes a download button would serve."""
    from streamlit.runtime.media_file_manager import MediaFileManager

    seen: dict = {}
    orig_deferred = MediaFileManager.add_deferred
    orig_add = MediaFileManager.add

    def add_deferred(self, data_callable, mimetype, coordinates, file_name=None, **kw):
        seen[file_name] = data_callable
        return orig_deferred(self, data_callable, mimetype, coordinates, file_name, **kw)

    def add(self, data, mimetype, coordinates, file_name=None, is_for_static_download=False):
        if is_for_static_download:
            seen[file_name] = lambda d=data: d
        return orig_add(self, data, mimetype, coordinates, file_name, is_for_static_download)

    monkeypatch.setattr(MediaFileManager, "add_deferred", add_deferred)
    monkeypatch.setattr(MediaFileManager, "add", add)
    return seen


# Where a generated report's cells are said to have been placed (the generated corpus prints full headers, so
# the parser places every cell by "header"): one cell of every other kind of evidence, two by arithmetic.
PLACED = {("t3", "new_received", "natural_person"): "arithmetic", ("t3", "new_received", "commercial"): "arithmetic",
          ("t4", "review", "upheld"): "official_order", ("t2", "regulations", "issued"): "position"}
BROKEN = ("t3", "granted", "research")  # printed one higher: a table-3 finding to highlight beside the marks


@pytest.fixture(scope="session")
def placed_warehouse(warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """(warehouse, report_id): one generated report parsed by the real parser, its placements set as in
    PLACED and one figure broken, loaded through the real load path (load_reports, then the checks and marts)."""
    import datetime as dt

    from etl.parse import parse_file
    from etl.warehouse import load, reference, schema
    from etl.warehouse.agencies import Resolver
    from etl.warehouse.build import finish

    corpus = warehouse.parent / "corpus"
    path = sorted(corpus.rglob("2022.txt"))[0]
    report = parse_file(path)
    for addr, how in PLACED.items():
        report.cell(*addr).placed = how
    broken = report.cell(*BROKEN)
    broken.value += 1
    broken.raw = str(broken.value)
    broken.kind = "number"
    report.source.sha256 = "placed-" + report.source.sha256[:32]
    db = tmp_path_factory.mktemp("placed") / "warehouse.duckdb"
    con = duckdb.connect(str(db))
    try:
        schema.create(con)
        load.load_reports(con, [report])
        finish(con, Resolver(reference.agency_rows([corpus / "agencies.csv"])))
        con.execute("INSERT INTO build_info (built_at, n_files, n_reports, n_errors, version, schema_version) "
                    "VALUES (?, 1, 1, 0, 'test', ?)", [dt.datetime.now().replace(microsecond=0), schema.SCHEMA_VERSION])
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return db, report.source.sha256
