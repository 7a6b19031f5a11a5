"""Collecting reports from agency websites: SOURCES.csv in, report files with their provenance out.

sources (what to walk) → pages (reading listings and report pages) → spider (Scrapy does the fetching)
→ store (files, provenance.jsonl, publications.csv) → `etl build` (etl.warehouse.provenance).
"""
