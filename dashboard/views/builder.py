"""Table builder: groups (agencies, regions, peer groups, levels, kinds or the whole view) × years × metrics
from the registry, each rate with its numerator and denominator and every figure with the reports behind it,
like for like by default across years (each metric over the agencies that stated it in every year picked),
on screen and in CSV/Excel."""

import pandas as pd
import streamlit as st

from dashboard import i18n, panel, shown, ui
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
    lfl = st.toggle(t("lfl_stated_toggle", lang), value=True, key="builder_lfl")
    st.caption(t("builder_note", lang))
    if len(years) > 1:
        st.caption(t("builder_lfl_caption" if lfl else "builder_all_caption", lang,
                     years=panel.years_words(years, lang)))
    df = Q.builder(ctx.run, ctx.filters, dim, years, picked, panel=lfl)
    if df.empty:
        st.info(t("builder_empty", lang))
    else:
        out = {t("builder_group", lang): [group_label(dim, v) for v in df["grp"]], t("year", lang): df["year"]}
        fm: dict[str, str] = {t("year", lang): shown.YEAR}
        n_low = 0
        for n in picked:
            if n not in df:
                continue
            m = M.get(n)
            label = m.label(lang)
            out[label] = df[n]
            fm[label] = shown.value_format(m)
            parts = {t("n_counted", lang): f"{n}__n", t("n_agencies", lang): f"{n}__agencies"}
            if m.is_rate:
                parts = {t("numerator", lang): f"{n}__num", t("denominator", lang): f"{n}__den", **parts}
            for word, col in parts.items():
                out[f"{label} · {word}"] = df[col]
                fm[f"{label} · {word}"] = shown.COUNT
            if m.is_rate:
                low = df[f"{n}__den"].notna() & (df[f"{n}__den"] < Q.MIN_DENOMINATOR)
                n_low += int(low.sum())
                out[f"{label} · {t('low_base', lang)}"] = low.map({True: t("low_base", lang), False: ""})
        if n_low:
            st.warning(t("low_base_cells", lang, n=n_low, min=Q.MIN_DENOMINATOR), icon=":material/warning:")
        basis = t("basis_lfl" if lfl and len(years) > 1 else "basis_all", lang)
        shown.table(pd.DataFrame(out), "builder", ctx, fm, title=f"{t('page_builder', lang)} · {basis}")
