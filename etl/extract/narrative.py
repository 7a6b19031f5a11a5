"""Figures stated in prose: proactive items published, and the request/review/litigation counts that the
text-vs-table check compares with the tables. Only what the text states; nothing is inferred.

A narrative fact is the YEAR's TOTAL for the report's OWN agency. A wrong fact becomes a false accusation
("正文与表格不符") against an agency, so every figure found is a *candidate* that must survive the rules below,
and candidates that still disagree leave the fact out with a problem instead of a guess:

- sub-counts: figures after 其中/包括, inside a parenthesised breakdown, in a category (采购信息, 公文类政府信息),
  or in the breakdown of "在主动公开的信息中…";
- single channels: a figure published through one new-media channel (微信, 微博…), or a website's figure
  printed side by side with another channel's;
- cumulatives: 截至目前, 到目前累计, 历年, a 累计 not tied to the year, and a running total printed next to
  the year's 新增 figure;
- other years (a year named before the figure that is not the report's) and comparisons (较上年增加N条);
- other agencies' figures: subordinate units (各部门, 各乡镇, 下属单位) always; 全区/全市… when the report is a
  department's (a government's 全区 is its own);
- negations: "未收到…申请" and "未发生…行政复议" state zero cases, but "未发生…被纠错/败诉" or "未收到…咨询" do not.

An approximate figure (N余条, N多条, 近N, 约N, 超过N) is kept and marked approximate: it is not to be judged
against a table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from etl.extract.tables import CELL, PARA, Token, chapter_of
from etl.model import NARRATIVE_KEYS, Problem

# --- the text --------------------------------------------------------------------------------------------

_FULL_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")  # length-preserving, unlike NFKC


# A line that stands alone: a numbered heading or the report's title. Its line break ends a sentence (other line
# breaks are wrapping), so that neither lends its words to the sentence below it nor shows in its evidence.
_HEADING_LINE = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[)）]|\d+[、.．]|第[一二三四五六七八九十]+[章部分])"
                           r"[^。；;，,！!？?]{0,30}$|^[^。；;，,！!？?]{0,60}(?:年度报告|年报)$")


def _blocks(text: str) -> list[str]:
    """The text with wrapped lines joined (PDF text breaks lines mid-phrase: "答\\n复3050 件"), cut around each
    heading or title line."""
    out: list[str] = []
    cur: list[str] = []
    for line in text.split("\n"):
        line = line.strip(" \t\u3000")
        if _HEADING_LINE.match(line):
            out += ["".join(cur), line]
            cur = []
        else:
            cur.append(line)
    out.append("".join(cur))
    return [b for b in out if b]


def prose_text(toks: list[Token], chapters: dict[str, str]) -> str:
    """The report's prose: the lines before its first chapter heading (an introduction often states the year's
    count: "一年来，我局主动公开了各类信息N条") and every chapter's text as the table walker kept it (paragraphs,
    and cells outside a table: a sentence a page laid out as a one-cell table)."""
    head: list[str] = []
    for t in toks:
        if t.kind not in (PARA, CELL):
            continue
        if chapter_of(t.n):
            break
        head.append(t.text)
    return "\n".join(head + list(chapters.values()))


def _sentences(text: str) -> list[str]:
    """Sentences ending at 。；！？ (the clause marks inside a sentence stay: a figure's context is its sentence)."""
    return [s for s in re.split(r"(?<=[。；;！!？?])", text) if s.strip()]


# --- vocabulary -------------------------------------------------------------------------------------------

# A figure: digits (thousands commas, spaces of PDF text), then an optional 余/多 ("5500 余条" is at least 5500).
_NUM = r"(?P<num>\d[\d,]*|零)\s*(?P<more>余|多)?\s*"
# Inside one clause: no clause or sentence mark, no digit (the first figure after a trigger is its figure).
_CL = r"[^，,。；;！!？?\d]"
_APPROX_BEFORE = re.compile(r"(?:近|约|超过|逾|大约|将近|接近)\s*$")

# Words that make a figure part of a breakdown rather than the total.
_SUBCOUNT = re.compile(r"其中|包括|包含")
# A parenthesised aside that is not a breakdown: "（含上年结转34件，另有103件顺延到下年度）".
_ASIDE = re.compile(r"^\s*(?:另有|另外|此外|另)")
# Publication channels, by the words that name them. A count published through one new-media channel is that
# channel's, not the agency's total; a count through several channels listed together ("通过网站、微信等") is.
_CHANNELS: dict[str, str] = {
    "wechat": r"微信|公众号", "weibo": r"微博", "douyin": r"抖音", "video": r"视频号", "toutiao": r"头条",
    "kuaishou": r"快手", "app": r"客户端|APP|App|app|小程序", "media_centre": r"融媒", "web": r"网站|门户|公众网|网页|平台",
    "press": r"报纸|报刊|日报", "broadcast": r"电视|广播", "board": r"公告栏|公开栏|宣传栏|电子屏",
}
_CHANNEL_RX = {k: re.compile(v) for k, v in _CHANNELS.items()}
_NOT_NEW_MEDIA = frozenset({"web", "press", "broadcast", "board"})
# Running totals: as of now, since the site opened, over the years.
_CUMULATIVE = re.compile(r"截至目前|截止目前|截至今|截止今|到目前|目前为止|至今|迄今|历年|多年来|以来累计|"
                         r"截至发文|截止发文|建站以来|开通以来|上线以来|成立以来")
# 累计 tied to the year in its sentence ("全年累计", "2020年度累计", "截至2021年底") is the year's figure;
# 共计/合计 only add up.
_CUMULATIVE_WORD = re.compile(r"累计")
_YEAR_TIED = re.compile(r"全年|年度|本年|今年|当年|年内|\d{4}\s*年")
_THIS_YEAR_NEW = re.compile(rf"(?:今年|本年度?|当年|全年)(?:共)?(?:新增|新发布|新公开)(?:政府信息|政务信息|信息)?{_NUM}(?:条|件)")
_COMPARISON = re.compile(r"较|同比|环比|比上年|比去年|增加|减少|增长|下降|上升|持平")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
# Units below the agency: always another body's figure.
_SUBUNIT = re.compile(r"各(?:部门|单位|乡镇|镇街|街道|镇|乡|区县|县区|县市区|县|区|科室|股室|处室|站所|直属单位|成员单位)|"
                      r"下属|所属|直属|[区市县]直")
# Area-wide words: the report's own scope for a government, other bodies' for a department.
_AREA_WIDE = re.compile(r"全(?:区|市|县|省|州|旗|盟|镇|乡|街道)|全系统|系统内")
# How an agency's name ends tells a department from a government (or a zone's 管委会, which stands for one).
_DEPARTMENT_END = re.compile(r"(?:局|委|委员会|办|办公室|中心|院|所|站|队|厅|署|馆|处|科|股|公司|集团|联合会|协会)$")

# What a request count must not be about.
_NOT_REQUESTS = re.compile(r"咨询|投诉|留言|信访|诉求|举报|建议|提案|热线|来信|来电|来访")
# Outcomes of requests and of reviews/suits: a figure after these is one outcome, not the total.
_REQUEST_OUTCOME = re.compile(r"公开|不予|无法|告知|部分|其他处理|同意|不予处理|驳回")
_CASE_OUTCOME = re.compile(r"维持|纠正|纠错|其他结果|尚未审结|未审结|审结|败诉|胜诉|撤销|驳回|确认违法|被改变|结果|责任追究|追责")



def _channels(text: str) -> set[str]:
    return {k for k, rx in _CHANNEL_RX.items() if rx.search(text)}


# --- patterns per key --------------------------------------------------------------------------------------
# Each pattern captures the figure as `num`; `span` (when present) is the text between the verb and the figure,
# `obj` a noun phrase printed after the figure.


@dataclass(frozen=True)
class _Pat:
    rx: re.Pattern[str]
    tier: int  # a lower tier is more specific: the best tier that has a surviving candidate decides
    kind: str  # how to read the match: see _judge


_V_PUBLISH = r"(?:发布|公布|公开|推送)"
PATTERNS: dict[str, tuple[_Pat, ...]] = {
    "proactive_items": (
        # 主动公开(了)(各类)政府信息(共)N条 / 主动在门户网站公开政府信息N条
        _Pat(re.compile(rf"(?<!应)(?<!应当)主动(?:{_CL}{{0,14}}?)公开(?:了)?(?P<span>{_CL}{{0,24}}?){_NUM}(?:条|件)"),
             1, "object"),
        # 今年新增N条 beside a running total
        _Pat(_THIS_YEAR_NEW, 1, "this_year"),
        # 发布/公布 政府信息N条, 发布N条各类政府信息
        _Pat(re.compile(rf"(?<!申请)(?<!主动){_V_PUBLISH}(?:了|的)?(?P<span>{_CL}{{0,24}}?(?:政府|政务)信息{_CL}{{0,4}}?){_NUM}"
                        r"(?:条|件)"), 2, "object"),
        _Pat(re.compile(rf"(?<!申请)(?<!主动){_V_PUBLISH}(?:了|的)?(?:共|共计|累计)?{_NUM}(?:条|件)(?P<obj>{_CL}{{0,10}}?"
                        r"(?:政府|政务)信息)"), 2, "object_after"),
        # 发布信息N条 (a bare 信息: only with no category before it)
        _Pat(re.compile(rf"(?<!申请)(?<!主动){_V_PUBLISH}(?:了|的)?(?P<span>{_CL}{{0,12}}?信息{_CL}{{0,4}}?){_NUM}(?:条|件)"),
             3, "object"),
        # 主动公开政府信息，…等方面N条: the proactive sentence summing up what it published
        _Pat(re.compile(rf"主动公开(?:了)?(?:各类)?(?:政府|政务)?信息[，,][^。；;\d]{{0,80}}?等(?:方面|内容|领域)(?:的)?(?:信息)?"
                        rf"(?:共)?{_NUM}条"), 4, "summary"),
    ),
    "requests_received": (
        _Pat(re.compile(rf"(?:收到|受理|新收|接收|接到)(?:了)?(?P<span>{_CL}{{0,20}}?申请{_CL}{{0,8}}?){_NUM}(?:件|个|份|条)"),
             1, "request"),
        # 共收到70件申请
        _Pat(re.compile(rf"(?:收到|受理|新收|接收|接到)(?:了)?(?P<span>{_CL}{{0,6}}?){_NUM}(?:件|个|份)"
                        r"(?:政府信息公开|依申请公开|信息公开)?申请"), 1, "request"),
        _Pat(re.compile(rf"申请(?P<span>{_CL}{{0,4}}?(?:收到|受理){_CL}{{0,4}}?){_NUM}件"), 1, "request"),
        # 本年新收53件 (in a sentence about requests)
        _Pat(re.compile(rf"新收(?P<span>(?:共)?){_NUM}件"), 1, "request"),
        # a clause that is only "依申请公开N件": the count of on-request cases
        _Pat(re.compile(rf"(?:^|[，,。；;：:])(?:[^，,。；;：:\d]{{0,12}}?年度?)?(?:共)?依申请公开(?:政府信息)?(?:申请)?"
                        rf"(?P<span>(?:共)?){_NUM}件"), 1, "request"),
    ),
    "requests_processed": (
        _Pat(re.compile(rf"(?:办结|答复|办理完毕|处理完毕|办复)(?:了)?(?P<span>{_CL}{{0,10}}?){_NUM}(?:件|条)"), 1, "processed"),
    ),
    "requests_carried_forward": (
        _Pat(re.compile(rf"(?:结转|顺延|转)(?:到|至|入)?下(?:一)?年度?(?P<span>{_CL}{{0,12}}?){_NUM}件"), 1, "carried"),
        # "有3件结转下年度", "103件顺延到下年度": the count must lead straight into the clause
        _Pat(re.compile(rf"{_NUM}件(?:均|全部|已|将|需|予以)?(?:结转|顺延)(?:到|至)?下"), 1, "carried"),
    ),
    "review_total": (
        _Pat(re.compile(rf"行政复议(?P<span>{_CL}{{0,6}}?){_NUM}(?:件|起|宗)"), 1, "case"),
        # 有1件涉及政府信息公开工作的行政复议 (the clause ends with the case noun)
        _Pat(re.compile(rf"(?:有|发生|共)\s*{_NUM}(?:件|起|宗)(?P<span>{_CL}{{0,24}}?)行政复议(?:案件|案)?(?=[，,。；;]|$)"),
             1, "case"),
        # 行政复议和行政诉讼均为0件
        _Pat(re.compile(rf"行政复议(?:案件)?(?:和|与|、|及|或)行政诉讼(?:案件)?(?P<span>(?:均|各|都)(?:为)?){_NUM}(?:件|起|宗)"),
             1, "case"),
    ),
    "litigation_total": (
        _Pat(re.compile(rf"行政诉讼(?P<span>{_CL}{{0,6}}?){_NUM}(?:件|起|宗)"), 1, "case"),
        _Pat(re.compile(rf"(?:有|发生|共)\s*{_NUM}(?:件|起|宗)(?P<span>{_CL}{{0,24}}?)行政诉讼(?:案件|案)?(?=[，,。；;]|$)"),
             1, "case"),
        _Pat(re.compile(rf"行政复议(?:案件)?(?:和|与|、|及|或)行政诉讼(?:案件)?(?P<span>(?:均|各|都)(?:为)?){_NUM}(?:件|起|宗)"),
             1, "case"),
    ),
}

# Negations stating that nothing happened. The clause after the negation must name the thing itself.
_NEG = re.compile(r"(?:未(?:发生|出现|产生|收到|接到|接收|受理|有|涉及|引起|提起|被提起|被申请|被起诉)|没有(?:发生|出现|产生|收到|接到|接收|受理)?)"
                  r"(?P<clause>[^，,。；;]{0,60})")
# Requests restricted to a kind (the fee rule's excessive requests) are not all requests.
_QUALIFIED_REQUEST = re.compile(r"超出|超过|频次|数量|收费|重复|大量")
# The clause names requests themselves: it ends with 申请 or an on-request disclosure ("依申请公开的信息").
_REQUEST_HEAD = re.compile(r"(?:申请(?:事项|的情况|情况|件)?|依申请公开(?:的)?(?:政府信息|信息|事项|情况|件)?)\s*$")


# --- candidates -------------------------------------------------------------------------------------------


@dataclass
class Candidate:
    key: str
    value: int
    approx: bool
    tier: int
    sentence: str
    at: int  # where the figure starts in the sentence
    this_year: bool = False  # "今年新增N条": the year's figure beside a running total
    website: bool = False  # published through a website (a channel when another channel is counted beside it)
    rejected: str | None = None  # why the candidate is not the fact


@dataclass
class NarrativeReading:
    facts: dict[str, int] = field(default_factory=dict)
    # per key {"sentence": the sentence (≤ 160 characters around the figure), "approx": bool}
    evidence: dict[str, dict[str, object]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def _open_bracket(before: str) -> int:
    """Where the innermost bracket still open at the end of `before` opened (-1: none is open)."""
    stack: list[int] = []
    for i, ch in enumerate(before):
        if ch in "(（":
            stack.append(i)
        elif ch in ")）" and stack:
            stack.pop()
    return stack[-1] if stack else -1


def _clause_before(before: str) -> str:
    return re.split(r"[，,；;：:]", before)[-1]


def _common_rejection(sentence: str, at: int, year: int | None, department: bool) -> str | None:
    """Why a figure at `at` is not a total of the report's own agency for its year (None when it may be)."""
    before = sentence[:at]
    clause = _clause_before(before)
    opened = _open_bracket(before)
    if opened >= 0:
        inside = before[opened + 1:]
        if not _ASIDE.match(re.split(r"[，,；;]", inside)[-1]):
            return "inside a parenthesised breakdown"
    if _SUBCOUNT.search(before):
        return "a sub-count (after 其中/包括)"
    if _CUMULATIVE.search(before):
        return "a cumulative figure (not the year's)"
    cm = _CUMULATIVE_WORD.search(clause)
    if cm and not _YEAR_TIED.search(before[:len(before) - len(clause) + cm.start()]):
        return "a cumulative figure (累计 not tied to the year)"
    if year is not None:
        years = _YEAR.findall(before)
        if years and int(years[-1]) != year:
            return f"another year's figure ({years[-1]})"
    if _COMPARISON.search(clause):
        return "a comparison with another period"
    if _SUBUNIT.search(before):
        return "a subordinate unit's figure"
    if department and _AREA_WIDE.search(before):
        return "an area-wide figure in a department's report"
    return None


def _approx(sentence: str, m: re.Match[str]) -> bool:
    return bool(m.group("more")) or bool(_APPROX_BEFORE.search(sentence[:m.start("num")]))


def _value(num: str) -> int:
    return 0 if num == "零" else int(num.replace(",", ""))


_FILLER = re.compile(r"^(?:了|的|共计|共|累计|合计|各类|各项|各种|相关|有关|\s)+|(?:共计|共|数|总数|总量|数量|合计|为|达|近|约|超过|逾|大约|将近|接近|：|:|\s)+$")


def _category(span: str, obj_required: bool) -> str | None:
    """Why the noun phrase between the verb and the figure names a category rather than all information."""
    s = _FILLER.sub("", _FILLER.sub("", span))
    if not s:
        return "no object" if obj_required else None
    m = re.search(r"(?:(?P<gov>政府|政务)?信息)$", s)
    if not m:
        return "counts something other than information"
    modifier = s[:m.start()]
    modifier = re.sub(r"^(?:各类|各项|各种)|(?:各类|各项|各种|的)$", "", modifier)
    if re.search(r"(?<!各)类|其他|其它|应|重点|领域|专项|方面|、", modifier):
        return f"a category ({s})"
    if not m.group("gov") and modifier and not re.fullmatch(r"(?:在|通过)?[^，,]{0,16}(?:网站|平台|门户网|网)(?:上)?", modifier):
        return f"a category ({s})"
    return None


def _candidates(sentence: str, prev: str, year: int | None, agency: str | None) -> list[Candidate]:
    """Every figure of one sentence that a pattern reads, judged. `prev` is the sentence before it: a review or a
    suit is tied to disclosure by its own sentence or the one before ("…涉及政府信息公开的行政复议。涉及的行政诉讼…")."""
    disclosure = "公开" in sentence or "公开" in prev
    department = is_department(agency)
    body = _other_body(sentence, agency)
    out: list[Candidate] = []
    seen: set[tuple[str, int]] = set()
    for key, pats in PATTERNS.items():
        for p in pats:
            for m in p.rx.finditer(sentence):
                at = m.start("num")
                if (key, at) in seen:
                    continue
                seen.add((key, at))
                c = Candidate(key, _value(m.group("num")), _approx(sentence, m), p.tier, sentence, at,
                              this_year=p.kind == "this_year")
                c.rejected = _judge(c, p, m, year, department, disclosure)
                out.append(c)
    out += _zeros(sentence, year, department, disclosure)
    for c in out:
        if body and not c.rejected:
            c.rejected = f"the figure of another body ({body})"
    _channels_side_by_side(out)
    _running_totals(out)
    return out


def _judge(c: Candidate, p: _Pat, m: re.Match[str], year: int | None, department: bool,
           disclosure: bool) -> str | None:
    s, before = c.sentence, c.sentence[:c.at]
    span = m.groupdict().get("span") or ""
    clause = _clause_before(before)
    why = _common_rejection(s, c.at, year, department)
    if why:
        return why
    if p.kind in ("object", "object_after", "this_year", "summary"):
        if "信息中" in before:  # 在主动公开的信息中，…: the breakdown of the total
            return "a sub-count (in a breakdown of the published information)"
        # the channel is named in the figure's clause, or else in the clause before it ("微信公众号41个，共发布
        #信息3404条"); several channels named together ("通过网站、微信等") publish the total
        clauses = re.split(r"[，,；;：:]", before)
        channels = _channels(clauses[-1]) or (_channels(clauses[-2]) if len(clauses) > 1 else set())
        if len(channels) == 1 and not channels & _NOT_NEW_MEDIA:
            return "one new-media channel's figure"
        c.website = channels == {"web"}
        if p.kind == "object":
            why = _category(span, obj_required=p.tier > 1)
        elif p.kind == "object_after":
            why = _category(m.group("obj"), obj_required=True)
        if why:
            return why
    elif p.kind == "request":
        if "申请" not in s:
            return "not about disclosure requests"
        if _NOT_REQUESTS.search(span):
            return "not requests (enquiries, complaints…)"
        if "办理" in span:
            return "办理 (handled) does not say received"
        if re.search(r"上年|上一年|去年", span):
            return "carried over from the previous year"
    elif p.kind == "processed":
        verb_at = m.start()
        if _REQUEST_OUTCOME.search(_clause_before(s[:verb_at])):
            return "one outcome of the requests, not all handled"
        if re.search(r"下一?年|结转|顺延|转", _clause_before(s[:verb_at])):
            return "to be answered next year (carried forward), not handled"
        if _NOT_REQUESTS.search(s[:c.at]) or "申请" not in s:
            return "not about disclosure requests"
    elif p.kind == "carried":
        if "申请" not in s and "办理" not in s and "答复" not in s:
            return "not about disclosure requests"
    elif p.kind == "case":
        if _CASE_OUTCOME.search(span) or _CASE_OUTCOME.search(clause):
            return "one outcome of the cases, not their total"
        # "行政复议、行政诉讼案件3件" counts both together (only "均为/各" gives each the figure)
        if ("诉讼" if c.key == "review_total" else "复议") in span and not re.search(r"均|各|都", span):
            return "reviews and suits counted together"
        if re.search(r"复议(?:案件|案)?(?:、|和|与|及|或|以及)$", s[:m.start()]) and not re.search(r"均|各|都", span):
            return "reviews and suits counted together"
        if not disclosure:
            return "not tied to information disclosure"
    return None


def _zeros(sentence: str, year: int | None, department: bool, disclosure: bool) -> list[Candidate]:
    """Zero cases stated by a negation: 未收到…申请, 未发生…行政复议/行政诉讼."""
    out: list[Candidate] = []
    for m in _NEG.finditer(sentence):
        clause = m.group("clause")
        why = None
        if year is not None:
            years = _YEAR.findall(sentence[:m.start()])
            if years and int(years[-1]) != year:
                why = f"another year ({years[-1]})"
        if not why and _SUBUNIT.search(sentence[:m.start()]):
            why = "a subordinate unit"
        if not why and department and _AREA_WIDE.search(sentence[:m.start()]):
            why = "an area-wide statement in a department's report"
        for key in ("review_total", "litigation_total"):
            word = "行政复议" if key == "review_total" else "行政诉讼"
            if word not in clause:
                continue
            reason = why
            if not reason and _CASE_OUTCOME.search(clause):
                reason = "negates an outcome (纠错/败诉…), not the cases"
            if not reason and not disclosure:
                reason = "not tied to information disclosure"
            out.append(Candidate(key, 0, False, 1, sentence, m.start(), rejected=reason))
        if "申请" in clause and "复议" not in clause and "诉讼" not in clause:
            reason = why
            if not reason and _NOT_REQUESTS.search(clause):
                reason = "not requests (enquiries, complaints…)"
            if not reason and _QUALIFIED_REQUEST.search(clause):
                reason = "only a kind of request"
            if not reason and not _REQUEST_HEAD.search(clause):
                reason = "the negated thing is not the requests"
            out.append(Candidate("requests_received", 0, False, 1, sentence, m.start(), rejected=reason))
    return out


def _channels_side_by_side(cands: list[Candidate]) -> None:
    """A website's count printed beside another channel's count is one channel among several."""
    for c in cands:
        if c.key != "proactive_items" or not c.website or c.rejected:
            continue
        s = c.sentence
        for m in re.finditer(r"\d[\d,]*\s*(?:余|多)?\s*(?:条|件|篇)", s):
            if m.start() <= c.at < m.end():
                continue
            if _channels(_clause_before(s[:m.start()])) - {"web"}:
                c.rejected = "one channel's figure beside another channel's"
                break


def _running_totals(cands: list[Candidate]) -> None:
    """Beside "今年新增N条", the sentence's other proactive figure is the running total."""
    for c in cands:
        if c.key == "proactive_items" and c.this_year and not c.rejected:
            for o in cands:
                if o is not c and o.key == c.key and not o.this_year and o.sentence is c.sentence and not o.rejected:
                    o.rejected = "a running total beside the year's new figure"


# --- deciding ---------------------------------------------------------------------------------------------


# A sentence whose subject is a named body ("区发展改革局…", "某某镇…"), after an optional number and time phrase.
_SUBJECT = re.compile(r"^\s*(?:[（(][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十]+、|\d+[.、．])?\s*"
                      r"(?:(?:19|20)\d{2}\s*年(?:度)?\s*[，,]?\s*)?"
                      r"(?P<name>(?!度)(?![我本全各该今当])[\u4e00-\u9fa5]{1,14}?(?:局|委员会|委|中心|镇|乡|街道))")
_PLACE_PREFIX = re.compile(r"^(?:区|市|县|州|旗)")


def _other_body(sentence: str, agency: str | None) -> str | None:
    """In a government's report, the body a sentence is about when that is one of its departments or townships
    ("区经济发展局…全年共发布信息291条"): its figure is that body's, not the government's. A department's report
    names itself, and its own name is no other body."""
    if not agency or is_department(agency):
        return None
    m = _SUBJECT.match(sentence)
    if not m:
        return None
    name = m.group("name")
    core = _PLACE_PREFIX.sub("", name)
    if core in agency or agency.replace("人民政府", "").replace("政府", "") in name:
        return None
    return name


def is_department(agency: str | None) -> bool:
    """A department's report (局, 委, 办…), as opposed to a government's, a township's, a sub-district office's
    (街道办事处, which governs its area) or a zone's."""
    if not agency:
        return False
    name = agency.strip()
    return bool(_DEPARTMENT_END.search(name)) and not re.search(r"(?:街道|办事处|街道办)$", name)


def _trim(sentence: str, at: int, limit: int = 160) -> str:
    s = sentence.strip()
    at = max(0, at - (len(sentence) - len(sentence.lstrip())))
    if len(s) <= limit:
        return s
    start = min(max(0, at - limit * 2 // 3), len(s) - limit)
    return s[start:start + limit]


def read_narrative(text: str, year: int | None = None, agency: str | None = None) -> NarrativeReading:
    """The facts the prose states, the sentence each came from, and problems for figures that disagree."""
    sents = [s for b in _blocks(text.translate(_FULL_DIGITS)) for s in _sentences(b)]
    cands = [c for i, s in enumerate(sents) for c in _candidates(s, sents[i - 1] if i else "", year, agency)]
    out = NarrativeReading()
    for key in NARRATIVE_KEYS:
        alive = [c for c in cands if c.key == key and not c.rejected]
        if not alive:
            continue
        best = min(c.tier for c in alive)
        alive = [c for c in alive if c.tier == best]
        exact = [c for c in alive if not c.approx]
        pool = exact or alive  # an exact figure outranks an approximate one
        values = sorted({c.value for c in pool})
        if len(values) > 1:
            shown = "; ".join(f"{c.value}{' (approx.)' if c.approx else ''}: “{_trim(c.sentence, c.at, 60)}”"
                              for c in pool)
            out.problems.append(Problem(
                "narrative_conflict",
                f"the prose states {key} as {' and '.join(map(str, values))} ({shown}); left out",
                f"narrative.{key}",
                {"fact": f"narrative.{key}", "values": values,
                 "quotes": [[c.value, c.approx, _trim(c.sentence, c.at, 60)] for c in pool]}))
            continue
        c = pool[0]
        out.facts[key] = c.value
        out.evidence[key] = {"sentence": _trim(c.sentence, c.at), "approx": c.approx}
    return out


def narrative_facts(text: str, year: int | None = None, agency: str | None = None) -> dict[str, int]:
    """The facts only (see read_narrative)."""
    return read_narrative(text, year, agency).facts
