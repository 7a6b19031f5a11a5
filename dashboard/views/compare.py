"""Compare: two to five agencies, regions or peer groups side by side across years; agency ranking on any
metric with the percentile in its peer group (same level and kind) and the change vs the previous year."""

import streamlit as st

from dashboard import charts, i18n, ui
from dashboard import queries as Q
from dashboard.i18n import t
from etl import metrics as M

ctx = ui.context()
lang = ctx.lang
st.title(t("page_compare", lang))


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
                            max_selections=5, key=f"cmp_pick_{dim}", format_func=fmt)
    if len(picked) < 2:
        st.info(t("compare_need", lang))
    else:
        ser = Q.compare_series(ctx.run, ctx.filters, dim, picked, metric)
        ser["grp"] = ser["grp"].map(fmt)
        ui.chart(charts.metric_by_year(ser, [metric], lang, f"{M.get(metric).label(lang)} · {t('page_compare', lang)}",
                                       ctx.subtitle, group="grp"), f"compare_{dim}_{metric}", ctx)
        wide = ser.pivot_table(index="year", columns="grp", values=metric).reset_index()
        ui.table(wide, f"compare_{dim}_{metric}", ctx)

    st.subheader(t("ranking", lang))
    r1, r2 = st.columns([1, 1])
    rmetric = r1.selectbox(t("metric", lang), names, index=names.index("disclosure_rate"), key="rank_metric",
                           format_func=lambda n: M.get(n).label(lang))
    years = list(range(ctx.filters.year_to or 0, (ctx.filters.year_from or 0) - 1, -1))
    ryear = r2.selectbox(t("year", lang), years, key="rank_year")
    rk = Q.ranking(ctx.run, ctx.filters, rmetric, int(ryear))
    m = M.get(rmetric)
    show = rk.assign(level=rk["level"].map(lambda v: i18n.name(i18n.LEVELS, v, lang)),
                     kind=rk["kind"].map(lambda v: i18n.name(i18n.KINDS, v, lang))).drop(columns=["agency_id"])
    show = show.rename(columns={"rank": t("rank", lang), "agency": t("agency", lang), "level": t("level", lang),
                                "kind": t("kind", lang), "value": m.label(lang), "num": t("numerator", lang),
                                "den": t("denominator", lang), "peer_percentile": t("peer_percentile", lang),
                                "peers": t("dim_peer", lang), "prev_value": t("prev_value", lang),
                                "yoy": t("yoy", lang)})
    pct = st.column_config.NumberColumn(format="percent")
    cfg = {t("peer_percentile", lang): pct}
    if m.is_share:
        cfg.update({m.label(lang): pct, t("prev_value", lang): pct, t("yoy", lang): pct})
    ui.table(show, f"ranking_{rmetric}_{ryear}", ctx, column_config=cfg)
    top = rk.head(20)
    ui.chart(charts.bars(top, "agency", "value", lang, f"{t('ranking', lang)} · {m.label(lang)} · {ryear}",
                         ctx.subtitle, metric=None, horizontal=True), f"ranking_{rmetric}_{ryear}", ctx)
