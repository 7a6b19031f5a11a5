"""A non-editable install works on its own: the wheel carries the reference data, `python -m etl build` run
outside the repository loads the bundled corpus with it, and the dashboard starts against that warehouse.

The wheel is built offline (--no-build-isolation, setuptools and wheel come with the dev extras); the new
venv reuses the project venv's dependencies through a .pth line, so nothing is downloaded."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import sysconfig
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _run(cmd: list[str], cwd: Path, timeout: float, env: dict | None = None) -> subprocess.CompletedProcess:
    out = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)
    assert out.returncode == 0, f"{cmd[:4]} failed:\n{out.stdout[-2000:]}\n{out.stderr[-2000:]}"
    return out


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The python of a fresh venv with the project installed from a wheel (not editable)."""
    tmp = tmp_path_factory.mktemp("install")
    # Built from a copy: setuptools builds in the source tree, and a build/ left in the checkout keeps files
    # deleted since (they would ship in the wheel) and is shared by concurrent test runs.
    src = tmp / "src"
    for name in ("pyproject.toml", "README.md"):
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, src / name)
    for pkg in ("etl", "dashboard"):
        shutil.copytree(ROOT / pkg, src / pkg, ignore=shutil.ignore_patterns("__pycache__"))
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp / "dist"),
          str(src)], tmp, 300)
    wheel = next((tmp / "dist").glob("disclosure_reports-*.whl"))
    _run([sys.executable, "-m", "venv", "--without-pip", str(tmp / "venv")], tmp, 120)
    py = tmp / "venv" / "bin" / "python"
    site = Path(_run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], tmp, 60).stdout.strip())
    # the dependencies from the project venv; not its .pth files, so its editable `etl` stays out of sight
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    _run([sys.executable, "-m", "pip", "--python", str(py), "install", "--no-deps", "-q", str(wheel)], tmp, 300)
    return py


def test_installed_package_builds_the_corpus_and_serves_the_dashboard(installed: Path, tmp_path: Path) -> None:
    where = _run([str(installed), "-c", "import etl, etl.warehouse.reference as r; print(etl.__file__);"
                  "print(r.REFERENCE_DIR, (r.REFERENCE_DIR / 'sectors.csv').is_file())"], tmp_path, 60).stdout.split()
    assert not where[0].startswith(str(ROOT)), f"imported the checkout's etl, not the installed one: {where[0]}"
    assert where[2] == "True", f"reference data not installed with the package: {where[1]}"
    # the dashboard's settings (no error details to the browser, no usage stats) apply from any directory
    shipped = _run([str(installed), "-c", "import dashboard, pathlib; print((pathlib.Path(dashboard.__file__).parent"
                    " / '.streamlit' / 'config.toml').is_file())"], tmp_path, 60).stdout.strip()
    assert shipped == "True", "dashboard/.streamlit/config.toml is not installed with the package"

    db = tmp_path / "w.duckdb"
    _run([str(installed), "-m", "etl", "build", str(ROOT / "data" / "samples"), "--db", str(db), "--quiet"],
         tmp_path, 600)
    check = ("import duckdb, sys; c = duckdb.connect(sys.argv[1], read_only=True);"
             "print(*c.execute('SELECT (SELECT count(*) FROM reports WHERE is_active), count(*) FILTER (WHERE sector "
             "IS NOT NULL), count(*) FILTER (WHERE deadline_month IS NOT NULL), count(*) FROM agencies').fetchone())")
    active, with_sector, with_deadline, agencies = map(int, _run([str(installed), "-c", check, str(db)], tmp_path,
                                                                 60).stdout.split())
    assert active > 100 and agencies > 50
    assert with_sector > 0 and with_deadline == agencies  # sectors.csv and deadlines.csv were read

    env = {**os.environ, "DISCLOSURE_DB": str(db)}
    # the overview page's script runs to the end on the installed package (modules, reference data, warehouse)
    page = ("import sys; from streamlit.testing.v1 import AppTest; at = AppTest.from_file(sys.argv[1], "
            "default_timeout=120); at.run(); assert not at.exception, at.exception; print(len(at.metric))")
    # the installed copy of the app (the checkout's app.py would put the checkout first on sys.path)
    app = _run([str(installed), "-c", "import dashboard, pathlib; print(pathlib.Path(dashboard.__file__).parent"
                " / 'app.py')"], tmp_path, 60).stdout.strip()
    assert not app.startswith(str(ROOT))
    assert int(_run([str(installed), "-c", page, app], tmp_path, 300, env).stdout) > 0

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([str(installed), "-m", "streamlit", "run", app,
                             "--server.headless", "true", "--server.port", str(port),
                             "--browser.gatherUsageStats", "false"],
                            cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline, body = time.monotonic() + 60, ""
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                    body = r.read().decode()
                    break
            except OSError:
                time.sleep(0.5)
        assert body == "ok", f"dashboard did not come up (exit {proc.poll()})"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
