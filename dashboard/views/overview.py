"""Overview: headline figures with the change vs the previous year, trends by year, the Briefing."""

import pandas as pd
import streamlit as st

from dashboard import briefing, charts, rankings, ui
from dashboard import queries as Q
from dashboard.i18n import t
from etl import metrics as M

ctx = ui.context()
lang = ctx.lang
ui.page_title(t("page_overview", lang))
if not ui.nothing_matches(ctx):
    yearly = Q.yearly(ctx.run, ctx.filters)
    year = int(yearly["year"].max())
    lfl = Q.like_for_like(ctx.run, ctx.filters, year)
    ui.section(f"{t('headline', lang)} · {year}")
    cards = ui.cards()  # four to a row, two on a narrow screen; a value is never cut short
    for h in lfl["rows"]:
        m = M.BY_NAME.get(h["key"])
        # the change quoted is like for like (the panel), except the count of reports, whose change is the
        # change in who reported
        delta = h["delta_all"] if h["key"] == "n_reports" else h["delta"]
        helptext = m.definition(lang) if m is not None else ""
        if m is not None and m.is_rate and h["den"] is not None and not pd.isna(h["den"]):
            helptext += f" {t('numerator', lang)} {h['num']:,.0f} / {t('denominator', lang)} {h['den']:,.0f}."
        if h["key"] != "n_reports":
            helptext += " " + t("lfl_help", lang, y0=year - 1, y1=year, n=lfl["panel"],
                                v0=ui.fmt_metric(h["key"], h["panel_prev"]), v1=ui.fmt_metric(h["key"], h["panel_value"]),
                                all=ui.fmt_delta(h["key"], h["delta_all"], lang) or "—")
        shown = ui.fmt_delta(h["key"], delta, lang)
        color = rankings.delta_color(m)  # green is good news in the metric's direction; grey with none
        flat = ui.is_no_change(shown)  # no change: grey and without an arrow, which would say up or down
        cards.metric(ui.metric_label(h["key"], lang), ui.fmt_metric(h["key"], h["value"]), shown,
                           delta_color="off" if flat else color, delta_arrow="off" if flat else "auto",
                           help=helptext.strip() or None, border=True)
    n0, n1 = lfl["all"]
    # the subtitle carries place names and the search text (user-supplied): literal, never Markdown
    st.caption(t("lfl_caption", lang, y0=year - 1, y1=year, n=lfl["panel"], n0=n0, n1=n1) + " "
               + ui.escape_md(ctx.subtitle))
    if lfl["panel"] < 0.8 * max(n0, n1, 1):
        st.warning(t("lfl_gap", lang, y0=year - 1, y1=year, n=lfl["panel"], n0=n0, n1=n1),
                   icon=":material/compare_arrows:")
    issuer = st.text_input(t("briefing_issuer", lang), key="briefing_issuer", max_chars=60)
    st.download_button(t("briefing", lang), lambda: briefing.build(ctx.run, ctx.filters, ctx.data_date,
                                                                   issuer=issuer),
                       ui.file_name(ctx, t("briefing_title", lang), "docx"),
                       "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                       key="briefing", on_click="ignore", type="primary", icon=":material/article:")

    head = ui.section(t("trends", lang))
    shown = ui.trend_frame(ctx, yearly, list(M.GROUPABLE), "lfl_trend")
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
    keep = ["year", "n_reports", *Q.QUALITY] + [n for n in M.GROUPABLE if n not in Q.QUALITY and n in shown]
    # keyed by the metrics: ui.table labels them and formats each in its unit (a share in percent …)
    ui.table(shown[keep], "overview_by_year", ctx, title=head)
