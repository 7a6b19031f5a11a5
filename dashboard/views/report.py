"""One report: metadata and source, the official tables rebuilt (labels from etl/formats.py) with the cells
of each finding highlighted and each value not placed by a header cell marked († position, ‡ official order,
§ arithmetic) or not read from a text layer (° OCR, ※ an OCR misread corrected by the table's arithmetic) —
explained under the table —, every cell with its placement and reading in words, its problems and findings,
and the same agency's other years.

Report text is only ever shown as data (dataframes) or through ui.escape_md, never as Markdown or HTML.
"""

import json
import re
from pathlib import PurePath

import pandas as pd
import streamlit as st

from dashboard import casework, exports, i18n, notice, source_panel, ui
from dashboard import queries as Q
from dashboard.i18n import t
from etl import formats as F
from etl import problems
from etl.checks.labels import TABLE_EN, TABLE_ZH
from etl.values import NUMBER, ZERO

HIGHLIGHT = "background-color: #ffe08a; color: #30343f; font-weight: 600"
CORRECTED = "background-color: #dbeafe; color: #30343f"  # a value set by a correction (etl/casework)
YES, NO = ("是", "yes"), ("否", "no")


def day(v) -> str:
    return "—" if v is None or pd.isna(v) else str(v)[:10]


def shown(v) -> str:
    """A name or year as shown: unknown (a report whose agency name was not found) is —."""
    return "—" if v is None or (not isinstance(v, str) and pd.isna(v)) or v == "" else str(v)


def dated(r, lang: str) -> str:
    """The publication date with the date it was taken from (the web page, the listing, the report)."""
    shown, src = day(r["published_on"]), r.get("published_from")
    if shown == "—" or not isinstance(src, str):
        return shown
    what = i18n.name(i18n.DATE_FROM, src, lang)
    return f"{shown}（{what}）" if lang == "zh" else f"{shown} ({what})"


# A report id is the file's sha256 (tests prefix one); anything else in ?report= is not an id.
REPORT_ID = re.compile(r"[0-9A-Za-z_-]{1,128}")


def marked(raw, placed, read=None, value=None, corrected=False) -> str:
    """The cell as shown: its printed text (for a cell corrected by arithmetic, the corrected value and
    what OCR read; for a cell set by a correction, the value set and what was printed, marked ✎), then the
    marks of how it was placed (none for a header) and read (none for text)."""
    text = "" if raw is None or pd.isna(raw) else str(raw)
    if corrected:
        shown = "—" if value is None or pd.isna(value) else f"{value:g}"
        return f"{shown} ({text or '—'})\u202f{casework.S.OVERRIDE_MARK}"
    if read == "ocr_corrected" and value is not None and not pd.isna(value):
        text = f"{value:g} ({text})"
    marks = "".join(m for m in (i18n.PLACEMENT_MARKS.get(placed) if isinstance(placed, str) else None,
                                i18n.CELL_READ_MARKS.get(read) if isinstance(read, str) else None) if m)
    return f"{text}\u202f{marks}" if marks else text


def table_order(tbl: str) -> tuple[list[str], list[str]]:
    """Every row and column key of a table, in the official order (both forms)."""
    if tbl == "t2":
        rows = list(dict.fromkeys(r for fmt in F.FORMATS for r in F.T2_FORMATS[fmt].layout))
        return rows, [k.key for k in F.T2_COLS]
    if tbl == "t3":
        return list(dict.fromkeys(r for fmt in F.FORMATS for r in F.T3_ROWS_BY_FORMAT[fmt])), list(F.T3_COL_KEYS)
    return list(F.T4_ROW_KEYS), list(F.T4_COL_KEYS)


def table_format(rep: pd.Series, tbl: str) -> F.Format:
    """The format a report's table is printed in, as the warehouse stores it (reports.t2_format …); a table
    without one (not printed) in the report's template, else the newer form."""
    for v in (rep.get(f"{tbl}_format"), rep.get("template")):
        if isinstance(v, str) and v in F.FORMATS:
            return F.Format(v)
    return F.FORMATS[0]


