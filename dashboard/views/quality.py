"""Compliance and data quality: findings by rule and severity, the worst agencies, coverage (agency × year),
format mismatches, files that could not be read. Each finding links to its Report page."""

import datetime as dt

import pandas as pd
import streamlit as st

from dashboard import casework, charts, i18n, ui
from dashboard import queries as Q
from dashboard.i18n import t
from etl.checks.categories import CATEGORIES, CATEGORY_OF
from etl.reasons import wording


def web_section() -> None:
    """应报/已报 from the collection: each expected agency's report for a year, as of a chosen day."""
    head = ui.section(t("web_publication", lang))
    st.caption(t("web_note", lang))
    years = Q.web_years(ctx.run)
    if not years:
        return
    left, right = st.columns(2)
    year = left.selectbox(t("web_year", lang), years, key="web_year")
    as_of = right.date_input(t("as_of", lang), value=dt.date.today(), key="web_as_of")
    pub = Q.web_publication(ctx.run, int(year), as_of)
    counts = pub["status"].value_counts()
    cols = st.columns(6)
    for col, (key, n) in zip(cols, [("n_expected", len(pub)), ("n_published", counts.get("on_time", 0)
                                     + counts.get("late", 0) + counts.get("published_no_deadline", 0)),
                                    ("n_on_time", counts.get("on_time", 0)),
                                    ("n_late", counts.get("late", 0)), ("n_missing", counts.get("missing", 0)),
                                    ("n_not_due", counts.get("not_due", 0))], strict=True):
        col.metric(t(key, lang), f"{int(n):,}")
    link_col = t("open_report", lang)
    show = pd.DataFrame({
        t("agency", lang): pub["agency"],
        t("web_status", lang): pub["status"].map(lambda v: i18n.name(i18n.WEB_STATUSES, v, lang)),
        t("published_on", lang): pub["published_on"].map(lambda d: "" if pd.isna(d) else pd.Timestamp(d).date()
                                                         .isoformat()),
        t("date_from", lang): pub["published_from"].map(lambda v: "" if not isinstance(v, str)
                                                        else i18n.name(i18n.DATE_FROM, v, lang)),
        t("deadline", lang): pub["deadline"].map(lambda d: "" if pd.isna(d) else pd.Timestamp(d).date().isoformat()),
        t("days_late", lang): pub["days_late"].astype("Int64"),
        t("page_url", lang): pub["url"],
        link_col: pub["report_id"].map(lambda r: ui.report_link(r, lang) if isinstance(r, str) else None),
    })
    ui.table(show.drop(columns=[link_col]), "quality_web", ctx, title=head, show=show, column_config={
        t("page_url", lang): st.column_config.LinkColumn(t("page_url", lang)),
        link_col: st.column_config.LinkColumn(link_col, display_text=t("open_report", lang))})
    fails = Q.collect_failures(ctx.run)
    if not fails.empty:
        head = ui.section(t("collect_failures", lang))
        reason = [wording(c, d if c == "http_error" else "")[lang != "zh"] for c, d in zip(fails["code"], fails["detail"],
                                                                                          strict=True)]
        ui.table(pd.DataFrame({t("agency", lang): fails["agency"], "year": fails["year"].astype("Int64"),
                               t("url", lang): fails["url"], t("reason", lang): reason}), "quality_collect_failures",
                 ctx, title=head)


ctx = ui.context()
lang = ctx.lang
ui.page_title(t("page_quality", lang))
summary = Q.findings_summary(ctx.run, ctx.filters)
if summary.empty and ctx.n_reports == 0:
    ui.nothing_matches(ctx)
