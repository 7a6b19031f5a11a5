"""Reading agency web pages for the collector: pure functions of a page's text and its URL.

A 年报栏目 (annual-report column) is a listing page: entries (title, link, date) plus pagination. The
entries that are annual reports are told by their titles; the pagination by "下一页"-style links, numbered
page links, and the page-count scripts of the common government CMS (TRS WCM's `createPageHTML(n, i,
"index", "html")` writes links to index_1.html … index_{n-1}.html in the browser, so they never appear as
<a> tags). A report page is the report itself (HTML) or a page pointing at attachments.
"""

from __future__ import annotations

import collections
import datetime as dt
import itertools
import re
from dataclasses import dataclass
from urllib.parse import urldefrag, urljoin, urlparse

import lxml.html

from etl import filekinds
from etl.datelabels import PUBLICATION_RANK, alternation
from etl.extract.metadata import CN_DIGITS

# Attachment kinds the build reads, page images included (etl.filekinds)
ATTACHMENT_EXTENSIONS = filekinds.ATTACHMENT_EXTENSIONS

_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_CN_YEAR = re.compile(r"([二][〇○零O][一二三四五六七八九〇○零O]{2})\s*年")
# An annual disclosure report's title: a disclosure phrase and 年度报告 / 年报, in either order of words
# ("2023年政府信息公开工作年度报告", "…政务公开工作年度报告", "2023年度政府信息公开年报").
_REPORT_TITLE = re.compile(r"(政府信息公开|政务公开|信息公开)[^，。]{0,12}?(年度报告|年报)|"
                           r"(年度报告|年报)[^，。]{0,6}?(政府信息公开|信息公开)")
