"""Load reports: upload files, see them parsed with their problems, add them to the warehouse.

Nothing here parses a file in the server process: the preview and the build run as `python -m etl…`
subprocesses with a timeout, each file in a bounded worker (etl.warehouse.workers), so a hostile upload
cannot take the server's memory or time; previews wait in one line for the whole server, within its memory
budget, and end with the session (dashboard.previews). Added files are copied into a watched folder that the build adds to
the warehouse's remembered sources: the reports already loaded stay.
"""

import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard import access, casework, child, db, i18n, previews, ui
from dashboard.i18n import t
from etl import problems, settings
from etl.filekinds import kinds_words, upload_types
from etl.reasons import wording
from etl.warehouse import expected, summary

MAX_MB = 20
ROOT = child.ROOT
# what the uploader accepts: every kind the build reads (etl.filekinds, the one list; page images are scans,
# read by OCR; Markdown and saved web pages included)
UPLOAD_TYPES = tuple(upload_types())
BUILD_SECONDS = 3600


def uploads() -> Path:
    """The folder uploaded files are kept in (etl.settings uploads), as set now."""
    return Path(settings.value("uploads"))


def collected() -> Path:
    """The folder a collection started here writes to (etl.settings collected), as set now."""
    return Path(settings.value("collected"))


def _run(args: list[str], timeout: float) -> subprocess.CompletedProcess:
    env = child.env()
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)


def reason_words(res: dict) -> str:
    """Why a file could not be read, in the reader's language: the reason's words (etl.reasons), with the
    reader's detail in Chinese only when it is not English words (a size, a count)."""
    code = res.get("code") or "parser_error"
    if lang != "zh":
        return res.get("reason") or wording(code)[1]
    zh = wording(code)[0]
    detail = str(res.get("reason_zh") or "").removeprefix(zh).removeprefix("：")
    return f"{zh}：{detail}" if detail and not re.search(r"[A-Za-z]{3,}", detail) else zh


def problems_frame(found: list[dict]) -> pd.DataFrame:
    """The parser's problems in the reader's language (etl.problems), each with where it is as printed."""
    return pd.DataFrame({t("message", lang): [problems.words(p, lang) for p in found],
                         t("where", lang): [problems.place(p.get("where"), lang) for p in found]})


def rebuild(action: str = "load") -> bool:
    """Build the warehouse with uploads() added to the sources it remembers (the build waits for another one).
    Refused without the editing password (dashboard/access.py); logged with the user. The build's summary
    comes back as facts (counts, reason codes) and is worded here in the reader's language; a failure's
    details (English, with server paths) go to the server log."""
    user = access.require(lang)
    if user is None:
        return False
    uploads().mkdir(parents=True, exist_ok=True)
    with st.spinner(t("building", lang)):
        try:
            out = _run(["-m", "etl", "build", str(uploads().resolve()), "--db", str(db.db_path().resolve()),
                        "--quiet", "--summary-json"], BUILD_SECONDS)
        except subprocess.TimeoutExpired:
            out = None
    casework.store().log(action, user, {"folder": str(uploads().resolve()), "ok": out is not None and out.returncode == 0})
    if out is None or out.returncode != 0:
        if out is None:
            reason = wording("timeout")[lang != "zh"]
        else:
            ui.log.error("upload build failed (exit %s): %s", out.returncode, out.stderr.strip()[-4000:])
            reason = t("build_failed_log", lang)
        st.error(t("build_failed", lang, reason=ui.escape_md(reason)))
        return False
    facts = next((json.loads(ln) for ln in reversed(out.stdout.splitlines()) if ln.startswith("{")), None)
    st.success(t("added", lang))
    for line in summary.lines(facts, lang) if facts else []:
        st.caption(ui.escape_md(line))
    st.cache_data.clear()
    return True


def expected_template(run) -> bytes:
    """A list to fill in (made when the download is clicked): the warehouse's agencies with blank years."""
    df = run("SELECT name, province, city, county, level, kind FROM agencies "
             "ORDER BY province NULLS LAST, city NULLS LAST, name", [])
    df = df.assign(from_year="", to_year="")[["name", "from_year", "to_year", "province", "city", "county", "level",
                                              "kind"]]
    note = "".join(f"# {t('expected_template_note', lg)}\n" for lg in ("zh", "en"))
    return (note + df.to_csv(index=False)).encode("utf-8-sig")


