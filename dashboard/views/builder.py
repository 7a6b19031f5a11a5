"""Table builder: groups (agencies, regions, peer groups, levels, kinds or the whole view) × years × metrics
from the registry, each rate with its numerator and denominator, on screen and in CSV/Excel."""

import pandas as pd
import streamlit as st

from dashboard import i18n, ui
from dashboard import queries as Q
from dashboard.i18n import t
from etl import metrics as M

ctx = ui.context()
lang = ctx.lang
ui.page_title(t("page_builder", lang))
DIMS = ["all", "province", "city", "level", "kind", "peer", "agency"]


def group_label(dim: str, v) -> str:
    if dim == "all":
        return t("notice_all", lang)
    if not isinstance(v, str):
        return "—"
    if dim == "peer" and "/" in v:
        lv, kd = v.split("/", 1)
        return f"{i18n.name(i18n.LEVELS, lv, lang)} · {i18n.name(i18n.KINDS, kd, lang)}"
    return ui.dimension_labels(dim, lang).get(v, v)


if not ui.nothing_matches(ctx):
    c1, c2 = st.columns([1, 2])
    dim = c1.selectbox(t("builder_rows", lang), DIMS, key="builder_dim",
                       format_func=lambda d: t("notice_all", lang) if d == "all" else t(f"dim_{d}", lang))
    years_all = list(range(ctx.filters.year_from or 0, (ctx.filters.year_to or 0) + 1))
    years = c2.multiselect(t("years", lang), years_all, default=years_all[-2:], key="builder_years", select_all=False)
    names = list(M.GROUPABLE)
    picked = st.multiselect(t("builder_metrics", lang), names, default=["new_received", "disclosure_rate"],
                            key="builder_metrics", format_func=lambda n: M.get(n).label(lang), select_all=False)
    st.caption(t("builder_note", lang))
    df = Q.builder(ctx.run, ctx.filters, dim, years, picked)
    if df.empty:
        st.info(t("builder_empty", lang))
    else:
        out = {t("builder_group", lang): [group_label(dim, v) for v in df["grp"]], t("year", lang): df["year"],
               t("n_reports", lang): df["n_reports"]}
        cfg = {}
        for n in picked:
            m = M.get(n)
            out[m.label(lang)] = df[n]
            if m.is_share:
                cfg[m.label(lang)] = st.column_config.NumberColumn(format="percent")
            elif m.is_rate:
                cfg[m.label(lang)] = st.column_config.NumberColumn(format="%.2f")
            if m.is_rate:
                out[f"{m.label(lang)} · {t('numerator', lang)}"] = df[f"{n}__num"]
                out[f"{m.label(lang)} · {t('denominator', lang)}"] = df[f"{n}__den"]
        ui.table(pd.DataFrame(out), "builder", ctx, column_config=cfg, title=t("page_builder", lang))
