"""Every vocabulary has one owner with its zh/en words (levels and kinds: etl.warehouse.reference; how a
report or cell was read and placed: etl.model; rule names, kinds of finding, statuses, severities and whose a finding is:
etl.checks.categories; table names: etl.formats): the
dashboard's sources never restate one of those words, they import it."""

from __future__ import annotations

from pathlib import Path

from etl import formats as F
from etl import model
from etl.checks import categories
from etl.warehouse import reference

DASHBOARD = Path(__file__).resolve().parents[2] / "dashboard"
OWNED = {"levels": reference.LEVEL_NAMES, "kinds": reference.KIND_NAMES, "read methods": model.READ_METHOD_NAMES,
         "cell reads": model.CELL_READ_NAMES, "placements": model.PLACEMENT_NAMES, "rules": categories.RULES,
         "kinds of finding": categories.CATEGORIES, "statuses": categories.STATUSES,
         "severities": categories.SEVERITIES, "whose": categories.RESPONSIBILITIES,
         "tables": {k: (zh, en) for k, (zh, en) in F.TABLE_NAMES.items()}}


def test_the_dashboard_restates_no_owned_word():
    sources = {p.relative_to(DASHBOARD).as_posix(): p.read_text(encoding="utf-8") for p in DASHBOARD.rglob("*.py")}
    found = [(vocab, code, word, name) for vocab, table in OWNED.items() for code, (zh, _en) in table.items()
             for word in (zh,) for name, text in sources.items() if f'"{word}"' in text]
    assert not found, found


def test_the_filters_offer_the_owners_codes():
    from dashboard import filters, i18n

    assert filters.LEVELS == tuple(i18n.LEVELS) == reference.LEVELS
    assert filters.KINDS == tuple(i18n.KINDS) == reference.KINDS
    assert filters.READS == tuple(i18n.READ_METHODS) == model.READ_METHODS