ctx = ui.context()
lang = ctx.lang if ctx else st.session_state.get("f_lang", "zh")
ui.page_title(t("page_upload", lang))
if access.editor() is None:  # viewing the preview is free; adding to the warehouse needs the password
    st.info(t("edit_refused" if access.setting() else "edit_disabled", lang), icon=":material/lock:")
ui.uploader_words(lang)
files = st.file_uploader(t("upload_help", lang, mb=MAX_MB, kinds=kinds_words(lang)),
                         type=list(UPLOAD_TYPES),
                         accept_multiple_files=True, key="upload_files")
blobs: list[tuple[str, bytes, str]] = []
for up in files or []:
    data = up.getvalue()
    if len(data) > MAX_MB * 1024 * 1024:
        st.error(t("too_big", lang, name=ui.escape_md(up.name), mb=MAX_MB))
    else:
        blobs.append((up.name, data, up.file_id))

ready: list[tuple[str, bytes]] = []
if blobs:
    status = st.empty()

    def tick(place: int) -> None:
        """The preview's progress, redrawn while it waits or parses: also where Streamlit stops this run when
        the session goes away or reruns, which ends the preview (dashboard.previews)."""
        if place:
            status.info(t("preview_waiting", lang, place=place, slots=previews.SLOTS), icon=":material/schedule:")
        else:
            status.caption(t("preview_running", lang))

    results = previews.preview([(n, d) for n, d, _ in blobs], tick)
    status.empty()
    for (name, data, fid), res in zip(blobs, results, strict=True):
        shown = ui.escape_md(name)
        if not res.get("ok"):
            st.error(t("read_error", lang, name=shown, reason=ui.escape_md(reason_words(res))))
            continue
        st.success(t("parsed", lang, name=shown, agency=ui.escape_md(res.get("agency") or "—"),
                     year=res.get("year") or "—", n=res.get("n_cells", 0),
                     template=ui.escape_md(i18n.name(i18n.TEMPLATES, res.get("template"), lang))))
        if res.get("problems"):
            st.dataframe(problems_frame(res["problems"]), hide_index=True, key=f"problems_{fid}",
                         placeholder="—")
        if res.get("missing"):
            sep = ("：", "；") if lang == "zh" else (": ", "; ")
            st.caption(ui.escape_md(t("missing_cells", lang) + sep[0]
                                    + sep[1].join(problems.place(str(m), lang) for m in res["missing"])))
        ready.append((name, data))

if ready and st.button(t("add_to_wh", lang), type="primary", key="upload_add", disabled=access.editor() is None) \
        and access.require(lang) is not None:
    uploads().mkdir(parents=True, exist_ok=True)
    for name, data in ready:  # content-addressed names: the same file uploaded twice is one file
        safe = "".join(ch for ch in Path(name).stem if ch.isalnum() or ch in "-_")[:60] or "report"
        (uploads() / f"{safe}-{hashlib.sha256(data).hexdigest()[:12]}{Path(name).suffix.lower()}").write_bytes(data)
    rebuild()


# --- the expected-reporters list (应报名单) ----------------------------------------------------------------

st.header(t("expected_header", lang))
st.caption(t("expected_help", lang, file=expected.FILE_NAME))
kept_list = uploads() / expected.FILE_NAME
if ctx is not None:
    st.download_button(t("expected_template", lang), lambda: expected_template(ctx.run), "expected-template.csv",
                       "text/csv", key="expected_template", on_click="ignore", icon=":material/download:")
list_file = st.file_uploader(t("expected_upload", lang), type=["csv"], key="expected_upload")
if list_file is not None:
    data = list_file.getvalue()
    try:
        if len(data) > MAX_MB * 1024 * 1024:
            raise expected.ExpectedListError(t("too_big", "en", name=list_file.name, mb=MAX_MB),
                                             t("too_big", "zh", name=list_file.name, mb=MAX_MB))
        rows = expected.parse(data, list_file.name)
    except expected.ExpectedListError as e:
        st.error(ui.escape_md(e.words(lang)))
        rows = []
    if rows:
        open_from = sum(r.from_year is None for r in rows)
        open_to = sum(r.to_year is None for r in rows)
        st.success(t("expected_read", lang, n=len(rows), open_from=open_from, open_to=open_to))
        if st.button(t("expected_load", lang), type="primary", key="expected_load",
                     disabled=access.editor() is None) and access.require(lang) is not None:
            uploads().mkdir(parents=True, exist_ok=True)
            old = kept_list.read_bytes() if kept_list.is_file() else None
            tmp = kept_list.with_suffix(".csv.tmp")
            tmp.write_bytes(data)
            os.replace(tmp, kept_list)
            if not rebuild("expected_list") and old is not None:
                kept_list.write_bytes(old)  # the warehouse still has the old list: keep the file in step
