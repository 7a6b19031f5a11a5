"""Fake agency websites built from a generated corpus, for testing and benchmarking `etl collect`.

Generated data only: every agency is a sample agency (样例…), every host a loopback address. The tree
holds one folder per host; each agency has a 年报栏目 listing its reports (newest first, a few per page,
mixed with notices that are not reports) in the styles seen on government sites:

- "next":  pages linked by 下一页 (index.html, index_1.html, …);
- "trs":   TRS WCM's createPageHTML(n, i, "index", "html") script, no page links in the HTML;
- "gbk":   listings and pages in GBK, listing titles cut short with the full one in title="…".

A report published as HTML is the report page itself, the generated file byte for byte with the CMS's
<meta name="PubDate"> put into its <head>; a PDF or DOCX sits behind a report page that prints 发布日期 and
links the attachment. Traps, each once, listed in sites.json with the reason the collector must give:
a JavaScript-only shell, an attachment that 404s, a column that moved (301), a path robots.txt forbids,
a login wall, and one slow host. sites.json also lists every report the sites publish, with its dates and
sha256, and every report they hide; it is the ground truth of tests/test_collect.py.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from etl.sample.corpus import GENERATOR

PER_PAGE = 4
STYLES = ("next", "trs", "gbk")
_NOTICES = ("关于做好政务公开工作的通知", "政府信息公开指南", "关于开展政务公开第三方评估的通报",
            "政务公开工作要点", "政府信息公开年度报告编写说明会召开")


@dataclass
class Host:
    name: str
    style: str
    delay: float = 0.0  # seconds the server waits before answering (the slow host)
    agencies: list[dict] = field(default_factory=list)
    robots_forbid: list[str] = field(default_factory=list)
    redirects: dict[str, str] = field(default_factory=dict)


def _page(title: str, body: str, encoding: str) -> bytes:
    charset = "gbk" if encoding == "gbk" else "utf-8"
    html = (f'<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">'
            f"<title>{title}</title></head><body>{body}</body></html>")
    return html.encode("gb18030" if encoding == "gbk" else "utf-8", errors="xmlcharrefreplace")


def _with_pubdate(data: bytes, day: dt.date) -> bytes:
    """The generated report page as a CMS serves it: the same bytes with a PubDate meta in its head."""
    meta = f'<meta name="PubDate" content="{day.isoformat()} 09:30">'.encode("ascii")
    low = data.lower()
    i = low.find(b"<head>")
    if i < 0:
        return meta + data
    return data[: i + 6] + meta + data[i + 6:]


def _listing(host: Host, agency: dict, entries: list[dict], encoding: str) -> dict[str, bytes]:
    """The column's pages: file name -> bytes."""
    pages: dict[str, bytes] = {}
    chunks = [entries[i:i + PER_PAGE] for i in range(0, len(entries), PER_PAGE)] or [[]]
    for n, chunk in enumerate(chunks):
        items = []
        for e in chunk:
            title = e["title"]
            shown = title if host.style != "gbk" or len(title) <= 18 else title[:16] + "…"
            items.append(f'<li><a href="{e["href"]}" title="{title}" target="_blank">{shown}</a>'
                         f'<span class="date">{e["date"]}</span></li>')
        nav = ""
        if host.style == "trs":
            nav = (f'<div class="page"><script>var countPage = {len(chunks)};'
                   f'createPageHTML({len(chunks)}, {n}, "index", "html");</script></div>')
        elif n + 1 < len(chunks):
            nav = f'<div class="page"><a href="index_{n + 1}.html">下一页</a></div>'
        body = (f'<div class="crumb">首页 &gt; 政府信息公开 &gt; 政府信息公开年报</div><h2>{agency["name"]}'
                f' 政府信息公开年报</h2><ul class="list">{"".join(items)}</ul>{nav}')
        pages["index.html" if n == 0 else f"index_{n}.html"] = _page(f"{agency['name']} 政府信息公开年报", body,
                                                                     encoding)
    return pages


def _report_page(title: str, day: dt.date, link: str, encoding: str) -> bytes:
    body = (f'<h1>{title}</h1><div class="info">发布日期：{day.isoformat()}　来源：本机关</div>'
            f'<div class="content"><p>现将本机关{title}予以公布，全文见附件。</p>'
            f'<p>附件：<a href="{link}">{title}</a></p></div>')
    return _page(title, body, encoding)


def _truths(corpus: Path) -> list[tuple[Path, dict]]:
    out = []
    for t in sorted(corpus.rglob("*.truth.json")):
        truth = json.loads(t.read_text(encoding="utf-8"))
        stem = t.name[: -len(".truth.json")]
        if stem.endswith("-copy"):
            continue  # a second copy of the same report: sites publish one
        files = [p for p in t.parent.glob(stem + ".*") if not p.name.endswith(".truth.json")]
        if len(files) == 1 and files[0].suffix in (".html", ".pdf", ".docx"):
            out.append((files[0], truth))
    return out


