"""A real browser against `streamlit run dashboard/app.py`: filters through the UI, URL state, a CSV and a
PNG download, screenshots under tests/artifacts/ (look at them: CJK text and charts must be visible); no
request ever leaves the machine, and an agency name that is Markdown for an image shows as text.

The warehouse is the generated corpus plus one report whose agency name, title and a problem message are
Markdown/HTML injections (conftest.injected_warehouse)."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import duckdb
import pytest
from dash_helpers import INJECTED, ROOT, chromium_ok, sql_runner

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
def run(injected_warehouse: tuple[Path, str]):
    """SQL against the warehouse the server shows (this module's, not the session's plain one)."""
    con = duckdb.connect(str(injected_warehouse[0]), read_only=True)

    yield sql_runner(con)
    con.close()


@pytest.fixture(scope="module")
def server(injected_warehouse: tuple[Path, str]):
    if not chromium_ok() and os.environ.get("CI") != "true":
        pytest.skip(f"{CHROMIUM} is not installed (install Debian's chromium; CI must have it)")
    port = _free_port()
    env = {**os.environ, "DISCLOSURE_DB": str(injected_warehouse[0]), "BROWSER_PATH": CHROMIUM}
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


def local_only(ctx, server: str) -> list[str]:
    """Let the page reach the Streamlit server only: every other request is aborted (the test never needs the
    network) and recorded; the caller asserts the list stays empty. 127.0.0.1 on another port is outside."""
    outside: list[str] = []
    here = urllib.parse.urlsplit(server).netloc

    def local(url: str) -> bool:
        return urllib.parse.urlsplit(url).netloc in (here, "")  # "": data:, blob:, about:blank

    def record(req) -> None:
        if not local(req.url):
            outside.append(req.url)

    ctx.on("request", record)
    ctx.route("**/*", lambda r: r.continue_() if local(r.request.url) else r.abort())
    return outside


def no_page_failures() -> None:
    """The server log has no page error (dashboard.ui.guarded logs one, the reader sees a plain message)."""
    log = (ARTIFACTS / "streamlit.log").read_text(errors="replace")
    assert "dashboard page" not in log and "Traceback" not in log, log[-3000:]


def main_text(page) -> str:
    """The visible text of the main area, without escape_md's invisible word joiners."""
    return page.locator('[data-testid="stMain"]').inner_text().replace("\u2060", "")


def shot(page, name: str) -> None:
    shot_to(page, ARTIFACTS / f"{name}.png")


def shot_to(page, path: Path) -> None:
    """Streamlit scrolls inside its own container: a tall viewport captures the whole page."""
    size = page.viewport_size
    page.set_viewport_size({"width": size["width"], "height": 2600})
    page.wait_for_timeout(800)
    page.screenshot(path=str(path))
    page.set_viewport_size(size)


def _metric(page, label: str) -> str:
    box = page.locator('[data-testid="stMetric"]', has_text=label).first
    return box.locator('[data-testid="stMetricValue"]').inner_text().strip()


