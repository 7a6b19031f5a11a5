"""Agency, year, title and publication date on real-page shapes (crawler headers, breadcrumbs, a year
before the name, split and traditional titles, titles naming no agency). Fixtures written here, with
fictional names (样例…); none is text from a real report."""

from __future__ import annotations

import re

import pytest

from etl.extract.metadata import find_published, find_title, find_year
from etl.parse import parse_file
from etl.readers.html import read_html
from etl.readers.meta import meta_from_text
from etl.readers.text import read_text

NOISE = re.compile(r"标题|当前位置|首页|^(?:19|20)\d{2}|http|发布时间|[>＞:：]")

CRAWLER_HEADER = """标题: 样例市样例区商务局2021年度政府信息公开工作年度报告
发布时间: 2022-02-08 16:34
文号:
发布机构:
栏目: 政府信息公开年报
原文链接: https://www.example.gov.cn/zwgk/202202/t20220208_1.htm
来源:
本地目录: zwgk/202202/1_样例市样例区商务局2021年度政府信息公开工作年度报告
页面链接与图片详见 links.tsv(同目录)
==================== 正文 ====================
"""
BODY = """一、总体情况
2022年，本局将继续做好政务公开工作。2021年，本局主动公开政府信息120条。
二、主动公开政府信息情况
本年度主动公开政府信息120条。
"""


