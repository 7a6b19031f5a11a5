"""Requests and outcomes: where requests went, who asked, rates with their denominators, the heaviest
agencies."""

import streamlit as st

from dashboard import charts, i18n, ui
from dashboard import queries as Q
from dashboard.i18n import t
from etl import formats as F
from etl import metrics as M

ctx = ui.context()
lang = ctx.lang
ui.page_title(t("page_requests", lang))
if not ui.nothing_matches(ctx):
    out = Q.outcomes(ctx.run, ctx.filters)
    labels = {k: i18n.name(i18n.OUTCOME_GROUPS, k, lang) for k in i18n.OUTCOME_GROUPS}
    # the flow's sources and hub are registry measures: the same words as the glossary
    labels.update({k: M.MEASURE[k].label(lang) for k in ("new_received", "carried_over")}
                  | {"received": M.MEASURE["requests_to_handle"].label(lang)})
    ui.chart(charts.sankey(out, labels, lang, ctx.pooled_title(t("flow", lang)), ctx.subtitle), "requests_flow", ctx)

    head = ui.section(t("rates_table", lang), ctx)
    rates = Q.rates(ctx.run, ctx.filters, ["disclosure_rate", "withholding_rate", "unavailable_rate",
                                           "carry_forward_share"])
    ui.table(ui.rates_frame(rates, lang), "requests_rates", ctx, title=head)

    left, right = st.columns(2)
    with left:
        app = Q.applicants(ctx.run, ctx.filters)
        app_labels = {k: F.label("t3", "col", k, lang) for k in F.T3_APPLICANT_COLS}
        ui.chart(charts.bars(app, "applicant", "value", lang, ctx.pooled_title(t("applicants", lang)), ctx.subtitle,
                             labels=app_labels), "requests_applicants", ctx)
    with right:
        yearly = Q.yearly(ctx.run, ctx.filters, ["disclosure_rate", "withholding_rate", "unavailable_rate"])
        yearly = ui.trend_frame(ctx, yearly, ["disclosure_rate", "withholding_rate", "unavailable_rate"],
                                "lfl_requests")
        rates = ["disclosure_rate", "withholding_rate", "unavailable_rate"]
        # named by its metrics, never just "比率"
        ui.chart(charts.metric_by_year(yearly, rates, lang, " / ".join(M.get(n).label(lang) for n in rates),
                                       ctx.subtitle), "requests_rates_by_year", ctx)

    head = ui.section(t("top_agencies", lang), ctx)
    top = Q.top_agencies(ctx.run, ctx.filters)
    # metric columns stay keyed: ui.table labels them and shows each in its unit (a share in percent)
    show = top.rename(columns={"agency": t("agency", lang), "disclosure_rate__den": t("denominator", lang)})
    show = show[[c for c in show.columns if "__" not in c and c != "agency_id"]]
    ui.table(show, "requests_top_agencies", ctx, title=head)
