"""Fixtures for the dashboard tests: a warehouse built by the real pipeline from a small generated corpus
(etl.sample → etl.warehouse.build), AppTest helpers and a recorder for download buttons."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from dash_helpers import BROKEN, INJECTED, INJECTED_PROBLEM, INJECTED_TITLE, PLACED, sql_runner

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
    return sql_runner(con)


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(autouse=True)
def page_failures() -> Iterator[list[logging.LogRecord]]:
    """Errors dashboard.ui.guarded logged. A page failing behind its plain message must still fail the test
    (AppTest sees no exception then); a test that provokes one empties the list."""
    handler = _Records()
    logger = logging.getLogger("dashboard")
    logger.addHandler(handler)
    try:
        yield handler.records
    finally:
        logger.removeHandler(handler)
    assert not handler.records, "\n".join(
        r.getMessage() + "\n" + "".join(traceback.format_exception(*r.exc_info) if r.exc_info else [])
        for r in handler.records)


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


@pytest.fixture(scope="session")
def placed_warehouse(warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """(warehouse, report_id): one generated report parsed by the real parser, its placements set as in
    PLACED and one figure broken, loaded through the real load path (load_reports, then the checks and marts)."""
    import datetime as dt

    from etl.parse import parse_file
    from etl.warehouse import deadlines, load, reference, schema
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
        finish(con, Resolver(reference.agency_rows([corpus / "agencies.csv"])), deadline_rules=deadlines.rules([corpus]))
        con.execute("INSERT INTO build_info (built_at, n_files, n_reports, n_errors, version, schema_version) "
                    "VALUES (?, 1, 1, 0, 'test', ?)", [dt.datetime.now().replace(microsecond=0), schema.SCHEMA_VERSION])
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return db, report.source.sha256


@pytest.fixture(scope="session")
def injected_warehouse(warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """(warehouse, report_id): the generated corpus parsed again and loaded through the real load path, plus
    one report (a copy of a generated one in a folder of its own) whose agency name, title and a problem
    message are Markdown/HTML injections, as an uploaded file could carry."""
    import copy
    import datetime as dt

    from etl.model import Problem
    from etl.parse import parse_file
    from etl.warehouse import deadlines, load, reference, schema
    from etl.warehouse.agencies import Resolver
    from etl.warehouse.build import finish
    from etl.warehouse.files import discover

    corpus = warehouse.parent / "corpus"
    reports = [parse_file(f.path) for f in discover([corpus])[0]]
    evil = copy.deepcopy(next(r for r in reports if r.year == 2022))
    evil.agency = INJECTED
    evil.title = INJECTED_TITLE
    # the printed text a problem quotes (a cell that is not a number) carries the injection
    evil.problems = [*evil.problems, Problem("text_cell", INJECTED_PROBLEM, "t3.granted.total",
                                             {"cell": "t3.granted.total", "raw": INJECTED_PROBLEM})]
    evil.source.sha256 = "injected-" + evil.source.sha256[:32]
    evil.source.path = str(corpus / "injected" / "2022.txt")
    db = tmp_path_factory.mktemp("injected") / "warehouse.duckdb"
    con = duckdb.connect(str(db))
    try:
        schema.create(con)
        load.load_reports(con, [*reports, evil])
        finish(con, Resolver(reference.agency_rows([corpus / "agencies.csv"])), deadline_rules=deadlines.rules([corpus]))
        con.execute("INSERT INTO build_info (built_at, n_files, n_reports, n_errors, version, schema_version) "
                    "VALUES (?, ?, ?, 0, 'test', ?)", [dt.datetime.now().replace(microsecond=0), len(reports) + 1,
                                                      len(reports) + 1, schema.SCHEMA_VERSION])
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return db, evil.source.sha256


@pytest.fixture(scope="session")
def ocr_warehouse(warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    """(warehouse, report_id, corrected cell address): the generated corpus plus one generated report for a
    year the corpus lacks, printed as PDF, scanned (image-only pages) and read by the real OCR reader; one
    of its OCR'd figures is then misread by one digit and the real OCR check run on it, which corrects it."""
    import datetime as dt

    from etl.extract.ocr_check import verify
    from etl.parse import parse_file
    from etl.sample.corpus import agency_dir, render
    from etl.sample.population import build_population
    from etl.sample.truth import AgencyPlan
    from etl.values import parse_cell
    from etl.warehouse import deadlines, load, reference, schema
    from etl.warehouse.agencies import Resolver
    from etl.warehouse.build import finish
    from etl.warehouse.files import discover
    from tests.helpers import scanned_copy

    corpus = warehouse.parent / "corpus"
    reports = [parse_file(f.path) for f in discover([corpus])[0]]
    spec, agency = next((s, a) for a in build_population(20, 11) for s in AgencyPlan(a, 11, [2024], ["pdf"]).reports())
    path = corpus.parent / "ocr" / agency_dir(agency) / "2024.pdf"
    path.parent.mkdir(parents=True)
    path.write_bytes(scanned_copy(render(spec, "pdf"), 150))
    ocr = parse_file(path)
    assert ocr.source.read == "ocr" and ocr.cells
    cell = next(c for c in ocr.cells if c.table == "t3" and c.row == "granted" and c.col == "total")
    assert cell.kind == "number" and cell.read == "ocr"
    misread = str(cell.value)[:-1] + str((int(str(cell.value)[-1]) + 3) % 10)  # the last digit misread
    p = parse_cell(misread)
    cell.raw, cell.value, cell.kind = misread, p.value, p.kind
    verify(ocr)
    assert cell.read == "ocr_corrected", [pr.message for pr in ocr.problems if pr.code.startswith("ocr_")]
    db = tmp_path_factory.mktemp("ocr") / "warehouse.duckdb"
    con = duckdb.connect(str(db))
    try:
        schema.create(con)
        load.load_reports(con, [*reports, ocr])
        finish(con, Resolver(reference.agency_rows([corpus / "agencies.csv"])), deadline_rules=deadlines.rules([corpus]))
        con.execute("INSERT INTO build_info (built_at, n_files, n_reports, n_errors, version, schema_version) "
                    "VALUES (?, ?, ?, 0, 'test', ?)", [dt.datetime.now().replace(microsecond=0), len(reports) + 1,
                                                      len(reports) + 1, schema.SCHEMA_VERSION])
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return db, ocr.source.sha256, str(cell.addr)


