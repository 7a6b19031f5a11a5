"""Compare: two to five agencies, regions or peer groups side by side across years, like for like by default
(dashboard.panel), each point with its base; agencies ranked within their peer group, and regions and peer
groups ranked, on any metric in its direction (dashboard.rankings), with the worst few and their base."""

import pandas as pd
import streamlit as st

from dashboard import charts, i18n, panel, shown, ui
from dashboard import queries as Q
from dashboard import rankings as R
from dashboard.i18n import t
from etl import metrics as M

ctx = ui.context()
lang = ctx.lang
ui.page_title(t("page_compare", lang))


def peer_label(v: str) -> str:
    if not isinstance(v, str):
        return "—"
    if "/" not in v:
        return v
    lv, kd = v.split("/", 1)
    return f"{i18n.name(i18n.LEVELS, lv, lang)} · {i18n.name(i18n.KINDS, kd, lang)}"


def pct(metric: M.Metric, s: pd.Series) -> pd.Series:
    """A change as the screen states it: a share's in percentage points."""
    return s * 100 if metric.is_share else s


def change_header(metric: M.Metric, key: str) -> str:
    """A change column's heading; a share's change is in percentage points."""
    if key == "lfl_change":
        return t("lfl_change_pp" if metric.is_share else "lfl_change", lang)
    unit = ("（百分点）" if lang == "zh" else " (pp)") if metric.is_share else ""
    return f"{t(key, lang)}{unit}"


def compare(names: list[str]) -> None:
    c1, c2 = st.columns([1, 1])
    dim = c1.radio(t("compare_by", lang), ["agency", "province", "city", "peer"], horizontal=True, key="cmp_dim",
                   format_func=lambda d: t(f"dim_{d}", lang))
    metric = c2.selectbox(t("metric", lang), names, index=names.index("disclosure_rate"), key="cmp_metric",
                          format_func=lambda n: M.get(n).label(lang))
    choices = Q.compare_choices(ctx.run, ctx.filters, dim)
    fmt = peer_label if dim == "peer" else str
    picked = st.multiselect(t("compare_pick", lang), choices, placeholder=t("compare_need", lang),
                            default=choices[:2] if len(choices) >= 2 else None, max_selections=5,
                            key=f"cmp_pick_{dim}", format_func=fmt, select_all=False)
    if len(picked) < 2:
        st.info(t("compare_need", lang))
        return
    m = M.get(metric)
    label = m.label(lang)
    years = Q.years_in_view(ctx.run, ctx.filters)
    ywords = panel.years_words(years, lang)
    expr = Q.DIMENSIONS[dim]
    every = Q.stated_panel(ctx.run, ctx.filters, metric, years, expr, picked, panel=False)
    if dim == "agency":  # one agency's own figures: the same agency every year, like for like already
        st.caption(t("lfl_agency_note", lang))
        pan, lfl = every, True
    else:
        lfl = st.toggle(t("lfl_stated_toggle", lang), value=True, key="cmp_lfl")
        pan = Q.stated_panel(ctx.run, ctx.filters, metric, years, expr, picked) if len(years) > 1 else every
        if lfl and pan.empty:
            st.caption(t("lfl_stated_none", lang, years=ywords, metric=label))
            pan, lfl = every, False
        elif lfl:
            sizes = pan.groupby("grp")["n_agencies"].max()
            n = ("；" if lang == "zh" else "; ").join(
                f"{fmt(g)} {t('n_agencies_of', lang, n=int(sizes.get(g, 0)))}" for g in picked)
            st.caption(t("lfl_stated_caption", lang, years=ywords, metric=label, n=n))
        else:
            st.caption(t("lfl_stated_all", lang, years=ywords, metric=label))
    ser = (pan if lfl else every).copy()
    basis = t("basis_lfl" if lfl else "basis_all", lang)
    ser["grp"] = ser["grp"].map(fmt)
    title = f"{label} · {t('page_compare', lang)} · {basis}"
    ui.chart(charts.metric_by_year(ser, [metric], lang, title, ctx.subtitle, group="grp",
                                   min_base=Q.MIN_DENOMINATOR), f"compare_{dim}_{metric}", ctx)
    low = panel.low_base(ser, m, Q.MIN_DENOMINATOR)
    if not low.empty:
        sep = "、" if lang == "zh" else "; "
        items = sep.join(f"{g} {y}（{d:,.0f}）" if lang == "zh" else f"{g} {y} ({d:,.0f})"
                         for g, y, d in low.itertuples(index=False))
        st.warning(t("low_base_warn", lang, den=M.denominator_label(m, lang), min=Q.MIN_DENOMINATOR, items=items),
                   icon=":material/warning:")

    # each point with its base: the figure, what it divides, the reports and agencies behind it
    group_col, year_col = t(f"dim_{dim}", lang), t("year", lang)
    base = pd.DataFrame({group_col: ser["grp"], year_col: ser["year"], label: ser[metric]})
    if m.is_rate:
        base[t("numerator", lang)] = ser[f"{metric}__num"]
        base[t("denominator", lang)] = ser[f"{metric}__den"]
    base[t("n_counted", lang)] = ser[f"{metric}__n"]
    base[t("n_agencies", lang)] = ser["n_agencies"]
    if m.is_rate:
        small = ser[f"{metric}__den"].lt(Q.MIN_DENOMINATOR) & ser[f"{metric}__den"].notna()
        base[t("low_base", lang)] = small.map({True: t("low_base", lang), False: ""})
    head = f"{t('compare_base', lang, metric=label)} · {basis}"
    st.markdown(f"**{ui.escape_md(head)}**")  # the metric is named above its groups' rows
    counts = {c: shown.COUNT for c in (t("numerator", lang), t("denominator", lang), t("n_counted", lang),
                                       t("n_agencies", lang))}
    shown.table(base, f"compare_{dim}_{metric}", ctx,
                {year_col: shown.YEAR, label: shown.value_format(m), **counts}, title=head)

    if len(years) > 1:  # the change over the years in view, like for like beside all reports
        y0, y1 = years[0], years[-1]
        ch = panel.change(pan, every, metric, y0, y1)
        ch["grp"] = ch["grp"].map(fmt)
        lfl_word = t("basis_lfl", lang)
        v0, v1 = f"{t('value_in', lang, y=y0)} · {lfl_word}", f"{t('value_in', lang, y=y1)} · {lfl_word}"
        # each column with its format as it is made (never found again from its header)
        cols = {group_col: ch["grp"], v0: ch["v0"], v1: ch["v1"], change_header(m, "change_lfl"): pct(m, ch["change"])}
        fm = {v0: shown.value_format(m), v1: shown.value_format(m),
              change_header(m, "change_lfl"): shown.change_format(m)}
        if dim != "agency":
            cols[t("lfl_panel_n", lang)] = ch["n_panel"]
            cols[change_header(m, "change_all")] = pct(m, ch["change_all"])
            fm |= {t("lfl_panel_n", lang): shown.COUNT, change_header(m, "change_all"): shown.change_format(m)}
        table = pd.DataFrame(cols)
        head = t("compare_change", lang, metric=label, y0=y0, y1=y1)
        st.markdown(f"**{ui.escape_md(head)}**")
        shown.table(table, f"compare_change_{dim}_{metric}", ctx, fm, title=head)


