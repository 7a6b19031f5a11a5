"""年报考评: each agency's score for a year under the office's rules and points (etl/assess), ranked within its
peer group (same level and kind), with the deduction behind every point, the Excel score sheet with each
agency's 整改 list, and the chapters found 雷同 with their matching passages side by side."""

import datetime as dt

import pandas as pd
import streamlit as st

from dashboard import casework, exports, i18n, notice, ui
from dashboard.i18n import t
from etl.assess import rules as R
from etl.assess import score as S
from etl.assess import sheet as X
from etl.checks import similarity as SIM
from etl.checks.labels import addr_en, addr_zh
from etl.warehouse.reference import ReferenceDataError


def dismissed() -> set[str]:
    """Finding ids the office dismissed on the review pages (the review store beside the warehouse): they
    cost no points."""
    return set(casework.dismissed())


def peer_label(key: str) -> str:
    level, _, kind = key.partition("|")
    if not level and not kind:
        return t("assess_peer_unknown", lang)
    return f"{i18n.name(i18n.LEVELS, level or None, lang)}·{i18n.name(i18n.KINDS, kind or None, lang)}"


def has_table(name: str) -> bool:
    """Whether the warehouse has the table (one built before the 考评 tables has not)."""
    return bool(len(ctx.run("SELECT 1 FROM information_schema.tables WHERE table_name = ?", [name])))


def rules_table() -> R.Table:
    """The rules the warehouse was built with (the defaults for a warehouse older than the 考评 table)."""
    if not has_table("assessment_rules"):
        return R.table()
    df = ctx.run("SELECT * EXCLUDE (source) FROM assessment_rules", [])
    return R.from_frame(df) if not df.empty else R.table()


def rules_editor(table: R.Table) -> R.Table:
    """The rules as an editable table: points, per and caps may be tried here (the 雷同 threshold takes effect
    on the next build); the edited table downloads as assessment.csv."""
    df = table.frame()
    shown = pd.DataFrame({
        "item": df["item"], t("assess_item", lang): df["name"] if lang == "zh" else df["name_en"],
        t("assess_rules", lang): df["rules"].map(lambda v: "、".join(i18n.name(i18n.RULES, r, lang)
                                                                     for r in str(v).split())),
        t("assess_cells", lang): df["cells"].map(lambda v: "、".join((addr_zh if lang == "zh" else addr_en)(c)
                                                                     for c in str(v).split())),
        t("assess_points", lang): df["points"], t("assess_cap", lang): df["cap"],
        t("assess_threshold", lang): df["threshold"]})
    edited = st.data_editor(shown, key="assess_rules_editor", hide_index=True, column_config={"item": None}, placeholder=ui.MISSING,
                            disabled=[c for c in shown.columns if c not in (t("assess_points", lang),
                                                                             t("assess_cap", lang))])
    out = df.assign(points=edited[t("assess_points", lang)].to_numpy(), cap=edited[t("assess_cap", lang)].to_numpy())
    try:
        new = R.from_frame(out, t("assess_rules_head", lang))
    except ReferenceDataError as e:
        st.error(e.words(lang), icon=":material/error:")
        return table
    st.caption(t("assess_rules_hint", lang))
    st.download_button(t("assess_rules_download", lang), R.csv_bytes(new),
                       R.FILE_NAME, "text/csv", key="assess_rules_csv", icon=":material/download:")
    return new


def similar_section(year: int, threshold: float) -> None:
    head = ui.section(t("assess_similar", lang))
    st.caption(t("assess_similar_note", lang, pct=f"{threshold:.0%}"))
    if not has_table("chapter_similarity"):  # an older warehouse: the app says to rebuild it
        st.caption(t("no_rows", lang))
        return
    floor = st.slider(t("assess_similar_floor", lang), SIM.FLOOR, 1.0, float(threshold), 0.05, key="assess_floor")
    aw, ap = ctx.filters.agency_where("a")
    df = ctx.run(f"""
        SELECT s.report_id, s.other_id, s.chapter, s.basis, s.similarity, a.name AS agency, o.name AS other_agency,
               rb.year AS other_year, f.status, f.responsibility
        FROM chapter_similarity s JOIN reports r ON r.report_id = s.report_id JOIN agencies a ON a.agency_id = r.agency_id
        JOIN reports rb ON rb.report_id = s.other_id LEFT JOIN agencies o ON o.agency_id = rb.agency_id
        LEFT JOIN findings f ON f.finding_id = s.finding_id
        WHERE r.year = ? AND s.similarity >= ? AND {aw}
        ORDER BY s.similarity DESC, a.name""", [year, floor, *ap])
    if df.empty:
        st.caption(t("no_rows", lang))
        return
    chapter = df["chapter"].map(lambda c: (addr_zh if lang == "zh" else addr_en)(f"chapter:{c}"))
    status = [t("assess_similar_found", lang) if s == "fail" else
              t("assess_similar_unsure", lang) if s == "uncertain" else t("assess_similar_none", lang)
              for s in df["status"]]
    show = pd.DataFrame({t("agency", lang): df["agency"], t("assess_chapter", lang): chapter,
                         t("assess_other", lang): [f"{o or '—'} {y}" for o, y in zip(df["other_agency"], df["other_year"],
                                                                                   strict=True)],
                         t("assess_basis", lang): df["basis"].map(lambda b: t(f"assess_basis_{b}", lang)),
                         t("assess_similarity", lang): df["similarity"], t("status", lang): status})
    ui.table(show, f"assess_similar_{year}", ctx, title=head,
             column_config={t("assess_similarity", lang): st.column_config.NumberColumn(format="percent")})
    pick = st.selectbox(t("assess_similar_pick", lang), range(len(df)), key="assess_similar_pick",
                        format_func=lambda i: f"{show.iloc[i, 0]} · {show.iloc[i, 1]} ↔ {show.iloc[i, 2]}")
    row = df.iloc[int(pick)]
    texts = ctx.run("SELECT report_id, text FROM chapter_texts WHERE chapter = ? AND report_id IN (?, ?)",
                    [row["chapter"], row["report_id"], row["other_id"]]).set_index("report_id")["text"]
    a, b = str(texts.get(row["report_id"], "")), str(texts.get(row["other_id"], ""))
    spans = SIM.passages(a, b)
    left, right = st.columns(2)
    for col, text, who, side in ((left, a, row["agency"], 0), (right, b, f"{row['other_agency'] or '—'} "
                                                                     f"{row['other_year']}", 1)):
        col.markdown(f"**{ui.escape_md(who)}**")
        col.markdown("".join(f":orange-background[{ui.escape_md(piece)}]" if shared else ui.escape_md(piece)
                             for piece, shared in SIM.segments(text, [s[side] for s in spans])))
    st.caption(t("assess_passages_note", lang, n=len(spans)))