# Titles that mention a report without being one: notices about reports, lists of who published, reviews.
_NOT_REPORT = re.compile(r"通知|通报|情况的报告|评估|考核|名单|解读|提纲|说明会|目录|指南|工作要点|的函")
_DATE = re.compile(r"((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
# The page's own publication date as the CMS prints it near the title. 成文日期/发文日期 date the document,
# not its publication, so they are not read as the page's date.
_PAGE_DATE_LABEL = re.compile(rf"({alternation()})\s*[:：]?\s*"
                              r"((?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2})")
_PAGE_DATE_LABEL_RANK = PUBLICATION_RANK  # the written-on labels have no rank: they are matched, never used
_META_DATE_NAMES = ("pubdate", "publishdate", "firstpublishedtime", "article:published_time", "dc.date",
                    "dcterms.issued", "pubtime")
_NEXT_TEXT = re.compile(r"^\s*(下一页|下页|后一页|next\s*page|next|>|›|»)\s*$", re.I)
_CREATE_PAGE = re.compile(r"createPageHTML\(\s*['\"]?(\d+)['\"]?\s*,\s*['\"]?(\d+)['\"]?\s*,\s*['\"]([\w-]+)['\"]"
                          r"\s*,\s*['\"](\w+)['\"]")
_PAGE_COUNT = re.compile(r"(?:countPage|pageCount|totalPage|page_count)\s*[=:]\s*['\"]?(\d+)", re.I)
_XHR = re.compile(r"XMLHttpRequest|\bfetch\s*\(|\$\.(ajax|get|post|getJSON)\s*\(|axios\.|\.load\s*\(", re.I)
_LOGIN = re.compile(r"(用户登录|请先登录|登录后|统一身份认证|sign\s*in|log\s*in)", re.I)
_CAPTCHA = re.compile(r"(验证码|captcha|滑块验证|安全验证|人机验证)", re.I)


@dataclass(frozen=True)
class Entry:
    title: str
    url: str
    date: dt.date | None  # the date the listing shows beside the entry


def report_year(title: str) -> int | None:
    """The report year a title names ("2023年…", "二〇二三年…"), or None."""
    m = _YEAR.search(title)
    if m:
        return int(m.group(1))
    m = _CN_YEAR.search(title)
    if m:
        return int("".join(str(CN_DIGITS[c]) for c in m.group(1)))
    return None


def is_report_title(title: str) -> bool:
    t = re.sub(r"\s+", "", title)
    return bool(_REPORT_TITLE.search(t)) and not _NOT_REPORT.search(t)


def parse_date(text: str) -> dt.date | None:
    m = _DATE.search(text or "")
    if not m:
        return None
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def parse(html: str | bytes):
    """A page's element tree, parsed once and handed to the functions below (each also takes the text)."""
    try:
        return lxml.html.document_fromstring(html or "<html></html>")
    except (lxml.etree.ParserError, ValueError):
        return lxml.html.document_fromstring("<html></html>")


def _doc(page):
    return page if isinstance(page, lxml.etree._Element) else parse(page)


def _text(el) -> str:
    return re.sub(r"\s+", " ", el.text_content() or "").strip()


def _visible_text(doc) -> str:
    """The page's text without its scripts and styles. The tree is parsed once and shared, and a copy of a
    10 MB page costs as much memory as the page's tree again: the hidden elements are emptied for the read
    and given back their content after it."""
    hidden = list(doc.iter("script", "style", "noscript"))
    kept = [(el.text, list(el)) for el in hidden]
    try:
        for el in hidden:
            el.text = None
            for child in list(el):
                el.remove(child)
        return _text(doc)
    finally:
        for el, (text, children) in zip(hidden, kept, strict=True):
            el.text = text
            el.extend(children)


def _href(base: str, href: str | None) -> str | None:
    if not href:
        return None
    href = href.strip()
    if not href or href.startswith(("javascript:", "mailto:", "tel:", "#")):
        return None
    url = urldefrag(urljoin(base, href))[0]
    return url if urlparse(url).scheme in ("http", "https") else None


# A listing row (the <li> or <tr> around a link) is small; a node with more elements than this is the whole
# list, whose text is not read once per link (that made a flat listing of 8,000 links cost 84 s).
_ROW_ELEMENTS = 40


def _small(node) -> bool:
    return next(itertools.islice(node.iter(), _ROW_ELEMENTS, None), None) is None


def _entry_date(a) -> dt.date | None:
    """The date printed beside a listing link: in the link's text, right after it (its tail and the next
    element, for flat lists), or in its row (the parent or grandparent, when they are rows, not the list)."""
    d = parse_date(_text(a))
    if d:
        return d
    after = a.getnext()
    d = parse_date((a.tail or "") + " " + (_text(after) if after is not None and _small(after) else ""))
    if d:
        return d
    parent = a.getparent()
    for node in (parent, parent.getparent() if parent is not None else None):
        if node is None or not _small(node):
            return None
        d = parse_date(_text(node))
        if d:
            return d
    return None


@dataclass(frozen=True)
class Listing:
    entries: list[Entry]  # the first `limit` report entries, in page order, one per URL
    report_links: int  # every link on the page titled as a report (more than `limit` is a link-heavy trap)
    next_pages: list[str]  # further listing pages, at most `limit`
    more_pages: int  # further listing pages the page points at


def read_listing(page, base_url: str, limit: int = 1000, max_pages: int = 200) -> Listing:
    """A listing page read in one pass over its links, in time linear in its size: the report entries
    and the further listing pages ("下一页", numbered links, CMS page scripts)."""
    doc = _doc(page)
    seen: set[str] = set()
    entries: list[Entry] = []
    reports = 0
    nexts: list[str] = []
    base = urldefrag(base_url)[0]
    hrefs: list[str] = []
    for a in doc.iter("a"):
        hrefs.append(a.get("href") or "")
        title = (a.get("title") or "").strip()
        text = _text(a)
        # Listings cut long titles ("…工作年度报…"); the title attribute keeps the whole one.
        name = title if is_report_title(title) else text
        if is_report_title(name):
            reports += 1
            if len(entries) < limit:
                url = _href(base_url, a.get("href"))
                if url and url not in seen:
                    seen.add(url)
                    entries.append(Entry(name, url, _entry_date(a)))
        elif _NEXT_TEXT.match(text) or re.fullmatch(r"\d{1,3}", text) or text in ("尾页", "末页"):
            url = _href(base_url, a.get("href"))
            if url and url != base:
                nexts.append(url)
    # the CMS page scripts, and the links already written out (a page count is expanded only without them)
    source = " ".join([*(s.text or "" for s in doc.iter("script")), *hrefs])
    m = _CREATE_PAGE.search(source)
    if m:
        count, _current, stem, ext = int(m.group(1)), m.group(2), m.group(3), m.group(4)
        nexts += [urljoin(base_url, f"{stem}_{i}.{ext}") for i in range(1, min(count, max_pages))]
    elif _PAGE_COUNT.search(source) and re.search(r"index_\d+\.s?html?", source) is None:
        # a page count with no links written out: TRS's numbering is the usual one
        count = int(_PAGE_COUNT.search(source).group(1))
        stem = urlparse(base_url).path.rsplit("/", 1)[-1].split(".")[0].split("_")[0] or "index"
        nexts += [urljoin(base_url, f"{stem}_{i}.html") for i in range(1, min(count, max_pages))]
    nexts = list(dict.fromkeys(nexts))
    return Listing(entries, reports, nexts[:limit], len(nexts))


def listing_entries(page, base_url: str) -> list[Entry]:
    """The annual-report entries of a listing page, in page order, one per URL."""
    return read_listing(page, base_url).entries


def next_pages(page, base_url: str) -> list[str]:
    """Further listing pages this page links to: "下一页", numbered links, CMS page scripts."""
    return read_listing(page, base_url).next_pages


def trap_url(url: str, max_chars: int) -> bool:
    """A link no real column has: longer than `max_chars`, or a path that repeats one segment 4 times
    (/a/b/a/b/a/b/a/…, the mark of a tree of pages that grows as it is walked)."""
    if len(url) > max_chars:
        return True
    parts = [p for p in urlparse(url).path.split("/") if p]
    return any(n >= 4 for n in collections.Counter(parts).values())


def page_date(page) -> tuple[dt.date | None, str]:
    """The page's own publication date and where it came from ("meta PubDate", "发布日期"…), or (None, "")."""
    doc = _doc(page)
    for meta in doc.iter("meta"):
        name = (meta.get("name") or meta.get("property") or "").strip().lower()
        if name in _META_DATE_NAMES:
            d = parse_date(meta.get("content") or "")
            if d:
                return d, f"meta {meta.get('name') or meta.get('property')}"
    text = _visible_text(doc)[:20000]
    best: tuple[int, dt.date, str] | None = None
    for m in _PAGE_DATE_LABEL.finditer(text):
        d = parse_date(m.group(2))
        rank = _PAGE_DATE_LABEL_RANK.get(m.group(1))
        if rank is not None and d and (best is None or rank < best[0]):
            best = (rank, d, m.group(1))
    return (best[1], best[2]) if best else (None, "")


def attachments(page, base_url: str) -> list[tuple[str, str]]:
    """(url, link text) of the report files a page links to, in page order, one per URL."""
    doc = _doc(page)
    out: dict[str, str] = {}
    for a in doc.iter("a"):
        url = _href(base_url, a.get("href"))
        if not url:
            continue
        path = urlparse(url).path.lower()
        if path.endswith(ATTACHMENT_EXTENSIONS) and url not in out:
            out[url] = _text(a)
    return list(out.items())


def page_title(page) -> str:
    doc = _doc(page)
    for meta in doc.iter("meta"):
        if (meta.get("name") or "").lower() in ("articletitle", "title") and meta.get("content"):
            return meta.get("content").strip()
    for tag in ("h1", "title"):
        for el in doc.iter(tag):
            t = _text(el)
            if t:
                return t
    return ""


def unreadable(page) -> tuple[str, str] | None:
    """Why a fetched page holds no report to read here, or None: a JavaScript shell whose content arrives by
    XHR, or a login or captcha wall."""
    doc = _doc(page)
    scripts = " ".join(s.text or "" for s in doc.iter("script"))
    body = _visible_text(doc)
    has_password = bool(doc.xpath("//input[@type='password'][not(ancestor::noscript)]"))
    if _CAPTCHA.search(body) and (has_password or len(body) < 400 or doc.xpath("//input[not(ancestor::noscript)]")):
        return "captcha_wall", "the page asks for a captcha before showing anything"
    if has_password or (_LOGIN.search(body) and len(body) < 400):
        return "login_wall", "the page asks for a login"
    if len(re.sub(r"\s", "", body)) < 120 and (_XHR.search(scripts) or doc.xpath("//script[@src]")):
        return "js_only", "the page is an empty shell filled in by JavaScript (XHR); no report text in it"
    return None
