"""The original beside the rebuilt tables on the Report page: a PDF (or page image) rendered at the page where the
table or the chosen finding's row is printed, or the lines of an HTML, Word or text report around it, so a number
can be checked against the source and kept as evidence.

The file is read by `python -m etl.sourceview` in a subprocess with a time and memory limit (never in the server
process), and only when it is the file the report was loaded from (same sha256): a file changed since then says
so instead of showing other figures. Results are cached per file version, focus and page.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys

import pandas as pd
import streamlit as st

from dashboard import child, ui
from dashboard.i18n import t
from etl import formats as F
from etl.checks.labels import addr_en, addr_zh

ROOT = child.ROOT
SECONDS = 90  # a legacy .doc is converted by LibreOffice first (up to 60 s)
FOCUS_LINE = "background-color: #ffe08a; color: #30343f; font-weight: 600"
CELLS = frozenset(str(a) for tbl in F.TABLES for fmt in F.FORMATS for a in F.table_cells(tbl, fmt))


@st.cache_data(max_entries=128, show_spinner=False)
def _view(path: str, version: tuple[int, int], focus: str, page: int | None, render: bool) -> dict:
    env = child.env()
    args = [sys.executable, "-m", "etl.sourceview", path, "--focus", focus]
    if page is not None:
        args += ["--page", str(int(page))]
    if render:
        args.append("--render")
    try:
        out = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=SECONDS, check=False)
        return json.loads(out.stdout.strip().splitlines()[-1])
    except (subprocess.TimeoutExpired, ValueError, IndexError):
        from etl.reasons import wording

        zh, en = wording("timeout")
        return {"ok": False, "code": "timeout", "reason": en, "reason_zh": zh}


def view(path: str | None, focus: str = "", page: int | None = None, render: bool = False) -> dict | None:
    """What etl.sourceview says of the file at `path` (None when there is no such file)."""
    if not isinstance(path, str) or not path:
        return None
    try:
        s = os.stat(path)
    except OSError:
        return None
    return _view(path, (s.st_mtime_ns, s.st_size), focus, page, render)


def place_words(where: dict | None, lang: str) -> str:
    """"第 3 页" / "第 120 行" (or "—")."""
    if not where:
        return "—"
    if where.get("page"):
        return t("src_page_n", lang, n=where["page"])
    if where.get("line"):
        return t("src_line_n", lang, n=where["line"])
    return "—"


def place_of(located: dict | None, addr: str) -> dict | None:
    """Where a cell's row (else its table) is printed, from a view's `rows` and `tables`."""
    if not located or not located.get("ok"):
        return None
    parts = addr.split(".")
    return (located.get("rows") or {}).get(".".join(parts[:2])) or (located.get("tables") or {}).get(parts[0])


def panel(rep: pd.Series, focus_choices: dict[str, str], lang: str) -> None:
    """The source of report `rep` (columns report_id, source_path, kind), at the place chosen among
    `focus_choices` (address -> words; the URL's `src` preselects one)."""
    st.markdown(f"**{t('src_header', lang)}**")
    path = rep.get("source_path")
    base = view(path)
    if base is None:
        st.info(t("src_missing", lang), icon=":material/find_in_page:")
        return
    if not base.get("ok"):
        reason = base.get("reason_zh") if lang == "zh" else base.get("reason")
        st.warning(t("src_unreadable", lang, reason=ui.escape_md(reason or "?")))
        return
    if base.get("sha256") != rep.get("report_id"):
        st.warning(t("src_changed", lang), icon=":material/difference:")
        return
    wanted = st.query_params.get("src", "")
    if wanted in CELLS and wanted not in focus_choices:  # a link to any cell of the national tables
        focus_choices = {**focus_choices, wanted: (addr_zh if lang == "zh" else addr_en)(wanted)}
    options = list(focus_choices)
    index = options.index(wanted) if wanted in options else 0
    focus = st.selectbox(t("src_focus", lang), options, index=index, key=f"src_focus_{wanted}",
                         format_func=lambda a: focus_choices.get(a, a))
    if focus != wanted and (wanted or focus != options[0]):
        st.query_params["src"] = focus
    if base.get("kind") in ("pdf", "image"):
        n_pages = int(base.get("pages") or 1)
        where = place_of(base, focus)
        start = int(where["page"]) if where and where.get("page") else 1
        page = st.number_input(t("src_page", lang, n=n_pages), min_value=1, max_value=max(1, n_pages), value=start,
                               step=1, key=f"src_page_{focus}")
        shown = view(path, focus, int(page), render=True)
        if shown and shown.get("ok") and shown.get("png"):
            st.image(base64.b64decode(shown["png"]), width="stretch", alt=t("src_header", lang))
            st.caption(t("src_page_caption", lang, n=int(page), total=n_pages,
                         where=place_words(where, lang)))
        else:
            st.warning(t("src_unreadable", lang, reason=ui.escape_md(
                (shown or {}).get("reason_zh" if lang == "zh" else "reason") or "?")))
        return
    shown = view(path, focus)
    lines = (shown or {}).get("lines") or []
    if not lines:
        st.caption(t("src_no_text", lang))
        return
    focus_line = shown.get("focus_line")
    df = pd.DataFrame({t("src_line", lang): [n for n, _ in lines], t("src_text", lang): [x for _, x in lines]})
    styles = pd.DataFrame([[FOCUS_LINE if n == focus_line else ""] * 2 for n, _ in lines], index=df.index,
                          columns=df.columns)
    # report text only ever as data (a dataframe), never Markdown or HTML
    st.dataframe(df.style.apply(lambda _d: styles, axis=None), hide_index=True, key="src_lines",
                 height=min(36 * (len(df) + 1) + 4, 900),
                 column_config={t("src_line", lang): st.column_config.NumberColumn(format="%d", width="small")})
    st.caption(t("src_lines_caption", lang, total=shown.get("lines_total") or len(lines),
                 where=place_words({"line": focus_line}, lang)))


def focus_choices(findings: pd.DataFrame, lang: str) -> dict[str, str]:
    """The places the panel can go to: each table, then each cell a finding names."""
    name = addr_zh if lang == "zh" else addr_en
    out = {tbl: F.TABLE_TITLES[tbl][0 if lang == "zh" else 1] for tbl in F.TABLES}
    for cells in findings.get("cells", pd.Series(dtype=object)).dropna():
        for a in json.loads(cells) if isinstance(cells, str) else list(cells):
            a = str(a)
            if a.count(".") == 2 and a not in out:
                out[a] = name(a)
    return out