ctx = ui.context()
lang = ctx.lang
ui.page_title(t("page_assess", lang))
if not ui.nothing_matches(ctx):
    years = list(range(ctx.filters.year_to or 0, (ctx.filters.year_from or 0) - 1, -1))
    year = int(st.selectbox(t("year", lang), years, key="assess_year"))
    st.caption(t("assess_note", lang))
    built = rules_table()
    with st.expander(t("assess_rules_head", lang)):
        table = rules_editor(built)
    aw, ap = ctx.filters.agency_where("a")
    result = S.assess(S.inputs(ctx.run, year, table, aw, ap), table, dismissed())
    sc = result.scores
    if sc.empty:
        st.info(t("no_match", lang))
    else:
        groups = sorted(sc["peer"].unique())
        group = st.selectbox(t("assess_peer", lang), ["", *groups], key="assess_peer",
                             format_func=lambda g: t("any", lang) if g == "" else peer_label(g))
        view = sc if not group else sc[sc["peer"] == group]
        cols = st.columns(3)
        cols[0].metric(t("assess_n", lang), f"{len(view):,}", border=True)
        cols[1].metric(t("assess_mean", lang), f"{view['score'].mean():.1f}", border=True)
        cols[2].metric(t("assess_n_deducted", lang), f"{int((view['deducted'] > 0).sum()):,}", border=True)
        head = ui.section(t("assess_scores", lang, year=year))
        show = pd.DataFrame({
            t("assess_peer", lang): view["peer"].map(peer_label), t("assess_rank", lang): view["rank"],
            t("agency", lang): view["name"], t("region", lang): [notice.region(r) for r in view.itertuples()],
            **{i.words(lang): view[i.item] for i in table.items},
            t("assess_deducted", lang): view["deducted"], t("assess_score", lang): view["score"],
            t("assess_unknown", lang): view["unknown"].map(
                lambda us: "、".join(next(i.words(lang) for i in table.items if i.item == u) for u in us))})
        ui.table(show, f"assess_scores_{year}", ctx, title=head)

        ui.section(t("assess_detail", lang))
        ded = X.basis(result, table, lang)
        named = view[view["agency_id"].isin(ded["agency_id"])]
        if named.empty:
            st.caption(t("no_rows", lang))
        else:
            who = st.selectbox(t("agency", lang), named["agency_id"].tolist(), key="assess_agency",
                               format_func=lambda a: named.set_index("agency_id").loc[a, "name"])
            mine = ded[ded["agency_id"] == who]
            st.dataframe(pd.DataFrame({t("assess_item", lang): mine["name"], t("assess_per", lang): mine["per"],
                                       t("assess_points_off", lang): mine["points"],
                                       t("assess_why", lang): mine["why"]}), hide_index=True, key="assess_detail_df",
                         placeholder=ui.MISSING)

        today = dt.date.today()
        words = X.Words(lang, t("assess_sheet_title", lang, year=year), f"{ctx.subtitle} · {t('assess_note', lang)}",
                        peer_label, notice.region,
                        t("assess_rectify", lang), notice.cn_date(today + dt.timedelta(days=30)) if lang == "zh"
                        else (today + dt.timedelta(days=30)).isoformat(),
                        t("sample_note", lang) if ctx.n_sample > 0 else "")
        st.download_button(t("assess_download", lang), lambda: X.workbook(result, table, words),
                           ui.unique_name(exports.file_name([t("assess_sheet_title", lang, year=year),
                                                             ui.scope_words(ctx)[0]], "xlsx")),
                           "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                           key="assess_xlsx", on_click="ignore", type="primary", icon=":material/table:")
    similar_section(year, built.similarity_threshold)
