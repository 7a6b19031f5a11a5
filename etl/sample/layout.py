"""What a generated report says and in what order, independent of the file kind.

`build(spec)` turns a ReportSpec into blocks: paragraphs with a role, and tables as rows of <td>-like cells
with row/column spans laid out like the official forms. Every renderer (text, HTML, PDF, DOCX) draws these
same blocks, so all renderings of one report carry the same content. Presentational variation (ordinal
punctuation, label variants, where the 勾稽关系 note sits, an inserted chapter) is drawn from the
report's style seed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from etl import formats as F
from etl.formats import (
    CHAPTERS,
    T2_FORMATS,
    T3_COLS,
    T3_ORG_GROUP,
    T3_ROWS,
    T3_ROWS_BY_FORMAT,
    T4_COLS,
    T4_ROWS,
    label,
)
from etl.sample.prose import short_name
from etl.sample.truth import ReportSpec

MARKER = "【样例数据】本报告由程序生成，非真实政府报告。"
GENERATOR = "disclosure-reports sample generator"
NOTE = F.T3_BALANCE_NOTE
ORDINALS = "一二三四五六七八九十"
T2_ITEM = {rows[0]: ordinal for ordinal, rows in F.T2_ITEMS.items()}  # first row of an item -> its ordinal
_T3_LABEL = {k.key: k.zh for k in T3_ROWS}
_T3_GROUP_OF = F.HEADING_OF_ROW


@dataclass
class TD:
    text: str
    rowspan: int = 1
    colspan: int = 1
    header: bool = False  # a label, not a figure


@dataclass
class Para:
    text: str
    role: str = "body"  # title | marker | heading | subheading | body | signature | date


@dataclass
class TableBlock:
    table: str  # t2 | t3 | t4
    rows: list[list[TD]]
    ncols: int


@dataclass
class Layout:
    title: str
    published: str  # ISO date
    agency: str
    blocks: list[Para | TableBlock] = field(default_factory=list)


class _Style:
    """Label spelling choices for one report."""

    def __init__(self, rng: random.Random) -> None:
        self.ascii_parens = rng.random() < 0.35
        self.ascii_colon = rng.random() < 0.35
        self.spaced_rules = rng.random() < 0.2  # 规 章
        self.short_normative = rng.random() < 0.3  # 规范性文件 for 行政规范性文件
        self.note = rng.choice(("header", "header", "above", "none"))
        self.ordinal_sep = rng.choice(("、", "、", "、", "．", ".", "　"))
        self.insert_chapter = rng.random() < 0.05

    def fix(self, text: str) -> str:
        if self.ascii_parens:
            text = text.replace("（", "(").replace("）", ")")
        if self.ascii_colon:
            text = text.replace("：", ":")
        return text


def _t2(spec: ReportSpec, st: _Style) -> TableBlock:
    fmt = T2_FORMATS[spec.t2_format]
    rows: list[list[TD]] = []
    groups: list[list[str]] = []
    for row in fmt.layout:
        if row in T2_ITEM:
            groups.append([row])
        else:
            groups[-1].append(row)
    for group in groups:
        cols = fmt.layout[group[0]]
        rows.append([TD(st.fix(f"{F.T2_ITEM_WORD}第（{T2_ITEM[group[0]]}）项"), colspan=4, header=True)])
        widths = [1] * len(cols)
        widths[-1] += 3 - len(cols)
        rows.append([TD(F.T2_HEADER_WORD, header=True)] + [TD(st.fix(label("t2", "col", c)), colspan=w, header=True)
                                                   for c, w in zip(cols, widths, strict=True)])
        for row in group:
            name = label("t2", "row", row)
            if row == "regulations" and st.spaced_rules:
                name = "规 章"
            if row == "normative_documents" and st.short_normative:
                name = "规范性文件"
            rows.append([TD(name, header=True)] + [TD(spec.cells["t2", row, c].raw, colspan=w)
                                                   for c, w in zip(cols, widths, strict=True)])
    return TableBlock("t2", rows, 4)


def _t3(spec: ReportSpec, st: _Style) -> TableBlock:
    keys = T3_ROWS_BY_FORMAT[spec.t3_format]
    cols = [c.key for c in T3_COLS]
    note = st.fix(NOTE) if st.note == "header" else ""
    orgs = [TD(c.zh, header=True) for c in T3_COLS if c.key not in ("natural_person", "total")]
    rows: list[list[TD]] = [
        [TD(note, rowspan=3, colspan=3, header=True), TD(F.T3_HEADER_WORDS[0], colspan=7, header=True)],
        [TD("自然人", rowspan=2, header=True), TD(T3_ORG_GROUP, colspan=5, header=True),
         TD("总计", rowspan=2, header=True)],
        orgs,
    ]
    outcome_keys = (*F.T3_OUTCOME_ROWS[spec.t3_format], "total_processed")
    seen_groups: set[str] = set()
    for key in keys:
        vals = [TD(spec.cells["t3", key, c].raw) for c in cols]
        lab = st.fix(_T3_LABEL[key])
        if key in ("new_received", "carried_over", "carried_forward"):
            rows.append([TD(lab, colspan=3, header=True)] + vals)
            continue
        lead: list[TD] = []
        if key == outcome_keys[0]:
            lead.append(TD(st.fix(F.T3_OUTCOMES_HEADING[0]), rowspan=len(outcome_keys), header=True))
        group = _T3_GROUP_OF.get(key) if key != "other_total_2019" else None
        if group is None:
            rows.append(lead + [TD(lab, colspan=2, header=True)] + vals)
            continue
        if group not in seen_groups:
            seen_groups.add(group)
            size = sum(1 for k in outcome_keys if _T3_GROUP_OF.get(k) == group)
            lead.append(TD(st.fix(group), rowspan=size, header=True))
        rows.append(lead + [TD(lab, header=True)] + vals)
    return TableBlock("t3", rows, 10)


def _t4(spec: ReportSpec) -> TableBlock:
    heads = [c.zh for c in T4_COLS]
    vals = [TD(spec.cells["t4", r.key, c.key].raw) for r in T4_ROWS for c in T4_COLS]
    rows = [
        [TD(F.T4_BLOCK_WORDS[0], colspan=5, header=True), TD(F.T4_BLOCK_WORDS[1], colspan=10, header=True)],
        [TD(h, rowspan=2, header=True) for h in heads]
        + [TD(T4_ROWS[1].zh, colspan=5, header=True), TD(T4_ROWS[2].zh, colspan=5, header=True)],
        [TD(h, header=True) for h in heads * 2],
        vals,
    ]
    return TableBlock("t4", rows, 15)


def _overview(spec: ReportSpec, rng: random.Random) -> list[str]:
    n, y = spec.narrative, spec.year
    short = short_name(spec.agency.kind)
    out = [rng.choice((
        f"{y}年，{short}认真贯彻落实《中华人民共和国政府信息公开条例》，坚持以公开为常态、不公开为例外，"
        "持续推进决策、执行、管理、服务、结果公开。",
        f"{y}年，{short}在上级政务公开主管部门的指导下，扎实推进政府信息公开工作，不断提升政务公开质量。",
    ))]
    if "proactive_items" in n:
        out.append(rng.choice((
            f"（一）主动公开。全年主动公开政府信息{n['proactive_items']}条，及时回应社会关切。",
            f"（一）主动公开情况。{y}年通过政府门户网站主动公开政府信息{n['proactive_items']}条，"
            f"组织政务公开业务培训{rng.randint(1, 6)}次。",
            f"（一）主动公开政府信息情况。本年度共主动公开政府信息{n['proactive_items']}条。",
        )))
    rec, done, cf = n.get("requests_received"), n.get("requests_processed"), n.get("requests_carried_forward")
    co = spec.cells["t3", "carried_over", "total"].value
    if rec is not None and done is not None and cf is not None:
        verb = rng.choice(("收到", "受理"))
        out.append(f"（二）依申请公开。本年度共{verb}政府信息公开申请{rec}件（含上年结转{co if co is not None else 0}件），"
                   f"办结{done}件，结转下年度继续办理{cf}件。")
    elif rec is not None and done is not None:
        out.append(rng.choice((f"（二）依申请公开。全年新收政府信息公开申请{rec}件，按时答复{done}件。",
                               f"（二）依申请公开情况。本年度新收政府信息公开申请{rec}件，办结{done}件。")))
    elif rec is not None and cf is not None:
        out.append(f"（二）依申请公开。本年度收到政府信息公开申请{rec}件，结转下年度继续办理{cf}件。")
    if "review_total" in n:
        out.append(rng.choice((
            f"（三）复议诉讼。全年发生政府信息公开行政复议{n['review_total']}件、行政诉讼{n['litigation_total']}件。",
            f"（三）复议诉讼情况。因政府信息公开工作被申请行政复议{n['review_total']}件，"
            f"被提起行政诉讼{n['litigation_total']}件。",
        )))
    out.append(rng.choice((
        "（四）平台建设。持续优化政府信息公开专栏，规范栏目设置，确保信息发布及时、准确。",
        "（四）监督保障。严格落实信息发布审核制度，坚持先审后发，切实做好保密审查工作。",
    )))
    return out


def _chapter_heading(i: int, title: str, st: _Style) -> Para:
    return Para(f"{ORDINALS[i]}{st.ordinal_sep}{title}", "heading")


def build(spec: ReportSpec) -> Layout:
    rng = random.Random(spec.style_seed)
    st = _Style(rng)
    a = spec.agency
    lay = Layout(spec.title, spec.published_on.isoformat(), a.name)
    add = lay.blocks.append
    add(Para(spec.title, "title"))
    add(Para(MARKER, "marker"))
    add(Para(st.fix(f"本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）要求编制，由{a.name}负责发布。"
                    f"本报告所列数据的统计期限自{spec.year}年1月1日起至{spec.year}年12月31日止。"
                    f"如对本报告有疑问，请与{a.name}办公室联系。")))
    titles = [c[1] for c in CHAPTERS]
    chapters: list[tuple[str, list[Para | TableBlock]]] = [
        (titles[0], [Para(st.fix(t)) for t in _overview(spec, rng)]),
        (titles[1], [_t2(spec, st)]),
        (titles[2], ([Para(st.fix(NOTE))] if st.note == "above" else []) + [_t3(spec, st)]),
        (titles[3], [_t4(spec)]),
        (titles[4], [Para(st.fix(p)) for p in spec.problems.split("\n")]),
        (titles[5], [Para(_chapter_six(spec, rng))]),
    ]
    if st.insert_chapter:
        chapters.insert(1, ("政务公开平台建设情况", [Para("进一步规范政府网站建设管理，优化信息公开专栏栏目设置。")]))
    for i, (title, body) in enumerate(chapters):
        add(_chapter_heading(i, title, st))
        lay.blocks.extend(body)
    add(Para(a.name, "signature"))
    d = spec.published_on
    add(Para(f"{d.year}年{d.month}月{d.day}日", "date"))
    return lay


def _chapter_six(spec: ReportSpec, rng: random.Random) -> str:
    if spec.year < 2021:
        return "无其他需要报告的事项。"
    if spec.fee_yuan:
        return f"本年度依据《政府信息公开信息处理费管理办法》收取信息处理费{spec.fee_yuan}元。无其他需要报告的事项。"
    return rng.choice(("本年度未收取信息处理费。无其他需要报告的事项。", "本年度未向申请人收取信息处理费。"))
