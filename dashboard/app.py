"""Entry point: `streamlit run dashboard/app.py` (warehouse path from DISCLOSURE_DB, default
data/warehouse.duckdb). Builds the navigation, the sidebar filters and the per-run context pages read."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `streamlit run` puts only dashboard/ on the path
    sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402
import streamlit as st  # noqa: E402

from dashboard import PAGES, access, db, filters, ui  # noqa: E402
from dashboard import queries as Q  # noqa: E402
from dashboard.i18n import t  # noqa: E402
from etl.warehouse import schema  # noqa: E402

# Pages live in dashboard/views/, not pages/: a folder named pages/ next to the entry script switches
# Streamlit into its legacy multipage mode (PagesManager.uses_pages_directory), which bypasses st.navigation.
ICONS = {"overview": "dashboard", "proactive": "campaign", "requests": "inbox", "review": "gavel",
         "compare": "compare_arrows", "builder": "table_view", "quality": "rule", "notice": "fact_check",
         "assess": "grading", "report": "description", "glossary": "menu_book", "upload": "upload_file",
         "casework": "rate_review"}

# An emoji favicon is drawn from a data: URL; a ":material/…:" page icon makes the browser fetch an SVG from
# fonts.gstatic.com (Streamlit's frontend builds that URL), and the dashboard must not reach outside hosts.
st.set_page_config(page_title="政府信息公开年度报告 · Disclosure reports", page_icon="🏛️", layout="wide")

lang = st.session_state.get("f_lang") or st.query_params.get("lang", "zh")
lang = lang if lang in ("zh", "en") else "zh"
here = Path(__file__).parent
pages = [st.Page(here / "views" / f"{p}.py", title=t(f"page_{p}", lang), url_path=p, default=p == "overview",
                 icon=f":material/{ICONS[p]}:") for p in PAGES]
nav = st.navigation(pages)


def main() -> None:
    has_db = db.version() is not None
    f = filters.sidebar((lambda kind, scope: Q.options(db.query, kind, scope)) if has_db else None)
    ui.url_note(filters.ignored_params(), f.lang)
    access.sidebar(f.lang)  # who may load, rebuild, review and correct (dashboard/access.py)
    if has_db:
        info = Q.build_info(db.query)
        built = info["built_at"].iloc[0] if not info.empty else None
        data_date = str(built)[:16] if built is not None and str(built) != "NaT" else "?"
        c = Q.counts(db.query, f).iloc[0]
        ctx = ui.Context(filters=f, lang=f.lang, data_date=data_date, n_reports=int(c["n"]),
                         n_sample=int(c["n_sample"]))
        st.session_state["_ctx"] = ctx
        st.sidebar.caption(f"{t('data_date', f.lang)}: {data_date} · {t('reports_loaded', f.lang)}: "
                           f"{ctx.n_reports:,}")
        if ctx.n_sample:
            st.warning(t("sample_note", f.lang), icon=":material/science:")
        built_with = info["schema_version"].iloc[0] if not info.empty and "schema_version" in info else None
        if built_with is not None and pd.notna(built_with) and int(built_with) != schema.SCHEMA_VERSION:
            # an older warehouse lacks tables and columns this version reads: say so instead of failing page by page
            st.warning(t("old_warehouse", f.lang, have=int(built_with), want=schema.SCHEMA_VERSION),
                       icon=":material/update:")
    else:
        st.session_state["_ctx"] = None
        if nav.url_path not in ("glossary", "upload"):
            st.info(t("no_db", f.lang, path=db.db_path()), icon=":material/database:")
            st.stop()
    nav.run()


ui.guarded(main, nav.url_path or "overview")
