"""Sidebar filters: one dataclass, its URL form (st.query_params, so a view can be bookmarked) and its SQL.

Every filter becomes a `?` parameter; column names come from this module only, never from user input.
URL values are validated on a session's first run: an invalid or unknown one is dropped and named in a note.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

import pandas as pd

from dashboard import i18n
from dashboard.i18n import t
from etl import formats as F
from etl import model
from etl.warehouse import reference

# the codes each filter takes, from their owners (the words are theirs too: dashboard.i18n shows them)
LEVELS = reference.LEVELS
KINDS = reference.KINDS
TEMPLATES = tuple(str(k) for k in F.TEMPLATE_LABELS)
READS = model.READ_METHODS  # how a report's text was obtained
DATA = ("all", "real", "sample")
# The URL parameters the filters read, in the order a note about ignored ones lists them.
URL_KEYS = ("y0", "y1", "prov", "city", "county", "level", "kind", "q", "fmt", "read", "failed", "data", "lang")
YEAR = re.compile(r"[0-9]{4}")  # ASCII digits only: str.isdigit() also accepts "²" and other digits
YEAR_MIN, YEAR_MAX = 1900, 2100
MAX_TEXT = 100  # the agency search box's max_chars; place names are far shorter


def like_escape(text: str) -> str:
    """`text` as a literal inside a LIKE pattern with ESCAPE '\\'."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def plain_text(v: str) -> bool:
    """A URL text value fit to use: not too long, no control characters (NUL, newlines, bidi overrides)."""
    return len(v) <= MAX_TEXT and not any(unicodedata.category(ch) in ("Cc", "Cf") for ch in v)


