"""ETL for government information-disclosure annual reports: readers → canonical report → checks → warehouse."""

__version__ = "0.1.0"
