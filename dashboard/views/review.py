"""Reconsideration and litigation: counts, rates per 100 requests, correction rates over decided cases,
pending share, by year and agency; the agencies with corrected cases."""

import streamlit as st

from dashboard import charts, ui
from dashboard import queries as Q
from dashboard.i18n import t
from etl import formats as F

ctx = ui.context()
lang = ctx.lang
ui.page_title(t("page_review", lang))
if not ui.nothing_matches(ctx):
    names = ["review_total", "litigation_total", "review_rate", "litigation_rate", "review_correction_rate",
             "litigation_correction_rate", "correction_rate", "pending_share"]
    yearly = Q.yearly(ctx.run, ctx.filters, names)
    yearly = ui.trend_frame(ctx, yearly, names, "lfl_review")
    left, right = st.columns(2)
    with left:
        ui.chart(charts.metric_by_year(yearly, ["review_total", "litigation_total"], lang, t("review_counts", lang),
                                       ctx.subtitle), "review_counts", ctx)
        ui.chart(charts.metric_by_year(yearly, ["review_rate", "litigation_rate"], lang, t("review_rates", lang),
                                       ctx.subtitle), "review_rates", ctx)
    with right:
        ui.chart(charts.metric_by_year(yearly, ["review_correction_rate", "litigation_correction_rate",
                                                "correction_rate", "pending_share"], lang,
                                       t("correction_rates", lang), ctx.subtitle), "review_correction", ctx)
        res = Q.review_results(ctx.run, ctx.filters)
        res["block_label"] = res["block"].map(lambda b: F.label("t4", "row", b, lang))
        rl = {k: F.label("t4", "col", k, lang) for k in F.T4_COL_KEYS}
        ui.chart(charts.stacked(res, "block_label", "value", "result", lang, ctx.pooled_title(t("review_results", lang)),
                                ctx.subtitle, labels=rl, horizontal=True), "review_results", ctx)
    head = ui.section(t("rates_table", lang), ctx)
    ui.table(ui.rates_frame(Q.rates(ctx.run, ctx.filters, names[2:]), lang), "review_rates_table", ctx,
             title=head)

    def labelled(df):
        # metric columns stay keyed: ui.table labels them and shows each in its unit; unknown values as —
        return df[[c for c in df.columns if "__" not in c and c != "agency_id"]]

    head = ui.section(t("by_agency", lang), ctx)
    ag = Q.by_agency(ctx.run, ctx.filters, ["review_total", "litigation_total", "review_rate", "correction_rate"],
                     "review_total")
    ui.table(labelled(ag), "review_by_agency", ctx, title=head)
    head = ui.section(t("corrected_agencies", lang), ctx)
    corr = Q.corrected_agencies(ctx.run, ctx.filters)
    corr["corrected"] = corr["correction_rate__num"]
    ui.table(labelled(corr).rename(columns={"corrected": F.label("t4", "col", "corrected", lang)}),
             "review_corrected_agencies", ctx, title=head)
