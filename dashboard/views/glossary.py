"""Glossary: every metric's definition, numerator, denominator and source cells, from etl/metrics.py (the
registry that also labels the charts and tooltips and generates the warehouse's report_metrics columns)."""

import pandas as pd
import streamlit as st

from dashboard import ui
from dashboard.i18n import t
from etl import metrics as M

ctx = ui.context()
lang = ctx.lang if ctx else st.session_state.get("f_lang", "zh")
page = ui.page_title(t("page_glossary", lang))


def measure(name: str | None) -> str:
    """A measure by its label ("本年办结"); its column name in exported data is in the glossary's own column."""
    if name is None:
        return "—"
    return M.MEASURE[name].label(lang)


rows = []
for m in M.METRICS:
    per = "" if not m.is_rate else ("%" if m.is_share else f"×{m.per}")
    rows.append({t("metric", lang): m.label(lang), t("definition", lang): m.definition(lang),
                 t("numerator", lang): measure(m.numerator), t("denominator", lang): measure(m.denominator),
                 t("rate", lang): per, t("unit", lang): m.unit,
                 t("direction", lang): M.direction_words(m.direction, lang),
                 t("source_cells", lang): "; ".join(M.source_label(c, lang) for c in m.sources),
                 t("export_column", lang): m.name})
df = pd.DataFrame(rows)
if ctx:
    ui.table(df, "glossary", ctx, title=page)
else:
    st.dataframe(df, hide_index=True, key="df_glossary")
for m in M.METRICS:
    with st.expander(m.label(lang)):
        st.text(m.definition(lang))
        for head, name in ((t("numerator", lang), m.numerator), (t("denominator", lang), m.denominator)):
            if name:
                st.text(f"{head}: {measure(name)} = {M.MEASURE[name].formula(lang)}")
        for c in m.sources:
            st.text(f"• {M.source_label(c, lang)}")