GROUP_ROW = "group:"  # a heading row of table 3 (（三）不予公开 …): printed by the form, holds no figures


def with_group_rows(rows: list[str], labels: dict[str, str], fmt: F.Format,
                    lang: str) -> tuple[list[str], dict[str, str]]:
    """Table 3's rows with the form's headings: 三、本年度办理结果 above the outcomes and the group headings
    (（三）…（六）) above their numbered sub-rows, so "1.属于国家秘密" reads under "（三）不予公开" as printed."""
    first = {}
    for g in F.OUTCOME_GROUPS:
        subs = g.rows.get(fmt) or ()
        if len(subs) > 1:
            present = [r for r in rows if r in subs]
            if present:
                first[present[0]] = g
    # 三、本年度办理结果 heads every outcome row, above （一）予以公开
    outcomes = next((r for r in rows if r in F.GROUP_OF_ROW), None)
    out: list[str] = []
    labels = dict(labels)
    for r in rows:
        if r == outcomes:
            out.append(GROUP_ROW + "outcomes")
            labels[GROUP_ROW + "outcomes"] = F.T3_OUTCOMES_HEADING[0] if lang == "zh" else "3. Outcomes this year"
        g = first.get(r)
        if g is not None:
            key = GROUP_ROW + g.key
            out.append(key)
            labels[key] = g.heading[0] if lang == "zh" else g.en
        out.append(r)
    return out, labels


def rebuilt(cells: pd.DataFrame, tbl: str, fmt: F.Format, lang: str) -> pd.DataFrame:
    """The table as printed in format `fmt`: rows and columns in the official order, raw cell text (with its
    placement mark) as values."""
    c = cells[cells["tbl"] == tbl]
    if c.empty:
        return pd.DataFrame()
    fixed = c["corrected"] if "corrected" in c else pd.Series(False, index=c.index)
    c = c.assign(shown=[marked(r, p, rd, v, k) for r, p, rd, v, k in zip(c["raw"], c["placed"], c["read"], c["value"],
                                                                        fixed, strict=True)])
    present_cols = set(c["col_key"])
    present_rows = set(c["row_key"])
    if tbl == "t2":
        rows = [r for r in F.T2_FORMATS[fmt].layout if r in present_rows]
        cols = [k.key for k in F.T2_COLS if k.key in present_cols]
    elif tbl == "t3":
        rows = [r for r in F.T3_ROWS_BY_FORMAT[fmt] if r in present_rows]
        cols = [k for k in F.T3_COL_KEYS if k in present_cols]
    else:
        rows = [r for r in F.T4_ROW_KEYS if r in present_rows]
        cols = [k for k in F.T4_COL_KEYS if k in present_cols]
    grid = c.pivot_table(index="row_key", columns="col_key", values="shown", aggfunc="first")
    labels = {r: F.label(tbl, "row", r, lang) for r in rows}
    if tbl == "t3":
        rows, labels = with_group_rows(rows, labels, fmt, lang)
    grid = grid.reindex(index=rows, columns=cols)
    grid.index = [labels[r] for r in rows]
    grid.columns = [F.label(tbl, "col", k, lang) for k in cols]
    grid.attrs["keys"] = (rows, cols)
    return grid.fillna("")