def test_filters_downloads_and_screenshots(server, browser, run, tmp_path):
    ctx = browser.new_context(viewport={"width": 1500, "height": 1100}, accept_downloads=True, locale="zh-CN")
    outside = local_only(ctx, server)
    page = ctx.new_page()
    page.set_default_timeout(30_000)
    t0 = time.monotonic()
    page.goto(f"{server}/")
    page.get_by_text("主要数据").first.wait_for()
    t_text = time.monotonic() - t0
    # charts drawn by plotly (their traces in the SVG), not only their placeholders
    drawn = """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
                     .filter(c => c.querySelector('.main-svg .trace')).length"""
    page.wait_for_function(f"({drawn})() >= 1")
    t_first = time.monotonic() - t0
    # the overview makes four trend charts; the status widget shows only after a delay, so its absence
    # does not prove the script finished: wait for the fourth chart itself, then make sure no fifth follows
    page.wait_for_function(
        "() => document.querySelectorAll('[data-testid=\"stPlotlyChart\"]').length >= 4", timeout=60_000)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')")
    n_charts = page.locator('[data-testid="stPlotlyChart"]').count()
    assert n_charts == 4, n_charts  # the overview's four trend charts
    t_all = None
    while time.monotonic() - t0 < 60:
        if page.evaluate(drawn) >= n_charts:
            t_all = time.monotonic() - t0
            break
        page.wait_for_timeout(100)
    # a measurement, not a target (targets live in bench/): printed for the closing note and the CI log
    print(f"browser: overview text after {t_text:.2f} s, first chart drawn after {t_first:.2f} s, "
          f"all {n_charts} charts after {'—' if t_all is None else f'{t_all:.2f} s'} "
          f"({page.evaluate(drawn)} drawn)")
    page.wait_for_timeout(700)  # let plotly finish its transitions before the screenshot
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

    # the CSV of the yearly table, then a chart's PNG, both generated on click. Clicked once the search's
    # reruns are over: a download button belongs to one run of the script, and a rerun between drawing it and
    # the click leaves Streamlit without the file ("Deferred file not found")
    for _ in range(2):
        page.wait_for_timeout(400)
        page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')")
    with page.expect_download() as dl:
        page.get_by_role("button", name="CSV", exact=True).last.click()
    csv = Path(dl.value.path()).read_bytes().decode("utf-8-sig")
    y0 = int(run("SELECT min(year) AS y FROM report_metrics")["y"].iloc[0])
    # named in the interface's language: what, whom (the search), which years
    assert dl.value.suggested_filename == f"年度趋势_名称含{word}_{y0}-{y}年.csv", dl.value.suggested_filename
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
    # the 通报 page: its figures and its lists, no charts
    page.get_by_role("link", name="报送与通报", exact=True).click()
    page.get_by_role("heading", name="报送与通报").wait_for()
    page.get_by_text("应报").first.wait_for()
    page.wait_for_timeout(700)
    shot(page, "notice")
    rid = run("SELECT report_id FROM findings WHERE report_id IS NOT NULL AND json_array_length(cells) > 0 "
              "LIMIT 1")["report_id"].iloc[0]
    page.goto(f"{server}/report?report={rid}")
    page.get_by_text("收到和处理政府信息公开申请情况").first.wait_for()
    page.wait_for_timeout(700)
    shot(page, "report")
    ctx.close()
    assert not outside, f"requests to other hosts: {outside}"
    no_page_failures()


def test_markdown_in_an_agency_name_is_text_and_nothing_leaves_the_machine(server, browser, injected_warehouse):
    _, rid = injected_warehouse
    ctx = browser.new_context(viewport={"width": 1500, "height": 1100}, locale="zh-CN")
    outside = local_only(ctx, server)
    page = ctx.new_page()
    page.set_default_timeout(30_000)

    def no_injected_elements() -> None:
        for sel in ('img[src*="127.0.0.1:9"]', 'a[href*="127.0.0.1:9"]', 'a[href*="example.com"]',
                    '[data-testid="stMain"] .katex'):
            assert page.locator(sel).count() == 0, sel

    # the Report page: the heading shows the name as printed, the metadata and problems tables the title and
    # the problem message
    page.goto(f"{server}/report?report={rid}")
    page.get_by_text("收到和处理政府信息公开申请情况").first.wait_for()
    page.wait_for_timeout(1000)
    heading = page.locator('[data-testid="stMain"] h3').first
    assert heading.inner_text().replace("\u2060", "").strip() == f"{INJECTED} · 2022"
    assert INJECTED in main_text(page)
    no_injected_elements()
    shot(page, "report_injected")

    # the overview, searched for the name from the URL: the caption under the headline figures shows it
    page.goto(f"{server}/?q={urllib.parse.quote(INJECTED)}")
    page.get_by_text("主要数据").first.wait_for()
    page.locator('[data-testid="stPlotlyChart"]').first.wait_for()
    page.wait_for_timeout(1000)
    caption = page.locator('[data-testid="stCaptionContainer"]', has_text="较上年").first
    assert f"“{INJECTED}”" in caption.inner_text().replace("\u2060", "")
    assert _metric(page, "已载入报告") == "1"
    no_injected_elements()
    shot(page, "overview_injected")

    # an unknown report says so
    page.goto(f"{server}/report?report=nonexistent")
    page.get_by_text("未找到该报告").first.wait_for()
    # a URL parameter that used to raise: a note, the page, no traceback
    page.goto(f"{server}/?y0=%C2%B2")
    page.get_by_text("已忽略无效的网址参数 y0").first.wait_for()
    page.get_by_text("主要数据").first.wait_for()
    assert "Traceback" not in main_text(page) and "ValueError" not in main_text(page)
    ctx.close()
    assert not any("127.0.0.1:9/" in u for u in outside), outside
    assert not outside, f"requests to other hosts: {outside}"
    no_page_failures()


