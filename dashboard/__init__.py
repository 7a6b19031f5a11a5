"""Streamlit dashboard over the DuckDB warehouse (`streamlit run dashboard/app.py`)."""

# The pages, in the sidebar's order; each is dashboard/views/<name>.py, titled by i18n key page_<name>.
PAGES = ("overview", "proactive", "requests", "review", "compare", "builder", "quality", "notice", "assess",
         "casework", "report", "glossary", "upload")
