"""Overview: headline figures with the change vs the previous year, trends by year, the Briefing."""

import streamlit as st

from dashboard import briefing, charts, ui
from dashboard import queries as Q
from dashboard.i18n import t
from etl import metrics as M

ctx = ui.context()
lang = ctx.lang
st.title(t("page_overview", lang))
if not ui.nothing_matches(ctx):
    yearly = Q.yearly(ctx.run, ctx.filters)
    head = Q.headline(yearly)
    year = head[0]["year"]
    st.subheader(f"{t('headline', lang)} · {year}")
    cols = st.columns(4)
    for i, h in enumerate(head):
        m = M.BY_NAME.get(h["key"])
        helptext = None
        if m is not None:
            helptext = m.definition(lang)
            if m.is_rate and h["den"] is not None:
                helptext += f" {t('numerator', lang)} {h['num']:,.0f} / {t('denominator', lang)} {h['den']:,.0f}"
        cols[i % 4].metric(ui.metric_label(h["key"], lang), ui.fmt_metric(h["key"], h["value"]),
                           ui.fmt_delta(h["key"], h["delta"], lang),
                           delta_color="inverse" if m is not None and m.lower_is_better else "normal",
                           help=helptext, border=True)
    # the subtitle carries place names and the search text (user-supplied): literal, never Markdown
    st.caption(f"{t('vs_prev', lang)}: {year - 1}. {ui.escape_md(ctx.subtitle)}")
    st.download_button(t("briefing", lang), lambda: briefing.build(ctx.run, ctx.filters, ctx.data_date),
                       "briefing.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                       key="briefing", on_click="ignore", type="primary", icon=":material/article:")

    shown = yearly[yearly["year"] >= (ctx.filters.year_from or yearly["year"].min())]
    st.subheader(t("trends", lang))
    left, right = st.columns(2)
    with left:
        ui.chart(charts.metric_by_year(shown, ["new_received"], lang, M.get("new_received").label(lang),
                                       ctx.subtitle), "overview_requests", ctx)
        ui.chart(charts.metric_by_year(shown, ["review_rate", "litigation_rate"], lang,
                                       t("review_rates", lang), ctx.subtitle), "overview_challenges", ctx)
    with right:
        ui.chart(charts.metric_by_year(shown, ["disclosure_rate", "correction_rate"], lang,
                                       f"{M.get('disclosure_rate').label(lang)} / {M.get('correction_rate').label(lang)}",
                                       ctx.subtitle), "overview_rates", ctx)
        ui.chart(charts.metric_by_year(shown, list(Q.QUALITY), lang,
                                       " / ".join(M.get(n).label(lang) for n in Q.QUALITY), ctx.subtitle),
                 "overview_quality", ctx)
    keep = ["year", "n_reports", *Q.QUALITY] + [n for n in M.GROUPABLE if n not in Q.QUALITY]
    table = shown[keep].rename(columns={c: ui.metric_label(c, lang) if c != "year" else t("year", lang)
                                        for c in keep})
    ui.table(table, "overview_by_year", ctx)