@pytest.fixture(scope="session")
def problems_warehouse(warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """(warehouse, report_id): a few generated reports plus one whose text was changed to trip the parser
    (a figure printed as words, table 4 cut off: dash_helpers.with_problems), parsed by the real parser and
    loaded through the real load path — a report with parser problems to word on the Report page."""
    import datetime as dt

    from dash_helpers import with_problems

    from etl.parse import parse_file
    from etl.warehouse import deadlines, load, reference, schema
    from etl.warehouse.agencies import Resolver
    from etl.warehouse.build import finish

    corpus = warehouse.parent / "corpus"
    files = sorted(corpus.rglob("*.txt"))
    src = files[0]
    changed = tmp_path_factory.mktemp("problems") / src.parent.name / src.name
    changed.parent.mkdir(parents=True)
    changed.write_text(with_problems(src.read_text(encoding="utf-8")), encoding="utf-8")
    bad = parse_file(changed)
    assert "missing_table" in {p.code for p in bad.problems}, [p.code for p in bad.problems]
    assert any((p.where or "").startswith("t2.licensing") for p in bad.problems), [p.where for p in bad.problems]
    others = [parse_file(f) for f in files if f.parent != src.parent][:12]
    db = changed.parents[1] / "warehouse.duckdb"
    con = duckdb.connect(str(db))
    try:
        schema.create(con)
        load.load_reports(con, [*others, bad])
        finish(con, Resolver(reference.agency_rows([corpus / "agencies.csv"])), deadline_rules=deadlines.rules([corpus]))
        con.execute("INSERT INTO build_info (built_at, n_files, n_reports, n_errors, version, schema_version) "
                    "VALUES (?, ?, ?, 0, 'test', ?)", [dt.datetime.now().replace(microsecond=0), len(others) + 1,
                                                      len(others) + 1, schema.SCHEMA_VERSION])
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return db, bad.source.sha256
