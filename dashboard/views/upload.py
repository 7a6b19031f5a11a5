"""Load reports: upload files, see them parsed with their problems, add them to the warehouse (copied into
a watched folder, then the warehouse build runs over the usual sources plus that folder)."""

import hashlib
import os
import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard import db, ui
from dashboard.i18n import t

MAX_MB = 20
UPLOADS = Path(os.environ.get("DISCLOSURE_UPLOADS", "data/uploads"))
# Folders the warehouse is built from, besides the uploads (os.pathsep-separated).
SOURCES = [Path(p) for p in os.environ.get("DISCLOSURE_SOURCES", "data/samples").split(os.pathsep) if p]

ctx = ui.context()
lang = ctx.lang if ctx else st.session_state.get("f_lang", "zh")
st.title(t("page_upload", lang))
files = st.file_uploader(t("upload_help", lang, mb=MAX_MB), type=["html", "htm", "txt", "pdf", "docx"],
                         accept_multiple_files=True, key="upload_files")
ready: list[tuple[str, bytes]] = []
for up in files or []:
    data = up.getvalue()
    if len(data) > MAX_MB * 1024 * 1024:
        st.error(t("too_big", lang, name=up.name, mb=MAX_MB))
        continue
    try:
        from etl.document import ReadError
        from etl.parse import parse_file
    except ImportError as e:
        st.error(t("parse_unavailable", lang, err=e))
        break
    suffix = Path(up.name).suffix.lower()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"upload{suffix}"
        path.write_bytes(data)
        try:
            rep = parse_file(path, data)
        except ReadError as e:
            st.error(t("read_error", lang, name=up.name, reason=e))
            continue
    st.success(t("parsed", lang, name=up.name, agency=rep.agency or "?", year=rep.year or "?",
                 template=rep.template, n=len(rep.cells)))
    if rep.problems:
        st.dataframe(pd.DataFrame([{"code": p.code, "message": p.message, "where": p.where} for p in rep.problems]),
                     hide_index=True, key=f"problems_{up.file_id}")
    if rep.missing:
        st.text(", ".join(rep.missing))
    ready.append((up.name, data))

if ready and st.button(t("add_to_wh", lang), type="primary", key="upload_add"):
    UPLOADS.mkdir(parents=True, exist_ok=True)
    for name, data in ready:  # content-addressed names: the same file uploaded twice is one file
        safe = "".join(ch for ch in Path(name).stem if ch.isalnum() or ch in "-_")[:60] or "report"
        (UPLOADS / f"{safe}-{hashlib.sha256(data).hexdigest()[:12]}{Path(name).suffix.lower()}").write_bytes(data)
    try:
        from etl.warehouse.build import build
    except ImportError:
        st.warning(t("no_build", lang, dir=UPLOADS))
    else:
        with st.spinner("…"):
            sources = [p for p in SOURCES if p.exists()] + [UPLOADS]
            result = build(sources, db.db_path())
        n = getattr(result, "n_reports", None) or (result.get("n_reports") if isinstance(result, dict) else "?")
        st.success(t("added", lang, dir=UPLOADS, n=n))
        st.cache_data.clear()

