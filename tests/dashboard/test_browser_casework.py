"""A real browser against `streamlit run dashboard/app.py` with an editing password set: the Report page shows
the source file beside the rebuilt tables (a PDF page rendered at the finding's row, the lines of an HTML report
around its table), and a request to load reports or to review without the password is refused (the buttons are
disabled and say why) until the user signs in. Screenshots under tests/artifacts/casework-*.png.

The warehouse is built by the real pipeline from a few files of the bundled sample corpus."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import duckdb
import pytest
from dash_helpers import ROOT, chromium_ok
from test_browser import ARGS, ARTIFACTS, CHROMIUM, _free_port, local_only, main_text, shot_to

pytestmark = pytest.mark.browser

SAMPLES = ROOT / "data" / "samples"
FILES = ("agencies.csv", "deadlines.csv", "jize-sheng/huangmei-shi/ruiyua-qu/gov/2021.pdf",
         "yaoyux-sheng/jugao-shi/ecology/2024.html", "jize-sheng/huangmei-shi/civil_affairs/2024.txt")
PASSWORD = "test-password-9"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from etl.warehouse.build import build

    if not (SAMPLES / "manifest.json").is_file():
        pytest.skip("data/samples is not in this checkout")
    tmp = tmp_path_factory.mktemp("casework_browser")
    for rel in FILES:
        (tmp / "src" / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(SAMPLES / rel, tmp / "src" / rel)
    db = tmp / "wh.duckdb"
    build([tmp / "src"], db, jobs=1, progress=False)
    return db


@pytest.fixture(scope="module")
def server(built: Path):
    if not chromium_ok() and os.environ.get("CI") != "true":
        pytest.skip(f"{CHROMIUM} is not installed (install Debian's chromium; CI must have it)")
    port = _free_port()
    env = {**os.environ, "DISCLOSURE_DB": str(built), "DISCLOSURE_UPLOADS": str(built.parent / "uploads"),
           "DISCLOSURE_ADMIN_PASSWORD": PASSWORD, "BROWSER_PATH": CHROMIUM}
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log = ARTIFACTS / "streamlit-casework.log"
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
    text = log.read_text(errors="replace")
    assert "dashboard page" not in text and "Traceback" not in text, text[-3000:]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


def report_of(db: Path, kind: str) -> str:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT report_id FROM reports WHERE kind = ?", [kind]).fetchone()[0]


def idle(page) -> None:
    for _ in range(2):  # held twice: a rerun may start just after the first run ends
        page.wait_for_timeout(400)
        page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=90_000)


def test_the_source_beside_the_tables(server, browser, built):
    ctx = browser.new_context(viewport={"width": 1600, "height": 1100}, locale="zh-CN")
    outside = local_only(ctx, server)
    page = ctx.new_page()
    page.set_default_timeout(90_000)

    # a PDF: the page where table 3's 予以公开 row is printed, as a picture beside the rebuilt tables
    with duckdb.connect(str(built), read_only=True) as con:
        rid, n_pages = con.execute("SELECT report_id, 0 FROM reports WHERE kind = 'pdf'").fetchone()
    page.goto(f"{server}/report?report={rid}&src=t3.granted.total")
    page.get_by_text("原文第").first.wait_for()
    idle(page)
    img = page.locator('[data-testid="stMain"] [data-testid="stImage"] img').first
    img.wait_for()
    assert page.evaluate("(i) => i.complete && i.naturalWidth", img.element_handle()) > 600
    caption = page.locator('[data-testid="stCaptionContainer"]', has_text="原文第").first.inner_text()
    table = page.locator('[data-testid="stDataFrame"]').nth(1).bounding_box()  # the rebuilt table 2
    picture = img.bounding_box()
    assert picture["x"] > table["x"] + table["width"] - 5  # beside the tables, not under them
    assert picture["y"] < table["y"] + table["height"]
    import pymupdf

    from etl import formats as F
    from etl.sourceview import probes

    with duckdb.connect(str(built), read_only=True) as con:
        path = con.execute("SELECT source_path FROM reports WHERE report_id = ?", [rid]).fetchone()[0]
    pages = [F.norm(p.get_text("text")) for p in pymupdf.open(path)]
    shown = int(caption.split("原文第 ")[1].split(" 页")[0])
    assert any(p in pages[shown - 1] for p in probes("t3", "granted")), caption  # the row's page
    page.wait_for_timeout(500)
    shot_to(page, ARTIFACTS / "casework-source-pdf.png")

    # an HTML report: the lines around table 3, the chosen row's line named
    page.goto(f"{server}/report?report={report_of(built, 'html')}&src=t3.granted.total")
    page.get_by_text("原文共").first.wait_for()
    idle(page)
    words = page.locator('[data-testid="stCaptionContainer"]', has_text="原文共").first.inner_text()
    assert "所选位置在第" in words and "高亮" in words
    assert "收到和处理政府信息公开申请情况" in main_text(page)  # the tables' titles
    shot_to(page, ARTIFACTS / "casework-source-html.png")
    ctx.close()
    assert not outside, f"requests to other hosts: {outside}"


def test_loading_and_reviewing_without_the_password_are_refused(server, browser, built, tmp_path):
    ctx = browser.new_context(viewport={"width": 1500, "height": 1100}, locale="zh-CN")
    outside = local_only(ctx, server)
    page = ctx.new_page()
    page.set_default_timeout(90_000)
    with duckdb.connect(str(built), read_only=True) as con:
        before = con.execute("SELECT count(*) FROM reports").fetchone()[0]

    page.goto(f"{server}/upload")
    page.get_by_text("此操作需要编辑密码").first.wait_for()
    report = tmp_path / "2024.txt"
    shutil.copy(SAMPLES / FILES[-1], report)
    with report.open("a", encoding="utf-8") as f:
        f.write("\n（另一份文件）\n")
    page.locator('[data-testid="stFileUploader"] input[type="file"]').first.set_input_files(str(report))
    try:
        page.get_by_text("个单元格").first.wait_for()  # parsed: agency, year, format, cells
    except Exception:
        shot_to(page, ARTIFACTS / "casework-upload-debug.png")
        raise
    add = page.get_by_role("button", name="加入数据仓库")
    add.wait_for()
    idle(page)
    assert add.is_disabled()
    add.click(force=True)  # a click on the disabled button does nothing
    idle(page)
    shot_to(page, ARTIFACTS / "casework-upload-refused.png")

    # reviewing: the form's save button is disabled too, and says why
    page.get_by_role("link", name="合规与数据质量", exact=True).click()
    page.get_by_role("heading", name="合规与数据质量").wait_for()
    page.get_by_text("审核标记（确认、排除或已通报）").first.click()
    page.get_by_text("此操作需要编辑密码").first.wait_for()
    assert page.get_by_role("button", name="保存审核标记").is_disabled()

    # a wrong password is refused; the right one enables the buttons
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text("编辑权限").click()
    sidebar.get_by_label("姓名").fill("张三")
    sidebar.get_by_label("编辑密码").fill("not-it")
    sidebar.get_by_role("button", name="登录").click()
    sidebar.get_by_text("密码不正确").wait_for()
    sidebar.get_by_label("编辑密码").fill(PASSWORD)
    sidebar.get_by_role("button", name="登录").click()
    sidebar.get_by_text("已登录：张三").wait_for()
    idle(page)
    assert page.get_by_role("button", name="保存审核标记").is_enabled()
    with duckdb.connect(str(built), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM reports").fetchone()[0] == before  # nothing was loaded
    assert not (built.parent / "uploads").exists() or not any((built.parent / "uploads").iterdir())
    ctx.close()
    assert not outside, f"requests to other hosts: {outside}"
