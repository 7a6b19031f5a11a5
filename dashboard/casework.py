"""The app's side of the review store (etl/casework): review states beside the findings, the review form,
corrections with their mark (who, when, why, the printed value) and their forms, and a rebuild that applies them.

The store is read fresh whenever its file changed (cached on its modification time); it is written only through
etl.casework.store, by a session whose user may edit (dashboard.access), and every write is logged with that user.
"""

from __future__ import annotations

import subprocess
import sys

import duckdb
import pandas as pd
import streamlit as st

from dashboard import access, child, db, i18n, ui
from dashboard.i18n import t
from etl.casework import follow
from etl.casework import states as S
from etl.casework.corrections import check, check_cell
from etl.casework.store import CaseworkError, Store

ROOT = child.ROOT
BUILD_SECONDS = 3600
MARK_COLUMNS = ("finding_id", "state", "reason", "note", "made_by", "made_at", "rule", "status", "responsibility",
                "report_id", "agency_id", "agency", "year", "cells", "message", "message_en", "outcome",
                "outcome_at")
OVERRIDE_COLUMNS = ("override_id", "target", "field", "report_id", "agency_id", "cell", "value", "reason", "made_by",
                    "made_at", "label", "revoked_by", "revoked_at", "revoke_reason", "replaced_by")


def store() -> Store:
    return Store.beside(db.db_path())


@st.cache_data(max_entries=32, show_spinner=False)
def _read(path: str, version: tuple | None, what: str) -> pd.DataFrame:
    s = Store(path)
    if what == "marks":
        return pd.DataFrame(s.marks(), columns=list(MARK_COLUMNS))
    if what == "overrides":
        return pd.DataFrame(s.overrides(active_only=False), columns=list(OVERRIDE_COLUMNS))
    rows = s.history(limit=2000)
    return pd.DataFrame(rows, columns=["seq", "at", "user", "action", "finding_id", "override_id", "state", "reason",
                                       "note", "detail"])


def marks() -> pd.DataFrame:
    s = store()
    return _read(str(s.path), s.version(), "marks")


def overrides(active_only: bool = True) -> pd.DataFrame:
    s = store()
    df = _read(str(s.path), s.version(), "overrides")
    return df[df["revoked_at"].isna()] if active_only else df


def history() -> pd.DataFrame:
    s = store()
    return _read(str(s.path), s.version(), "history")


def dismissed() -> list[str]:
    """The dismissed findings' ids: they leave the 通报 (and the assessment)."""
    m = marks()
    return m.loc[m["state"] == "dismissed", "finding_id"].tolist()


