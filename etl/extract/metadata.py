"""Who published the report, for which year, and when: from the title, the page metadata and the text.

Real pages put metadata in the title's way: crawler headers (标题: … / 发布时间: … / 原文链接: …), breadcrumbs
(当前位置：首页 > … > title), the year before the name (2019年X政府信息公开工作年度报告), titles over two lines,
the name on a line of its own above or below the title, traditional characters (政府信息公開工作年度報告).
find_title reads the title through all that. find_agency falls back, in this order, to the page's title tag,
its labelled issuer (发布机构/发文机关/来源 …) and the report's own words (…现公开X2019年度政府信息公开工作年度报告,
由X编制, 请与X联系, "2021年，X认真…"); a name is only taken when it looks like one (no label, URL, year,
breadcrumb or "我局"), so a page that names no agency gives None rather than a wrong name.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Mapping
from typing import NamedTuple

from etl.datelabels import alternation

CN_DIGITS = {"〇": 0, "零": 0, "○": 0, "Ｏ": 0, "O": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6,
              "七": 7, "八": 8, "九": 9}
_CJK = "\u4e00-\u9fff"
# Title words, simplified and traditional (mirror sites: 政府資訊公開 / 信息公開工作年度報告).
_INFO = "(?:信息|資訊|资讯|訊息|讯息)"
_OPEN = "(?:公开|公開)"
_REPORT = "(?:报告|報告|年报|年報)"
_GOV = "(?:政府|政务|政務)"
_TITLE = re.compile(
    rf"^(?P<pre>.*?)(?:[(（]?(?P<year>(?:19|20)\d{{2}})[)）]?年度?)?(?:的)?(?:{_GOV}{_INFO}?|{_INFO}){_OPEN}"
    rf"(?:工作)?(?:的)?(?:[(（]?(?P<year2>(?:19|20)\d{{2}})[)）]?年度?)?(?:年度|工作)*(?:的)?{_REPORT}"
)
_HAS_REPORT = re.compile(_REPORT)
_YEAR_REPORT = re.compile(r"((?:19|20)\d{2})\s*年[报報][_\-\s]*(?P<agency>\S*)")
_LEADING_YEAR = re.compile(r"^[(（]?((?:19|20)\d{2})[)）]?年度?")
_PERIOD = re.compile(r"统计期限[^\d]{0,6}((?:19|20)\d{2})\s*年")
_ANY_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_LABELLED_DATE = re.compile(rf"(?:{alternation('published')})\s*[:：]?\s*"
                            r"((?:19|20)\d{2})\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})")
# a date printed with its label (发布时间/成文日期 …): when the page went up, not the year reported on
_ANY_LABELLED_DATE = re.compile(rf"(?:{alternation()})\s*[:：]?\s*"
                                r"(?:19|20)\d{2}\s*[-年/.]\s*\d{1,2}\s*[-月/.]\s*\d{1,2}\s*日?")
_DATE = re.compile(r"^((?:19|20)\d{2})\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})\s*日?$")
_CN_DATE = re.compile(r"^([〇零○Ｏ一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日$")
_AGENCY_SUFFIX = re.compile(r"(政府|局|委员会|委|办公室|办|厅|院|署|会|中心|处|所|站|队|乡|镇|街道|管委会|区|县|市|部|司|馆"
                            r"|旗|盟|州|省|社区|场)$")
_LEADING_NOISE = re.compile(r"^(?:关于|附件\d*[:：]?|【[^】]*】)+")

# --- the title line -------------------------------------------------------------------------------------

# "标题: X" (crawler header, page metadata table): the value is the title
_TITLE_LABEL = re.compile(r"^(?:文章标题|信息标题|信息名称|文件名称|标题|標題|题目|名称)[:：]")
# any other "label:" line of a header (本地目录:, 原文链接:, 栏目:, 主题分类: …) never holds the title
_OTHER_LABEL = re.compile(rf"^[{_CJK}]{{1,6}}[:：]")
_BREADCRUMB_START = re.compile(r"^(?:您?当前(?:的)?(?:所在)?(?:位置|页面)|您的位置|您所在的?位置|所在位置)[:：]?")
_CRUMB_SEP = re.compile(r">>|>|＞|»|›|→")
_FLIPBOOK = re.compile(r"^Page\d{1,3}-")  # a flip-book page header "Page 9 - <title>"
_SENTENCE = re.compile(r"[，,。；;！!？?《》“”\"]")
_TAIL_SEP = "_-|–—｜"


def _title_text(line: str) -> str | None:
    """The part of a line that may be a title: labels and breadcrumbs taken off; None for header lines."""
    s = _FLIPBOOK.sub("", re.sub(r"\s+", "", line[:300]))  # a title (even after a breadcrumb) is shorter
    if not s:
        return None
    m = _TITLE_LABEL.match(s)
    if m:
        return s[m.end():]
    m = _BREADCRUMB_START.match(s)
    if m:
        s = s[m.end():]
    if _CRUMB_SEP.search(s):
        return _CRUMB_SEP.split(s)[-1]
    if _OTHER_LABEL.match(s) and not s.startswith("附件"):
        return None
    return s


_NOISE = re.compile(r"标题|標題|当前位置|当前页面|首页|发布|来源|栏目|链接|网址|http|www|索引|文号|报告|報告|年报|信息公开"
                    r"|[\d:：>＞|/\\_《》，,。;；!！?？\[\]【】@#]")
_CATEGORY = frozenset({"乡镇", "镇", "乡", "街道", "部门", "区县", "县区", "市直", "县直", "区直", "单位", "政府",
                       "人民政府", "本级", "镇街", "乡镇街道", "各部门", "机关", "市", "县", "区", "省", "委", "办"})
_NOT_A_NAME_START = re.compile(
    r"^(?:我|(?:本|该|各|全|其|此)(?:局|镇|乡|级|单位|机关|部门|委|办|区|县|市|街道|中心|院|厅|所|站|队|会|处|政府|年|部)"
    r"|现将|现就|现公开|现公布|现予|特此|特向|根据|按照|依据|为了|为进一步|关于|如对|请与|今年|本年|全年|年内)")
_BARE_GOV_PARTS = re.compile(r"人民|政府|办公室|党委|[省市县区州旗镇乡委党办]")


def _is_name(n: str | None, strict: bool = False) -> bool:
    """An agency name, not metadata noise: 2–40 characters ending like an agency, no label, URL, digit,
    breadcrumb, sentence or self-reference (我局, 本镇). strict (names read from the text or the issuer
    field) also refuses bare references to a government (县委县政府, 区政府办公室)."""
    if not n or not 2 <= len(n) <= 40 or n in _CATEGORY or _NOISE.search(n) or _NOT_A_NAME_START.match(n):
        return False
    if n.endswith(("部门", "单位", "网站", "门户", "网")) or not _AGENCY_SUFFIX.search(n):
        return False
    return not (strict and not _BARE_GOV_PARTS.sub("", n))


def _clean_name(raw: str) -> str:
    n = re.sub(r"\s+", "", raw)
    n = _LEADING_NOISE.sub("", n)
    n = re.sub(r"(?:关于|的)+$", "", n).strip("：:，,、.。;；-_")
    if n.endswith("人民"):  # "X人民政府信息公开…": the 政府 went to the title words
        n += "政府"
    return n


class _Candidate(NamedTuple):
    title: str
    year: int | None
    agency: str | None
    named: bool  # the title itself had text before its year/title words (valid name or not)


def _parse_title(s: str) -> _Candidate | None:
    if len(s) > 160 or not _HAS_REPORT.search(s):
        return None
    m = _YEAR_REPORT.search(s)
    if m and not re.search(_INFO + _OPEN, s) and m.start() <= 12:  # "2020年报_审计局"
        agency = _clean_name(m.group("agency") or "")
        return _Candidate(s, int(m.group(1)), agency if _is_name(agency) else None, bool(agency))
    m = _TITLE.match(s)
    if not m or m.end() > 70:
        return None
    tail = s[m.end():]
    if tail and tail[0] not in _TAIL_SEP and (len(tail) > 16 or _SENTENCE.search(tail)):
        return None  # a sentence that mentions the report, not its title
    pre = m.group("pre") or ""
    if _SENTENCE.search(pre):
        return None
    year = m.group("year") or m.group("year2")
    pre = _LEADING_NOISE.sub("", pre)
    ym = _LEADING_YEAR.match(pre)
    if ym:  # "2019年X政府信息公开工作年度报告"
        year = year or ym.group(1)
        pre = pre[ym.end():]
    name = _clean_name(pre)
    title = s[: m.end()] if tail and tail[0] in _TAIL_SEP else s
    return _Candidate(title, int(year) if year else None, name if _is_name(name) else None, bool(name))


def _name_line(line: str) -> str | None:
    """A line holding only an agency name (printed above or below the title)."""
    s = re.sub(r"\s+", "", line)
    if not 2 <= len(s) <= 30:
        return None
    n = _clean_name(s)
    return n if n == s and _is_name(n) else None


_HEADING = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]|[(（][一二三四五六七八九十]+[)）]|第[一二三四五六七八九十]+部分)")


def find_title(lines: list[str]) -> tuple[str | None, int | None, str | None]:
    """(title, year, agency) of the report from its first lines.

    The first title that names both year and agency wins, else the first naming the agency (the year then
    from another title line), else the first naming the year; a title that names no agency takes it from
    a line of its own right above it or up to three lines below it. A breadcrumb's last part counts as a
    title line; other header lines ("本地目录: …", "栏目: …") do not."""
    texts = [_title_text(ln) for ln in lines[:40]]
    cands: list[_Candidate] = []
    for i, s in enumerate(texts):
        if s is None:
            continue
        c = _parse_title(s)
        nxt = texts[i + 1] if i + 1 < len(texts) else None
        if c is None and nxt and len(s) <= 40 and not _HAS_REPORT.search(s) and _parse_title(nxt) is None:
            joined = _parse_title(s + nxt)  # a title over two lines
            if joined is not None and (joined.year or joined.agency):
                c = joined
        if c is None:
            continue
        if c.agency is None and not c.named:
            above = _name_line(lines[i - 1]) if i > 0 else None
            if above:
                c = c._replace(agency=above, title=above + c.title)
            else:
                for ln in lines[i + 1: i + 4]:
                    t = _title_text(ln)
                    if _HEADING.match(ln.strip()) or (t and _parse_title(t)):
                        break
                    below = _name_line(ln)
                    if below:
                        c = c._replace(agency=below)
                        break
        cands.append(c)
    if not cands:
        return None, None, None
    primary = (next((c for c in cands if c.agency and c.year), None) or next((c for c in cands if c.agency), None)
               or next((c for c in cands if c.year), None) or cands[0])
    year = primary.year or next((c.year for c in cands if c.year), None)
    return primary.title, year, primary.agency


# --- fallbacks for the agency -------------------------------------------------------------------------

_OFFICE = re.compile(rf"^(?P<p>.+(?:人民政府|政府|办事处|街道|镇|乡|局|委员会|委))(?P<o>[{_CJK}]{{0,6}}(?:办公室|办|科|股|室))$")


def _parent(name: str, bare_office: bool) -> str:
    """"X镇人民政府党政办公室" → "X镇人民政府": the office that wrote or answers for the report belongs to the
    agency. A bare 办公室 (样例市人民政府办公室 is an agency of its own) only when bare_office."""
    m = _OFFICE.match(name)
    if m and (bare_office or m.group("o") not in ("办公室", "办")) and _is_name(m.group("p"), strict=True):
        return m.group("p")
    return name


_IN_TEXT_TITLE = re.compile(
    rf"(?<![{_CJK}])(?P<n>[{_CJK}]{{2,40}}?)[(（]?(?:19|20)\d{{2}}[)）]?年度?(?:的)?{_GOV}{_INFO}{_OPEN}(?:工作)?(?:的)?"
    rf"(?:年度)?{_REPORT}")
_VERBS = re.compile(r"^(?:现将|现就|现予|现|特将|特此|特|向社会|公开|公布|发布|印发|编制|形成|是|了|的)+")
_COMPILED_BY = re.compile(rf"由(?P<n>[{_CJK}]{{2,40}}?)(?:负责)?(?:编制|编写|起草|撰写|编印)")
_CONTACT = re.compile(rf"请与(?P<n>[{_CJK}]{{2,40}}?)联系")
_OVERVIEW = re.compile(r"^(?:[一1][、.．]?|第一部分)?(?:总体情况|概述|基本情况|工作概况|总体工作情况|概况)")
_YEAR_LEAD = re.compile(r"^(?:截至|截止)?(?:19|20)\d{2}年(?:度|以来|全年|上半年)?[,，、]?")
_CLAUSE_END = re.compile(r"[，,。；;：:、(（《“\"]")
_STOP = re.compile(
    r"认真|按照|依照|遵照|根据|围绕|坚持|高度|始终|继续|进一步|积极|全面|深入|严格|扎实|切实|不断|持续|着力|大力|紧紧|紧密"
    r"|紧扣|紧跟|聚焦|立足|结合|加强|强化|注重|推进|贯彻|落实|秉持|秉承|牢固|稳步|全力|努力|主动|依法|拓宽|完善|健全|精心"
    r"|狠抓|采取|通过|加大|重视|深化|规范|信息公开|政府信息|政务公开|政务信息|以|在|将|把|对|共|于|按")


def _subject(sentence: str) -> str | None:
    """The agency a report's opening sentence starts with ("2021年，样例区统计局认真贯彻…")."""
    s = _YEAR_LEAD.sub("", sentence)
    end = _CLAUSE_END.search(s)
    clause = s[: end.start()] if end else s[:40]
    for m in _STOP.finditer(clause):
        name = clause[: m.start()]
        if _is_name(name, strict=True):
            return name
    return None


