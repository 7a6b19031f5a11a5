"""A small corpus written by the tests (tab-separated text reports, 2021 and 2019 formats), and a check that
the parser reads back exactly what was written. The warehouse and checks tests build on it."""

from __future__ import annotations

import random
from pathlib import Path

from etl import formats as F

Addr = tuple[str, str, str]
_LABEL = {(t, "row", k.key): k.zh for t, keys in F.ROWS.items() for k in keys}
_LABEL |= {(t, "col", k.key): k.zh for t, keys in F.COLS.items() for k in keys}
_GROUP_BEFORE = {"granted": "三、本年度办理结果", "withheld_state_secret": "（三）不予公开",
                 "unavailable_not_held": "（四）无法提供", "not_processed_petition": "（五）不予处理",
                 "other_no_correction": "（六）其他处理"}


def clean_values(rng: random.Random, fmt: str = "2021", carried_over: dict[str, int] | None = None,
                 prev_in_force: dict[str, int] | None = None, scale: int = 6) -> dict[Addr, int | float]:
    """Figures that obey every within-report rule (and, given last year's, X-carry and X-stock)."""
    v: dict[Addr, int | float] = {}
    t2 = F.T2_FORMATS[fmt]
    for row, cols in t2.layout.items():
        for col in cols:
            v["t2", row, col] = rng.randint(0, 40)
    if fmt == "2021":
        for row in ("regulations", "normative_documents"):
            repealed = rng.randint(0, 3)
            issued = rng.randint(0, 5)
            base = (prev_in_force or {}).get(row, rng.randint(10, 60))
            v["t2", row, "repealed"], v["t2", row, "issued"] = repealed, issued
            v["t2", row, "in_force"] = base + issued - repealed
        v["t2", "admin_fees", "amount_10k_yuan"] = round(rng.uniform(0, 50), 2)
    outcome_rows = F.T3_OUTCOME_ROWS_2021 if fmt == "2021" else F.T3_OUTCOME_ROWS_2019
    for col in F.T3_APPLICANT_COLS:
        for row in outcome_rows:
            v["t3", row, col] = rng.randint(0, scale) if rng.random() < 0.6 else 0
        done = sum(v["t3", r, col] for r in outcome_rows)
        v["t3", "total_processed", col] = done
        cf = rng.randint(0, 3)
        co = (carried_over or {}).get(col, rng.randint(0, 3))
        co = min(co, done + cf)
        v["t3", "carried_forward", col] = cf
        v["t3", "carried_over", col] = co
        v["t3", "new_received", col] = done + cf - co
    for row in F.T3_ROWS_BY_FORMAT[fmt]:
        v["t3", row, "total"] = sum(v["t3", row, c] for c in F.T3_APPLICANT_COLS)
    if carried_over is not None and "total" in carried_over:
        assert v["t3", "carried_over", "total"] == carried_over["total"], "carry-over must add up"
    for block in F.T4_ROW_KEYS:
        parts = [rng.randint(0, 4) for _ in range(4)]
        for col, x in zip(("upheld", "corrected", "other", "pending"), parts, strict=True):
            v["t4", block, col] = x
        v["t4", block, "total"] = sum(parts)
    return v


def next_year(rng: random.Random, prev: dict[Addr, int | float], fmt: str = "2021") -> dict[Addr, int | float]:
    """Figures for the following year that carry over last year's carried_forward and document stock."""
    carried = {c: int(prev["t3", "carried_forward", c]) for c in F.T3_COL_KEYS}
    stock = {r: int(prev["t2", r, "in_force"]) for r in ("regulations", "normative_documents")
             if ("t2", r, "in_force") in prev}
    for _ in range(200):  # carried_over may not exceed what the year can absorb: retry until it fits
        v = clean_values(rng, fmt, carried_over=carried, prev_in_force=stock)
        if all(v["t3", "carried_over", c] == carried[c] for c in F.T3_COL_KEYS):
            return v
    raise AssertionError("could not draw a consistent next year")