def numbers(cells: pd.DataFrame, tbl: str, grid: pd.DataFrame,
            lang: str) -> tuple[pd.DataFrame, dict[tuple[int, str], str]]:
    """The rebuilt table as it is exported: the same rows and columns as `grid`, each figure a number (the
    value read; for a cell corrected by arithmetic, the corrected one) and any other cell as printed ("/",
    words, blank); with the marks of how cells were placed or read, by (row position, column), in words."""
    rows, cols = grid.attrs["keys"]
    c = cells[cells["tbl"] == tbl].set_index(["row_key", "col_key"])
    out = pd.DataFrame(index=grid.index, columns=grid.columns, dtype=object)
    marks: dict[tuple[int, str], str] = {}
    for i, rk in enumerate(rows):
        for ck, label in zip(cols, grid.columns, strict=True):
            if (rk, ck) not in c.index:
                out.iat[i, cols.index(ck)] = "" if rk.startswith(GROUP_ROW) else None
                continue
            cell = c.loc[(rk, ck)]
            cell = cell.iloc[0] if isinstance(cell, pd.DataFrame) else cell
            v = cell["value"]
            if cell["kind"] in (NUMBER, ZERO) and v is not None and not pd.isna(v):
                out.iat[i, cols.index(ck)] = int(v) if float(v).is_integer() else float(v)
            else:
                out.iat[i, cols.index(ck)] = "" if cell["raw"] is None or pd.isna(cell["raw"]) else str(cell["raw"])
            words = [f"{mark} {i18n.name(table, key, lang)}" for key, mark, table in (
                (cell["placed"], i18n.PLACEMENT_MARKS.get(cell["placed"]), i18n.PLACEMENTS),
                (cell["read"], i18n.CELL_READ_MARKS.get(cell["read"]), i18n.CELL_READS)) if mark]
            if cell["read"] == "ocr_corrected":
                words.append(t("ocr_read_as", lang, raw=cell["raw"]))
            if words:
                marks[(i, label)] = "；".join(words) if lang == "zh" else "; ".join(words)
    return out, marks


def legend(cells: pd.DataFrame, tbl: str, lang: str) -> list[str]:
    """One line per placement mark the table shows: the mark, the placement in words, why."""
    present = set(cells.loc[cells["tbl"] == tbl, "placed"].dropna())
    colon = "：" if lang == "zh" else ": "
    reads = set(cells.loc[cells["tbl"] == tbl, "read"].dropna())
    return [f"{mark} {i18n.name(i18n.PLACEMENTS, key, lang)}{colon}{i18n.name(i18n.PLACEMENT_NOTES, key, lang)}"
            for key, mark in i18n.PLACEMENT_MARKS.items() if key in present] + [
        f"{mark} {i18n.name(i18n.CELL_READS, key, lang)}{colon}{i18n.name(i18n.CELL_READ_NOTES, key, lang)}"
        for key, mark in i18n.CELL_READ_MARKS.items() if key in reads]


