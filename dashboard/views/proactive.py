"""Proactive disclosure: items published (narrative) and table 2 flows by year and group, like for like by
default (the agencies that stated the figure in every year compared), with the 2019→2021 format break shown
honestly (one series per form, no line across the break)."""

import streamlit as st

from dashboard import charts, i18n, panel, shown, ui
from dashboard import queries as Q
from dashboard.i18n import t
from etl import formats as F
from etl import metrics as M

ctx = ui.context()
lang = ctx.lang
ui.page_title(t("page_proactive", lang))
if not ui.nothing_matches(ctx):
    # like for like by default: the chart and the table below it read one frame, so they count the same
    # reports and carry the same label
    lfl = st.toggle(t("lfl_stated_toggle", lang), value=True, key="lfl_proactive")
    years = Q.years_in_view(ctx.run, ctx.filters)
    ywords = panel.years_words(years, lang)
    item_label = M.get("proactive_items").label(lang)
    counts = Q.proactive_by_year(ctx.run, ctx.filters, panel=lfl and len(years) > 1)
    if lfl and len(years) > 1 and counts.empty:
        st.caption(t("lfl_stated_none", lang, years=ywords, metric=item_label))
        lfl, counts = False, Q.proactive_by_year(ctx.run, ctx.filters)
    elif lfl and len(years) > 1:
        st.caption(t("lfl_stated_caption", lang, years=ywords, metric=item_label,
                     n=t("n_agencies_of", lang, n=int(counts["n_agencies"].max()))))
    else:
        lfl = False
        st.caption(t("lfl_stated_all", lang, years=ywords, metric=item_label))
        st.caption(t("proactive_note", lang))
    basis = t("basis_lfl" if lfl else "basis_all", lang)
    title = t("proactive_basis", lang, label=t("proactive_items", lang), basis=basis)
    pro = counts.assign(proactive_items__num=counts["proactive_items"], proactive_items__den=float("nan"),
                        proactive_items__n=counts["n_stated"])
    ui.chart(charts.metric_by_year(pro, ["proactive_items"], lang, title, ctx.subtitle), "proactive_items", ctx)
    st.markdown(f"**{ui.escape_md(title)}**")
    shown.table(counts.rename(columns={"year": t("year", lang), "proactive_items": item_label,
                                       "n_stated": t("n_stated", lang), "n_reports": t("n_reports", lang),
                                       "median_items": t("median_items", lang), "n_agencies": t("n_agencies", lang)}),
                "proactive_items_by_year", ctx,
                {t("year", lang): shown.YEAR, item_label: shown.COUNT, t("n_stated", lang): shown.COUNT, t("n_reports", lang): shown.COUNT,
                 t("median_items", lang): "{:,.1f}", t("n_agencies", lang): shown.COUNT}, title=title)

    ui.section(t("t2_measure", lang))
    measures = Q.t2_measures()

    def label(m: tuple[str, str, tuple[str, ...]]) -> str:
        row, col, forms = m
        form = "、".join(forms) + "年格式" if lang == "zh" else " and ".join(forms) + " form"
        return f"{F.label('t2', 'row', row, lang)} · {F.label('t2', 'col', col, lang)} ({form})"

    default = next(i for i, m in enumerate(measures) if m[:2] == ("licensing", "decisions"))
    pick = st.selectbox(t("t2_measure", lang), measures, index=default, format_func=label, key="t2_measure")
    row, col, _ = pick
    df = Q.t2_by_year(ctx.run, ctx.filters, row, col, panel=lfl)
    cell_label = f"{F.label('t2', 'row', row, lang)} · {F.label('t2', 'col', col, lang)}"
    if lfl and df.empty:
        st.caption(t("lfl_stated_none", lang, years=ywords, metric=cell_label))
        df = Q.t2_by_year(ctx.run, ctx.filters, row, col)
    elif lfl:
        st.caption(t("lfl_stated_caption", lang, years=panel.years_words(df["year"].unique(), lang),
                     metric=cell_label, n=t("n_agencies_of", lang, n=int(df.groupby("year")["n_agencies"].sum().max()))))
    st.info(t("format_break_note", lang), icon=":material/info:")
    t2_title = t("proactive_basis", lang, label=cell_label, basis=t("basis_lfl" if lfl else "basis_all", lang))
    ui.chart(charts.by_form(df, F.label("t2", "col", col, lang), lang, t2_title, ctx.subtitle), f"t2_{row}_{col}", ctx)
    df = df.assign(form=df["form"].map(lambda v: i18n.name(i18n.TEMPLATES, v, lang) if isinstance(v, str) else "—"))
    ui.table(df.rename(columns={"form": t("format", lang), "value": t("value", lang),
                                "n_reports": t("n_reports", lang), "n_blank": t("n_blank", lang),
                                "n_agencies": t("n_agencies", lang)}),
             f"t2_{row}_{col}", ctx, title=t2_title)

    ui.section(t("by_dimension", lang), ctx)
    dims = ["province", "city", "level", "kind", "sector"]
    dim = st.radio(t("by_dimension", lang), dims, horizontal=True, key="proactive_dim",
                   format_func=lambda d: t(f"dim_{d}", lang))
    grp = Q.by_dimension(ctx.run, ctx.filters, dim, ["proactive_items", "new_received"])
    labels = ui.dimension_labels(dim, lang)
    ui.chart(charts.bars(grp, "grp", "proactive_items", lang,
                         ctx.pooled_title(f"{M.get('proactive_items').label(lang)} · {t(f'dim_{dim}', lang)}"),
                         ctx.subtitle,
                         metric="proactive_items", labels=labels), f"proactive_by_{dim}", ctx)