def write_sites(corpus: str | Path, out: str | Path, seed: int = 1, per_host: int = 3) -> dict:
    """Write the fake sites for a generated corpus (HTML, PDF and DOCX reports) into `out`; returns sites.json.
    """
    corpus, out = Path(corpus), Path(out)
    if (out / "sites.json").is_file():
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(f"sites/{seed}")
    by_agency: dict[str, list[tuple[Path, dict]]] = {}
    for path, truth in _truths(corpus):
        by_agency.setdefault(truth["agency"], []).append((path, truth))
    names = sorted(by_agency)
    hosts = [Host(f"site{i}", STYLES[i % len(STYLES)]) for i in range((len(names) + per_host - 1) // per_host)]
    if len(hosts) > 1:
        hosts[1].delay = 0.3
    published: list[dict] = []
    hidden: list[dict] = []
    traps_left = {"js_only", "http_404", "robots_forbidden"}
    for i, name in enumerate(names):
        host = hosts[i // per_host]
        encoding = "gbk" if host.style == "gbk" else "utf-8"
        aslug = f"a{i:03d}"
        column = f"/{aslug}/ndbg/"
        t0 = by_agency[name][0][1]
        region = "/".join(t0["region"].get(k) or "" for k in ("province", "city", "county")).rstrip("/")
        agency = {"name": name, "slug": aslug, "column": column, "source": column, "region": region,
                  "level": t0["level"], "kind": t0["kind"]}
        host.agencies.append(agency)
        root = out / host.name / aslug / "ndbg"
        entries: list[dict] = []
        for j, (path, truth) in enumerate(sorted(by_agency[name], key=lambda pt: -pt[1]["year"])):
            year = truth["year"]
            signed = dt.date.fromisoformat(truth["published_on"])
            day = signed + dt.timedelta(days=rng.choice((0, 0, 1, 3, 10, 75)))  # 75: put online late
            title = truth["title"]
            data = path.read_bytes()
            rec = {"agency": name, "year": year, "title": title, "page_date": day.isoformat(),
                   "listing_date": day.isoformat(), "corpus_file": path.relative_to(corpus).as_posix(),
                   "host": host.name}
            trap = None
            if j == 0 and traps_left and i % 2 == 1:  # an odd agency's latest report
                trap = sorted(traps_left)[rng.randrange(len(traps_left))]
                if trap == "http_404" and path.suffix == ".html":
                    trap = None
                if trap:
                    traps_left.discard(trap)
            sub = "archive/" if trap == "robots_forbidden" else ""
            href = f"{sub}{year}/t{year}0131_{i}.html"
            page_path = root / href
            page_path.parent.mkdir(parents=True, exist_ok=True)
            if trap == "js_only":
                page_path.write_bytes(_page(title, '<div id="app"></div><script src="/static/app.js"></script>'
                                           '<script>fetch("/api/article?id=1").then(r=>r.json())</script>',
                                            encoding))
            elif path.suffix == ".html":
                served = _with_pubdate(data, day)
                page_path.write_bytes(served)
                rec.update(url_path=f"{column}{href}", sha256=hashlib.sha256(served).hexdigest(), kind="html")
            else:
                att = f"{year}/P0{year}{i:03d}{path.suffix}"
                link = f"/{aslug}/ndbg/{att}"
                page_path.write_bytes(_report_page(title, day, link, encoding))
                if trap != "http_404":
                    (root / att).parent.mkdir(parents=True, exist_ok=True)
                    (root / att).write_bytes(data)
                rec.update(url_path=link, sha256=hashlib.sha256(data).hexdigest(), kind=path.suffix[1:])
            if trap:
                rec.update(reason=trap)
                hidden.append(rec)
                if trap == "robots_forbidden":
                    host.robots_forbid.append(f"{column}archive/")
            else:
                published.append(rec)
            entries.append({"title": title, "href": href, "date": day.isoformat()})
        for k in range(rng.randrange(1, 3)):  # notices in the same column that are not reports
            pos = rng.randrange(len(entries) + 1)
            note = f"{name}{_NOTICES[(i + k) % len(_NOTICES)]}"
            npath = root / f"notice/t{i}_{k}.html"
            npath.parent.mkdir(parents=True, exist_ok=True)
            npath.write_bytes(_page(note, f"<h1>{note}</h1><p>各单位：现将有关事项通知如下。</p>", encoding))
            entries.insert(pos, {"title": note, "href": f"notice/t{i}_{k}.html", "date": "2024-05-06"})
        for fname, data in _listing(host, agency, entries, encoding).items():
            (root / fname).write_bytes(data)
        if i == 0:  # a column that moved: the old address answers 301
            host.redirects[f"/old/{aslug}/"] = column
            agency["source"] = f"/old/{aslug}/"
    login = hosts[0]
    (out / login.name / "member").mkdir(parents=True, exist_ok=True)
    (out / login.name / "member" / "login.html").write_bytes(_page("用户登录", (
        '<form action="/member/login" method="post"><p>请先登录</p><input name="user">'
        '<input type="password" name="pw"><button>登录</button></form>'), "utf-8"))
    walls = [{"agency": "样例登录墙局（样例）", "host": login.name, "source": "/member/login.html",
              "reason": "login_wall"}]
    for h in hosts:
        lines = ["User-agent: *", *[f"Disallow: {p}" for p in h.robots_forbid], ""]
        (out / h.name / "robots.txt").write_text("\n".join(lines), encoding="ascii")
        (out / h.name / "_site.json").write_text(json.dumps(
            {"delay": h.delay, "redirects": h.redirects, "gbk": h.style == "gbk"}), encoding="utf-8")
    sites = {"generator": GENERATOR, "sample": True, "seed": seed,
             "hosts": [{"name": h.name, "style": h.style, "delay": h.delay, "robots_forbid": h.robots_forbid,
                        "agencies": h.agencies} for h in hosts],
             "published": published, "hidden": hidden, "walls": walls}
    (out / "sites.json").write_text(json.dumps(sites, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return sites