def _parse_text(tmp_path, text: str, name: str = "report.txt"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return parse_file(path)


# --- crawler headers ------------------------------------------------------------------------------------

def test_crawler_header_title_label_is_not_part_of_the_agency(tmp_path):
    r = _parse_text(tmp_path, CRAWLER_HEADER + BODY)
    assert (r.agency, r.year) == ("样例市样例区商务局", 2021)
    assert r.title == "样例市样例区商务局2021年度政府信息公开工作年度报告"
    assert r.published_on == "2022-02-08"


def test_crawler_header_fields_in_the_text_reader_meta():
    doc = read_text((CRAWLER_HEADER + BODY).encode("utf-8"))
    assert doc.meta["title"] == "样例市样例区商务局2021年度政府信息公开工作年度报告"
    assert doc.meta["published"] == "2022-02-08"
    assert "issuer" not in doc.meta  # 发布机构: and 来源: are empty, 栏目: is not an issuer


def test_header_lines_other_than_the_title_are_never_the_title():
    lines = ["本地目录: zwgk/202202/1_样例市样例区商务局2021年度政府信息公开工作年度报告",
             "主题分类:综合政务/公报公示/政府信息公开年报",
             "样例市样例区商务局2021年度政府信息公开工作年度报告"]
    assert find_title(lines) == ("样例市样例区商务局2021年度政府信息公开工作年度报告", 2021, "样例市样例区商务局")


def test_crawler_header_issuer_stands_in_when_the_title_names_no_agency(tmp_path):
    header = CRAWLER_HEADER.replace("样例市样例区商务局2021年度", "2021年度").replace(
        "发布机构:\n", "发布机构: 样例市样例区司法局\n")
    r = _parse_text(tmp_path, header + BODY)
    assert (r.agency, r.year) == ("样例市样例区司法局", 2021)


# --- breadcrumbs --------------------------------------------------------------------------------------

def test_breadcrumb_last_part_is_the_title():
    line = "当前位置：首页 > 政务公开 > 政府信息公开年报 > 样例市样例区商务局2021年度政府信息公开工作年度报告"
    assert find_title([line]) == ("样例市样例区商务局2021年度政府信息公开工作年度报告", 2021, "样例市样例区商务局")


def test_breadcrumb_category_is_no_agency_and_the_real_title_follows():
    lines = ["当前页面:", "首页", "> 政务公开", "> 信息公开年度报告", "> 乡镇信息公开年度报告",
             "来源:样例镇 发布时间:2024-03-26", "样例县样例镇2023年政府信息公开年度报告", "（2024年3月26日）"]
    assert find_title(lines) == ("样例县样例镇2023年政府信息公开年度报告", 2023, "样例县样例镇")


# --- the year before the name -------------------------------------------------------------------------

@pytest.mark.parametrize("title, agency, year", [
    ("2019年样例市人民政府办公厅政府信息公开工作年度报告", "样例市人民政府办公厅", 2019),
    ("2022年度样例镇政府信息公开工作年度报告", "样例镇", 2022),
    ("（2020）年样例县样例局政府信息公开工作年度报告", "样例县样例局", 2020),
])
def test_year_before_the_name(title, agency, year):
    assert find_title([title])[1:] == (year, agency)


# --- 标题： in a page's metadata table (HTML reader) ---------------------------------------------------

def _page(body: str, head: str = "") -> bytes:
    return f"<html><head><meta charset='utf-8'>{head}</head><body>{body}</body></html>".encode()


def test_html_printed_title_label_is_the_title_and_not_in_the_agency(tmp_path):
    body = ("<div>标题：样例县样例局2022年政府信息公开工作年度报告</div>"
            "<div>发布机构：样例县样例局&nbsp;&nbsp;发布日期：2023-01-18</div>"
            "<p>一、总体情况</p><p>2022年，本局主动公开政府信息88条。</p>")
    data = _page(body, "<title>样例县人民政府门户网站</title>")
    doc = read_html(data)
    assert doc.meta["title"] == "样例县样例局2022年政府信息公开工作年度报告"  # the printed 标题 before <title>
    path = tmp_path / "page.html"
    path.write_bytes(data)
    r = parse_file(path)
    assert (r.agency, r.year, r.published_on) == ("样例县样例局", 2022, "2023-01-18")


def test_html_metadata_table_title_cell():
    rows = [["索引号：", "000000-2023-001", "标题：", "样例县样例局2022年政府信息公开工作年度报告"]]
    assert meta_from_text([], [rows])["title"] == "样例县样例局2022年政府信息公开工作年度报告"


def test_issuer_value_stops_at_the_next_field():
    meta = meta_from_text(["来源:样例镇 发布时间:2024-03-26",
                           "发布机构:样例区审计局 | 关 键 词:政务,公报公示 | |"])
    assert meta["issuer"] == "样例区审计局"
    meta = meta_from_text(["www.example.gov.cn     发布时间:2022-01-25     来源:样例镇党政办      选择阅读字号:[ ]"])
    assert (meta["issuer"], meta["published"]) == ("样例镇党政办", "2022-01-25")


# --- a title naming no agency: the page's issuer, then the text -----------------------------------------

def test_issuer_fallback_is_second_to_the_title():
    from etl.extract.metadata import find_agency

    lines = ["2023年度政府信息公开工作年度报告", "一、总体情况", "2023年，我局认真贯彻落实《条例》。"]
    assert find_title(lines) == ("2023年度政府信息公开工作年度报告", 2023, None)
    assert find_agency(None, {"issuer": "样例市样例区司法局"}, lines) == "样例市样例区司法局"
    assert find_agency("样例市样例区商务局", {"issuer": "样例市样例区司法局"}, lines) == "样例市样例区商务局"
    # the page's <title> names the agency: before the issuer field
    meta = {"page_title": "样例区商务局2023年度政府信息公开工作年度报告_样例区人民政府", "issuer": "样例区政府办"}
    assert find_agency(None, meta, lines) == "样例区商务局"


@pytest.mark.parametrize("issuer, agency", [
    ("原创", None), ("本网", None), ("样例市人民政府门户网站", None), ("区政府办", None),
    ("样例镇党政办", "样例镇"),  # an internal office stands for its agency
    ("样例市人民政府办公室", "样例市人民政府办公室"),  # an agency of its own
])
def test_issuer_field_only_when_it_names_an_agency(issuer, agency):
    from etl.extract.metadata import find_agency

    assert find_agency(None, {"issuer": issuer}, ["2023年度政府信息公开工作年度报告"]) == agency


def test_self_reference_in_the_title_is_no_agency():
    assert find_title(["我局2023年度政府信息公开工作年度报告"]) == ("我局2023年度政府信息公开工作年度报告", 2023, None)
    # a sentence quoting the report is not its title
    assert find_title(["根据《条例》，现将我局2020年度政府信息公开工作年度报告如下。"]) == (None, None, None)


@pytest.mark.parametrize("lines, agency", [
    (["一、总体情况", "2021年，样例区统计局认真贯彻落实《条例》，主动公开政府信息41条。"], "样例区统计局"),
    (["一、总体情况", "2022年以来，样例乡在县委县政府的正确领导下，扎实推进政务公开。"], "样例乡"),
    (["一、总体情况", "样例区住建局高度重视政府信息公开工作，坚持把政府信息公开工作列入重要议事日程。"], "样例区住建局"),
    (["根据《条例》的规定和有关通知的要求，现公开样例区样例街道2019年度政府信息公开工作年度报告。",
      "2019年，样例街道主动公开政府信息96条。"], "样例区样例街道"),
    (["本报告由样例县样例镇人民政府党政办公室编制，内容包括总体情况等六个部分。"], "样例县样例镇人民政府"),
    (["如对本报告有任何疑问，请与样例镇人民政府党政办公室联系（电话：0000-1234567）。"], "样例镇人民政府"),
    # the text names no agency: None, not a guess
    (["一、总体情况", "2021年，我局认真贯彻落实《条例》，主动公开政府信息41条。"], None),
    (["一、总体情况", "2023年，在县委、县政府的正确领导下，我镇以党的二十大精神为指导，推进政务公开。"], None),
    (["一、总体情况", "本年度，我局坚持“以公开为常态”原则，全面落实信息公开条例。"], None),
    (["一、总体情况", "2023年，县委县政府高度重视政务公开工作，样例镇认真落实。"], None),
])
def test_agency_from_the_report_text(lines, agency):
    from etl.extract.metadata import find_agency

    assert find_agency(None, {}, ["2023年度政府信息公开工作年度报告", *lines]) == agency


# --- title forms ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("lines", [
    ["样例市样例区商务局关于2021年度政府信息公开工作年度报告"],
    ["样例市样例区商务局2021年政府信息公开工作年度报告"],
    ["样例市样例区商务局政府信息公开工作2021年度报告"],
    ["样例市样例区商务局 2021年度 政务公开工作年度报告"],
    ["样例市样例区商务局2021年度政府信息", "公开工作年度报告"],
    ["样例市样例区商务局", "2021年度政府信息公开工作年度报告"],
    ["样例市样例区商务局2021年度政府信息公开工作年度报告_样例市人民政府门户网站"],
    ["Page 3 - 样例市样例区商务局2021年度政府信息公开工作年度报告"],
])
def test_title_forms(lines):
    _, year, agency = find_title(lines)
    assert (agency, year) == ("样例市样例区商务局", 2021)