if kept_list.is_file():
    st.caption(t("expected_kept", lang, path=ui.escape_md(kept_list.name)))
    if st.button(t("expected_remove", lang), key="expected_remove", disabled=access.editor() is None) \
            and access.require(lang) is not None:
        kept_list.unlink()
        rebuild("expected_list")


# --- collecting from agency websites (etl collect, in the background) ---------------------------------



@st.fragment(run_every=3)
def collection_status() -> None:
    """The background run's stage and counts, refreshed every few seconds while the page is open."""
    from etl.collect import background

    state = background.status(collected())
    stage = state.get("stage")
    if not stage:
        return
    counts = (state.get("progress") or {}).get("counts") or {}
    done = {k: int(counts.get(k, 0)) for k in ("new", "changed", "unchanged", "failed")}
    if state.get("running"):
        st.info(t("collect_running", lang, stage=t(f"collect_stage_{stage}", lang), **done),
                icon=":material/travel_explore:")
        if st.button(t("collect_stop", lang), key="collect_stop"):
            background.stop(collected())  # the run and everything it started end; a new one may start
            st.rerun()
    elif stage == "stopped":
        st.info(t("collect_stopped", lang))
    elif stage == "failed" and state.get("started_at"):
        # a run whose process vanished (the server restarted, the process was killed) has no finished_at; the
        # process's own last line is English output: the Chinese page says what happened in its words
        key = "collect_failed" if state.get("finished_at") else "collect_died"
        last = (state.get("message") or "?").splitlines()[-1]
        st.error(t(key, lang, at=state["started_at"], message=ui.escape_md(last)))
    summary = state.get("summary") or {}
    if summary:
        if summary.get("finished_at"):  # a running collection rewrites its summary as it goes
            st.caption(t("collect_last", lang, at=summary["finished_at"]))
        if summary.get("state") not in (None, "running", "finished"):  # a bound or a stop ended it early
            st.warning(wording(summary["state"])[lang != "zh"])
        rows = {t("n_sources", lang): summary.get("sources"), t("n_listing_pages", lang): summary.get("listing_pages"),
                t("n_files_found", lang): summary.get("files"), t("n_new", lang): summary.get("new"),
                t("n_changed", lang): summary.get("changed"), t("n_unchanged", lang): summary.get("unchanged"),
                t("n_agencies_found", lang): summary.get("agencies_found"),
                t("n_sources_lost", lang): len(summary.get("lost") or [])}
        for code, n in sorted((summary.get("failures") or {}).items()):
            rows[wording(code)[lang != "zh"]] = n
        st.dataframe(pd.DataFrame({t("metadata", lang): list(rows),
                                   t("value", lang): [ui.MISSING if v is None else str(v) for v in rows.values()]}),
                     hide_index=True, key="collect_summary")


st.header(t("collect_header", lang))
st.caption(t("collect_help", lang))
sources_file = st.file_uploader(t("collect_sources", lang), type=["csv"], key="collect_sources")
if sources_file is not None:
    from etl.collect import background
    from etl.collect.sources import SourcesError, read_sources

    with tempfile.NamedTemporaryFile(suffix=".csv", delete=False) as fh:
        fh.write(sources_file.getvalue())
    try:
        listed = read_sources(fh.name)
    except SourcesError as e:
        st.error(ui.escape_md(str(e).replace(fh.name, sources_file.name)))
        listed = []
    finally:
        os.unlink(fh.name)
    if listed:
        st.success(t("collect_listed", lang, n=len(listed), hosts=len({s.url.split("/")[2] for s in listed})))
        if background.status(collected()).get("running"):
            st.warning(t("collect_busy", lang))
        elif st.button(t("collect_start", lang), type="primary", key="collect_start",
                       disabled=access.editor() is None) and (user := access.require(lang)) is not None:
            casework.store().log("collect", user, {"sources": len(listed)})
            collected().mkdir(parents=True, exist_ok=True)
            kept = collected() / "SOURCES.csv"
            kept.write_bytes(sources_file.getvalue())
            background.start(kept.resolve(), collected().resolve(), db.db_path().resolve(), cwd=ROOT)
            st.cache_data.clear()
collection_status()