def agency_from_text(lines: list[str]) -> str | None:
    """The agency as the report's text names it, for reports whose title does not: a title quoted in the
    text, the office that compiled it (由X编制), the office to contact (请与X联系), the subject of the
    overview's opening sentence. None when the text only says 我局/本镇."""
    prose = [s for s in (re.sub(r"\s+", "", ln) for ln in lines[:250]) if len(s) >= 12]
    prose = prose[:80] + [s for s in (re.sub(r"\s+", "", ln) for ln in lines[-40:]) if len(s) >= 12]
    for rx, bare_office in ((_IN_TEXT_TITLE, False), (_COMPILED_BY, True), (_CONTACT, True)):
        for s in prose:
            for m in rx.finditer(s):
                name = _parent(_VERBS.sub("", m.group("n")), bare_office)
                if _is_name(name, strict=True):
                    return name
    openings: list[str] = []
    flat = [re.sub(r"\s+", "", ln) for ln in lines[:250]]
    openings += [s for s in flat if len(s) >= 15][:3]
    for i, s in enumerate(flat):
        if _OVERVIEW.match(s) and len(s) <= 12:
            openings += [t for t in flat[i + 1: i + 6] if len(t) >= 15][:2]
            break
    for s in openings:
        name = _subject(s)
        if name:
            return name
    return None


