"""What a security and robustness review found: URL parameters are validated (a note, never a traceback),
page errors show a plain message, text from uploaded files is never Markdown or HTML, and the agency search
treats % and _ as characters."""

from __future__ import annotations

import ipaddress
import re
import string
import tomllib

import duckdb
import pandas as pd
import pytest
from dash_helpers import APP, ROOT, open_app
from streamlit.testing.v1 import AppTest

from dashboard import charts
from dashboard import queries as Q
from dashboard.filters import Filters
from dashboard.i18n import t
from dashboard.ui import WORD_JOINER, escape_md

# --- escape_md -------------------------------------------------------------------------------------------


def unescape(md: str) -> str:
    """What CommonMark shows for escape_md's output: backslash escapes decoded, word joiners invisible."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", md).replace(WORD_JOINER, "")


@pytest.mark.parametrize("text", [
    "![p](http://127.0.0.1:9/px.png)样例局", "[链接](https://example.com \"t\")", "<img src=x onerror=alert(1)>",
    "**粗** _斜_ `码` ~~删~~ # 标题", "1. 列表", "- 项", "> 引用", "$x^2$ 与 $$y$$", ":red[红] :material/home: :smile:",
    ":streamlit: a -> b <- c -- d >= e", "www.example.com a@b.cn HTTP://X.Y", "&amp; &#60; \\ \\*", "行一\n\n    行二\t尾",
    string.punctuation, "",
])
def test_escape_md_renders_literally(text):
    out = escape_md(text)
    assert unescape(out) == re.sub(r"[ \t\r\n\f\v]+", " ", text)  # the same characters, whitespace folded
    bare = out.replace(WORD_JOINER, "")
    # every ASCII punctuation character is escaped: strip the escaped pairs and none is left
    assert not set(re.sub(r"\\[!-/:-@\[-`{-~]", "", bare)) & set(string.punctuation)
    assert "\n" not in out  # one paragraph: no new block can start


def test_escape_md_breaks_autolinks_and_rewrites():
    # GFM autolink literals and Streamlit's post-parse rewrites work on the decoded text: a word joiner
    # must sit inside each sequence (backslash escapes alone leave http://… a link)
    out = escape_md("http://a.b www.c.d e@f.g :streamlit: ->")
    assert "\\:" + WORD_JOINER + "\\/\\/" in out
    assert "www" + WORD_JOINER + "\\." in out
    assert "\\@" + WORD_JOINER + "f" in out
    assert "\\:" + WORD_JOINER + "streamlit" in out
    assert "\\-" + WORD_JOINER + "\\>" in out
    assert "\\$" in escape_md("$5")


def test_chart_text_is_not_plotly_html():
    df = pd.DataFrame({"agency": ["<a href='http://127.0.0.1:9/'>甲</a>", "$x$ & <b>乙</b>"], "v": [1, 2]})
    fig = charts.bars(df, "agency", "v", "zh", "标题 <i>", "“<br>”")
    assert list(fig.data[0].x) == ["&lt;a href='http://127.0.0.1:9/'&gt;甲&lt;/a&gt;", "&#36;x&#36; &amp; &lt;b&gt;乙&lt;/b&gt;"]
    assert fig.layout.title.text == "标题 &lt;i&gt;<br><sup>“&lt;br&gt;”</sup>"


# --- URL parameters --------------------------------------------------------------------------------------

def shown(at) -> list[str]:
    """Every Markdown-rendered text of the run (main area and sidebar)."""
    out: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success"):
        out += [e.value for e in getattr(at, kind)]
    out += [m.label for m in at.metric] + [e.label for e in at.expander]
    return out


def note(keys: list[str], lang: str = "zh") -> str:
    return t("bad_param" if len(keys) == 1 else "bad_params", lang, keys=("、" if lang == "zh" else ", ").join(keys))


BAD_URLS = [
    ({"y0": "²"}, ["y0"]),
    ({"y0": "9" * 5000}, ["y0"]),  # int() refuses strings over 4,300 digits
    ({"y1": "٢٠٢٢"}, ["y1"]),  # Arabic-Indic digits: str.isdigit() says yes
    ({"y0": "-2020"}, ["y0"]),
    ({"y0": "0999"}, ["y0"]),
    ({"y1": "1e3"}, ["y1"]),
    ({"y0": "2023", "y1": "2019"}, ["y0", "y1"]),
    ({"lang": "xx"}, ["lang"]),
    ({"lang": "EN"}, ["lang"]),
    ({"level": "planet"}, ["level"]),
    ({"level": "city,<b>x</b>"}, ["level"]),
    ({"kind": "department;DROP TABLE reports"}, ["kind"]),
    ({"fmt": "2099"}, ["fmt"]),
    ({"failed": "maybe"}, ["failed"]),
    ({"data": "fake"}, ["data"]),
    ({"q": "甲\x00乙"}, ["q"]),
    ({"q": "局" * 101}, ["q"]),
    ({"q": "\u202e局"}, ["q"]),  # a bidi override
    ({"prov": "火星省"}, ["prov"]),  # well-formed but not in the data
    ({"prov": "x\ny"}, ["prov"]),
    ({"city": "无省之市"}, ["city"]),  # a city needs its province
    ({"county": "县" * 200}, ["county"]),
    ({"y0": "²", "lang": "xx", "data": "fake", "level": "x"}, ["y0", "level", "data", "lang"]),
]


@pytest.mark.parametrize(("query", "bad"), BAD_URLS, ids=[repr(q)[:40] for q, _ in BAD_URLS])
def test_invalid_url_parameters_are_ignored_with_a_note(app_env, query, bad):
    at = open_app(query=query)  # no exception (open_app asserts it) and no page failure (conftest)
    assert note(bad) in [w.value for w in at.warning]
    assert at.title[0].value == t("page_overview")
    assert at.metric, "the page still shows its figures"
    for k in bad:  # the URL no longer carries the ignored value
        assert k not in at.query_params or at.query_params[k] not in (query[k], [query[k]])
    at.switch_page("views/quality.py").run()  # the note stays while the filters are as the URL left them
    assert not at.exception and note(bad) in [w.value for w in at.warning]


def test_the_note_speaks_the_interface_language_and_goes_once_filters_change(app_env):
    at = open_app(query={"lang": "en", "y0": "²"})
    assert at.title[0].value == "Overview"
    assert note(["y0"], "en") == "Ignored invalid URL parameter y0"
    assert note(["y0"], "en") in [w.value for w in at.warning]
    at.sidebar.multiselect(key="f_level").set_value(["city"]).run()
    assert not at.exception and not any("y0" in w.value for w in at.warning)


def test_valid_url_parameters_give_no_note(app_env, run):
    top = run("SELECT province, city FROM report_metrics WHERE city IS NOT NULL LIMIT 1")
    at = open_app(query={"y0": "2020", "y1": "2022", "prov": top["province"].iloc[0], "city": top["city"].iloc[0],
                         "level": "city,county", "kind": "department", "fmt": "2021", "failed": "0", "data": "sample",
                         "q": "局", "lang": "zh"})
    assert not [w.value for w in at.warning if "网址参数" in w.value]


def test_unknown_report_says_so_instead_of_showing_another(app_env):
    at = open_app("report", {"report": "nonexistent"})
    assert t("report_not_found") in [w.value for w in at.warning]
    assert not at.subheader, "no report shown in its place"
    assert not [d for d in at.dataframe if t("metadata") in d.value.columns]
    assert at.selectbox(key="report_pick_nonexistent").value is None
    at = open_app("report", {"report": "nonexistent", "lang": "en"})
    assert t("report_not_found", "en") in [w.value for w in at.warning]


@pytest.mark.parametrize("rid", ["../../etc/passwd", "a" * 5000, "x' OR 1=1 --", "<b>", "²"])
def test_malformed_report_ids_are_ignored_with_a_note(app_env, rid):
    at = open_app("report", {"report": rid})
    assert note(["report"]) in [w.value for w in at.warning]
    assert not at.subheader


# --- errors ----------------------------------------------------------------------------------------------

def test_config_never_sends_error_details_to_the_browser():
    from streamlit.config import ShowErrorDetailsConfigOptions as Opt

    cfg = tomllib.loads((ROOT / "dashboard" / ".streamlit" / "config.toml").read_text())
    assert cfg["client"]["showErrorDetails"] == Opt.NONE.value == "none"
    assert cfg["browser"]["gatherUsageStats"] is False


def _listeners(port: int) -> set[str]:
    """The local addresses with a socket listening on `port` (from /proc/net/tcp and tcp6)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as f:
            for line in f.readlines()[1:]:
                local, state = line.split()[1], line.split()[3]
                addr, p = local.split(":")
                if int(p, 16) == port and state == "0A":  # LISTEN
                    raw = bytes.fromhex(addr)
                    words = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))  # little-endian words
                    found.add(str(ipaddress.ip_address(words)))
    return found


