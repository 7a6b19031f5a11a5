"""No request to an internal address (issue 26, SSRF): a SOURCES.csv row or a hostile site's redirect that
points at a server on loopback is refused with a reason and the server sees nothing, unless the operator
allows the network; no remote-control endpoint is left behind.

The "internal" server is a loopback server these tests start (127.0.0.1); the hostile site runs on
127.0.0.2, which the tests allow explicitly (`--allow-network 127.0.0.2/32`), as an operator would allow
an intranet.
"""

from __future__ import annotations

import ipaddress
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from etl.collect import netguard, store
from etl.sample.hostile_sites import serve_hostile


@pytest.fixture()
def internal():
    with serve_hostile("127.0.0.1") as s:
        yield s


@pytest.fixture()
def hostile():
    with serve_hostile("127.0.0.2") as s:
        yield s


def write_sources(path: Path, rows: list[tuple[str, str]]) -> Path:
    path.write_text("agency,url\n" + "".join(f"{a},{u}\n" for a, u in rows), encoding="utf-8")
    return path


def collect(sources: Path, out: Path, *extra: str, env: dict | None = None, timeout: float = 120):
    cmd = [sys.executable, "-m", "etl", "collect", str(sources), "--out", str(out), "--delay", "0", "--quiet",
           "--retries", "0", *extra]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)


def summary(out: Path) -> dict:
    return json.loads((out / store.SUMMARY).read_text(encoding="utf-8"))


@pytest.mark.parametrize("address, code", [
    ("127.0.0.1", "address_loopback"), ("::1", "address_loopback"), ("::ffff:127.0.0.1", "address_loopback"),
    ("2002:7f00:1::", "address_loopback"), ("64:ff9b::7f00:1", "address_loopback"),
    ("10.1.2.3", "address_private"), ("172.16.0.1", "address_private"), ("192.168.1.1", "address_private"),
    ("100.64.0.1", "address_private"), ("fc00::1", "address_private"), ("fd12:3456::1", "address_private"),
    ("169.254.169.254", "address_link_local"), ("fe80::1", "address_link_local"),
    ("0.0.0.0", "address_reserved"), ("::", "address_reserved"), ("224.0.0.1", "address_reserved"),
    ("ff02::1", "address_reserved"), ("240.0.0.1", "address_reserved"), ("255.255.255.255", "address_reserved"),
    ("8.8.8.8", None), ("2001:4860:4860::8888", None), ("114.114.114.114", None),
])
def test_address_categories(address, code):
    assert netguard.category(ipaddress.ip_address(address)) == code


def test_an_allowed_network_is_allowed_and_nothing_else():
    policy = netguard.Policy(["127.0.0.2/32", "10.1.0.0/16"])
    assert policy.refuse("127.0.0.2") is None and policy.refuse("10.1.9.9") is None
    assert policy.refuse("127.0.0.1") == "address_loopback" and policy.refuse("10.2.0.1") == "address_private"
    with pytest.raises(ValueError, match="not a network"):
        netguard.Policy(["10.1.0.0/16", "intranet"])


def test_sources_and_redirects_to_loopback_are_refused_and_nothing_reaches_it(internal, hostile, tmp_path):
    port = internal.base.rsplit(":", 1)[1]
    rows = [("本机", f"{internal.base}/report/1.html"),  # a SOURCES.csv row at the internal server
            ("本机名", f"http://localhost:{port}/report/2.html"),  # the same, by a name resolved to it
            ("跳转", f"{hostile.base}/redirect?to={internal.base}/report/3.html"),  # a hostile site's redirect
            ("跳转名", f"{hostile.base}/redirect?to=http://localhost:{port}/report/4.html"),
            ("元数据", "http://169.254.169.254/latest/meta-data/"),
            ("文件", f"{hostile.base}/redirect?to=file:///etc/passwd"),
            ("正常", f"{hostile.base}/report/5.html")]
    out = tmp_path / "out"
    r = collect(write_sources(tmp_path / "s.csv", rows), out, "--allow-network", "127.0.0.2/32")
    assert r.returncode == 0, r.stderr
    assert internal.log == []  # not one request, robots.txt included
    s = summary(out)
    lost = {x["agency"]: x["reasons"] for x in s["lost"]}
    assert lost == {"本机": {"address_loopback": 1}, "本机名": {"address_loopback": 1},
                    "跳转": {"address_loopback": 1}, "跳转名": {"address_loopback": 1},
                    "元数据": {"address_link_local": 1}, "文件": {"address_scheme": 1}}
    assert s["failures"] == {"address_loopback": 4, "address_link_local": 1, "address_scheme": 1}
    assert s["new"] == 1  # the public (here: allowed) site is collected as before
    failed = {x["url"]: x for x in store.read_log(out) if x["event"] == "failed"}
    assert failed[f"http://localhost:{port}/report/4.html"]["detail"] == "localhost 127.0.0.1"
    assert "address_loopback 4" in r.stdout