def test_agency_on_its_own_line_below_a_bare_title():
    lines = ["关于2021年度政府信息公开工作的年度报告", "发布时间:2022-01-25  来源:样例镇党政办",
             "样例县样例镇人民政府", "关于2021年度政府信息公开工作的年度报告", "一、总体情况"]
    assert find_title(lines)[1:] == (2021, "样例县样例镇人民政府")


def test_name_of_a_peoples_government_keeps_its_government():
    assert find_title(["样例镇人民政府信息公开工作年度报告"])[2] == "样例镇人民政府"


@pytest.mark.parametrize("title", ["樣例市樣例區商務局2021年度政府資訊公開工作年度報告",
                                   "樣例市樣例區商務局2021年度政府信息公開工作年度報告"])
def test_traditional_titles_give_the_year(title):
    assert find_title([title])[1] == 2021


def test_traditional_report_file(tmp_path):
    text = "樣例市樣例區商務局2021年度政府資訊公開工作年度報告\n一、總體情況\n2021年，本局主動公開政府信息120條。\n"
    r = _parse_text(tmp_path, text)
    assert r.year == 2021 and r.agency == "样例市样例区商务局"


def test_flip_book_page_header_carries_the_title(tmp_path):
    text = ("Page 8 - 样例市样例区信访局2022年政府信息公开工作年度报告\nP. 8\n"
            "四、因政府信息公开工作被申请行政复议、提起行政诉讼情况\n总结我局本年度政府信息公开工作，2023年将继续改进。\n")
    r = _parse_text(tmp_path, text)
    assert (r.agency, r.year) == ("样例市样例区信访局", 2022)


# --- the year and the publication date --------------------------------------------------------------------

def test_year_is_not_the_publication_year():
    head = ["样例局政府信息公开工作年度报告", "发布时间：2022年02月08日", "发布日期：2022年2月8日"]
    assert find_year(None, ["2021年，样例局主动公开政府信息。"], head) == 2021
    assert find_year(2021, ["2022年，本局将继续…2022年…"], head) == 2021  # the title's year wins


def test_published_from_the_crawler_header():
    assert find_published({}, ["标题: 样例局2021年度政府信息公开工作年度报告", "发布时间: 2022-02-08 16:34"]) == "2022-02-08"


def test_no_metadata_noise_in_any_agency():
    cases = [
        ["标题: 2021年度政府信息公开工作年度报告"],
        ["当前位置：首页 > 政务公开 > 政府信息公开年报"],
        ["2019年政府信息公开工作年度报告"],
        ["原文链接: https://www.example.gov.cn/2021年度政府信息公开工作年度报告.htm"],
        ["发布时间:2022-01-25 样例局2021年度政府信息公开工作年度报告"],
    ]
    for lines in cases:
        agency = find_title(lines)[2]
        assert agency is None or not NOISE.search(agency), (lines, agency)