def issuer_agency(issuer: str | None) -> str | None:
    """The page's labelled issuer (发布机构/来源 …) when it names an agency ("原创", "本网" do not); an
    internal office ("X镇党政办") stands for its agency."""
    if not issuer:
        return None
    n = _clean_name(re.split(r"\s{2,}|\t|\|", issuer.strip())[0])
    n = _parent(n, bare_office=False)
    return n if _is_name(n, strict=True) else None


def find_agency(title_agency: str | None, meta: Mapping[str, str], lines: list[str]) -> str | None:
    """The agency: from the report's title; else the page's title tag, the labelled issuer, the text."""
    return agency_and_source(title_agency, meta, lines)[0]


def agency_and_source(title_agency: str | None, meta: Mapping[str, str],
                      lines: list[str]) -> tuple[str | None, str | None]:
    """(agency, where it was read: "title", "page_title", "issuer" or "text"), strongest source first, so
    a reader of the report can weigh a name not taken from the title."""
    if title_agency:
        return title_agency, "title"
    for key in ("title", "page_title", "title_og"):
        if meta.get(key):
            agency = find_title([meta[key]])[2]
            if agency:
                return agency, "page_title"
    issuer = issuer_agency(meta.get("issuer"))
    if issuer:
        return issuer, "issuer"
    text = agency_from_text(lines)
    return text, "text" if text else None