def test_an_allowed_network_is_fetched(internal, hostile, tmp_path):
    rows = [("本机", f"{internal.base}/report/1.html"),
            ("跳转", f"{hostile.base}/redirect?to={internal.base}/report/3.html")]
    out = tmp_path / "out"
    env = {**os.environ, netguard.ALLOW_ENV: "127.0.0.2/32"}  # the setting, plus the flag
    r = collect(write_sources(tmp_path / "s.csv", rows), out, "--allow-network", "127.0.0.1", env=env)
    assert r.returncode == 0, r.stderr
    assert sorted(internal.paths()) == ["/report/1.html", "/report/3.html", "/robots.txt"]
    assert summary(out)["new"] == 2 and summary(out)["lost"] == []


def test_the_resolver_refuses_on_its_own(internal, tmp_path):
    """The connection's own resolver checks the address too (a name that resolves to a public address
    for the middleware's lookup and to loopback for the connection's is refused): with the middleware
    switched off, nothing still reaches the internal server."""
    port = internal.base.rsplit(":", 1)[1]
    rows = [("本机", f"{internal.base}/report/1.html"), ("本机名", f"http://localhost:{port}/report/2.html")]
    sources = write_sources(tmp_path / "s.csv", rows)
    script = (
        "import sys\n"
        "import etl.collect.command as c\n"
        "orig = c.settings\n"
        "def no_middleware(*a, **k):\n"
        "    d = orig(*a, **k)\n"
        "    d['DOWNLOADER_MIDDLEWARES'] = {**d['DOWNLOADER_MIDDLEWARES'], 'etl.collect.netguard.GuardMiddleware': None}\n"
        "    return d\n"
        "c.settings = no_middleware\n"
        "from etl.cli import main\n"
        f"sys.exit(main(['collect', {str(sources)!r}, '--out', {str(tmp_path / 'out')!r}, '--quiet', '--delay', '0', "
        "'--no-robots']))\n")
    r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert internal.log == []
    assert summary(tmp_path / "out")["failures"] == {"address_loopback": 2}


def test_an_uploaded_sources_csv_run_in_the_background_is_refused(internal, tmp_path, monkeypatch):
    """The dashboard's background run (a SOURCES.csv uploaded by anyone) obeys the same rule."""
    from etl.collect import background

    monkeypatch.delenv(netguard.ALLOW_ENV, raising=False)
    sources = write_sources(tmp_path / "SOURCES.csv", [("内部页面", f"{internal.base}/report/1.html")])
    out = tmp_path / "collected"
    background.start(sources, out, tmp_path / "w.duckdb")
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and background.status(out)["stage"] in ("collecting", "building"):
        time.sleep(0.3)
    state = background.status(out)
    assert state["stage"] in ("done", "failed") and not state["running"]
    assert internal.log == []
    assert state["summary"]["lost"] == [{"agency": "内部页面", "url": f"{internal.base}/report/1.html",
                                         "reasons": {"address_loopback": 1}}]


def test_no_remote_control_endpoint_or_token_file(hostile, tmp_path):
    """Scrapy 2.19 starts a remote-control HTTP server (it runs code sent to it) and writes its token to the
    user's state folder; the Telnet console listens too. Both are off: no token file appears."""
    home = tmp_path / "home"
    env = {**os.environ, "HOME": str(home), "XDG_STATE_HOME": str(home / "state")}
    out = tmp_path / "out"
    sources = write_sources(tmp_path / "s.csv", [("正常", f"{hostile.base}/report/5.html")])
    r = collect(sources, out, "--allow-network", "127.0.0.2/32", env=env)
    assert r.returncode == 0, r.stderr
    assert summary(out)["new"] == 1
    left = [p for p in home.rglob("*") if p.is_file()] if home.exists() else []
    assert left == []
