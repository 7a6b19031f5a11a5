"""Review and corrections: the findings the office marked (confirmed, dismissed, notified) with their follow-up
after the latest build (still open, rectified, withdrawn, no longer loaded), the corrections in force and revoked
(import from CSV, export, revoke, rebuild to apply), and the log of every change with its user.
Kept in the review store beside the warehouse (etl/casework), so a rebuild never loses them."""

import duckdb
import pandas as pd
import streamlit as st

from dashboard import access, casework, db, i18n, ui
from dashboard.i18n import t
from etl.casework import corrections as C
from etl.casework import states as S
from etl.casework.store import CaseworkError
from etl.checks.labels import addr_en, addr_zh

ctx = ui.context()
lang = ctx.lang
ui.page_title(t("page_casework", lang))
ui.uploader_words(lang)
st.caption(t("cw_page_note", lang))

# --- marked findings and their follow-up -------------------------------------------------------------
wanted = casework.state_filter(lang, "cw_states", options=tuple(S.STATES))
casework.follow_up_table(ctx, lang, "casework_marks", states=tuple(wanted))

# --- corrections ------------------------------------------------------------------------------------
head = ui.section(t("cw_corrections", lang))
st.caption(t("cw_corrections_note", lang))
ov = casework.overrides(active_only=False)
name = addr_zh if lang == "zh" else addr_en


def what(o) -> str:
    field = S.word(S.FIELDS, o.field, lang)
    return f"{name(o.cell)}" if o.target == "cell" and isinstance(o.cell, str) else field


def value_words(o) -> str:
    if o.field in ("level", "kind") and o.value:
        return i18n.name(i18n.LEVELS if o.field == "level" else i18n.KINDS, o.value, lang)
    return o.value if o.value != "" else "—"


rows = list(ov.itertuples())
table = pd.DataFrame({
    t("cw_number", lang): [o.override_id for o in rows],
    t("cw_concerns", lang): [o.label or "—" for o in rows],
    t("cw_target", lang): [S.word(S.TARGETS, o.target, lang) for o in rows],
    t("cw_what", lang): [what(o) for o in rows],
    t("cw_value", lang): [value_words(o) for o in rows],
    t("cw_reason", lang): [o.reason for o in rows],
    t("cw_by", lang): [o.made_by for o in rows],
    t("cw_at", lang): [str(o.made_at).replace("T", " ") for o in rows],
    t("cw_in_force", lang): [t("cw_yes" if pd.isna(o.revoked_at) else "cw_no", lang) for o in rows],
    t("cw_revoked", lang): ["" if pd.isna(o.revoked_at) else f"{o.revoked_by} {str(o.revoked_at).replace('T', ' ')} "
                            f"{'' if pd.isna(o.revoke_reason) else o.revoke_reason}".strip() for o in rows],
})
ui.table(table, "casework_corrections", ctx, title=head)

user = access.editor()
c1, c2 = st.columns(2)
with c1:
    up = st.file_uploader(t("cw_import", lang), type=["csv"], key="cw_import")
    st.caption(t("cw_import_note", lang))
    if up is not None and st.button(t("cw_import_go", lang), key="cw_import_go", disabled=user is None) \
            and access.require(lang) is not None:
        try:
            with duckdb.connect(str(db.db_path()), read_only=True) as con:
                specs = C.read_csv(up.getvalue(), con, up.name)
            ids = [casework.store().add_override(c.target, c.field, c.value, c.reason, user,
                                                 report_id=c.report_id, agency_id=c.agency_id, cell=c.cell,
                                                 label=c.label) for c in specs]
            st.success(t("cw_saved_correction", lang, n=len(ids)))
        except CaseworkError as e:
            st.error(ui.escape_md(e.words(lang)))
with c2:
    active = [o.override_id for o in rows if pd.isna(o.revoked_at)]
    pick = st.multiselect(t("cw_revoke_pick", lang), active, key="cw_revoke_ids",
                          format_func=lambda n: f"#{n}", placeholder=t("cw_choose_placeholder", lang))
    why = st.text_input(t("cw_reason", lang), key="cw_revoke_reason", max_chars=200)
    if st.button(t("cw_revoke", lang), key="cw_revoke", disabled=user is None or not pick) \
            and access.require(lang) is not None:
        try:
            for n in pick:
                casework.store().revoke_override(int(n), user, why)
            st.success(t("cw_revoked_n", lang, n=len(pick)))
        except CaseworkError as e:
            st.error(ui.escape_md(e.words(lang)))
casework.rebuild_button(lang, "cw_rebuild_page")

# --- the log ----------------------------------------------------------------------------------------
head = ui.section(t("cw_history", lang))
h = casework.history()
m = casework.marks().set_index("finding_id")
about = {fid: f"{r.agency or '—'} · {'—' if pd.isna(r.year) else int(r.year)} · {i18n.name(i18n.RULES, r.rule, lang)}"
         for fid, r in m.iterrows()}
about_ov = {o.override_id: o.label or "—" for o in rows}
ui.table(pd.DataFrame({
    t("cw_at", lang): h["at"].str.replace("T", " "),
    t("cw_by", lang): h["user"],
    t("cw_action", lang): h["action"].map(lambda a: S.word(S.ACTIONS, a, lang)),
    t("cw_state", lang): h["state"].map(lambda v: S.word(S.STATES, v, lang) if v in S.STATES
                                        else S.word(S.OUTCOMES, v, lang) if isinstance(v, str) else ""),
    t("cw_number", lang): h["override_id"].map(lambda v: "" if pd.isna(v) else f"#{int(v)}"),
    t("cw_concerns", lang): [about.get(f, "") if isinstance(f, str) else about_ov.get(o, "") if pd.notna(o) else ""
                             for f, o in zip(h["finding_id"], h["override_id"], strict=True)],
    t("cw_reason", lang): h["reason"].fillna(""),
    t("cw_note", lang): h["note"].fillna(""),
}), "casework_history", ctx, title=head)
