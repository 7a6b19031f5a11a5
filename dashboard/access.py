"""Who may change anything. Viewing needs nothing; loading and rebuilding, reviewing findings and correcting
values need the editing password, and every change is logged with the name of who made it.

The password is the setting DISCLOSURE_ADMIN_PASSWORD (etl.settings admin_password), else `admin_password` in Streamlit's
secrets (.streamlit/secrets.toml): a hash made by `python -m etl review hash-password`, or the password itself
(etl/casework/passwords.py). A signed-in session gives its user's name; changes are logged under it.

With no password set, editing is allowed only to a browser on the machine the app runs on (Streamlit reports no
client address for a loopback connection; the app binds 127.0.0.1 by default), logged under the name given in the
sidebar or else the server's login name; a colleague reaching a server bound to another address cannot edit.
Behind a reverse proxy on the same machine every client looks local: set the password there.
"""

from __future__ import annotations

import time

import streamlit as st

from dashboard.i18n import t
from etl import settings
from etl.casework.passwords import verify
from etl.casework.store import os_user

SIGNED_IN = "_editor"  # session: the signed-in user's name
LOCAL_NAME = "_editor_local_name"
FAILED_PAUSE = 1.0  # seconds a wrong password costs (slows guessing)


def setting() -> str:
    """The password setting ('' when none)."""
    value = settings.raw("admin_password")
    if value:
        return value
    try:
        return str(st.secrets.get("admin_password", "") or "")
    except Exception:  # noqa: BLE001 (no secrets file: Streamlit raises its own kinds)
        return ""


def is_local() -> bool:
    """Whether this session's browser runs on the server's machine (no client address: loopback)."""
    try:
        ip = st.context.ip_address
    except Exception:  # noqa: BLE001 (no server runtime: the script runs in this process)
        return True
    # a real server gives a string or None; AppTest's mocked runtime gives a mock: a local test process
    return ip is None or not isinstance(ip, str)


def editor() -> str | None:
    """The name this session's changes are logged under, or None when it may not change anything."""
    if setting():
        return st.session_state.get(SIGNED_IN)
    if is_local():
        return (st.session_state.get(LOCAL_NAME) or "").strip() or os_user()
    return None


def sign_in(name: str, password: str) -> bool:
    """Sign this session in when the password matches; a wrong one costs FAILED_PAUSE seconds."""
    if verify(password, setting()) and name.strip():
        st.session_state[SIGNED_IN] = name.strip()[:40]
        return True
    time.sleep(FAILED_PAUSE)
    return False


def sidebar(lang: str) -> None:
    """The sign-in box at the foot of the sidebar."""
    tried = bool(st.session_state.get("_edit_open"))  # open after a failed attempt, to say so
    with st.sidebar.expander(t("edit_access", lang), icon=":material/lock:",
                             expanded=bool(setting()) and editor() is None and tried):
        if setting():
            user = editor()
            if user:
                st.caption(t("edit_signed_in", lang, user=user))
                if st.button(t("edit_sign_out", lang), key="edit_sign_out"):
                    st.session_state.pop(SIGNED_IN, None)
                    st.rerun()
                return
            with st.form("edit_sign_in", border=False):
                name = st.text_input(t("edit_name", lang), key="edit_name", max_chars=40)
                pw = st.text_input(t("edit_password", lang), type="password", key="edit_password")
                if st.form_submit_button(t("edit_sign_in", lang)):
                    st.session_state["_edit_open"] = True
                    if sign_in(name, pw):
                        st.rerun()
                    st.error(t("edit_wrong", lang))
            st.caption(t("edit_password_note", lang))
        elif is_local():
            st.caption(t("edit_local_only", lang))
            st.text_input(t("edit_name", lang), key=LOCAL_NAME, max_chars=40, placeholder=os_user())
        else:
            st.caption(t("edit_disabled", lang))


def require(lang: str) -> str | None:
    """The editor's name, or None after saying (in place) that this needs the editing password."""
    user = editor()
    if user is None:
        st.warning(t("edit_refused" if setting() else "edit_disabled", lang), icon=":material/lock:")
    return user
