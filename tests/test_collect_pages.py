"""Reading listings and report pages for `etl collect` (etl.collect.pages, etl.collect.sources)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import lxml.html
import pytest

from etl.collect import pages
from etl.collect.sources import SourcesError, read_sources

SHARED = Path(__file__).resolve().parents[2] / "shared" / "samples"


@pytest.mark.parametrize("title, year", [
    ("某市人民政府2023年政府信息公开工作年度报告", 2023),
    ("二〇二二年度政府信息公开工作年度报告", 2022),
    ("关于政府信息公开工作年度报告", None),
])
def test_report_year(title, year):
    assert pages.report_year(title) == year


@pytest.mark.parametrize("title, expected", [
    ("某县2023年政府信息公开工作年度报告", True),
    ("某局2021年度政务公开工作年度报告", True),
    ("2020年度政府信息公开年报", True),
    ("关于做好2023年政府信息公开工作年度报告编制发布工作的通知", False),
    ("某市政府信息公开指南", False),
    ("2023年政府信息公开工作年度报告解读", False),
    ("关于2022年度政府信息公开工作年度报告发布情况的通报", False),
])
def test_report_titles(title, expected):
    assert pages.is_report_title(title) is expected


LISTING = """<html><body><ul>
<li><a href="./202401/t20240125_1.html" title="某区发展和改革局2023年政府信息公开工作年度报告">某区发展和改革局2023年政府信息公开工作年…</a>
    <span>2024-01-25</span></li>