@dataclass(frozen=True)
class Filters:
    year_from: int | None = None
    year_to: int | None = None
    province: str = ""
    city: str = ""
    county: str = ""
    levels: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    agency: str = ""  # substring of the agency name
    templates: tuple[str, ...] = ()
    reads: tuple[str, ...] = ()  # how the report was read: text layer, OCR, converted
    include_failed: bool = True
    data: str = "all"  # all | real | sample
    lang: str = "zh"

    # --- URL ------------------------------------------------------------------------------------------
    def to_params(self) -> dict[str, str]:
        p: dict[str, str] = {}
        if self.year_from is not None:
            p["y0"] = str(self.year_from)
        if self.year_to is not None:
            p["y1"] = str(self.year_to)
        for k, v in (("prov", self.province), ("city", self.city), ("county", self.county), ("q", self.agency)):
            if v:
                p[k] = v
        for k, vs in (("level", self.levels), ("kind", self.kinds), ("fmt", self.templates), ("read", self.reads)):
            if vs:
                p[k] = ",".join(vs)
        if not self.include_failed:
            p["failed"] = "0"
        if self.data != "all":
            p["data"] = self.data
        if self.lang != "zh":
            p["lang"] = self.lang
        return p

    @classmethod
    def from_params(cls, qp: Mapping[str, str]) -> Filters:
        return cls.parse_params(qp)[0]

    @classmethod
    def parse_params(cls, qp: Mapping[str, str]) -> tuple[Filters, tuple[str, ...]]:
        """The filters a URL asks for, and the names of the parameters ignored as invalid (URL_KEYS order).

        A URL is typed or pasted by anyone: every value is checked, never trusted (int() of a 5,000-digit
        string or of "²" raises, a list value outside its taxonomy is no filter at all)."""
        bad: list[str] = []

        def year(k: str) -> int | None:
            v = qp.get(k, "")
            if not v:
                return None
            if YEAR.fullmatch(v) and YEAR_MIN <= int(v) <= YEAR_MAX:
                return int(v)
            bad.append(k)
            return None

        def many(k: str, allowed: tuple[str, ...]) -> tuple[str, ...]:
            vs = [v for v in qp.get(k, "").split(",") if v]
            if any(v not in allowed for v in vs):
                bad.append(k)
            return tuple(dict.fromkeys(v for v in vs if v in allowed))

        def one(k: str, allowed: tuple[str, ...], default: str) -> str:
            v = qp.get(k, "")
            if v and v not in allowed:
                bad.append(k)
            return v if v in allowed else default

        def text(k: str) -> str:
            v = qp.get(k, "").strip()
            if v and not plain_text(v):
                bad.append(k)
                return ""
            return v

        y0, y1 = year("y0"), year("y1")
        if y0 is not None and y1 is not None and y0 > y1:
            bad += ["y0", "y1"]
            y0 = y1 = None
        f = cls(year_from=y0, year_to=y1, province=text("prov"), city=text("city"), county=text("county"),
                levels=many("level", LEVELS), kinds=many("kind", KINDS), agency=text("q"),
                templates=many("fmt", TEMPLATES), reads=many("read", READS), include_failed=one("failed", ("0", "1"), "1") != "0",
                data=one("data", DATA, "all"), lang=one("lang", i18n.LANGS, "zh"))
        return f, tuple(k for k in URL_KEYS if k in bad)

    # --- SQL ------------------------------------------------------------------------------------------
    def agency_where(self, a: str = "m") -> tuple[str, list]:
        """Conditions on agency columns of alias `a` (report_metrics or agencies)."""
        conds: list[str] = []
        params: list = []
        for col, v in (("province", self.province), ("city", self.city), ("county", self.county)):
            if v:
                conds.append(f"{a}.{col} = ?")
                params.append(v)
        for col, vs in (("level", self.levels), ("kind", self.kinds)):
            if vs:
                conds.append(f"{a}.{col} IN ({', '.join('?' * len(vs))})")
                params.extend(vs)
        if self.agency:  # a substring, not a pattern: the user's % and _ match themselves
            conds.append(f"{a}.{'agency_name' if a == 'm' else 'name'} ILIKE ? ESCAPE '\\'")
            params.append(f"%{like_escape(self.agency)}%")
        if self.data != "all":
            conds.append(f"{a}.is_sample = ?")
            params.append(self.data == "sample")
        return " AND ".join(conds) or "TRUE", params

    def where(self, m: str = "m", years: bool = True, *, agency: str | None = None, year: str | None = None,
              report_optional: bool = False) -> tuple[str, list]:
        """THE filter SQL: every filter as conditions with `?` parameters, for every query. The report's
        columns are on alias `m` (report_metrics), the agency's on `agency` (default `m`; `agencies` has
        `name` where report_metrics has `agency_name`), the year range on `year` (default `m.year`) when
        `years`. With `report_optional`, `m` is LEFT JOINed (a finding about a missing report has none): a
        report filter then leaves such rows out only where it reads a figure (reads_report())."""
        sql, params = self.agency_where(agency or m)
        conds = [sql]
        ycol = year or f"{m}.year"
        if years and self.year_from is not None:
            conds.append(f"{ycol} >= ?")
            params.append(self.year_from)
        if years and self.year_to is not None:
            conds.append(f"{ycol} <= ?")
            params.append(self.year_to)
        if self.templates:
            conds.append(f"{m}.template IN ({', '.join('?' * len(self.templates))})")
            params.extend(self.templates)
        if self.reads:
            conds.append(f"{m}.read_method IN ({', '.join('?' * len(self.reads))})")
            params.extend(self.reads)
        if not self.include_failed:  # errors in the figures, not lateness
            conds.append(f"NOT coalesce({m}.has_figure_error, FALSE)" if report_optional
                         else f"NOT {m}.has_figure_error")
        return " AND ".join(conds), params

    def reads_report(self) -> bool:
        """Whether a filter reads the report's own row (its form, how it was read, its figures' errors)."""
        return bool(self.templates or self.reads or not self.include_failed)

    def with_years(self, y0: int | None, y1: int | None) -> Filters:
        return replace(self, year_from=y0, year_to=y1)

    # --- words ----------------------------------------------------------------------------------------
    def describe(self, lang: str | None = None) -> str:
        """A one-line summary for chart titles and the briefing."""
        lang = lang or self.lang
        parts = []
        if self.year_from is not None and self.year_from == self.year_to:
            parts.append(str(self.year_from))  # one year, not "2023–2023"
        elif self.year_from is not None or self.year_to is not None:
            parts.append(f"{self.year_from or ''}–{self.year_to or ''}")
        place = " ".join(v for v in (self.province, self.city, self.county) if v)
        if place:
            parts.append(place)
        if self.levels:
            parts.append("/".join(i18n.name(i18n.LEVELS, v, lang) for v in self.levels))
        if self.kinds:
            parts.append("/".join(i18n.name(i18n.KINDS, v, lang) for v in self.kinds))
        if self.agency:
            parts.append(f"“{self.agency}”")
        if self.templates:
            parts.append("/".join(i18n.name(i18n.TEMPLATES, v, lang) for v in self.templates))
        if self.reads:
            parts.append(t("read_method", lang) + " " + "/".join(i18n.name(i18n.READ_METHODS, v, lang)
                                                                 for v in self.reads))
        if not self.include_failed:
            parts.append(t("include_failed", lang) + ": ✗")
        if self.data != "all":
            parts.append(t(f"data_{self.data}", lang))
        return " · ".join(parts) or ("全部机关" if lang == "zh" else "All agencies")