def agency_ranking(names: list[str]) -> None:
    sec = ui.section(t("ranking", lang))
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
        return
    rk["group"] = rk.apply(group_of, axis=1)
    ranked, few = rk[rk["rankable"]], rk[~rk["rankable"]]
    st.caption(R.caption(m, lang))
    st.caption(t("rank_note", lang, year=ryear, n=len(ranked), few=len(few), min=int(min_den),
                 den=M.denominator_label(m, lang) or t("denominator", lang)))
    value_col = m.label(lang)
    prev_col = t("prev_value", lang, y0=ryear - 1)
    change_col = t("change_pp" if m.is_share else "change_abs", lang, y0=ryear - 1)
    show = pd.DataFrame({
        t("rank_group", lang): ranked["group"], t("rank", lang): ranked["rank"],
        t("rank_of", lang): ranked["n_ranked"],
        t("band", lang): [R.band_label(b, n, m, lang) for b, n in zip(ranked["band"], ranked["n_ranked"], strict=True)],
        t("agency", lang): ranked["agency"], value_col: ranked["value"],
        t("numerator", lang): ranked["num"], t("denominator", lang): ranked["den"],
        prev_col: ranked["prev_value"], change_col: pct(m, ranked["change"])})
    counts = {c: shown.COUNT for c in (t("numerator", lang), t("denominator", lang))}
    shown.table(show, f"ranking_{rmetric}_{ryear}_{scope}", ctx,
                {value_col: shown.value_format(m), prev_col: shown.value_format(m),
                 change_col: shown.change_format(m), **counts}, title=sec, years=(ryear, ryear))
    if not few.empty:
        st.markdown(f"**{t('too_few', lang, min=int(min_den))}**")
        shown.table(pd.DataFrame({t("rank_group", lang): few["group"], t("agency", lang): few["agency"],
                                  t("numerator", lang): few["num"], t("denominator", lang): few["den"]}),
                    f"ranking_few_{rmetric}_{ryear}", ctx, counts, title=sec, years=(ryear, ryear))
    groups = ranked["group"].value_counts()
    if not groups.empty:
        pick = st.selectbox(t("rank_chart_group", lang), list(groups.index), key=f"rank_group_{scope}")
        top = ranked[ranked["group"] == pick].head(20).rename(
            columns={"num": f"{rmetric}__num", "den": f"{rmetric}__den", "n_reports": f"{rmetric}__n"})
        ui.chart(charts.bars(top, "agency", "value", lang,
                             f"{t('ranking', lang)} · {m.label(lang)} · {ryear} · {pick}", sub,
                             metric=rmetric, horizontal=True), f"ranking_{rmetric}_{ryear}", ctx)