def test_the_dashboard_listens_on_this_machine_only(tmp_path):
    """Started as the README says (from any folder), the server binds the loopback address, not every
    interface: it has no login. `make demo` passes the same address, which ADDRESS overrides."""
    import os
    import shutil
    import signal
    import socket
    import subprocess
    import sys
    import time

    if not os.path.exists("/proc/net/tcp"):
        pytest.skip("needs /proc/net/tcp to see which address the server listens on")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard" / "app.py"),
                               "--server.headless", "true", "--server.port", str(port)], cwd=tmp_path,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
                              env=dict(os.environ, DISCLOSURE_DB=str(tmp_path / "none.duckdb")))
    try:
        deadline = time.monotonic() + 90
        while not (bound := _listeners(port)) and time.monotonic() < deadline:
            assert server.poll() is None, "the server did not start"
            time.sleep(0.2)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    assert bound == {"127.0.0.1"}
    if shutil.which("make"):
        dry = subprocess.run(["make", "-n", "demo"], cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert "--server.address 127.0.0.1" in dry.stdout, dry.stdout
        dry = subprocess.run(["make", "-n", "demo", "ADDRESS=0.0.0.0"], cwd=ROOT, capture_output=True, text=True,
                             timeout=60)
        assert "--server.address 0.0.0.0" in dry.stdout, dry.stdout


def test_a_failing_page_shows_a_plain_message(app_env, monkeypatch, page_failures):
    secret = "/srv/secret/warehouse.duckdb: Binder Error near SELECT"

    def boom(*a, **k):
        raise RuntimeError(secret)

    monkeypatch.setattr(Q, "yearly", boom)
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception, "caught, not shown"
    assert t("page_failed") in [e.value for e in at.error]
    assert not any("secret" in v or "Traceback" in v for v in shown(at))
    assert at.sidebar.radio(key="f_lang"), "the rest of the app still works"
    # logged server-side, with the traceback
    assert len(page_failures) == 1 and page_failures[0].exc_info[1].args == (secret,)
    page_failures.clear()
    at.sidebar.radio(key="f_lang").set_value("en").run()
    assert t("page_failed", "en") in [e.value for e in at.error]
    page_failures.clear()


def test_stop_and_rerun_are_not_errors():
    from streamlit.runtime.scriptrunner_utils.exceptions import RerunException, StopException
    from streamlit.runtime.scriptrunner_utils.script_requests import RerunData

    from dashboard import ui

    def stop() -> None:
        raise StopException()

    def rerun() -> None:
        raise RerunException(RerunData())

    with pytest.raises(StopException):
        ui.guarded(stop, "test")
    with pytest.raises(RerunException):
        ui.guarded(rerun, "test")


# --- user text is never Markdown -------------------------------------------------------------------------

def no_raw_markdown(at, *raw: str) -> None:
    """No Markdown element carries user text unescaped (an image, a link, an autolink)."""
    for v in shown(at):
        for r in raw:
            assert r not in v, (r, v)
        assert "http://" not in v and "](" not in v, v


def test_injected_names_render_as_text(injected_warehouse, monkeypatch):
    from dash_helpers import INJECTED, INJECTED_PROBLEM, INJECTED_TITLE

    db, rid = injected_warehouse
    monkeypatch.setenv("DISCLOSURE_DB", str(db))
    at = open_app("report", {"report": rid})
    assert at.subheader[0].value == escape_md(f"{INJECTED} · 2022")
    assert unescape(at.subheader[0].value) == f"{INJECTED} · 2022"
    no_raw_markdown(at, INJECTED, INJECTED_TITLE)
    meta = [d.value for d in at.dataframe if t("metadata") in d.value.columns][0]
    assert INJECTED in meta[t("value")].tolist() and INJECTED_TITLE in meta[t("value")].tolist()  # data, as is
    problems = [d.value for d in at.dataframe if t("message") in d.value.columns and t("where") in d.value.columns][0]
    assert any(f"“{INJECTED_PROBLEM}”" in m for m in problems[t("message")])  # quoted, as printed
    # the search text (from the URL) reaches the overview caption and chart titles as text too
    at = open_app(query={"q": INJECTED})
    assert any(escape_md(f"“{INJECTED}”") in c.value for c in at.caption)
    assert [m.value for m in at.metric if m.label == t("reports_loaded")] == ["1"]
    no_raw_markdown(at, INJECTED)
    for page in ("proactive", "requests", "review", "compare", "quality"):
        at.switch_page(f"views/{page}.py").run()
        assert not at.exception, page
        no_raw_markdown(at, INJECTED)


# --- search wildcards ------------------------------------------------------------------------------------

def test_agency_search_treats_percent_and_underscore_as_characters():
    con = duckdb.connect()
    con.execute("CREATE TABLE report_metrics (agency_name VARCHAR, is_sample BOOLEAN, year INT, template VARCHAR, "
                "has_figure_error BOOLEAN)")
    con.executemany("INSERT INTO report_metrics VALUES (?, FALSE, 2021, '2021', FALSE)",
                    [["甲_局"], ["乙局"], ["丙%局"], ["丁\\局"], ["戊局局"]])

    def names(q: str) -> list[str]:
        where, params = Filters(agency=q).where()
        assert where == "m.agency_name ILIKE ? ESCAPE '\\'"  # the text is a parameter, never SQL
        return [r[0] for r in con.execute(f"SELECT agency_name FROM report_metrics m WHERE {where} ORDER BY 1",
                                          params).fetchall()]

    assert names("_") == ["甲_局"]
    assert names("%") == ["丙%局"]
    assert names("\\") == ["丁\\局"]
    assert names("_局") == ["甲_局"]
    assert names("局局") == ["戊局局"]
    assert len(names("局")) == 5


@pytest.mark.parametrize("q", ["_", "%", "%%", "\\", "_%_"])
def test_wildcard_searches_match_no_fixture_agency(app_env, run, q):
    assert run("SELECT count(*) AS n FROM report_metrics WHERE agency_name LIKE '%\\_%' ESCAPE '\\' "
               "OR agency_name LIKE '%\\%%' ESCAPE '\\' OR agency_name LIKE '%\\\\%' ESCAPE '\\'")["n"].iloc[0] == 0
    at = open_app(query={"q": q})  # from the URL
    assert any(t("no_match") in i.value for i in at.info) and not at.metric
    at = open_app()  # and typed into the sidebar
    assert at.metric
    at.sidebar.text_input(key="f_q").input(q).run()
    assert not at.exception
    assert any(t("no_match") in i.value for i in at.info) and not at.metric


def test_agency_options_and_coverage_use_the_escaped_search(app_env, run):
    # the agencies-table form of the condition (coverage, findings) escapes too
    where, params = Filters(agency="_").agency_where("a")
    assert run(f"SELECT count(*) AS n FROM agencies a WHERE {where}", params)["n"].iloc[0] == 0
    assert run("SELECT count(*) AS n FROM agencies")["n"].iloc[0] > 0


# --- a report whose agency name was not found --------------------------------------------------------------

def test_a_report_without_an_agency_name_opens(tmp_path, monkeypatch):
    """A file the parser read without finding its agency (no title line) is loaded, though it belongs to no
    agency: its report page opens, showing — for the name, never None."""
    import random
    import sys

    sys.path.insert(0, str(ROOT / "tests"))
    from helpers import clean_values, corpus, render_report

    from etl.warehouse.build import build

    corpus(tmp_path / "named", n_agencies=1, seed=1)
    (tmp_path / "nameless").mkdir()
    (tmp_path / "nameless" / "2022.txt").write_text(render_report("", 2022, clean_values(random.Random(2))),
                                                    encoding="utf-8")
    db = tmp_path / "wh.duckdb"
    build([tmp_path / "named", tmp_path / "nameless"], db, progress=False)
    with duckdb.connect(str(db), read_only=True) as con:
        (rid,), = con.execute("SELECT report_id FROM reports WHERE agency_name IS NULL").fetchall()
    monkeypatch.setenv("DISCLOSURE_DB", str(db))
    at = open_app("report", {"report": rid})
    assert not at.error, [e.value for e in at.error]
    assert at.subheader[0].value == escape_md("— · 2022")
    pick = at.selectbox(key=f"report_pick_{rid}")
    assert pick.value == rid and "— · 2022" in pick.options
    assert not any("None" in v or "nan" in v for v in pick.options)
