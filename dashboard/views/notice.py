"""通报: for one year, 应报 / 已报 / 按时 / 逾期 / 未报 and the rates by region, and the list of agencies to
notify (one row per agency, its problems merged) — on screen, in Excel, and as the 通报 itself in
official-document form (dashboard/notice.py) with the wording in text fields the office edits."""

import datetime as dt

import pandas as pd
import streamlit as st

from dashboard import casework, exports, notice, ui
from dashboard import queries as Q
from dashboard.i18n import t

ctx = ui.context()
lang = ctx.lang
ui.page_title(t("page_notice", lang))
if not ui.nothing_matches(ctx):
    years = list(range(ctx.filters.year_to or 0, (ctx.filters.year_from or 0) - 1, -1))
    c1, c2 = st.columns([1, 1])
    year = int(c1.selectbox(t("year", lang), years, key="notice_year"))
    by = c2.radio(t("notice_by", lang), ["province", "city"], horizontal=True, key="notice_by",
                  format_func=lambda k: t(k, lang))
    st.caption(t("notice_note", lang))
    due = Q.reporting(ctx.run, ctx.filters, year)
    table = Q.reporting_by_region(due, by)
    outside = int(table.loc[table["grp"] == "__all__", "outside"].iloc[0]) if not table.empty else 0
    note = notice.list_note(ctx.run, lang, year, outside)
    if Q.expected_list(ctx.run)["n"]:
        st.caption(note)
    else:  # without a list, who did not publish is unknown: said in red, above the figures
        st.error(note, icon=":material/warning:")
    if table.empty:
        st.info(t("no_match", lang))
    else:
        every = table[table["grp"] == "__all__"].iloc[0]
        cols = st.columns(5)
        for col, key, v in zip(cols, ("n_expected", "n_published", "n_on_time", "n_late", "n_unreported"),
                               (every["expected"], every["reported"], every["on_time"], every["late"],
                                every["missing"]), strict=True):
            col.metric(t(key, lang), f"{int(v):,}", border=True)
        head = ui.section(t("notice_rates", lang, year=year))
        show = table.assign(grp=table["grp"].replace({"__all__": t("notice_all", lang)}))
        show = pd.DataFrame({t(by, lang): show["grp"], t("n_expected", lang): show["expected"],
                             t("n_published", lang): show["reported"], t("n_on_time", lang): show["on_time"],
                             t("n_late", lang): show["late"], t("unknown_date", lang): show["undated"],
                             t("n_unreported", lang): show["missing"], t("reported_rate", lang): show["reported_rate"],
                             t("on_time_rate", lang): show["on_time_rate"]})
        pct = st.column_config.NumberColumn(format="percent")
        ui.table(show, f"notice_rates_{year}_{by}", ctx, title=head, years=(year, year),
                 column_config={t("reported_rate", lang): pct, t("on_time_rate", lang): pct})
        head = ui.section(t("notice_list", lang, year=year))
        # review states (etl/casework): a dismissed finding never reaches the 通报; the others by the states chosen
        wanted = casework.state_filter(lang, "notice_states", options=casework.NOTICE_STATES)
        every = Q.notice_list(ctx.run, ctx.filters, year)
        state, _ = casework.states_of(every["finding_id"])
        exclude = every.loc[(state == "dismissed") | ~state.isin(wanted), "finding_id"].tolist()
        n_dismissed = int((state == "dismissed").sum())
        if n_dismissed:
            st.caption(t("cw_notice_dismissed", lang, n=n_dismissed))
        items = notice.frame(ctx.run, ctx.filters, year, exclude)
        ui.table(items, f"notice_list_{year}", ctx, title=head, years=(year, year))

        ui.section(t("notice_wording", lang))
        c1, c2 = st.columns([1, 1])
        days = int(c2.number_input(t("notice_f_due_days", lang), min_value=1, max_value=365, value=30,
                                   key="notice_days"))
        base = notice.wording(lang, year, today=dt.date.today(), days=days)
        # the defaults follow the year and the time limit until the office types its own
        title = c1.text_input(t("notice_f_title", lang), base.title, key=f"notice_title_{year}", max_chars=120)
        recipients = st.text_input(t("notice_f_recipients", lang), base.recipients, key="notice_recipients",
                                   max_chars=300)
        opening = st.text_area(t("notice_f_opening", lang), base.opening, key=f"notice_opening_{year}", height=110,
                               max_chars=2000)
        rectify = st.text_area(t("notice_f_rectify", lang), base.rectify, key=f"notice_rectify_{days}", height=110,
                               max_chars=2000)
        c1, c2 = st.columns([2, 1])
        issuer = c1.text_input(t("notice_f_issuer", lang), base.issuer, key="notice_issuer", max_chars=60)
        date = c2.text_input(t("notice_f_date", lang), base.date, key="notice_date", max_chars=30)
        words = notice.Wording(title, recipients, opening, rectify, issuer, date)
        # the sample note only when the year's reports include generated ones
        sample = ctx.n_sample > 0 and int(Q.counts(ctx.run, ctx.filters.with_years(year, year))["n_sample"].iloc[0]) > 0
        whom, _ = ui.scope_words(ctx)
        st.download_button(t("notice_download", lang),
                           lambda: notice.build(ctx.run, ctx.filters, year, words, sample=sample,
                                                dismissed=exclude),
                           ui.unique_name(exports.file_name([t("notice_file", lang, year=year), whom], "docx")),
                           "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                           key="notice_docx", on_click="ignore", type="primary", icon=":material/article:")
        listed = every[~every["finding_id"].isin(exclude)]
        casework.mark_notified(listed, lang, f"notice_mark_{year}")
        casework.follow_up_table(ctx, lang, f"notice_follow_{year}", year=year)
