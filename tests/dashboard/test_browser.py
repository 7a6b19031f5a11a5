"""A real browser against `streamlit run dashboard/app.py`: filters through the UI, URL state, a CSV and a
PNG download, screenshots under tests/artifacts/ (look at them: CJK text and charts must be visible)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from dash_helpers import ROOT, chromium_ok

ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(warehouse: Path):
    if not chromium_ok() and os.environ.get("CI") != "true":
        pytest.skip(f"{CHROMIUM} is not installed (install Debian's chromium; CI must have it)")
    port = _free_port()
    env = {**os.environ, "DISCLOSURE_DB": str(warehouse), "BROWSER_PATH": CHROMIUM}
    log = (ARTIFACTS / "streamlit.log")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard" / "app.py"), "--server.headless",
             "true", "--server.port", str(port), "--server.address", "127.0.0.1",
             "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                        if r.status == 200:
                            break
                except OSError:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"streamlit did not start: {log.read_text()[-2000:]}")
                time.sleep(0.3)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


def shot(page, name: str) -> None:
    """Streamlit scrolls inside its own container: a tall viewport captures the whole page."""
    size = page.viewport_size
    page.set_viewport_size({"width": size["width"], "height": 2600})
    page.wait_for_timeout(800)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))
    page.set_viewport_size(size)


def _metric(page, label: str) -> str:
    box = page.locator('[data-testid="stMetric"]', has_text=label).first
    return box.locator('[data-testid="stMetricValue"]').inner_text().strip()


def test_filters_downloads_and_screenshots(server, browser, run, tmp_path):
    ctx = browser.new_context(viewport={"width": 1500, "height": 1100}, accept_downloads=True, locale="zh-CN")
    page = ctx.new_page()
    page.set_default_timeout(30_000)
    page.goto(f"{server}/")
    page.get_by_text("主要数据").first.wait_for()
    page.locator('[data-testid="stPlotlyChart"]').first.wait_for()
    page.wait_for_timeout(700)  # let plotly finish drawing
    shot(page, "overview")
    y = int(run("SELECT max(year) AS y FROM report_metrics")["y"].iloc[0])
    total = int(run("SELECT count(*) AS n FROM report_metrics WHERE year = ?", [y])["n"].iloc[0])
    assert _metric(page, "已载入报告") == f"{total:,}"

    # a filter through the UI: the agency search box narrows the figures and lands in the URL
    word = "人民政府"
    n = int(run("SELECT count(*) AS n FROM report_metrics WHERE year = ? AND agency_name ILIKE ?",
                [y, f"%{word}%"])["n"].iloc[0])
    assert 0 < n < total
    box = page.get_by_label("机关名称包含")
    box.fill(word)
    box.press("Enter")
    page.wait_for_url(lambda u: "q=" in u)
    page.wait_for_function(
        """([label, want]) => [...document.querySelectorAll('[data-testid="stMetric"]')]
             .some(e => e.innerText.includes(label) && e.innerText.includes(want))""", arg=["已载入报告", f"{n:,}"])
    assert _metric(page, "已载入报告") == f"{n:,}"

    # the CSV of the yearly table, then a chart's PNG, both generated on click
    with page.expect_download() as dl:
        page.get_by_role("button", name="CSV", exact=True).last.click()
    csv = Path(dl.value.path()).read_bytes().decode("utf-8-sig")
    assert dl.value.suggested_filename == "overview_by_year.csv"
    assert csv.splitlines()[0].startswith("年度") and str(y) in csv
    # the first image export starts kaleido's Chromium: allow for a cold start on a busy CI machine
    with page.expect_download(timeout=180_000) as dl:
        page.get_by_role("button", name="PNG", exact=True).first.click()
    png = Path(dl.value.path()).read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5000
    assert int.from_bytes(png[16:20], "big") == 900 * 2  # the server-side export at its layout size, not the modebar
    (ARTIFACTS / "download_overview_requests.png").write_bytes(png)

    # the bookmark reopens the same view
    url = page.url
    page2 = ctx.new_page()
    page2.goto(url)
    page2.get_by_text("主要数据").first.wait_for()
    page2.wait_for_function(
        """([label, want]) => [...document.querySelectorAll('[data-testid="stMetric"]')]
             .some(e => e.innerText.includes(label) && e.innerText.includes(want))""", arg=["已载入报告", f"{n:,}"])

    # other pages render with their charts and CJK labels
    for name, title in (("requests", "依申请公开"), ("quality", "合规与数据质量")):
        page.get_by_role("link", name=title, exact=True).click()  # in-app navigation, no reload
        page.get_by_role("heading", name=title).wait_for()
        page.locator('[data-testid="stPlotlyChart"]').first.wait_for()
        page.wait_for_timeout(700)
        shot(page, name)
    rid = run("SELECT report_id FROM findings WHERE report_id IS NOT NULL AND json_array_length(cells) > 0 "
              "LIMIT 1")["report_id"].iloc[0]
    page.goto(f"{server}/report?report={rid}")
    page.get_by_text("收到和处理政府信息公开申请情况").first.wait_for()
    page.wait_for_timeout(700)
    shot(page, "report")
    ctx.close()
