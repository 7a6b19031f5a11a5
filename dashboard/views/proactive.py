"""Proactive disclosure: items published (narrative) and table 2 flows by year and group, with the
2019→2021 format break shown honestly (one series per form, no line across the break)."""

import streamlit as st

from dashboard import charts, i18n, ui
from dashboard import queries as Q
from dashboard.i18n import t
from etl import formats as F
from etl import metrics as M

ctx = ui.context()
lang = ctx.lang
ui.page_title(t("page_proactive", lang))
if not ui.nothing_matches(ctx):
    pro = Q.yearly(ctx.run, ctx.filters, ["proactive_items"])
    pro = ui.trend_frame(ctx, pro, ["proactive_items"], "lfl_proactive")
    ui.chart(charts.metric_by_year(pro, ["proactive_items"], lang, t("proactive_items", lang), ctx.subtitle),
             "proactive_items", ctx)
    st.caption(t("proactive_note", lang))
    counts = Q.proactive_by_year(ctx.run, ctx.filters)
    ui.table(counts.rename(columns={"year": t("year", lang), "proactive_items": t("proactive_items", lang),
                                    "n_stated": t("n_stated", lang), "n_reports": t("n_reports", lang),
                                    "median_items": t("median_items", lang)}), "proactive_items_by_year", ctx)

    ui.section(t("t2_measure", lang))
    measures = Q.t2_measures()

    def label(m: tuple[str, str, tuple[str, ...]]) -> str:
        row, col, forms = m
        form = "、".join(forms) + "年格式" if lang == "zh" else " and ".join(forms) + " form"
        return f"{F.label('t2', 'row', row, lang)} · {F.label('t2', 'col', col, lang)} ({form})"

    default = next(i for i, m in enumerate(measures) if m[:2] == ("licensing", "decisions"))
    pick = st.selectbox(t("t2_measure", lang), measures, index=default, format_func=label, key="t2_measure")
    row, col, _ = pick
    df = Q.t2_by_year(ctx.run, ctx.filters, row, col)
    st.info(t("format_break_note", lang), icon=":material/info:")
    title = f"{F.label('t2', 'row', row, lang)} · {F.label('t2', 'col', col, lang)}"
    ui.chart(charts.by_form(df, F.label("t2", "col", col, lang), lang, title, ctx.subtitle), f"t2_{row}_{col}", ctx)
    df = df.assign(form=df["form"].map(lambda v: i18n.name(i18n.TEMPLATES, v, lang) if isinstance(v, str) else "—"))
    ui.table(df.rename(columns={"year": t("year", lang), "form": t("format", lang), "value": t("value", lang),
                                "n_reports": t("n_reports", lang), "n_blank": t("n_blank", lang)}),
             f"t2_{row}_{col}", ctx)

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