# --- Streamlit sidebar -----------------------------------------------------------------------------------

def ignored_params() -> list[str]:
    """URL parameters this session's first run ignored as invalid, until the user changes the filters."""
    import streamlit as st

    ignored = set(st.session_state.get("f_ignored", ()))
    return [k for k in URL_KEYS if k in ignored]


_KEYS = {"year": "f_years", "prov": "f_prov", "city": "f_city", "county": "f_county", "level": "f_level",
         "kind": "f_kind", "q": "f_q", "fmt": "f_fmt", "read": "f_read", "failed": "f_failed", "data": "f_data", "lang": "f_lang"}


def sidebar(options: Callable[[str, Filters], pd.DataFrame] | None) -> Filters:
    """Render the filters in the sidebar, seeded from the URL on a session's first run; keep the URL in step.

    `options(kind, filters)` returns the choices for 'years' (columns lo, hi), 'province', 'city', 'county'
    (column v); None when there is no warehouse (only the language switch is shown).
    """
    import streamlit as st

    ss = st.session_state
    if "f_seeded" not in ss:  # first run of this session: the URL is the source of truth
        url, bad = Filters.parse_params(st.query_params.to_dict())
        ss.update({_KEYS["prov"]: url.province, _KEYS["city"]: url.city, _KEYS["county"]: url.county,
                   _KEYS["level"]: list(url.levels), _KEYS["kind"]: list(url.kinds), _KEYS["q"]: url.agency,
                   _KEYS["fmt"]: list(url.templates), _KEYS["read"]: list(url.reads), _KEYS["failed"]: url.include_failed,
                   _KEYS["data"]: url.data, _KEYS["lang"]: url.lang, "f_url_years": (url.year_from, url.year_to)})
        ss["f_ignored"] = list(bad)
        # place names are checked against the data once the options are known (below)
        ss["f_url_places"] = {"prov": url.province, "city": url.city, "county": url.county}
        ss["f_seeded"] = True
    sb = st.sidebar
    lang = sb.radio(t("lang"), i18n.LANGS, key=_KEYS["lang"], horizontal=True,
                    format_func=lambda v: "中文" if v == "zh" else "English")
    if options is None:
        return Filters(lang=lang)
    sb.header(t("filters", lang))
    yrs = options("years", Filters())
    lo, hi = int(yrs["lo"].iloc[0]), int(yrs["hi"].iloc[0])
    if _KEYS["year"] not in ss or not isinstance(ss[_KEYS["year"]], tuple):
        u0, u1 = ss.get("f_url_years", (None, None))
        ss[_KEYS["year"]] = (min(max(u0 or lo, lo), hi), max(min(u1 or hi, hi), lo))
    else:  # clamp to the data after a rebuild
        y0, y1 = ss[_KEYS["year"]]
        ss[_KEYS["year"]] = (min(max(y0, lo), hi), max(min(y1, hi), lo))
    if lo < hi:
        y0, y1 = sb.slider(t("years", lang), lo, hi, key=_KEYS["year"])
    else:
        y0 = y1 = lo
        sb.caption(f"{t('years', lang)}: {lo}")

    def pick(kind: str, label: str, scope: Filters) -> str:
        vals = [""] + [v for v in options(kind, scope)["v"].tolist() if v]
        if ss.get(_KEYS[kind]) not in vals:
            ss[_KEYS[kind]] = ""
        return sb.selectbox(label, vals, key=_KEYS[kind], format_func=lambda v: v or t("any", lang))

    prov = pick("prov", t("province", lang), Filters())
    city = pick("city", t("city", lang), Filters(province=prov)) if prov else ""
    county = pick("county", t("county", lang), Filters(province=prov, city=city)) if city else ""
    ph = "（全部）" if lang == "zh" else "(all)"
    levels = sb.multiselect(t("level", lang), LEVELS, key=_KEYS["level"], placeholder=ph,
                            format_func=lambda v: i18n.name(i18n.LEVELS, v, lang), select_all=False)
    kinds = sb.multiselect(t("kind", lang), KINDS, key=_KEYS["kind"], placeholder=ph,
                           format_func=lambda v: i18n.name(i18n.KINDS, v, lang), select_all=False)
    # a name copied from a heading may carry ui.escape_md's invisible word joiners
    q = sb.text_input(t("agency_search", lang), key=_KEYS["q"], max_chars=MAX_TEXT).replace("\u2060", "").strip()
    fmts = sb.multiselect(t("template", lang), TEMPLATES, key=_KEYS["fmt"], placeholder=ph, select_all=False,
                          format_func=lambda v: i18n.name(i18n.TEMPLATES, v, lang))
    reads = sb.multiselect(t("read_method", lang), READS, key=_KEYS["read"], placeholder=ph,
                           format_func=lambda v: i18n.name(i18n.READ_METHODS, v, lang), select_all=False)
    failed = sb.checkbox(t("include_failed", lang), key=_KEYS["failed"])
    data = sb.radio(t("data_source", lang), DATA, key=_KEYS["data"], format_func=lambda v: t(f"data_{v}", lang))
    f = Filters(year_from=y0 if y0 != lo else None, year_to=y1 if y1 != hi else None, province=prov, city=city,
                county=county, levels=tuple(levels), kinds=tuple(kinds), agency=q, templates=tuple(fmts),
                reads=tuple(reads), include_failed=failed, data=data, lang=lang)
    places = ss.pop("f_url_places", None)
    if places:  # a URL region the data does not have (or a city without its province) was dropped
        got = {"prov": prov, "city": city, "county": county}
        ss["f_ignored"] = ss.get("f_ignored", []) + [k for k, v in places.items() if v and got[k] != v]
    seen = replace(f, lang="")
    if ss.setdefault("f_noted_for", seen) != seen:  # the user has changed the filters: the note is stale
        ss["f_ignored"] = []
    if sb.button(t("reset", lang), key="f_reset"):
        for k in _KEYS.values():
            ss.pop(k, None)
        ss["f_ignored"] = []
        ss["f_url_years"] = (None, None)
        ss[_KEYS["lang"]] = lang
        st.query_params.clear()
        st.rerun()
    # keep page-specific params (report id…) and replace the filter ones
    keep = {k: v for k, v in st.query_params.to_dict().items() if k not in URL_KEYS}
    want = {**keep, **f.to_params()}
    if st.query_params.to_dict() != want:
        st.query_params.from_dict(want)
    # the year range applies for display even when it spans all the data
    return f.with_years(y0, y1)
