"""Glossary: every metric's definition, numerator, denominator and source cells, from etl/metrics.py (the
registry that also labels the charts and tooltips)."""

import pandas as pd
import streamlit as st

from dashboard import ui
from dashboard.i18n import t
from etl import formats as F
from etl import metrics as M

ctx = ui.context()
lang = ctx.lang if ctx else st.session_state.get("f_lang", "zh")
st.title(t("page_glossary", lang))


def cell_label(addr: str) -> str:
    tbl, row, col = addr.split(".")
    return f"{tbl}: {F.label(tbl, 'row', row, lang)} × {F.label(tbl, 'col', col, lang)}"


rows = []
for m in M.METRICS:
    per = "" if not m.is_rate else ("×100" if m.per == 100 else "%")
    rows.append({t("metric", lang): m.label(lang), t("definition", lang): m.definition(lang),
                 t("numerator", lang): m.numerator, t("denominator", lang): m.denominator or "—",
                 t("rate", lang): per, t("unit", lang): m.unit,
                 t("source_cells", lang): "; ".join(cell_label(c) for c in m.source_cells), "key": m.name})
df = pd.DataFrame(rows)
if ctx:
    ui.table(df, "glossary", ctx)
else:
    st.dataframe(df, hide_index=True, key="df_glossary")
for m in M.METRICS:
    with st.expander(m.label(lang)):
        st.text(m.definition(lang))
        st.text(f"{t('numerator', lang)}: {m.numerator}   {t('denominator', lang)}: {m.denominator or '—'}")
        for c in m.source_cells:
            st.text(f"• {c} — {cell_label(c)}")