# Streamlit's own English, which must not show in the Chinese interface (dashboard.ui.uploader_words hides
# the file uploader's; multiselects are made without "Select all"); and words no page of either language
# may show: a Python or pandas null, an empty grid's placeholder.
BUILT_IN_EN = re.compile(r"\b(?:Drag and drop|Browse files|Upload|Select all|per file|Deploy)\b")
WITH_CHARTS = {"overview", "proactive", "requests", "review", "compare", "quality"}
NULLS = re.compile(r"(?<![\w.])(?:None|nan|NaN|NaT|<NA>|empty)(?![\w.])")


def test_every_page_in_both_languages(server, browser):
    """Each page in Chinese and English: rendered, its charts drawn, its text free of Streamlit's English (in
    Chinese) and of raw nulls; screenshots tests/artifacts/pages/<lang>-<page>.png are for people to look at."""
    from dashboard import PAGES
    from dashboard.i18n import t

    out = ARTIFACTS / "pages"
    out.mkdir(parents=True, exist_ok=True)
    ctx = browser.new_context(viewport={"width": 1500, "height": 1100})
    outside = local_only(ctx, server)
    page = ctx.new_page()
    page.set_default_timeout(60_000)
    # what is still pending: the script running (Streamlit's status widget), or charts without drawn traces
    pending = """() => {
        const left = [];
        if (document.querySelector('[data-testid="stStatusWidget"]')) left.push('script running');
        const charts = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')];
        // a Sankey draws in .sankey, a heatmap in .hm, everything else in .trace
        const bare = charts.filter(c => !c.querySelector('.main-svg .trace, .main-svg .sankey, .main-svg .hm')).length;
        if (bare) left.push(bare + ' of ' + charts.length + ' charts undrawn');
        return left.join(', ');
    }"""

    def settle(where: str) -> None:
        deadline = time.monotonic() + 60
        state = page.evaluate(pending)
        while state and time.monotonic() < deadline:
            page.wait_for_timeout(200)
            state = page.evaluate(pending)
        assert not state, f"{where}: after 60 s still {state}"

    times = []
    for lang in ("zh", "en"):
        for name in PAGES:
            t0 = time.monotonic()
            page.goto(f"{server}/{'' if name == 'overview' else name}?lang={lang}")
            page.get_by_role("heading", name=t(f"page_{name}", lang)).first.wait_for()
            if name in WITH_CHARTS:  # a chart's element appears only once plotly's code has loaded
                page.locator('[data-testid="stPlotlyChart"]').first.wait_for()
            for _ in range(2):  # held twice: a rerun may start just after the first run ends
                page.wait_for_timeout(400)
                settle(f"{lang}/{name}")
            times.append(f"{lang}/{name} {time.monotonic() - t0:.1f}s")
            text = main_text(page)
            assert "Traceback" not in text, (lang, name)
            assert not NULLS.findall(text), (lang, name, NULLS.findall(text))
            if lang == "zh":
                assert not BUILT_IN_EN.findall(text), (name, BUILT_IN_EN.findall(text))
            shot_to(page, out / f"{lang}-{name}.png")
    # at 1000 px the headline cards wrap two to a row and show every value whole (never "56.…")
    page.set_viewport_size({"width": 1000, "height": 1100})
    for lang in ("zh", "en"):
        page.goto(f"{server}/?lang={lang}")
        page.get_by_role("heading", name=t("page_overview", lang)).first.wait_for()
        page.locator('[data-testid="stPlotlyChart"]').first.wait_for()
        for _ in range(2):
            page.wait_for_timeout(400)
            settle(f"{lang}/overview at 1000 px")
        cards = page.evaluate("""() => [...document.querySelectorAll('[data-testid="stMetricValue"]')].map(e => ({
            text: e.innerText, fits: e.scrollWidth <= e.clientWidth + 1,
            top: Math.round(e.closest('[data-testid="stMetric"]').getBoundingClientRect().top)}))""")
        assert len(cards) == 8, cards
        assert all(c["fits"] and "…" not in c["text"] for c in cards), cards
        rows = {}
        for c in cards:
            rows[c["top"]] = rows.get(c["top"], 0) + 1
        assert max(rows.values()) <= 2 and len(rows) == 4, rows
        shot_to(page, out / f"{lang}-overview-1000.png")
    print("browser: page drawn after " + ", ".join(times))
    ctx.close()
    assert not outside, f"requests to other hosts: {outside}"
    no_page_failures()