def details(cells: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Every cell of the report, tables in the official order, with its kind and placement in words."""
    rank = {}
    for tbl in F.TABLES:
        rows, cols = table_order(tbl)
        rank |= {(tbl, "row", k): i for i, k in enumerate(rows)} | {(tbl, "col", k): i for i, k in enumerate(cols)}
    c = cells.assign(
        _t=cells["tbl"].map(lambda v: F.TABLES.index(v) if v in F.TABLES else len(F.TABLES)),
        _r=[rank.get((tb, "row", k), 1_000) for tb, k in zip(cells["tbl"], cells["row_key"], strict=True)],
        _c=[rank.get((tb, "col", k), 1_000) for tb, k in zip(cells["tbl"], cells["col_key"], strict=True)],
    ).sort_values(["_t", "_r", "_c", "row_key", "col_key"], kind="stable")
    return pd.DataFrame({
        t("cell_table", lang): c["tbl"].map(lambda v: F.TABLE_TITLES[v][1 if lang == "en" else 0] if v in F.TABLE_TITLES else v),
        t("cell_row", lang): [F.label(tb, "row", k, lang) for tb, k in zip(c["tbl"], c["row_key"], strict=True)],
        t("cell_col", lang): [F.label(tb, "col", k, lang) for tb, k in zip(c["tbl"], c["col_key"], strict=True)],
        t("cell_raw", lang): c["raw"].fillna(""),
        t("cell_value", lang): c["value"],
        t("cell_kind", lang): c["kind"].map(lambda v: i18n.name(i18n.CELL_KINDS, v, lang)),
        t("placement", lang): c["placed"].map(lambda v: i18n.name(i18n.PLACEMENTS, None if pd.isna(v) else v, lang)),
        t("cell_read", lang): c["read"].map(lambda v: i18n.name(i18n.CELL_READS, None if pd.isna(v) else v, lang)),
        t("ocr_conf", lang): c["ocr_conf"].round(3),
    })


def page(ctx: ui.Context) -> None:
    """The page: the report the URL or the picker names, its tables (built by the functions above from its
    cells, in the reader's language), findings, problems and other years."""
    lang = ctx.lang
    ui.page_title(t("page_report", lang))
    if ctx is None or ctx.n_reports == 0 and not st.query_params.get("report"):
        ui.nothing_matches(ctx)
    else:
        choices = Q.report_choices(ctx.run, ctx.filters)
        wanted = st.query_params.get("report", "")
        if wanted and not REPORT_ID.fullmatch(wanted):
            ui.url_note(["report"], lang)
            wanted, missing = "", True
        else:
            missing = False
        ids = choices["report_id"].tolist()
        if wanted and wanted not in ids:  # a bookmarked report outside the filters: still show it
            extra = Q.report(ctx.run, wanted)
            if not extra.empty:
                choices = pd.concat([extra[["report_id", "agency", "year"]], choices], ignore_index=True)
                ids = choices["report_id"].tolist()
            else:
                st.warning(t("report_not_found", lang), icon=":material/search_off:")
                missing = True
        label = {rid: f"{shown(a)} · {shown(y)}" for rid, a, y in zip(choices["report_id"], choices["agency"],
                                                                       choices["year"], strict=True)}
        # the report asked for, else the first; none when the URL named one that is not there (say so, and do
        # not show another report as if it were that one)
        index = ids.index(wanted) if wanted in ids else None if missing or not ids else 0
        rid = st.selectbox(t("page_report", lang), ids, index=index, key=f"report_pick_{wanted}",
                           format_func=lambda r: label.get(r, r))
        if rid and rid != wanted:
            st.query_params["report"] = rid
        rep = Q.report(ctx.run, rid) if rid else pd.DataFrame()
        if rep.empty:
            st.info(t("no_report", lang))
        else:
            r = rep.iloc[0]
            agency = r["agency_name"] if isinstance(r["agency_name"], str) and r["agency_name"] else "—"
            year = None if pd.isna(r["year"]) else int(r["year"])
            whom = f"{agency} · {'—' if year is None else year}"
            st.subheader(ui.escape_md(whom))  # report text: never Markdown
            meta = {
                t("agency", lang): agency,
                t("region", lang): notice.region(r),
                t("level", lang): i18n.name(i18n.LEVELS, r["level"], lang),
                t("kind", lang): i18n.name(i18n.KINDS, r["agency_kind"], lang),
                t("year", lang): "—" if year is None else str(year),
                t("template", lang): i18n.name(i18n.TEMPLATES, r["template"], lang),
                t("read_method", lang): i18n.name(i18n.READ_METHODS, r.get("read_method") if isinstance(
                    r.get("read_method"), str) else None, lang),
                t("report_title", lang): r["title"] or "—",
                t("published_on", lang): dated(r, lang),
                t("deadline", lang): day(r["deadline"]),
                t("late", lang): "—" if pd.isna(r["is_late"]) else (YES if r["is_late"] else NO)[lang == "en"],
                # the address it came from, or the file's name (never the server's path to it)
                t("source", lang): r["source_url"] or PurePath(str(r["source_path"] or "—")).name,
            }
            if isinstance(r.get("page_url"), str):
                meta[t("page_url", lang)] = r["page_url"]
            if not pd.isna(r.get("fetched_at")):
                meta[t("fetched_at", lang)] = str(r["fetched_at"])
            done = casework.applied(ctx.run, rid, r["agency_id"])  # the corrections this warehouse applied
            casework.mark_meta(meta, done, lang)
            st.dataframe(pd.DataFrame({t("metadata", lang): list(meta),
                                       t("value", lang): ["—" if v is None or v == "" or (isinstance(v, float) and pd.isna(v))
                                                          else str(v) for v in meta.values()]}),
                         hide_index=True, key="report_meta", height=36 * (len(meta) + 1) + 4, placeholder=ui.MISSING)
            # files of this report: named after the agency and year, the scope the report itself, sample or not
            flag = r.get("is_sample")
            files = {"subtitle": f"{whom} · {t('data_date', lang)} {ctx.data_date}",
                     "sample": None if flag is None or pd.isna(flag) else bool(flag)}
            span = (year, year) if year is not None else None
            year_word = "" if year is None else f"{year}年度" if lang == "zh" else str(year)
            url = r["page_url"] if isinstance(r.get("page_url"), str) else r["source_url"]
            if isinstance(url, str) and url.startswith(("http://", "https://")):
                st.link_button(t("open_source", lang), url, icon=":material/open_in_new:")
            findings = Q.report_findings(ctx.run, rid, lang)
            flagged: set[tuple[str, str, str]] = set()
            for cells_json in findings["cells"].dropna():
                for addr in json.loads(cells_json) if isinstance(cells_json, str) else cells_json:
                    try:
                        flagged.add(tuple(F.Addr.parse(str(addr))))
                    except ValueError:  # not a cell address (a whole-table finding)
                        continue
            cells = Q.report_cells(ctx.run, rid)
            corrected = {tuple(str(o.cell).split(".")): o for o in done.itertuples() if o.target == "cell"}
            cells = cells.assign(corrected=[k in corrected for k in zip(cells["tbl"], cells["row_key"], cells["col_key"],
                                                                        strict=True)])
            casework.pending_note(rid, r["agency_id"], done, lang)
            st.caption(t("highlight_note", lang))
            if not cells.empty and cells["placed"].isna().all():
                st.caption(t("placed_stale", lang))  # a warehouse from before cells.placed: rebuild to see marks
            elif cells["placed"].isin(list(i18n.PLACEMENT_MARKS)).any():
                st.caption(t("placement_note", lang))
            # the rebuilt tables, and beside them the source file at the table's (or the finding's) place
            tables_col, source_col = st.columns([3, 2], gap="medium")
            with tables_col:
                for tbl in F.TABLES:
                    grid = rebuilt(cells, tbl, table_format(r, tbl), lang)
                    st.markdown(f"**{F.TABLE_TITLES[tbl][0 if lang == 'zh' else 1]}**")
                    if grid.empty:
                        st.caption("—")
                        continue
                    rows, cols = grid.attrs["keys"]
                    mask = pd.DataFrame([[HIGHLIGHT if (tbl, rk, ck) in flagged else CORRECTED if (tbl, rk, ck) in corrected
                                          else "" for ck in cols] for rk in rows], index=grid.index, columns=grid.columns)
                    st.dataframe(grid.style.apply(lambda _df, m=mask: m, axis=None), key=f"report_{tbl}",
                                 height=36 * (len(grid) + 1) + 4)  # the whole table, as printed
                    notes = legend(cells, tbl, lang)
                    for line in notes:  # the interface's own words only (never report text): safe as markdown
                        st.caption(line)
                    fixes = casework.fix_lines(corrected, tbl, lang)
                    for line in fixes:  # who, when, why: the user's words, shown as literal text
                        st.caption(ui.escape_md(line))
                    # the export holds numbers (not the marked text): the highlighted cells filled, the marks as notes
                    values, marks = numbers(cells, tbl, grid, lang)
                    hot = {(i, grid.columns[j]) for i in range(len(rows)) for j in range(len(cols))
                           if mask.iat[i, j] == HIGHLIGHT}
                    lines = ([t("highlight_note", lang)] if hot else []) + ([t("marks_in_notes", lang)] if marks else [])
                    tname = TABLE_ZH[tbl] if lang == "zh" else TABLE_EN[tbl]
                    ui.downloads(values, f"report_{rid[:12]}_{tbl}", ctx, index=True, years=span,
                                 title=f"{whom} · {F.TABLE_TITLES[tbl][0 if lang == 'zh' else 1]}",
                                 parts=[agency, year_word, tname], highlight=hot, marks=marks,
                                 legend=tuple(lines + notes + fixes), **files)
            with source_col:
                source_panel.panel(r, source_panel.focus_choices(findings, lang), lang)
            if not cells.empty:
                with st.expander(t("cell_details", lang)):
                    ui.table(details(cells, lang), f"report_cells_{rid[:12]}", ctx, years=span,
                             title=f"{whom} · {t('cell_details', lang)}",
                             parts=[agency, year_word, t("cell_details", lang)], **files)
            ui.section(t("findings", lang))
            if findings.empty:
                st.caption("—")
            else:
                show = findings.assign(rule=findings["rule"].map(lambda v: i18n.name(i18n.RULES, v, lang)),
                                       severity=findings["severity"].map(lambda v: i18n.name(i18n.SEVERITIES, v, lang)),
                                       status=findings["status"].map(lambda v: i18n.name(i18n.STATUSES, v, lang)),
                                       responsibility=findings["responsibility"].map(
                                           lambda v: i18n.name(i18n.RESPONSIBILITIES, v, lang)))
                # each finding's review state, and where it is printed in the source (page or line), linked
                state, outcome = casework.states_of(findings["finding_id"])
                located = source_panel.view(r["source_path"])
                show = show.assign(**{t("cw_state", lang): [casework.state_words(a, b, lang) for a, b in
                                                            zip(state, outcome, strict=True)],
                                      t("src_place", lang): [source_panel.place_words(source_panel.place_of(
                                          located, casework.first_place(c)), lang) for c in findings["cells"]]})
                show = exports.readable(show, lang)  # cell addresses as printed labels
                src = t("src_open", lang)
                screen = show.assign(**{src: [casework.source_link(rid, c, lang) for c in findings["cells"]]})
                ui.table(show, f"report_findings_{rid[:12]}", ctx, show=screen, years=span,  # the export: the labels too
                         column_config={src: st.column_config.LinkColumn(src, display_text=src)},
                         title=f"{whom} · {t('findings', lang)}", parts=[agency, year_word, t("findings", lang)], **files)
                casework.review_form(findings.assign(agency=r["agency_name"], year=r["year"]), lang, "report_review")
            casework.correction_forms(r, cells, lang)
            ui.section(t("problems", lang))
            probs = json.loads(r["problems"]) if isinstance(r["problems"], str) else (r["problems"] or [])
            if probs:
                # in the reader's language from the problem registry; where it happened as a printed cell, row,
                # table or chapter label, never a key
                st.dataframe(pd.DataFrame({t("message", lang): [problems.words(p, lang) for p in probs],
                                           t("where", lang): [problems.place(p.get("where"), lang) for p in probs]}),
                             hide_index=True, key="report_problems", placeholder=ui.MISSING)
            else:
                st.caption("—")
            ui.section(t("other_years", lang))
            others = Q.agency_reports(ctx.run, r["agency_id"])
            link = t("open_report", lang)
            others = pd.DataFrame({
                t("year", lang): others["year"], t("template", lang): others["template"].map(lambda v: i18n.name(i18n.TEMPLATES, v, lang)),
                t("published_on", lang): others["published_on"].map(day),
                t("late", lang): others["is_late"].map(lambda v: "—" if pd.isna(v) else (YES if v else NO)[lang == "en"]),
                t("problems", lang): others["n_problems"], t("n_fail", lang): others["n_fail"],
                link: others["report_id"].map(lambda x: ui.report_link(x, lang))})
            st.dataframe(others, hide_index=True, key="report_others", placeholder=ui.MISSING,
                         column_config={link: st.column_config.LinkColumn(link, display_text=link),
                                        t("year", lang): st.column_config.NumberColumn(format="%d")})


page(ui.context())
