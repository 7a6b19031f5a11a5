"""The SQL pieces every query uses: a metric's SELECT items (ratio of sums over the reports that state
both parts), the grouping dimensions, what a finding counted against an agency is, the finding's words."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

import pandas as pd

from etl import metrics as M
from etl.checks.categories import accusation

# a finding that may be counted against an agency: a certain failure of the report itself (never our reading)
ACCUSE = accusation("fi")

Run = Callable[[str, Sequence], pd.DataFrame]

_IDENT = re.compile(r"^[a-z_][a-z0-9_]*$")
DIMENSIONS = {"province": "m.province", "city": "m.city", "level": "m.level", "kind": "m.kind",
              "sector": "m.sector", "agency": "m.agency_name", "peer": "m.level || '/' || m.kind"}
HEADLINE = ("new_received", "disclosure_rate", "review_rate", "litigation_rate", "correction_rate")
# shown after the headline figures, in every yearly frame: two kinds that never overlap (etl/checks/categories.py)
QUALITY = ("share_figure_errors", "share_late")


def ident(name: str) -> str:
    if not _IDENT.match(name):  # registry names only; a typo must fail loudly, not reach SQL
        raise ValueError(f"not a column name: {name!r}")
    return name


def metric_sql(metric: M.Metric, m: str = "m", suffix: str = "") -> str:
    """SELECT items for one metric: value, numerator sum, denominator sum, reports counted. A metric `of_view`
    divides by the denominator summed over every group of the query (a window over the groups)."""
    num = f"{m}.{ident(metric.numerator)}"
    name = ident(metric.name) + suffix
    if metric.denominator is None:
        return (f"SUM({num}) AS {name}, SUM({num}) AS {name}__num, NULL::DOUBLE AS {name}__den, "
                f"count({num}) AS {name}__n")
    den = f"{m}.{ident(metric.denominator)}"
    ok = f"{num} IS NOT NULL AND {den} IS NOT NULL"
    den_sum = f"SUM({den}) FILTER (WHERE {ok})"
    if metric.of_view:
        den_sum = f"SUM({den_sum}) OVER ()"
    return (f"SUM({num}) FILTER (WHERE {ok}) * {int(metric.per)} / NULLIF({den_sum}, 0) "
            f"AS {name}, SUM({num}) FILTER (WHERE {ok}) AS {name}__num, "
            f"{den_sum} AS {name}__den, count(*) FILTER (WHERE {ok}) AS {name}__n")


def metrics_sql(names: Iterable[str]) -> str:
    return ", ".join(metric_sql(M.get(n)) for n in names)


def stated(metric: M.Metric, m: str = "m") -> str:
    """SQL: the report states the metric's figure (its numerator and, for a rate, its denominator known)."""
    cols = [c for c in (metric.numerator, metric.denominator) if c]
    return " AND ".join(f"{m}.{ident(c)} IS NOT NULL" for c in cols)


def message_sql(lang: str, alias: str = "fi") -> str:
    """The finding text in the reader's language, as column `message`: findings store Chinese in `message`
    and English in `message_en` (NULL in a warehouse written before it existed: then the Chinese shows)."""
    return f"coalesce({alias}.message_en, {alias}.message)" if lang == "en" else f"{alias}.message"