UNITS = list(Q.RANK_UNITS)


def unit_ranking(names: list[str]) -> None:
    """Regions and peer groups ranked by the same rules as agencies, and the worst few with their base."""
    sec = ui.section(t("unit_ranking", lang))
    u1, u2, u3, u4 = st.columns([2, 2, 1, 1])
    unit = u1.radio(t("rank_unit", lang), UNITS, horizontal=True, key="unit_rank_unit",
                    format_func=lambda u: t(f"dim_{u}", lang))
    metric = u2.selectbox(t("metric", lang), names, index=names.index("disclosure_rate"), key="unit_rank_metric",
                          format_func=lambda n: M.get(n).label(lang))
    years = list(range(ctx.filters.year_to or 0, (ctx.filters.year_from or 0) - 1, -1))
    year = int(u3.selectbox(t("year", lang), years, key="unit_rank_year"))
    m = M.get(metric)
    min_den = u4.number_input(t("min_den", lang), min_value=1, value=Q.MIN_DENOMINATOR, step=1,
                              key="unit_rank_min_den", disabled=not m.is_rate, help=t("min_den_help", lang))
    rk = Q.unit_ranking(ctx.run, ctx.filters, unit, metric, year, min_den)
    if rk.empty:
        st.info(t("no_match", lang))
        return
    name_of = peer_label if unit == "peer" else str
    rk["name"] = rk["grp"].map(name_of)
    ranked, few = rk[rk["rankable"]], rk[~rk["rankable"]]
    unit_words = t(f"unit_{unit}", lang)
    st.caption(R.caption(m, lang))
    st.caption(t("unit_note", lang, year=year, n=len(ranked), unit=unit_words, few=len(few), min=int(min_den),
                 den=M.denominator_label(m, lang) or t("denominator", lang)))
    value_col, unit_col = m.label(lang), t(f"dim_{unit}", lang)
    change_col = change_header(m, "lfl_change")

    def frame(d: pd.DataFrame) -> pd.DataFrame:
        out = {t("rank", lang): d["rank"], t("band", lang): [R.band_label(b, n, m, lang)
                                                             for b, n in zip(d["band"], d["n_ranked"], strict=True)],
               unit_col: d["name"], value_col: d["value"]}
        if m.is_rate:
            out |= {t("numerator", lang): d["num"], t("denominator", lang): d["den"]}
        out |= {t("n_counted", lang): d["n_reports"], t("n_agencies", lang): d["n_agencies"],
                change_col: pct(m, d["change"]), t("lfl_panel_n", lang): d["n_panel"]}
        return pd.DataFrame(out)

    fm = {value_col: shown.value_format(m), change_col: shown.change_format(m)}
    fm |= {c: shown.COUNT for c in (t("numerator", lang), t("denominator", lang), t("n_counted", lang),
                                    t("n_agencies", lang), t("lfl_panel_n", lang))}
    title = f"{t('unit_ranking', lang)} · {unit_col} · {m.label(lang)} · {year}"
    shown.table(frame(ranked), f"unit_ranking_{unit}_{metric}_{year}", ctx, fm, title=title, years=(year, year))
    if not few.empty:
        st.markdown(f"**{t('too_few', lang, min=int(min_den))}**")
        shown.table(frame(few).drop(columns=[t("rank", lang), t("band", lang)]),
                    f"unit_ranking_few_{unit}_{metric}_{year}", ctx, fm, title=sec, years=(year, year))
    # the worst few, with the base each figure rests on
    if not m.has_direction:
        st.info(t("worst_none", lang, metric=m.label(lang), words=M.direction_words(m.direction, lang)))
        return
    n = int(st.number_input(t("worst_n_pick", lang), min_value=1, max_value=20, value=3, step=1,
                            key="unit_rank_worst"))
    bad = R.worst(ranked, n, m)
    head = t("worst_n", lang, n=len(bad), unit=unit_words, metric=m.label(lang), year=year)
    st.markdown(f"**{ui.escape_md(head)}**")
    shown.table(frame(bad), f"unit_worst_{unit}_{metric}_{year}", ctx, fm, title=head, years=(year, year))
    if not bad.empty:
        bars = bad.rename(columns={"num": f"{metric}__num", "den": f"{metric}__den", "n_reports": f"{metric}__n"})
        ui.chart(charts.bars(bars, "name", "value", lang, head, ctx.filters.with_years(year, year).describe(lang),
                             metric=metric, horizontal=True), f"unit_worst_{unit}_{metric}_{year}", ctx)


if not ui.nothing_matches(ctx):
    groupable = list(M.GROUPABLE)  # a share of the whole view means nothing per agency and year
    compare(groupable)
    agency_ranking(groupable)
    unit_ranking(groupable)
