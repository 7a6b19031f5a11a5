"""Streamlit dashboard over the DuckDB warehouse (`streamlit run dashboard/app.py`)."""
