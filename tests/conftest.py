import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(Path(__file__).resolve().parent))


@pytest.fixture(scope="session")
def shared_samples() -> Path:
    """The real published reports in ../shared/samples (third-party files: read, never copied)."""
    path = SHARED / "samples"
    if not path.is_dir():
        pytest.skip(f"real samples not available: {path} is absent (CI provides ../shared)")
    return path


# The slow lane, declared once: modules (or single tests) that start OCR, LibreOffice, Scrapy, a pip install, a
# browser, kill processes or run the real-sample scorers. `make test-fast` leaves them out; `make test` (what CI
# runs) runs everything. A module's own `pytest.mark.slow` works too.
SLOW_MODULES = {
    "test_reader_ocr.py": "OCR of rasterised pages",
    "test_sample_scans.py": "OCR of generated scans",
    "test_install.py": "pip install into a new venv",
    "test_collect.py": "Scrapy runs against loopback sites",
    "test_reader_doc.py": "LibreOffice conversions",
    "test_build_fuzz.py": "hostile files through a whole build",
    "test_parse_real.py": "the shared real-sample scorers",
    "test_sample_roundtrip.py": "regenerates the bundled corpus",
}
SLOW_TESTS = {
    "test_memory_limit_ends_in_an_ingest_error": "a worker driven to its memory limit",
    "test_kill_mid_build_never_loses_the_previous_warehouse": "kills builds at several moments",
    "test_real_reports_narrative_score": "the shared narrative scorer",
    "test_end_to_end_through_the_parser": "parses the whole bundled corpus",
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.name in SLOW_MODULES or item.originalname in SLOW_TESTS:
            item.add_marker(pytest.mark.slow)