# --- dates and the year -------------------------------------------------------------------------------

def _cn_number(s: str) -> int:
    if s == "十":
        return 10
    if s.startswith("十"):
        return 10 + CN_DIGITS[s[1]]
    if s.endswith("十"):
        return CN_DIGITS[s[0]] * 10
    if "十" in s:
        a, b = s.split("十")
        return CN_DIGITS[a] * 10 + CN_DIGITS[b]
    return CN_DIGITS[s]


def iso_date(y: int, m: int, d: int) -> str | None:
    try:
        return dt.date(y, m, d).isoformat()
    except ValueError:
        return None


def parse_date(text: str) -> str | None:
    t = text.strip().replace(" ", "")
    m = _DATE.match(t) or _LABELLED_DATE.search(t)
    if m:
        return iso_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = _CN_DATE.match(t)
    if m:
        year = int("".join(str(CN_DIGITS[c]) for c in m.group(1)))
        return iso_date(year, _cn_number(m.group(2)), _cn_number(m.group(3)))
    return None


def find_year(title_year: int | None, texts: list[str], head: list[str]) -> int | None:
    """The year reported on: the title's; else the statistics period's; else the year the opening text
    names most (publication dates with their label left out: a 2021 report goes up in 2022)."""
    if title_year:
        return title_year
    joined = "".join(texts)
    m = _PERIOD.search(joined)
    if m:
        return int(m.group(1))
    this_year = dt.date.today().year
    text = _ANY_LABELLED_DATE.sub("", "".join(head) + joined[:4000])
    counts = Counter(int(y) for y in _ANY_YEAR.findall(text) if 2000 <= int(y) <= this_year)
    if not counts:
        return None
    best = max(counts.values())
    return max(y for y, c in counts.items() if c == best)


def find_published(meta: Mapping[str, str], lines: list[str]) -> str | None:
    if meta.get("published"):
        d = parse_date(meta["published"]) or parse_date(meta["published"][:10])
        if d:
            return d
    for line in lines[:15] + lines[-15:]:
        m = _LABELLED_DATE.search(line.replace(" ", ""))
        if m:
            return iso_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    # the date under the signature at the end of the report
    for line in reversed(lines[-8:]):
        d = parse_date(line)
        if d:
            return d
    return None
