"""The DuckDB warehouse: schema, agency identity, loading, build and export (`python -m etl build|export`)."""