<li><a href="/art/2023/1/30/art_1.html">某区发展和改革局2022年政府信息公开工作年度报告</a><span>[2023-01-30]</span></li>
<li><a href="t1.html">关于开展政务公开培训的通知</a><span>2023-05-01</span></li>
<li><a href="javascript:void(0)">2021年政府信息公开工作年度报告</a></li>
</ul><div class="page"><a href="index_1.html">下一页</a> <a href="index_3.html">尾页</a></div></body></html>"""


def test_listing_entries_use_the_full_title_and_the_date_beside_the_link():
    got = pages.listing_entries(LISTING, "http://example.test/col/ndbg/index.html")
    assert [(e.title[-17:], e.url, e.date) for e in got] == [
        ("2023年政府信息公开工作年度报告", "http://example.test/col/ndbg/202401/t20240125_1.html",
         dt.date(2024, 1, 25)),
        ("2022年政府信息公开工作年度报告", "http://example.test/art/2023/1/30/art_1.html", dt.date(2023, 1, 30)),
    ]


def test_next_pages_from_links_and_from_the_trs_page_script():
    assert pages.next_pages(LISTING, "http://example.test/col/ndbg/index.html") == [
        "http://example.test/col/ndbg/index_1.html", "http://example.test/col/ndbg/index_3.html"]
    trs = '<div><script>createPageHTML(4, 0, "index", "html");</script></div>'
    assert pages.next_pages(trs, "http://example.test/ndbg/") == [
        f"http://example.test/ndbg/index_{i}.html" for i in (1, 2, 3)]


def test_page_date_prefers_the_publication_date_to_the_document_date():
    html = ("<html><head><title>x</title></head><body><div>成文日期：2024-01-10</div>"
            "<div>发布时间：2024-02-03 09:00</div></body></html>")
    assert pages.page_date(html) == (dt.date(2024, 2, 3), "发布时间")
    meta = '<html><head><meta name="PubDate" content="2024-01-29 10:20"></head><body>日期：2024-03-01</body></html>'
    assert pages.page_date(meta) == (dt.date(2024, 1, 29), "meta PubDate")
    assert pages.page_date("<html><body>成文日期：2024-01-10</body></html>") == (None, "")


@pytest.mark.parametrize("name, date", [
    # what a person reads on the real pages' info line (发布时间 / 发布日期 / 更新日期)
    ("excerpts-more/page-039.txt", dt.date(2022, 1, 25)),
    ("excerpts-more/page-011.txt", dt.date(2024, 3, 26)),
    ("excerpts-more/page-080.txt", dt.date(2021, 1, 15)),
    ("excerpts-more/page-002.txt", dt.date(2021, 1, 20)),
])
def test_page_date_on_real_pages(name, date):
    path = SHARED / name
    if not path.is_file():
        pytest.skip(f"real samples not present at {SHARED} (../shared is provided in CI)")
    text = path.read_text(encoding="utf-8").replace("&", "&amp;").replace("<", "&lt;")
    assert pages.page_date(f"<html><body><pre>{text}</pre></body></html>")[0] == date


def test_real_page_with_only_a_written_date_has_no_page_date():
    path = SHARED / "excerpts" / "page-035.txt"
    if not path.is_file():
        pytest.skip(f"real samples not present at {SHARED} (../shared is provided in CI)")
    text = path.read_text(encoding="utf-8").replace("&", "&amp;").replace("<", "&lt;")
    assert pages.page_date(f"<html><body><pre>{text}</pre></body></html>") == (None, "")


def test_attachments_are_report_files_only():
    html = ('<a href="/u/2024/P0.pdf">年报</a><a href="a.docx">附件</a><a href="x.zip">包</a>'
            '<a href="/u/2024/P0.pdf#page=2">again</a><a href="b.WPS">wps</a>')
    assert [u for u, _ in pages.attachments(html, "http://h.test/p/")] == [
        "http://h.test/u/2024/P0.pdf", "http://h.test/p/a.docx", "http://h.test/p/b.WPS"]


@pytest.mark.parametrize("html, code", [
    ('<html><body><div id="app"></div><script>fetch("/api/a").then(r => r.json())</script></body></html>',
     "js_only"),
    ('<html><body><form><p>请先登录</p><input name="u"><input type="password"></form></body></html>', "login_wall"),
    ('<html><body><p>请输入验证码</p><input name="code"><img src="/captcha.jpg"></body></html>', "captcha_wall"),
    ("<html><body><h1>2023年政府信息公开工作年度报告</h1>" + "<p>本机关主动公开政府信息。</p>" * 30
     + "<script>$.ajax('/count')</script></body></html>", None),
])
def test_unreadable_pages(html, code):
    got = pages.unreadable(html)
    assert (got[0] if got else None) == code


def test_sources_csv(tmp_path):
    good = tmp_path / "s.csv"
    good.write_bytes("agency,url,level\n某县人民政府,http://a.test/ndbg/,county\n\n".encode("gb18030"))
    (src,) = read_sources(good)
    assert (src.agency, src.url, src.level) == ("某县人民政府", "http://a.test/ndbg/", "county")
    bad = tmp_path / "b.csv"
    bad.write_text("agency,url\n某局,ftp://a.test/\n", encoding="utf-8")
    with pytest.raises(SourcesError, match="line 2: 'ftp://a.test/' is not an http"):
        read_sources(bad)
    (tmp_path / "h.csv").write_text("name,link\nx,http://a.test/\n", encoding="utf-8")
    with pytest.raises(SourcesError, match="must name the columns agency and url"):
        read_sources(tmp_path / "h.csv")


def test_a_flat_listing_is_read_in_linear_time_with_its_dates():
    """Every link in one <div>, each followed by its date: the date beside each link is its own (the
    whole list's text is not searched once per link, which was quadratic), and the links past the limit
    are counted, not read."""
    rows = "".join(f'<a href="/r/{i}.html">某局2023年政府信息公开工作年度报告{i}</a> 2024-01-{i % 28 + 1:02d}<br>'
                   for i in range(3000))
    got = pages.read_listing(f"<html><body><div>{rows}</div></body></html>", "http://h.test/c/", limit=50)
    assert got.report_links == 3000 and len(got.entries) == 50
    assert [e.date for e in got.entries[:3]] == [dt.date(2024, 1, 1), dt.date(2024, 1, 2), dt.date(2024, 1, 3)]
    assert got.entries[-1].url == "http://h.test/r/49.html"


def test_trap_urls():
    assert pages.trap_url("http://h.test/a/" + "x" * 3000, 2048)
    assert pages.trap_url("http://h.test/col/a/b/a/b/a/b/a/index.html", 2048)
    assert not pages.trap_url("http://h.test/col/2024/01/t20240125_1.html", 2048)


def test_scripts_and_styles_are_not_page_text_and_the_page_is_left_whole():
    doc = pages.parse("<html><body><p>请先<!-- c -->登录<script>var captcha = 1;</script></p>"
                      "<style>.x{}</style><noscript>验证码<b>!</b></noscript></body></html>")
    before = lxml.html.tostring(doc)
    assert pages.unreadable(doc) == ("login_wall", "the page asks for a login")
    assert lxml.html.tostring(doc) == before  # parsed once, read by every function after
