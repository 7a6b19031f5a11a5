import fcntl
import hashlib
import json
import os
import stat
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
BUNDLED = ROOT / "data" / "samples"  # the project's own generated corpus, shipped in the repository
sys.path.insert(0, str(Path(__file__).resolve().parent))


@pytest.fixture(scope="session")
def shared_samples() -> Path:
    """The real published reports in ../shared/samples (third-party files: read, never copied)."""
    path = SHARED / "samples"
    if not path.is_dir():
        pytest.skip(f"real samples not available: {path} is absent (CI provides ../shared)")
    return path


@dataclass(frozen=True)
class BundledWarehouse:
    db: Path  # read-only on disk: open it read_only, or copy it before changing anything
    info: dict  # what build() returned


@pytest.fixture(scope="session")
def bundled_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BundledWarehouse]:
    """One build of the bundled corpus (data/samples, default options, 2 jobs) for the whole run. Every test
    that reads such a warehouse shares it instead of building its own; under pytest-xdist (`make test-fast`)
    the workers share one build too, the first to arrive building it under a lock while the others wait. The
    file is made read-only and its hash is compared at the end: a test that wrote to it (root ignores the
    mode) fails the teardown."""
    from etl.warehouse.build import build

    if not (BUNDLED / "manifest.json").is_file():
        pytest.fail(f"the bundled corpus is missing: {BUNDLED} (generate it with `python -m etl sample --out "
                    "data/samples`)")
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # the run's folder, above each worker's own
    folder = root / "bundled-warehouse"
    db, done = folder / "warehouse.duckdb", folder / "build-info.json"
    with open(root / "bundled-warehouse.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.is_file():
            folder.mkdir(exist_ok=True)
            info = build([BUNDLED], db, jobs=2, progress=False)
            db.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
            done.write_text(json.dumps(info, default=str), encoding="utf-8")
    info = json.loads(done.read_text(encoding="utf-8"))
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    yield BundledWarehouse(db, info)
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before, f"a test changed the shared warehouse {db}"


# The slow lane, declared once: modules (or single tests) that start OCR, LibreOffice, Scrapy, a pip install, a
# browser, kill processes or run the real-sample scorers. `make test-fast` leaves them out; `make test` (what CI
# runs) runs everything. A module's own `pytest.mark.slow` works too.
SLOW_MODULES = {
    "test_reader_ocr.py": "OCR of rasterised pages",
    "test_sample_scans.py": "OCR of generated scans",
    "test_install.py": "pip install into a new venv",
    "test_collect.py": "Scrapy runs against loopback sites",
    "test_collect_bounds.py": "Scrapy runs driven into their bounds, stopped and killed",
    "test_reader_doc.py": "LibreOffice conversions",
    "test_build_fuzz.py": "hostile files through a whole build",
    "test_parse_real.py": "the shared real-sample scorers",
    "test_sample_roundtrip.py": "regenerates the bundled corpus",
}
SLOW_TESTS = {
    "test_memory_limit_ends_in_an_ingest_error": "a worker driven to its memory limit",
    "test_kill_mid_build_never_loses_the_previous_warehouse": "kills builds at several moments",
    "test_concurrent_hostile_previews_stay_within_the_budget_and_leave_no_process": "previews driven into "
    "their memory caps and killed",
    "test_real_reports_narrative_score": "the shared narrative scorer",
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.name in SLOW_MODULES or item.originalname in SLOW_TESTS:
            item.add_marker(pytest.mark.slow)
