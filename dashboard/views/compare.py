"""Compare: two to five agencies, regions or peer groups side by side across years; agency ranking on any
metric with the percentile in its peer group (same level and kind) and the change vs the previous year."""

import pandas as pd
import streamlit as st

from dashboard import charts, i18n, ui
from dashboard import queries as Q
from dashboard.i18n import t
from etl import metrics as M

ctx = ui.context()
lang = ctx.lang
ui.page_title(t("page_compare", lang))


def peer_label(v: str) -> str:
    if "/" not in v:
        return v
    lv, kd = v.split("/", 1)
    return f"{i18n.name(i18n.LEVELS, lv, lang)} · {i18n.name(i18n.KINDS, kd, lang)}"


if not ui.nothing_matches(ctx):
    names = list(M.GROUPABLE)  # a share of the whole view means nothing per agency and year
    c1, c2 = st.columns([1, 1])
    dim = c1.radio(t("compare_by", lang), ["agency", "province", "city", "peer"], horizontal=True, key="cmp_dim",
                   format_func=lambda d: t(f"dim_{d}", lang))
    metric = c2.selectbox(t("metric", lang), names, index=names.index("disclosure_rate"), key="cmp_metric",
                          format_func=lambda n: M.get(n).label(lang))
    choices = Q.compare_choices(ctx.run, ctx.filters, dim)
    fmt = peer_label if dim == "peer" else str
    picked = st.multiselect(t("compare_pick", lang), choices, placeholder=t("compare_need", lang), default=choices[:2] if len(choices) >= 2 else None,
                            max_selections=5, key=f"cmp_pick_{dim}", format_func=fmt, select_all=False)
    if len(picked) < 2:
        st.info(t("compare_need", lang))
    else:
        ser = Q.compare_series(ctx.run, ctx.filters, dim, picked, metric)
        ser["grp"] = ser["grp"].map(fmt)
        ui.chart(charts.metric_by_year(ser, [metric], lang, f"{M.get(metric).label(lang)} · {t('page_compare', lang)}",
                                       ctx.subtitle, group="grp"), f"compare_{dim}_{metric}", ctx)
        # columns are the compared agencies or groups, so the metric and its unit go in the title, and a
        # share is shown in percent (a number, not text)
        cm = M.get(metric)
        wide = ser.pivot_table(index="year", columns="grp", values=metric).reset_index()
        groups = [c for c in wide.columns if c != "year"]
        if cm.is_share:
            wide[groups] = wide[groups] * 100
        fmt = st.column_config.NumberColumn(format="%.1f" if cm.is_share else "%.2f" if cm.is_rate else "localized")
        unit = "（%）" if cm.is_share and lang == "zh" else " (%)" if cm.is_share else ""
        title = f"{cm.label(lang)}{unit} · {t('page_compare', lang)}"
        st.markdown(f"**{ui.escape_md(title)}**")  # the columns are agencies: the metric is named above them
        ui.table(wide.rename(columns={"year": t("year", lang)}), f"compare_{dim}_{metric}", ctx,
                 column_config=dict.fromkeys(groups, fmt), title=title)

    ui.section(t("ranking", lang))
    r1, r2, r3, r4 = st.columns([2, 1, 2, 1])
    rmetric = r1.selectbox(t("metric", lang), names, index=names.index("disclosure_rate"), key="rank_metric",
                           format_func=lambda n: M.get(n).label(lang))
    years = list(range(ctx.filters.year_to or 0, (ctx.filters.year_from or 0) - 1, -1))
    ryear = int(r2.selectbox(t("year", lang), years, key="rank_year"))
    scope = r3.radio(t("rank_scope", lang), list(Q.RANK_SCOPES), key="rank_scope", horizontal=True,
                     format_func=lambda s: t(f"rank_scope_{s}", lang))
    m = M.get(rmetric)
    min_den = r4.number_input(t("min_den", lang), min_value=1, value=Q.MIN_DENOMINATOR, step=1, key="rank_min_den",
                              disabled=m.denominator is None, help=t("min_den_help", lang))
    rk = Q.ranking(ctx.run, ctx.filters, rmetric, ryear, scope, min_den)
    # the ranking is of one year: its subtitle says that year, not the filter's range
    sub = ctx.filters.with_years(ryear, ryear).describe(lang)

    def group_of(r) -> str:
        if scope == "all":
            return t("rank_scope_all", lang)
        label = f"{i18n.name(i18n.LEVELS, r['level'], lang)} · {i18n.name(i18n.KINDS, r['kind'], lang)}"
        return f"{label} · {r['province'] or '—'}" if scope == "peer_province" else label

    if rk.empty:
        st.info(t("no_match", lang))
    else:
        rk["group"] = rk.apply(group_of, axis=1)
        share = m.is_share
        scale = 100 if share else 1
        ranked, few = rk[rk["rankable"]], rk[~rk["rankable"]]
        st.caption(t("rank_note", lang, year=ryear, n=len(ranked), few=len(few), min=int(min_den),
                     den=M.denominator_label(m, lang) or t("denominator", lang)))
        value_col = f"{m.label(lang)}{' (%)' if share else ''}"
        change_col = t("change_pp" if share else "change_abs", lang, y0=ryear - 1)
        show = pd.DataFrame({
            t("rank_group", lang): ranked["group"], t("rank", lang): ranked["rank"].astype("Int64"),
            t("rank_of", lang): ranked["n_ranked"].astype("Int64"),
            t("band", lang): ranked["band"].map(
                lambda b: t(f"band_{int(b)}", lang) if pd.notna(b) else t("band_none", lang)),
            t("agency", lang): ranked["agency"], value_col: ranked["value"] * scale,
            t("numerator", lang): ranked["num"], t("denominator", lang): ranked["den"],
            t("prev_value", lang, y0=ryear - 1): ranked["prev_value"] * scale, change_col: ranked["change"] * scale})
        num = st.column_config.NumberColumn(format="%.1f" if share else ("%.2f" if m.is_rate else "localized"))
        ui.table(show, f"ranking_{rmetric}_{ryear}_{scope}", ctx, years=(ryear, ryear),
                 column_config={value_col: num, t("prev_value", lang, y0=ryear - 1): num,
                                change_col: st.column_config.NumberColumn(format="%+.1f" if share else "%+.2f")})
        if not few.empty:
            st.markdown(f"**{t('too_few', lang, min=int(min_den))}**")
            ui.table(pd.DataFrame({t("rank_group", lang): few["group"], t("agency", lang): few["agency"],
                                   t("numerator", lang): few["num"], t("denominator", lang): few["den"]}),
                     f"ranking_few_{rmetric}_{ryear}", ctx, years=(ryear, ryear))
        groups = ranked["group"].value_counts()
        if not groups.empty:
            pick = st.selectbox(t("rank_chart_group", lang), list(groups.index), key=f"rank_group_{scope}")
            top = ranked[ranked["group"] == pick].head(20).rename(columns={"num": f"{rmetric}__num",
                                                                           "den": f"{rmetric}__den"})
            ui.chart(charts.bars(top, "agency", "value", lang,
                                 f"{t('ranking', lang)} · {m.label(lang)} · {ryear} · {pick}", sub,
                                 metric=rmetric, horizontal=True), f"ranking_{rmetric}_{ryear}", ctx)