def _cell(v: int | float | None | str) -> str:
    if v is None:
        return ""
    if isinstance(v, str):
        return v
    return f"{v:g}" if isinstance(v, float) else str(v)


def render(agency: str, year: int, values: dict[Addr, int | float | None | str], t2_fmt: str = "2021",
           t3_fmt: str = "2021", narrative: str = "", published: str | None = None,
           drop_chapter: str | None = None) -> str:
    """A report as text copied from a web page: tab-prefixed cells, blank line between table rows.
    A value may be a string to print as is ("/", "", "十二"); None prints a blank cell."""
    out = [f"{agency}{year}年政府信息公开工作年度报告"]
    if published:
        out.append(f"发布日期：{published}")
    chapters = dict((k, zh) for k, zh, _ in F.CHAPTERS)
    ords = "一二三四五六"

    def heading(i: int, key: str) -> None:
        if key != drop_chapter:
            out.append(f"{ords[i]}、{chapters[key]}")

    def row(*cells: str) -> None:
        out.extend("\t" + c for c in cells)
        out.append("")

    heading(0, "overview")
    out.append(narrative or "本机关认真贯彻落实政府信息公开条例。")
    heading(1, "proactive")
    layout = F.T2_FORMATS[t2_fmt].layout
    for item, rows in F.T2_ITEMS.items():
        rows = [r for r in rows if r in layout]
        if not rows:
            continue
        row(f"第二十条第（{item}）项")
        row("信息内容", *(_LABEL["t2", "col", c] for c in layout[rows[0]]))
        for r in rows:
            row(_LABEL["t2", "row", r], *(_cell(values.get(("t2", r, c))) for c in layout[r]))
    heading(2, "requests")
    row("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", "申请人情况")
    row("自然人", "法人或其他组织", "总计")
    row("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")
    for r in F.T3_ROWS_BY_FORMAT[t3_fmt]:
        lead = [_GROUP_BEFORE[r]] if r in _GROUP_BEFORE and not (t3_fmt == "2019" and r == "other_total_2019") else []
        label = "（六）其他处理" if r == "other_total_2019" else _LABEL["t3", "row", r]
        row(*lead, label, *(_cell(values.get(("t3", r, c))) for c in F.T3_COL_KEYS))
    heading(3, "review_litigation")
    row("行政复议", "行政诉讼")
    row("未经复议直接起诉", "复议后起诉")
    row(*(["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 3))
    row(*(_cell(values.get(("t4", b, c))) for b in F.T4_ROW_KEYS for c in F.T4_COL_KEYS))
    heading(4, "problems")
    out.append("个别栏目更新不够及时。")
    heading(5, "other")
    out.append("本年度未收取信息处理费。")
    out.append(agency)
    return "\n".join(out) + "\n"


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    p = folder / name
    p.write_text(text, encoding="utf-8")
    return p


# --- the round trip ---------------------------------------------------------------------------------


def test_rendered_report_parses_back_exactly(tmp_path: Path) -> None:
    from etl.parse import parse_file

    rng = random.Random(7)
    for fmt, year in (("2021", 2022), ("2019", 2020)):
        values = clean_values(rng, fmt)
        text = render("样例市样例局", year, values, fmt, fmt, narrative="本年度主动公开政府信息321条。",
                      published=f"{year + 1}-01-20")
        report = parse_file(write(tmp_path, f"r{fmt}.txt", text))
        got = {(c.table, c.row, c.col): c.value for c in report.cells}
        assert report.year == year and report.template == fmt
        assert report.agency == "样例市样例局"
        assert report.published_on == f"{year + 1}-01-20"
        assert report.narrative.get("proactive_items") == 321
        missing = sorted(set(values) - set(got))
        assert not missing, f"{fmt}: cells not read back: {missing[:5]}"
        wrong = {a: (values[a], got[a]) for a in values if got[a] != values[a]}
        assert not wrong, f"{fmt}: cells read back differently: {dict(list(wrong.items())[:5])}"