else:
    by_cat = Q.findings_by_category(ctx.run, ctx.filters).set_index("category")
    cols = st.columns(len(CATEGORIES))
    for col, (key, (zh, en)) in zip(cols, CATEGORIES.items(), strict=True):
        n = int(by_cat["n_reports"].get(key, 0)) if not by_cat.empty else 0
        col.metric(zh if lang == "zh" else en, f"{n:,}", help=t(f"cat_help_{key}", lang), border=True)
    summary["rule_label"] = summary["rule"].map(lambda r: i18n.name(i18n.RULES, r, lang))
    by_rule = summary.groupby(["rule_label", "severity"], as_index=False)["n"].sum()
    sev = {k: i18n.name(i18n.SEVERITIES, k, lang) for k in i18n.SEVERITIES}
    ui.chart(charts.stacked(by_rule, "rule_label", "n", "severity", lang, ctx.pooled_title(t("findings_by_rule", lang)),
                            ctx.subtitle, labels=sev, colors=charts.SEVERITY_COLORS, horizontal=True),
             "quality_by_rule", ctx)

    def labelled(df):
        out = df.copy()
        for col, table in (("rule", i18n.RULES), ("severity", i18n.SEVERITIES), ("status", i18n.STATUSES),
                           ("responsibility", i18n.RESPONSIBILITIES)):
            if col in out:
                out[col] = out[col].map(lambda v, tb=table: i18n.name(tb, v, lang))
        return out

    head = ui.section(t("findings_list", lang))
    rules = st.multiselect(t("rule", lang), sorted(summary["rule"].unique()), key="quality_rules",
                           placeholder=t("any", lang),
                           format_func=lambda r: i18n.name(i18n.RULES, r, lang), select_all=False)
    fl = Q.findings_list(ctx.run, ctx.filters, rules)
    # each finding's review state (etl/casework), and only the states chosen
    fl_state, fl_outcome = casework.states_of(fl["finding_id"])
    keep = fl_state.isin(casework.state_filter(lang, "quality_states")).to_numpy()
    fl = fl[keep].reset_index(drop=True)
    fl["review"] = [casework.state_words(a, b, lang) for a, b in zip(fl_state[keep], fl_outcome[keep], strict=True)]
    fl["link"] = [casework.source_link(r, c, lang) for r, c in zip(fl["report_id"], fl["cells"], strict=True)]
    show = labelled(fl.drop(columns=["finding_id", "report_id", "cells", "accusation"]))
    show = show.rename(columns={"review": t("cw_state", lang)})
    show["kind"] = fl["rule"].map(lambda r: i18n.name(CATEGORIES, CATEGORY_OF.get(r), lang))
    link_col = t("open_report", lang)
    show = show.rename(columns={"agency": t("agency", lang), "rule": t("rule", lang),
                                "severity": t("severity", lang), "status": t("status", lang),
                                "responsibility": t("responsibility", lang), "message": t("message", lang), "link": link_col, "kind": t("finding_kind", lang),
                                "expected": t("expected", lang), "actual": t("actual", lang)})
    # the export: what the screen shows (printed labels), with the cells involved named as printed; the
    # screen leaves out expected/actual (the message states them; a blank would print as "None")
    export = show.drop(columns=[link_col]).assign(cells=fl["cells"])
    show = show.drop(columns=[t("expected", lang), t("actual", lang)])
    ui.table(export, "quality_findings", ctx, title=head, show=show, column_config={
        link_col: st.column_config.LinkColumn(link_col, display_text=t("open_report", lang))})
    casework.review_form(fl, lang, "quality_review")

    # what is ours (a cell we could not read, a year not loaded): listed apart, counted, never the report's
    gaps = Q.reading_gaps(ctx.run, ctx.filters)
    if not gaps.empty:
        head = ui.section(t("reading_gaps", lang))
        st.caption(t("reading_gaps_note", lang))
        ui.table(labelled(gaps).rename(columns={
            "responsibility": t("responsibility", lang), "rule": t("rule", lang),
            "n_findings": t("n_gap_findings", lang), "n_reports": t("n_gap_reports", lang)}),
            "quality_reading_gaps", ctx, title=head)

    head = ui.section(t("not_adding_up_by_read", lang))
    by_read = Q.identity_failures_by_read(ctx.run, ctx.filters)
    if not by_read.empty:
        st.caption(t("not_adding_up_note", lang))
        ui.table(pd.DataFrame({
            t("read_method", lang): by_read["read_method"].map(lambda v: i18n.name(i18n.READ_METHODS, v, lang)),
            t("n_reports", lang): by_read["n_reports"], t("n_not_adding_up", lang): by_read["n_not_adding_up"]}),
            "quality_by_read", ctx, title=head)

    head = ui.section(t("worst_agencies", lang), ctx)
    st.caption(t("categories_note", lang))
    worst = Q.worst_agencies(ctx.run, ctx.filters)
    ui.table(pd.DataFrame({
        t("agency", lang): worst["agency"],
        **{t(f"n_cat_{c}", lang): worst[f"n_{c}"] for c in CATEGORIES},
        t("rules", lang): worst["rules"].map(lambda rs: "、".join(i18n.name(i18n.RULES, r, lang) for r in rs)
                                             if lang == "zh" else ", ".join(i18n.name(i18n.RULES, r, lang)
                                                                            for r in rs))}),
        "quality_worst", ctx, title=head)

    head = ui.section(t("coverage_grid", lang))
    cov = Q.coverage(ctx.run, ctx.filters)
    if not cov.empty:
        status = {s: t(s, lang) for s in ("on_time", "late", "missing", "not_loaded")}
        status["unknown"] = t("unknown_date", lang)
        ui.chart(charts.coverage_grid(cov, status, lang, t("coverage_grid", lang), ctx.subtitle),
                 "quality_coverage", ctx)
        st.caption(t("coverage_legend", lang))

    if Q.has_collections(ctx.run):
        web_section()

    head = ui.section(t("format_mismatch", lang))
    fm = Q.findings_list(ctx.run, ctx.filters, ["format-vs-year"])
    fm["link"] = fm["report_id"].map(lambda r: ui.report_link(r, lang))
    ui.table(labelled(fm[["agency", "year", "message"]]), "quality_format", ctx, title=head,
             show=labelled(fm[["agency", "year", "message", "link"]]).rename(columns={"link": link_col}),
             column_config={link_col: st.column_config.LinkColumn(link_col, display_text=t("open_report", lang))})

    head = ui.section(t("ingest_errors", lang))
    ui.table(Q.ingest_errors(ctx.run, lang), "quality_ingest_errors", ctx, title=head)
    sk = Q.skipped(ctx.run, lang)
    if not sk.empty:
        head = ui.section(t("skipped_files", lang))
        ui.table(sk, "quality_skipped", ctx, title=head)
