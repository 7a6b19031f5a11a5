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