def states_of(ids: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(state, outcome) codes of findings by id; unmarked ones are S.UNREVIEWED with no outcome."""
    m = marks().set_index("finding_id")
    state = ids.map(m["state"]).fillna(S.UNREVIEWED) if not m.empty else pd.Series(S.UNREVIEWED, index=ids.index)
    outcome = ids.map(m["outcome"]) if not m.empty else pd.Series(None, index=ids.index, dtype=object)
    return state, outcome


def state_words(state: str | None, outcome: str | None, lang: str) -> str:
    """"已确认" or "已通报 · 已整改…": the state, with the follow-up once it is not simply open."""
    words = S.word(S.FILTER_STATES, state or S.UNREVIEWED, lang)
    if state in S.FOLLOWED and isinstance(outcome, str) and outcome != "open":
        words += " · " + S.word(S.OUTCOMES, outcome, lang)
    return words


# the states a 通报 may list (a dismissed finding never reaches it)
NOTICE_STATES = tuple(s for s in S.FILTER_STATES if s != "dismissed")


def state_filter(lang: str, key: str, options: tuple[str, ...] = tuple(S.FILTER_STATES)) -> list[str]:
    """A multiselect of review states, all chosen at first."""
    return st.multiselect(t("cw_state", lang), list(options), default=list(options), key=key,
                          format_func=lambda s: S.word(S.FILTER_STATES, s, lang))


def source_link(report_id, cells, lang: str) -> str | None:
    """The Report page of a finding's report, with its source opened at the finding's first cell (or table)."""
    from urllib.parse import quote

    link = ui.report_link(report_id, lang)
    if link is None:
        return None
    first = first_place(cells)
    return f"{link}&src={quote(first, safe='')}" if first else link


def _finding_label(r, lang: str) -> str:
    msg = str(r.message or "")
    return f"{r.agency or '—'} · {r.year if pd.notna(r.year) else '—'} · {i18n.name(i18n.RULES, r.rule, lang)}：" \
           f"{msg[:70]}{'…' if len(msg) > 70 else ''}"


def review_form(findings: pd.DataFrame, lang: str, key: str, preset: str | None = None) -> None:
    """Mark chosen findings (columns finding_id, agency, year, rule, message) confirmed, dismissed (with a
    reason) or notified, with a note. Needs the editing password; the change is logged with the user."""
    if findings.empty:
        return
    with st.expander(t("cw_review_form", lang), icon=":material/rate_review:"):
        user = access.require(lang)
        labels = {r.finding_id: _finding_label(r, lang) for r in findings.itertuples()}
        chosen = st.multiselect(t("cw_choose_findings", lang), list(labels), key=f"{key}_ids",
                                format_func=lambda f: labels.get(f, f), placeholder=t("cw_choose_placeholder", lang))
        state = st.radio(t("cw_state", lang), list(S.STATES), horizontal=True, key=f"{key}_state",
                         index=list(S.STATES).index(preset) if preset in S.STATES else 0,
                         format_func=lambda s: S.word(S.STATES, s, lang))
        reason = st.text_input(t("cw_reason", lang), key=f"{key}_reason", max_chars=200)
        note = st.text_area(t("cw_note", lang), key=f"{key}_note", max_chars=1000, height=68)
        if st.button(t("cw_save_marks", lang), key=f"{key}_save", type="primary", disabled=user is None):
            if user is None or not chosen:
                st.warning(t("cw_choose_first", lang) if user else t("edit_refused", lang))
                return
            try:
                with duckdb.connect(str(db.db_path()), read_only=True) as con:
                    snaps = follow.snapshot(con, chosen)
                n = store().mark(snaps, state, user, reason, note)
            except CaseworkError as e:
                st.error(ui.escape_md(e.words(lang)))
                return
            st.success(t("cw_marked", lang, n=n, state=S.word(S.STATES, state, lang)))


# --- corrections ---------------------------------------------------------------------------------------

def applied(run, report_id: str | None = None, agency_id: str | None = None) -> pd.DataFrame:
    """The corrections the current warehouse applied (table overrides; none in a warehouse built before it)."""
    try:
        return run("SELECT * FROM overrides WHERE applied AND (report_id = ? OR (target = 'agency' AND agency_id = ?))",
                   [report_id or "", agency_id or ""])
    except Exception:  # noqa: BLE001 (a warehouse from before corrections: nothing applied)
        return pd.DataFrame(columns=["override_id", "target", "field", "report_id", "agency_id", "cell", "value",
                                     "printed", "applied", "reason", "made_by", "made_at"])


def mark_note(o, lang: str) -> str:
    """"✎ 张三 2025-01-02：理由（原为 3）" — who, when, why and what was printed."""
    printed = o.printed if isinstance(o.printed, str) and o.printed != "" else "—"
    if o.field in ("level", "kind") and printed != "—":  # a code: in words
        printed = i18n.name(i18n.LEVELS if o.field == "level" else i18n.KINDS, printed, lang)
    at = str(o.made_at)[:16].replace("T", " ")
    return t("cw_mark_note", lang, mark=S.OVERRIDE_MARK, user=o.made_by, at=at, reason=o.reason, printed=printed)


def pending(report_id: str | None, agency_id: str | None, done: pd.DataFrame) -> pd.DataFrame:
    """Corrections in force in the store for this report or agency that the warehouse has not applied yet."""
    ov = overrides()
    if ov.empty:
        return ov
    mine = ov[(ov["report_id"] == report_id) | ((ov["target"] == "agency") & (ov["agency_id"] == agency_id))]
    return mine[~mine["override_id"].isin(done["override_id"] if not done.empty else [])]


def correction_forms(rep: pd.Series, cells: pd.DataFrame, lang: str) -> None:
    """Correct this report's publication date, its agency's place, level and kind, or one of its cells."""
    with st.expander(t("cw_correct", lang), icon=":material/edit_note:"):
        user = access.require(lang)
        st.caption(t("cw_correct_note", lang))
        kind = st.radio(t("cw_target", lang), list(S.TARGETS), horizontal=True, key="cw_target",
                        format_func=lambda k: S.word(S.TARGETS, k, lang))
        specs: list[tuple[str, str, str, str | None]] = []  # (target, field, value, cell)
        if kind == "published_on":
            v = st.text_input(S.word(S.FIELDS, "published_on", lang), key="cw_date", placeholder="2024-01-20")
            specs.append(("published_on", "published_on", v, None))
        elif kind == "agency":
            c1, c2, c3 = st.columns(3)
            for col, f in zip((c1, c2, c3), ("province", "city", "county"), strict=True):
                v = col.text_input(S.word(S.FIELDS, f, lang), key=f"cw_{f}",
                                   placeholder=str(rep.get(f)) if isinstance(rep.get(f), str) else "")
                if v.strip():
                    specs.append(("agency", f, v, None))
            c4, c5 = st.columns(2)
            lv = c4.selectbox(S.word(S.FIELDS, "level", lang), ["", *i18n.LEVELS], key="cw_level",
                              format_func=lambda k: i18n.name(i18n.LEVELS, k, lang) if k else t("cw_unchanged", lang))
            kd = c5.selectbox(S.word(S.FIELDS, "kind", lang), ["", *i18n.KINDS], key="cw_kind",
                              format_func=lambda k: i18n.name(i18n.KINDS, k, lang) if k else t("cw_unchanged", lang))
            specs += [("agency", f, v, None) for f, v in (("level", lv), ("kind", kd)) if v]
        else:
            from etl.checks.labels import addr_en, addr_zh

            name = addr_zh if lang == "zh" else addr_en
            addrs = [f"{r.tbl}.{r.row_key}.{r.col_key}" for r in cells.itertuples()]
            raw = dict(zip(addrs, cells["raw"], strict=True))
            cell = st.selectbox(t("cw_cell", lang), addrs, key="cw_cell", index=None,
                                format_func=lambda a: f"{name(a)}（{raw.get(a) or '—'}）" if lang == "zh"
                                else f"{name(a)} ({raw.get(a) or '—'})", placeholder=t("cw_choose_placeholder", lang))
            v = st.text_input(S.word(S.FIELDS, "value", lang), key="cw_value")
            if cell:
                specs.append(("cell", "value", v, cell))
        reason = st.text_input(t("cw_reason", lang), key="cw_correct_reason", max_chars=200)
        if st.button(t("cw_save_correction", lang), key="cw_save_correction", type="primary", disabled=user is None):
            if user is None:
                st.warning(t("edit_refused", lang))
                return
            if not specs:
                st.warning(t("cw_nothing", lang))
                return
            try:
                checked = [(tg, f, check(tg, f, v), check_cell(c) if c else None) for tg, f, v, c in specs]
                ids = [store().add_override(tg, f, v, reason, user, report_id=None if tg == "agency" else rep["report_id"],
                                            agency_id=rep.get("agency_id"), cell=c,
                                            label=f"{rep['agency_name']}" if tg == "agency"
                                            else f"{rep['agency_name']} · {rep['year']}")
                       for tg, f, v, c in checked]
            except CaseworkError as e:
                st.error(ui.escape_md(e.words(lang)))
                return
            st.success(t("cw_saved_correction", lang, n=len(ids)))
        rebuild_button(lang, "cw_rebuild_report")


def rebuild_button(lang: str, key: str) -> None:
    """Rebuild from the remembered sources so the corrections in force apply (needs the editing password)."""
    if st.button(t("cw_rebuild", lang), key=key, icon=":material/refresh:", disabled=access.editor() is None):
        build_now(lang)


def build_now(lang: str, sources: tuple[str, ...] = (), action: str = "rebuild") -> bool:
    """`python -m etl build [sources] --db <warehouse>` in a subprocess, refused without the editing password;
    logged with the user. True when the build succeeded."""
    user = access.require(lang)
    if user is None:
        return False
    env = child.env()
    with st.spinner(t("building", lang)):
        try:
            out = subprocess.run([sys.executable, "-m", "etl", "build", *sources, "--db", str(db.db_path().resolve()),
                                  "--quiet"], cwd=ROOT, env=env, capture_output=True, text=True,
                                 timeout=BUILD_SECONDS, check=False)
        except subprocess.TimeoutExpired:
            out = None
    ok = out is not None and out.returncode == 0
    store().log(action, user, {"sources": list(sources), "ok": ok})
    if not ok:
        from etl.reasons import wording

        last = (out.stderr.strip().splitlines() or ["?"])[-1] if out is not None else wording("timeout")[lang != "zh"]
        st.error(t("cw_build_failed", lang, reason=ui.escape_md(last)))
        return False
    st.success(t("cw_rebuilt", lang))
    st.cache_data.clear()
    return True


def mark_notified(listed: pd.DataFrame, lang: str, key: str) -> None:
    """Mark every finding of a 通报 list (column finding_id) notified, once it has been sent."""
    ids = listed["finding_id"].dropna().tolist() if not listed.empty else []
    if not ids:
        return
    user = access.editor()
    if st.button(t("cw_mark_notified", lang, n=len(ids)), key=key, icon=":material/outgoing_mail:",
                 disabled=user is None, help=None if user else t("edit_refused", lang)):
        if access.require(lang) is None:
            return
        try:
            with duckdb.connect(str(db.db_path()), read_only=True) as con:
                snaps = follow.snapshot(con, ids)
            n = store().mark(snaps, "notified", user)
        except CaseworkError as e:
            st.error(ui.escape_md(e.words(lang)))
            return
        st.success(t("cw_marked", lang, n=n, state=S.word(S.STATES, "notified", lang)))


def follow_up_frame(lang: str, year: int | None = None, states: tuple[str, ...] = S.FOLLOWED) -> pd.DataFrame:
    """Marked findings (of `states`, for `year`) with their follow-up, in printed words; internal ids kept for
    links (the table and exports drop them)."""
    m = marks()
    m = m[m["state"].isin(states)]
    if year is not None:
        m = m[m["year"] == year]
    return pd.DataFrame({
        "report_id": m["report_id"],
        t("agency", lang): m["agency"],
        "year": m["year"].astype("Int64"),  # keyed: ui.table names it and shows it as a year
        t("rule", lang): m["rule"].map(lambda r: i18n.name(i18n.RULES, r, lang)),
        t("message", lang): m["message_en"].fillna(m["message"]) if lang == "en" else m["message"],
        t("cw_state", lang): m["state"].map(lambda v: S.word(S.STATES, v, lang)),
        # the follow-up of what still owes a correction (a dismissed finding owes none)
        t("cw_outcome", lang): [S.word(S.OUTCOMES, o, lang) if isinstance(o, str) and s in S.FOLLOWED else "—"
                                for s, o in zip(m["state"], m["outcome"], strict=True)],
        t("cw_reason", lang): m["reason"].fillna(""),
        t("cw_note", lang): m["note"].fillna(""),
        t("cw_by", lang): m["made_by"],
        t("cw_at", lang): m["made_at"].str.replace("T", " "),
    })


def follow_up_table(ctx: ui.Context, lang: str, key: str, year: int | None = None,
                    states: tuple[str, ...] = S.FOLLOWED) -> None:
    """The follow-up of marked findings: still open, rectified, withdrawn or no longer loaded."""
    head = ui.section(t("cw_follow_up", lang) + (f" · {year}" if year is not None else ""))
    st.caption(t("cw_follow_up_note", lang))
    df = follow_up_frame(lang, year, states)
    link = t("open_report", lang)
    show = df.assign(**{link: df["report_id"].map(lambda r: ui.report_link(r, lang) if isinstance(r, str) else None)})
    ui.table(df.drop(columns=["report_id"]), key, ctx, title=head, show=show.drop(columns=["report_id"]),
             column_config={link: st.column_config.LinkColumn(link, display_text=link)})


def first_place(cells) -> str:
    """A finding's first cell address (else its table, else ''), for locating it in the source."""
    import json

    try:
        addrs = json.loads(cells) if isinstance(cells, str) else list(cells if cells is not None else [])
    except (TypeError, ValueError):
        return ""
    return next((str(a) for a in addrs if str(a).count(".") == 2 or str(a) in ("t2", "t3", "t4")), "")


def fix_lines(corrected: dict, tbl: str, lang: str) -> list[str]:
    """One line per corrected cell of table `tbl` ({(tbl, row, col): applied override}): the cell's printed
    label, then who set it, when, why and what was printed."""
    from etl.checks.labels import addr_en, addr_zh

    name = addr_zh if lang == "zh" else addr_en
    return [f"{name('.'.join(k))} {mark_note(o, lang)}" for k, o in corrected.items() if k[0] == tbl]


# the Report page's metadata rows a correction of each field marks
_META_OF_FIELD = {"published_on": "published_on", "province": "region", "city": "region", "county": "region",
                  "level": "level", "kind": "kind"}


def mark_meta(meta: dict, done: pd.DataFrame, lang: str) -> None:
    """Mark the metadata a correction set (✎), and add one row per correction saying who, when, why and what it
    replaced."""
    notes = []
    for o in done.itertuples():
        key = _META_OF_FIELD.get(o.field)
        if key is None:
            continue
        label = t(key, lang)
        if label in meta and not str(meta[label]).endswith(S.OVERRIDE_MARK):
            meta[label] = f"{meta[label]} {S.OVERRIDE_MARK}"
        notes.append(f"{S.word(S.FIELDS, o.field, lang)}: {mark_note(o, lang)}")
    if notes:
        meta[t("cw_corrections", lang)] = "；".join(notes) if lang == "zh" else "; ".join(notes)


def pending_note(report_id: str, agency_id: str | None, done: pd.DataFrame, lang: str) -> None:
    """Say when corrections of this report or agency are stored but not yet applied (no rebuild since)."""
    waiting = pending(report_id, agency_id, done)
    if not waiting.empty:
        st.info(t("cw_pending", lang, n=len(waiting)), icon=":material/pending_actions:")
